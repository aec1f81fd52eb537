// Sums of per-atom rows over the atoms of strided boxes (fast-mode SPM descriptors).
#pragma once

#include <cstdint>

namespace arisekit {

// For each listed box k (boxes[k] indexes the CSR offsets/indices of a box grid), sum the rows
// values[atom_row[a]] (d columns) of its atoms a with atom_row[a] >= 0, and count them:
// out is (m, d), counts is (m,); float64 sums of float64 or float32 values. Throws std::invalid_argument on
// indices out of range.
template <typename T>
void box_row_sums(const int64_t* offsets, int64_t n_boxes, const int32_t* indices, int64_t n_members,
                  const int64_t* boxes, int64_t m, const int64_t* atom_row, int64_t n_atoms,
                  const T* values, int64_t n_rows, int64_t d, double* out, int64_t* counts,
                  int n_threads);

}  // namespace arisekit
