// Thread control blocks: state, naming, and the IPC buffer lookup.
#include "tcb.h"
#include "csr.h"
#include "sched.h"
#include "string.h"
#include "printf.h"

struct tcb *debug_tcbs;

void tcb_init(struct tcb *t, const char *name)
{
    memset(t, 0, sizeof(*t));
    // User mode, interrupts on when it runs, FPU usable (seL4 threads get an FPU).
    t->ctx[CTX_SSTATUS] = SSTATUS_SPIE | SSTATUS_FS_INITIAL;
    t->state = THREAD_INACTIVE;
    tcb_set_name(t, name, TCB_NAME_LEN);
    t->dbg_next = debug_tcbs;
    if (debug_tcbs)
        debug_tcbs->dbg_prev = t;
    debug_tcbs = t;
}

void tcb_set_name(struct tcb *t, const char *name, size_t max)
{
    size_t n = strnlen(name, MIN(max, (size_t)TCB_NAME_LEN - 1));
    memcpy(t->name, name, n);
    t->name[n] = 0;
}

static bool runnable(enum thread_state s)
{
    return s == THREAD_RUNNING || s == THREAD_RESTART;
}

void tcb_set_state(struct tcb *t, enum thread_state s)
{
    bool was = runnable(t->state);
    t->state = s;
    if (runnable(s) && !was)
        sched_enqueue(t);
    else if (!runnable(s) && was)
        sched_dequeue(t);
}

const char *thread_state_name(enum thread_state s)
{
    static const char *const names[] = {
        [THREAD_INACTIVE] = "inactive",
        [THREAD_RUNNING] = "running",
        [THREAD_RESTART] = "restart",
        [THREAD_BLOCKED_ON_RECEIVE] = "blocked on recv",
        [THREAD_BLOCKED_ON_SEND] = "blocked on send",
        [THREAD_BLOCKED_ON_REPLY] = "blocked on reply",
        [THREAD_BLOCKED_ON_NOTIFICATION] = "blocked on ntfn",
        [THREAD_IDLE] = "idle",
    };
    return s < ARRAY_SIZE(names) ? names[s] : "?";
}

// The kernel window address of the thread's IPC buffer, or NULL when the thread has
// none usable (no frame cap, a device frame, or read-only when writing is needed).
word_t *tcb_ipc_buffer(struct tcb *t, bool writable)
{
    struct cap c = tcb_slot(t, TCB_BUFFER)->cap;
    if (cap_get_tag(c) != cap_frame || cap_frame_is_device(c))
        return NULL;
    enum vm_rights r = cap_frame_rights(c);
    if (r == VM_KERNEL_ONLY || (writable && r != VM_READ_WRITE))
        return NULL;
    word_t size_bits = 12 + 9 * cap_frame_size(c);
    return (word_t *)((uint8_t *)cap_ptr(c) + (t->ipc_buffer & MASK(size_bits)));
}
