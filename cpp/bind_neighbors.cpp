// Python bindings: neighbour lists and nearest-neighbour distances.
#include <pybind11/stl.h>

#include "neighbors.hpp"
#include "numpy_utils.hpp"

namespace py = pybind11;
using namespace arisekit;

void register_neighbors(py::module_& m) {
    m.def(
        "neighbor_list",
        [](const DoubleArray& positions, const DoubleArray& cell, std::vector<bool> pbc, double cutoff,
           bool vectors, bool shifts, int n_threads) {
            int64_t n = check_points(positions, "positions");
            Cell c = make_cell(cell, pbc);
            NeighborList nl;
            {
                py::gil_scoped_release release;
                nl = build_neighbor_list(positions.data(), n, c, cutoff, vectors, shifts, n_threads);
            }
            auto np = static_cast<py::ssize_t>(nl.j.size());
            py::dict out;
            out["i"] = vector_to_numpy(std::move(nl.i), {np});
            out["j"] = vector_to_numpy(std::move(nl.j), {np});
            out["distance"] = vector_to_numpy(std::move(nl.distance), {np});
            out["offsets"] = vector_to_numpy(std::move(nl.offsets), {static_cast<py::ssize_t>(n + 1)});
            if (vectors) out["vector"] = vector_to_numpy(std::move(nl.vector), {np, 3});
            if (shifts) out["shift"] = vector_to_numpy(std::move(nl.shift), {np, 3});
            return out;
        },
        py::arg("positions"), py::arg("cell"), py::arg("pbc"), py::arg("cutoff"), py::arg("vectors") = false,
        py::arg("shifts") = false, py::arg("n_threads") = 0,
        "Full neighbour list within `cutoff` (Å). Returns a dict of arrays i, j, distance, offsets "
        "(CSR by i) and optionally vector (n_pairs, 3) and shift (n_pairs, 3).");

    m.def(
        "nearest_distances",
        [](const DoubleArray& positions, const DoubleArray& cell, std::vector<bool> pbc,
           std::vector<int64_t> centers, std::vector<int64_t> candidates, double cutoff, int n_threads) {
            int64_t n = check_points(positions, "positions");
            Cell c = make_cell(cell, pbc);
            std::vector<double> d;
            {
                py::gil_scoped_release release;
                d = nearest_distances(positions.data(), n, c, centers, candidates, cutoff, n_threads);
            }
            auto len = static_cast<py::ssize_t>(d.size());
            return vector_to_numpy(std::move(d), {len});
        },
        py::arg("positions"), py::arg("cell"), py::arg("pbc"), py::arg("centers"), py::arg("candidates"),
        py::arg("cutoff"), py::arg("n_threads") = 0,
        "Distance (Å) from each centre to its nearest candidate atom within `cutoff` (inf if none).");

    m.def(
        "neighbor_centroids",
        [](const DoubleArray& positions, const DoubleArray& cell, std::vector<bool> pbc, double cutoff,
           int n_threads) {
            int64_t n = check_points(positions, "positions");
            Cell c = make_cell(cell, pbc);
            std::vector<double> sum(3 * static_cast<size_t>(n));
            std::vector<int64_t> count(static_cast<size_t>(n));
            {
                py::gil_scoped_release release;
                neighbor_centroids(positions.data(), n, c, cutoff, n_threads, sum.data(), count.data());
            }
            auto len = static_cast<py::ssize_t>(n);
            return py::make_tuple(vector_to_numpy(std::move(sum), {len, 3}), vector_to_numpy(std::move(count), {len}));
        },
        py::arg("positions"), py::arg("cell"), py::arg("pbc"), py::arg("cutoff"), py::arg("n_threads") = 0,
        "Per-atom sum of neighbour vectors (n, 3) in Å and neighbour counts (n,) within `cutoff`.");
}
