// Interrupts as capabilities (seL4's interrupt.c): IRQControl issues one handler cap
// per line; a handler cap binds a notification that the line signals, and Ack
// re-arms the line at the PLIC. Lines without a handler stay masked.
#include "irq.h"
#include "decode.h"
#include "cdt.h"
#include "notification.h"
#include "plic.h"
#include "hart.h"
#include "printf.h"
#include <sel4/invocation.h>

enum irq_state { IRQ_INACTIVE = 0, IRQ_SIGNAL };

static uint8_t irq_state[PLIC_MAX_IRQ + 1];
// The notification each line signals, one slot per line (seL4's intStateIRQNode).
// Aligned as every slot is: derivation links keep flags in a slot pointer's low five
// bits (MDB_PTR_MASK), so a slot at an odd multiple of 8 would be linked as the one
// before it.
static struct cte irq_node[PLIC_MAX_IRQ + 1] ALIGNED(sizeof(struct cte));

void irq_free(word_t irq)
{
    if (irq > PLIC_MAX_IRQ)
        return;
    irq_state[irq] = IRQ_INACTIVE;
    plic_mask(irq, true);
    cte_delete(&irq_node[irq]);
}

void handle_irq(void)
{
    word_t irq = plic_claim();
    if (irq == 0 || irq > PLIC_MAX_IRQ)
        return;  // claimed by another hart, or spurious
    struct cap c = irq_node[irq].cap;
    if (irq_state[irq] != IRQ_SIGNAL) {
        kprintf("aL4: received disabled IRQ %lu\n", irq);
        plic_mask(irq, true);
        plic_complete(irq);
        return;
    }
    // The line stays claimed (no further interrupts) until the driver acks it.
    if (cap_get_tag(c) == cap_notification && (cap_rights(c) & RIGHT_WRITE))
        send_signal(cap_ptr(c), cap_badge(c));
    else
        debug_printf("aL4: undelivered IRQ %lu\n", irq);
}

word_t decode_irq_control(struct invocation *inv)
{
    bool trigger = inv->label == RISCVIRQIssueIRQHandlerTrigger;
    if (inv->label != IRQIssueIRQHandler && !trigger) {
        user_error("IRQControl: Illegal operation.");
        return refuse(inv, seL4_IllegalOperation);
    }
    unsigned arg = trigger ? 2 : 1;
    if (inv->length < arg + 2 || inv->n_extra < 1) {
        user_error("IRQControl: Truncated message.");
        return refuse(inv, seL4_TruncatedMessage);
    }
    word_t irq = inv_arg(inv, 0), index = inv_arg(inv, arg), depth = inv_arg(inv, arg + 1);
    if (irq == 0 || irq > PLIC_MAX_IRQ || !plic_present()) {
        user_error("IRQControl: IRQ %lu out of range.", irq);
        return refuse_range(inv, 1, MAX_IRQ);
    }
    if (irq_state[irq] != IRQ_INACTIVE) {
        user_error("Rejecting request for IRQ %lu. Already active.", irq);
        return refuse(inv, seL4_RevokeFirst);
    }
    struct cte *dest;
    word_t st = inv_lookup_slot(inv, false, inv->extra[0]->cap, index, depth, &dest);
    if (st)
        return st;
    if (cap_get_tag(dest->cap) != cap_null) {
        user_error("IRQControl: Target slot not empty.");
        return refuse(inv, seL4_DeleteFirst);
    }
    // The PLIC has no trigger mode to set: edge and level sources are both latched
    // by the gateway, so the trigger argument only selects the invocation.
    irq_state[irq] = IRQ_SIGNAL;
    plic_mask(irq, false);
    cte_insert(cap_irq_handler_new(irq), inv->slot, dest);
    return seL4_NoError;
}

word_t decode_irq_handler(struct invocation *inv)
{
    word_t irq = inv->cap.w1;
    switch (inv->label) {
    case IRQAckIRQ:
        plic_complete(irq);
        return seL4_NoError;
    case IRQSetIRQHandler: {
        if (inv->n_extra < 1) {
            user_error("IRQSetHandler: Truncated message.");
            return refuse(inv, seL4_TruncatedMessage);
        }
        struct cap c = inv->extra[0]->cap;
        if (cap_get_tag(c) != cap_notification || !(cap_rights(c) & RIGHT_WRITE)) {
            user_error("IRQSetHandler: provided cap is not a notification capability.");
            return refuse_arg(inv, seL4_InvalidCapability, 0);
        }
        cte_delete(&irq_node[irq]);
        cte_insert(c, inv->extra[0], &irq_node[irq]);
        return seL4_NoError;
    }
    case IRQClearIRQHandler:
        cte_delete(&irq_node[irq]);
        return seL4_NoError;
    default:
        user_error("IRQHandler: Illegal operation.");
        return refuse(inv, seL4_IllegalOperation);
    }
}
