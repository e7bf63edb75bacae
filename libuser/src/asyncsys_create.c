// Setting up asynchronous system calls for a thread of the caller's own process
// (al4/asyncsys.h): everything a root task or a process with an allocator does before
// its first request, in the order the kernel checks it (docs/asyncsys.md).
#include <al4/asyncsys.h>
#include <al4/process.h>

seL4_Error al4_asyncsys_create(struct al4_asyncsys *as, struct al4_alloc *a, seL4_CPtr tcb,
                               seL4_Word va, unsigned frame_bits, seL4_CPtr *ntfn)
{
    seL4_Word type = frame_bits == AL4_ASYNCSYS_MEGA_BITS   ? seL4_RISCV_Mega_Page
                     : frame_bits == AL4_ASYNCSYS_FRAME_BITS ? seL4_RISCV_4K_Page
                                                             : 0;
    if (!type || (va & ((1ul << frame_bits) - 1)))
        return seL4_InvalidArgument;
    *ntfn = al4_alloc_object(a, seL4_NotificationObject, 0);
    seL4_CPtr frame = al4_alloc_object(a, type, 0);
    if (!*ntfn || !frame)
        return seL4_NotEnoughMemory;
    seL4_Error e = al4_map_frame(a, a->vspace, frame, va, seL4_ReadWrite, seL4_RISCV_ExecuteNever);
    if (e || (e = al4_asyncsys_register(*ntfn, tcb, frame)))
        return e;
    // Frames retyped from RAM start zeroed, as al4_asyncsys_init expects.
    al4_asyncsys_init(as, (void *)va, frame_bits);
    return seL4_NoError;
}
