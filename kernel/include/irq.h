// Interrupt lines as capabilities. IRQ delivery arrives with issue 5; until then the
// kernel tracks which lines have a handler cap so that deletion frees them.
#pragma once
#include "types.h"

#define MAX_IRQ 1023

void irq_free(word_t irq);
