// The PROCESS child's protocol with its parent (tests/sel4test/process.c and
// asyncsys_procs.c share these labels and words).
#pragma once
#include <sel4/sel4.h>

enum { HELLO = 1, ADD, TOUCH, STOP, RESULT, ASYNCSYS };

// ASYNCSYS's message: cptrs in the child's CSpace and what to do.
enum { CA_RING_VA, CA_RING_FRAME, CA_RING_NTFN, CA_FRAME, CA_SIGNAL, CA_UNTYPED, CA_UT_BITS,
       CA_ROUNDS, CA_WORDS };
#define CA_STEPS 9  // requests a round of the script makes (child/asyncsys.c)
// Its RESULT: replies that differed from the synchronous call, and what the
// asynchronous requests answered.
enum { CR_BAD, CR_PADDR, CR_COPY_PADDR, CR_FREE_BYTES, CR_RETYPED, CR_ANSWERED, CR_WORDS };

// Runs the ASYNCSYS script with the message's words; sets the RESULT words and returns
// how many. `free` is the child's first free slot (two are used).
unsigned child_asyncsys(seL4_CPtr free);
