// Untyped memory: Retype carves new objects from it (seL4's untyped.c). The cap keeps
// a watermark of bytes used; revoking every child resets it to zero.
#include "decode.h"
#include "objecttype.h"
#include "cspace.h"
#include "cdt.h"
#include "hart.h"
#include "string.h"
#include "printf.h"
#include "preempt.h"
#include <sel4/objecttype.h>
#include <sel4/invocation.h>

#define RETYPE_FAN_OUT_LIMIT 256  // CONFIG_RETYPE_FAN_OUT_LIMIT

static word_t decode_retype(struct invocation *inv, word_t *out_type, word_t *out_bits,
                            struct cte **out_dest, word_t *out_count, word_t *out_offset)
{
    if (inv->length < 6 || inv->n_extra < 1) {
        user_error("Untyped invocation: Truncated message.");
        return refuse(inv, seL4_TruncatedMessage);
    }
    word_t type = inv_arg(inv, 0), user_bits = inv_arg(inv, 1);
    word_t node_index = inv_arg(inv, 2), node_depth = inv_arg(inv, 3);
    word_t node_offset = inv_arg(inv, 4), node_window = inv_arg(inv, 5);
    struct cap root = inv->extra[0]->cap;

    if (type >= seL4_ObjectTypeCount) {
        user_error("Untyped Retype: Invalid object type.");
        return refuse_arg(inv, seL4_InvalidArgument, 0);
    }
    word_t obj_bits = object_size_bits(type, user_bits);
    if (user_bits >= seL4_WordBits || obj_bits > seL4_MaxUntypedBits) {
        user_error("Untyped Retype: Invalid object size.");
        return refuse_range(inv, 0, seL4_MaxUntypedBits);
    }
    if (type == seL4_CapTableObject && user_bits == 0) {
        user_error("Untyped Retype: Requested CapTable size too small.");
        return refuse_arg(inv, seL4_InvalidArgument, 1);
    }
    if (type == seL4_UntypedObject && user_bits < seL4_MinUntypedBits) {
        user_error("Untyped Retype: Requested UntypedItem size too small.");
        return refuse_arg(inv, seL4_InvalidArgument, 1);
    }

    // The destination CNode: root itself for depth 0, else looked up from it with
    // seL4's lookupTargetSlot (depth 1..64, so a CNode that holds itself cannot make
    // the walk long).
    struct cte *dest_node = inv->extra[0];
    word_t st;
    if (node_depth != 0 &&
        (st = inv_lookup_slot(inv, false, root, node_index, node_depth, &dest_node))) {
        user_error("Untyped Retype: Invalid destination address.");
        return st;
    }
    if (cap_get_tag(dest_node->cap) != cap_cnode) {
        user_error("Untyped Retype: Destination cap invalid or read-only.");
        return refuse_lookup(inv, false, (struct lookup_fault){.type = seL4_MissingCapability,
                                                               .bits_left = node_depth});
    }
    word_t slots = BIT(cap_cnode_radix(dest_node->cap));
    if (node_offset > slots - 1) {
        user_error("Untyped Retype: Destination node offset #%lu too large.", node_offset);
        return refuse_range(inv, 0, slots - 1);
    }
    if (node_window < 1 || node_window > RETYPE_FAN_OUT_LIMIT) {
        user_error("Untyped Retype: Number of requested objects (%lu) too small or large.",
                   node_window);
        return refuse_range(inv, 1, RETYPE_FAN_OUT_LIMIT);
    }
    if (node_window > slots - node_offset) {
        user_error("Untyped Retype: Requested destination window overruns size of node.");
        return refuse_range(inv, 1, slots - node_offset);
    }
    struct cte *dest = (struct cte *)cap_ptr(dest_node->cap) + node_offset;
    for (word_t i = 0; i < node_window; i++)
        if (cap_get_tag(dest[i].cap) != cap_null) {
            user_error("Untyped Retype: Slot #%lu in destination window non-empty.", i);
            return refuse(inv, seL4_DeleteFirst);
        }

