// FRAMEDIPC: a frame cap sent over IPC arrives as a copy that the receiver maps
// separately and that shows the same memory.
#include "helpers.h"

#define ROOT seL4_CapInitThreadCNode
#define VA_SENDER   0x30000000ul
#define VA_RECEIVER 0x30200000ul

static struct env *receiver_env;

static void frame_receiver(struct test_thread *t)
{
    seL4_SetCapReceivePath(ROOT, t->arg[1], 64);
    seL4_MessageInfo_t info = seL4_Recv(t->arg[0], NULL);
    t->result[0] = seL4_MessageInfo_get_extraCaps(info);
    t->result[1] = map_in_root(receiver_env, t->arg[1], VA_RECEIVER);
    volatile seL4_Word *p = (volatile seL4_Word *)VA_RECEIVER;
    t->result[2] = p[7];
    p[8] = 0xfeed;  // written back through the receiver's mapping
}

static void frame_over_ipc(struct env *env)
{
    static struct test_thread rx;
    seL4_CPtr ep = alloc_object(env, seL4_EndpointObject, 0);
    seL4_CPtr frame = alloc_object(env, seL4_RISCV_4K_Page, 0), recv_slot = alloc_slot(env);
    test_assert(env, map_in_root(env, frame, VA_SENDER) == seL4_NoError);
    volatile seL4_Word *p = (volatile seL4_Word *)VA_SENDER;
    p[7] = 0xc0ffee;
    receiver_env = env;
    thread_create(env, &rx, frame_receiver, 255, 0);
    rx.arg[0] = ep;
    rx.arg[1] = recv_slot;
    thread_start(&rx);
    for (int i = 0; i < 3; i++)
        seL4_Yield();
    seL4_SetCap(0, frame);
    seL4_Send(ep, seL4_MessageInfo_new(0, 0, 1, 0));
    test_check(env, thread_wait(&rx, 100));
    test_eq(env, rx.result[0], 1);
    test_eq(env, rx.result[1], seL4_NoError);
    test_eq(env, rx.result[2], 0xc0ffee);
    test_eq(env, p[8], 0xfeed);
    // The received copy is a child of ours: revoking ours unmaps the receiver's too.
    test_eq(env, seL4_CNode_Revoke(ROOT, frame, 64), seL4_NoError);
    test_eq(env, seL4_DebugCapIdentify(recv_slot), seL4_CapTag_Null);
    seL4_RISCV_Page_Unmap(frame);
}
DEFINE_TEST(FRAMEDIPC0001, "a frame sent over IPC is mapped by the receiver and shares memory",
            frame_over_ipc);
