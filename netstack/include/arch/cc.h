// lwIP's architecture header (lwip/arch.h includes it): compiler and C library
// specifics for aL4's user programs (picolibc, RV64) and for the host tests (glibc).
// Both are little-endian with <stdint.h> and <inttypes.h>, which lwIP's defaults use.
#pragma once
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define LWIP_PLATFORM_DIAG(x) \
    do { \
        printf x; \
    } while (0)

// exit, not abort: picolibc's abort raises a signal, which aL4's runtime does not have;
// exit ends in the runtime's _exit, which stops the program.
#define LWIP_PLATFORM_ASSERT(msg) \
    do { \
        printf("lwIP assertion \"%s\" failed at %s:%d\n", msg, __FILE__, __LINE__); \
        exit(EXIT_FAILURE); \
    } while (0)

// Initial sequence numbers and local ports (tcp.c, udp.c): netstack_port.c.
uint32_t netstack_rand(void);
#define LWIP_RAND() netstack_rand()
