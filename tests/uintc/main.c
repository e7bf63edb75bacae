// The uintc test program's boot hart: reads the DTB (harts, bootargs, the UINTC node),
// starts the other harts, runs the selected tests in ID order and reports TAP:
// "1..N", one "ok K - ID description" line per test, "# aL4 SUITE: P passed, F failed",
// then powers the machine off through SBI SRST.
//
// bootargs: "harts=N" (the harness's hart count; the DTB is authoritative) and
// optionally "TEST=P1,P2,..." (run the tests whose ID starts with one of these).
#include "test.h"
#include "fdt.h"

#ifndef SUITE_NAME
#error "SUITE_NAME: the suite's name for the closing line"
#endif

extern const struct test __start_uintc_tests[], __stop_uintc_tests[];
void boot_main(unsigned long hartid, const void *dtb);
void start_harts(void);

unsigned long boot_hartid;
unsigned long hart_ids[MAX_HARTS];
int n_harts;
unsigned long timebase_hz;
uintptr_t uintc_base;
uint64_t uintc_size;
int checks_failed;

static struct fdt_info fdt;
static char filter[128];

unsigned long timeout_ticks(void)
{
    return 2 * timebase_hz;
}

void check_failed(const char *file, int line, const char *what)
{
    checks_failed++;
    pr("# %s:%d: check failed: %s\n", file, line, what);
}

bool check_eq(const char *file, int line, const char *what, unsigned long got,
              unsigned long want)
{
    if (got == want)
        return true;
    checks_failed++;
    pr("# %s:%d: %s: got %lx, want %lx\n", file, line, what, got, want);
    return false;
}

// Copies the value of "key=" from the command line into out (empty if absent).
static void bootarg(const char *args, const char *key, char *out, size_t cap)
{
    size_t klen = 0, n = 0;
    out[0] = 0;
    while (key[klen])
        klen++;
    for (const char *p = args; p && *p; p++) {
        if (p != args && p[-1] != ' ')
            continue;
        size_t i = 0;
        while (i < klen && p[i] == key[i])
            i++;
        if (i < klen || p[klen] != '=')
            continue;
        for (p += klen + 1; *p && *p != ' ' && n + 1 < cap; p++)
            out[n++] = *p;
        out[n] = 0;
        return;
    }
}

static bool starts_with(const char *s, const char *prefix, size_t plen)
{
    for (size_t i = 0; i < plen; i++)
        if (s[i] != prefix[i])
            return false;
    return true;
}

static bool selected(const struct test *t)
{
    if (!filter[0])
        return true;
    const char *p = filter;
    while (*p) {
        size_t n = 0;
        while (p[n] && p[n] != ',')
            n++;
        if (n && starts_with(t->id, p, n))
            return true;
        p += n + (p[n] == ',');
    }
    return false;
}

static void read_machine(const void *dtb)
{
    char harts_arg[8];
    int err = fdt_parse(dtb, fdt_totalsize(dtb), &fdt);
    if (err)
        pr("# DTB unreadable (%d)\n", err);
    bootarg(fdt.bootargs, "TEST", filter, sizeof(filter));
    bootarg(fdt.bootargs, "harts", harts_arg, sizeof(harts_arg));
    for (int i = 0; i < fdt.n_harts && n_harts < MAX_HARTS; i++)
        hart_ids[n_harts++] = fdt.harts[i];
    int want = 0;
    for (const char *p = harts_arg; *p >= '0' && *p <= '9'; p++)
        want = want * 10 + (*p - '0');
    if (harts_arg[0] && want != n_harts)
        pr("# bootargs say harts=%s, the DTB lists %d\n", harts_arg, n_harts);
    timebase_hz = fdt.timebase_hz ? fdt.timebase_hz : 10000000;
    const struct fdt_device *d = fdt_find_compatible(&fdt, "riscv,uintc0");
    if (d) {
        uintc_base = d->reg.base;
        uintc_size = d->reg.size;
    }
}

void boot_main(unsigned long hartid, const void *dtb)
{
    struct hart *h = &harts[hartid];
    __asm__ volatile("mv tp, %0" : : "r"(h));
    h->hartid = boot_hartid = hartid;
    (void)h;
    csr_write(scounteren, 7);
    read_machine(dtb);
    start_harts();

    int planned = 0, k = 0, passed = 0, failed = 0;
    for (const struct test *t = __start_uintc_tests; t < __stop_uintc_tests; t++)
        planned += selected(t);
    pr("1..%d\n", planned);
    for (const struct test *t = __start_uintc_tests; t < __stop_uintc_tests; t++) {
        if (!selected(t))
            continue;
        k++;
        if (n_harts < t->min_harts) {
            pr("ok %d - %s %s # SKIP needs %d harts, %d booted\n", k, t->id, t->desc,
               t->min_harts, n_harts);
            passed++;
            continue;
        }
        reset_records();
        reset_machine_state();
        checks_failed = 0;
        t->fn();
        for (int i = 0; i < n_harts; i++) {
            struct hart *o = &harts[hart_ids[i]];
            if (!o->unexpected)
                continue;
            pr("# hart %lu: unexpected trap from U: cause %lx epc %lx tval %lx\n",
               o->hartid, o->unexpected_cause, o->unexpected_epc, o->unexpected_tval);
            checks_failed++;
        }
        bool ok = checks_failed == 0;
        pr("%s %d - %s %s\n", ok ? "ok" : "not ok", k, t->id, t->desc);
        ok ? passed++ : failed++;
    }
    reset_machine_state();
    pr("# aL4 %s: %d passed, %d failed\n", SUITE_NAME, passed, failed);
    sbi_shutdown();
}
