// nn_fast.c — vectorisable float exp / sigmoid / tanh loops for the gate
// nonlinearities (scalar libm expf/tanhf cost ~30 ns per unit; these loops
// ~2 ns), plus Adam, gradient norm and categorical sampling.
// Built with -O3 (agents/CMakeLists.txt) so GCC vectorises the array loops.
// Accuracy against libm is tested in tests/test_nn.c.
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "nn/nn.h"

// ---- fast exp ----

// exp(x) = 2^n * exp(r), r = x - n ln2 in [-ln2/2, ln2/2], exp(r) by a degree-6
// polynomial (Cephes coefficients), 2^n by building the float's exponent bits.
static inline float exp_core(float x) {
    x = x < -87.0f ? -87.0f : x;
    x = x > 88.0f ? 88.0f : x;
    // round to nearest by the 1.5 * 2^23 trick (|x * log2e| < 2^22): no libm call, vectorises
    float n = (x * 1.44269504088896341f + 12582912.0f) - 12582912.0f;
    float r = x - n * 0.693359375f;
    r = r - n * -2.12194440e-4f;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    float y = p * r * r + r + 1.0f;
    int32_t bits = ((int32_t)n + 127) << 23;
    float scale;
    memcpy(&scale, &bits, sizeof scale);
    return y * scale;
}

float mrl_nn_fast_expf(float x) {
    return exp_core(x);
}

void mrl_nn_vexp(float* out, const float* inp, size_t n) {
    for (size_t i = 0; i < n; i++) {
        out[i] = exp_core(inp[i]);
    }
}

void mrl_nn_vsigmoid(float* out, const float* inp, size_t n) {
    for (size_t i = 0; i < n; i++) {
        out[i] = 1.0f / (1.0f + exp_core(-inp[i]));
    }
}

void mrl_nn_vtanh(float* out, const float* inp, size_t n) {
    // tanh(x) = sign(x) (1 - e) / (1 + e), e = exp(-2|x|): no cancellation for large |x|,
    // and for small |x| an odd polynomial keeps the relative error small
    for (size_t i = 0; i < n; i++) {
        float x = inp[i];
        float ax = fabsf(x);
        float e = exp_core(-2.0f * ax);
        float t = (1.0f - e) / (1.0f + e);
        float x2 = x * x;
        float small = ax * (1.0f + x2 * (-0.333333333f + x2 * (0.133333333f + x2 * -0.053968254f)));
        t = ax < 0.04f ? small : t;
        out[i] = x < 0.0f ? -t : t;
    }
}

// ---- optimiser ----

double mrl_nn_global_norm(const float* g, size_t n) {
    double s = 0.0;
    for (size_t i = 0; i < n; i++) {
        s += (double)g[i] * (double)g[i];
    }
    return sqrt(s);
}

void mrl_nn_scale(float* g, float s, size_t n) {
    for (size_t i = 0; i < n; i++) {
        g[i] *= s;
    }
}

void mrl_nn_adam_update(float* p, float* m, float* v, const float* g, float lr, float beta1,
                        float beta2, float eps, int64_t t, size_t n) {
    float c1 = 1.0f - (float)pow((double)beta1, (double)t);
    float c2 = 1.0f - (float)pow((double)beta2, (double)t);
    float step = lr / c1;
    float rc2 = 1.0f / sqrtf(c2);
    for (size_t i = 0; i < n; i++) {
        m[i] = beta1 * m[i] + (1.0f - beta1) * g[i];
        v[i] = beta2 * v[i] + (1.0f - beta2) * g[i] * g[i];
        p[i] -= step * m[i] / (sqrtf(v[i]) * rc2 + eps);
    }
}

// ---- sampling ----

int32_t mrl_nn_categorical_sample(const float* logp, size_t A, MrlRng* rng) {
    double u = mrl_rng_uniform(rng);
    double c = 0.0;
    for (size_t a = 0; a < A; a++) {
        c += exp((double)logp[a]);
        if (u < c) {
            return (int32_t)a;
        }
    }
    // rounding left u above the last cumulative sum: the last action with mass
    for (size_t a = A; a-- > 0;) {
        if (logp[a] > -80.0f) {
            return (int32_t)a;
        }
    }
    return (int32_t)(A - 1);
}
