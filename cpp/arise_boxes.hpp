// ARISE descriptors of many open boxes in one call (SPM exact mode): each box is cut out of a sample,
// every ordered species pair (α, β) present is scaled by the box's own d_NN(α, β), SOAP coefficients of
// the α centres seeing β neighbours are averaged, turned into a normalised power spectrum and the
// pairs' spectra averaged — python/arisekit/descriptors/arise.py (arise_soap with its defaults) box by
// box, threads over boxes. The d_NN rules reproduce geometry/scaling.py (method "hist", "shell",
// "mean") operation by operation, NumPy's histogram, median, pairwise mean and 'same' convolution
// included, so the scaling of every box is the same double as in Python.
#pragma once

#include <cstdint>
#include <vector>

#include "soap.hpp"

namespace arisekit {

enum class DnnMethod { Hist = 0, Shell = 1, Mean = 2 };

struct AriseBoxOptions {
    double extrinsic_scale = 1.0;
    DnnMethod method = DnnMethod::Hist;
    int bins = 100;             // bins of the "hist" rule
    double max_radius = 50.0;   // nearest-neighbour search limit (Å): last of scaling.DEFAULT_RADII
};

// d_NN (Å) of the species pair (alpha, beta) of an open structure (positions n x 3, row-major), as
// geometry.nearest_neighbor_distance(structure, alpha, beta, method=...). Throws std::invalid_argument
// where Python raises ValueError (no such species, no neighbour in reach, overlapping atoms).
double open_pair_dnn(const double* positions, const int64_t* numbers, int64_t n, int64_t alpha, int64_t beta,
                     const AriseBoxOptions& opt);

// ARISE descriptors of boxes[k] (atoms indices[offsets[b]:offsets[b+1]] of the sample), row k of `out`
// (n_boxes x (calc.n_power(1) + 1)). ok[k] = 0 where arise_soap raises ValueError for the box (a species
// with a single atom, an isolated atom, overlapping atoms); its row is left at zero. Boxes are shared
// among `n_threads` threads (0 = all cores), one box per thread at a time.
void arise_box_descriptors(const SoapCalculator& calc, const double* positions, const int64_t* numbers,
                           int64_t n_atoms, const int64_t* offsets, int64_t n_offsets, const int32_t* indices,
                           int64_t n_indices, const int64_t* boxes, int64_t n_boxes, const AriseBoxOptions& opt,
                           int n_threads, double* out, uint8_t* ok);

}  // namespace arisekit
