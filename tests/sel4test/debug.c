// DEBUG: the debug system calls seL4's sel4test configuration provides.
#include "test.h"

static void identify_initial_caps(struct env *env)
{
    static const seL4_Word expect[seL4_NumInitialCaps] = {
        [seL4_CapNull] = seL4_CapTag_Null,
        [seL4_CapInitThreadTCB] = seL4_CapTag_Thread,
        [seL4_CapInitThreadCNode] = seL4_CapTag_CNode,
        [seL4_CapInitThreadVSpace] = seL4_CapTag_PageTable,
        [seL4_CapIRQControl] = seL4_CapTag_IRQControl,
        [seL4_CapASIDControl] = seL4_CapTag_ASIDControl,
        [seL4_CapInitThreadASIDPool] = seL4_CapTag_ASIDPool,
        [seL4_CapIOPortControl] = seL4_CapTag_Null,
        [seL4_CapIOSpace] = seL4_CapTag_Null,
        [seL4_CapBootInfoFrame] = seL4_CapTag_Frame,
        [seL4_CapInitThreadIPCBuffer] = seL4_CapTag_Frame,
        [seL4_CapDomain] = seL4_CapTag_Domain,
        [seL4_CapSMMUSIDControl] = seL4_CapTag_Null,
        [seL4_CapSMMUCBControl] = seL4_CapTag_Null,
        [seL4_CapInitThreadSC] = seL4_CapTag_Null,
        [seL4_CapSMC] = seL4_CapTag_Null,
    };
    for (seL4_Word i = 0; i < seL4_NumInitialCaps; i++)
        test_eq(env, seL4_DebugCapIdentify(i), expect[i]);
}
DEFINE_TEST(DEBUG0001, "DebugCapIdentify names every initial cap", identify_initial_caps);

static void identify_bad_cptrs(struct env *env)
{
    // The root CNode has radix n (12 by default) and a (64 - n)-bit zero guard: any of
    // the top bits set is a guard mismatch, so lookup fails and the answer is null.
    test_eq(env, seL4_DebugCapIdentify(1ul << env->bi->initThreadCNodeSizeBits), seL4_CapTag_Null);
    test_eq(env, seL4_DebugCapIdentify(1ul << 63), seL4_CapTag_Null);
    test_eq(env, seL4_DebugCapIdentify(~0ul), seL4_CapTag_Null);
    test_eq(env, seL4_DebugCapIdentify(seL4_CapInitThreadTCB | 1ul << 40), seL4_CapTag_Null);
}
DEFINE_TEST(DEBUG0002, "DebugCapIdentify of unresolvable cptrs is null", identify_bad_cptrs);

static void name_and_dump(struct env *env)
{
    (void)env;
    seL4_DebugNameThread(seL4_CapInitThreadTCB, "dumped-thread");
    seL4_DebugDumpScheduler();
}
DEFINE_CONSOLE_TEST(DEBUG0003, "DebugNameThread names the thread DebugDumpScheduler lists",
                    name_and_dump,
                    "Dumping all tcbs!\n"
                    "Name | State | IP | Prio | Core\n"
                    "--------------------------------------------------\n"
                    "dumped-thread | running | 0x* | 255 | 0\n");

static void snapshot(struct env *env)
{
    (void)env;
    seL4_DebugNameThread(seL4_CapInitThreadTCB, "snapshot");
    seL4_DebugSnapshot();
}
DEFINE_CONSOLE_TEST(DEBUG0004, "DebugSnapshot lists the caller's capabilities", snapshot,
                    "aL4 snapshot of thread \"snapshot\"\n"
                    "caps {\n"
                    "  0x1: tag 12 paddr 0x* data 0x0\n"
                    "  0x2: tag 10 paddr 0x* data 0x0\n"
                    "  0x3: tag 3 paddr 0x* data 0x*\n");
