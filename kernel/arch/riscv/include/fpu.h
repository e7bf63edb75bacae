#pragma once
#include "types.h"

struct tcb;
struct hart;

void fpu_init_hart(void);
void fpu_switch_to(struct tcb *t);
bool fpu_take(struct tcb *t);
void fpu_release(struct tcb *t);
void fpu_flush(struct hart *h);
