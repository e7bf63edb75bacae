// Reports from a benchmark's peer processes (report.h).
#include "report.h"

bool bench_take_report(seL4_CPtr ep, seL4_Word label, seL4_Word *r, unsigned n)
{
    seL4_Word badge;
    seL4_MessageInfo_t info = seL4_Recv(ep, &badge);
    for (unsigned i = 0; i < n; i++)
        r[i] = seL4_GetMR(i);
    return seL4_MessageInfo_get_label(info) == label;
}
