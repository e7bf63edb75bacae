// FUZZ0002: the stateful fuzzer (fuzz.h). `make test` runs it briefly; `make fuzz`
// runs it for a million operations per fuzzer, with the seed and length from the
// kernel command line (fuzz_seed=, fuzz_ops=, fuzz_check=). One fuzzer per hart, each
// in a CSpace of its own, with its own fault and transfer servers.
#include "fuzz.h"
#include <al4/asyncsys.h>
#include <al4/debug.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_PRIO 255
#define MAX_FUZZERS 4

static struct fuzzer fuzzers[MAX_FUZZERS];
static struct test_thread fz_thread[MAX_FUZZERS], server_thread[MAX_FUZZERS];
static seL4_Word check_every;

static void fuzz_thread(struct test_thread *t)
{
    struct fuzzer *f = (struct fuzzer *)t->arg[0];
    for (f->step = 0; f->step < f->ops && !f->failed; f->step++) {
        if (fz_rnd(f) % 3)
            fz_step(f);
        else
            fz_garbage(f);
        if (check_every && f->step % check_every == check_every - 1)
            fz_check_kernel(f);
    }
    f->done = true;
    for (;;)
        seL4_Yield();
}

// The fuzzer's server, in its CSpace, on one endpoint for two purposes (a test image
// has IPC buffers for 8 helper threads: 4 fuzzers and their servers).
// - Label 0: a transfer. The caps arrive in the slot the fuzzer wrote into this
//   thread's IPC buffer; the answer says how many arrived.
// - Any other label: a fault of the fuzzer (a call on a bad cptr, a wait on a
//   notification bound to another thread). The fuzzer goes on after its ecall.
static void server(struct test_thread *t)
{
    struct fuzzer *f = (struct fuzzer *)t->arg[0];
    seL4_Word badge;
    seL4_SetCapReceivePath(FZ_ROOT, 0, FZ_DEPTH);
    seL4_MessageInfo_t m = seL4_Recv(FZ_XFER, &badge);
    for (;;) {
        if (seL4_MessageInfo_get_label(m) == 0) {
            seL4_Word got = seL4_MessageInfo_get_extraCaps(m);
            m = seL4_ReplyRecv(FZ_XFER, seL4_MessageInfo_new(got, 0, 0, 0), &badge);
            continue;
        }
        f->faults++;
        seL4_UserContext regs;
        if (seL4_TCB_ReadRegisters(FZ_TCB, 0, 0, 1, &regs) == seL4_NoError) {
            regs.pc += 4;
            seL4_TCB_WriteRegisters(FZ_TCB, 1, 0, 1, &regs);
        }
        m = seL4_Recv(FZ_XFER, &badge);
    }
}

