// Reading the network configuration from the kernel command line (config.h).
#include "config.h"
#include <string.h>

enum { ABSENT, FOUND, TOO_LONG };

// The value of the last `key=` in the space-separated args, copied into out.
static int value(const char *args, const char *key, char *out, size_t size)
{
    size_t klen = strlen(key);
    int r = ABSENT;
    for (const char *p = args; p && *p;) {
        while (*p == ' ')
            p++;
        const char *end = strchr(p, ' ');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len > klen && strncmp(p, key, klen) == 0 && p[klen] == '=') {
            if (len - klen - 1 < size) {
                memcpy(out, p + klen + 1, len - klen - 1);
                out[len - klen - 1] = '\0';
                r = FOUND;
            } else {
                r = TOO_LONG;
            }
        }
        p += len;
    }
    return r;
}

// Dotted quad to host byte order; false unless exactly four numbers 0..255.
static bool dotted(const char *s, uint32_t *out)
{
    uint32_t a = 0;
    for (int i = 0; i < 4; i++) {
        unsigned n = 0, digits = 0;
        while (*s >= '0' && *s <= '9' && digits < 4) {
            n = n * 10 + (unsigned)(*s++ - '0');
            digits++;
        }
        if (!digits || n > 255 || *s != (i < 3 ? '.' : '\0'))
            return false;
        s += i < 3;
        a = a << 8 | n;
    }
    *out = a;
    return true;
}

// An address key: true when absent (the default stays) or well formed.
static bool address(const char *args, const char *key, uint32_t *out)
{
    char v[32];
    int r = value(args, key, v, sizeof(v));
    return r == ABSENT || (r == FOUND && dotted(v, out));
}

// A word key: *out set when present; false when too long.
static bool word(const char *args, const char *key, char *out, size_t size)
{
    out[0] = '\0';
    return value(args, key, out, size) != TOO_LONG;
}

// A decimal key up to max: true when absent (the default stays) or well formed.
static bool decimal(const char *args, const char *key, uint32_t max, uint32_t *out)
{
    char v[12];
    int r = value(args, key, v, sizeof(v));
    if (r == ABSENT)
        return true;
    uint64_t n = 0;
    const char *p = v;
    for (; r == FOUND && *p >= '0' && *p <= '9'; p++)
        n = n * 10 + (uint64_t)(*p - '0');  // at most 11 digits: no overflow
    if (r != FOUND || p == v || *p || n > max)
        return false;
    *out = (uint32_t)n;
    return true;
}

bool net_config_parse(struct net_config *c, const char *bootargs)
{
    *c = (struct net_config){0x0a00020f, 0xffffff00, 0x0a000202, false, true, false,
                             NET_BUSY_US_DEFAULT, false, NET_APP_HART_AUTO};
    char v[16];
    bool ok = address(bootargs, "net_ip", &c->ip);
    ok &= address(bootargs, "net_mask", &c->mask);
    ok &= address(bootargs, "net_gw", &c->gw);
    ok &= word(bootargs, "net_poll", v, sizeof(v));
    c->classic = strcmp(v, "classic") == 0;
    ok &= word(bootargs, "net_timer", v, sizeof(v));
    c->timer = strcmp(v, "0") != 0;
    ok &= word(bootargs, "net_bench", v, sizeof(v));
    c->bench = strcmp(v, "1") == 0;
    ok &= decimal(bootargs, "net_busy_us", NET_BUSY_US_MAX, &c->busy_us);
    ok &= word(bootargs, "net_app_fault", v, sizeof(v));
    c->app_fault = strcmp(v, "1") == 0;
    ok &= decimal(bootargs, "net_app_hart", NET_APP_HART_MAX, &c->app_hart);
    return ok;
}
