// The project's image loader: does what seL4's elfloader does on RISC-V. It copies the
// kernel ELF to its physical load address, the user image and the DTB after it, turns
// on Sv39 with the kernel window and the kernel ELF mapped, and enters the kernel with
//   a0 = user image physical start, a1 = physical end, a2 = physical minus virtual,
//   a3 = user entry, a4 = DTB physical address, a5 = DTB size, a6 = hart id.
#include <stdint.h>
#include <stddef.h>

#define PPTR_BASE 0xFFFFFFC000000000ul
#define PAGE 4096ul
#define GIG (1ul << 30)
#define ROUND_UP(x, a) (((x) + (a) - 1) & ~((a) - 1))
#define ROUND_DOWN(x, a) ((x) & ~((a) - 1))
#define PTE_V 1ul
#define PTE_RWX 0xEul
#define PTE_AD 0xC0ul

extern const uint8_t kernel_elf[], kernel_elf_end[], user_elf[], user_elf_end[];
extern char loader_start[], loader_end[];
void loader_main(uint64_t hartid, uint64_t dtb);
__attribute__((noreturn)) void enter_kernel(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
                                            uint64_t a4, uint64_t a5, uint64_t a6, uint64_t entry);
uint64_t loader_satp;

static uint64_t root_pt[512] __attribute__((aligned(4096)));

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

void loader_main(uint64_t hartid, uint64_t dtb)
{
    puts_sbi("aL4 loader: hart ");
    puthex(hartid);
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

    // Sv39: the loader's gigabyte identity mapped, the kernel window over the first
    // 64 GiB of physical memory, and the kernel ELF's gigabyte at the top.
    uint64_t self = ROUND_DOWN((uint64_t)(uintptr_t)loader_start, GIG);
    root_pt[(self >> 30) & 511] = (self >> 12) << 10 | PTE_RWX | PTE_AD | PTE_V;
    for (uint64_t g = 0; g < 64; g++)
        root_pt[256 + g] = (g * GIG >> 12) << 10 | PTE_RWX | PTE_AD | PTE_V;
    uint64_t kgig = ROUND_DOWN(KERNEL_PADDR, GIG);
    root_pt[510] = (kgig >> 12) << 10 | PTE_RWX | PTE_AD | PTE_V;
    loader_satp = 8ul << 60 | (uint64_t)(uintptr_t)root_pt >> 12;

    enter_kernel(ui_start, ui_end, bias, u->entry, dtb_dst, dtb_size, hartid, k->entry);
}
