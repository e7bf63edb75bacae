// The aipc peer's entry: the root task's first boot arg picks the role (peer.h).
#include "peer.h"
#include <al4/bootinfo.h>

int main(void)
{
    const seL4_BootInfo *bi = platsupport_get_bootinfo();
    switch (al4_bootinfo_arg(bi, ARG_ROLE, 0)) {
    case PEER_SERVER:
        peer_server(bi);
        break;
    case PEER_SYNC_SERVER:
        peer_sync_server(bi);
        break;
    default:
        peer_client(bi);
    }
    // Returning from main would halt the system, as for a root task.
    seL4_TCB_Suspend(seL4_CapInitThreadTCB);
    return 0;
}
