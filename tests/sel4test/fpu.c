// FPU: user threads get a working FPU, and kernel entries leave its state alone.
#include "helpers.h"

static void fpu_arithmetic(struct env *env)
{
    volatile double a = 1.5, b = 2.25;
    double c = a * b + a / b;
    test_check(env, c > 4.0416 && c < 4.0417);
    volatile float f = 3.0f;
    test_check(env, f * f == 9.0f);
}
DEFINE_TEST(FPU0000, "simple floating point arithmetic works", fpu_arithmetic);

static void fpu_across_syscalls(struct env *env)
{
    register double r asm("fs0") = 42.5;
    asm volatile("" : "+f"(r));
    for (int i = 0; i < 50; i++)
        seL4_Yield();
    asm volatile("" : "+f"(r));
    test_check(env, r == 42.5);
}
DEFINE_TEST(FPU0001, "FPU registers survive system calls", fpu_across_syscalls);

static volatile int fpu_errors;

// Keeps a thread-specific value in every callee-saved FP register across yields.
static void fpu_worker(struct test_thread *t)
{
    double base = (double)t->arg[0];
    for (int round = 0; round < 20; round++) {
        register double f0 asm("fs0") = base + round;
        register double f1 asm("fs1") = base * 2 + round;
        register double f11 asm("fs11") = base * 3 + round;
        asm volatile("" : "+f"(f0), "+f"(f1), "+f"(f11));
        seL4_Yield();
        asm volatile("" : "+f"(f0), "+f"(f1), "+f"(f11));
        if (f0 != base + round || f1 != base * 2 + round || f11 != base * 3 + round)
            fpu_errors++;
    }
}

static void fpu_per_thread(struct env *env)
{
    static struct test_thread a, b;
    fpu_errors = 0;
    thread_create(env, &a, fpu_worker, 255, 0);
    thread_create(env, &b, fpu_worker, 255, 0);
    a.arg[0] = 1000;
    b.arg[0] = 7;
    thread_start(&a);
    thread_start(&b);
    test_check(env, thread_wait(&a, 200) && thread_wait(&b, 200));
    test_eq(env, fpu_errors, 0);
}
DEFINE_TEST(FPU0003, "each thread keeps its own FPU registers", fpu_per_thread);
