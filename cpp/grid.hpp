// Spatial bin grid used by every neighbour query in the core.
// The cell is turned into an "effective" basis: periodic lattice vectors are kept, open axes get
// orthonormal vectors perpendicular to the periodic ones, so every structure (crystal, slab, wire,
// point cloud) is binned in fractional coordinates of that basis. Lengths in the caller's unit (Å).
#pragma once

#include <array>
#include <cmath>
#include <cstdint>
#include <vector>

#include "neighbors.hpp"

namespace arisekit {

class BinGrid {
public:
    // Bins `n` candidate points (row-major n x 3) for queries within `cutoff`.
    BinGrid(const double* positions, int64_t n, const Cell& cell, double cutoff);

    // Fractional coordinates of a point in the effective basis, wrapped into [0, 1) along periodic axes;
    // `wrap` receives the integer lattice translation added by the wrapping.
    void to_fractional(const double r[3], double f[3], int32_t wrap[3]) const;

    // Calls visit(candidate_index, dx, dy, dz, d2, shift) for every candidate image within the cutoff of
    // the query point (given by its wrapped fractional coordinates `f`). `shift` is the lattice image
    // applied to the wrapped candidate; the caller converts it to the caller's convention with wraps().
    // `inclusive` selects d <= cutoff instead of d < cutoff.
    template <class Visit>
    void for_each_within(const double f[3], bool inclusive, Visit&& visit) const;

    const int32_t* wraps(int64_t candidate) const { return &wrap_[3 * candidate]; }
    int64_t size() const { return n_; }
    const std::array<std::array<double, 3>, 3>& basis() const { return h_; }
    const std::array<bool, 3>& periodic() const { return pbc_; }

private:
    int64_t n_ = 0;
    double cutoff_ = 0.0;
    std::array<std::array<double, 3>, 3> h_{};      // effective basis (rows)
    std::array<std::array<double, 3>, 3> hinv_{};   // its inverse: f = r * hinv
    std::array<bool, 3> pbc_{};
    std::array<double, 3> fmin_{}, extent_{};       // open axes: fractional range of the points
    std::array<double, 3> reach_{};                 // cutoff in fractional units per axis
    std::array<int64_t, 3> nbin_{};
    std::vector<int64_t> start_;                    // CSR over bins
    std::vector<int64_t> index_;                    // candidate index, bin-sorted
    std::vector<double> pos_;                       // wrapped Cartesian positions, bin-sorted (3 each)
    std::vector<int32_t> wrap_;                     // wraps per candidate (original order, 3 each)

    int64_t bin_of(double f, int k) const;
};

inline int64_t floor_div(int64_t a, int64_t b) {
    int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

template <class Visit>
void BinGrid::for_each_within(const double f[3], bool inclusive, Visit&& visit) const {
    const double eps = 1e-9;
    int64_t lo[3], hi[3];
    for (int k = 0; k < 3; ++k) {
        if (pbc_[k]) {
            lo[k] = static_cast<int64_t>(std::floor((f[k] - reach_[k]) * nbin_[k] - eps));
            hi[k] = static_cast<int64_t>(std::floor((f[k] + reach_[k]) * nbin_[k] + eps));
        } else {
            if (nbin_[k] > 1) {  // then extent >= 2 reach: the scale is finite
                double scale = nbin_[k] / extent_[k];
                double a = std::floor((f[k] - reach_[k] - fmin_[k]) * scale - eps);
                double b = std::floor((f[k] + reach_[k] - fmin_[k]) * scale + eps);
                // clamp before converting: a query far outside the points gives values beyond int64
                lo[k] = static_cast<int64_t>(std::min(std::max(a, 0.0), double(nbin_[k])));
                hi[k] = static_cast<int64_t>(std::max(std::min(b, double(nbin_[k] - 1)), -1.0));
            } else {  // one bin holding [fmin, fmin + extent]: visit it if the query reaches it
                double below = fmin_[k] - f[k], above = f[k] - (fmin_[k] + extent_[k]);
                lo[k] = 0;
                hi[k] = (std::max(below, above) <= reach_[k] + eps) ? 0 : -1;
            }
        }
    }
    // Query position in the effective Cartesian frame.
    double p[3];
    for (int c = 0; c < 3; ++c) p[c] = f[0] * h_[0][c] + f[1] * h_[1][c] + f[2] * h_[2][c];
    const double c2 = cutoff_ * cutoff_;
    int32_t shift[3];
    for (int64_t a = lo[0]; a <= hi[0]; ++a) {
        int64_t ba = pbc_[0] ? a - floor_div(a, nbin_[0]) * nbin_[0] : a;
        shift[0] = pbc_[0] ? static_cast<int32_t>(floor_div(a, nbin_[0])) : 0;
        for (int64_t b = lo[1]; b <= hi[1]; ++b) {
            int64_t bb = pbc_[1] ? b - floor_div(b, nbin_[1]) * nbin_[1] : b;
            shift[1] = pbc_[1] ? static_cast<int32_t>(floor_div(b, nbin_[1])) : 0;
            for (int64_t c = lo[2]; c <= hi[2]; ++c) {
                int64_t bc = pbc_[2] ? c - floor_div(c, nbin_[2]) * nbin_[2] : c;
                shift[2] = pbc_[2] ? static_cast<int32_t>(floor_div(c, nbin_[2])) : 0;
                double off[3];
                for (int d = 0; d < 3; ++d)
                    off[d] = shift[0] * h_[0][d] + shift[1] * h_[1][d] + shift[2] * h_[2][d] - p[d];
                int64_t bin = (ba * nbin_[1] + bb) * nbin_[2] + bc;
                for (int64_t s = start_[bin]; s < start_[bin + 1]; ++s) {
                    const double* q = &pos_[3 * s];
                    double dx = q[0] + off[0], dy = q[1] + off[1], dz = q[2] + off[2];
                    double d2 = dx * dx + dy * dy + dz * dz;
                    if (inclusive ? d2 <= c2 : d2 < c2) visit(index_[s], dx, dy, dz, d2, shift);
                }
            }
        }
    }
}

}  // namespace arisekit
