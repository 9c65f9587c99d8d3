// metarl/png.h — a minimal PNG writer for 8-bit RGB images (no libpng): the
// image data goes into zlib "stored" (uncompressed) deflate blocks, with the
// CRC-32 and Adler-32 checksums the format requires. Used by `metarl render`.
// Tested by tests/test_png.c, which parses the file back chunk by chunk.
//
//     char err[MRL_MSG_MAX];
//     if (mrl_png_save("out.png", rgb, w, h, err) != MRL_OK) { fprintf(stderr, "%s\n", err); }
#ifndef METARL_PNG_H
#define METARL_PNG_H

#include <stddef.h>
#include <stdint.h>

#include "metarl/util.h"

// Returns the CRC-32 (ISO 3309, as PNG uses) of `n` bytes, continuing from
// `crc` (pass 0 to start).
uint32_t mrl_png_crc32(uint32_t crc, const void* data, size_t n);

// Returns the Adler-32 (as zlib uses) of `n` bytes, continuing from `adler`
// (pass 1 to start).
uint32_t mrl_png_adler32(uint32_t adler, const void* data, size_t n);

// Appends the PNG encoding of `rgb` ((height, width, 3) bytes, top row first)
// to `buf`. width and height must be in 1..65535. Returns MRL_OK, MRL_EINVAL
// (bad size) or MRL_ENOMEM (buf->failed), with text in `err` (MRL_MSG_MAX).
int mrl_png_encode(MrlBuf* buf, const uint8_t* rgb, int32_t width, int32_t height, char* err);

// Writes `rgb` as a PNG file at `path`, atomically (see mrl_file_write_atomic).
// Returns MRL_OK or an MRL_E* code with text in `err`.
int mrl_png_save(const char* path, const uint8_t* rgb, int32_t width, int32_t height, char* err);

#endif // METARL_PNG_H
