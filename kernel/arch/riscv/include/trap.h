#pragma once
#include "types.h"

// Picks the next thread and enters it; never returns.
NORETURN void return_to_user(void);
