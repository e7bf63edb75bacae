// Builds the root task exactly as seL4 hands it over (sel4-abi.md, "Boot info and the
// root task"): its CNode with the initial caps, its VSpace holding the user image, the
// IPC buffer, the boot info page and the DTB as extra boot info, and its untypeds.
#include "boot.h"
#include "untyped_list.h"
#include "cap.h"
#include "tcb.h"
#include "sched.h"
#include "vspace.h"
#include "printf.h"
#include "string.h"
#include "hart.h"
#include "asid.h"
#include "plic.h"
#include "cdt.h"
#include "objecttype.h"
#include <sel4/bootinfo_types.h>
#include <sel4/objecttype.h>

#define IT_ASID 1  // seL4 gives the root task ASID 1 in the first pool
#define PHYS_TOP BIT(39)

struct region_list boot_free;

void *boot_alloc(unsigned bits)
{
    paddr_t p;
    if (!region_list_alloc(&boot_free, bits, &p))
        panic("boot: out of memory allocating 2^%u bytes", bits);
    void *ptr = paddr_to_pptr(p);
    memset(ptr, 0, BIT(bits));
    return ptr;
}

static pte_t *alloc_pt(void)
{
    return boot_alloc(seL4_PageTableBits);
}

struct rootserver {
    struct cte *cnode;
    word_t next_slot;
    seL4_BootInfo *bi;
    pte_t *vspace;
};

static void provide_cap(struct rootserver *rs, word_t slot, struct cap c)
{
    if (slot >= BIT(ROOT_CNODE_BITS))
        panic("boot: root CNode full");
    rs->cnode[slot].cap = c;
    rs->cnode[slot].mdb_prev = 0;
    rs->cnode[slot].mdb_next = MDB_REVOCABLE | MDB_FIRST_BADGED;
}

static word_t next_slot(struct rootserver *rs, struct cap c)
{
    provide_cap(rs, rs->next_slot, c);
    return rs->next_slot++;
}

static void map_frame(struct rootserver *rs, vptr_t v, paddr_t p)
{
    vspace_map_boot(rs->vspace, v, p, PTE_R | PTE_W | PTE_X | PTE_U, alloc_pt);
}

// Intermediate tables covering [start, end): one cap per table, as seL4's
// userImagePaging region lists them (level-1 tables, then level-0 tables).
static void provide_paging_caps(struct rootserver *rs, vptr_t start, vptr_t end)
{
    for (int level = 2; level > 0; level--) {
        unsigned span = 12 + 9 * level;
        for (vptr_t v = ROUND_DOWN(start, span); v < end; v += BIT(span)) {
            pte_t *pt = rs->vspace;
            for (int l = 2; l > level; l--)
                pt = paddr_to_pptr(pte_paddr(pt[pt_index(v, l)]));
            pte_t e = pt[pt_index(v, level)];
            next_slot(rs, cap_page_table_new(pte_paddr(e), true, IT_ASID, v));
        }
    }
}

static void provide_untypeds(struct rootserver *rs, const struct fdt_info *fdt)
{
    struct region_list devices;
    device_regions(fdt, PHYS_TOP, &devices);
    // The kernel keeps its own devices: no user may map the PLIC.
    if (plic_present())
        region_list_remove(&devices, plic_base(), plic_base() + plic_size());
    int dropped;
    int n = build_untyped_list(&boot_free, &devices, rs->bi->untypedList, seL4_MaxUntypedBootInfo,
                               &dropped);
    if (dropped)
        kprintf("aL4: %d untyped blocks dropped: the boot info holds %d\n", dropped,
                seL4_MaxUntypedBootInfo);
    rs->bi->untyped.start = rs->next_slot;
    for (int i = 0; i < n; i++) {
        seL4_UntypedDesc *d = &rs->bi->untypedList[i];
        next_slot(rs, cap_untyped_new(d->paddr, d->sizeBits, d->isDevice, 0));
    }
    rs->bi->untyped.end = rs->next_slot;
}

