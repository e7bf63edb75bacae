#include "preempt.h"
#include "csr.h"
#include "hart.h"

bool preemption_point(void)
{
    struct hart *h = this_hart();
    if (++h->work_units < PREEMPT_WORK_UNITS)
        return false;
    h->work_units = 0;
    if (!(csr_read(sip) & csr_read(sie)))
        return false;
    h->preemptions++;
    return true;
}
