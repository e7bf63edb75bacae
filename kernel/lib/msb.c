// msb()'s table (types.h): the index of the highest set bit of each byte (0 for 0,
// which msb never looks up).
#include "types.h"

const uint8_t msb_byte[256] = {
    [2 ... 3] = 1, [4 ... 7] = 2, [8 ... 15] = 3, [16 ... 31] = 4,
    [32 ... 63] = 5, [64 ... 127] = 6, [128 ... 255] = 7,
};
