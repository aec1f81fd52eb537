// Elementwise steps of a dense ReLU/softmax network, fused so that each touches the activations once.
// The matrix products themselves stay in BLAS (NumPy); these kernels are single-threaded and are run
// from several Python threads at once (the GIL is released around them).
#pragma once

#include <cstdint>

namespace arisekit {

// z[r, j] = max(z[r, j] + bias[j], 0) for an (n, w) row-major block.
void bias_relu(float* z, int64_t n, int64_t w, const float* bias);

// z[r, j] = max(base[r, cols[j]] - z[r, j], 0): z is (n, w), base is (n, wb), cols index base's columns.
void gathered_difference_relu(float* z, int64_t n, int64_t w, const float* base, int64_t wb,
                              const int64_t* cols);

// Softmax of the (n, c) logits (overwritten by the probabilities) and accumulation of the Monte-Carlo
// statistics of m structures, row r belonging to structure i = r % m (n = passes × m):
// prob_sum[i] += p, entropy_sum[i] += -sum_c p ln p (nats), counts[i, argmax] += 1.
void softmax_accumulate(float* logits, int64_t n, int64_t c, int64_t m, double* prob_sum,
                        double* entropy_sum, int64_t* counts);

}  // namespace arisekit
