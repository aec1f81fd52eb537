// Python bindings: ARISE descriptors of many SPM boxes in one call (exact mode), and the open-structure
// d_NN rule they use.
#include <pybind11/stl.h>

#include <string>

#include "arise_boxes.hpp"
#include "numpy_utils.hpp"

namespace py = pybind11;
using namespace arisekit;

namespace {

using Int32Array = py::array_t<int32_t, py::array::c_style | py::array::forcecast>;

AriseBoxOptions make_options(double extrinsic_scale, const std::string& method, int bins) {
    AriseBoxOptions opt;
    opt.extrinsic_scale = extrinsic_scale;
    opt.bins = bins;
    if (method == "hist")
        opt.method = DnnMethod::Hist;
    else if (method == "shell")
        opt.method = DnnMethod::Shell;
    else if (method == "mean")
        opt.method = DnnMethod::Mean;
    else
        throw std::invalid_argument("d_nn_method must be 'hist', 'shell' or 'mean', got '" + method + "'");
    if (bins < 1) throw std::invalid_argument("bins must be a positive integer");
    return opt;
}

}  // namespace

void register_arise(py::module_& m) {
    m.def(
        "arise_box_descriptors",
        [](const SoapCalculator& calc, const DoubleArray& positions, const Int64Array& numbers,
           const Int64Array& offsets, const Int32Array& indices, const Int64Array& boxes, double extrinsic_scale,
           const std::string& d_nn_method, int bins, int n_threads) {
            int64_t n = check_points(positions, "positions");
            if (numbers.ndim() != 1 || numbers.shape(0) != n)
                throw std::invalid_argument("numbers must have shape (n_atoms,)");
            if (offsets.ndim() != 1 || offsets.shape(0) < 1 || indices.ndim() != 1 || boxes.ndim() != 1)
                throw std::invalid_argument("offsets, indices and boxes must be 1-D (offsets non-empty)");
            AriseBoxOptions opt = make_options(extrinsic_scale, d_nn_method, bins);
            const int64_t nb = boxes.shape(0), dim = calc.n_power(1) + 1;
            py::array_t<double> out({static_cast<py::ssize_t>(nb), static_cast<py::ssize_t>(dim)});
            py::array_t<bool> ok(static_cast<py::ssize_t>(nb));
            double* po = out.mutable_data();
            auto* pk = reinterpret_cast<uint8_t*>(ok.mutable_data());
            {
                py::gil_scoped_release release;
                arise_box_descriptors(calc, positions.data(), numbers.data(), n, offsets.data(), offsets.shape(0),
                                      indices.data(), indices.shape(0), boxes.data(), nb, opt, n_threads, po, pk);
            }
            return py::make_tuple(out, ok);
        },
        py::arg("calculator"), py::arg("positions"), py::arg("numbers"), py::arg("offsets"), py::arg("indices"),
        py::arg("boxes"), py::arg("extrinsic_scale") = 1.0, py::arg("d_nn_method") = "hist", py::arg("bins") = 100,
        py::arg("n_threads") = 0,
        "ARISE descriptors (len(boxes), dim) of open boxes (atoms indices[offsets[b]:offsets[b+1]] of the "
        "sample, positions in Å), each scaled by its own d_NN per species pair, and a boolean mask of the boxes "
        "that have one (False: a species with a single atom, overlapping atoms). Threads over boxes.");
    m.def(
        "open_pair_dnn",
        [](const DoubleArray& positions, const Int64Array& numbers, int64_t alpha, int64_t beta,
           const std::string& method, int bins) {
            int64_t n = check_points(positions, "positions");
            if (numbers.ndim() != 1 || numbers.shape(0) != n)
                throw std::invalid_argument("numbers must have shape (n_atoms,)");
            AriseBoxOptions opt = make_options(1.0, method, bins);
            py::gil_scoped_release release;
            return open_pair_dnn(positions.data(), numbers.data(), n, alpha, beta, opt);
        },
        py::arg("positions"), py::arg("numbers"), py::arg("alpha"), py::arg("beta"), py::arg("method") = "hist",
        py::arg("bins") = 100,
        "d_NN (Å) of the species pair (alpha, beta) of an open structure, as "
        "geometry.nearest_neighbor_distance (C++, for the SPM exact mode).");
}
