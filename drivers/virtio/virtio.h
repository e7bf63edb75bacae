// virtio constants shared by the transport, the virtqueues and the device drivers
// (virtio 1.2: 2.1 device status, 4.2.2 the MMIO register layout, 4.2.4 its legacy
// interface, 6 reserved feature bits), and the library's error codes.
#pragma once
#include <stdint.h>

// Errors: every function that can fail returns one of these (negative) or 0.
enum {
    VIRTIO_OK = 0,
    VIRTIO_ENODEV = -1,     // no virtio device there (magic or device id 0)
    VIRTIO_EVERSION = -2,   // a transport version this library does not drive
    VIRTIO_EFEATURES = -3,  // a required feature missing, or FEATURES_OK not kept
    VIRTIO_EINVAL = -4,     // bad arguments (queue size, memory too small or misaligned)
    VIRTIO_EQUEUE = -5,     // the queue is missing, already in use, or too small
    VIRTIO_EFULL = -6,      // no free descriptor (or buffer) left
    VIRTIO_EBADIDX = -7,    // the device's used index ran ahead of what was given it
    VIRTIO_EBADID = -8,     // a used entry names a descriptor that is not outstanding
    VIRTIO_EBADLEN = -9,    // a used entry's length exceeds the writable buffer
    VIRTIO_ECONFIG = -10,   // the configuration generation kept changing under a read
};

// MMIO registers, byte offsets (the legacy names in comments where they differ).
enum {
    VIRTIO_MMIO_MAGIC = 0x000,
    VIRTIO_MMIO_VERSION = 0x004,
    VIRTIO_MMIO_DEVICE_ID = 0x008,
    VIRTIO_MMIO_DEVICE_FEATURES = 0x010,      // HostFeatures
    VIRTIO_MMIO_DEVICE_FEATURES_SEL = 0x014,  // HostFeaturesSel
    VIRTIO_MMIO_DRIVER_FEATURES = 0x020,      // GuestFeatures
    VIRTIO_MMIO_DRIVER_FEATURES_SEL = 0x024,  // GuestFeaturesSel
    VIRTIO_MMIO_GUEST_PAGE_SIZE = 0x028,      // legacy only
    VIRTIO_MMIO_QUEUE_SEL = 0x030,
    VIRTIO_MMIO_QUEUE_NUM_MAX = 0x034,
    VIRTIO_MMIO_QUEUE_NUM = 0x038,
    VIRTIO_MMIO_QUEUE_ALIGN = 0x03c,  // legacy only
    VIRTIO_MMIO_QUEUE_PFN = 0x040,    // legacy only
    VIRTIO_MMIO_QUEUE_READY = 0x044,  // modern only
    VIRTIO_MMIO_QUEUE_NOTIFY = 0x050,
    VIRTIO_MMIO_INTERRUPT_STATUS = 0x060,
    VIRTIO_MMIO_INTERRUPT_ACK = 0x064,
    VIRTIO_MMIO_STATUS = 0x070,
    VIRTIO_MMIO_QUEUE_DESC_LOW = 0x080,  // modern: the three rings' addresses
    VIRTIO_MMIO_QUEUE_DESC_HIGH = 0x084,
    VIRTIO_MMIO_QUEUE_DRIVER_LOW = 0x090,
    VIRTIO_MMIO_QUEUE_DRIVER_HIGH = 0x094,
    VIRTIO_MMIO_QUEUE_DEVICE_LOW = 0x0a0,
    VIRTIO_MMIO_QUEUE_DEVICE_HIGH = 0x0a4,
    VIRTIO_MMIO_CONFIG_GENERATION = 0x0fc,  // modern only
    VIRTIO_MMIO_CONFIG = 0x100,
};

#define VIRTIO_MMIO_MAGIC_VALUE 0x74726976u  // "virt", little-endian

// Device status bits (2.1).
#define VIRTIO_STATUS_ACKNOWLEDGE 1u
#define VIRTIO_STATUS_DRIVER 2u
#define VIRTIO_STATUS_DRIVER_OK 4u
#define VIRTIO_STATUS_FEATURES_OK 8u
#define VIRTIO_STATUS_NEEDS_RESET 64u
#define VIRTIO_STATUS_FAILED 128u

// InterruptStatus bits.
#define VIRTIO_INT_USED_BUFFER 1u
#define VIRTIO_INT_CONFIG 2u

// Device-independent feature bits (6).
#define VIRTIO_F_ANY_LAYOUT (1ull << 27)
#define VIRTIO_F_VERSION_1 (1ull << 32)

// Device ids (5).
#define VIRTIO_ID_NET 1
#define VIRTIO_ID_ENTROPY 4
