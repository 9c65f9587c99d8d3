// ckpt.c — checkpoint files of the PPO trainer: the whole training state in
// one little-endian binary file, written to a temporary name and renamed.
//
// Layout (byte offsets):
//    0  8  magic "MRLCKPT1"
//    8  4  u32 format version (MRL_CKPT_VERSION)
//   12  4  u32 CRC-32 of bytes [16, end)
//   16  8  u64 total file size in bytes
//   24  8  u64 config hash (the effective config that trained it)
//   32  8  u64 parameter count P
//   40 32  i64 iteration, agent steps, trials started (the task sampler's
//          position), Adam step
//   72 32  two PCG32 streams {state, inc}: minibatch shuffling, task choice
//  104     f32 parameters (P), Adam m (P), Adam v (P)
// Every check failure is one line naming the file. Tests: tests/test_ppo.c.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metarl/util.h"
#include "ppo/ppo.h"
#include "ppo/ppo_internal.h"

#define HEADER_BYTES 104

uint32_t mrl_ckpt_crc32(uint32_t crc, const void* data, size_t n) {
    const uint8_t* b = data;
    crc = ~crc;
    for (size_t i = 0; i < n; i++) {
        crc ^= b[i];
        for (int k = 0; k < 8; k++) {
            crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
        }
    }
    return ~crc;
}

static void put64(uint8_t* at, uint64_t x) {
    memcpy(at, &x, 8);
}

static uint64_t get64(const uint8_t* at) {
    uint64_t x;
    memcpy(&x, at, 8);
    return x;
}

int mrl_ppo_serialize(const MrlPpo* ppo, uint8_t** out, size_t* n, char* err) {
    int64_t* c[4];
    MrlRng* r[2];
    float* block;
    size_t P;
    uint64_t hash;
    mrl_ppo_state_io((MrlPpo*)ppo, c, r, &block, &P, &hash);
    size_t total = HEADER_BYTES + 3 * P * sizeof(float);
    uint8_t* b = calloc(1, total);
    if (!b) {
        return mrl_fail(err, MRL_ENOMEM, "error: out of memory for a checkpoint");
    }
    memcpy(b, MRL_CKPT_MAGIC, 8);
    uint32_t version = MRL_CKPT_VERSION;
    memcpy(b + 8, &version, 4);
    put64(b + 16, (uint64_t)total);
    put64(b + 24, hash);
    put64(b + 32, (uint64_t)P);
    for (int i = 0; i < 4; i++) {
        put64(b + 40 + 8 * i, (uint64_t)*c[i]);
    }
    for (int i = 0; i < 2; i++) {
        put64(b + 72 + 16 * i, r[i]->state);
        put64(b + 80 + 16 * i, r[i]->inc);
    }
    memcpy(b + HEADER_BYTES, block, P * sizeof(float));                                 // params
    memcpy(b + HEADER_BYTES + P * sizeof(float), block + 2 * P, 2 * P * sizeof(float)); // m, v
    uint32_t crc = mrl_ckpt_crc32(0, b + 16, total - 16);
    memcpy(b + 12, &crc, 4);
    *out = b;
    *n = total;
    return MRL_OK;
}

int mrl_ppo_save(const MrlPpo* ppo, const char* path, char* err) {
    uint8_t* b = NULL;
    size_t n = 0;
    int rc = mrl_ppo_serialize(ppo, &b, &n, err);
    if (rc != MRL_OK) {
        return rc;
    }
    rc = mrl_file_write_atomic(path, b, n, err);
    free(b);
    return rc;
}

