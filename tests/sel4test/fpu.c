// FPU: user threads get a working FPU, and kernel entries leave its state alone.
#include "test.h"

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
