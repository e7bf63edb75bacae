// Reading the network configuration from the kernel command line (config.h).
#include "config.h"
#include <string.h>

// The value of `key=` in the space-separated args, copied into out; false if absent.
static bool value(const char *args, const char *key, char *out, size_t size)
{
    size_t klen = strlen(key);
    for (const char *p = args; p && *p;) {
        while (*p == ' ')
            p++;
        const char *end = strchr(p, ' ');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len > klen && strncmp(p, key, klen) == 0 && p[klen] == '=' && len - klen - 1 < size) {
            memcpy(out, p + klen + 1, len - klen - 1);
            out[len - klen - 1] = '\0';
            return true;
        }
        p += len;
    }
    return false;
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

bool net_config_parse(struct net_config *c, const char *bootargs)
{
    *c = (struct net_config){0x0a00020f, 0xffffff00, 0x0a000202, false, true, false};
    char v[32];
    bool ok = true;
    if (value(bootargs, "net_ip", v, sizeof(v)))
        ok &= dotted(v, &c->ip);
    if (value(bootargs, "net_mask", v, sizeof(v)))
        ok &= dotted(v, &c->mask);
    if (value(bootargs, "net_gw", v, sizeof(v)))
        ok &= dotted(v, &c->gw);
    if (value(bootargs, "net_poll", v, sizeof(v)))
        c->classic = strcmp(v, "classic") == 0;
    if (value(bootargs, "net_timer", v, sizeof(v)))
        c->timer = strcmp(v, "0") != 0;
    if (value(bootargs, "net_bench", v, sizeof(v)))
        c->bench = strcmp(v, "1") == 0;
    return ok;
}
