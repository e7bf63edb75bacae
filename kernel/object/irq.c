// IRQ control and handler caps. Issuing handlers and delivering interrupts belong to
// issue 5: until then both invocations refuse with IllegalOperation and say why.
#include "irq.h"
#include "invocation.h"
#include "hart.h"
#include "printf.h"

static uint8_t irq_has_handler[MAX_IRQ + 1];

void irq_free(word_t irq)
{
    if (irq <= MAX_IRQ)
        irq_has_handler[irq] = 0;
}

word_t decode_irq_control(struct invocation *inv)
{
    user_error("IRQControl invocation %lu: IRQ handlers arrive with interrupt support (issue 5)",
               inv->label);
    return refuse(inv, seL4_IllegalOperation);
}

word_t decode_irq_handler(struct invocation *inv)
{
    user_error("IRQHandler invocation %lu: interrupt delivery arrives with issue 5", inv->label);
    return refuse(inv, seL4_IllegalOperation);
}
