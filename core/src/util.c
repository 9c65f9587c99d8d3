// util.c — error text, hashing and seed derivation, atomic files, text buffers.
// See metarl/util.h. Tested by tests/test_util.c.
#include "metarl/util.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

int mrl_fail(char* err, int code, const char* fmt, ...) {
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, MRL_MSG_MAX, fmt, ap);
        va_end(ap);
    }
    return code;
}

int mrl_is_ident(const char* s) {
    if (!s || !*s) {
        return 0;
    }
    for (; *s; s++) {
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_')) {
            return 0;
        }
    }
    return 1;
}

// ---- hashing and seeds ----

uint64_t mrl_mix64(uint64_t x) {
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

uint64_t mrl_hash_bytes(const void* data, size_t n, uint64_t seed) {
    uint64_t h = mrl_fnv1a64(MRL_FNV_BASIS ^ mrl_mix64(seed), data, n);
    return mrl_mix64(h ^ (uint64_t)n);
}

void mrl_rng_derive(MrlRng* rng, uint64_t seed, uint32_t domain, uint64_t a, uint64_t b,
                    uint64_t c) {
    // chain the tuple through the bijective mixer; two words: state seed, stream
    uint64_t h = mrl_mix64(seed ^ 0x6d657461726c0000ULL);
    h = mrl_mix64(h ^ domain);
    h = mrl_mix64(h ^ a);
    h = mrl_mix64(h ^ b);
    h = mrl_mix64(h ^ c);
    uint64_t stream = mrl_mix64(h ^ 0x5851f42d4c957f2dULL);
    mrl_rng_seed(rng, h, stream);
}

// ---- files ----

int mrl_file_write_atomic(const char* path, const void* data, size_t n, char* err) {
    char tmp[4096];
    int len = snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    if (len < 0 || (size_t)len >= sizeof tmp) {
        return mrl_fail(err, MRL_EIO, "%s: error: path too long", path);
    }
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) {
        return mrl_fail(err, MRL_EIO, "%s: error: cannot create %s: %s", path, tmp,
                        strerror(errno));
    }
    const char* p = data;
    size_t left = n;
    while (left > 0) {
        ssize_t w = write(fd, p, left);
        if (w < 0) {
            if (errno == EINTR) {
                continue;
            }
            int e = errno;
            close(fd);
            unlink(tmp);
            return mrl_fail(err, MRL_EIO, "%s: error: write failed: %s", tmp, strerror(e));
        }
        p += w;
        left -= (size_t)w;
    }
    // close even when fsync failed, so the descriptor is not leaked
    int synced = fsync(fd) == 0 ? 0 : errno;
    int closed = close(fd) == 0 ? 0 : errno;
    if (synced || closed) {
        int e = synced ? synced : closed;
        unlink(tmp);
        return mrl_fail(err, MRL_EIO, "%s: error: sync failed: %s", tmp, strerror(e));
    }
    if (rename(tmp, path) != 0) {
        int e = errno;
        unlink(tmp);
        return mrl_fail(err, MRL_EIO, "%s: error: cannot rename into place: %s", path,
                        strerror(e));
    }
    return MRL_OK;
}

int mrl_file_read(const char* path, char** out, size_t* n, char* err) {
    *out = NULL;
    *n = 0;
    FILE* f = fopen(path, "rb");
    if (!f) {
        return mrl_fail(err, MRL_EIO, "%s: error: cannot open: %s", path, strerror(errno));
    }
    size_t cap = 4096, len = 0;
    char* buf = malloc(cap);
    if (!buf) {
        fclose(f);
        return mrl_fail(err, MRL_ENOMEM, "%s: error: out of memory", path);
    }
    for (;;) {
        if (len + 1 >= cap) {
            char* nb = realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                fclose(f);
                return mrl_fail(err, MRL_ENOMEM, "%s: error: out of memory", path);
            }
            buf = nb;
            cap *= 2;
        }
        size_t r = fread(buf + len, 1, cap - len - 1, f);
        len += r;
        if (r == 0) {
            break;
        }
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        return mrl_fail(err, MRL_EIO, "%s: error: read failed", path);
    }
    buf[len] = '\0';
    *out = buf;
    *n = len;
    return MRL_OK;
}

