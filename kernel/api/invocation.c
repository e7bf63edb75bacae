// Invocation decoding: which object a cap names and whether the request is valid.
// Object invocations arrive with the seL4 API work (issue 3); until then every
// invocation of a real object is refused with IllegalOperation and says why.
#include "syscall.h"
#include "hart.h"
#include "printf.h"
#include <sel4/errors.h>

static const char *cap_name(enum cap_tag tag)
{
    switch (tag) {
    case cap_frame: return "frame";
    case cap_untyped: return "untyped";
    case cap_page_table: return "page table";
    case cap_endpoint: return "endpoint";
    case cap_notification: return "notification";
    case cap_reply: return "reply";
    case cap_cnode: return "cnode";
    case cap_asid_control: return "ASID control";
    case cap_thread: return "thread";
    case cap_asid_pool: return "ASID pool";
    case cap_irq_control: return "IRQ control";
    case cap_irq_handler: return "IRQ handler";
    case cap_zombie: return "zombie";
    case cap_domain: return "domain";
    default: return "null";
    }
}

word_t decode_invocation(struct tcb *t, word_t label, word_t length, word_t cptr,
                         struct cte *slot, struct syscall_error *err)
{
    (void)t;
    (void)length;
    enum cap_tag tag = cap_get_tag(slot->cap);
    if (tag == cap_null || tag == cap_zombie) {
        user_error("Attempted to invoke a null cap #%lu.", cptr);
        err->type = seL4_InvalidCapability;
        err->arg0 = 0;
        return err->type;
    }
    user_error("%s invocation (label %lu) is not implemented yet (issue 3)", cap_name(tag), label);
    err->type = seL4_IllegalOperation;
    return err->type;
}
