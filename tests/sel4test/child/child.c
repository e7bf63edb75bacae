// The child of the PROCESS tests: an ordinary libuser program, built into an ELF of its
// own and embedded in the test image (child_image.S). The root task loads it with the
// process library, which starts it as seL4 starts a root task; from then on it only
// uses upstream libsel4 names. Protocol (labels shared with process.c): it Calls
// HELLO with what it knows about itself (its boot info's numNodes last), then carries
// out each request the reply brings (ADD: sum of the words; TOUCH: load from the
// address in MR0; anything else: stop; ASYNCSYS: child/asyncsys.c) and Calls back
// RESULT.
#include "child.h"

#define PARENT seL4_NumInitialCaps  // the first cap it was given

static volatile seL4_Word data_word = 0x5eed;  // .data: comes from the ELF file
static volatile seL4_Word bss_word;  // .bss: zero

int main(void)
{
    seL4_BootInfo *bi = platsupport_get_bootinfo();
    // Its own CSpace at work: the endpoint copied into the first free slot, used from
    // then on.
    seL4_CPtr ep = bi->empty.start;
    seL4_Error e = seL4_CNode_Copy(seL4_CapInitThreadCNode, ep, seL4_WordBits,
                                   seL4_CapInitThreadCNode, PARENT, seL4_WordBits, seL4_AllRights);
    seL4_SetMR(0, data_word);
    seL4_SetMR(1, bss_word);
    seL4_SetMR(2, (seL4_Word)&data_word);
    seL4_SetMR(3, (seL4_Word)bi->ipcBuffer);
    seL4_SetMR(4, bi->empty.start);
    seL4_SetMR(5, bi->initThreadCNodeSizeBits);
    seL4_SetMR(6, e);
    seL4_SetMR(7, bi->numNodes);
    seL4_MessageInfo_t req = seL4_Call(PARENT, seL4_MessageInfo_new(HELLO, 0, 0, 8));
    for (;;) {
        seL4_Word result = 0;
        switch (seL4_MessageInfo_get_label(req)) {
        case ADD:
            for (seL4_Word i = 0; i < seL4_MessageInfo_get_length(req); i++)
                result += seL4_GetMR(i);
            break;
        case TOUCH:
            result = *(volatile seL4_Word *)seL4_GetMR(0);
            break;
        case ASYNCSYS:
            // Slot empty.start holds the endpoint's copy; the script takes the next two.
            req = seL4_Call(ep, seL4_MessageInfo_new(RESULT, 0, 0, child_asyncsys(bi->empty.start + 1)));
            continue;
        default:
            // Returning from main would halt the system, as for a root task.
            seL4_TCB_Suspend(seL4_CapInitThreadTCB);
        }
        seL4_SetMR(0, result);
        req = seL4_Call(ep, seL4_MessageInfo_new(RESULT, 0, 0, 1));
    }
}
