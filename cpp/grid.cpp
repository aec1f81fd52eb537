// BinGrid construction: effective basis, wrapping and binning (see grid.hpp).
#include "grid.hpp"

#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>

#include "common.hpp"

namespace arisekit {
namespace {

using Mat = std::array<std::array<double, 3>, 3>;
using Vec = std::array<double, 3>;

Vec cross(const Vec& a, const Vec& b) {
    return {a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]};
}
double dot(const Vec& a, const Vec& b) { return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]; }
double norm(const Vec& a) { return std::sqrt(dot(a, a)); }
Vec scaled(const Vec& a, double s) { return {a[0] * s, a[1] * s, a[2] * s}; }

// Any unit vector perpendicular to a (non-zero) vector.
Vec perpendicular(const Vec& a) {
    Vec trial = std::fabs(a[0]) < 0.9 * norm(a) ? Vec{1, 0, 0} : Vec{0, 1, 0};
    Vec p = cross(a, trial);
    return scaled(p, 1.0 / norm(p));
}

double det(const Mat& m) { return dot(m[0], cross(m[1], m[2])); }

Mat inverse(const Mat& m) {
    double d = det(m);
    Vec c0 = cross(m[1], m[2]), c1 = cross(m[2], m[0]), c2 = cross(m[0], m[1]);
    Mat inv{};
    for (int r = 0; r < 3; ++r) {
        inv[r][0] = c0[r] / d;
        inv[r][1] = c1[r] / d;
        inv[r][2] = c2[r] / d;
    }
    return inv;
}

// Replace open-axis vectors by orthonormal vectors perpendicular to the periodic ones.
Mat effective_basis(const Cell& cell) {
    Mat h = cell.h;
    std::vector<int> per, open;
    for (int k = 0; k < 3; ++k) (cell.pbc[k] ? per : open).push_back(k);
    for (int k : per) {
        double len = norm(h[k]);
        if (!(len > 0) || !std::isfinite(len))
            throw std::invalid_argument("cell: lattice vector " + std::to_string(k) +
                                        " is zero or not finite but the axis is periodic");
    }
    if (per.size() == 3) {
        double scale = norm(h[0]) * norm(h[1]) * norm(h[2]);
        if (std::fabs(det(h)) <= 1e-10 * scale)
            throw std::invalid_argument("cell: the periodic lattice vectors are linearly dependent "
                                        "(singular cell)");
        return h;
    }
    if (per.size() == 2) {
        Vec n = cross(h[per[0]], h[per[1]]);
        double nn = norm(n);
        if (nn <= 1e-10 * norm(h[per[0]]) * norm(h[per[1]]))
            throw std::invalid_argument("cell: the two periodic lattice vectors are parallel (singular cell)");
        h[open[0]] = scaled(n, 1.0 / nn);
    } else if (per.size() == 1) {
        Vec a = scaled(h[per[0]], 1.0 / norm(h[per[0]]));
        Vec u = perpendicular(a);
        Vec v = cross(a, u);
        h[open[0]] = u;
        h[open[1]] = v;
    } else {
        h = Mat{Vec{1, 0, 0}, Vec{0, 1, 0}, Vec{0, 0, 1}};
    }
    // Keep a right-handed, non-singular basis (orientation does not matter for binning).
    return h;
}

}  // namespace

