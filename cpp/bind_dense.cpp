// Python bindings: fused elementwise steps of Monte-Carlo-dropout inference (arrays modified in place).
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <stdexcept>
#include <string>

#include "dense.hpp"

namespace py = pybind11;
using namespace arisekit;

namespace {

// A C-contiguous array of element type T with `ndim` dimensions (writable if asked), else
// std::invalid_argument naming it.
template <class T>
void require_array(const py::array& a, const char* name, int ndim, bool writable) {
    if (!py::isinstance<py::array_t<T>>(a) || a.ndim() != ndim || !(a.flags() & py::array::c_style) ||
        (writable && !a.writeable()))
        throw std::invalid_argument(std::string(name) + ": need a " + (writable ? "writable " : "") +
                                    "C-contiguous " + std::to_string(ndim) + "D " +
                                    py::format_descriptor<T>::format() + " array");
}

template <class T>
T* writable_matrix(py::array& a, const char* name, int64_t& n, int64_t& w) {
    require_array<T>(a, name, 2, true);
    n = a.shape(0);
    w = a.shape(1);
    return static_cast<T*>(a.mutable_data());
}

// A contiguous 1D array of T with `len` entries (writable if asked).
template <class T>
T* vector_of(py::array& a, const char* name, int64_t len, bool writable = false) {
    require_array<T>(a, name, 1, writable);
    if (a.shape(0) != len)
        throw std::invalid_argument(std::string(name) + ": need length " + std::to_string(len));
    return static_cast<T*>(writable ? a.mutable_data() : const_cast<void*>(a.data()));
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
            int64_t n, w;
            float* pz = writable_matrix<float>(z, "z", n, w);
            require_array<float>(base, "base", 2, false);
            if (base.shape(0) != n) throw std::invalid_argument("base: need as many rows as z");
            const int64_t wb = base.shape(1);
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
            double* pe = vector_of<double>(entropy_sum, "entropy_sum", n2, true);
            py::gil_scoped_release release;
            softmax_accumulate(pl, n, c, n2, ps, pe, pk);
        },
        py::arg("logits"), py::arg("prob_sum"), py::arg("entropy_sum"), py::arg("counts"),
        "Softmax of (passes * m, c) float32 logits in place (they become probabilities) and accumulation "
        "for the m structures (row r is structure r % m): prob_sum += p, entropy_sum += -sum p ln p (nats), "
        "counts[argmax] += 1.");
}
