// UNOTIFY: seL4 notifications delivered by the UINTC (docs/unotify.md): registration
// rights and errors, and signals that reach a running receiver with no kernel entry.
#include "unotify_test.h"

#define ROOT  seL4_CapInitThreadCNode
#define DEPTH seL4_WordBits

// A Call with one label and an optional extra cap; returns the error label.
static seL4_Word call_label(seL4_CPtr cap, seL4_Word label, seL4_CPtr extra)
{
    if (extra)
        seL4_SetCap(0, extra);
    return seL4_MessageInfo_get_label(seL4_Call(cap, seL4_MessageInfo_new(label, 0, extra ? 1 : 0, 0)));
}

static void registration_errors(struct env *env)
{
    seL4_CPtr nt = alloc_object(env, seL4_NotificationObject, 0);
    seL4_CPtr ep = alloc_object(env, seL4_EndpointObject, 0);
    seL4_CPtr tcb = alloc_object(env, seL4_TCBObject, 0);
    seL4_CPtr write_only = un_mint_rights(env, nt, seL4_CapRights_new(0, 0, 0, 1), 0);
    seL4_Word idx = 99;

    // Receiver: Read right, a thread as extra cap, bound to this notification.
    test_eq(env, call_label(nt, al4_NotificationRegisterReceiver, 0), seL4_TruncatedMessage);
    test_eq(env, call_label(nt, al4_NotificationRegisterReceiver, ep), seL4_InvalidCapability);
    test_eq(env, seL4_GetMR(0), 1);  // the extra cap is the bad one
    test_eq(env, al4_unotify_register_receiver(nt, tcb, &idx), seL4_IllegalOperation);
    test_eq(env, seL4_TCB_BindNotification(tcb, nt), seL4_NoError);
    test_eq(env, al4_unotify_register_receiver(write_only, tcb, &idx), seL4_IllegalOperation);
    test_eq(env, idx, 99);
    // Sender before any receiver: refused.
    seL4_CPtr b4 = un_mint(env, nt, 1ul << 4);
    test_eq(env, al4_unotify_register_sender(b4, tcb, &idx), seL4_IllegalOperation);
    test_eq(env, al4_unotify_register_receiver(nt, tcb, &idx), seL4_NoError);
    seL4_Word again = 0;
    test_eq(env, al4_unotify_register_receiver(nt, tcb, &again), seL4_NoError);
    test_eq(env, again, idx);

    // Sender: Write right, a badge of exactly one bit, a thread as extra cap.
    seL4_CPtr read_only = un_mint_rights(env, nt, seL4_CapRights_new(0, 0, 1, 0), 1ul << 5);
    test_eq(env, al4_unotify_register_sender(read_only, tcb, &idx), seL4_IllegalOperation);
    test_eq(env, al4_unotify_register_sender(nt, tcb, &idx), seL4_InvalidCapability);  // badge 0
    seL4_CPtr b3 = un_mint(env, nt, 3);
    test_eq(env, al4_unotify_register_sender(b3, tcb, &idx), seL4_InvalidCapability);
    test_eq(env, call_label(b4, al4_NotificationRegisterSender, 0), seL4_TruncatedMessage);
    test_eq(env, call_label(b4, al4_NotificationRegisterSender, ep), seL4_InvalidCapability);
    seL4_Word s1 = 99, s2 = 98;
    test_eq(env, al4_unotify_register_sender(b4, tcb, &s1), seL4_NoError);
    test_eq(env, al4_unotify_register_sender(b4, tcb, &s2), seL4_NoError);
    test_eq(env, s1, s2);  // once per cap
    // The same cap for another thread's table: delete it first.
    seL4_CPtr tcb2 = alloc_object(env, seL4_TCBObject, 0);
    test_eq(env, al4_unotify_register_sender(b4, tcb2, &s2), seL4_DeleteFirst);
    // A copy is a different cap, with no entry of its own yet.
    seL4_CPtr copy = alloc_slot(env);
    test_eq(env, seL4_CNode_Copy(ROOT, copy, DEPTH, ROOT, b4, DEPTH, seL4_AllRights), seL4_NoError);
    test_eq(env, al4_unotify_register_sender(copy, tcb2, &s2), seL4_NoError);

    // The asynchronous-system-call label wants a frame too (ASYNCSYS tests the rest),
    // and the labels on other caps.
    test_eq(env, call_label(nt, al4_NotificationRegisterAsyncSyscall, tcb), seL4_TruncatedMessage);
    test_eq(env, call_label(tcb, al4_NotificationRegisterReceiver, tcb), seL4_IllegalOperation);
    test_eq(env, call_label(ROOT, al4_NotificationRegisterSender, tcb), seL4_IllegalOperation);
}
DEFINE_TEST(UNOTIFY0001, "registration checks rights, badge, thread and binding with seL4 errors",
            registration_errors);

