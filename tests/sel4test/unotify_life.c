// UNOTIFY lifetimes (docs/unotify.md, "Lifetimes"): the pool of receiver entries runs
// out and recovers; a sender entry lives exactly as long as its cap (not its copies);
// a receiver entry as long as its thread's binding, and what it held when that ends
// stays the notification's. A stale entry is checked the way it would hurt: the
// receiver entry it aims at is reused, and its sends must not show up there.
#include "unotify_test.h"

#define MAX_ENTRIES 4096

// Every receiver entry the DTB's UINTC has ("riscv,uintc0": 32 bytes per entry) is
// given out, then one more registration is refused; deleting the notification,
// unbinding the thread or deleting the thread gives exactly one back. Each receiver
// needs its own bound thread: a 2 MiB child untyped holds 514 TCBs (seL4_TCBBits is 11
// on RV64) and their notifications (32 bytes), retyped
// 256 at a time (seL4's fan-out limit) into slots at the top of the root CNode's empty
// range, which alloc_slot (1024 slots from the bottom) never reaches; revoking the
// child untyped deletes them all again.
static void pool_exhaustion(struct env *env)
{
    static seL4_Word used[MAX_ENTRIES / 64];
    const struct fdt_device *d = fdt_find_compatible(&env->fdt, "riscv,uintc0");
    test_assert(env, d);
    seL4_Word entries = d->reg.size / 32;
    test_assert(env, entries > 2 && entries <= MAX_ENTRIES);
    // Two more than the pool: one to be refused, one spare to check it is full again.
    seL4_Word n = entries + 2;
    seL4_CPtr tcbs = env->bi->empty.end - 2 * n, ntfns = tcbs + n;
    test_assert(env, tcbs > env->bi->empty.start + 1 + 1024);
    seL4_CPtr ut = alloc_object(env, seL4_UntypedObject, 21);
    test_assert(env, ut);
    for (seL4_Word i = 0; i < n; i += 256) {
        seL4_Word k = n - i < 256 ? n - i : 256;
        test_assert(env, seL4_Untyped_Retype(ut, seL4_TCBObject, 0, UN_ROOT, 0, 0, tcbs + i, k) ==
                             seL4_NoError);
        test_assert(env, seL4_Untyped_Retype(ut, seL4_NotificationObject, 0, UN_ROOT, 0, 0,
                                             ntfns + i, k) == seL4_NoError);
    }
    for (seL4_Word i = 0; i < n; i++)
        test_assert(env, seL4_TCB_BindNotification(tcbs + i, ntfns + i) == seL4_NoError);

    // Every test leaves the pool as it found it: all entries are free here.
    for (seL4_Word i = 0; i < MAX_ENTRIES / 64; i++)
        used[i] = 0;
    seL4_Word rx[3], got = 0, idx = 0;
    seL4_Error e = seL4_NoError;
    for (; got < entries; got++) {
        e = al4_unotify_register_receiver(ntfns + got, tcbs + got, &idx);
        if (e != seL4_NoError || idx >= entries || (used[idx / 64] & 1ul << idx % 64))
            break;
        used[idx / 64] |= 1ul << idx % 64;
        if (got < 3)
            rx[got] = idx;
    }
    test_eq(env, e, seL4_NoError);
    test_eq(env, got, entries);
    seL4_CPtr last = tcbs + entries, spare = tcbs + entries + 1;
    test_eq(env, al4_unotify_register_receiver(ntfns + entries, last, &idx), seL4_NotEnoughMemory);

    // The notification is deleted: its receiver's entry is the one free entry.
    test_eq(env, seL4_CNode_Delete(UN_ROOT, ntfns + 0, UN_DEPTH), seL4_NoError);
    idx = UN_NONE;
    test_eq(env, al4_unotify_register_receiver(ntfns + entries, last, &idx), seL4_NoError);
    test_eq(env, idx, rx[0]);
    test_eq(env, al4_unotify_register_receiver(ntfns + entries + 1, spare, &idx),
            seL4_NotEnoughMemory);

    // The thread is unbound (thread 0 lost its notification above and takes thread 1's).
    test_eq(env, seL4_TCB_UnbindNotification(tcbs + 1), seL4_NoError);
    test_eq(env, seL4_TCB_BindNotification(tcbs + 0, ntfns + 1), seL4_NoError);
    idx = UN_NONE;
    test_eq(env, al4_unotify_register_receiver(ntfns + 1, tcbs + 0, &idx), seL4_NoError);
    test_eq(env, idx, rx[1]);
    test_eq(env, al4_unotify_register_receiver(ntfns + entries + 1, spare, &idx),
            seL4_NotEnoughMemory);

    // The thread is deleted (thread 1 takes its notification).
    test_eq(env, seL4_CNode_Delete(UN_ROOT, tcbs + 2, UN_DEPTH), seL4_NoError);
    test_eq(env, seL4_TCB_BindNotification(tcbs + 1, ntfns + 2), seL4_NoError);
    idx = UN_NONE;
    test_eq(env, al4_unotify_register_receiver(ntfns + 2, tcbs + 1, &idx), seL4_NoError);
    test_eq(env, idx, rx[2]);
    test_eq(env, al4_unotify_register_receiver(ntfns + entries + 1, spare, &idx),
            seL4_NotEnoughMemory);

    test_eq(env, seL4_CNode_Revoke(UN_ROOT, ut, UN_DEPTH), seL4_NoError);
    test_eq(env, seL4_DebugCapIdentify(tcbs), 0);
    // All back: the spare, bound again, gets an entry.
    seL4_CPtr t = alloc_object(env, seL4_TCBObject, 0), nt = alloc_object(env, seL4_NotificationObject, 0);
    test_check(env, un_receiver(env, t, nt) != UN_NONE);
}
DEFINE_TEST(UNOTIFY0010, "the receiver pool runs out with NotEnoughMemory and every release refills it",
            pool_exhaustion);

