// C runtime for the root task: thread-local storage, the IPC buffer pointer, stdio on
// DebugPutChar (picolibc), then main(); returning from main halts the system.
#include <sel4/sel4.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

__thread seL4_IPCBuffer *__sel4_ipc_buffer;

extern char __tdata_start[], __tdata_end[], __tbss_start[], __tbss_end[];
int main(void);
void __sel4_start_root(seL4_BootInfo *bi);

static seL4_BootInfo *boot_info;
// The main thread's TLS block. RISC-V uses TLS variant I with no TCB: tp points at
// the start of .tdata's copy, .tbss follows.
static char main_tls[512] __attribute__((aligned(16)));

seL4_BootInfo *platsupport_get_bootinfo(void)
{
    return boot_info;
}

// Without CONFIG_PRINTING the kernel has no console call: output is dropped.
static int debug_putc(char c, FILE *f)
{
    (void)f;
#ifdef CONFIG_PRINTING
    seL4_DebugPutChar(c);
#endif
    return (unsigned char)c;
}

// The root task's end: the machine halts in debug builds; elsewhere (no DebugHalt)
// the thread stops for good.
static void halt(void)
{
#ifdef CONFIG_DEBUG_BUILD
    seL4_DebugHalt();
#endif
    seL4_TCB_Suspend(seL4_CapInitThreadTCB);
}

static FILE console = FDEV_SETUP_STREAM(debug_putc, NULL, NULL, _FDEV_SETUP_WRITE);
FILE *const stdout = &console;
FILE *const stderr = &console;
FILE *const stdin = &console;

void _exit(int status);
void _exit(int status)
{
    printf("root task exited with status %d\n", status);
    halt();
    for (;;)
        ;
}

void __sel4_start_root(seL4_BootInfo *bi)
{
    size_t tdata = __tdata_end - __tdata_start;
    size_t tls = __tbss_end - __tdata_start;
    if (tls > sizeof(main_tls)) {
        // Cannot print through stdio yet: its buffer pointer lives in TLS.
        const char *msg = "root task: TLS larger than the runtime's static block\n";
        while (*msg)
            debug_putc(*msg++, NULL);
        halt();
    }
    memcpy(main_tls, __tdata_start, tdata);
    memset(main_tls + tdata, 0, tls - tdata);
    asm volatile("mv tp, %0" : : "r"(main_tls));
    boot_info = bi;
    seL4_SetIPCBuffer(bi->ipcBuffer);
    exit(main());
}
