// ASYNCSYS: several threads, each with its own rings, submitting at once (on their own
// harts when there are several): every reply reaches the thread and the call it
// answers, and each thread's requests act in its own slots only.
#include "asyncsys_test.h"
#include <string.h>

#define CLIENTS 3
#define ROUNDS 40

struct client {
    struct async_env a;
    seL4_CPtr slot, nt;
    seL4_Word badge;
    unsigned wrong, calls;
};

static struct client clients[CLIENTS];

static void check(struct client *m, const struct outcome *o, seL4_Word want)
{
    m->calls++;
    if (o->label != want || o->length != 0)
        m->wrong++;
}

static void client_thread(struct test_thread *t)
{
    struct client *m = (struct client *)t->arg[0];
    struct outcome o;
    for (int n = 0; n < ROUNDS; n++) {
        struct request mint = {ROOT, CNodeMint, 1, 6, {ROOT},
                               {m->slot, DEPTH, m->nt, DEPTH, seL4_AllRights.words[0], m->badge}};
        struct request del = {ROOT, CNodeDelete, 0, 2, {0}, {m->slot, DEPTH}};
        struct request sig = {m->slot, 0, 0, 0, {0}, {0}};
        if (!call_async(&m->a, &mint, &o))
            m->wrong++;
        check(m, &o, seL4_NoError);
        if (!call_async(&m->a, &mint, &o))
            m->wrong++;
        check(m, &o, seL4_DeleteFirst);
        if (!call_async(&m->a, &sig, &o))
            m->wrong++;
        check(m, &o, seL4_NoError);
        if (!call_async(&m->a, &del, &o))
            m->wrong++;
        check(m, &o, seL4_NoError);
    }
}

static void clients_do_not_mix(struct env *env)
{
    static struct test_thread th[CLIENTS];
    seL4_CPtr nt = alloc_object(env, seL4_NotificationObject, 0);
    memset(clients, 0, sizeof(clients));
    for (int i = 0; i < CLIENTS; i++) {
        struct client *m = &clients[i];
        thread_create(env, &th[i], client_thread, 255, 0);
        th[i].arg[0] = (seL4_Word)m;
        m->slot = alloc_slot(env);
        m->nt = nt;
        m->badge = 1ul << i;
        test_assert(env, async_setup(env, &m->a, th[i].tcb, ASYNC_VA + (seL4_Word)i * 4096));
#ifdef CONFIG_ENABLE_SMP_SUPPORT
        if (env->bi->numNodes > 1)
            test_eq(env, seL4_TCB_SetAffinity(th[i].tcb, (i + 1) % env->bi->numNodes), seL4_NoError);
#endif
    }
    for (int i = 0; i < CLIENTS; i++)
        thread_start(&th[i]);
    for (int i = 0; i < CLIENTS; i++)
        test_check(env, thread_wait(&th[i], 1000000));
    seL4_Word all = 0;
    for (int i = 0; i < CLIENTS; i++) {
        struct client *m = &clients[i];
        test_eq(env, m->calls, ROUNDS * 4);
        test_eq(env, m->wrong, 0);
        test_eq(env, al4_asyncsys_in_flight(&m->a.as), 0);
        test_eq(env, seL4_DebugCapIdentify(m->slot), 0);
        all |= m->badge;
    }
    // Every client's Signal went through its own minted cap, with its own badge.
    seL4_Word got = 0;
    seL4_Poll(nt, &got);
    test_eq(env, got, all);
}
DEFINE_TEST(ASYNCSYS0011, "several threads' rings at once: replies and effects do not mix",
            clients_do_not_mix);