// Deleting the registered cap, or revoking it, kills its entry at once; the revoked
// cap itself stays and signals through the kernel, and can be registered again.
static void sender_delete_revoke(struct env *env)
{
    seL4_CPtr nt = un_self_receiver(env);
    test_assert(env, nt);

    seL4_CPtr a = un_mint(env, nt, 1ul << 3);
    seL4_Word ia = un_sender(env, a, UN_SELF);
    test_eq(env, un_send_read(ia), 1ul << 3);
    test_eq(env, seL4_CNode_Delete(UN_ROOT, a, UN_DEPTH), seL4_NoError);
    test_eq(env, un_send_read(ia), 0);

    seL4_CPtr c = un_mint(env, nt, 1ul << 4);
    seL4_Word ic = un_sender(env, c, UN_SELF);
    test_eq(env, un_send_read(ic), 1ul << 4);
    test_eq(env, seL4_CNode_Revoke(UN_ROOT, c, UN_DEPTH), seL4_NoError);
    test_eq(env, un_send_read(ic), 0);
    seL4_Signal(c);  // the kernel path still works: to a running receiver, into its entry
    test_eq(env, al4_uipi_read(), 1ul << 4);
    ic = un_sender(env, c, UN_SELF);
    test_eq(env, un_send_read(ic), 1ul << 4);

    test_eq(env, seL4_TCB_UnbindNotification(UN_SELF), seL4_NoError);
}
DEFINE_TEST(UNOTIFY0011, "deleting or revoking a registered sender cap stops its sends",
            sender_delete_revoke);