// A Send (not a Call) with the project's label is a Signal, as on seL4.
static void send_with_label_signals(struct env *env)
{
    seL4_CPtr nt = alloc_object(env, seL4_NotificationObject, 0);
    seL4_CPtr b = un_mint(env, nt, 0x40);
    seL4_Send(b, seL4_MessageInfo_new(al4_NotificationRegisterReceiver, 0, 0, 0));
    seL4_Word badge = 0;
    seL4_Poll(nt, &badge);
    test_eq(env, badge, 0x40);
}
DEFINE_TEST(UNOTIFY0002, "a Send with the registration label on a notification is a Signal",
            send_with_label_signals);

// The root task registers itself as receiver and sender: a send shows up in its own
// pending bits with no kernel entry in between.
static void self_signal_no_kernel_entry(struct env *env)
{
    seL4_CPtr nt = alloc_object(env, seL4_NotificationObject, 0);
    test_assert(env, un_receiver(env, UN_SELF, nt) != UN_NONE);
    seL4_Word tx = un_sender(env, un_mint(env, nt, 1ul << 63), UN_SELF);
    test_assert(env, tx != UN_NONE);
    test_eq(env, al4_uipi_read(), 0);

    // Two counter reads back to back show what reading costs; send and read between
    // them must add nothing. A tick may fall in between: a few tries.
    bool clean = false;
    for (int i = 0; i < 3 && !clean; i++) {
        seL4_Word base0 = al4_kernel_counters().kernel_entries;
        seL4_Word base1 = al4_kernel_counters().kernel_entries;
        al4_uipi_send(tx);
        seL4_Word bits = al4_uipi_read();
        seL4_Word after = al4_kernel_counters().kernel_entries;
        test_eq(env, bits, 1ul << 63);
        clean = after - base1 == base1 - base0;
    }
    test_check(env, clean);
    test_eq(env, seL4_TCB_UnbindNotification(seL4_CapInitThreadTCB), seL4_NoError);
    // Unbound: the entry is gone, reading gives nothing and a send does nothing.
    al4_uipi_send(tx);
    test_eq(env, al4_uipi_read(), 0);
}
DEFINE_TEST(UNOTIFY0003, "uipi send reaches the running receiver with no kernel entry",
            self_signal_no_kernel_entry);

// Kernel-path signals (seL4_Signal with any badge) and uipi sends on one registered
// notification: seL4_Wait and seL4_Poll return the OR of both, as seL4 would.
static void kernel_and_uipi_mixed(struct env *env)
{
    seL4_CPtr nt = alloc_object(env, seL4_NotificationObject, 0);
    test_assert(env, un_receiver(env, UN_SELF, nt) != UN_NONE);
    seL4_CPtr b6 = un_mint(env, nt, 0x60);  // two bits: kernel path only
    seL4_Word tx = un_sender(env, un_mint(env, nt, 1ul << 1), UN_SELF);
    test_assert(env, tx != UN_NONE);
    al4_uipi_send(tx);
    seL4_Signal(b6);
    seL4_Word w = 0;
    seL4_Wait(nt, &w);
    test_eq(env, w, 0x62);
    seL4_Signal(b6);
    test_eq(env, al4_uipi_read(), 0x60);  // a kernel signal to a running receiver
    seL4_Signal(nt);                      // badge 0: the word becomes active with 0
    w = 1;
    seL4_Poll(nt, &w);
    test_eq(env, w, 0);
    w = 1;
    seL4_Poll(nt, &w);                    // nothing left
    test_eq(env, w, 0);
    test_eq(env, seL4_TCB_UnbindNotification(seL4_CapInitThreadTCB), seL4_NoError);
}
DEFINE_TEST(UNOTIFY0004, "kernel-path and uipi signals mix into the word seL4 returns",
            kernel_and_uipi_mixed);
