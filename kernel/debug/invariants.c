// The kernel invariant checker, debug builds only: the properties seL4's proofs keep
// (valid_mdb, untyped_inc, valid_objs, pspace_distinct) checked on the live state.
//
// How every slot is found, in bounded work: the kernel keeps a list of all TCBs
// (debug_tcbs, for DebugDumpScheduler). Their slot sets are the first areas; every
// CNode, TCB or zombie cap found in an area adds its own area; every derivation link
// of a non-empty slot adds the slot it points to. A CNode whose only caps lie inside
// itself is still found: those caps are linked into their untyped's derivation list,
// which is reached from the untyped's cap. Each slot and area is visited once, and the
// tables are fixed (walk.h); a state bigger than them is reported as INV_TOO_BIG.
#ifdef CONFIG_DEBUG_BUILD
#include "walk.h"
#include "cdt.h"
#include "objecttype.h"
#include "printf.h"
#include "string.h"
#include <stdarg.h>

struct walk walk;
static enum invariant_violation first;

void violation(enum invariant_violation v, const char *fmt, ...)
{
    if (first != INV_OK)
        return;
    first = v;
    kprintf("aL4 invariant violation %u: ", (unsigned)v);
    va_list ap;
    va_start(ap, fmt);
    kvprintf(fmt, ap);
    va_end(ap);
    kprintf("\n");
}

static word_t hash(const void *p)
{
    return ((word_t)p >> 5) * 0x9E3779B97F4A7C15ul >> (64 - WALK_SLOTS_BITS);
}

bool walk_has_slot(const struct cte *s)
{
    for (word_t i = hash(s), n = 0; n < WALK_SLOTS; i = (i + 1) & (WALK_SLOTS - 1), n++) {
        if (walk.slot_set[i] == s)
            return true;
        if (!walk.slot_set[i])
            return false;
    }
    return false;
}

// Adds a non-empty slot to the set and to the work list, once.
static void add_slot(struct cte *s)
{
    if (walk.nslots >= WALK_SLOTS / 2) {
        walk.overflow = true;
        return;
    }
    word_t i = hash(s);
    while (walk.slot_set[i]) {
        if (walk.slot_set[i] == s)
            return;
        i = (i + 1) & (WALK_SLOTS - 1);
    }
    walk.slot_set[i] = s;
    walk.nslots++;
    walk.todo[walk.ntodo++] = s;
}

static void add_area(struct cte *first_slot, word_t n)
{
    for (word_t i = 0; i < walk.nareas; i++)
        if (walk.areas[i].first == first_slot) {
            walk.areas[i].n = MAX(walk.areas[i].n, n);
            return;
        }
    if (walk.nareas == WALK_AREAS) {
        walk.overflow = true;
        return;
    }
    walk.areas[walk.nareas++] = (struct walk_area){first_slot, n};
    for (word_t i = 0; i < n; i++) {
        struct cte *s = first_slot + i;
        if (cap_get_tag(s->cap) != cap_null)
            add_slot(s);
        else if (s->mdb_prev || s->mdb_next)
            violation(INV_CDT_EMPTY, "empty slot %p is linked (prev %lx next %lx)", (void *)s,
                      s->mdb_prev, s->mdb_next);
    }
}

bool walk_is_tcb(const struct tcb *t)
{
    for (struct tcb *x = debug_tcbs; x; x = x->dbg_next)
        if (x == t)
            return true;
    return false;
}

static bool known_tag(enum cap_tag t)
{
    switch (t) {
    case cap_frame: case cap_untyped: case cap_page_table: case cap_endpoint:
    case cap_notification: case cap_reply: case cap_cnode: case cap_asid_control:
    case cap_thread: case cap_asid_pool: case cap_irq_control: case cap_irq_handler:
    case cap_zombie: case cap_domain:
        return true;
    default:
        return false;
    }
}

