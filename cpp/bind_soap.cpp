// Python bindings: SOAP expansion coefficients (arisekit._core.SoapCalculator) and power spectrum
// (arisekit._core.soap_power_spectrum).
#include <pybind11/stl.h>

#include "numpy_utils.hpp"
#include "soap.hpp"

namespace py = pybind11;
using namespace arisekit;

void register_soap(py::module_& m) {
    py::class_<SoapCalculator>(m, "SoapCalculator",
                               "SOAP radial tables for one parameter set (quippy `soap` conventions); lengths "
                               "in the caller's unit.")
        .def(py::init([](double cutoff, int n_max, int l_max, double atom_sigma, double central_weight,
                         double cutoff_transition_width, double basis_error_exponent,
                         bool central_reference_all_species) {
                 SoapParams p;
                 p.cutoff = cutoff;
                 p.n_max = n_max;
                 p.l_max = l_max;
                 p.atom_sigma = atom_sigma;
                 p.central_weight = central_weight;
                 p.cutoff_transition_width = cutoff_transition_width;
                 p.basis_error_exponent = basis_error_exponent;
                 p.central_reference_all_species = central_reference_all_species;
                 return SoapCalculator(p);
             }),
             py::arg("cutoff"), py::arg("n_max"), py::arg("l_max"), py::arg("atom_sigma"),
             py::arg("central_weight") = 1.0, py::arg("cutoff_transition_width") = 0.5,
             py::arg("basis_error_exponent") = 10.0, py::arg("central_reference_all_species") = false)
        .def_property_readonly("n_coeff_per_channel", &SoapCalculator::n_coeff_per_channel)
        .def_property_readonly("table_window", &SoapCalculator::table_window,
                               "Radial grid points evaluated per neighbour (window of the radial table).")
        .def("n_power", &SoapCalculator::n_power, py::arg("n_channels") = 1,
             "Power-spectrum length (without the trailing sigma0 entry) for `n_channels` species channels.")
        .def(
            "coefficients",
            [](const SoapCalculator& self, const DoubleArray& positions, const Int64Array& numbers,
               const DoubleArray& cell, std::vector<bool> pbc, std::vector<int64_t> centres,
               std::vector<int64_t> channel_species, int n_threads) {
                int64_t n = check_points(positions, "positions");
                if (numbers.ndim() != 1 || numbers.shape(0) != n)
                    throw std::invalid_argument("numbers must have shape (n_atoms,)");
                Cell c = make_cell(cell, pbc);
                std::vector<double> out;
                {
                    py::gil_scoped_release release;
                    out = self.coefficients(positions.data(), numbers.data(), n, c, centres, channel_species,
                                            n_threads);
                }
                auto rows = static_cast<py::ssize_t>(centres.size());
                int64_t S = channel_species.empty() ? 1 : static_cast<int64_t>(channel_species.size());
                auto cols = static_cast<py::ssize_t>(S * self.n_coeff_per_channel());
                return vector_to_numpy(std::move(out), {rows, cols});
            },
            py::arg("positions"), py::arg("numbers"), py::arg("cell"), py::arg("pbc"), py::arg("centres"),
            py::arg("channel_species"), py::arg("n_threads") = 0,
            "Expansion coefficients (len(centres), n_channels * n_max * (l_max+1)**2), layout (channel, n, l, m).")
        .def("radial_exact", &SoapCalculator::radial_exact, py::arg("n"), py::arg("l"), py::arg("r"),
             "Radial function g_nl(r) evaluated directly (no cutoff function).")
        .def("radial_table", &SoapCalculator::radial_table, py::arg("n"), py::arg("l"), py::arg("r"),
             "Radial function g_nl(r) from the interpolation table (no cutoff function).");

    m.def(
        "soap_power_spectrum",
        [](const DoubleArray& coeffs, int n_max, int l_max, int n_channels, bool normalise, double sigma0,
           int n_threads) {
            if (n_max < 1 || l_max < 0 || n_channels < 1)
                throw std::invalid_argument("n_max, l_max and n_species must be positive (l_max >= 0)");
            int64_t per = int64_t(n_channels) * n_max * (l_max + 1) * (l_max + 1);
            if (coeffs.ndim() != 2 || coeffs.shape(1) != per)
                throw std::invalid_argument("coefficients must have shape (m, " + std::to_string(per) + ") for n_max=" +
                                            std::to_string(n_max) + ", l_max=" + std::to_string(l_max) +
                                            ", n_species=" + std::to_string(n_channels));
            int64_t m = coeffs.shape(0);
            std::vector<double> out;
            {
                py::gil_scoped_release release;
                out = soap_power_spectrum(coeffs.data(), m, n_max, l_max, n_channels, normalise, sigma0, n_threads);
            }
            auto dim = static_cast<py::ssize_t>(out.size() / std::max<int64_t>(m, 1));
            if (m == 0) {
                int64_t K = int64_t(n_channels) * n_max;
                dim = static_cast<py::ssize_t>(K * (K + 1) / 2 * (l_max + 1) + 1);
            }
            return vector_to_numpy(std::move(out), {static_cast<py::ssize_t>(m), dim});
        },
        py::arg("coefficients"), py::arg("n_max"), py::arg("l_max"), py::arg("n_channels") = 1,
        py::arg("normalise") = true, py::arg("sigma0") = 0.0, py::arg("n_threads") = 0,
        "SOAP power spectrum (m, n_power + 1) of coefficient rows with layout (channel, n, l, m).");
}
