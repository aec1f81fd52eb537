// Python bindings: strided boxes and spheres.
#include <pybind11/stl.h>

#include "box_sums.hpp"
#include "boxes.hpp"
#include "common.hpp"
#include "numpy_utils.hpp"

namespace py = pybind11;
using namespace arisekit;

namespace {

py::dict grid_to_dict(BoxGrid&& g) {
    py::dict out;
    py::ssize_t nb = static_cast<py::ssize_t>(g.offsets.size()) - 1;
    py::ssize_t nm = static_cast<py::ssize_t>(g.indices.size());
    py::list counts, origins, strides, sizes;
    for (const auto& ax : g.axes) {
        counts.append(ax.count);
        origins.append(ax.origin);
        strides.append(ax.stride);
        sizes.append(ax.size);
    }
    out["shape"] = py::tuple(counts);
    out["origin"] = py::tuple(origins);
    out["stride"] = py::tuple(strides);
    out["size"] = py::tuple(sizes);
    out["offsets"] = vector_to_numpy(std::move(g.offsets), {nb + 1});
    out["indices"] = vector_to_numpy(std::move(g.indices), {nm});
    return out;
}

}  // namespace

void register_boxes(py::module_& m) {
    m.def(
        "strided_boxes",
        [](const DoubleArray& positions, std::array<double, 3> size, std::array<double, 3> stride,
           std::array<bool, 3> spanned, double max_bytes) {
            int64_t n = check_points(positions, "positions");
            BoxGrid g;
            {
                py::gil_scoped_release release;
                g = strided_boxes(positions.data(), n, size, stride, spanned, max_bytes);
            }
            return grid_to_dict(std::move(g));
        },
        py::arg("positions"), py::arg("size"), py::arg("stride"), py::arg("spanned"), py::arg("max_bytes"),
        "Grid of strided boxes (Å) over the bounding box of `positions` and their atoms as CSR.");
    m.def(
        "sphere_members",
        [](const DoubleArray& positions, const DoubleArray& centers, double radius, double max_bytes,
           int n_threads) {
            int64_t n = check_points(positions, "positions");
            int64_t mc = check_points(centers, "centers");
            BoxGrid g;
            {
                py::gil_scoped_release release;
                g = sphere_members(positions.data(), n, centers.data(), mc, radius, max_bytes, n_threads);
            }
            return grid_to_dict(std::move(g));
        },
        py::arg("positions"), py::arg("centers"), py::arg("radius"), py::arg("max_bytes"),
        py::arg("n_threads") = 0, "Atoms within `radius` (Å, inclusive) of each centre, as CSR.");
    m.def(
        "box_row_sums",
        [](const Int64Array& offsets, const py::array_t<int32_t, py::array::c_style | py::array::forcecast>& indices,
           const Int64Array& boxes, const Int64Array& atom_row, const py::array& values_in, int n_threads) {
            if (offsets.ndim() != 1 || offsets.shape(0) < 1)
                throw std::invalid_argument("offsets: need a 1D array of length n_boxes + 1");
            if (indices.ndim() != 1 || boxes.ndim() != 1 || atom_row.ndim() != 1)
                throw std::invalid_argument("indices, boxes and atom_row must be 1D arrays");
            if (values_in.ndim() != 2) throw std::invalid_argument("values: need a 2D (rows, d) array");
            const int64_t m = boxes.shape(0), d = values_in.shape(1);
            std::vector<double> out(static_cast<size_t>(m * d));
            std::vector<int64_t> counts(static_cast<size_t>(m));
            auto run = [&](auto tag) {
                using T = decltype(tag);
                // float32 rows are summed as they are (no float64 copy of a large coefficient table)
                const auto values = py::array_t<T, py::array::c_style | py::array::forcecast>::ensure(values_in);
                if (!values) throw std::invalid_argument("values: not convertible to a numeric array");
                py::gil_scoped_release release;
                box_row_sums<T>(offsets.data(), offsets.shape(0) - 1, indices.data(), indices.shape(0),
                                boxes.data(), m, atom_row.data(), atom_row.shape(0), values.data(),
                                values.shape(0), d, out.data(), counts.data(), n_threads);
            };
            if (values_in.dtype().is(py::dtype::of<float>()))
                run(float{});
            else
                run(double{});
            return py::make_tuple(vector_to_numpy(std::move(out), {m, d}),
                                  vector_to_numpy(std::move(counts), {m}));
        },
        py::arg("offsets"), py::arg("indices"), py::arg("boxes"), py::arg("atom_row"), py::arg("values"),
        py::arg("n_threads") = 0,
        "Per listed box: sum of values[atom_row[a]] over its atoms a with atom_row[a] >= 0, and their count.");
}