// The entry belongs to the cap in its slot: it follows a Move, a copy has none of its
// own, and an ancestor's revoke that deletes the cap kills it.
static void sender_move_copy_ancestor(struct env *env)
{
    seL4_CPtr nt = un_self_receiver(env);
    test_assert(env, nt);

    // Moved, it still sends; and it is the moved cap that forgets its entry when the
    // receiver goes, so that registering it again makes a working one.
    seL4_CPtr d = un_mint(env, nt, 1ul << 5), d2 = alloc_slot(env);
    seL4_Word id = un_sender(env, d, UN_SELF);
    test_eq(env, seL4_CNode_Move(UN_ROOT, d2, UN_DEPTH, UN_ROOT, d, UN_DEPTH), seL4_NoError);
    test_eq(env, un_send_read(id), 1ul << 5);
    test_eq(env, seL4_TCB_UnbindNotification(UN_SELF), seL4_NoError);
    test_eq(env, un_send_read(id), 0);
    test_assert(env, un_receiver(env, UN_SELF, nt) != UN_NONE);
    id = un_sender(env, d2, UN_SELF);
    test_eq(env, un_send_read(id), 1ul << 5);

    // A copy registers an entry of its own; deleting it leaves the original's.
    seL4_CPtr h = un_mint(env, nt, 1ul << 7), h2 = alloc_slot(env);
    seL4_Word ih = un_sender(env, h, UN_SELF);
    test_eq(env, seL4_CNode_Copy(UN_ROOT, h2, UN_DEPTH, UN_ROOT, h, UN_DEPTH, seL4_AllRights),
            seL4_NoError);
    seL4_Word ih2 = un_sender(env, h2, UN_SELF);
    test_check(env, ih2 != ih);
    test_eq(env, un_send_read(ih2), 1ul << 7);
    test_eq(env, seL4_CNode_Delete(UN_ROOT, h2, UN_DEPTH), seL4_NoError);
    test_eq(env, un_send_read(ih2), 0);
    test_eq(env, un_send_read(ih), 1ul << 7);

    // Revoking the badged parent deletes the registered copy below it.
    seL4_CPtr g = un_mint(env, nt, 1ul << 6), g2 = alloc_slot(env);
    test_eq(env, seL4_CNode_Copy(UN_ROOT, g2, UN_DEPTH, UN_ROOT, g, UN_DEPTH, seL4_AllRights),
            seL4_NoError);
    seL4_Word ig = un_sender(env, g2, UN_SELF);
    test_eq(env, un_send_read(ig), 1ul << 6);
    test_eq(env, seL4_CNode_Revoke(UN_ROOT, g, UN_DEPTH), seL4_NoError);
    test_eq(env, seL4_DebugCapIdentify(g2), 0);
    test_eq(env, un_send_read(ig), 0);
    test_eq(env, un_send_read(ih), 1ul << 7);  // other caps' entries are untouched

    test_eq(env, seL4_TCB_UnbindNotification(UN_SELF), seL4_NoError);
}
DEFINE_TEST(UNOTIFY0012, "a sender entry follows a moved cap, not a copy, and dies with an ancestor's revoke",
            sender_move_copy_ancestor);

// A receiver (the root task) with two senders: one from its own table (index *i1),
// one from a helper thread's (*i2); both checked to work.
static seL4_CPtr two_senders(struct env *env, struct test_thread *th, struct un_remote *r,
                             seL4_CPtr *b1, seL4_CPtr *b2, seL4_Word *i1, seL4_Word *i2)
{
    seL4_CPtr nt = alloc_object(env, seL4_NotificationObject, 0);
    if (un_receiver(env, UN_SELF, nt) == UN_NONE)
        return 0;
    (void)al4_uipi_read();
    un_remote_create(env, th, r);
    *b1 = un_mint(env, nt, 1ul << 1);
    *b2 = un_mint(env, nt, 1ul << 2);
    *i1 = un_sender(env, *b1, UN_SELF);
    *i2 = un_sender(env, *b2, th->tcb);
    thread_start(th);
    test_check(env, un_remote_send(r, *i2));
    test_eq(env, un_send_read(*i1), 0x6);
    return nt;
}

// After the receiver entry went back to the pool, the next registration (a new thread,
// another notification) gets that same entry, the lowest free one; neither old sender
// reaches it. Only the bound thread may Poll a notification (seL4): what the entry got
// is read from the word after unbinding, where pending bits go (UNOTIFY0015).
static void entry_reused_clean(struct env *env, seL4_Word rx, struct un_remote *r, seL4_Word i1,
                               seL4_Word i2)
{
    seL4_CPtr t = alloc_object(env, seL4_TCBObject, 0);
    seL4_CPtr nt2 = alloc_object(env, seL4_NotificationObject, 0);
    test_eq(env, un_receiver(env, t, nt2), rx);
    al4_uipi_send(i1);
    test_check(env, un_remote_send(r, i2));
    test_eq(env, seL4_TCB_UnbindNotification(t), seL4_NoError);
    seL4_Word w = 1;
    seL4_Poll(nt2, &w);
    test_eq(env, w, 0);
}