    // Room: a reset (no children) untyped starts again from zero.
    struct cap ut = inv->cap;
    word_t used = cte_has_children(inv->slot) ? ut.w1 : 0;
    word_t ut_bits = cap_untyped_bits(ut);
    word_t aligned = ROUND_UP(used, obj_bits);
    word_t free = aligned <= BIT(ut_bits) ? BIT(ut_bits) - aligned : 0;
    if (obj_bits >= seL4_WordBits || (free >> obj_bits) < node_window) {
        user_error("Untyped Retype: Insufficient memory (%lu * %lu bytes needed, %lu bytes "
                   "available).", node_window, obj_bits < 64 ? BIT(obj_bits) : 0,
                   used <= BIT(ut_bits) ? BIT(ut_bits) - used : 0);
        return refuse_arg(inv, seL4_NotEnoughMemory, BIT(ut_bits) - MIN(used, BIT(ut_bits)));
    }
    if (cap_untyped_is_device(ut) && type != seL4_UntypedObject && !arch_is_frame_type(type)) {
        user_error("Untyped Retype: Creating kernel objects with device untyped");
        return refuse_arg(inv, seL4_InvalidArgument, 1);
    }
    *out_type = type;
    *out_bits = user_bits;
    *out_dest = dest;
    *out_count = node_window;
    *out_offset = aligned;
    return seL4_NoError;
}

#define CLEAR_CHUNK_BITS 12

// Zeroing a large retype (megabytes of frames) stops at preemption points. How far it
// got is kept for the next attempt at the same retype, which the preempted thread
// makes when it re-executes its call; any retype that completes forgets it, so the
// record can only describe memory nobody has been given since.
static struct {
    struct cte *slot;  // the untyped's slot
    word_t w0;         // the untyped cap (which memory)
    word_t offset;     // where the objects start
    word_t cleared;    // bytes zeroed from there
} pending_clear;

static bool clear_region(struct invocation *inv, uint8_t *base, word_t offset, word_t bytes)
{
    word_t done = 0;
    if (pending_clear.slot == inv->slot && pending_clear.w0 == inv->cap.w0 &&
        pending_clear.offset == offset)
        done = pending_clear.cleared;
    while (done < bytes) {
        word_t n = MIN(bytes - done, BIT(CLEAR_CHUNK_BITS));
        memset(base + offset + done, 0, n);
        done += n;
        if (done < bytes && preemption_point()) {
            pending_clear.slot = inv->slot;
            pending_clear.w0 = inv->cap.w0;
            pending_clear.offset = offset;
            pending_clear.cleared = done;
            return false;
        }
    }
    return true;
}

// False when preempted while zeroing: nothing was created yet.
static bool invoke_retype(struct invocation *inv, word_t type, word_t user_bits,
                          struct cte *dest, word_t count, word_t offset)
{
    struct cap ut = inv->cap;
    bool device = cap_untyped_is_device(ut);
    word_t obj_bits = object_size_bits(type, user_bits);
    uint8_t *base = cap_ptr(ut);
    // Kernel objects and RAM frames start zeroed; device memory is left alone, and so
    // is a child untyped: whatever is made from it is zeroed then.
    if (!device && type != seL4_UntypedObject &&
        !clear_region(inv, base, offset, count << obj_bits))
        return false;
    pending_clear.slot = NULL;
    for (word_t i = 0; i < count; i++) {
        uint8_t *region = base + offset + (i << obj_bits);
        // A new TCB on the invoker's hart, as seL4's createObject binds it to the
        // current core (non-MCS): a thread that makes threads on hart 1 runs them
        // there. The invoker's, not this hart's: an asynchronous retype served on
        // another hart (docs/asyncsys.md) makes the same TCB as the system call.
        cte_insert_new(create_object(type, region, user_bits, device, inv->thread->hart),
                       inv->slot, dest + i);
    }
    inv->slot->cap.w1 = offset + (count << obj_bits);
    return true;
}

word_t decode_untyped(struct invocation *inv)
{
    if (inv->label != UntypedRetype) {
        user_error("Untyped cap: Illegal operation attempted.");
        return refuse(inv, seL4_IllegalOperation);
    }
    word_t type = 0, bits = 0, count = 0, offset = 0;
    struct cte *dest = NULL;
    word_t status = decode_retype(inv, &type, &bits, &dest, &count, &offset);
    if (status != seL4_NoError)
        return status;
    return invoke_retype(inv, type, bits, dest, count, offset) ? seL4_NoError : INV_PREEMPTED;
}
