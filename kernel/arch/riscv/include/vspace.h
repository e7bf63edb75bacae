#pragma once
#include "types.h"
#include "pte.h"
#include "fdt.h"

struct tcb;

extern pte_t kernel_root_pt[PT_ENTRIES];
extern word_t boot_trampoline_satp;

paddr_t kpptr_to_paddr(const void *p);
void vspace_init_kernel(const struct fdt_info *fdt);
void vspace_init_trampoline(void);
void vspace_copy_kernel(pte_t *root);
void vspace_map_boot(pte_t *root, vptr_t v, paddr_t p, word_t flags, pte_t *(*alloc_pt)(void));
void vspace_activate(struct tcb *t);
word_t vspace_satp(paddr_t root, word_t asid);
void *vspace_lookup(struct tcb *t, vptr_t v);