static struct tcb *create_thread(struct rootserver *rs, const struct user_image *ui,
                                 vptr_t ipcbuf, vptr_t bi_vptr)
{
    uint8_t *obj = boot_alloc(seL4_TCBBits);
    struct tcb *t = (struct tcb *)(obj + TCB_OFFSET);
    tcb_init(t, "rootserver");
    t->prio = t->mcp = seL4_MaxPrio;
    t->ipc_buffer = ipcbuf;
    t->ctx[CTX_PC] = ui->v_entry;
    t->ctx[CTX_A0] = bi_vptr;
    // As seL4's create_initial_thread: the TCB's copies are children of the initial
    // caps, so neither copy is ever the last cap to the root CNode or VSpace (replacing
    // them with TCB_SetSpace deletes only the copy), and the buffer copy is derived
    // (unmapped), so deleting it leaves the page mapped.
    struct cte *buf = &rs->cnode[seL4_CapInitThreadIPCBuffer];
    struct cap buf_copy;
    struct syscall_error err;
    if (derive_cap(buf, buf->cap, &buf_copy, &err) != seL4_NoError)
        panic("boot: cannot derive the IPC buffer cap");
    cte_insert(rs->cnode[seL4_CapInitThreadCNode].cap, &rs->cnode[seL4_CapInitThreadCNode],
               tcb_slot(t, TCB_CTABLE));
    cte_insert(rs->cnode[seL4_CapInitThreadVSpace].cap, &rs->cnode[seL4_CapInitThreadVSpace],
               tcb_slot(t, TCB_VTABLE));
    cte_insert(buf_copy, buf, tcb_slot(t, TCB_BUFFER));
    provide_cap(rs, seL4_CapInitThreadTCB, cap_thread_new(pptr_to_paddr(t)));
    tcb_setup_reply_master(t);
    tcb_set_state(t, THREAD_RUNNING);
    return t;
}

struct tcb *create_rootserver(const struct user_image *ui, const struct fdt_info *fdt)
{
    struct rootserver rs = {0};
    vptr_t v_start = ROUND_DOWN(ui->p_start - ui->pv_offset, PAGE_BITS);
    vptr_t v_end = ROUND_UP(ui->p_end - ui->pv_offset, PAGE_BITS);
    vptr_t ipcbuf = v_end, bi_vptr = ipcbuf + PAGE_SIZE, extra_vptr = bi_vptr + PAGE_SIZE;
    word_t extra_size = ROUND_UP(sizeof(seL4_BootInfoHeader) + ui->dtb_size, PAGE_BITS);
    vptr_t it_end = extra_vptr + extra_size;
    if (it_end > USER_TOP || v_start == 0)
        panic("boot: user image [%lx, %lx) does not fit the user address space", v_start, it_end);

    rs.cnode = boot_alloc(ROOT_CNODE_BITS + seL4_SlotBits);
    provide_cap(&rs, seL4_CapInitThreadCNode,
                cap_cnode_new(pptr_to_paddr(rs.cnode), ROOT_CNODE_BITS,
                              seL4_WordBits - ROOT_CNODE_BITS, 0));
    rs.next_slot = seL4_NumInitialCaps;
    provide_cap(&rs, seL4_CapIRQControl, cap_simple_new(cap_irq_control));
    provide_cap(&rs, seL4_CapASIDControl, cap_simple_new(cap_asid_control));
    provide_cap(&rs, seL4_CapDomain, cap_simple_new(cap_domain));

    // VSpace and ASID pool: the root table gets ASID 1 of pool 0.
    rs.vspace = alloc_pt();
    vspace_copy_kernel(rs.vspace);
    provide_cap(&rs, seL4_CapInitThreadVSpace,
                cap_page_table_new(pptr_to_paddr(rs.vspace), true, IT_ASID, 0));
    struct asid_pool *pool = boot_alloc(seL4_ASIDPoolBits);
    pool->entries[IT_ASID] = rs.vspace;
    asid_table[0] = pool;
    provide_cap(&rs, seL4_CapInitThreadASIDPool, cap_asid_pool_new(pptr_to_paddr(pool), 0));

