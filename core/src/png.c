// png.c — the minimal PNG writer of metarl/png.h: signature, IHDR, one IDAT
// holding a zlib stream of stored deflate blocks (filter type 0 on every
// row), IEND. Files are larger than compressed PNGs but need no dependency.
// Tested by tests/test_png.c.
#include "metarl/png.h"

#include <string.h>

uint32_t mrl_png_crc32(uint32_t crc, const void* data, size_t n) {
    const uint8_t* p = (const uint8_t*)data;
    crc = ~crc;
    for (size_t i = 0; i < n; i++) {
        crc ^= p[i];
        for (int k = 0; k < 8; k++) {
            crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
        }
    }
    return ~crc;
}

uint32_t mrl_png_adler32(uint32_t adler, const void* data, size_t n) {
    const uint8_t* p = (const uint8_t*)data;
    uint32_t a = adler & 0xffffu, b = adler >> 16;
    for (size_t i = 0; i < n; i++) {
        a = (a + p[i]) % 65521u;
        b = (b + a) % 65521u;
    }
    return (b << 16) | a;
}

static void put_be32(uint8_t* p, uint32_t x) {
    p[0] = (uint8_t)(x >> 24);
    p[1] = (uint8_t)(x >> 16);
    p[2] = (uint8_t)(x >> 8);
    p[3] = (uint8_t)x;
}

static void append_be32(MrlBuf* buf, uint32_t x) {
    uint8_t b[4];
    put_be32(b, x);
    mrl_buf_append(buf, (const char*)b, 4);
}

// appends one chunk: length, type, data, CRC over type and data
static void append_chunk(MrlBuf* buf, const char* type, const uint8_t* data, size_t n) {
    append_be32(buf, (uint32_t)n);
    mrl_buf_append(buf, type, 4);
    if (n > 0) {
        mrl_buf_append(buf, (const char*)data, n);
    }
    uint32_t crc = mrl_png_crc32(0, type, 4);
    crc = mrl_png_crc32(crc, data, n);
    append_be32(buf, crc);
}

int mrl_png_encode(MrlBuf* buf, const uint8_t* rgb, int32_t width, int32_t height, char* err) {
    if (width < 1 || height < 1 || width > 65535 || height > 65535) {
        return mrl_fail(err, MRL_EINVAL, "png: error: image size %dx%d out of range", width,
                        height);
    }
    static const uint8_t sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    mrl_buf_append(buf, (const char*)sig, 8);
    uint8_t ihdr[13];
    put_be32(ihdr, (uint32_t)width);
    put_be32(ihdr + 4, (uint32_t)height);
    ihdr[8] = 8;  // bit depth
    ihdr[9] = 2;  // colour type: RGB
    ihdr[10] = 0; // compression: deflate
    ihdr[11] = 0; // filter method 0
    ihdr[12] = 0; // no interlace
    append_chunk(buf, "IHDR", ihdr, sizeof ihdr);

    // the filtered image: one filter byte (0, none) before each row
    size_t row = (size_t)width * 3;
    size_t raw_n = (row + 1) * (size_t)height;
    size_t n_blocks = (raw_n + 65534) / 65535;
    size_t z_n = 2 + raw_n + 5 * n_blocks + 4;
    MrlBuf z = {0};
    mrl_buf_append(&z, "\x78\x01", 2); // zlib header: deflate, 32K window, no dict, level 0
    uint32_t adler = 1;
    size_t done = 0;     // bytes of the filtered image emitted so far
    size_t y = 0, x = 0; // next position in the filtered image (x == 0: filter byte)
    while (done < raw_n) {
        size_t len = raw_n - done < 65535 ? raw_n - done : 65535;
        uint8_t hdr[5] = {(uint8_t)(done + len == raw_n), (uint8_t)len, (uint8_t)(len >> 8),
                          (uint8_t)~len, (uint8_t)(~len >> 8)};
        mrl_buf_append(&z, (const char*)hdr, 5);
        size_t left = len;
        while (left > 0) {
            if (x == 0) {
                static const char filter = 0;
                mrl_buf_append(&z, &filter, 1);
                adler = mrl_png_adler32(adler, &filter, 1);
                x = 1;
                left--;
                continue;
            }
            size_t take = row - (x - 1) < left ? row - (x - 1) : left;
            const uint8_t* src = rgb + y * row + (x - 1);
            mrl_buf_append(&z, (const char*)src, take);
            adler = mrl_png_adler32(adler, src, take);
            x += take;
            left -= take;
            if (x - 1 == row) {
                x = 0;
                y++;
            }
        }
        done += len;
    }
    append_be32(&z, adler);
    if (z.failed || z.len != z_n) {
        mrl_buf_free(&z);
        buf->failed = 1;
        return mrl_fail(err, MRL_ENOMEM, "png: error: out of memory");
    }
    append_chunk(buf, "IDAT", (const uint8_t*)z.data, z.len);
    mrl_buf_free(&z);
    append_chunk(buf, "IEND", NULL, 0);
    if (buf->failed) {
        return mrl_fail(err, MRL_ENOMEM, "png: error: out of memory");
    }
    return MRL_OK;
}

int mrl_png_save(const char* path, const uint8_t* rgb, int32_t width, int32_t height, char* err) {
    MrlBuf buf = {0};
    int rc = mrl_png_encode(&buf, rgb, width, height, err);
    if (rc == MRL_OK) {
        rc = mrl_file_write_atomic(path, buf.data, buf.len, err);
    }
    mrl_buf_free(&buf);
    return rc;
}
