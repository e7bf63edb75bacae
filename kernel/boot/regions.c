#include "regions.h"

static void remove_at(struct region_list *l, int i)
{
    for (int j = i; j + 1 < l->n; j++)
        l->r[j] = l->r[j + 1];
    l->n--;
}

static bool insert_at(struct region_list *l, int i, struct region r)
{
    if (l->n >= MAX_REGIONS)
        return false;
    for (int j = l->n; j > i; j--)
        l->r[j] = l->r[j - 1];
    l->r[i] = r;
    l->n++;
    return true;
}

bool region_list_add(struct region_list *l, paddr_t start, paddr_t end)
{
    if (start >= end)
        return true;
    int i = 0;
    while (i < l->n && l->r[i].end < start)
        i++;
    // Merge with every region that overlaps or touches [start, end).
    while (i < l->n && l->r[i].start <= end) {
        start = MIN(start, l->r[i].start);
        end = MAX(end, l->r[i].end);
        remove_at(l, i);
    }
    return insert_at(l, i, (struct region){start, end});
}

bool region_list_remove(struct region_list *l, paddr_t start, paddr_t end)
{
    if (start >= end)
        return true;
    for (int i = 0; i < l->n; i++) {
        struct region r = l->r[i];
        if (r.end <= start || r.start >= end)
            continue;
        if (r.start < start && r.end > end) {
            // The hole splits the region in two.
            l->r[i].end = start;
            return insert_at(l, i + 1, (struct region){end, r.end});
        }
        if (r.start < start) {
            l->r[i].end = start;
        } else if (r.end > end) {
            l->r[i].start = end;
        } else {
            remove_at(l, i);
            i--;
        }
    }
    return true;
}

// First fit from low addresses: boot objects end up packed just after the kernel and
// the user image, and the large blocks higher up stay whole for the untypeds.
bool region_list_alloc(struct region_list *l, unsigned bits, paddr_t *out)
{
    for (int i = 0; i < l->n; i++) {
        paddr_t p = ROUND_UP(l->r[i].start, bits);
        if (p >= l->r[i].start && p + BIT(bits) <= l->r[i].end && p + BIT(bits) > p) {
            *out = p;
            return region_list_remove(l, p, p + BIT(bits));
        }
    }
    return false;
}

uint64_t region_list_bytes(const struct region_list *l)
{
    uint64_t total = 0;
    for (int i = 0; i < l->n; i++)
        total += l->r[i].end - l->r[i].start;
    return total;
}

int carve_blocks(paddr_t start, paddr_t end, unsigned min_bits, unsigned max_bits,
                 struct block *out, int max)
{
    int n = 0;
    if (ROUND_UP(start, min_bits) < start)
        return 0;  // rounding up wrapped past the top of the address space
    start = ROUND_UP(start, min_bits);
    end = ROUND_DOWN(end, min_bits);
    while (start < end) {
        unsigned bits = start ? (unsigned)__builtin_ctzl(start) : 63;
        bits = MIN(bits, max_bits);
        while (bits > min_bits && BIT(bits) > end - start)
            bits--;
        if (n < max)
            out[n] = (struct block){start, bits};
        n++;
        start += BIT(bits);
    }
    return n;
}
