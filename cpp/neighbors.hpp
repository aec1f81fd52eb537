// Cell-list neighbour search for periodic (any subset of axes, triclinic) and open systems.
// Positions and distances in the caller's length unit (Å in arisekit).
#pragma once

#include <array>
#include <cstdint>
#include <vector>

namespace arisekit {

// Simulation cell: rows of `h` are the lattice vectors a, b, c; `pbc[k]` marks periodic axes.
// Lattice vectors of open axes may be zero or arbitrary: they are replaced internally.
struct Cell {
    std::array<std::array<double, 3>, 3> h{};
    std::array<bool, 3> pbc{false, false, false};
};

// Full neighbour list: every ordered pair (i, j, image) with 0 < |r_j + S·h - r_i| <= cutoff.
// Pairs are sorted by i (ascending); for each i, pairs appear in a deterministic order.
// `shift` holds the integer image S such that vector = r_j - r_i + S·h with the caller's
// (unwrapped) positions, as in ASE's neighbor_list.
struct NeighborList {
    std::vector<int64_t> i, j;
    std::vector<double> distance;
    std::vector<double> vector;   // 3 per pair, only if requested
    std::vector<int32_t> shift;   // 3 per pair, only if requested
    std::vector<int64_t> offsets; // CSR by i: pairs of atom a are [offsets[a], offsets[a+1])
};

// positions: n x 3 row-major. Throws std::invalid_argument on bad input.
NeighborList build_neighbor_list(const double* positions, int64_t n, const Cell& cell, double cutoff,
                                 bool want_vectors, bool want_shifts, int n_threads);

}  // namespace arisekit

namespace arisekit {

// Distance (Å) from each centre atom to its nearest candidate atom (itself excluded, periodic
// images included), or +inf when no candidate lies within `cutoff`. Indices refer to `positions`.
std::vector<double> nearest_distances(const double* positions, int64_t n, const Cell& cell,
                                      const std::vector<int64_t>& centers,
                                      const std::vector<int64_t>& candidates, double cutoff, int n_threads);

}  // namespace arisekit

namespace arisekit {

// Per-atom sum of neighbour vectors (Å) and neighbour count within `cutoff`, without storing the list.
// A large |sum| / count marks an atom whose environment is cut by a free surface.
void neighbor_centroids(const double* positions, int64_t n, const Cell& cell, double cutoff, int n_threads,
                        double* vector_sum, int64_t* count);

}  // namespace arisekit
