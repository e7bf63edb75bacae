// The domain cap (seL4's object/domain.c): SetSet and the domain schedule. aL4 has
// one domain, as upstream's test configuration for this board, so every thread is in
// domain 0 and the schedule only records what it is told; the checks are seL4's,
// so a program that configures a schedule gets the answers it would get there.
#include "decode.h"
#include "printf.h"
#include "hart.h"
#include <sel4/invocation.h>

// seL4's KernelNumDomainSchedules default with one domain, and its packing of an
// entry: the duration in the low 56 bits (domain in the top 8).
#define NUM_DOMAIN_SCHEDULES 2
#define DSCHED_MAX_DURATION  (~0ul >> 8)

struct dschedule {
    word_t domain, duration;  // duration 0: end marker
};

// As seL4's boot state: entry 0 is domain 0 for a very long time, the rest are end
// markers.
static struct dschedule schedule[NUM_DOMAIN_SCHEDULES] = {{0, DSCHED_MAX_DURATION}};
static word_t schedule_start;

static word_t decode_set_set(struct invocation *inv)
{
    if (inv->length == 0) {
        user_error("Domain Configure: Truncated message.");
        return refuse(inv, seL4_TruncatedMessage);
    }
    if (inv_arg(inv, 0) >= seL4_NumDomains) {
        user_error("Domain Configure: invalid domain (%lu >= %u).", inv_arg(inv, 0), seL4_NumDomains);
        return refuse_arg(inv, seL4_InvalidArgument, 0);
    }
    if (inv->n_extra < 1) {
        user_error("Domain Configure: Truncated message.");
        return refuse(inv, seL4_TruncatedMessage);
    }
    if (cap_get_tag(inv->extra[0]->cap) != cap_thread) {
        user_error("Domain Configure: thread cap required.");
        return refuse_arg(inv, seL4_InvalidArgument, 1);
    }
    return seL4_NoError;  // one domain: the thread is already in domain 0
}

static word_t index_range(struct invocation *inv, const char *op)
{
    user_error("Domain Schedule %s: Invalid index.", op);
    return refuse_range(inv, 0, NUM_DOMAIN_SCHEDULES - 1);
}

static word_t decode_schedule_configure(struct invocation *inv)
{
    if (inv->length < 3) {  // index, domain, one word of time on 64-bit
        user_error("Domain Schedule Configure: Truncated message.");
        return refuse(inv, seL4_TruncatedMessage);
    }
    word_t index = inv_arg(inv, 0), domain = inv_arg(inv, 1), duration = inv_arg(inv, 2);
    if (index >= NUM_DOMAIN_SCHEDULES)
        return index_range(inv, "Configure");
    if (domain >= seL4_NumDomains) {
        user_error("Domain Schedule Configure: Invalid domain.");
        return refuse_range(inv, 0, seL4_NumDomains - 1);
    }
    if (duration > DSCHED_MAX_DURATION) {
        user_error("Domain Schedule Configure: duration must fit in 56 bits.");
        return refuse_arg(inv, seL4_InvalidArgument, 2);
    }
    if (duration == 0 && domain != 0) {
        user_error("Domain Schedule Configure: Both domain and duration must be zero for end markers.");
        return refuse_arg(inv, seL4_InvalidArgument, 1);
    }
    if (index == schedule_start && duration == 0) {
        user_error("Domain Schedule Configure: Starting schedule's duration must not be zero.");
        return refuse_arg(inv, seL4_InvalidArgument, 2);
    }
    schedule[index] = (struct dschedule){domain, duration};
    return seL4_NoError;
}

static word_t decode_schedule_set_start(struct invocation *inv)
{
    if (inv->length < 1) {
        user_error("Domain Schedule Set Start: Truncated message.");
        return refuse(inv, seL4_TruncatedMessage);
    }
    word_t index = inv_arg(inv, 0);
    if (index >= NUM_DOMAIN_SCHEDULES)
        return index_range(inv, "Set Start");
    if (schedule[index].duration == 0) {
        user_error("Domain Schedule Set Start: Starting schedule must not be an end marker.");
        return refuse_arg(inv, seL4_InvalidArgument, 0);
    }
    // seL4 also ends the current domain's time here; with one domain nothing switches.
    schedule_start = index;
    return seL4_NoError;
}

word_t decode_domain(struct invocation *inv)
{
    switch (inv->label) {
    case DomainSetSet:
        return decode_set_set(inv);
    case DomainScheduleConfigure:
        return decode_schedule_configure(inv);
    case DomainScheduleSetStart:
        return decode_schedule_set_start(inv);
    default:
        user_error("Domain cap: Illegal operation attempted.");
        return refuse(inv, seL4_IllegalOperation);
    }
}
