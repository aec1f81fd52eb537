// Python bindings: fused elementwise steps of Monte-Carlo-dropout inference (arrays modified in place).
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <stdexcept>
#include <string>

#include "dense.hpp"

namespace py = pybind11;
using namespace arisekit;

namespace {

template <class T>
T* writable_matrix(py::array& a, const char* name, int64_t& n, int64_t& w) {
    if (!py::isinstance<py::array_t<T>>(a) || a.ndim() != 2 || !(a.flags() & py::array::c_style) ||
        !a.writeable())
        throw std::invalid_argument(std::string(name) + ": need a writable C-contiguous 2D " +
                                    py::format_descriptor<T>::format() + " array");
    n = a.shape(0);
    w = a.shape(1);
    return static_cast<T*>(a.mutable_data());
}

template <class T>
const T* vector_of(const py::array& a, const char* name, int64_t len) {
    if (!py::isinstance<py::array_t<T>>(a) || a.ndim() != 1 || !(a.flags() & py::array::c_style) ||
        a.shape(0) != len)
        throw std::invalid_argument(std::string(name) + ": need a contiguous 1D array of length " +
                                    std::to_string(len));
    return static_cast<const T*>(a.data());
}

}  // namespace

void register_dense(py::module_& m) {
    m.def(
        "bias_relu",
        [](py::array z, py::array bias) {
            int64_t n, w;
            float* pz = writable_matrix<float>(z, "z", n, w);
            const float* pb = vector_of<float>(bias, "bias", w);
            py::gil_scoped_release release;
            bias_relu(pz, n, w, pb);
        },
        py::arg("z"), py::arg("bias"), "In place: z = max(z + bias, 0) (float32).");
    m.def(
        "gathered_difference_relu",
        [](py::array z, py::array base, py::array cols) {
            int64_t n, w, nb, wb;
            float* pz = writable_matrix<float>(z, "z", n, w);
            if (!py::isinstance<py::array_t<float>>(base) || base.ndim() != 2 ||
                !(base.flags() & py::array::c_style) || base.shape(0) != n)
                throw std::invalid_argument("base: need a C-contiguous float32 array with as many rows as z");
            nb = base.shape(0);
            wb = base.shape(1);
            (void)nb;
            const int64_t* pc = vector_of<int64_t>(cols, "cols", w);
            for (int64_t j = 0; j < w; ++j)
                if (pc[j] < 0 || pc[j] >= wb)
                    throw std::invalid_argument("cols: index " + std::to_string(pc[j]) + " out of range [0, " +
                                                std::to_string(wb) + ")");
            const float* pbase = static_cast<const float*>(base.data());
            py::gil_scoped_release release;
            gathered_difference_relu(pz, n, w, pbase, wb, pc);
        },
        py::arg("z"), py::arg("base"), py::arg("cols"),
        "In place: z[r, j] = max(base[r, cols[j]] - z[r, j], 0) (float32).");
    m.def(
        "softmax_accumulate",
        [](py::array logits, py::array prob_sum, py::array entropy_sum, py::array counts) {
            int64_t n, c, n2, c2, n3, c3;
            float* pl = writable_matrix<float>(logits, "logits", n, c);
            if (c < 1) throw std::invalid_argument("logits: need at least one class column");
            double* ps = writable_matrix<double>(prob_sum, "prob_sum", n2, c2);
            int64_t* pk = writable_matrix<int64_t>(counts, "counts", n3, c3);
            if (n2 < 1 || n % n2 != 0 || c2 != c || n3 != n2 || c3 != c)
                throw std::invalid_argument("prob_sum/counts: shapes must be (m, c) with the logits' c and " +
                                            std::string("m dividing the logits' rows"));
            if (!py::isinstance<py::array_t<double>>(entropy_sum) || entropy_sum.ndim() != 1 ||
                entropy_sum.shape(0) != n2 || !(entropy_sum.flags() & py::array::c_style) ||
                !entropy_sum.writeable())
                throw std::invalid_argument("entropy_sum: need a writable contiguous float64 array of length m");
            double* pe = static_cast<double*>(entropy_sum.mutable_data());
            py::gil_scoped_release release;
            softmax_accumulate(pl, n, c, n2, ps, pe, pk);
        },
        py::arg("logits"), py::arg("prob_sum"), py::arg("entropy_sum"), py::arg("counts"),
        "Softmax of (passes * m, c) float32 logits in place (they become probabilities) and accumulation "
        "for the m structures (row r is structure r % m): prob_sum += p, entropy_sum += -sum p ln p (nats), "
        "counts[argmax] += 1.");
}
