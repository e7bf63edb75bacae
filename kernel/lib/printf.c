// A small printf: the conversions the kernel uses (d i u x p s c %, l/z modifiers,
// width and zero padding), written to a sink so the same code serves kprintf and
// ksnprintf.
#include "printf.h"
#include "sbi.h"

struct sink {
    char *buf;    // NULL: console
    size_t size;  // capacity of buf
    size_t n;     // characters produced
};

static void put(struct sink *s, char c)
{
    if (!s->buf)
        sbi_putchar(c);
    else if (s->n + 1 < s->size)
        s->buf[s->n] = c;
    s->n++;
}

static void put_num(struct sink *s, uint64_t v, unsigned base, bool neg, int width, char pad)
{
    char tmp[24];
    int i = 0;
    do {
        tmp[i++] = "0123456789abcdef"[v % base];
        v /= base;
    } while (v);
    if (neg)
        tmp[i++] = '-';
    for (int w = i; w < width; w++)
        put(s, pad);
    while (i)
        put(s, tmp[--i]);
}

static int format(struct sink *s, const char *fmt, va_list ap)
{
    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            put(s, *fmt);
            continue;
        }
        fmt++;
        char pad = ' ';
        int width = 0, longs = 0;
        if (*fmt == '0')
            pad = '0';
        while (*fmt >= '0' && *fmt <= '9')
            width = width * 10 + (*fmt++ - '0');
        while (*fmt == 'l' || *fmt == 'z') {
            longs++;
            fmt++;
        }
        switch (*fmt) {
        case 'd':
        case 'i': {
            int64_t v = longs ? va_arg(ap, int64_t) : va_arg(ap, int);
            put_num(s, v < 0 ? -(uint64_t)v : (uint64_t)v, 10, v < 0, width, pad);
            break;
        }
        case 'u':
            put_num(s, longs ? va_arg(ap, uint64_t) : va_arg(ap, unsigned), 10, false, width, pad);
            break;
        case 'x':
            put_num(s, longs ? va_arg(ap, uint64_t) : va_arg(ap, unsigned), 16, false, width, pad);
            break;
        case 'p':
            put(s, '0');
            put(s, 'x');
            put_num(s, (uint64_t)va_arg(ap, void *), 16, false, width, pad);
            break;
        case 's': {
            const char *str = va_arg(ap, const char *);
            if (!str)
                str = "(null)";
            while (*str)
                put(s, *str++);
            break;
        }
        case 'c':
            put(s, (char)va_arg(ap, int));
            break;
        case '%':
            put(s, '%');
            break;
        case 0:
            return (int)s->n;
        default:
            put(s, '%');
            put(s, *fmt);
        }
    }
    return (int)s->n;
}

int kvprintf(const char *fmt, va_list ap)
{
    struct sink s = {0};
    return format(&s, fmt, ap);
}

int kprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = kvprintf(fmt, ap);
    va_end(ap);
    return n;
}

int ksnprintf(char *buf, size_t size, const char *fmt, ...)
{
    struct sink s = {buf, size, 0};
    va_list ap;
    va_start(ap, fmt);
    format(&s, fmt, ap);
    va_end(ap);
    if (size)
        buf[s.n < size ? s.n : size - 1] = 0;
    return (int)s.n;
}

void kputchar(int c)
{
    sbi_putchar(c);
}

void panic(const char *fmt, ...)
{
    va_list ap;
    kprintf("aL4 panic: ");
    va_start(ap, fmt);
    kvprintf(fmt, ap);
    va_end(ap);
    kprintf("\n");
    sbi_shutdown();
}

#ifdef CONFIG_DEBUG_BUILD
void assert_fail(const char *expr, const char *file, int line, const char *fn)
{
    panic("assertion '%s' failed at %s:%d in %s()", expr, file, line, fn);
}
#endif
