// The network server's socket service (docs/sockets.md): TCP for an application in
// another process, over one asynchronous IPC connection (al4/aipc.h) from that process,
// with the bytes in a data region the two share. The protocol, seen by both sides.
//
// Every request is an aipc call: the label names the operation, the words its
// arguments; the reply's label is SOCK_OK or an error below, its words the results.
// A socket's bytes travel through its two buffers in the data region: RECV fills the
// receive buffer, SEND takes the send buffer; the server reads and writes nothing else
// there, and checks every index and length it is given.
#pragma once
#include <stdint.h>

#define SOCK_MAX 128       // sockets (accepted connections) at once, all clients
#define SOCK_LISTENERS 4   // listening ports, all clients
// What one client (an application) may hold of them, so that neither can lock the
// other out: connections past its sockets are refused (RST), LISTENs past its ports
// get SOCK_ENOMEM.
#define SOCK_PER_CLIENT 64
#define SOCK_LISTENERS_PER_CLIENT 2
#define SOCK_BUF 2048      // bytes of each of a socket's two buffers
// The data region: socket s's receive buffer at SOCK_RX(s), its send buffer at SOCK_TX(s).
#define SOCK_RX(s) ((unsigned long)(s) * 2 * SOCK_BUF)
#define SOCK_TX(s) (SOCK_RX(s) + SOCK_BUF)
#define SOCK_REGION_BYTES (SOCK_MAX * 2 * SOCK_BUF)  // a client's region: 512 KiB

enum sock_op {
    SOCK_LISTEN = 1,  // w0 = port. Reply w0 = listener index.
    SOCK_ACCEPT = 2,  // w0 = listener. Answered when a connection comes: w0 = socket.
    SOCK_RECV = 3,    // w0 = socket. Answered when bytes came: w0 = how many, now in its
                      // receive buffer (at most SOCK_BUF); 0: the peer closed.
    SOCK_SEND = 4,    // w0 = socket, w1 = length (1..SOCK_BUF) of its send buffer. Answered
                      // once every byte is in lwIP's send queue: w0 = length.
    SOCK_CLOSE = 5,   // w0 = socket. Closes it; calls waiting on it end with SOCK_ECLOSED.
};

enum sock_err {
    SOCK_OK = 0,
    SOCK_EINVAL = 1,   // unknown operation, wrong word count, an index or length out of range
    SOCK_EBADF = 2,    // no such socket or listener open
    SOCK_EBUSY = 3,    // a call of that kind is already waiting on it (one each at a time)
    SOCK_ERESET = 4,   // the connection was reset or aborted (idle); only CLOSE is left
    SOCK_ECLOSED = 5,  // closed by CLOSE while the call waited
    SOCK_ENOMEM = 6,   // no listener slot (the client's two, or all four taken), or lwIP
                       // refused the port (LISTEN)
};
