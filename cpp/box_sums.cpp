#include "box_sums.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "common.hpp"

namespace arisekit {

template <typename T>
void box_row_sums(const int64_t* offsets, int64_t n_boxes, const int32_t* indices, int64_t n_members,
                  const int64_t* boxes, int64_t m, const int64_t* atom_row, int64_t n_atoms,
                  const T* values, int64_t n_rows, int64_t d, double* out, int64_t* counts,
                  int n_threads) {
    for (int64_t a = 0; a < n_atoms; ++a)
        if (atom_row[a] < -1 || atom_row[a] >= n_rows)
            throw std::invalid_argument("atom_row: entry " + std::to_string(atom_row[a]) + " of atom " +
                                        std::to_string(a) + " is outside [-1, " + std::to_string(n_rows) + ")");
    for (int64_t k = 0; k < m; ++k) {
        const int64_t b = boxes[k];
        if (b < 0 || b >= n_boxes)
            throw std::invalid_argument("boxes: index " + std::to_string(b) + " outside the grid's " +
                                        std::to_string(n_boxes) + " boxes");
        if (offsets[b] < 0 || offsets[b] > offsets[b + 1] || offsets[b + 1] > n_members)
            throw std::invalid_argument("offsets: inconsistent CSR offsets at box " + std::to_string(b));
    }
    parallel_chunks(m, m < 16 ? 1 : n_threads, [&](int64_t begin, int64_t end, int) {
        for (int64_t k = begin; k < end; ++k) {
            const int64_t b = boxes[k];
            double* row = out + k * d;
            std::fill(row, row + d, 0.0);
            int64_t c = 0;
            for (int64_t j = offsets[b]; j < offsets[b + 1]; ++j) {
                const int64_t a = indices[j];
                if (a < 0 || a >= n_atoms)
                    throw std::invalid_argument("indices: atom " + std::to_string(a) + " outside [0, " +
                                                std::to_string(n_atoms) + ")");
                const int64_t r = atom_row[a];
                if (r < 0) continue;
                const T* v = values + r * d;
                for (int64_t q = 0; q < d; ++q) row[q] += static_cast<double>(v[q]);
                ++c;
            }
            counts[k] = c;
        }
    });
}

template void box_row_sums<double>(const int64_t*, int64_t, const int32_t*, int64_t, const int64_t*, int64_t,
                                   const int64_t*, int64_t, const double*, int64_t, int64_t, double*, int64_t*,
                                   int);
template void box_row_sums<float>(const int64_t*, int64_t, const int32_t*, int64_t, const int64_t*, int64_t,
                                  const int64_t*, int64_t, const float*, int64_t, int64_t, double*, int64_t*,
                                  int);

}  // namespace arisekit
