// The project's image loader: does what seL4_tools' RISC-V elfloader does, and no
// more, so that every test boot goes through the hand-off seL4 gets. It copies the
// kernel ELF to its physical load address, the user image and the DTB after it, maps
// only what the elfloader maps (itself, identity, and the kernel ELF's gigabyte at its
// virtual address; nothing of the kernel's physical-memory window), and enters the
// kernel on every hart it starts with
//   a0 = user image physical start, a1 = physical end, a2 = physical minus virtual,
//   a3 = user entry, a4 = DTB physical address, a5 = DTB size,
//   a6 = hart id, a7 = logical core id (0 on the boot hart).
// In an SMP build (CONFIG_MAX_NUM_NODES > 1) it starts harts FIRST_HART_ID + i,
// i < CONFIG_MAX_NUM_NODES, through SBI HSM, and all of them enter the kernel
// together once each has reported ready (the elfloader's set_and_wait_for_ready).
#include <stdint.h>
#include <stddef.h>
#include "loader.h"

#define PAGE 4096ul
#define MEGA (1ul << 21)
#define GIG (1ul << 30)
#define ROUND_UP(x, a) (((x) + (a) - 1) & ~((a) - 1))
#define ROUND_DOWN(x, a) ((x) & ~((a) - 1))
#define PTE_V 1ul
#define PTE_SRWX 0xCEul  // R, W, X, accessed, dirty: the elfloader's leaves (no G, no U)

extern const uint8_t kernel_elf[], kernel_elf_end[], user_elf[], user_elf_end[];
extern char loader_start[], loader_end[];
extern char secondary_entry[];
extern uint64_t handed_over;  // 1 + the id of the hart OpenSBI picked, when it handed over
void loader_main(uint64_t hartid, uint64_t dtb);
void loader_secondary(uint64_t hartid, uint64_t core);
__attribute__((noreturn)) void enter_kernel(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
                                            uint64_t a4, uint64_t a5, uint64_t hartid,
                                            uint64_t core);
uint64_t loader_satp, kernel_entry;

// The elfloader's three tables: the root, and one second-level table each for the
// loader's own gigabyte and the kernel's, filled with 2 MiB leaves.
static uint64_t l1pt[512] __attribute__((aligned(4096)));
static uint64_t l2pt_loader[512] __attribute__((aligned(4096)));
static uint64_t l2pt_kernel[512] __attribute__((aligned(4096)));

// What every hart hands the kernel in a0..a5.
static uint64_t handoff[6];
// Harts gathered before any enters the kernel; `go` is set once the images are in
// place and `expected` is final.
static int go, expected, ready, print_lock;
static uint64_t core_hart[CONFIG_MAX_NUM_NODES];

struct elf64_ehdr {
    uint8_t ident[16];
    uint16_t type, machine;
    uint32_t version;
    uint64_t entry, phoff, shoff;
    uint32_t flags;
    uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};
struct elf64_phdr {
    uint32_t type, flags;
    uint64_t offset, vaddr, paddr, filesz, memsz, align;
};
#define PT_LOAD 1

static void putc_sbi(char c)
{
    register uint64_t a0 asm("a0") = (uint8_t)c;
    register uint64_t a7 asm("a7") = 1;
    asm volatile("ecall" : "+r"(a0) : "r"(a7) : "memory", "a1");
}

static void puts_sbi(const char *s)
{
    while (*s)
        putc_sbi(*s++);
}

static void putdec(uint64_t v)
{
    if (v >= 10)
        putdec(v / 10);
    putc_sbi('0' + v % 10);
}

static void puthex(uint64_t v)
{
    puts_sbi("0x");
    for (int i = 60; i >= 0; i -= 4)
        putc_sbi("0123456789abcdef"[(v >> i) & 15]);
}

__attribute__((noreturn)) static void fail(const char *why)
{
    puts_sbi("loader: ");
    puts_sbi(why);
    puts_sbi("\n");
    // SBI SRST shutdown, so that a broken image ends the QEMU run instead of hanging.
    register uint64_t a0 asm("a0") = 0, a1 asm("a1") = 0;
    register uint64_t a6 asm("a6") = 0, a7 asm("a7") = 0x53525354;
    asm volatile("ecall" : "+r"(a0), "+r"(a1) : "r"(a6), "r"(a7) : "memory");
    for (;;)
        asm volatile("wfi");
}

static void copy(uint8_t *dst, const uint8_t *src, uint64_t n)
{
    while (n--)
        *dst++ = *src++;
}

static void zero(uint8_t *dst, uint64_t n)
{
    while (n--)
        *dst++ = 0;
}

static const struct elf64_ehdr *check_elf(const uint8_t *img, const uint8_t *end)
{
    const struct elf64_ehdr *e = (const void *)img;
    if ((uint64_t)(end - img) < sizeof(*e) || img[0] != 0x7f || img[1] != 'E' ||
        img[2] != 'L' || img[3] != 'F' || img[4] != 2 || e->machine != 243)
        fail("embedded image is not a RISC-V ELF64 file");
    if (e->phoff + (uint64_t)e->phnum * sizeof(struct elf64_phdr) > (uint64_t)(end - img))
        fail("ELF program headers out of bounds");
    return e;
}

