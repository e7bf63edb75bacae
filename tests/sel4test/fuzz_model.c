// The fuzzer's model of its caps and objects, and the rules of seL4's derivation tree
// it follows: a derived cap is the source's child when the source is revocable (an
// original, a badged mint, an untyped), else its sibling; deleting a cap moves its
// children up; the last cap to an object destroys it.
#include "fuzz.h"
#include <al4/debug.h>
#include <string.h>

uint64_t fz_rnd(struct fuzzer *f)
{
    // xorshift64*: deterministic for a given seed.
    f->rng ^= f->rng >> 12;
    f->rng ^= f->rng << 25;
    f->rng ^= f->rng >> 27;
    return f->rng * 0x2545F4914F6CDD1Dull;
}

seL4_Word fz_word(struct fuzzer *f)
{
    switch (fz_rnd(f) % 4) {
    case 0: return fz_rnd(f) % 64;
    case 1: return fz_rnd(f) % 4096;
    case 2: return fz_rnd(f);
    default: return 1ul << (fz_rnd(f) % 64);
    }
}

void fz_model_init(struct fuzzer *f)
{
    memset(f->caps, 0, sizeof(f->caps));
    memset(f->objs, 0, sizeof(f->objs));
    for (int i = 0; i < FZ_CAPS; i++)
        f->caps[i].obj = -1;
    f->next_serial = 1;
    f->l1 = -1;
    for (int r = 0; r < FZ_REGIONS; r++) {
        f->l2[r] = -1;
        for (int p = 0; p < FZ_PAGES; p++)
            f->page_obj[r][p] = -1;
    }
}

seL4_Word fz_object_bits(seL4_Word type, seL4_Word user_bits)
{
    switch (type) {
    case seL4_UntypedObject: return user_bits;
    case seL4_TCBObject: return seL4_TCBBits;
    case seL4_EndpointObject: return seL4_EndpointBits;
    case seL4_NotificationObject: return seL4_NotificationBits;
    case seL4_CapTableObject: return user_bits + seL4_SlotBits;
    case seL4_RISCV_Mega_Page: return seL4_LargePageBits;
    default: return seL4_PageBits;  // 4K page, page table
    }
}

int fz_new_obj(struct fuzzer *f, seL4_Word type, seL4_Word bits)
{
    for (int i = 0; i < FZ_OBJS; i++)
        if (!f->objs[i].alive) {
            f->objs[i] = (struct mobj){.type = type, .bits = bits, .alive = true, .bound = -1};
            return i;
        }
    return -1;
}

int fz_empty_slot(struct fuzzer *f)
{
    int start = FZ_FIRST + fz_rnd(f) % (FZ_SLOTS - FZ_FIRST);
    for (int n = 0; n < FZ_SLOTS - FZ_FIRST; n++) {
        int s = FZ_FIRST + (start - FZ_FIRST + n) % (FZ_SLOTS - FZ_FIRST);
        if (!f->caps[s].tag)
            return s;
    }
    return -1;
}

int fz_pick_movable(struct fuzzer *f, int tag)
{
    int s = fz_pick(f, tag);
    return s == FZ_FIRST ? -1 : s;
}

int fz_pick(struct fuzzer *f, int tag)
{
    int start = FZ_FIRST + fz_rnd(f) % (FZ_SLOTS - FZ_FIRST);
    for (int n = 0; n < FZ_SLOTS - FZ_FIRST; n++) {
        int s = FZ_FIRST + (start - FZ_FIRST + n) % (FZ_SLOTS - FZ_FIRST);
        if (f->caps[s].tag && (!tag || f->caps[s].tag == tag))
            return s;
    }
    return -1;
}

int fz_by_serial(const struct fuzzer *f, uint32_t serial)
{
    if (!serial)
        return -1;
    for (int i = 0; i < FZ_CAPS; i++)
        if (f->caps[i].tag && f->caps[i].serial == serial)
            return i;
    return -1;
}

void fz_set(struct fuzzer *f, int slot, uint8_t tag, int obj, int parent_slot, bool revocable)
{
    struct mcap *c = &f->caps[slot];
    *c = (struct mcap){.tag = tag, .obj = obj, .revocable = revocable, .serial = f->next_serial++,
                       .parent = parent_slot >= 0 ? (int32_t)f->caps[parent_slot].serial : 0,
                       .rights = seL4_AllRights.words[0], .holder = -1};
}

bool fz_has_children(const struct fuzzer *f, int slot)
{
    for (int i = 0; i < FZ_CAPS; i++)
        if (f->caps[i].tag && f->caps[i].parent == (int32_t)f->caps[slot].serial)
            return true;
    return false;
}

bool fz_is_final(const struct fuzzer *f, int slot)
{
    int obj = f->caps[slot].obj;
    if (obj < 0)
        return false;
    for (int i = 0; i < FZ_CAPS; i++)
        if (i != slot && f->caps[i].tag && f->caps[i].obj == obj)
            return false;
    return true;
}

