// Frame caps for device registers, carved out of the kernel's device untypeds.
#pragma once
#include <al4/process.h>

// A frame cap for the 4 KiB device page at `paddr`, or 0. Retype only moves forward
// through an untyped, so pages of one untyped must be asked for in rising order.
seL4_CPtr device_frame(struct al4_alloc *a, const seL4_BootInfo *bi, seL4_Word paddr);