BinGrid::BinGrid(const double* positions, int64_t n, const Cell& cell, double cutoff)
    : n_(n), cutoff_(cutoff), pbc_(cell.pbc) {
    require_positive(cutoff, "cutoff");
    require_finite(positions, 3 * n, "positions");
    require_bounded(positions, 3 * n, "positions");
    if (cutoff > kMaxCoordinate) throw std::invalid_argument("cutoff is absurdly large (> 1e10 Å)");
    for (int r = 0; r < 3; ++r)
        for (int c = 0; c < 3; ++c)
            if (!std::isfinite(cell.h[r][c])) throw std::invalid_argument("cell contains NaN or infinite values");
    require_bounded(&cell.h[0][0], 9, "cell");
    h_ = effective_basis(cell);
    hinv_ = inverse(h_);

    // Fractional coordinates (wrapped along periodic axes) of all candidates.
    std::vector<double> frac(3 * static_cast<size_t>(n));
    wrap_.assign(3 * static_cast<size_t>(n), 0);
    for (int64_t a = 0; a < n; ++a) to_fractional(&positions[3 * a], &frac[3 * a], &wrap_[3 * a]);

    for (int k = 0; k < 3; ++k) {
        Vec col{hinv_[0][k], hinv_[1][k], hinv_[2][k]};
        double recip = norm(col);  // 1 / plane spacing
        reach_[k] = cutoff * recip;
        if (pbc_[k]) {
            double spacing = 1.0 / recip;
            double nb = std::floor(spacing / cutoff);
            nbin_[k] = static_cast<int64_t>(std::min(std::max(nb, 1.0), 1e6));
            fmin_[k] = 0.0;
            extent_[k] = 1.0;
        } else {
            double lo = std::numeric_limits<double>::infinity(), hi = -lo;
            for (int64_t a = 0; a < n; ++a) {
                lo = std::min(lo, frac[3 * a + k]);
                hi = std::max(hi, frac[3 * a + k]);
            }
            if (n == 0) lo = hi = 0.0;
            fmin_[k] = lo;
            extent_[k] = hi - lo;
            double nb = std::floor(extent_[k] / reach_[k]);
            nbin_[k] = static_cast<int64_t>(std::min(std::max(nb, 1.0), 1e6));
        }
    }
    // A cutoff spanning a huge number of periodic images would hang or exhaust memory.
    double images = 1.0;
    for (int k = 0; k < 3; ++k)
        if (pbc_[k]) images *= 2.0 * std::ceil(reach_[k]) + 1.0;
    if (images > 1e5)
        throw std::invalid_argument("cutoff " + std::to_string(cutoff) + " spans about " +
                                    std::to_string(static_cast<long long>(images)) +
                                    " periodic images: the cell is too small for this cutoff");
    // Bound the number of bins by the number of points (memory), coarsening the finest axis.
    const double max_bins = 4.0 * static_cast<double>(n) + 64.0;
    while (double(nbin_[0]) * double(nbin_[1]) * double(nbin_[2]) > max_bins) {
        int k = 0;
        for (int d = 1; d < 3; ++d)
            if (nbin_[d] > nbin_[k]) k = d;
        nbin_[k] = std::max<int64_t>(1, nbin_[k] / 2);
    }

    const int64_t nbins = nbin_[0] * nbin_[1] * nbin_[2];
    std::vector<int64_t> bin(n);
    start_.assign(nbins + 1, 0);
    for (int64_t a = 0; a < n; ++a) {
        int64_t b0 = bin_of(frac[3 * a], 0), b1 = bin_of(frac[3 * a + 1], 1), b2 = bin_of(frac[3 * a + 2], 2);
        bin[a] = (b0 * nbin_[1] + b1) * nbin_[2] + b2;
        ++start_[bin[a] + 1];
    }
    std::partial_sum(start_.begin(), start_.end(), start_.begin());
    std::vector<int64_t> fill(start_.begin(), start_.end() - 1);
    index_.resize(n);
    pos_.resize(3 * static_cast<size_t>(n));
    for (int64_t a = 0; a < n; ++a) {
        int64_t s = fill[bin[a]]++;
        index_[s] = a;
        const double* f = &frac[3 * a];
        for (int c = 0; c < 3; ++c) pos_[3 * s + c] = f[0] * h_[0][c] + f[1] * h_[1][c] + f[2] * h_[2][c];
    }
}

void BinGrid::to_fractional(const double r[3], double f[3], int32_t wrap[3]) const {
    for (int k = 0; k < 3; ++k) {
        f[k] = r[0] * hinv_[0][k] + r[1] * hinv_[1][k] + r[2] * hinv_[2][k];
        wrap[k] = 0;
        if (pbc_[k]) {
            double fl = std::floor(f[k]);
            if (std::fabs(fl) > 2e9) throw std::invalid_argument("positions lie absurdly far outside the cell");
            f[k] -= fl;
            wrap[k] = -static_cast<int32_t>(fl);
            if (f[k] >= 1.0) {  // rounding: -1e-17 - floor(...) == 1.0
                f[k] = 0.0;
                wrap[k] -= 1;
            }
        }
    }
}

int64_t BinGrid::bin_of(double f, int k) const {
    double x = pbc_[k] ? f * nbin_[k] : (extent_[k] > 0 ? (f - fmin_[k]) / extent_[k] * nbin_[k] : 0.0);
    int64_t b = static_cast<int64_t>(std::floor(x));
    return std::min<int64_t>(std::max<int64_t>(b, 0), nbin_[k] - 1);
}

}  // namespace arisekit
