// Reports from a benchmark's peer processes to their root task (bench-aipc,
// bench-asyncsys): one message on an endpoint, its words the report.
#pragma once
#include <sel4/sel4.h>
#include <stdbool.h>

// Receives the next report on `ep` into r[0..n-1]; true when its label is `label`.
bool bench_take_report(seL4_CPtr ep, seL4_Word label, seL4_Word *r, unsigned n);
