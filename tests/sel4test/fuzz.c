// FUZZ: a seeded random-invocation test. An unprivileged thread with its own small
// CSpace (one cap of every kind it may hold, plus empty slots) makes 10,000 random
// system calls and invocations with random labels, lengths, arguments, extra caps
// and cptrs (valid, empty, out of range). Each must come back with a seL4 error or a
// result, and the kernel must go on: the suite continues afterwards. A quarter of the
// operations on a notification are Calls with the U-notification labels, whose every
// refusal must be an error docs/unotify.md names.
#include "fuzz.h"
#include "raw_syscall.h"
#include <sel4/syscall.h>
#include <al4/invocation.h>

#define ROOT seL4_CapInitThreadCNode
#define FUZZ_RADIX 5
#define FUZZ_OPS 10000
#define FUZZ_PRIO 255

static uint64_t rng_state;
static volatile seL4_Word ops_done, errors_seen, fuzz_done, fault_count;
// U-notification Calls: registrations that succeeded, refusals docs/unotify.md does not
// name (printed as they happen).
static volatile seL4_Word unotify_calls, rx_registered, tx_registered, unotify_bad;

static uint64_t rnd(void)
{
    // xorshift64*: deterministic for a given seed.
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545F4914F6CDD1Dull;
}

static seL4_Word rnd_word(void)
{
    switch (rnd() % 4) {
    case 0: return rnd() % 64;
    case 1: return rnd() % 4096;
    case 2: return rnd();
    default: return 1ul << (rnd() % 64);
    }
}

static seL4_CPtr rnd_cptr(void)
{
    switch (rnd() % 8) {
    case 0: return rnd();                                    // anything
    case 1: return (rnd() % 32) | (1ul << (5 + rnd() % 59)); // guard bits set
    default: return rnd() % 40;                              // slots, some past the end
    }
}

static void fuzzer(struct test_thread *t)
{
    (void)t;
    static const long syscalls[] = {seL4_SysCall, seL4_SysSend, seL4_SysNBSend, seL4_SysRecv,
                                    seL4_SysNBRecv, seL4_SysReply, seL4_SysReplyRecv, seL4_SysYield};
    for (ops_done = 0; ops_done < FUZZ_OPS; ops_done++) {
        long sys = syscalls[rnd() % 8];
        seL4_CPtr cptr = rnd_cptr();
        seL4_Word tag = seL4_DebugCapIdentify(cptr);
        // Nothing here may block for good: receives are non-blocking, and sends to an
        // endpoint (whose receiver may be gone) are non-blocking too.
        if (sys == seL4_SysRecv || sys == seL4_SysReplyRecv)
            sys = seL4_SysNBRecv;
        if (tag == seL4_CapTag_Endpoint && (sys == seL4_SysCall || sys == seL4_SysSend))
            sys = seL4_SysNBSend;
        seL4_Word len = rnd() % 8 == 0 ? rnd() % 128 : rnd() % 10;
        seL4_Word label = rnd() % 48, extra = rnd() % 4;
        bool unotify = tag == seL4_CapTag_Notification && rnd() % 4 == 0;
        if (unotify) {
            sys = seL4_SysCall;
            label = al4_NotificationRegisterReceiver + rnd() % 3;
        }
        seL4_IPCBuffer *b = seL4_GetIPCBuffer();
        for (seL4_Word i = 0; i < 12; i++)
            b->msg[i] = rnd_word();
        // CNode arguments are (index, depth) pairs: F resolves at depth 63.
        if (rnd() % 2)
            b->msg[1] = b->msg[3] = 63;
        for (seL4_Word i = 0; i < extra; i++)
            b->caps_or_badges[i] = rnd_cptr();
        if (unotify && extra && rnd() % 2)
            b->caps_or_badges[0] = 4 + 10 * (rnd() % 2);  // a thread: bound (4) or not (14)
        b->receiveCNode = rnd() % 2 ? 1 : rnd_cptr();
        b->receiveIndex = rnd() % 40;
        b->receiveDepth = rnd() % 2 ? 63 : rnd() % 70;
        seL4_Word info = seL4_MessageInfo_new(label, 0, extra, len).words[0];
        seL4_Word faults = fault_count;
        seL4_Word a1 = raw_syscall(sys, cptr, info, b->msg);
        seL4_Word err = seL4_MessageInfo_get_label((seL4_MessageInfo_t){{a1}});
        if (sys == seL4_SysCall && err != 0)
            errors_seen++;
        if (unotify && fault_count == faults) {  // an extra cptr that did not resolve faults
            unotify_calls++;
            rx_registered += label == al4_NotificationRegisterReceiver && err == seL4_NoError;
            tx_registered += label == al4_NotificationRegisterSender && err == seL4_NoError;
            if (!fz_unotify_allowed(label, extra, err, b->msg[0])) {
                printf("# FUZZ0001 op %lu: label %lu with %lu extra caps on cptr %lx: error %lu, "
                       "MR0 %lu\n", (unsigned long)ops_done, (unsigned long)label,
                       (unsigned long)extra, (unsigned long)cptr, (unsigned long)err,
                       (unsigned long)b->msg[0]);
                unotify_bad++;
            }
        }
    }
    fuzz_done = 1;
    for (;;)
        seL4_Yield();
}

