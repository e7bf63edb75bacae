// Faults: a thread's fault goes to its fault endpoint as a Call; with no endpoint the
// kernel prints what seL4 prints for a double fault and makes the thread inactive.
#include "syscall.h"
#include "cspace.h"
#include "vspace.h"
#include "hart.h"
#include "printf.h"
#include "endpoint.h"

#define USER_STACK_TRACE_LENGTH 16

static void print_fault(const struct fault *f)
{
    switch (f->type) {
    case seL4_CapFault:
        kprintf("cap fault in %s phase at address %p", f->w[1] ? "receive" : "send",
                (void *)f->w[0]);
        break;
    case seL4_VMFault:
        kprintf("vm fault on %s at address %p with status %p", f->w[2] ? "code" : "data",
                (void *)f->w[0], (void *)f->w[1]);
        break;
    case seL4_UnknownSyscall:
        kprintf("unknown syscall %p", (void *)f->w[0]);
        break;
    case seL4_UserException:
        kprintf("user exception %p code %p", (void *)f->w[0], (void *)f->w[1]);
        break;
    default:
        kprintf("null fault");
    }
}

static void user_stack_trace(struct tcb *t)
{
    word_t sp = t->ctx[CTX_SP];
    for (int i = 0; i < USER_STACK_TRACE_LENGTH; i++) {
        word_t addr = sp + i * sizeof(word_t);
        word_t *p = (addr & 7) ? NULL : vspace_lookup(t, addr);
        if (p)
            kprintf("0x%lx: 0x%lx\n", addr, *p);
        else
            kprintf("0x%lx: INVALID\n", addr);
    }
}

static void handle_double_fault(struct tcb *t, const struct fault *first, const struct fault *second)
{
    kprintf("Caught ");
    print_fault(second);
    kprintf("\nwhile trying to handle:\n");
    print_fault(first);
    kprintf("\nin thread %p \"%s\" at address %p\n", (void *)t, t->name,
            (void *)t->ctx[CTX_FAULT_PC]);
    kprintf("With stack:\n");
    user_stack_trace(t);
    tcb_set_state(t, THREAD_INACTIVE);
}

// The fault goes to the handler endpoint as a Call, if the handler cap can send and
// grant (a reply); otherwise the thread stops with seL4's double-fault report.
void handle_fault(struct tcb *t)
{
    struct fault original = t->fault;
    word_t handler = t->fault_handler;
    struct lookup lu = lookup_slot(t, handler);
    if (lu.slot) {
        struct cap c = lu.slot->cap;
        word_t r = cap_rights(c);
        if (cap_get_tag(c) == cap_endpoint && (r & RIGHT_WRITE) &&
            (r & (RIGHT_GRANT | RIGHT_GRANT_REPLY))) {
            send_ipc(true, true, cap_badge(c), r & RIGHT_GRANT, true, t, cap_ptr(c));
            return;
        }
    }
    struct fault second = {.type = seL4_CapFault, .w = {handler, false}};
    handle_double_fault(t, &original, &second);
}
