// Python module arisekit._core: registers every part of the C++ core.
#include <pybind11/pybind11.h>

namespace py = pybind11;

void register_neighbors(py::module_& m);
void register_boxes(py::module_& m);
void register_soap(py::module_& m);
void register_dense(py::module_& m);
void register_arise(py::module_& m);

PYBIND11_MODULE(_core, m) {
    m.doc() = "arisekit C++ core: neighbour search, isotropic scaling, strided boxes, SOAP, dense-layer kernels";
#ifdef ARISEKIT_VERSION
    m.attr("__version__") = ARISEKIT_VERSION;
#endif
    register_neighbors(m);
    register_boxes(m);
    register_soap(m);
    register_dense(m);
    register_arise(m);
}
