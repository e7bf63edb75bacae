// Shared helpers for the host unit tests: cmocka, fixture files, a seeded PRNG and a
// small flattened-device-tree writer for blobs dtc will not produce (broken ones).
#pragma once
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

// --- Fixtures -----------------------------------------------------------------------
// DTBs are built by the Makefile into build/host/fixtures; the tests run from the repo
// root. AL4_FIXTURES=DIR points elsewhere.

static inline const char *fixture_dir(void)
{
    const char *d = getenv("AL4_FIXTURES");
    return d && *d ? d : "build/host/fixtures";
}

// Reads a whole file into a malloc'd buffer of exactly its size; NULL on failure.
static inline void *read_whole_file(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    uint8_t *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len == cap) {
            cap = cap ? 2 * cap : 4096;
            uint8_t *nb = realloc(buf, cap);
            if (!nb) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = nb;
        }
        size_t got = fread(buf + len, 1, cap - len, f);
        if (got == 0)
            break;
        len += got;
    }
    bool err = ferror(f);
    fclose(f);
    if (err || len == 0) {
        free(buf);
        return NULL;
    }
    // Shrink to the exact size so that AddressSanitizer flags any read past the end.
    uint8_t *exact = malloc(len);
    if (exact)
        memcpy(exact, buf, len);
    free(buf);
    *size = len;
    return exact;
}

// Loads build/host/fixtures/NAME (or $AL4_FIXTURES/NAME); fails the test if missing.
static inline void *load_fixture(const char *name, size_t *size)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/%s", fixture_dir(), name);
    void *blob = read_whole_file(path, size);
    if (!blob)
        fail_msg("cannot read fixture %s (run from the repo root after `make host-tests`, "
                 "or set AL4_FIXTURES)", path);
    return blob;
}

// --- PRNG -----------------------------------------------------------------------------
// splitmix64: deterministic across hosts, so a failing seed reproduces.