// The links of one slot, the areas its cap opens, and the cap's own sanity.
static void visit(struct cte *s)
{
    struct cap c = s->cap;
    struct cte *next = mdb_next(s), *prev = mdb_prev(s);
    if (next) {
        if (mdb_prev(next) != s || cap_get_tag(next->cap) == cap_null)
            violation(INV_CDT_LINK, "slot %p: next %p points back to %p", (void *)s,
                      (void *)next, (void *)mdb_prev(next));
        else
            add_slot(next);
    }
    if (prev) {
        if (mdb_next(prev) != s || cap_get_tag(prev->cap) == cap_null)
            violation(INV_CDT_LINK, "slot %p: prev %p points on to %p", (void *)s,
                      (void *)prev, (void *)mdb_next(prev));
        else
            add_slot(prev);
    }
    if (!known_tag(cap_get_tag(c))) {
        violation(INV_CAP_BAD, "slot %p holds a cap with tag %u", (void *)s, cap_get_tag(c));
        return;
    }
    switch (cap_get_tag(c)) {
    case cap_cnode:
        if (cap_cnode_radix(c) < 1 || cap_cnode_radix(c) + cap_cnode_guard_size(c) > 64)
            violation(INV_CAP_BAD, "slot %p: CNode radix %u guard %u", (void *)s,
                      cap_cnode_radix(c), cap_cnode_guard_size(c));
        else
            add_area(cap_ptr(c), BIT(cap_cnode_radix(c)));
        break;
    case cap_thread:
        if (!walk_is_tcb(cap_ptr(c)))
            violation(INV_CAP_DEAD, "slot %p: thread cap to %p, no such TCB", (void *)s, cap_ptr(c));
        else
            add_area(tcb_slot(cap_ptr(c), 0), TCB_SLOTS);
        break;
    case cap_zombie:
        add_area(cap_ptr(c), c.w1);
        break;
    case cap_untyped:
        if (c.w1 > BIT(cap_untyped_bits(c)) || cap_untyped_bits(c) < MIN_UNTYPED_BITS ||
            cap_untyped_bits(c) > MAX_UNTYPED_BITS || !IS_ALIGNED(cap_paddr(c), cap_untyped_bits(c)))
            violation(INV_UNTYPED, "slot %p: untyped %lx/%u with watermark %lx", (void *)s,
                      cap_paddr(c), cap_untyped_bits(c), c.w1);
        break;
    case cap_reply:
        if (!walk_is_tcb(cap_ptr(c)))
            violation(INV_CAP_DEAD, "slot %p: reply cap to %p, no such TCB", (void *)s, cap_ptr(c));
        break;
    default:
        break;
    }
    if (cap_is_physical(c) && cap_get_tag(c) != cap_untyped && cap_get_tag(c) != cap_zombie) {
        if (walk.nobjects == WALK_OBJECTS)
            walk.overflow = true;
        else
            walk.objects[walk.nobjects++] =
                (struct walk_object){cap_region_base(c), cap_region_bits(c), s};
    }
}

// Every slot lies in an area found (a live CNode, TCB or zombie) or in the kernel's
// own image (the IRQ handlers' notification slots).
static void check_strays(void)
{
    extern char kernel_image_end[];
    for (word_t h = 0; h < WALK_SLOTS; h++) {
        struct cte *s = walk.slot_set[h];
        if (!s || ((word_t)s >= KERNEL_ELF_BASE && (word_t)s < (word_t)kernel_image_end))
            continue;
        bool inside = false;
        for (word_t i = 0; i < walk.nareas && !inside; i++)
            inside = s >= walk.areas[i].first && s < walk.areas[i].first + walk.areas[i].n;
        if (!inside)
            violation(INV_CDT_STRAY, "slot %p (tag %u) is in no live CNode or TCB", (void *)s,
                      cap_get_tag(s->cap));
    }
}

static bool before(const struct walk_object *a, const struct walk_object *b)
{
    return a->base < b->base || (a->base == b->base && a->bits > b->bits);
}

// Shell sort by base (then larger first): no recursion, no allocation.
static void sort_objects(void)
{
    static const word_t gaps[] = {1750, 701, 301, 132, 57, 23, 10, 4, 1};
    for (unsigned g = 0; g < ARRAY_SIZE(gaps); g++)
        for (word_t i = gaps[g]; i < walk.nobjects; i++) {
            struct walk_object o = walk.objects[i];
            word_t j = i;
            for (; j >= gaps[g] && before(&o, &walk.objects[j - gaps[g]]); j -= gaps[g])
                walk.objects[j] = walk.objects[j - gaps[g]];
            walk.objects[j] = o;
        }
}

// Two caps whose memory overlaps must name the same object (pspace_distinct).
static void check_overlaps(void)
{
    sort_objects();
    const struct walk_object *widest = NULL;
    for (word_t i = 0; i < walk.nobjects; i++) {
        const struct walk_object *o = &walk.objects[i];
        if (widest && o->base < widest->base + BIT(widest->bits) &&
            !same_object_as(widest->slot->cap, o->slot->cap) &&
            !same_object_as(o->slot->cap, widest->slot->cap))
            violation(INV_OVERLAP, "tag %u at %lx/%lu (slot %p) overlaps tag %u at %lx/%lu (slot %p)",
                      cap_get_tag(o->slot->cap), o->base, o->bits, (void *)o->slot,
                      cap_get_tag(widest->slot->cap), widest->base, widest->bits,
                      (void *)widest->slot);
        if (!widest || o->base + BIT(o->bits) > widest->base + BIT(widest->bits))
            widest = o;
    }
}

