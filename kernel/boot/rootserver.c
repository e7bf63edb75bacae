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
#include "cdt.h"
#include "objecttype.h"
#include <sel4/bootinfo_types.h>
#include <sel4/objecttype.h>

#define IT_ASID 1  // seL4 gives the root task ASID 1 in the first pool

extern char kernel_image_end[];  // linker.ld

struct region_list boot_free;
static struct region_list boot_devices;

// seL4's arch_init_freemem and the device half of create_untypeds, on the runtime DTB:
// what is free RAM and what becomes device untypeds (docs/boot.md).
void boot_mem_init(const struct user_image *ui, const struct fdt_info *fdt)
{
    struct boot_images img = {
        .kernel = {KERNEL_ELF_PADDR, kpptr_to_paddr(kernel_image_end)},
        .user = {ROUND_DOWN(ui->p_start, PAGE_BITS), ROUND_UP(ui->p_end, PAGE_BITS)},
        .dtb = {ui->dtb, ui->dtb + ui->dtb_size},
    };
    struct region_list avail;
    // A full list would lose memory silently: refuse to boot instead.
    if (!avail_ram(fdt, PADDR_TOP, &avail) || !free_ram(&avail, &img, &boot_free) ||
        !device_regions(fdt, &avail, &img, &boot_devices))
        panic("boot: too many memory regions");
}

// seL4 allocates the root task's objects from one block (rootserver_mem) at the top of
// the highest free region that holds it, aligned to the largest object; boot_alloc
// hands them out in order from there.
static struct region rs_mem;

void *boot_alloc(unsigned bits)
{
    paddr_t p = rs_mem.start;
    if (p % BIT(bits) || p + BIT(bits) > rs_mem.end)
        panic("boot: root task object of 2^%u bytes does not fit", bits);
    rs_mem.start += BIT(bits);
    void *ptr = paddr_to_pptr(p);
    memset(ptr, 0, BIT(bits));
    return ptr;
}

static void reserve_rootserver_mem(word_t size, unsigned align_bits)
{
    for (int i = boot_free.n - 1; i >= 0; i--) {
        struct region r = boot_free.r[i];
        if (r.end - r.start < size)
            continue;
        paddr_t start = ROUND_DOWN(r.end - size, align_bits);
        if (start < r.start)
            continue;
        rs_mem = (struct region){start, start + size};
        if (!region_list_remove(&boot_free, start, start + size))
            panic("boot: too many memory regions");
        return;
    }
    panic("boot: no free region holds the root task's 0x%lx bytes", size);
}

// seL4's get_n_paging: tables of one level covering [start, end).
static word_t n_paging(vptr_t start, vptr_t end, unsigned span_bits)
{
    return (ROUND_UP(end, span_bits) - ROUND_DOWN(start, span_bits)) >> span_bits;
}

// seL4's calculate_extra_bi_size_bits: the extra boot info block is a power of two.
static unsigned extra_bi_bits(word_t size)
{
    if (size == 0)
        return 0;
    unsigned msb = 63 - __builtin_clzl(ROUND_UP(size, PAGE_BITS));
    return size > BIT(msb) ? msb + 1 : msb;
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
    cte_set_original(&rs->cnode[slot], c);
}

static word_t next_slot(struct rootserver *rs, struct cap c)
{
    provide_cap(rs, rs->next_slot, c);
    return rs->next_slot++;
}

static pte_t *no_table(void)
{
    panic("boot: a root task page table was not preallocated");
}

static void map_frame(struct rootserver *rs, vptr_t v, paddr_t p)
{
    vspace_map_boot(rs->vspace, v, p, PTE_R | PTE_W | PTE_X | PTE_U, no_table);
}

