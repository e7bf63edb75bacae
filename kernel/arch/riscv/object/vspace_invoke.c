// RISC-V object invocations: frames, page tables, ASID control and ASID pools (seL4's
// decodeRISCVMMUInvocation). Each object's decoder lives in its own file.
#include "vspace_invoke.h"
#include "asid.h"
#include "hart.h"
#include "printf.h"

word_t decode_vspace_root(struct invocation *inv, const char *who, pte_t **root, word_t *asid)
{
    struct cap c = inv->extra[0]->cap;
    if (cap_get_tag(c) != cap_page_table || !cap_page_table_is_mapped(c)) {
        user_error("%s: Invalid top-level PageTable.", who);
        return refuse_arg(inv, seL4_InvalidCapability, 1);
    }
    pte_t *pt = cap_ptr(c), *found = find_vspace_for_asid(cap_page_table_asid(c));
    if (!found) {
        user_error("%s: ASID lookup failed.", who);
        return refuse_lookup(inv, false, (struct lookup_fault){.type = seL4_InvalidRoot});
    }
    if (found != pt) {
        user_error("%s: ASID lookup failed (the ASID names another VSpace).", who);
        return refuse_arg(inv, seL4_InvalidCapability, 1);
    }
    *root = pt;
    *asid = cap_page_table_asid(c);
    return seL4_NoError;
}

word_t arch_decode_invocation(struct invocation *inv)
{
    switch (cap_get_tag(inv->cap)) {
    case cap_frame:
        return decode_frame(inv);
    case cap_page_table:
        return decode_page_table(inv);
    case cap_asid_control:
        return decode_asid_control(inv);
    case cap_asid_pool:
        return decode_asid_pool(inv);
    default:
        user_error("Invocation of an arch cap of unknown type %u.", cap_get_tag(inv->cap));
        return refuse_arg(inv, seL4_InvalidCapability, 0);
    }
}