// CSpace: R (radix 1): R[0] = F (guard 57: cptrs 0..63), R[1] = P (guard 60).
static void make_fuzzer(struct env *env, int k, uint64_t seed, seL4_Word ops, seL4_CPtr ut)
{
    struct fuzzer *f = &fuzzers[k];
    memset(f, 0, sizeof(*f));
    f->id = k;
    f->seed = seed;
    f->rng = seed * 0x9E3779B97F4A7C15ull + (uint64_t)k + 1;
    f->ops = ops;
    fz_model_init(f);
    seL4_CPtr root = seL4_CapInitThreadCNode;
    seL4_CPtr r = alloc_object(env, seL4_CapTableObject, 1);
    seL4_CPtr p = alloc_object(env, seL4_CapTableObject, 3);
    seL4_CPtr cn = alloc_object(env, seL4_CapTableObject, FZ_RADIX);
    seL4_CPtr xfer_ep = alloc_object(env, seL4_EndpointObject, 0);
    seL4_Word fguard = seL4_CNode_CapData_new(0, 64 - 1 - FZ_RADIX);
    test_eq(env, seL4_CNode_Mint(r, 0, 1, root, cn, 64, seL4_AllRights, fguard), seL4_NoError);
    test_eq(env, seL4_CNode_Mint(r, 1, 1, root, p, 64, seL4_AllRights,
                                 seL4_CNode_CapData_new(0, 64 - 1 - 3)), seL4_NoError);
    test_eq(env, seL4_CNode_Mint(p, 1, 3, root, cn, 64, seL4_AllRights, fguard), seL4_NoError);
    test_eq(env, seL4_CNode_Copy(p, 2, 3, root, xfer_ep, 64, seL4_AllRights), seL4_NoError);
    test_eq(env, seL4_CNode_Copy(p, 3, 3, root, seL4_CapInitThreadVSpace, 64, seL4_AllRights), seL4_NoError);
    // Without Grant, with GrantReply: a Call without either would leave the caller
    // inactive, without a reply cap (seL4's sendIPC).
    test_eq(env, seL4_CNode_Copy(p, 4, 3, root, xfer_ep, 64, seL4_CapRights_new(1, 0, 0, 1)), seL4_NoError);
    test_eq(env, seL4_CNode_Mint(cn, 1, FZ_RADIX, root, cn, 64, seL4_AllRights, fguard), seL4_NoError);
    test_eq(env, seL4_CNode_Move(cn, FZ_FIRST, FZ_RADIX, root, ut, 64), seL4_NoError);
    f->caps[1] = (struct mcap){.tag = seL4_CapTag_CNode, .obj = -1, .holder = -1, .unsure = true};
    fz_set(f, FZ_FIRST, seL4_CapTag_Untyped, fz_new_obj(f, seL4_UntypedObject, FZ_UNTYPED_BITS), -1, true);

    struct test_thread *fz = &fz_thread[k], *xs = &server_thread[k];
    thread_create(env, fz, fuzz_thread, FUZZ_PRIO, 0);
    thread_create(env, xs, server, FUZZ_PRIO, 0);
    fz->arg[0] = xs->arg[0] = (seL4_Word)f;
    test_eq(env, seL4_CNode_Copy(p, 5, 3, root, fz->tcb, 64, seL4_AllRights), seL4_NoError);
    f->ipc = fz->ipc;
    // Its rings for the ring operation (fuzz_ring.c), in the root VSpace it runs in.
    seL4_CPtr ring = alloc_object(env, seL4_RISCV_4K_Page, 0);
    seL4_CPtr ring_nt = alloc_object(env, seL4_NotificationObject, 0);
    test_eq(env, map_in_root(env, ring, FZ_RING_VA(k)), seL4_NoError);
    test_eq(env, al4_asyncsys_register(ring_nt, fz->tcb, ring), seL4_NoError);
    f->ring = (struct al4_asyncsys_shared *)FZ_RING_VA(k);
    f->xfer_mailbox = &xs->ipc->receiveIndex;
    // Both in the fuzzer's CSpace (the server names the endpoint and the fuzzer through
    // P, receives into F), in the root VSpace (they run the test image's code).
    for (struct test_thread *t = fz; t; t = t == fz ? xs : NULL) {
        test_eq(env, seL4_TCB_SetSpace(t->tcb, t == fz ? FZ_XFER : 0, r, 0,
                                       seL4_CapInitThreadVSpace, 0), seL4_NoError);
#ifdef CONFIG_ENABLE_SMP_SUPPORT
        test_eq(env, seL4_TCB_SetAffinity(t->tcb, k), seL4_NoError);
#endif
    }
    test_eq(env, seL4_TCB_SetMCPriority(fz->tcb, seL4_CapInitThreadTCB, FUZZ_PRIO), seL4_NoError);
}

static bool kernel_check(seL4_Word *slots)
{
    al4_invariant_report_t r = al4_check_invariants();
    *slots = r.slots;
    return r.violation == 0;
}

