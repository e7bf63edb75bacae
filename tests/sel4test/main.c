// Test runner: the root task of the test image. Reads its selection from the kernel
// command line in the DTB (QEMU -append "TEST=ID[,ID...] harts=N"), runs the chosen
// tests in ID order, prints TAP, ends with one summary line and halts.
#include "test.h"
#include "helpers.h"
#include <al4/bootinfo.h>
#include <stdlib.h>
#include <string.h>

// The same runner drives the release suite (tests/release), which a debug build's
// closing line must not be mistaken for.
#ifdef CONFIG_DEBUG_BUILD
#define SUITE_NAME "sel4test"
#else
#define SUITE_NAME "release"
#endif

extern const struct test_case __start_al4_tests[], __stop_al4_tests[];

#define MAX_TESTS 512
static const struct test_case *tests[MAX_TESTS];
static struct env env;
static char filter[256];

void test_failed(struct env *e, const char *file, int line, const char *what)
{
    printf("# %s:%d: check failed: %s\n", file, line, what);
    e->failures++;
}

// A test is selected when one comma-separated token of the filter is a prefix of its
// ID: TEST=IPC0001 runs one test, TEST=SYSCALL a whole group.
static bool selected(const char *id)
{
    if (!filter[0])
        return true;
    for (const char *p = filter; *p;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len && strncmp(id, p, len) == 0)
            return true;
        p += len + (end ? 1 : 0);
    }
    return false;
}

// The console text a fatal test must produce, one "# expect: " line per line ('*'
// stands for hex digits); the harness matches it against what follows "# go".
static void announce_expect(const char *expect, bool fatal)
{
    for (const char *p = expect; *p;) {
        const char *end = strchr(p, '\n');
        int len = end ? (int)(end - p) : (int)strlen(p);
        printf("# expect: %.*s\n", len, p);
        p += len + (end ? 1 : 0);
    }
    printf("# go %s\n", fatal ? "fatal" : "console");
}

// The end of a run: the machine halts in debug builds. A release build has no
// DebugHalt: the root task stops and the harness ends QEMU after the closing line.
static __attribute__((noreturn)) void halt(void)
{
#ifdef CONFIG_DEBUG_BUILD
    seL4_DebugHalt();
#endif
    for (;;)
        seL4_TCB_Suspend(seL4_CapInitThreadTCB);
}

static int by_id(const void *a, const void *b)
{
    return strcmp((*(const struct test_case *const *)a)->id,
                  (*(const struct test_case *const *)b)->id);
}

int main(void)
{
    env.bi = platsupport_get_bootinfo();
    size_t dtb_size = 0;
    const void *dtb = al4_bootinfo_dtb(env.bi, &dtb_size);
    env.fdt_error = dtb ? fdt_parse(dtb, dtb_size, &env.fdt) : -100;
    char harts[8];
    al4_bootarg(env.fdt.bootargs, "TEST", filter, sizeof(filter));
    al4_bootarg(env.fdt.bootargs, "harts", harts, sizeof(harts));
    env.expect_harts = atoi(harts);
    helpers_init(&env);

    int n = 0;
    for (const struct test_case *t = __start_al4_tests; t < __stop_al4_tests && n < MAX_TESTS; t++)
        if (selected(t->id))
            tests[n++] = t;
    qsort(tests, n, sizeof(tests[0]), by_id);
    // A console test runs only when it is the one test selected.
    bool alone = n == 1 && tests[0]->expect;
    int planned = 0;
    for (int i = 0; i < n; i++)
        planned += !tests[i]->expect;
    printf("aL4 %s: %d tests (filter '%s')\n", SUITE_NAME, planned, filter);
    if (n == 0) {
        // Other suites may hold the test: report an empty plan, the harness decides.
        printf("1..0\n# aL4 %s: 0 passed, 0 failed\n", SUITE_NAME);
        halt();
    }
    if (alone) {
        // The harness judges this one from the console: no TAP line here.
        announce_expect(tests[0]->expect, tests[0]->fatal);
        env.failures = 0;
        helpers_reset(&env);
        tests[0]->fn(&env);
        printf("# done, %d checks failed\n", env.failures);
        halt();
    }
    printf("1..%d\n", planned);
    int passed = 0, failed = 0, num = 0;
    for (int i = 0; i < n; i++) {
        const struct test_case *t = tests[i];
        if (t->expect) {
            printf("# alone %s\n", t->id);
            continue;
        }
        env.failures = 0;
        helpers_reset(&env);
        t->fn(&env);
        num++;
        printf("%s %d - %s %s\n", env.failures ? "not ok" : "ok", num, t->id, t->desc);
        if (env.failures)
            failed++;
        else
            passed++;
    }
    printf("# aL4 %s: %d passed, %d failed\n", SUITE_NAME, passed, failed);
    halt();
    return 0;
}