// Every fault of the fuzzer (a blocking call on a bad cptr, a receive on something
// that is not an endpoint) comes here; the fuzzer is resumed after the ecall.
static void fault_server(struct test_thread *t)
{
    seL4_CPtr fuzz_tcb = t->arg[1];
    for (;;) {
        seL4_Recv(t->arg[0], NULL);
        t->result[0]++;
        fault_count++;
        seL4_UserContext regs;
        if (seL4_TCB_ReadRegisters(fuzz_tcb, 0, 0, 1, &regs) != seL4_NoError)
            continue;
        regs.pc += 4;
        seL4_TCB_WriteRegisters(fuzz_tcb, 1, 0, 1, &regs);
    }
}

static void echo(struct test_thread *t)
{
    seL4_Word badge;
    seL4_Recv(t->arg[0], &badge);
    for (;;)
        seL4_ReplyRecv(t->arg[0], seL4_MessageInfo_new(0, 0, 0, 1), &badge);
}

static void random_invocations(struct env *env)
{
    static struct test_thread fz, server, faults;
    rng_state = 0x5eed0f4a14ull;
    // CSpace: root R (1 bit) -> slot 0: F, the fuzzed CNode (58-bit guard, 5 bits);
    // slot 1: P, out of the fuzzer's reach, holding the fault endpoint (cptr 1 << 63).
    seL4_CPtr r = alloc_object(env, seL4_CapTableObject, 1);
    seL4_CPtr p = alloc_object(env, seL4_CapTableObject, 1);
    seL4_CPtr fault_ep = alloc_object(env, seL4_EndpointObject, 0);
    seL4_CPtr cn = alloc_object(env, seL4_CapTableObject, FUZZ_RADIX);
    seL4_CPtr ep = alloc_object(env, seL4_EndpointObject, 0);
    seL4_CPtr lonely_ep = alloc_object(env, seL4_EndpointObject, 0);
    seL4_CPtr nt = alloc_object(env, seL4_NotificationObject, 0);
    seL4_CPtr dummy = alloc_object(env, seL4_TCBObject, 0);
    seL4_CPtr dummy2 = alloc_object(env, seL4_TCBObject, 0);
    seL4_CPtr ut = alloc_object(env, seL4_UntypedObject, 16);
    seL4_CPtr frame = alloc_object(env, seL4_RISCV_4K_Page, 0);
    seL4_CPtr pt = alloc_object(env, seL4_RISCV_PageTableObject, 0);
    test_assert(env, cn && ep && nt && dummy && ut && frame && pt);
    seL4_Word guard = seL4_CNode_CapData_new(0, seL4_WordBits - 1 - FUZZ_RADIX);
    test_eq(env, seL4_CNode_Mint(r, 0, 1, ROOT, cn, 64, seL4_AllRights, guard), seL4_NoError);
    test_eq(env, seL4_CNode_Mint(r, 1, 1, ROOT, p, 64, seL4_AllRights, seL4_CNode_CapData_new(0, 62)),
            seL4_NoError);
    test_eq(env, seL4_CNode_Mint(p, 0, 1, ROOT, fault_ep, 64, seL4_AllRights, 0xfa), seL4_NoError);
    // The fuzzer's CSpace: its own CNode, then one cap of each kind.
    test_eq(env, seL4_CNode_Mint(cn, 1, FUZZ_RADIX, ROOT, cn, 64, seL4_AllRights, guard), seL4_NoError);
    test_eq(env, seL4_CNode_Mint(cn, 2, FUZZ_RADIX, ROOT, ep, 64, seL4_AllRights, 0xe9), seL4_NoError);
    test_eq(env, seL4_CNode_Copy(cn, 3, FUZZ_RADIX, ROOT, nt, 64, seL4_AllRights), seL4_NoError);
    test_eq(env, seL4_CNode_Copy(cn, 4, FUZZ_RADIX, ROOT, dummy, 64, seL4_AllRights), seL4_NoError);
    test_eq(env, seL4_CNode_Move(cn, 5, FUZZ_RADIX, ROOT, ut, 64), seL4_NoError);
    test_eq(env, seL4_CNode_Move(cn, 6, FUZZ_RADIX, ROOT, frame, 64), seL4_NoError);
    test_eq(env, seL4_CNode_Move(cn, 7, FUZZ_RADIX, ROOT, pt, 64), seL4_NoError);
    test_eq(env, seL4_CNode_Copy(cn, 8, FUZZ_RADIX, ROOT, seL4_CapDomain, 64, seL4_AllRights), seL4_NoError);
    test_eq(env, seL4_CNode_Mint(cn, 9, FUZZ_RADIX, ROOT, nt, 64, seL4_AllRights, 0x3), seL4_NoError);
    test_eq(env, seL4_CNode_Copy(cn, 10, FUZZ_RADIX, ROOT, lonely_ep, 64, seL4_AllRights), seL4_NoError);
    // For the U-notification labels: the thread in slot 4 bound to the notification (it
    // may become its receiver), another thread (14), and caps to the notification with
    // one-bit badges, read only and write only.
    test_eq(env, seL4_TCB_BindNotification(dummy, nt), seL4_NoError);
    test_eq(env, seL4_CNode_Mint(cn, 11, FUZZ_RADIX, ROOT, nt, 64, seL4_AllRights, 1ul << 5), seL4_NoError);
    test_eq(env, seL4_CNode_Mint(cn, 12, FUZZ_RADIX, ROOT, nt, 64, seL4_CapRights_new(0, 0, 1, 0), 0),
            seL4_NoError);
    test_eq(env, seL4_CNode_Mint(cn, 13, FUZZ_RADIX, ROOT, nt, 64, seL4_CapRights_new(0, 0, 0, 1), 1ul << 6),
            seL4_NoError);
    test_eq(env, seL4_CNode_Copy(cn, 14, FUZZ_RADIX, ROOT, dummy2, 64, seL4_AllRights), seL4_NoError);

    thread_create(env, &server, echo, 255, 0);
    server.arg[0] = ep;
    thread_start(&server);
    thread_create(env, &fz, fuzzer, FUZZ_PRIO, 0);
    thread_create(env, &faults, fault_server, 255, 0);
    faults.arg[0] = fault_ep;
    faults.arg[1] = fz.tcb;
    thread_start(&faults);
    // Own CSpace, root VSpace (it runs the test image's code).
    test_eq(env, seL4_TCB_SetSpace(fz.tcb, 1ul << 63, r, 0, seL4_CapInitThreadVSpace, 0), seL4_NoError);
    test_eq(env, seL4_TCB_SetMCPriority(fz.tcb, seL4_CapInitThreadTCB, FUZZ_PRIO), seL4_NoError);
    fuzz_done = 0;
    thread_start(&fz);
    int spins = 0;
    while (!fuzz_done && spins++ < 2000000)
        seL4_Yield();
    seL4_TCB_Suspend(fz.tcb);
    seL4_TCB_Suspend(server.tcb);
    seL4_TCB_Suspend(faults.tcb);
    seL4_TCB_Suspend(dummy);
    printf("# %lu random operations, %lu Calls refused with an error, %lu faults\n",
           (unsigned long)ops_done, (unsigned long)errors_seen, (unsigned long)faults.result[0]);
    test_check(env, fuzz_done);
    test_eq(env, ops_done, FUZZ_OPS);
    test_check(env, errors_seen > 100);
    printf("# %lu U-notification Calls: %lu receiver and %lu sender registrations, %lu refusals "
           "docs/unotify.md does not name\n", (unsigned long)unotify_calls,
           (unsigned long)rx_registered, (unsigned long)tx_registered, (unsigned long)unotify_bad);
    test_eq(env, unotify_bad, 0);
    test_check(env, rx_registered > 0 && tx_registered > 0);
    // The kernel still works: a fresh object, an IPC round trip.
    seL4_CPtr ep2 = alloc_object(env, seL4_EndpointObject, 0);
    test_eq(env, seL4_DebugCapIdentify(ep2), seL4_CapTag_Endpoint);
}
DEFINE_TEST(FUZZ0001, "10,000 seeded random invocations get seL4 errors or results",
            random_invocations);