// A mapped frame cap going away unmaps its frame (seL4's Arch_finaliseCap, final or
// not); so does a page table's last cap.
static void forget_mapping(struct fuzzer *f, struct mcap *c, bool final)
{
    if (c->tag == seL4_CapTag_Frame && c->va) {
        for (int r = 0; r < FZ_REGIONS; r++)
            for (int p = 0; p < FZ_PAGES; p++)
                if (f->page_obj[r][p] == c->obj)
                    f->page_obj[r][p] = -1;
    }
    if (c->tag == seL4_CapTag_PageTable && (c->unsure || (c->obj >= 0 && f->objs[c->obj].unsure)))
        f->vm_unsure = true;
    if (c->tag == seL4_CapTag_PageTable && final) {
        for (int r = 0; r < FZ_REGIONS; r++)
            if (f->l1 == c->obj || f->l2[r] == c->obj) {
                f->l2[r] = -1;
                for (int p = 0; p < FZ_PAGES; p++)
                    f->page_obj[r][p] = -1;
            }
        if (f->l1 == c->obj)
            f->l1 = -1;
    }
}

static void destroy(struct fuzzer *f, int obj)
{
    struct mobj *o = &f->objs[obj];
    o->alive = false;
    if (o->type == seL4_TCBObject)
        fz_unotify_thread_gone(f, obj);
    if ((o->type == seL4_NotificationObject || o->type == seL4_TCBObject) && o->bound >= 0) {
        fz_unotify_receiver_gone(f, o->type == seL4_TCBObject ? obj : o->bound);
        f->objs[o->bound].bound = -1;
        o->bound = -1;
    }
    if (o->type == seL4_TCBObject)
        for (int i = FZ_SLOTS; i < FZ_CAPS; i++)
            if (f->caps[i].tag && f->caps[i].holder == obj)
                fz_model_delete(f, i);
}

void fz_model_delete(struct fuzzer *f, int slot)
{
    struct mcap c = f->caps[slot];
    if (!c.tag)
        return;
    bool final = fz_is_final(f, slot);
    f->caps[slot] = (struct mcap){.obj = -1, .holder = -1};
    for (int i = 0; i < FZ_CAPS; i++)
        if (f->caps[i].tag && f->caps[i].parent == (int32_t)c.serial)
            f->caps[i].parent = c.parent;
    forget_mapping(f, &c, final);
    if (final && c.obj >= 0 && f->objs[c.obj].alive)
        destroy(f, c.obj);
}

void fz_model_revoke(struct fuzzer *f, int slot)
{
    uint32_t serial = f->caps[slot].serial;
    // Children first, deepest first: repeat until none is left.
    for (bool again = true; again;) {
        again = false;
        for (int i = 0; i < FZ_CAPS; i++)
            if (f->caps[i].tag && f->caps[i].parent == (int32_t)serial) {
                fz_model_revoke(f, i);
                fz_model_delete(f, i);
                again = true;
            }
    }
}

int fz_resync(struct fuzzer *f)
{
    int changed = 0;
    for (int s = FZ_FIRST; s < FZ_SLOTS; s++) {
        seL4_Word tag = seL4_DebugCapIdentify(s);
        if (tag == f->caps[s].tag)
            continue;
        changed++;
        if (f->caps[s].tag)
            fz_model_delete(f, s);
        if (tag) {
            fz_set(f, s, tag, -1, -1, false);
            f->caps[s].unsure = true;
        }
    }
    return changed;
}

void fz_fail(struct fuzzer *f, const char *what, seL4_Word expected, seL4_Word got)
{
    printf("# FUZZ MISMATCH seed=%lu fuzzer=%d step=%lu: %s: model expected %lu, kernel gave %lu\n",
           (unsigned long)f->seed, f->id, (unsigned long)f->step, what, (unsigned long)expected,
           (unsigned long)got);
    printf("# replay: make fuzz FUZZ_SEED=%lu FUZZ_OPS=%lu\n", (unsigned long)f->seed,
           (unsigned long)f->step + 1);
    f->failed = true;
}

void fz_expect(struct fuzzer *f, const char *what, seL4_Word expected, seL4_Word got)
{
    f->checks++;
    if (expected != got && !f->failed)
        fz_fail(f, what, expected, got);
}

void fz_count(struct fuzzer *f, seL4_Error e)
{
    f->outcome[(unsigned)e < seL4_NumErrors ? e : seL4_IllegalOperation]++;
}

bool fz_check_kernel(struct fuzzer *f)
{
    al4_invariant_report_t r = al4_check_invariants();
    f->checker_runs++;
    if (r.violation != 0) {
        printf("# FUZZ INVARIANT VIOLATION %lu seed=%lu fuzzer=%d step=%lu (%lu slots, %lu "
               "objects, %lu threads)\n", (unsigned long)r.violation, (unsigned long)f->seed, f->id,
               (unsigned long)f->step, (unsigned long)r.slots, (unsigned long)r.objects,
               (unsigned long)r.threads);
        printf("# replay: make fuzz FUZZ_SEED=%lu FUZZ_OPS=%lu\n", (unsigned long)f->seed,
               (unsigned long)f->step + 1);
        f->failed = true;
        return false;
    }
    return true;
}
