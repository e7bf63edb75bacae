// IPC buffer access, as upstream libsel4: the buffer is found through a thread-local
// pointer that each thread sets once (seL4_SetIPCBuffer).
#pragma once
#include "shared_types.h"

extern __thread seL4_IPCBuffer *__sel4_ipc_buffer;

static inline void seL4_SetIPCBuffer(seL4_IPCBuffer *ipc_buffer) { __sel4_ipc_buffer = ipc_buffer; }
static inline seL4_IPCBuffer *seL4_GetIPCBuffer(void) { return __sel4_ipc_buffer; }
static inline seL4_Word seL4_GetMR(int i) { return seL4_GetIPCBuffer()->msg[i]; }
static inline void seL4_SetMR(int i, seL4_Word mr) { seL4_GetIPCBuffer()->msg[i] = mr; }
static inline seL4_Word seL4_GetUserData(void) { return seL4_GetIPCBuffer()->userData; }
static inline void seL4_SetUserData(seL4_Word data) { seL4_GetIPCBuffer()->userData = data; }
static inline seL4_Word seL4_GetBadge(int i) { return seL4_GetIPCBuffer()->caps_or_badges[i]; }
static inline seL4_CPtr seL4_GetCap(int i) { return seL4_GetIPCBuffer()->caps_or_badges[i]; }
static inline void seL4_SetCap(int i, seL4_CPtr cptr) { seL4_GetIPCBuffer()->caps_or_badges[i] = cptr; }

static inline void seL4_GetCapReceivePath(seL4_CPtr *cnode, seL4_CPtr *index, seL4_Word *depth)
{
    seL4_IPCBuffer *b = seL4_GetIPCBuffer();
    if (cnode)
        *cnode = b->receiveCNode;
    if (index)
        *index = b->receiveIndex;
    if (depth)
        *depth = b->receiveDepth;
}

static inline void seL4_SetCapReceivePath(seL4_CPtr cnode, seL4_CPtr index, seL4_Word depth)
{
    seL4_IPCBuffer *b = seL4_GetIPCBuffer();
    b->receiveCNode = cnode;
    b->receiveIndex = index;
    b->receiveDepth = depth;
}
