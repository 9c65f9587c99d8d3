// test_png.c — the PNG writer (core/src/png.c): checksums against their
// published check values, and encoded files parsed back chunk by chunk
// (signature, IHDR fields, CRCs, the zlib stream's stored blocks and
// Adler-32) to recover exactly the pixels that were written.
//   ctest --test-dir build -R test_png
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "metarl/png.h"

static uint32_t be32(const uint8_t* p) {
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

// Parses a PNG written by mrl_png_encode and returns its pixels (malloc'd),
// failing the test on any structural error.
static uint8_t* parse_png(const uint8_t* d, size_t n, int32_t* w, int32_t* h) {
    static const uint8_t sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    assert_true(n > 8);
    assert_memory_equal(d, sig, 8);
    size_t pos = 8;
    const char* want[3] = {"IHDR", "IDAT", "IEND"};
    const uint8_t* idat = NULL;
    size_t idat_n = 0;
    for (int c = 0; c < 3; c++) {
        assert_true(pos + 12 <= n);
        uint32_t len = be32(d + pos);
        assert_memory_equal(d + pos + 4, want[c], 4);
        assert_true(pos + 12 + len <= n);
        uint32_t crc = mrl_png_crc32(0, d + pos + 4, 4 + (size_t)len);
        assert_int_equal(crc, be32(d + pos + 8 + len));
        const uint8_t* body = d + pos + 8;
        if (c == 0) {
            assert_int_equal(len, 13);
            *w = (int32_t)be32(body);
            *h = (int32_t)be32(body + 4);
            assert_int_equal(body[8], 8);  // bit depth
            assert_int_equal(body[9], 2);  // RGB
            assert_int_equal(body[10], 0); // deflate
            assert_int_equal(body[11], 0); // filter method
            assert_int_equal(body[12], 0); // no interlace
        } else if (c == 1) {
            idat = body;
            idat_n = len;
        } else {
            assert_int_equal(len, 0);
        }
        pos += 12 + len;
    }
    assert_int_equal(pos, n); // nothing after IEND

    // zlib: header, stored blocks, Adler-32 of the filtered image
    assert_true(idat_n >= 6);
    assert_int_equal(idat[0] & 0x0f, 8);                 // deflate
    assert_int_equal((idat[0] * 256 + idat[1]) % 31, 0); // header check
    assert_int_equal(idat[1] & 0x20, 0);                 // no preset dictionary
    size_t row = (size_t)*w * 3, raw_n = (row + 1) * (size_t)*h;
    uint8_t* raw = malloc(raw_n);
    size_t got = 0, p = 2;
    int final = 0;
    while (!final) {
        assert_true(p + 5 <= idat_n);
        final = idat[p] & 1;
        assert_int_equal(idat[p] >> 1, 0); // BTYPE 00: stored
        uint32_t len = idat[p + 1] | (uint32_t)idat[p + 2] << 8;
        uint32_t nlen = idat[p + 3] | (uint32_t)idat[p + 4] << 8;
        assert_int_equal(len ^ 0xffffu, nlen);
        p += 5;
        assert_true(p + len <= idat_n && got + len <= raw_n);
        memcpy(raw + got, idat + p, len);
        got += len;
        p += len;
    }
    assert_int_equal(got, raw_n);
    assert_int_equal(p + 4, idat_n);
    assert_int_equal(mrl_png_adler32(1, raw, raw_n), be32(idat + p));

    uint8_t* px = malloc(row * (size_t)*h);
    for (int32_t y = 0; y < *h; y++) {
        assert_int_equal(raw[(size_t)y * (row + 1)], 0); // filter: none
        memcpy(px + (size_t)y * row, raw + (size_t)y * (row + 1) + 1, row);
    }
    free(raw);
    return px;
}

static void test_png_checksums_check_values(void** state) {
    (void)state;
    assert_int_equal(mrl_png_crc32(0, "123456789", 9), 0xcbf43926u);
    assert_int_equal(mrl_png_adler32(1, "Wikipedia", 9), 0x11e60398u);
    // continuing a checksum equals computing it in one go
    assert_int_equal(mrl_png_crc32(mrl_png_crc32(0, "1234", 4), "56789", 5), 0xcbf43926u);
    assert_int_equal(mrl_png_adler32(mrl_png_adler32(1, "Wiki", 4), "pedia", 5), 0x11e60398u);
    assert_int_equal(mrl_png_crc32(0, "", 0), 0u);
}

static void roundtrip(int32_t w, int32_t h) {
    size_t n = (size_t)w * h * 3;
    uint8_t* img = malloc(n);
    for (size_t i = 0; i < n; i++) {
        img[i] = (uint8_t)((i * 7919u) >> 3);
    }
    MrlBuf buf = {0};
    char err[MRL_MSG_MAX];
    assert_int_equal(mrl_png_encode(&buf, img, w, h, err), MRL_OK);
    int32_t gw = 0, gh = 0;
    uint8_t* px = parse_png((const uint8_t*)buf.data, buf.len, &gw, &gh);
    assert_int_equal(gw, w);
    assert_int_equal(gh, h);
    assert_memory_equal(px, img, n);
    free(px);
    free(img);
    mrl_buf_free(&buf);
}

static void test_png_roundtrip_small(void** state) {
    (void)state;
    roundtrip(1, 1);
    roundtrip(40, 30);
}

static void test_png_roundtrip_many_stored_blocks(void** state) {
    (void)state;
    // 301*250*3 + 250 filter bytes = 226,000 bytes: four stored blocks, and
    // block boundaries that fall inside rows and on filter bytes
    roundtrip(301, 250);
    roundtrip(21845, 1); // 65,536 bytes: one full block plus one byte
}

static void test_png_rejects_bad_sizes(void** state) {
    (void)state;
    uint8_t px[3] = {0};
    MrlBuf buf = {0};
    char err[MRL_MSG_MAX];
    assert_int_equal(mrl_png_encode(&buf, px, 0, 1, err), MRL_EINVAL);
    assert_non_null(strstr(err, "size"));
    assert_int_equal(mrl_png_encode(&buf, px, 1, 70000, err), MRL_EINVAL);
    mrl_buf_free(&buf);
}

static void test_png_save_writes_the_encoding(void** state) {
    (void)state;
    uint8_t img[4 * 3 * 3];
    for (size_t i = 0; i < sizeof img; i++) {
        img[i] = (uint8_t)(i * 20);
    }
    char path[64];
    snprintf(path, sizeof path, "test_png_%d.png", (int)getpid());
    char err[MRL_MSG_MAX];
    assert_int_equal(mrl_png_save(path, img, 4, 3, err), MRL_OK);
    char* data = NULL;
    size_t n = 0;
    assert_int_equal(mrl_file_read(path, &data, &n, err), MRL_OK);
    MrlBuf buf = {0};
    assert_int_equal(mrl_png_encode(&buf, img, 4, 3, err), MRL_OK);
    assert_int_equal(n, buf.len);
    assert_memory_equal(data, buf.data, n);
    free(data);
    mrl_buf_free(&buf);
    unlink(path);
    // an unwritable path fails with a message naming it
    assert_int_not_equal(mrl_png_save("no/such/dir/x.png", img, 4, 3, err), MRL_OK);
    assert_non_null(strstr(err, "no/such/dir"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_png_checksums_check_values),
        cmocka_unit_test(test_png_roundtrip_small),
        cmocka_unit_test(test_png_roundtrip_many_stored_blocks),
        cmocka_unit_test(test_png_rejects_bad_sizes),
        cmocka_unit_test(test_png_save_writes_the_encoding),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