static const struct elf64_phdr *phdr(const struct elf64_ehdr *e, int i)
{
    return (const void *)((const uint8_t *)e + e->phoff + i * sizeof(struct elf64_phdr));
}

// Refuses a destination that would overwrite the loader while it runs.
static void check_dest(uint64_t dst, uint64_t size)
{
    uint64_t lo = (uint64_t)(uintptr_t)loader_start, hi = (uint64_t)(uintptr_t)loader_end;
    if (dst < hi && dst + size > lo)
        fail("image overlaps the loader: raise LOADER_PADDR in the board's board.mk");
}

// Copies PT_LOAD segments to (vaddr + bias), or to paddr when use_paddr. Returns the
// end of the highest segment.
static uint64_t load_segments(const struct elf64_ehdr *e, uint64_t size, uint64_t bias,
                              int use_paddr)
{
    uint64_t top = 0;
    for (int i = 0; i < e->phnum; i++) {
        const struct elf64_phdr *p = phdr(e, i);
        if (p->type != PT_LOAD || p->memsz == 0)
            continue;
        if (p->offset + p->filesz > size || p->filesz > p->memsz)
            fail("ELF segment out of bounds");
        uint64_t dst = use_paddr ? p->paddr : p->vaddr + bias;
        check_dest(dst, p->memsz);
        copy((uint8_t *)dst, (const uint8_t *)e + p->offset, p->filesz);
        zero((uint8_t *)dst + p->filesz, p->memsz - p->filesz);
        if (dst + p->memsz > top)
            top = dst + p->memsz;
    }
    return top;
}