static void ntfn_delete_frees(struct env *env)
{
    static struct test_thread th;
    static struct un_remote r;
    seL4_CPtr b1, b2;
    seL4_Word i1, i2;
    seL4_CPtr nt = two_senders(env, &th, &r, &b1, &b2, &i1, &i2);
    test_assert(env, nt);
    seL4_Word rx = UN_NONE;
    test_eq(env, al4_unotify_register_receiver(nt, UN_SELF, &rx), seL4_NoError);
    // Every cap goes; the last deletion destroys the notification and unbinds the root
    // task, which can bind again.
    test_eq(env, seL4_CNode_Delete(UN_ROOT, nt, UN_DEPTH), seL4_NoError);
    test_eq(env, seL4_CNode_Delete(UN_ROOT, b2, UN_DEPTH), seL4_NoError);
    test_eq(env, seL4_CNode_Delete(UN_ROOT, b1, UN_DEPTH), seL4_NoError);
    test_eq(env, al4_uipi_read(), 0);
    entry_reused_clean(env, rx, &r, i1, i2);
    seL4_CPtr nt3 = alloc_object(env, seL4_NotificationObject, 0);
    test_eq(env, seL4_TCB_BindNotification(UN_SELF, nt3), seL4_NoError);
    test_eq(env, seL4_TCB_UnbindNotification(UN_SELF), seL4_NoError);
    seL4_TCB_Suspend(th.tcb);
}
DEFINE_TEST(UNOTIFY0013, "deleting the notification frees its receiver entry and stops both senders",
            ntfn_delete_frees);

static void unbind_frees(struct env *env)
{
    static struct test_thread th;
    static struct un_remote r;
    seL4_CPtr b1, b2;
    seL4_Word i1, i2, rx = UN_NONE;
    seL4_CPtr nt = two_senders(env, &th, &r, &b1, &b2, &i1, &i2);
    test_assert(env, nt);
    test_eq(env, al4_unotify_register_receiver(nt, UN_SELF, &rx), seL4_NoError);
    test_eq(env, seL4_TCB_UnbindNotification(UN_SELF), seL4_NoError);
    entry_reused_clean(env, rx, &r, i1, i2);
    // The caps forgot their entries: registered again (with a receiver back on the
    // notification), they get working ones.
    test_assert(env, un_receiver(env, UN_SELF, nt) != UN_NONE);
    i1 = un_sender(env, b1, UN_SELF);
    i2 = un_sender(env, b2, th.tcb);
    test_check(env, un_remote_send(&r, i2));
    test_eq(env, un_send_read(i1), 0x6);
    test_eq(env, seL4_TCB_UnbindNotification(UN_SELF), seL4_NoError);
    seL4_TCB_Suspend(th.tcb);
}
DEFINE_TEST(UNOTIFY0014, "unbinding the receiver frees its entry, stops both senders, and their caps forget it",
            unbind_frees);

// Bits still pending in the entry when the binding ends become the notification's
// word, as a seL4 notification keeps its word when its thread goes: for an unbind of
// the running receiver, and for the deletion of a receiver that never ran.
static void pending_kept_at_unbind(struct env *env)
{
    seL4_CPtr nt = un_self_receiver(env);
    test_assert(env, nt);
    seL4_CPtr b = un_mint(env, nt, 1ul << 9), k = un_mint(env, nt, 0x30);
    seL4_Word ib = un_sender(env, b, UN_SELF);
    al4_uipi_send(ib);
    seL4_Signal(k);  // kernel path, two bits: into the running receiver's entry too
    test_eq(env, seL4_TCB_UnbindNotification(UN_SELF), seL4_NoError);
    test_eq(env, al4_uipi_read(), 0);
    seL4_Word w = 0;
    seL4_Poll(nt, &w);
    test_eq(env, w, 1ul << 9 | 0x30);
    w = 1;
    seL4_Poll(nt, &w);
    test_eq(env, w, 0);

    seL4_CPtr t = alloc_object(env, seL4_TCBObject, 0);
    seL4_CPtr nt2 = alloc_object(env, seL4_NotificationObject, 0);
    test_assert(env, un_receiver(env, t, nt2) != UN_NONE);
    seL4_CPtr b2 = un_mint(env, nt2, 1ul << 62);
    al4_uipi_send(un_sender(env, b2, UN_SELF));
    test_eq(env, seL4_CNode_Delete(UN_ROOT, t, UN_DEPTH), seL4_NoError);
    w = 0;
    seL4_Poll(nt2, &w);
    test_eq(env, w, 1ul << 62);
}
DEFINE_TEST(UNOTIFY0015, "bits pending in the entry when the receiver goes stay in the notification's word",
            pending_kept_at_unbind);
