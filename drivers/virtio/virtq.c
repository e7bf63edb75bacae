// Split virtqueue bookkeeping (virtq.h): the layout, the free list, publishing chains
// and taking used entries that the device cannot make the driver misuse.
#include "virtq.h"
#include <string.h>
#include "fence.h"

static size_t align_up(size_t x, size_t a)
{
    return (x + a - 1) & ~(a - 1);
}

static size_t avail_offset(uint16_t size)
{
    return sizeof(struct virtq_desc) * size;
}

// The legacy layout (2.7.2): the used ring starts at the first QueueAlign boundary after
// the available ring and its used_event word.
static size_t used_offset(uint16_t size)
{
    return align_up(avail_offset(size) + 6 + 2 * (size_t)size, VIRTQ_ALIGN);
}

size_t virtq_bytes(uint16_t size)
{
    return used_offset(size) + 6 + sizeof(struct virtq_used_elem) * size;
}

int virtq_init(struct virtq *q, uint16_t size, void *va, uint64_t pa, size_t bytes)
{
    if (size == 0 || size > VIRTQ_MAX || (size & (size - 1)) != 0)
        return VIRTIO_EINVAL;
    if (((uintptr_t)va | pa) % VIRTQ_ALIGN != 0 || bytes < virtq_bytes(size))
        return VIRTIO_EINVAL;
    memset(va, 0, virtq_bytes(size));
    memset(q, 0, sizeof(*q));
    q->size = size;
    q->desc = va;
    q->avail = (void *)((uint8_t *)va + avail_offset(size));
    q->used = (void *)((uint8_t *)va + used_offset(size));
    q->desc_pa = pa;
    q->avail_pa = pa + avail_offset(size);
    q->used_pa = pa + used_offset(size);
    for (uint16_t i = 0; i < size; i++)
        q->next[i] = i + 1;  // the last one's next is never followed: num_free runs out
    q->num_free = size;
    return VIRTIO_OK;
}

int virtq_add(struct virtq *q, const struct virtq_seg *segs, unsigned n_out, unsigned n_in)
{
    unsigned n = n_out + n_in;
    if (n == 0)
        return VIRTIO_EINVAL;
    if (n > q->num_free)
        return VIRTIO_EFULL;
    uint32_t writable = 0;
    for (unsigned i = 0; i < n; i++) {
        if (segs[i].len == 0)
            return VIRTIO_EINVAL;
        if (i >= n_out)
            writable += segs[i].len;
    }
    uint16_t head = q->free_head, d = head;
    for (unsigned i = 0; i < n; i++) {
        uint16_t flags = (i >= n_out ? VIRTQ_DESC_F_WRITE : 0) | (i + 1 < n ? VIRTQ_DESC_F_NEXT : 0);
        q->desc[d].addr = segs[i].pa;
        q->desc[d].len = segs[i].len;
        q->desc[d].flags = flags;
        q->desc[d].next = i + 1 < n ? q->next[d] : 0;
        if (i + 1 < n)
            d = q->next[d];
    }
    q->free_head = q->next[d];
    q->num_free -= n;
    q->chain[head] = n;
    q->writable[head] = writable;
    q->outstanding++;
    q->avail->ring[q->avail_idx % q->size] = head;
    // The device may read the descriptors and the slot as soon as it sees the index.
    virtio_fence_ww();
    q->avail->idx = ++q->avail_idx;
    return head;
}

// Puts the chain at `head` back on the free list, following the driver's own links.
static void free_chain(struct virtq *q, uint16_t head)
{
    uint16_t d = head;
    for (uint16_t i = 1; i < q->chain[head]; i++)
        d = q->next[d];
    q->next[d] = q->free_head;
    q->free_head = head;
    q->num_free += q->chain[head];
    q->chain[head] = 0;
    q->outstanding--;
}

int virtq_get(struct virtq *q, struct virtq_done *done)
{
    uint16_t pending = (uint16_t)(q->used->idx - q->used_seen);
    if (pending == 0)
        return 0;
    if (pending > q->outstanding) {
        q->errors++;
        return VIRTIO_EBADIDX;
    }
    // The entry is read only after the index that covers it.
    virtio_fence_rr();
    volatile struct virtq_used_elem *e = &q->used->ring[q->used_seen % q->size];
    uint32_t id = e->id, len = e->len;  // read once: the device may change them
    q->used_seen++;
    done->id = (uint16_t)id;
    done->len = 0;
    if (id >= q->size || q->chain[id] == 0) {
        done->id = id >= q->size ? UINT16_MAX : (uint16_t)id;
        q->errors++;
        return VIRTIO_EBADID;
    }
    uint32_t writable = q->writable[id];
    free_chain(q, (uint16_t)id);
    if (len > writable) {
        q->errors++;
        return VIRTIO_EBADLEN;
    }
    done->len = len;
    return 1;
}

void virtq_interrupts(struct virtq *q, int on)
{
    q->avail->flags = on ? 0 : VIRTQ_AVAIL_F_NO_INTERRUPT;
    if (on)
        virtio_fence_wr();
}
