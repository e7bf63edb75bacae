// Invocation dispatch (kernel/api/invocation.c): which object a cap names, then that
// object's decode function. Only kernel/api/ includes this header; what decode
// functions share is in decode.h, below it.
#pragma once
#include "decode.h"

word_t decode_invocation(struct invocation *inv, bool blocking);