bool walk_has_object(enum cap_tag tag, paddr_t base)
{
    word_t lo = 0, hi = walk.nobjects;  // sorted by check_overlaps
    while (lo < hi) {
        word_t mid = (lo + hi) / 2;
        if (walk.objects[mid].base < base)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (; lo < walk.nobjects && walk.objects[lo].base == base; lo++)
        if (cap_get_tag(walk.objects[lo].slot->cap) == tag)
            return true;
    return false;
}

// Every cap after an untyped that the derivation tree makes its descendant lies below
// its watermark (untyped_inc with seL4's free index), and every cap to memory inside
// the untyped is such a descendant (children follow their parent).
static void check_untyped(struct cte *u)
{
    struct cap uc = u->cap;
    paddr_t base = cap_paddr(uc), end = base + BIT(cap_untyped_bits(uc));
    word_t run = 0;
    for (struct cte *d = mdb_next(u); d && is_mdb_parent_of(u, d); d = mdb_next(d)) {
        run++;
        if (run > walk.nslots) {
            violation(INV_CDT_LINK, "untyped slot %p: derivation list loops", (void *)u);
            return;
        }
        struct cap dc = d->cap;
        if (cap_get_tag(dc) == cap_zombie)
            continue;
        paddr_t b = cap_region_base(dc), e = b + BIT(cap_region_bits(dc));
        bool copy = cap_get_tag(dc) == cap_untyped && b == base && e == end;
        if (!copy && e > base + uc.w1)
            violation(INV_UNTYPED, "untyped %lx/%u (slot %p) watermark %lx, descendant tag %u "
                      "at %lx-%lx (slot %p) lies above it", base, cap_untyped_bits(uc),
                      (void *)u, uc.w1, cap_get_tag(dc), b, e, (void *)d);
    }
    word_t inside = 0;
    for (word_t i = 0; i < walk.nobjects; i++) {
        struct walk_object *o = &walk.objects[i];
        if (o->base >= base && o->base + BIT(o->bits) <= end && o->slot != u)
            inside++;
    }
    // Only object caps were counted above, so count them in the run too.
    word_t in_run = 0;
    for (struct cte *d = mdb_next(u); d && is_mdb_parent_of(u, d); d = mdb_next(d))
        in_run += cap_is_physical(d->cap) && cap_get_tag(d->cap) != cap_untyped &&
                  cap_get_tag(d->cap) != cap_zombie;
    if (inside != in_run)
        violation(INV_CDT_ORDER, "untyped %lx/%u (slot %p): %lu caps to objects inside it, "
                  "%lu of them its descendants", base, cap_untyped_bits(uc), (void *)u,
                  inside, in_run);
}

struct invariant_report check_invariants(void)
{
    memset(&walk, 0, sizeof(walk));
    first = INV_OK;
    for (struct tcb *t = debug_tcbs; t && !walk.overflow; t = t->dbg_next) {
        walk.ntcbs++;
        add_area(tcb_slot(t, 0), TCB_SLOTS);
        while (walk.ntodo && !walk.overflow)
            visit(walk.todo[--walk.ntodo]);
    }
    if (walk.overflow) {
        kprintf("aL4 invariants: more than %u slots, %u areas or %u objects: not checked\n",
                WALK_SLOTS / 2, WALK_AREAS, WALK_OBJECTS);
        return (struct invariant_report){INV_TOO_BIG, walk.nslots, walk.nobjects, walk.ntcbs};
    }
    check_strays();
    check_overlaps();
    for (word_t h = 0; h < WALK_SLOTS; h++)
        if (walk.slot_set[h] && cap_get_tag(walk.slot_set[h]->cap) == cap_untyped)
            check_untyped(walk.slot_set[h]);
    check_threads();
    check_unotify();
    return (struct invariant_report){first, walk.nslots, walk.nobjects, walk.ntcbs};
}

void syscall_check_invariants(struct tcb *caller)
{
    struct invariant_report r = check_invariants();
    caller->ctx[CTX_A0] = r.violation;
    caller->ctx[CTX_A1] = r.slots;
    caller->ctx[CTX_A2] = r.objects;
    caller->ctx[CTX_A3] = r.tcbs;
}
#endif