// checks magic, version, size and CRC of a checkpoint image
static int verify(const char* path, const uint8_t* b, size_t n, MrlCkptInfo* info, char* err) {
    if (n < 8 || memcmp(b, MRL_CKPT_MAGIC, 8) != 0) {
        return mrl_fail(err, MRL_EFORMAT, "%s: error: not a metarl checkpoint (bad magic)", path);
    }
    if (n < HEADER_BYTES) {
        return mrl_fail(err, MRL_EFORMAT,
                        "%s: error: checkpoint truncated (%zu bytes, header needs %d)", path, n,
                        HEADER_BYTES);
    }
    uint32_t version, crc;
    memcpy(&version, b + 8, 4);
    memcpy(&crc, b + 12, 4);
    if (version != MRL_CKPT_VERSION) {
        return mrl_fail(err, MRL_EFORMAT,
                        "%s: error: checkpoint format version %u, this build reads %u", path,
                        version, (unsigned)MRL_CKPT_VERSION);
    }
    uint64_t total = get64(b + 16);
    if (total != (uint64_t)n) {
        return mrl_fail(err, MRL_EFORMAT,
                        "%s: error: checkpoint truncated or padded (%zu bytes, header says %llu)",
                        path, n, (unsigned long long)total);
    }
    if (mrl_ckpt_crc32(0, b + 16, n - 16) != crc) {
        return mrl_fail(err, MRL_EFORMAT,
                        "%s: error: checkpoint CRC mismatch (the file is corrupt)", path);
    }
    info->version = version;
    info->config_hash = get64(b + 24);
    info->n_params = get64(b + 32);
    info->iteration = (int64_t)get64(b + 40);
    info->steps = (int64_t)get64(b + 48);
    info->trials = (int64_t)get64(b + 56);
    if (HEADER_BYTES + 3 * info->n_params * sizeof(float) != (uint64_t)n) {
        return mrl_fail(err, MRL_EFORMAT,
                        "%s: error: checkpoint size does not match its %llu parameters", path,
                        (unsigned long long)info->n_params);
    }
    return MRL_OK;
}

int mrl_ckpt_read(const char* path, MrlCkptInfo* info, uint8_t** buf, const float** params,
                  char* err) {
    char* data = NULL;
    size_t n = 0;
    int rc = mrl_file_read(path, &data, &n, err);
    if (rc != MRL_OK) {
        return rc;
    }
    rc = verify(path, (const uint8_t*)data, n, info, err);
    if (rc != MRL_OK) {
        free(data);
        return rc;
    }
    *buf = (uint8_t*)data;
    *params = (const float*)(void*)(data + HEADER_BYTES);
    return MRL_OK;
}

int mrl_ppo_load(MrlPpo* ppo, const char* path, char* err) {
    MrlCkptInfo info;
    uint8_t* b = NULL;
    const float* params = NULL;
    int rc = mrl_ckpt_read(path, &info, &b, &params, err);
    if (rc != MRL_OK) {
        return rc;
    }
    int64_t* c[4];
    MrlRng* r[2];
    float* block;
    size_t P;
    uint64_t hash;
    mrl_ppo_state_io(ppo, c, r, &block, &P, &hash);
    if (info.config_hash != hash) {
        free(b);
        return mrl_fail(err, MRL_EINVAL,
                        "%s: error: checkpoint was trained with a different config (hash %016llx, "
                        "this config %016llx); use the original config or --fresh",
                        path, (unsigned long long)info.config_hash, (unsigned long long)hash);
    }
    if (info.n_params != (uint64_t)P) {
        free(b);
        return mrl_fail(err, MRL_EINVAL,
                        "%s: error: checkpoint has %llu parameters, this network %zu", path,
                        (unsigned long long)info.n_params, P);
    }
    for (int i = 0; i < 4; i++) {
        *c[i] = (int64_t)get64(b + 40 + 8 * i);
    }
    for (int i = 0; i < 2; i++) {
        r[i]->state = get64(b + 72 + 16 * i);
        r[i]->inc = get64(b + 80 + 16 * i);
    }
    memcpy(block, b + HEADER_BYTES, P * sizeof(float));
    memset(block + P, 0, P * sizeof(float));
    memcpy(block + 2 * P, b + HEADER_BYTES + P * sizeof(float), 2 * P * sizeof(float));
    free(b);
    return MRL_OK;
}