int mrl_mkdirs(const char* path, char* err) {
    char tmp[4096];
    size_t len = strlen(path);
    if (len == 0 || len >= sizeof tmp) {
        return mrl_fail(err, MRL_EIO, "%s: error: bad directory path", path);
    }
    memcpy(tmp, path, len + 1);
    for (size_t i = 1; i <= len; i++) {
        if (tmp[i] == '/' || tmp[i] == '\0') {
            char c = tmp[i];
            tmp[i] = '\0';
            if (mkdir(tmp, 0755) != 0 && errno != EEXIST) {
                return mrl_fail(err, MRL_EIO, "%s: error: cannot create directory: %s", tmp,
                                strerror(errno));
            }
            struct stat st;
            if (stat(tmp, &st) != 0 || !S_ISDIR(st.st_mode)) {
                return mrl_fail(err, MRL_EIO, "%s: error: not a directory", tmp);
            }
            tmp[i] = c;
        }
    }
    return MRL_OK;
}

// ---- text buffer ----

static int buf_reserve(MrlBuf* buf, size_t extra) {
    if (buf->failed) {
        return 0;
    }
    if (buf->len + extra + 1 <= buf->cap) {
        return 1;
    }
    size_t cap = buf->cap ? buf->cap : 256;
    while (cap < buf->len + extra + 1) {
        cap *= 2;
    }
    char* nd = realloc(buf->data, cap);
    if (!nd) {
        buf->failed = 1;
        return 0;
    }
    buf->data = nd;
    buf->cap = cap;
    return 1;
}

void mrl_buf_append(MrlBuf* buf, const char* s, size_t n) {
    if (!buf_reserve(buf, n)) {
        return;
    }
    memcpy(buf->data + buf->len, s, n);
    buf->len += n;
    buf->data[buf->len] = '\0';
}

void mrl_buf_printf(MrlBuf* buf, const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int need = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (need < 0 || !buf_reserve(buf, (size_t)need)) {
        return;
    }
    va_start(ap, fmt);
    vsnprintf(buf->data + buf->len, (size_t)need + 1, fmt, ap);
    va_end(ap);
    buf->len += (size_t)need;
}

void mrl_buf_free(MrlBuf* buf) {
    free(buf->data);
    memset(buf, 0, sizeof *buf);
}

void mrl_buf_json_number(MrlBuf* buf, double x) {
    if (!isfinite(x)) {
        mrl_buf_append(buf, "null", 4);
        return;
    }
    // shortest of %.15g/%.16g/%.17g that reads back exactly
    char tmp[40];
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(tmp, sizeof tmp, "%.*g", prec, x);
        if (strtod(tmp, NULL) == x) {
            break;
        }
    }
    mrl_buf_printf(buf, "%s", tmp);
}

void mrl_buf_json_string(MrlBuf* buf, const char* s) {
    mrl_buf_append(buf, "\"", 1);
    for (const unsigned char* p = (const unsigned char*)s; *p; p++) {
        switch (*p) {
        case '"': mrl_buf_append(buf, "\\\"", 2); break;
        case '\\': mrl_buf_append(buf, "\\\\", 2); break;
        case '\n': mrl_buf_append(buf, "\\n", 2); break;
        case '\t': mrl_buf_append(buf, "\\t", 2); break;
        case '\r': mrl_buf_append(buf, "\\r", 2); break;
        default:
            if (*p < 0x20) {
                mrl_buf_printf(buf, "\\u%04x", *p);
            } else {
                mrl_buf_append(buf, (const char*)p, 1);
            }
        }
    }
    mrl_buf_append(buf, "\"", 1);
}

// ---- resources ----

double mrl_peak_rss_mib(void) {
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0 || ru.ru_maxrss <= 0) {
        return 0.0;
    }
    return (double)ru.ru_maxrss / 1024.0; // Linux reports KiB
}
