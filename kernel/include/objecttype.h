// Operations every capability type answers: how it is derived, compared, finalised and
// created from untyped memory (seL4's objecttype.c). Generic types are handled in
// kernel/object/objecttype.c, RISC-V ones through the arch_ hooks.
#pragma once
#include "cap.h"
#include "decode.h"

struct finalise_result {
    struct cap remainder;  // null, or a zombie still holding slots to delete
    word_t irq;            // IRQ to free, or ~0
};

bool same_region_as(struct cap a, struct cap b);
bool same_object_as(struct cap a, struct cap b);
// A copy of `cap` fit to be stored elsewhere; refuses (RevokeFirst, IllegalOperation)
// as seL4's deriveCap does. `slot` is the source.
word_t derive_cap(struct cte *slot, struct cap cap, struct cap *out, struct syscall_error *err);
struct cap mask_cap_rights(seL4_CapRights_t rights, struct cap cap);
struct cap update_cap_data(bool preserve, word_t data, struct cap cap);
bool cap_is_revocable(struct cap derived, struct cap src);
struct finalise_result finalise_cap(struct cap cap, bool final);
bool cap_is_physical(struct cap c);
paddr_t cap_region_base(struct cap c);
word_t cap_region_bits(struct cap c);

// Object creation (retype). Sizes in bits; `user_bits` is the size argument of Retype.
word_t object_size_bits(word_t type, word_t user_bits);
// A new TCB is bound to `hart` (its affinity).
struct cap create_object(word_t type, void *region, word_t user_bits, bool device,
                         unsigned hart);

// RISC-V part of the above, for frames, page tables and ASID caps.
bool arch_same_region_as(struct cap a, struct cap b);
bool arch_same_object_as(struct cap a, struct cap b);
word_t arch_derive_cap(struct cte *slot, struct cap cap, struct cap *out, struct syscall_error *err);
struct cap arch_mask_cap_rights(seL4_CapRights_t rights, struct cap cap);
struct cap arch_finalise_cap(struct cap cap, bool final);
word_t arch_object_size_bits(word_t type);
struct cap arch_create_object(word_t type, void *region, bool device);
bool arch_is_frame_type(word_t type);
