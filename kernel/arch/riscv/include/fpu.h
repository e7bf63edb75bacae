#pragma once

struct tcb;

void fpu_init_hart(void);
void fpu_switch_to(struct tcb *t);
void fpu_release(struct tcb *t);