    // Map everything first so the paging caps can list every table.
    for (vptr_t v = v_start; v < v_end; v += PAGE_SIZE)
        map_frame(&rs, v, v + ui->pv_offset);
    paddr_t ipcbuf_p = pptr_to_paddr(boot_alloc(PAGE_BITS));
    map_frame(&rs, ipcbuf, ipcbuf_p);
    rs.bi = boot_alloc(PAGE_BITS);
    map_frame(&rs, bi_vptr, pptr_to_paddr(rs.bi));
    paddr_t extra_p[64];
    if (extra_size / PAGE_SIZE > ARRAY_SIZE(extra_p))
        panic("boot: DTB of %lu bytes is too large", ui->dtb_size);
    for (word_t i = 0; i < extra_size / PAGE_SIZE; i++) {
        extra_p[i] = pptr_to_paddr(boot_alloc(PAGE_BITS));
        map_frame(&rs, extra_vptr + i * PAGE_SIZE, extra_p[i]);
    }

    provide_cap(&rs, seL4_CapBootInfoFrame,
                cap_frame_new(pptr_to_paddr(rs.bi), FRAME_4K, VM_READ_WRITE, false, IT_ASID, bi_vptr));
    provide_cap(&rs, seL4_CapInitThreadIPCBuffer,
                cap_frame_new(ipcbuf_p, FRAME_4K, VM_READ_WRITE, false, IT_ASID, ipcbuf));

    seL4_BootInfo *bi = rs.bi;
    bi->userImagePaging.start = rs.next_slot;
    provide_paging_caps(&rs, v_start, it_end);
    bi->userImagePaging.end = rs.next_slot;

    // Extra boot info: the DTB as one chunk, then padding to the end of the pages.
    bi->extraBIPages.start = rs.next_slot;
    for (word_t i = 0; i < extra_size / PAGE_SIZE; i++)
        next_slot(&rs, cap_frame_new(extra_p[i], FRAME_4K, VM_READ_WRITE, false, IT_ASID,
                                     extra_vptr + i * PAGE_SIZE));
    bi->extraBIPages.end = rs.next_slot;
    // The extra pages were allocated one by one; write through each page's window.
    uint8_t chunk[sizeof(seL4_BootInfoHeader)];
    seL4_BootInfoHeader h = {SEL4_BOOTINFO_HEADER_FDT, sizeof(h) + ui->dtb_size};
    memcpy(chunk, &h, sizeof(h));
    const uint8_t *dtb = paddr_to_pptr(ui->dtb);
    for (word_t off = 0; off < extra_size; off++) {
        uint8_t byte = 0;
        if (off < sizeof(h))
            byte = chunk[off];
        else if (off < sizeof(h) + ui->dtb_size)
            byte = dtb[off - sizeof(h)];
        ((uint8_t *)paddr_to_pptr(extra_p[off / PAGE_SIZE]))[off % PAGE_SIZE] = byte;
    }
    word_t used = ROUND_UP(sizeof(h) + ui->dtb_size, 3);
    if (used + sizeof(h) <= extra_size) {
        seL4_BootInfoHeader pad = {SEL4_BOOTINFO_HEADER_PADDING, extra_size - used};
        for (word_t i = 0; i < sizeof(pad); i++)
            ((uint8_t *)paddr_to_pptr(extra_p[(used + i) / PAGE_SIZE]))[(used + i) % PAGE_SIZE] =
                ((uint8_t *)&pad)[i];
    }

    bi->userImageFrames.start = rs.next_slot;
    for (vptr_t v = v_start; v < v_end; v += PAGE_SIZE)
        next_slot(&rs, cap_frame_new(v + ui->pv_offset, FRAME_4K, VM_READ_WRITE, false, IT_ASID, v));
    bi->userImageFrames.end = rs.next_slot;

    struct tcb *t = create_thread(&rs, ui, ipcbuf, bi_vptr);

    bi->extraLen = extra_size;
    bi->nodeID = 0;
    bi->numNodes = num_nodes;
    bi->numIOPTLevels = 0;
    bi->ipcBuffer = (struct seL4_IPCBuffer_ *)ipcbuf;
    bi->initThreadCNodeSizeBits = ROOT_CNODE_BITS;
    bi->initThreadDomain = 0;
    // Untypeds last: everything the kernel allocated above is no longer free.
    provide_untypeds(&rs, fdt);
    bi->empty.start = rs.next_slot;
    bi->empty.end = BIT(ROOT_CNODE_BITS);
    return t;
}
