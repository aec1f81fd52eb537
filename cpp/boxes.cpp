// Strided boxes and spheres: CSR membership without any O(boxes x atoms) step.
#include "boxes.hpp"

#include <cmath>
#include <algorithm>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>

#include "common.hpp"
#include "grid.hpp"

namespace arisekit {
namespace {

std::string fmt_bytes(double b) { return std::to_string(static_cast<long long>(b / 1048576.0)) + " MiB"; }

bool inside(const BoxAxis& ax, int64_t k, double x) {
    double lo = ax.origin + static_cast<double>(k) * ax.stride;
    return lo <= x && x <= lo + ax.size;
}

// Range [first, last] of boxes along one axis that contain coordinate x (empty if first > last).
void box_range(const BoxAxis& ax, double x, int64_t& first, int64_t& last) {
    if (ax.count == 1) {
        first = 0;
        last = inside(ax, 0, x) ? 0 : -1;
        return;
    }
    double a = std::ceil((x - ax.size - ax.origin) / ax.stride);
    double b = std::floor((x - ax.origin) / ax.stride);
    first = static_cast<int64_t>(std::min(std::max(a, 0.0), double(ax.count - 1)));
    last = static_cast<int64_t>(std::min(std::max(b, 0.0), double(ax.count - 1)));
    // Settle rounding at the interval ends with the exact membership predicate.
    while (first > 0 && inside(ax, first - 1, x)) --first;
    while (first <= last && !inside(ax, first, x)) ++first;
    while (last + 1 < ax.count && inside(ax, last + 1, x)) ++last;
    while (last >= first && !inside(ax, last, x)) --last;
}

}  // namespace

BoxGrid strided_boxes(const double* positions, int64_t n, const std::array<double, 3>& size,
                      const std::array<double, 3>& stride, const std::array<bool, 3>& spanned,
                      double max_bytes) {
    if (n <= 0) throw std::invalid_argument("positions: the structure has no atoms");
    require_finite(positions, 3 * n, "positions");
    require_bounded(positions, 3 * n, "positions");
    BoxGrid grid;
    double nboxes = 1.0;
    for (int k = 0; k < 3; ++k) {
        double lo = std::numeric_limits<double>::infinity(), hi = -lo;
        for (int64_t a = 0; a < n; ++a) {
            lo = std::min(lo, positions[3 * a + k]);
            hi = std::max(hi, positions[3 * a + k]);
        }
        BoxAxis& ax = grid.axes[k];
        if (spanned[k]) {
            ax = BoxAxis{1, lo, 0.0, hi - lo};
            continue;
        }
        const char* axis = k == 0 ? "x" : (k == 1 ? "y" : "z");
        if (!(size[k] > 0) || !std::isfinite(size[k]))
            throw std::invalid_argument(std::string("box_size along ") + axis + " must be positive and finite, got " +
                                        std::to_string(size[k]));
        if (!(stride[k] > 0) || !std::isfinite(stride[k]))
            throw std::invalid_argument(std::string("stride along ") + axis + " must be positive and finite, got " +
                                        std::to_string(stride[k]));
        double extent = hi - lo;
        double count = extent <= size[k] ? 1.0 : std::ceil((extent - size[k]) / stride[k] - 1e-9) + 1.0;
        if (count > 1e12)
            throw std::invalid_argument(std::string("stride along ") + axis + " gives an absurd number of boxes (" +
                                        std::to_string(count) + ")");
        double covered = (count - 1.0) * stride[k] + size[k];
        ax = BoxAxis{static_cast<int64_t>(count), lo - 0.5 * (covered - extent), stride[k], size[k]};
        nboxes *= count;
    }
    if (nboxes * 8.0 > max_bytes)
        throw std::invalid_argument("box grid of " + std::to_string(static_cast<long long>(nboxes)) +
                                    " boxes exceeds the memory limit of " + fmt_bytes(max_bytes));
    const int64_t nb = grid.axes[0].count * grid.axes[1].count * grid.axes[2].count;
    const int64_t cy = grid.axes[1].count, cz = grid.axes[2].count;

    // Pass 1: count members per box; pass 2: fill. Work is proportional to the memberships.
    grid.offsets.assign(nb + 1, 0);
    std::vector<int64_t> range(6 * static_cast<size_t>(n));
    for (int64_t a = 0; a < n; ++a) {
        int64_t* r = &range[6 * a];
        for (int k = 0; k < 3; ++k) box_range(grid.axes[k], positions[3 * a + k], r[2 * k], r[2 * k + 1]);
        for (int64_t x = r[0]; x <= r[1]; ++x)
            for (int64_t y = r[2]; y <= r[3]; ++y)
                for (int64_t z = r[4]; z <= r[5]; ++z) ++grid.offsets[(x * cy + y) * cz + z + 1];
    }
    std::partial_sum(grid.offsets.begin(), grid.offsets.end(), grid.offsets.begin());
    double total = static_cast<double>(grid.offsets.back());
    double need = total * 4.0 + nboxes * 8.0 + 48.0 * n;
    if (need > max_bytes)
        throw std::invalid_argument("box membership lists need " + fmt_bytes(need) + " (" +
                                    std::to_string(static_cast<long long>(total)) +
                                    " atom-box pairs), more than the memory limit of " + fmt_bytes(max_bytes));
    if (n > std::numeric_limits<int32_t>::max()) throw std::invalid_argument("too many atoms for box indices");
    grid.indices.resize(grid.offsets.back());
    std::vector<int64_t> fill(grid.offsets.begin(), grid.offsets.end() - 1);
    for (int64_t a = 0; a < n; ++a) {
        const int64_t* r = &range[6 * a];
        for (int64_t x = r[0]; x <= r[1]; ++x)
            for (int64_t y = r[2]; y <= r[3]; ++y)
                for (int64_t z = r[4]; z <= r[5]; ++z) grid.indices[fill[(x * cy + y) * cz + z]++] = static_cast<int32_t>(a);
    }
    return grid;
}

BoxGrid sphere_members(const double* positions, int64_t n, const double* centers, int64_t m, double radius,
                       double max_bytes, int n_threads) {
    if (n <= 0) throw std::invalid_argument("positions: the structure has no atoms");
    require_positive(radius, "radius");
    require_finite(centers, 3 * m, "centers");
    require_bounded(centers, 3 * m, "centers");
    Cell open;  // all axes open
    BinGrid bins(positions, n, open, radius);
    std::vector<std::vector<int32_t>> members(m);
    double count = 0;
    parallel_chunks(m, n_threads, [&](int64_t begin, int64_t end, int) {
        double f[3];
        int32_t w[3];
        for (int64_t c = begin; c < end; ++c) {
            bins.to_fractional(&centers[3 * c], f, w);
            bins.for_each_within(f, true, [&](int64_t b, double, double, double, double, const int32_t*) {
                members[c].push_back(static_cast<int32_t>(b));
            });
            std::sort(members[c].begin(), members[c].end());
        }
    });
    BoxGrid grid;
    grid.axes[0].count = m;
    grid.offsets.assign(m + 1, 0);
    for (int64_t c = 0; c < m; ++c) grid.offsets[c + 1] = grid.offsets[c] + members[c].size();
    count = static_cast<double>(grid.offsets.back());
    if (count * 4.0 > max_bytes)
        throw std::invalid_argument("sphere membership lists need " + fmt_bytes(count * 4.0) +
                                    ", more than the memory limit of " + fmt_bytes(max_bytes));
    grid.indices.reserve(grid.offsets.back());
    for (auto& v : members) grid.indices.insert(grid.indices.end(), v.begin(), v.end());
    return grid;
}

}  // namespace arisekit
