// Full neighbour lists and nearest-distance queries on top of BinGrid.
#include "neighbors.hpp"

#include <limits>
#include <stdexcept>

#include "common.hpp"
#include "grid.hpp"

namespace arisekit {

NeighborList build_neighbor_list(const double* positions, int64_t n, const Cell& cell, double cutoff,
                                 bool want_vectors, bool want_shifts, int n_threads) {
    if (n < 0) throw std::invalid_argument("positions: negative number of atoms");
    BinGrid grid(positions, n, cell, cutoff);
    int nt = static_cast<int>(std::min<int64_t>(resolve_threads(n_threads), std::max<int64_t>(1, n / 256)));
    std::vector<NeighborList> parts(nt);
    std::vector<std::vector<int64_t>> counts(nt);
    parallel_chunks(n, nt, [&](int64_t begin, int64_t end, int t) {
        NeighborList& out = parts[t];
        std::vector<int64_t>& cnt = counts[t];
        cnt.reserve(end - begin);
        double f[3];
        int32_t wi[3];
        for (int64_t a = begin; a < end; ++a) {
            grid.to_fractional(&positions[3 * a], f, wi);
            size_t before = out.j.size();
            grid.for_each_within(f, false, [&](int64_t b, double dx, double dy, double dz, double d2,
                                                const int32_t* s) {
                if (b == a && s[0] == 0 && s[1] == 0 && s[2] == 0) return;
                out.j.push_back(b);
                out.distance.push_back(std::sqrt(d2));
                if (want_vectors) {
                    out.vector.push_back(dx);
                    out.vector.push_back(dy);
                    out.vector.push_back(dz);
                }
                if (want_shifts) {
                    const int32_t* wj = grid.wraps(b);
                    for (int k = 0; k < 3; ++k) out.shift.push_back(s[k] + wj[k] - wi[k]);
                }
            });
            cnt.push_back(static_cast<int64_t>(out.j.size() - before));
        }
    });
    NeighborList nl;
    size_t total = 0;
    for (auto& p : parts) total += p.j.size();
    nl.i.reserve(total);
    nl.j.reserve(total);
    nl.distance.reserve(total);
    if (want_vectors) nl.vector.reserve(3 * total);
    if (want_shifts) nl.shift.reserve(3 * total);
    nl.offsets.assign(1, 0);
    nl.offsets.reserve(n + 1);
    int64_t atom = 0;
    for (int t = 0; t < nt; ++t) {
        for (int64_t c : counts[t]) {
            for (int64_t k = 0; k < c; ++k) nl.i.push_back(atom);
            nl.offsets.push_back(nl.offsets.back() + c);
            ++atom;
        }
        auto& p = parts[t];
        nl.j.insert(nl.j.end(), p.j.begin(), p.j.end());
        nl.distance.insert(nl.distance.end(), p.distance.begin(), p.distance.end());
        nl.vector.insert(nl.vector.end(), p.vector.begin(), p.vector.end());
        nl.shift.insert(nl.shift.end(), p.shift.begin(), p.shift.end());
        p = NeighborList();
    }
    while (static_cast<int64_t>(nl.offsets.size()) < n + 1) nl.offsets.push_back(nl.offsets.back());
    return nl;
}

std::vector<double> nearest_distances(const double* positions, int64_t n, const Cell& cell,
                                      const std::vector<int64_t>& centers,
                                      const std::vector<int64_t>& candidates, double cutoff, int n_threads) {
    std::vector<double> cand_pos(3 * candidates.size());
    for (size_t c = 0; c < candidates.size(); ++c) {
        if (candidates[c] < 0 || candidates[c] >= n) throw std::invalid_argument("candidate index out of range");
        for (int d = 0; d < 3; ++d) cand_pos[3 * c + d] = positions[3 * candidates[c] + d];
    }
    BinGrid grid(cand_pos.data(), static_cast<int64_t>(candidates.size()), cell, cutoff);
    std::vector<double> result(centers.size(), std::numeric_limits<double>::infinity());
    parallel_chunks(static_cast<int64_t>(centers.size()), n_threads, [&](int64_t begin, int64_t end, int) {
        double f[3];
        int32_t wi[3];
        for (int64_t c = begin; c < end; ++c) {
            int64_t a = centers[c];
            if (a < 0 || a >= n) throw std::invalid_argument("center index out of range");
            grid.to_fractional(&positions[3 * a], f, wi);
            double best = std::numeric_limits<double>::infinity();
            grid.for_each_within(f, false, [&](int64_t b, double, double, double, double d2, const int32_t* s) {
                if (candidates[b] == a) {
                    const int32_t* wj = grid.wraps(b);
                    if (s[0] + wj[0] - wi[0] == 0 && s[1] + wj[1] - wi[1] == 0 && s[2] + wj[2] - wi[2] == 0) return;
                }
                if (d2 < best) best = d2;
            });
            result[c] = std::sqrt(best);
        }
    });
    return result;
}

void neighbor_centroids(const double* positions, int64_t n, const Cell& cell, double cutoff, int n_threads,
                        double* vector_sum, int64_t* count) {
    BinGrid grid(positions, n, cell, cutoff);
    parallel_chunks(n, n_threads, [&](int64_t begin, int64_t end, int) {
        double f[3];
        int32_t wi[3];
        for (int64_t a = begin; a < end; ++a) {
            grid.to_fractional(&positions[3 * a], f, wi);
            double sx = 0, sy = 0, sz = 0;
            int64_t c = 0;
            grid.for_each_within(f, false, [&](int64_t b, double dx, double dy, double dz, double,
                                               const int32_t* s) {
                if (b == a && s[0] == 0 && s[1] == 0 && s[2] == 0) return;
                sx += dx;
                sy += dy;
                sz += dz;
                ++c;
            });
            vector_sum[3 * a] = sx;
            vector_sum[3 * a + 1] = sy;
            vector_sum[3 * a + 2] = sz;
            count[a] = c;
        }
    });
}

}  // namespace arisekit

