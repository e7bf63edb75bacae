// BOOT: the hand-off from the loader, which enters the kernel as seL4's elfloader does
// (README, Boot): on every hart it starts, with a6 = hart id and a7 = core id, and
// only its own tables mapped. Every core the root task is told about must have come
// up exactly once, as itself, on a hart of its own that the DTB lists.
#include "helpers.h"
#include <al4/debug.h>

struct core_seen {
    al4_counters_t c;
    bool up;
};

#ifdef CONFIG_ENABLE_SMP_SUPPORT
static void report_core(struct test_thread *t)
{
    al4_counters_t c = al4_kernel_counters();
    t->result[0] = c.hart;
    t->result[1] = c.hartid;
    t->result[2] = c.boot_entries;
}
#endif

// What core i says about itself, read on core i (a thread bound to it there).
static void look_at_core(struct env *env, seL4_Word i, struct core_seen *s)
{
    s->up = false;
    if (i == 0) {
        s->c = al4_kernel_counters();
        s->up = true;
        return;
    }
#ifdef CONFIG_ENABLE_SMP_SUPPORT
    static struct test_thread th;
    thread_create(env, &th, report_core, 255, 0);
    test_eq(env, seL4_TCB_SetAffinity(th.tcb, i), seL4_NoError);
    thread_start(&th);
    if (!thread_wait(&th, 100000)) {
        printf("# core %lu never ran a thread\n", (unsigned long)i);
        return;
    }
    s->c.hart = th.result[0];
    s->c.hartid = th.result[1];
    s->c.boot_entries = th.result[2];
    s->up = true;
#else
    (void)env;
#endif
}

static bool in_dtb(const struct env *env, seL4_Word hartid)
{
    for (int h = 0; h < env->fdt.n_harts; h++)
        if (env->fdt.harts[h] == hartid)
            return true;
    return false;
}

static void cores_up_once(struct env *env)
{
    test_assert(env, env->fdt_error == 0);
    seL4_Word n = env->bi->numNodes;
    test_assert(env, n >= 1 && n <= 4);
    struct core_seen seen[4];
    for (seL4_Word i = 0; i < n; i++) {
        look_at_core(env, i, &seen[i]);
        if (!seen[i].up) {
            test_check(env, seen[i].up);
            continue;
        }
        printf("# core %lu: hart %lu, entered %lu time(s)\n", (unsigned long)i,
               (unsigned long)seen[i].c.hartid, (unsigned long)seen[i].c.boot_entries);
        test_eq(env, seen[i].c.hart, i);
        test_eq(env, seen[i].c.boot_entries, 1);
        test_check(env, in_dtb(env, seen[i].c.hartid));
        for (seL4_Word j = 0; j < i; j++)
            if (seen[j].up)
                test_check(env, seen[j].c.hartid != seen[i].c.hartid);
    }
    // Read from core 0 as well: the kernel's table of cores says the same.
    for (seL4_Word i = 0; i < n; i++) {
        al4_counters_t c = al4_kernel_counters_of(i);
        test_eq(env, c.hart, i);
        if (seen[i].up)
            test_eq(env, c.hartid, seen[i].c.hartid);
    }
}
DEFINE_TEST(BOOT0001, "every core came up once, as the core the loader named, on its own hart",
            cores_up_once);
