#include "dense.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

// Build one copy of the hot loops per x86-64 level and pick the best at load time (GCC on Linux).
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 11 && defined(__x86_64__) && defined(__linux__)
#define ARISEKIT_CLONES __attribute__((target_clones("default", "arch=x86-64-v3", "arch=x86-64-v4")))
#else
#define ARISEKIT_CLONES
#endif

namespace arisekit {
namespace {

// exp(x) for x <= 0 in float32 (relative error < 2e-7; x < -87 gives about 1.7e-38 instead of a
// denormal, harmless for softmax). Written without branches or library calls so that loops vectorize:
// exp(x) = 2^n exp(r), n = round(x / ln 2), |r| <= ln 2 / 2, exp(r) by a degree-6 minimax polynomial.
inline float exp_nonpositive(float x) {
    x = std::max(x, -87.0f);
    const int32_t n = static_cast<int32_t>(x * 1.44269504088896341f - 0.5f);  // ceil(x/ln2 - 1/2)
    const float fn = static_cast<float>(n);
    const float r = (x - fn * 0.693359375f) + fn * 2.12194440e-4f;  // ln 2 in two parts
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * r * r + r + 1.0f;
    const int32_t bits = (n + 127) << 23;
    float scale;
    std::memcpy(&scale, &bits, sizeof scale);
    return p * scale;
}

}  // namespace

ARISEKIT_CLONES void bias_relu(float* z, int64_t n, int64_t w, const float* bias) {
    for (int64_t r = 0; r < n; ++r) {
        float* row = z + r * w;
        for (int64_t j = 0; j < w; ++j) row[j] = std::max(row[j] + bias[j], 0.0f);
    }
}

ARISEKIT_CLONES void gathered_difference_relu(float* z, int64_t n, int64_t w, const float* base, int64_t wb,
                              const int64_t* cols) {
    for (int64_t r = 0; r < n; ++r) {
        float* row = z + r * w;
        const float* brow = base + r * wb;
        for (int64_t j = 0; j < w; ++j) row[j] = std::max(brow[cols[j]] - row[j], 0.0f);
    }
}

ARISEKIT_CLONES void softmax_accumulate(float* logits, int64_t n, int64_t c, int64_t m, double* prob_sum,
                                        double* entropy_sum, int64_t* counts) {
    constexpr int64_t L = 16;  // sums run over L independent lanes, so they vectorise in a fixed order
    std::vector<float> e(static_cast<size_t>(c));
    for (int64_t r = 0; r < n; ++r) {
        float* z = logits + r * c;
        int64_t top = 0;
        for (int64_t k = 1; k < c; ++k)
            if (z[k] > z[top]) top = k;
        const float mx = z[top];
        float* ep = e.data();
        for (int64_t k = 0; k < c; ++k) ep[k] = exp_nonpositive(z[k] - mx);
        float s_lane[L] = {}, ez_lane[L] = {};
        int64_t k0 = 0;
        for (; k0 + L <= c; k0 += L)
            for (int64_t j = 0; j < L; ++j) {
                s_lane[j] += e[k0 + j];
                ez_lane[j] += e[k0 + j] * (z[k0 + j] - mx);
            }
        double s = 0.0, ez = 0.0;
        for (int64_t j = 0; j < L; ++j) {
            s += s_lane[j];
            ez += ez_lane[j];
        }
        for (int64_t k = k0; k < c; ++k) {
            s += e[k];
            ez += static_cast<double>(e[k]) * (z[k] - mx);
        }
        // sum_c p ln p = sum_c e d / s - ln s   for the shifted logits d = z - max (s >= 1)
        const int64_t i = r % m;  // the structure of this row
        entropy_sum[i] += std::log(s) - ez / s;
        const float inv = static_cast<float>(1.0 / s);
        double* ps = prob_sum + i * c;
        for (int64_t k = 0; k < c; ++k) {
            const float p = e[k] * inv;
            z[k] = p;
            ps[k] += p;
        }
        counts[i * c + top] += 1;
    }
}

}  // namespace arisekit
