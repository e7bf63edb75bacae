// The in-QEMU suite's registration and assertions, in the manner of sel4test: each
// test registers itself into a linker section with a stable ID named after the
// upstream group, runs in the root task, and reports one TAP line.
#pragma once
#include <sel4/sel4.h>
#include <stdio.h>
#include "fdt.h"

struct env {
    seL4_BootInfo *bi;
    struct fdt_info fdt;  // parsed from the DTB in extra boot info
    int fdt_error;
    int expect_harts;     // from bootargs "harts=N", 0 when not given
    int failures;         // assertions failed in the running test
};

struct test_case {
    const char *id;
    const char *desc;
    void (*fn)(struct env *);
    // Console tests check what the kernel prints: they run alone, in their own boot,
    // and the harness matches the console against `expect`. A fatal one ends the root
    // task on purpose (a fault with no handler) and must not return.
    const char *expect;
    bool fatal;
};

// Not static: a second test of the same ID, in any file, is a duplicate symbol at link
// time (IDs are stable names that TEST= selects; two tests must never share one).
#define DEFINE_TEST_CASE(ID, DESC, FN, EXPECT, FATAL) \
    const struct test_case test_case_##ID \
        __attribute__((used, section(".al4_tests"), aligned(8))) = {#ID, DESC, FN, EXPECT, FATAL}

#define DEFINE_TEST(ID, DESC, FN) DEFINE_TEST_CASE(ID, DESC, FN, NULL, false)
#define DEFINE_CONSOLE_TEST(ID, DESC, FN, EXPECT) DEFINE_TEST_CASE(ID, DESC, FN, EXPECT, false)
#define DEFINE_FATAL_TEST(ID, DESC, FN, EXPECT) DEFINE_TEST_CASE(ID, DESC, FN, EXPECT, true)

void test_failed(struct env *env, const char *file, int line, const char *what);

// Checks go on after a failure (so one run shows every broken property); asserts stop
// the test.
#define test_check(env, cond) \
    do { \
        if (!(cond)) \
            test_failed(env, __FILE__, __LINE__, #cond); \
    } while (0)
#define test_assert(env, cond) \
    do { \
        if (!(cond)) { \
            test_failed(env, __FILE__, __LINE__, #cond); \
            return; \
        } \
    } while (0)
#define test_eq(env, a, b) \
    do { \
        unsigned long a_ = (unsigned long)(a), b_ = (unsigned long)(b); \
        if (a_ != b_) { \
            printf("# %s = 0x%lx, %s = 0x%lx\n", #a, a_, #b, b_); \
            test_failed(env, __FILE__, __LINE__, #a " == " #b); \
        } \
    } while (0)
