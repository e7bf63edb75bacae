// SBI calls (SBI specification v1.0) and the console: the boot hart prints through the
// legacy console putchar.
#include <stdarg.h>
#include "test.h"

#define SBI_EXT_PUTCHAR 0x01
#define SBI_EXT_IPI     0x735049
#define SBI_EXT_HSM     0x48534D
#define SBI_EXT_SRST    0x53525354

static long sbi_call(long ext, long fid, long a0, long a1, long a2)
{
    register long r0 __asm__("a0") = a0;
    register long r1 __asm__("a1") = a1;
    register long r2 __asm__("a2") = a2;
    register long r6 __asm__("a6") = fid;
    register long r7 __asm__("a7") = ext;
    __asm__ volatile("ecall" : "+r"(r0), "+r"(r1) : "r"(r2), "r"(r6), "r"(r7) : "memory");
    return r0;
}

void sbi_putchar(int c)
{
    sbi_call(SBI_EXT_PUTCHAR, 0, c, 0, 0);
}

long sbi_hart_start(unsigned long hartid, unsigned long addr, unsigned long opaque)
{
    return sbi_call(SBI_EXT_HSM, 0, hartid, addr, opaque);
}

void sbi_send_ipi(unsigned long hartid)
{
    sbi_call(SBI_EXT_IPI, 0, 1, hartid, 0);
}

void sbi_shutdown(void)
{
    sbi_call(SBI_EXT_SRST, 0, 0, 0, 0);
    for (;;)
        __asm__ volatile("wfi");
}

static void put_num(unsigned long v, unsigned base, int width)
{
    char buf[24];
    int n = 0;
    do {
        buf[n++] = "0123456789abcdef"[v % base];
        v /= base;
    } while (v);
    while (n < width)
        buf[n++] = '0';
    while (n)
        sbi_putchar(buf[--n]);
}

// printf for the few conversions the tests use: %s %c %d %u %x %lu %ld %lx %p %%.
void pr(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            sbi_putchar(*fmt);
            continue;
        }
        bool is_long = false;
        if (*++fmt == 'l') {
            is_long = true;
            fmt++;
        }
        switch (*fmt) {
        case 's': {
            const char *s = va_arg(ap, const char *);
            while (*s)
                sbi_putchar(*s++);
            break;
        }
        case 'c':
            sbi_putchar(va_arg(ap, int));
            break;
        case 'd': {
            long v = is_long ? va_arg(ap, long) : va_arg(ap, int);
            if (v < 0) {
                sbi_putchar('-');
                v = -v;
            }
            put_num((unsigned long)v, 10, 0);
            break;
        }
        case 'u':
            put_num(is_long ? va_arg(ap, unsigned long) : va_arg(ap, unsigned), 10, 0);
            break;
        case 'x':
            put_num(is_long ? va_arg(ap, unsigned long) : va_arg(ap, unsigned), 16, 0);
            break;
        case 'p':
            sbi_putchar('0');
            sbi_putchar('x');
            put_num((unsigned long)va_arg(ap, void *), 16, 0);
            break;
        case '%':
            sbi_putchar('%');
            break;
        default:
            sbi_putchar('?');
            break;
        }
    }
    va_end(ap);
}