static void stateful(struct env *env)
{
    uint64_t seed = bootarg_word(env, "fuzz_seed", 1);
    // make test's short run: on 4 harts every refused call's debug print goes through
    // one console under the big lock, so the SMP run is kept shorter.
    seL4_Word ops = bootarg_word(env, "fuzz_ops", env->expect_harts > 1 ? 1000 : 3000);
    check_every = bootarg_word(env, "fuzz_check", 1000);
    // Two fuzzers on an SMP build by default: with three or more, three harts contend
    // for the big kernel lock, and a ticket lock on a host with fewer free cores than
    // busy harts crawls (the next ticket's hart is often not running on the host; it
    // was measured moving, not deadlocked: README, "Fuzzing").
    int n = bootarg_word(env, "fuzzers", env->expect_harts > 1 ? 2 : 1);
    n = MAX(1, MIN(n, MAX_FUZZERS));
    seL4_Word slots;
    test_check(env, kernel_check(&slots));
    // The large untypeds first: carved between small objects, their alignment would
    // waste most of the test's memory.
    seL4_CPtr uts[MAX_FUZZERS];
    for (int k = 0; k < n; k++)
        uts[k] = alloc_object(env, seL4_UntypedObject, FZ_UNTYPED_BITS);
    for (int k = 0; k < n; k++)
        make_fuzzer(env, k, seed, ops, uts[k]);
    if (env->failures)
        return;
    printf("# fuzz: seed %lu, %d fuzzer(s), %lu operations each, kernel check every %lu\n",
           (unsigned long)seed, n, (unsigned long)ops, (unsigned long)check_every);
    for (int k = 0; k < n; k++) {
        thread_start(&server_thread[k]);
        thread_start(&fz_thread[k]);
    }
    seL4_Word last = 0, still = 0;
    for (bool all = false; !all;) {
        seL4_Yield();
        seL4_Word sum = 0;
        for (int k = 0; k < n; k++)
            sum += fuzzers[k].step;
        if (sum != last) {
            last = sum;
            still = 0;
        } else if (++still == 100000) {
            for (int k = 0; k < n; k++)
                printf("# fuzz: no progress: fuzzer %d at step %lu\n", k, (unsigned long)fuzzers[k].step);
            seL4_DebugDumpScheduler();
            test_check(env, !"every fuzzer makes progress");
            break;
        }
        all = true;
        for (int k = 0; k < n; k++)
            all = all && fuzzers[k].done;
    }
    for (int k = 0; k < n; k++) {
        seL4_TCB_Suspend(fz_thread[k].tcb);
        seL4_TCB_Suspend(server_thread[k].tcb);
    }
    bool ok = kernel_check(&slots);
    seL4_Word total[seL4_NumErrors + 2] = {0}, checks = 0, runs = 0, steps = 0;
    for (int k = 0; k < n; k++) {
        struct fuzzer *f = &fuzzers[k];
        test_check(env, !f->failed);
        steps += f->step;
        checks += f->checks;
        runs += f->checker_runs;
        for (int i = 0; i < seL4_NumErrors + 2; i++)
            total[i] += f->outcome[i];
    }
    static const char *const names[] = {"NoError", "InvalidArgument", "InvalidCapability",
        "IllegalOperation", "RangeError", "AlignmentError", "FailedLookup", "TruncatedMessage",
        "DeleteFirst", "RevokeFirst", "NotEnoughMemory", "fault", "no reply"};
    printf("# fuzz: seed %lu: %lu operations, %lu predictions checked, %lu kernel checks (+1 at "
           "the end: %s, %lu slots)\n# fuzz outcomes:", (unsigned long)seed, (unsigned long)steps,
           (unsigned long)checks, (unsigned long)runs, ok ? "no violation" : "VIOLATION",
           (unsigned long)slots);
    for (int i = 0; i < seL4_NumErrors + 2; i++)
        printf(" %s %lu%s", names[i], (unsigned long)total[i], i == seL4_NumErrors + 1 ? "\n" : ",");
    test_check(env, ok);
    test_eq(env, steps, ops * n);
}
DEFINE_TEST(FUZZ0002, "stateful fuzzer: modelled cap sequences and random calls, kernel invariants hold",
            stateful);
