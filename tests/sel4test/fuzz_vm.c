// The fuzzer's address-space sequences in its own GiB of the root VSpace: page tables
// mapped at level 1 (the GiB) and level 2 (2 MiB regions 0-3), 4 KiB frames in those
// regions, 2 MiB frames in regions 4-7. A frame mapped twice (through a copy of its
// cap) reads at one address what was written at the other; a new frame reads zero.
#include "fuzz.h"
#include <sel4/sel4.h>

static seL4_Word page_va(struct fuzzer *f, int r, int p)
{
    return FZ_VA(f->id) + ((seL4_Word)r << seL4_LargePageBits) + ((seL4_Word)p << seL4_PageBits);
}

static void op_pt_map(struct fuzzer *f, int s)
{
    struct mcap *c = &f->caps[s];
    int r = fz_rnd(f) % 4;
    seL4_Error want = c->va ? seL4_InvalidCapability
                      : f->l1 >= 0 && f->l2[r] >= 0 ? seL4_DeleteFirst
                                                    : seL4_NoError;
    seL4_Error e = seL4_RISCV_PageTable_Map(s, FZ_VSPACE, page_va(f, r, 0), seL4_RISCV_Default_VMAttributes);
    fz_count(f, e);
    if (!f->objs[c->obj].unsure && !c->unsure && !f->vm_unsure)
        fz_expect(f, "PageTable_Map", want, e);
    if (e != seL4_NoError || want != seL4_NoError)
        return;
    c->va = page_va(f, r, 0);
    if (f->l1 < 0)
        f->l1 = c->obj;
    else
        f->l2[r] = c->obj;
}

// Unmapping clears the table: whatever was mapped through it is gone.
static void op_pt_unmap(struct fuzzer *f, int s)
{
    struct mcap *c = &f->caps[s];
    bool final = fz_is_final(f, s);
    seL4_Error e = seL4_RISCV_PageTable_Unmap(s);
    fz_count(f, e);
    if (c->unsure || f->objs[c->obj].unsure)
        f->vm_unsure = true;
    if (final && !c->unsure && !f->vm_unsure)
        fz_expect(f, "PageTable_Unmap", seL4_NoError, e);
    if (e != seL4_NoError)
        return;
    if (c->va && f->l1 == c->obj) {
        f->l1 = -1;
        for (int r = 0; r < FZ_REGIONS; r++) {
            f->l2[r] = -1;
            for (int p = 0; p < FZ_PAGES; p++)
                f->page_obj[r][p] = -1;
        }
    }
    for (int r = 0; r < FZ_REGIONS; r++)
        if (c->va && f->l2[r] == c->obj) {
            f->l2[r] = -1;
            for (int p = 0; p < FZ_PAGES; p++)
                f->page_obj[r][p] = -1;
        }
    c->va = 0;
}

static void op_frame_map(struct fuzzer *f, int s)
{
    struct mcap *c = &f->caps[s];
    struct mobj *o = &f->objs[c->obj];
    if (c->va)
        return;  // remapping is not modelled
    bool mega = o->bits == seL4_LargePageBits;
    int r = mega ? 4 + fz_rnd(f) % 4 : fz_rnd(f) % 4, p = mega ? 0 : fz_rnd(f) % FZ_PAGES;
    bool reachable = f->l1 >= 0 && (mega || f->l2[r] >= 0);
    seL4_Error want = !reachable                  ? seL4_FailedLookup
                      : f->page_obj[r][p] >= 0    ? seL4_DeleteFirst
                                                  : seL4_NoError;
    seL4_Error e = seL4_RISCV_Page_Map(s, FZ_VSPACE, page_va(f, r, p), seL4_ReadWrite,
                                       seL4_RISCV_ExecuteNever);
    fz_count(f, e);
    if (!o->unsure && !c->unsure && !f->vm_unsure)
        fz_expect(f, "Page_Map", want, e);
    if (e != seL4_NoError || want != seL4_NoError)
        return;
    c->va = page_va(f, r, p);
    f->page_obj[r][p] = c->obj;
    // The frame's contents: zero when new, else what was last written through any map.
    volatile seL4_Word *w = (volatile seL4_Word *)c->va;
    if (!o->unsure)
        fz_expect(f, "frame contents read through a new mapping", o->pattern, w[o->bits == 12 ? 7 : 4099]);
    o->pattern = fz_rnd(f) | 1;
    w[o->bits == 12 ? 7 : 4099] = o->pattern;
}

static void op_frame_unmap(struct fuzzer *f, int s)
{
    struct mcap *c = &f->caps[s];
    seL4_Error e = seL4_RISCV_Page_Unmap(s);
    fz_count(f, e);
    fz_expect(f, "Page_Unmap", seL4_NoError, e);
    for (int r = 0; r < FZ_REGIONS; r++)
        for (int p = 0; p < FZ_PAGES; p++)
            if (c->va == page_va(f, r, p) && f->page_obj[r][p] == c->obj)
                f->page_obj[r][p] = -1;
    c->va = 0;
}

// A frame's contents are the model's only for frames it made (retyped memory is
// zeroed); others are left alone.
bool fz_vm_step(struct fuzzer *f)
{
    bool pt = fz_rnd(f) % 3 == 0;
    int s = fz_pick(f, pt ? seL4_CapTag_PageTable : seL4_CapTag_Frame);
    if (s < 0 || f->caps[s].obj < 0)
        return false;
    if (pt)
        (fz_rnd(f) % 3 ? op_pt_map : op_pt_unmap)(f, s);
    else
        (fz_rnd(f) % 3 ? op_frame_map : op_frame_unmap)(f, s);
    return true;
}
