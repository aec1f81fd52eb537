// Strided box extraction for strided pattern matching (SPM). Lengths in Å.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

namespace arisekit {

// One axis of a box grid: box k spans [origin + k*stride, origin + k*stride + size] (closed interval).
struct BoxAxis {
    int64_t count = 1;
    double origin = 0.0;
    double stride = 0.0;
    double size = 0.0;
};

struct BoxGrid {
    std::array<BoxAxis, 3> axes;
    std::vector<int64_t> offsets;  // CSR: atoms of box b are indices[offsets[b] .. offsets[b+1])
    std::vector<int32_t> indices;
};

// ARISE convention per axis: enough boxes that the last one reaches the maximum coordinate, the
// overhang split evenly on both sides. `spanned[k]` makes one box cover the whole extent of axis k.
// Boxes are numbered in C order over (ix, iy, iz). Throws std::invalid_argument when sizes/strides
// are not positive or the grid needs more than `max_bytes` of memory.
BoxGrid strided_boxes(const double* positions, int64_t n, const std::array<double, 3>& size,
                      const std::array<double, 3>& stride, const std::array<bool, 3>& spanned,
                      double max_bytes);

// Atoms within `radius` (inclusive) of each centre, open boundaries. CSR as above.
BoxGrid sphere_members(const double* positions, int64_t n, const double* centers, int64_t m, double radius,
                       double max_bytes, int n_threads);

}  // namespace arisekit
