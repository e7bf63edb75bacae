#pragma once
#include "fdt.h"

void smp_start_secondaries(const struct fdt_info *fdt, word_t boot_hartid);
