// The server's frame and page-table pools (server.h): caps the root task gave it in one
// run of slots, handed out and taken back.
#include "server.h"

void pool_init(struct pool *p, seL4_CPtr *stack, seL4_CPtr first, unsigned size)
{
    p->stack = stack;
    p->size = p->n = size;
    // Handed out from the first slot on (the stack's top is its end).
    for (unsigned i = 0; i < size; i++)
        stack[i] = first + size - 1 - i;
}

seL4_CPtr pool_take(struct pool *p)
{
    return p->n ? p->stack[--p->n] : 0;
}

void pool_put(struct pool *p, seL4_CPtr cap)
{
    p->stack[p->n++] = cap;
}
