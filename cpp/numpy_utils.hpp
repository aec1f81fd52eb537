// Conversions between NumPy arrays and the core's plain C++ types (binding code only).
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "neighbors.hpp"

namespace arisekit {
namespace py = pybind11;

using DoubleArray = py::array_t<double, py::array::c_style | py::array::forcecast>;
using Int64Array = py::array_t<int64_t, py::array::c_style | py::array::forcecast>;

// Hand a std::vector to NumPy without copying; `shape` must match its size.
template <class T>
py::array_t<T> vector_to_numpy(std::vector<T>&& v, std::vector<py::ssize_t> shape) {
    auto* owner = new std::vector<T>(std::move(v));
    py::capsule free_when_done(owner, [](void* p) { delete static_cast<std::vector<T>*>(p); });
    return py::array_t<T>(shape, owner->data(), free_when_done);
}

// Validate an (n, 3) array of positions and return n.
inline int64_t check_points(const DoubleArray& a, const char* name) {
    if (a.ndim() != 2 || a.shape(1) != 3)
        throw std::invalid_argument(std::string(name) + " must have shape (n, 3), got ndim=" +
                                    std::to_string(a.ndim()));
    return static_cast<int64_t>(a.shape(0));
}

inline Cell make_cell(const DoubleArray& h, const std::vector<bool>& pbc) {
    if (h.ndim() != 2 || h.shape(0) != 3 || h.shape(1) != 3)
        throw std::invalid_argument("cell must have shape (3, 3)");
    if (pbc.size() != 3) throw std::invalid_argument("pbc must have three entries");
    Cell cell;
    auto r = h.unchecked<2>();
    for (int i = 0; i < 3; ++i) {
        for (int j = 0; j < 3; ++j) cell.h[i][j] = r(i, j);
        cell.pbc[i] = pbc[i];
    }
    return cell;
}

}  // namespace arisekit
