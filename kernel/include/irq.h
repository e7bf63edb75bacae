// Interrupt lines as capabilities (object/irq.c) and the kernel's timer.
#pragma once
#include "types.h"

void irq_free(word_t irq);
void handle_irq(void);
