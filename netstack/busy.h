// Busy polling's part of the stack's start (busy.c): netstack_init calls it.
#pragma once
#include <netstack.h>

void netstack_busy_init(struct netstack *ns);