static inline uint64_t rng_next(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

// Uniform in [0, n), n > 0.
static inline uint64_t rng_below(uint64_t *state, uint64_t n)
{
    return rng_next(state) % n;
}

// --- Big-endian helpers ---------------------------------------------------------------

static inline uint32_t get_be32(const void *p)
{
    const uint8_t *b = p;
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static inline void put_be32(void *p, uint32_t v)
{
    uint8_t *b = p;
    b[0] = (uint8_t)(v >> 24);
    b[1] = (uint8_t)(v >> 16);
    b[2] = (uint8_t)(v >> 8);
    b[3] = (uint8_t)v;
}

// Header field offsets (Devicetree Specification v0.4, 5.2).
enum {
    FDTH_MAGIC = 0,
    FDTH_TOTALSIZE = 4,
    FDTH_OFF_STRUCT = 8,
    FDTH_OFF_STRINGS = 12,
    FDTH_OFF_MEMRSV = 16,
    FDTH_VERSION = 20,
    FDTH_LAST_COMP = 24,
    FDTH_BOOT_CPU = 28,
    FDTH_SIZE_STRINGS = 32,
    FDTH_SIZE_STRUCT = 36,
    FDTH_SIZE = 40,
};

// --- A minimal FDT writer --------------------------------------------------------------
// Writes whatever token stream it is told to, balanced or not.

#define FDTW_STRUCT_CAP 65536
#define FDTW_STRINGS_CAP 4096
#define FDTW_RSV_CAP 64

struct fdtw {
    uint8_t st[FDTW_STRUCT_CAP];
    uint32_t st_len;
    char str[FDTW_STRINGS_CAP];
    uint32_t str_len;
    uint64_t rsv[FDTW_RSV_CAP][2];
    int n_rsv;
};

static inline struct fdtw *fdtw_new(void)
{
    struct fdtw *w = calloc(1, sizeof(*w));
    assert_non_null(w);
    return w;
}

static inline void fdtw_token(struct fdtw *w, uint32_t tok)
{
    assert_true(w->st_len + 4 <= FDTW_STRUCT_CAP);
    put_be32(w->st + w->st_len, tok);
    w->st_len += 4;
}

static inline void fdtw_bytes(struct fdtw *w, const void *p, uint32_t len)
{
    assert_true(w->st_len + len + 3 <= FDTW_STRUCT_CAP);
    memcpy(w->st + w->st_len, p, len);
    w->st_len += len;
    while (w->st_len % 4)
        w->st[w->st_len++] = 0;
}

static inline void fdtw_begin(struct fdtw *w, const char *name)
{
    fdtw_token(w, 1);
    fdtw_bytes(w, name, (uint32_t)strlen(name) + 1);
}

static inline void fdtw_end(struct fdtw *w)
{
    fdtw_token(w, 2);
}

static inline uint32_t fdtw_string(struct fdtw *w, const char *s)
{
    // Reuse an existing string (as dtc does), else append.
    for (uint32_t off = 0; off < w->str_len; off += (uint32_t)strlen(w->str + off) + 1)
        if (strcmp(w->str + off, s) == 0)
            return off;
    uint32_t off = w->str_len, len = (uint32_t)strlen(s) + 1;
    assert_true(off + len <= FDTW_STRINGS_CAP);
    memcpy(w->str + off, s, len);
    w->str_len += len;
    return off;
}

static inline void fdtw_prop(struct fdtw *w, const char *name, const void *val, uint32_t len)
{
    fdtw_token(w, 3);
    fdtw_token(w, len);
    fdtw_token(w, fdtw_string(w, name));
    fdtw_bytes(w, val, len);
}

static inline void fdtw_prop_str(struct fdtw *w, const char *name, const char *s)
{
    fdtw_prop(w, name, s, (uint32_t)strlen(s) + 1);
}

// A property of n 32-bit cells.
static inline void fdtw_prop_cells(struct fdtw *w, const char *name, int n, ...)
{
    uint8_t buf[64 * 4];
    assert_true(n >= 0 && n <= 64);
    va_list ap;
    va_start(ap, n);
    for (int i = 0; i < n; i++)
        put_be32(buf + 4 * i, va_arg(ap, uint32_t));
    va_end(ap);
    fdtw_prop(w, name, buf, (uint32_t)(4 * n));
}

static inline void fdtw_memreserve(struct fdtw *w, uint64_t base, uint64_t size)
{
    assert_true(w->n_rsv < FDTW_RSV_CAP);
    w->rsv[w->n_rsv][0] = base;
    w->rsv[w->n_rsv][1] = size;
    w->n_rsv++;
}

// Lays the blob out as dtc does (header, memory reservation map, structure block,
// strings block) into a malloc'd buffer of exactly *size bytes. Does not add FDT_END:
// call fdtw_token(w, 9) first. Frees w.
static inline uint8_t *fdtw_finish(struct fdtw *w, uint32_t *size)
{
    uint32_t off_rsv = FDTH_SIZE;
    uint32_t off_struct = off_rsv + 16 * (uint32_t)(w->n_rsv + 1);
    uint32_t off_strings = off_struct + w->st_len;
    uint32_t total = off_strings + w->str_len;
    uint8_t *b = calloc(1, total);
    assert_non_null(b);
    put_be32(b + FDTH_MAGIC, 0xd00dfeed);
    put_be32(b + FDTH_TOTALSIZE, total);
    put_be32(b + FDTH_OFF_STRUCT, off_struct);
    put_be32(b + FDTH_OFF_STRINGS, off_strings);
    put_be32(b + FDTH_OFF_MEMRSV, off_rsv);
    put_be32(b + FDTH_VERSION, 17);
    put_be32(b + FDTH_LAST_COMP, 16);
    put_be32(b + FDTH_BOOT_CPU, 0);
    put_be32(b + FDTH_SIZE_STRINGS, w->str_len);
    put_be32(b + FDTH_SIZE_STRUCT, w->st_len);
    for (int i = 0; i < w->n_rsv; i++) {
        uint8_t *e = b + off_rsv + 16 * i;
        put_be32(e, (uint32_t)(w->rsv[i][0] >> 32));
        put_be32(e + 4, (uint32_t)w->rsv[i][0]);
        put_be32(e + 8, (uint32_t)(w->rsv[i][1] >> 32));
        put_be32(e + 12, (uint32_t)w->rsv[i][1]);
    }
    memcpy(b + off_struct, w->st, w->st_len);
    memcpy(b + off_strings, w->str, w->str_len);
    free(w);
    *size = total;
    return b;
}

// A copy of len bytes in a malloc'd buffer of exactly that size, so that
// AddressSanitizer reports any read past its end (malloc(0) is a valid 0-byte buffer).
static inline uint8_t *exact_copy(const void *src, size_t len)
{
    uint8_t *b = malloc(len);
    assert_non_null(b);
    if (len)
        memcpy(b, src, len);
    return b;
}

// Runs fn(arg) in a child process, so that a crash (or an AddressSanitizer report) in
// the code under test fails one test instead of ending the whole binary. Returns the
// child's exit status, or 128 + signal number if it was killed.
static inline int run_in_child(int (*fn)(void *), void *arg)
{
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        // cmocka catches these signals to fail the running test and go on with the
        // next one: in the child that would run the rest of the suite a second time.
        const int sigs[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT};
        for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
            signal(sigs[i], SIG_DFL);
        _exit(fn(arg));
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
