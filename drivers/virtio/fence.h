// The orderings a virtio driver needs between its writes to shared memory, the
// device's view of them and the doorbell (virtio 1.2, 2.7.13: the descriptors before
// the available index, the index before the notification; the used index before the
// entries it covers). On RISC-V these are fences on memory (r, w) and device I/O (i,
// o); the host build of the virtqueue tests uses a full compiler and CPU fence.
#pragma once

#if defined(__riscv)
// Memory writes before later memory writes (ring entries before the index).
#define virtio_fence_ww() asm volatile("fence w, w" ::: "memory")
// Memory reads before later memory reads (the used index before its entries).
#define virtio_fence_rr() asm volatile("fence r, r" ::: "memory")
// Memory writes before a later device write (the index before the doorbell).
#define virtio_fence_wo() asm volatile("fence w, o" ::: "memory")
// A device read before later memory reads (the interrupt status before the rings).
#define virtio_fence_ir() asm volatile("fence i, r" ::: "memory")
// A memory write before later memory reads (a ring flag before re-reading the used index).
#define virtio_fence_wr() asm volatile("fence w, r" ::: "memory")
#else
#define virtio_fence_ww() __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define virtio_fence_rr() __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define virtio_fence_wo() __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define virtio_fence_ir() __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define virtio_fence_wr() __atomic_thread_fence(__ATOMIC_SEQ_CST)
#endif
