#pragma once
#include "bootinfo_types.h"

// Set by the C runtime from the a0 the kernel starts the root task with.
seL4_BootInfo *platsupport_get_bootinfo(void);
