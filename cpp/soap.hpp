// SOAP power spectrum (Bartók, Kondor, Csányi, PRB 87, 184115 (2013)) with the conventions of
// quippy's `soap` descriptor: Gaussian atomic densities of width atom_sigma, a radial basis of
// Gaussians of the same width on an equispaced grid that extends past the cutoff, orthonormalised by a
// Cholesky factor of their overlap, cosine cutoff, real spherical harmonics.
//
// All lengths are in the caller's unit (Å, or d_NN units for ARISE).
#pragma once

#include <cstdint>
#include <vector>

#include "neighbors.hpp"

namespace arisekit {

class RealHarmonics;

struct SoapParams {
    double cutoff = 0.0;                     // radial cutoff r_c
    double cutoff_transition_width = 0.5;    // cosine switch over [r_c - w, r_c]
    double atom_sigma = 0.0;                 // width σ of the atomic Gaussians
    double central_weight = 1.0;             // weight of the central atom's own Gaussian
    double basis_error_exponent = 10.0;      // the radial grid reaches r_c + σ·sqrt(2·E·ln 10)
    int n_max = 0;                           // number of radial basis functions (1..kMaxN)
    int l_max = 0;                           // spherical-harmonics band limit (0..kMaxL)
    bool central_reference_all_species = false;  // central Gaussian in every species channel
};

// Tabulated radial functions and basis of one parameter set; immutable after construction, so one
// object can be shared by many threads and reused for many structures.
class SoapCalculator {
  public:
    static constexpr int kMaxL = 20;
    static constexpr int kMaxN = 40;
    static constexpr int kDeg = 7;  // degree of the piecewise radial polynomials

    explicit SoapCalculator(const SoapParams& params);

    const SoapParams& params() const { return p_; }
    int n_lm() const { return (p_.l_max + 1) * (p_.l_max + 1); }
    // Coefficients per species channel: n_max * (l_max + 1)^2, ordered (n, l, m), m = -l..l.
    int64_t n_coeff_per_channel() const { return int64_t(p_.n_max) * n_lm(); }
    // Length of the power spectrum for `n_channels` neighbour species, without the trailing entry.
    int64_t n_power(int n_channels) const;

    // Expansion coefficients of the neighbour densities of each centre.
    // positions: n x 3; numbers: n atomic numbers; centres: indices of the centre atoms;
    // channel_species: atomic numbers of the neighbour-species channels (empty = one channel with all atoms).
    // Output: centres.size() x (n_channels * n_coeff_per_channel()), layout (channel, n, l, m).
    std::vector<double> coefficients(const double* positions, const int64_t* numbers, int64_t n, const Cell& cell,
                                     const std::vector<int64_t>& centres,
                                     const std::vector<int64_t>& channel_species, int n_threads) const;

    // Sums of the neighbour-density expansion over a list of bonds, into many accumulators at once (for
    // averaged descriptors, where only the sum over centres is needed). Bond q has the unit vector
    // u[3q..3q+2] (centre to neighbour, caller's frame) and up to two targets s = 0, 1: distance
    // dist[2q + s] (in cutoff units of this calculator; targets at or beyond the cutoff are skipped) and
    // accumulator acc[2q + s] (-1: none). The two targets share the bond's spherical harmonics. Output
    // n_acc x (n_max * n_lm), layout (n, l, m): Σ over the targets of each accumulator of the
    // coefficients coefficients() gives one neighbour, without the central Gaussian (see
    // central_coefficients). Distances must be positive.
    std::vector<double> bond_sums(const double* u, const double* dist, const int32_t* acc, int64_t n_bonds,
                                  int n_acc) const;
    // Radial coefficients (n_max) of the central Gaussian at l = 0, times Y_00 (per unit central weight).
    const std::vector<double>& central_coefficients() const { return central_; }

    // Power spectrum of m rows of coefficients (layout as above, n_channels channels).
    // Output m x (n_power(n_channels) + 1): components ordered (k1, k2 <= k1, l) with the combined radial
    // index k = channel * n_max + n, off-diagonal (k1 != k2) entries multiplied by sqrt(2); each row
    // scaled to unit length when `normalise` (rows of zeros stay zero); last entry = sigma0.
    std::vector<double> power_spectrum(const double* coeffs, int64_t m, int n_channels, bool normalise,
                                       double sigma0, int n_threads) const;

    // Radial function g_{nl}(r) (without the cutoff function), exact and tabulated; for tests.
    double radial_exact(int n, int l, double r) const;
    double radial_table(int n, int l, double r) const;
    // Grid points per interval window of the radial table (a multiple of 4).
    int table_window() const { return window_; }

  private:
    SoapParams p_;
    double alpha_ = 0.0;               // 1 / (2 σ²)
    std::vector<double> grid_;         // radial grid ρ_a
    std::vector<double> W_;            // n_max x n_max: coefficients from grid samples (U Φ^-1)
    std::vector<double> central_;      // n_max: radial coefficients of the central Gaussian (l = 0)
    // Table of grid samples: per interval k, degree kDeg polynomial in t ∈ [-1, 1] for each l and each
    // grid point a = win_start_[k] + i (i < window_), layout [interval][power][l][i].
    int n_int_ = 0;
    int window_ = 0;     // grid points per interval window, a multiple of 4
    int table_row_ = 0;  // (l_max + 1) * window_
    std::vector<int> win_start_;
    double h_ = 0.0;
    std::vector<double> table_;

    void samples_all(double r, double* out) const;  // f_l(ρ_a, r), (l, a) layout
    void exact_all(double r, double* out) const;    // g_nl(r) = Σ_a W_na f_l(ρ_a, r), (l, n) layout
};

// Power spectrum of m rows of coefficients with layout (channel, n, l, m); see SoapCalculator::power_spectrum.
std::vector<double> soap_power_spectrum(const double* coeffs, int64_t m, int n_max, int l_max, int n_channels,
                                        bool normalise, double sigma0, int n_threads);

}  // namespace arisekit