static void vrange(const struct elf64_ehdr *e, uint64_t *lo, uint64_t *hi)
{
    *lo = ~0ul;
    *hi = 0;
    for (int i = 0; i < e->phnum; i++) {
        const struct elf64_phdr *p = phdr(e, i);
        if (p->type != PT_LOAD || p->memsz == 0)
            continue;
        if (p->vaddr < *lo)
            *lo = p->vaddr;
        if (p->vaddr + p->memsz > *hi)
            *hi = p->vaddr + p->memsz;
    }
    if (*hi == 0)
        fail("user image has no loadable segment");
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void lock(void)
{
    while (__atomic_exchange_n(&print_lock, 1, __ATOMIC_ACQUIRE))
        ;
}

static void unlock(void)
{
    __atomic_store_n(&print_lock, 0, __ATOMIC_RELEASE);
}

static long sbi_hart_start(uint64_t hartid, uint64_t start, uint64_t opaque)
{
    register uint64_t a0 asm("a0") = hartid, a1 asm("a1") = start, a2 asm("a2") = opaque;
    register uint64_t a6 asm("a6") = 0, a7 asm("a7") = SBI_EXT_HSM;
    asm volatile("ecall" : "+r"(a0), "+r"(a1) : "r"(a2), "r"(a6), "r"(a7) : "memory");
    return (long)a0;
}

// seL4_tools' map_kernel_window: 2 MiB leaves from the start of each image (rounded
// down to 2 MiB) to the end of its gigabyte, the loader at its physical address and
// the kernel at its virtual one.
static void map_range(uint64_t *l2, uint64_t vstart, uint64_t pstart)
{
    l1pt[(vstart >> 30) & 511] = ((uint64_t)(uintptr_t)l2 >> 12) << 10 | PTE_V;
    uint64_t p = ROUND_DOWN(pstart, MEGA);
    for (unsigned i = (vstart >> 21) & 511; i < 512; i++, p += MEGA)
        l2[i] = (p >> 12) << 10 | PTE_SRWX | PTE_V;
}

static void prange(const struct elf64_ehdr *e, uint64_t *vlo, uint64_t *plo)
{
    *vlo = *plo = ~0ul;
    for (int i = 0; i < e->phnum; i++) {
        const struct elf64_phdr *p = phdr(e, i);
        if (p->type != PT_LOAD || p->memsz == 0)
            continue;
        if (p->vaddr < *vlo)
            *vlo = p->vaddr;
        if (p->paddr < *plo)
            *plo = p->paddr;
    }
}

static void send_ipi(uint64_t hartid)
{
    register uint64_t a0 asm("a0") = 1, a1 asm("a1") = hartid;  // mask 1 from base hartid
    register uint64_t a6 asm("a6") = 0, a7 asm("a7") = SBI_EXT_IPI;
    asm volatile("ecall" : "+r"(a0), "+r"(a1) : "r"(a6), "r"(a7) : "memory");
}

// Waits until *v >= value, asleep: under QEMU -icount harts run in turn, and a hart
// spinning on another can keep it from ever running. Whoever raises *v sends an IPI.
static void wait_for(int *v, int value)
{
    asm volatile("csrs sie, %0" : : "r"(SIE_SSIE));
    for (;;) {
        asm volatile("csrc sip, %0" : : "r"(SIE_SSIE));
        if (__atomic_load_n(v, __ATOMIC_ACQUIRE) >= value)
            break;
        asm volatile("wfi");
    }
    asm volatile("csrc sie, %0" : : "r"(SIE_SSIE));
}

// Every hart that will enter the kernel reports ready, then waits for the others
// (the elfloader spins; see wait_for). The last one wakes the rest.
static void set_and_wait_for_ready(uint64_t hartid, uint64_t core)
{
    lock();
    puts_sbi("aL4 loader: hart ");
    putdec(hartid);
    puts_sbi(" is core ");
    putdec(core);
    puts_sbi("\n");
    unlock();
    core_hart[core] = hartid;
    if (__atomic_add_fetch(&ready, 1, __ATOMIC_ACQ_REL) < expected) {
        wait_for(&ready, expected);
        return;
    }
    for (int c = 0; c < expected; c++)
        if (c != (int)core)
            send_ipi(core_hart[c]);
}

void loader_secondary(uint64_t hartid, uint64_t core)
{
    wait_for(&go, 1);
    set_and_wait_for_ready(hartid, core);
    enter_kernel(handoff[0], handoff[1], handoff[2], handoff[3], handoff[4], handoff[5], hartid,
                 core);
}

void loader_main(uint64_t hartid, uint64_t dtb)
{
    puts_sbi("aL4 loader: hart ");
    putdec(hartid);
    puts_sbi(", DTB at ");
    puthex(dtb);
    puts_sbi("\n");

    const struct elf64_ehdr *k = check_elf(kernel_elf, kernel_elf_end);
    uint64_t kend = load_segments(k, kernel_elf_end - kernel_elf, 0, 1);

    const struct elf64_ehdr *u = check_elf(user_elf, user_elf_end);
    uint64_t vlo, vhi;
    vrange(u, &vlo, &vhi);
    vlo = ROUND_DOWN(vlo, PAGE);
    uint64_t ui_start = ROUND_UP(kend, PAGE);
    uint64_t bias = ui_start - vlo;  // physical minus virtual
    load_segments(u, user_elf_end - user_elf, bias, 0);
    uint64_t ui_end = ROUND_UP(vhi, PAGE) + bias;

    if (be32((const uint8_t *)dtb) != 0xd00dfeed)
        fail("no DTB from the firmware");
    uint64_t dtb_size = be32((const uint8_t *)dtb + 4);
    uint64_t dtb_dst = ui_end;
    check_dest(dtb_dst, dtb_size);
    copy((uint8_t *)dtb_dst, (const uint8_t *)dtb, dtb_size);

    uint64_t kv, kp;
    prange(k, &kv, &kp);
    if (((uint64_t)(uintptr_t)loader_start >> 30) == ((kv >> 30) & 511))
        fail("the loader's gigabyte and the kernel's share a root entry");
    map_range(l2pt_loader, (uint64_t)(uintptr_t)loader_start, (uint64_t)(uintptr_t)loader_start);
    map_range(l2pt_kernel, kv, kp);
    loader_satp = 8ul << 60 | (uint64_t)(uintptr_t)l1pt >> 12;
    kernel_entry = k->entry;
    handoff[0] = ui_start;
    handoff[1] = ui_end;
    handoff[2] = bias;
    handoff[3] = u->entry;
    handoff[4] = dtb_dst;
    handoff[5] = dtb_size;

    // The elfloader starts every hart up to CONFIG_MAX_NUM_NODES itself; it waits for
    // all of them, this loader for the ones SBI agreed to start (and the lottery winner
    // that handed the boot over), so a machine with fewer harts still boots.
    uint64_t started[CONFIG_MAX_NUM_NODES + 1];
    int n = 0;
    if (CONFIG_MAX_NUM_NODES > 1 && handed_over)
        started[n++] = handed_over - 1;
    for (uint64_t i = 0; i < CONFIG_MAX_NUM_NODES; i++) {
        uint64_t h = FIRST_HART_ID + i;
        if (h == hartid)
            continue;
        long err = sbi_hart_start(h, (uint64_t)(uintptr_t)secondary_entry, 0);
        if (err == 0) {
            started[n++] = h;
        } else if (err != -6) {  // SBI_ERR_ALREADY_AVAILABLE: the hart that handed over
            lock();
            puts_sbi("aL4 loader: no hart ");
            putdec(h);
            puts_sbi("\n");
            unlock();
        }
    }
    // Core ids go by arrival: harts past CONFIG_MAX_NUM_NODES stop instead.
    expected = n + 1 < CONFIG_MAX_NUM_NODES ? n + 1 : CONFIG_MAX_NUM_NODES;
    __atomic_store_n(&go, 1, __ATOMIC_RELEASE);
    for (int i = 0; i < n; i++)
        send_ipi(started[i]);  // those already waiting for `go`
    set_and_wait_for_ready(hartid, 0);
    enter_kernel(ui_start, ui_end, bias, u->entry, dtb_dst, dtb_size, hartid, 0);
}
