// Frame, page table and ASID invocations: arrive with the VSpace work of issue 3.
// Until then each refuses with IllegalOperation and says so.
#include "invocation.h"
#include "hart.h"
#include "printf.h"

word_t arch_decode_invocation(struct invocation *inv)
{
    user_error("RISC-V VSpace invocation (label %lu) is not implemented yet", inv->label);
    return refuse(inv, seL4_IllegalOperation);
}