// seL4's create_it_address_space: every table covering the root task's region, the
// 1 GiB-span ones first, each with a cap (userImagePaging), before any frame is mapped.
static void create_paging(struct rootserver *rs, vptr_t start, vptr_t end, uint8_t *tables)
{
    for (int level = 2; level > 0; level--) {
        unsigned span = 12 + 9 * level;
        for (vptr_t v = ROUND_DOWN(start, span); v < end; v += BIT(span)) {
            pte_t *pt = rs->vspace;
            for (int l = 2; l > level; l--)
                pt = paddr_to_pptr(pte_paddr(pt[pt_index(v, l)]));
            paddr_t p = pptr_to_paddr(tables);
            tables += BIT(seL4_PageTableBits);
            pt[pt_index(v, level)] = pte_table(p);
            next_slot(rs, cap_page_table_new(p, true, IT_ASID, v));
        }
    }
}

static void provide_untypeds(struct rootserver *rs)
{
    int dropped;
    int n = build_untyped_list(&boot_free, &boot_devices, rs->bi->untypedList,
                               seL4_MaxUntypedBootInfo, &dropped);
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

static struct tcb *create_thread(struct rootserver *rs, const struct user_image *ui, uint8_t *obj,
                                 vptr_t ipcbuf, vptr_t bi_vptr)
{
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
    (void)fdt;
    struct rootserver rs = {0};
    vptr_t v_start = ROUND_DOWN(ui->p_start - ui->pv_offset, PAGE_BITS);
    vptr_t v_end = ROUND_UP(ui->p_end - ui->pv_offset, PAGE_BITS);
    vptr_t ipcbuf = v_end, bi_vptr = ipcbuf + PAGE_SIZE, extra_vptr = bi_vptr + PAGE_SIZE;
    // As seL4: the extra boot info is the DTB chunk, exactly; its block (and the
    // region the page tables cover) is the next power of two.
    word_t extra_len = ui->dtb_size ? sizeof(seL4_BootInfoHeader) + ui->dtb_size : 0;
    unsigned extra_bits = extra_bi_bits(extra_len);
    vptr_t it_end = extra_vptr + (extra_len ? BIT(extra_bits) : 0);
    if (it_end >= USER_TOP || v_start == 0)
        panic("boot: user image [%lx, %lx) does not fit the user address space", v_start, it_end);

    // seL4's calculate_rootserver_size and create_rootserver_objects, in its order.
    const unsigned cnode_bits = ROOT_CNODE_BITS + seL4_SlotBits;
    word_t tables = n_paging(v_start, it_end, 30) + n_paging(v_start, it_end, 21);
    word_t size = BIT(cnode_bits) + BIT(seL4_TCBBits) + 3 * PAGE_SIZE + BIT(seL4_PageTableBits) +
                  (extra_len ? BIT(extra_bits) : 0) + tables * BIT(seL4_PageTableBits);
    unsigned max_bits = MAX(MAX(cnode_bits, (unsigned)seL4_PageTableBits), extra_bits);
    reserve_rootserver_mem(size, max_bits);
    uint8_t *extra = NULL;
    if (extra_len && extra_bits >= max_bits)
        extra = boot_alloc(extra_bits);
    if (cnode_bits > seL4_PageTableBits) {
        rs.cnode = boot_alloc(cnode_bits);
        if (extra_len && !extra && extra_bits >= seL4_PageTableBits)
            extra = boot_alloc(extra_bits);
        rs.vspace = boot_alloc(seL4_PageTableBits);
    } else {
        rs.vspace = boot_alloc(seL4_PageTableBits);
        if (extra_len && !extra && extra_bits >= cnode_bits)
            extra = boot_alloc(extra_bits);
        rs.cnode = boot_alloc(cnode_bits);
    }
    if (extra_len && !extra)
        extra = boot_alloc(extra_bits);
    struct asid_pool *pool = boot_alloc(seL4_ASIDPoolBits);
    paddr_t ipcbuf_p = pptr_to_paddr(boot_alloc(PAGE_BITS));
    rs.bi = boot_alloc(PAGE_BITS);
    uint8_t *paging = (uint8_t *)paddr_to_pptr(rs_mem.start);  // the tables are contiguous
    for (word_t i = 0; i < tables; i++)
        boot_alloc(seL4_PageTableBits);
    uint8_t *tcb_obj = boot_alloc(seL4_TCBBits);

    provide_cap(&rs, seL4_CapInitThreadCNode,
                cap_cnode_new(pptr_to_paddr(rs.cnode), ROOT_CNODE_BITS,
                              seL4_WordBits - ROOT_CNODE_BITS, 0));
    rs.next_slot = seL4_NumInitialCaps;
    provide_cap(&rs, seL4_CapIRQControl, cap_simple_new(cap_irq_control));
    provide_cap(&rs, seL4_CapASIDControl, cap_simple_new(cap_asid_control));
    provide_cap(&rs, seL4_CapDomain, cap_simple_new(cap_domain));

    // VSpace and ASID pool: the root table gets ASID 1 of pool 0.
    vspace_copy_kernel(rs.vspace);
    provide_cap(&rs, seL4_CapInitThreadVSpace,
                cap_page_table_new(pptr_to_paddr(rs.vspace), true, IT_ASID, 0));
    pool->entries[IT_ASID] = rs.vspace;
    asid_table[0] = pool;
    provide_cap(&rs, seL4_CapInitThreadASIDPool, cap_asid_pool_new(pptr_to_paddr(pool), 0));

    seL4_BootInfo *bi = rs.bi;
    bi->userImagePaging.start = rs.next_slot;
    create_paging(&rs, v_start, it_end, paging);
    bi->userImagePaging.end = rs.next_slot;

    map_frame(&rs, bi_vptr, pptr_to_paddr(rs.bi));
    provide_cap(&rs, seL4_CapBootInfoFrame,
                cap_frame_new(pptr_to_paddr(rs.bi), FRAME_4K, VM_READ_WRITE, false, IT_ASID, bi_vptr));

    // Extra boot info: the DTB as one chunk, mapped page by page (seL4 maps only the
    // pages the chunk touches, not the whole block).
    if (extra_len) {
        seL4_BootInfoHeader h = {SEL4_BOOTINFO_HEADER_FDT, extra_len};
        memcpy(extra, &h, sizeof(h));
        memcpy(extra + sizeof(h), paddr_to_pptr(ui->dtb), ui->dtb_size);
    }
    bi->extraBIPages.start = rs.next_slot;
    for (word_t off = 0; off < extra_len; off += PAGE_SIZE) {
        paddr_t p = pptr_to_paddr(extra + off);
        map_frame(&rs, extra_vptr + off, p);
        next_slot(&rs, cap_frame_new(p, FRAME_4K, VM_READ_WRITE, false, IT_ASID, extra_vptr + off));
    }
    bi->extraBIPages.end = rs.next_slot;

    map_frame(&rs, ipcbuf, ipcbuf_p);
    provide_cap(&rs, seL4_CapInitThreadIPCBuffer,
                cap_frame_new(ipcbuf_p, FRAME_4K, VM_READ_WRITE, false, IT_ASID, ipcbuf));

    bi->userImageFrames.start = rs.next_slot;
    for (vptr_t v = v_start; v < v_end; v += PAGE_SIZE) {
        map_frame(&rs, v, v + ui->pv_offset);
        next_slot(&rs, cap_frame_new(v + ui->pv_offset, FRAME_4K, VM_READ_WRITE, false, IT_ASID, v));
    }
    bi->userImageFrames.end = rs.next_slot;

    struct tcb *t = create_thread(&rs, ui, tcb_obj, ipcbuf, bi_vptr);

    bi->extraLen = extra_len;
    bi->nodeID = 0;
    bi->numNodes = num_nodes;
    bi->numIOPTLevels = 0;
    bi->ipcBuffer = (struct seL4_IPCBuffer_ *)ipcbuf;
    bi->initThreadCNodeSizeBits = ROOT_CNODE_BITS;
    bi->initThreadDomain = 0;
    provide_untypeds(&rs);
    bi->empty.start = rs.next_slot;
    bi->empty.end = BIT(ROOT_CNODE_BITS);
    return t;
}
