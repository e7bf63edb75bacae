#include "preempt.h"
#include "csr.h"
#include "hart.h"
#include "uintr.h"

bool preemption_point(void)
{
    struct hart *h = this_hart();
    if (++h->work_units < PREEMPT_WORK_UNITS)
        return false;
    h->work_units = 0;
    if (!interrupt_pending())
        return false;
    h->preemptions++;
    return true;
}

bool interrupt_pending(void)
{
    // The U-level bits are the running receiver's own user interrupts (delegated to U
    // mode, its USIP stays up while its handler is masked): no reason to stop.
    return csr_read(sip) & csr_read(sie) & ~(word_t)U_INTS;
}
