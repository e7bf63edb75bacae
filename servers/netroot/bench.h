// make bench-net's sequence in the root task (docs/netserver.md, "Benchmark").
#pragma once
#include "start.h"

// Calibrates the spinner, then starts a waker-driven server and, once the host hands
// it over, a polling one, spinning below them meanwhile. Returns when both are done.
int net_bench_run(struct al4_alloc *a, struct net_start *s);
