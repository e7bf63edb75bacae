// The child's ASYNCSYS command (ASYNCSYS0015, tests/sel4test/asyncsys_procs.c): several
// children run it at once, each in its own CSpace and VSpace with its own rings. The
// parent gave every child the same cptrs for different objects; the script runs each
// round once through the child's rings and once synchronously, and every reply must
// be the same word for word. What the asynchronous run saw (a frame's address, an
// untyped's free bytes) goes back to the parent, which knows whose objects they are.
#include "child.h"
#include "../asyncsys_call.h"

#define ROOT seL4_CapInitThreadCNode
#define DEPTH seL4_WordBits

static struct al4_asyncsys as;

// The script, which leaves the CSpace as it found it: a Signal, retypes that work, that
// find the slot taken and that do not fit, a copy of the frame read back, the undo.
static void script(const seL4_Word *arg, seL4_CPtr free, struct request *r)
{
    seL4_CPtr frame = arg[CA_FRAME], ut = arg[CA_UNTYPED];
    r[0] = (struct request){frame, RISCVPageGetAddress, 0, 0, {0}, {0}};
    r[1] = (struct request){arg[CA_SIGNAL], 0, 0, 0, {0}, {0}};
    r[2] = (struct request){ut, UntypedRetype, 1, 6, {ROOT}, {seL4_NotificationObject, 0, 0, 0, free, 1}};
    r[3] = r[2];
    r[4] = (struct request){ut, UntypedRetype, 1, 6, {ROOT}, {seL4_UntypedObject, arg[CA_UT_BITS], 0, 0, free + 1, 1}};
    r[5] = (struct request){ROOT, CNodeCopy, 1, 5, {ROOT}, {free + 1, DEPTH, frame, DEPTH, seL4_AllRights.words[0]}};
    r[6] = (struct request){free + 1, RISCVPageGetAddress, 0, 0, {0}, {0}};
    r[7] = (struct request){ROOT, CNodeRevoke, 0, 2, {0}, {ut, DEPTH}};
    r[8] = (struct request){ROOT, CNodeDelete, 0, 2, {0}, {free + 1, DEPTH}};
}

unsigned child_asyncsys(seL4_CPtr free)
{
    seL4_Word arg[CA_WORDS];
    for (unsigned i = 0; i < CA_WORDS; i++)
        arg[i] = seL4_GetMR(i);
    seL4_Word bad = al4_asyncsys_register(arg[CA_RING_NTFN], seL4_CapInitThreadTCB, arg[CA_RING_FRAME]);
    al4_asyncsys_init(&as, (void *)arg[CA_RING_VA], AL4_ASYNCSYS_FRAME_BITS);
    struct request r[CA_STEPS];
    script(arg, free, r);
    struct outcome a[CA_STEPS], s;
    for (seL4_Word round = 0; round < arg[CA_ROUNDS] && !bad; round++) {
        for (unsigned i = 0; i < CA_STEPS; i++)
            bad += !call_async_on(&as, arg[CA_RING_NTFN], &r[i], &a[i]);
        // Let the other children in between (on one hart they take turns here).
        seL4_Yield();
        for (unsigned i = 0; i < CA_STEPS; i++) {
            call_sync(&r[i], &s);
            bad += !outcome_eq(&a[i], &s);
        }
    }
    const struct al4_asyncsys_shared *sh = (const struct al4_asyncsys_shared *)arg[CA_RING_VA];
    seL4_SetMR(CR_BAD, bad);
    seL4_SetMR(CR_PADDR, a[0].mr[0]);
    seL4_SetMR(CR_COPY_PADDR, a[6].mr[0]);
    seL4_SetMR(CR_FREE_BYTES, a[4].label == seL4_NotEnoughMemory ? a[4].mr[0] : 0);
    seL4_SetMR(CR_RETYPED, a[2].label == seL4_NoError && a[3].label == seL4_DeleteFirst);
    seL4_SetMR(CR_ANSWERED, sh->kern.rep_tail);
    return CR_WORDS;
}
