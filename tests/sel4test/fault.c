// FAULT: faults with no handler are reported the way seL4 reports a double fault and
// stop the faulting thread (the kernel keeps running). Each runs alone (fatal tests).
#include "test.h"

static void null_load(struct env *env)
{
    (void)env;
    seL4_DebugNameThread(seL4_CapInitThreadTCB, "null-load");
    // Through a register, so the compiler cannot see the constant address.
    seL4_Word addr = 0x8, v;
    asm volatile("ld %0, 0(%1)" : "=r"(v) : "r"(addr) : "memory");
    (void)v;
}
DEFINE_FATAL_TEST(FAULT0001, "a load from an unmapped address with no handler",
                  null_load,
                  "Caught cap fault in send phase at address 0x0\n"
                  "while trying to handle:\n"
                  "vm fault on data at address 0x8 with status 0x5\n"
                  "in thread 0x* \"null-load\" at address 0x*\n");

static void illegal_instruction(struct env *env)
{
    (void)env;
    seL4_DebugNameThread(seL4_CapInitThreadTCB, "illegal-insn");
    asm volatile(".word 0");
}
DEFINE_FATAL_TEST(FAULT0002, "an illegal instruction with no handler",
                  illegal_instruction,
                  "Caught cap fault in send phase at address 0x0\n"
                  "while trying to handle:\n"
                  "user exception 0x2 code 0x0\n"
                  "in thread 0x* \"illegal-insn\" at address 0x*\n");

static void execute_data(struct env *env)
{
    (void)env;
    seL4_DebugNameThread(seL4_CapInitThreadTCB, "jump-unmapped");
    void (*fn)(void) = (void (*)(void))0x3000000000ul;
    fn();
}
DEFINE_FATAL_TEST(FAULT0003, "an instruction fetch from an unmapped address",
                  execute_data,
                  "Caught cap fault in send phase at address 0x0\n"
                  "while trying to handle:\n"
                  "vm fault on code at address 0x3000000000 with status 0x1\n"
                  "in thread 0x* \"jump-unmapped\" at address 0x3000000000\n");
