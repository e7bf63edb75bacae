// Blocking synchronisation on seL4 notifications (the role of upstream's libsel4sync):
// a counting semaphore is an atomic counter plus a notification to sleep on; a mutex
// is a semaphore of one.
#pragma once
#include <sel4/sel4.h>

typedef struct al4_sem {
    seL4_CPtr ntfn;          // notification the waiters block on
    volatile long count;     // > 0: available; < 0: -waiters
} al4_sem_t;

static inline void al4_sem_init(al4_sem_t *s, seL4_CPtr ntfn, long value)
{
    s->ntfn = ntfn;
    s->count = value;
}

static inline void al4_sem_wait(al4_sem_t *s)
{
    if (__atomic_sub_fetch(&s->count, 1, __ATOMIC_ACQUIRE) < 0)
        seL4_Wait(s->ntfn, NULL);
}

// Signals coalesce in the notification word, so a post wakes exactly one waiter only
// because the counter says one is (or is about to be) waiting.
static inline void al4_sem_post(al4_sem_t *s)
{
    if (__atomic_add_fetch(&s->count, 1, __ATOMIC_RELEASE) <= 0)
        seL4_Signal(s->ntfn);
}

typedef al4_sem_t al4_mutex_t;
static inline void al4_mutex_init(al4_mutex_t *m, seL4_CPtr ntfn) { al4_sem_init(m, ntfn, 1); }
static inline void al4_mutex_lock(al4_mutex_t *m) { al4_sem_wait(m); }
static inline void al4_mutex_unlock(al4_mutex_t *m) { al4_sem_post(m); }
