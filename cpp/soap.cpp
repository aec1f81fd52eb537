// SOAP expansion coefficients and power spectrum; see soap.hpp for the conventions.
//
// Radial part. The atomic density of a neighbour at distance r_j, projected on Y_lm at radius ρ, is
// proportional to exp(-α(ρ² + r_j²)) i_l(2αρ r_j) with α = 1/(2σ²) and i_l the modified spherical Bessel
// function. It is sampled on the grid ρ_a = a (r_c + σ sqrt(2 E ln 10)) / n_max (a = 0..n_max-1), which are
// the centres of Gaussian basis functions φ_a(ρ) = exp(-α(ρ - ρ_a)²); Φ_ab = φ_b(ρ_a) maps basis weights to
// samples and S_ab = ∫ρ² φ_a φ_b dρ is the basis overlap. The radial coefficients are U Φ^-1 (samples),
// with S = Uᵀ U (U upper triangular). The samples are tabulated once per parameter set as piecewise
// degree-7 polynomials in r, each interval keeping only the few grid points where they are not negligible;
// per centre the samples times Y_lm are summed over neighbours (batched, bucketed by window) and mapped to
// coefficients with U Φ^-1 at the end. Neighbours are streamed from the BinGrid of neighbors/grid.hpp.
#include "soap.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>

#include "common.hpp"
#include "grid.hpp"

namespace arisekit {
namespace {

constexpr double kPi = 3.14159265358979323846;

// e^{-x} i_l(x) for l = 0..L, x >= 0 (modified spherical Bessel functions of the first kind, scaled).
// Small x: power series (all terms positive). Large x (x >= max(20, l(l+1))): the exact finite sum
// i_l(x) = [e^x Σ_k (-1)^k a_k x^-k - (-1)^l e^-x Σ_k a_k x^-k] / (2x), a_k = (l+k)! / (k! (l-k)! 2^k).
void scaled_sph_in(int L, double x, double* out) {
    if (x == 0.0) {
        out[0] = 1.0;
        for (int l = 1; l <= L; ++l) out[l] = 0.0;
        return;
    }
    const double ex = std::exp(-x), e2x = std::exp(-2.0 * x);
    for (int l = 0; l <= L; ++l) {
        double x0 = std::max(20.0, double(l) * (l + 1));
        if (x < x0) {
            // x^l / (2l+1)!! * Σ_k (x²/2)^k / (k! (2l+3)(2l+5)...(2l+2k+1))
            double lead = ex;
            for (int k = 1; k <= l; ++k) lead *= x / (2.0 * k + 1.0);
            double term = 1.0, sum = 1.0, y = 0.5 * x * x;
            for (int k = 1; k < 100000; ++k) {
                term *= y / (double(k) * (2.0 * l + 2.0 * k + 1.0));
                sum += term;
                if (term < 1e-17 * sum) break;
            }
            out[l] = lead * sum;
        } else {
            double a = 1.0, s_alt = 1.0, s_pos = 1.0, xk = 1.0;
            for (int k = 1; k <= l; ++k) {
                a *= double(l + k) * double(l - k + 1) / (2.0 * k);
                xk /= x;
                s_alt += ((k & 1) ? -a : a) * xk;
                s_pos += a * xk;
            }
            out[l] = (s_alt - ((l & 1) ? -1.0 : 1.0) * e2x * s_pos) / (2.0 * x);
        }
    }
}

// ∫_0^∞ ρ² exp(-α(ρ - x)² - α(ρ - y)²) dρ in closed form.
double gaussian_overlap(double alpha, double x, double y) {
    const double m = 0.5 * (x + y), b = 2.0 * alpha, sb = std::sqrt(b);
    return std::exp(-0.5 * alpha * (x - y) * (x - y)) *
           (std::exp(-b * m * m) * m / (2.0 * b) +
            (1.0 + std::erf(sb * m)) * std::sqrt(kPi) / (2.0 * sb) * (1.0 / (2.0 * b) + m * m));
}

void check_params(const SoapParams& p) {
    require_positive(p.cutoff, "cutoff");
    require_positive(p.atom_sigma, "atom_sigma");
    require_positive(p.basis_error_exponent, "basis_error_exponent");
    if (!(p.cutoff_transition_width >= 0.0) || !(p.cutoff_transition_width <= p.cutoff))
        throw std::invalid_argument("cutoff_transition_width must lie in [0, cutoff], got " +
                                    std::to_string(p.cutoff_transition_width));
    if (!std::isfinite(p.central_weight))
        throw std::invalid_argument("central_weight must be finite");
    if (p.n_max < 1 || p.n_max > SoapCalculator::kMaxN)
        throw std::invalid_argument("n_max must lie in [1, " + std::to_string(SoapCalculator::kMaxN) + "], got " +
                                    std::to_string(p.n_max));
    if (p.l_max < 0 || p.l_max > SoapCalculator::kMaxL)
        throw std::invalid_argument("l_max must lie in [0, " + std::to_string(SoapCalculator::kMaxL) + "], got " +
                                    std::to_string(p.l_max));
    if (p.cutoff / p.atom_sigma > 2000.0)
        throw std::invalid_argument("cutoff / atom_sigma must be at most 2000 (radial table size)");
}

// In-place inverse of a small dense matrix (Gauss-Jordan, partial pivoting).
std::vector<double> invert(std::vector<double> A, int n) {
    std::vector<double> inv(n * n, 0.0);
    for (int i = 0; i < n; ++i) inv[i * n + i] = 1.0;
    for (int c = 0; c < n; ++c) {
        int piv = c;
        for (int r = c + 1; r < n; ++r)
            if (std::abs(A[r * n + c]) > std::abs(A[piv * n + c])) piv = r;
        if (!(std::abs(A[piv * n + c]) > 1e-300))
            throw std::invalid_argument("SOAP radial basis: singular sample matrix (n_max too large for atom_sigma)");
        for (int k = 0; k < n; ++k) {
            std::swap(A[c * n + k], A[piv * n + k]);
            std::swap(inv[c * n + k], inv[piv * n + k]);
        }
        double d = 1.0 / A[c * n + c];
        for (int k = 0; k < n; ++k) {
            A[c * n + k] *= d;
            inv[c * n + k] *= d;
        }
        for (int r = 0; r < n; ++r) {
            if (r == c) continue;
            double f = A[r * n + c];
            if (f == 0.0) continue;
            for (int k = 0; k < n; ++k) {
                A[r * n + k] -= f * A[c * n + k];
                inv[r * n + k] -= f * inv[c * n + k];
            }
        }
    }
    return inv;
}

inline double cutoff_function(double r, double rc, double w) {
    if (r <= rc - w) return 1.0;
    if (r >= rc) return 0.0;
    return 0.5 * (1.0 + std::cos(kPi * (r - rc + w) / w));
}

}  // namespace

// Real spherical harmonics Y_lm(u) for a unit vector u, l = 0..L, stored at index l² + l + m.
// Y_l0 = N_l0 P_l(z); Y_l,+m = √2 N_lm Q_lm(z) Re (x+iy)^m; Y_l,-m = √2 N_lm Q_lm(z) Im (x+iy)^m, with
// Q_lm = P_l^m / sin^m θ (a polynomial in z) — orthonormal on the sphere.
class RealHarmonics {
  public:
    explicit RealHarmonics(int L) : L_(L), a_((L + 1) * (L + 1)), b_((L + 1) * (L + 1)), mm_(L + 1) {
        // Recursion for normalised Q̄_lm = N_lm Q_lm:
        //   Q̄_mm = mm_[m], Q̄_{m+1,m} = sqrt(2m+3) z Q̄_mm,
        //   Q̄_lm = a_lm z Q̄_{l-1,m} - b_lm Q̄_{l-2,m}.
        for (int m = 0; m <= L; ++m) {
            double v = 1.0 / std::sqrt(4.0 * kPi);  // N_00
            for (int k = 1; k <= m; ++k) v *= -std::sqrt((2.0 * k + 1.0) / (2.0 * k));
            mm_[m] = (m == 0 ? 1.0 : std::sqrt(2.0)) * v;
            for (int l = m + 1; l <= L; ++l) {
                double l2 = double(l) * l, m2 = double(m) * m;
                a_[l * l + m] = std::sqrt((4.0 * l2 - 1.0) / (l2 - m2));
                b_[l * l + m] = std::sqrt(((l - 1.0) * (l - 1.0) - m2) * (2.0 * l + 1.0) / ((2.0 * l - 3.0) * (l2 - m2)));
            }
        }
    }

    // Y[(l² + l + m) * stride + b] for kB unit vectors (x[b], y[b], z[b]).
    template <int kB>
    inline __attribute__((always_inline)) void eval_batch(const double* x, const double* y, const double* z,
                                                          double* Y, size_t stride = kB) const {
        double cr[kB], ci[kB], q1[kB], q2[kB];
        for (int b = 0; b < kB; ++b) {
            cr[b] = 1.0;
            ci[b] = 0.0;
        }
        for (int m = 0; m <= L_; ++m) {
            const double mm = mm_[m];
            double* Yp = Y + size_t(m * m + 2 * m) * stride;
            double* Yn = Y + size_t(m * m) * stride;
            for (int b = 0; b < kB; ++b) {
                q2[b] = mm;
                q1[b] = 0.0;
                Yp[b] = mm * cr[b];
                if (m > 0) Yn[b] = mm * ci[b];
            }
            for (int l = m + 1; l <= L_; ++l) {
                const double a = a_[l * l + m], bb = l >= m + 2 ? b_[l * l + m] : 0.0;
                double* Zp = Y + size_t(l * l + l + m) * stride;
                double* Zn = Y + size_t(l * l + l - m) * stride;
                for (int b = 0; b < kB; ++b) {
                    const double q = a * z[b] * q2[b] - bb * q1[b];
                    q1[b] = q2[b];
                    q2[b] = q;
                    Zp[b] = q * cr[b];
                    if (m > 0) Zn[b] = q * ci[b];
                }
            }
            for (int b = 0; b < kB; ++b) {
                const double nr = cr[b] * x[b] - ci[b] * y[b], ni = cr[b] * y[b] + ci[b] * x[b];
                cr[b] = nr;
                ci[b] = ni;
            }
        }
    }

  private:
    int L_;
    std::vector<double> a_, b_, mm_;
};

SoapCalculator::SoapCalculator(const SoapParams& params) : p_(params) {
    check_params(p_);
    const int N = p_.n_max, L = p_.l_max;
    alpha_ = 1.0 / (2.0 * p_.atom_sigma * p_.atom_sigma);
    const double reach = p_.cutoff + p_.atom_sigma * std::sqrt(2.0 * p_.basis_error_exponent * std::log(10.0));
    grid_.resize(N);
    for (int a = 0; a < N; ++a) grid_[a] = a * reach / N;

    // Overlap S and its upper Cholesky factor U (S = Uᵀ U).
    std::vector<double> U(N * N, 0.0);
    {
        std::vector<double> S(N * N);
        for (int a = 0; a < N; ++a)
            for (int b = 0; b < N; ++b) S[a * N + b] = gaussian_overlap(alpha_, grid_[a], grid_[b]);
        for (int j = 0; j < N; ++j) {
            double d = S[j * N + j];
            for (int k = 0; k < j; ++k) d -= U[k * N + j] * U[k * N + j];
            if (!(d > 0.0))
                throw std::invalid_argument("SOAP radial basis: overlap matrix not positive definite "
                                            "(n_max too large for atom_sigma)");
            U[j * N + j] = std::sqrt(d);
            for (int i = j + 1; i < N; ++i) {
                double s = S[j * N + i];
                for (int k = 0; k < j; ++k) s -= U[k * N + j] * U[k * N + i];
                U[j * N + i] = s / U[j * N + j];
            }
        }
    }
    std::vector<double> Phi(N * N);
    for (int a = 0; a < N; ++a)
        for (int b = 0; b < N; ++b) {
            double d = grid_[a] - grid_[b];
            Phi[a * N + b] = std::exp(-alpha_ * d * d);
        }
    std::vector<double> Pinv = invert(Phi, N);
    W_.assign(N * N, 0.0);
    for (int n = 0; n < N; ++n)
        for (int a = 0; a < N; ++a) {
            double s = 0.0;
            for (int k = 0; k < N; ++k) s += U[n * N + k] * Pinv[k * N + a];
            W_[n * N + a] = s;
        }
    central_.assign(N, 0.0);
    const double y00 = 0.5 / std::sqrt(kPi);
    for (int n = 0; n < N; ++n)
        for (int a = 0; a < N; ++a) central_[n] += W_[n * N + a] * std::exp(-alpha_ * grid_[a] * grid_[a]) * y00;

    // Piecewise polynomial table of the grid samples f_l(ρ_a, r) = exp(-α(ρ_a² + r²)) i_l(2αρ_a r) on
    // [0, r_c]: interval length ≈ 0.3 σ, degree-7 Chebyshev-node interpolation. A sample is negligible
    // (< 1e-15) unless |ρ_a - r| is a few σ, so each interval stores only a window of `window_` consecutive
    // grid points starting at win_start_[k]; the radial coefficients follow per centre as W · (samples).
    n_int_ = std::max(1, static_cast<int>(std::ceil(p_.cutoff / (0.3 * p_.atom_sigma))));
    h_ = p_.cutoff / n_int_;
    const int P = kDeg + 1, F = (L + 1) * N;
    double nodes[P], Vinv[P * P];
    {
        std::vector<double> V(P * P);
        for (int j = 0; j < P; ++j) {
            nodes[j] = std::cos(kPi * (j + 0.5) / P);
            double t = 1.0;
            for (int k = 0; k < P; ++k, t *= nodes[j]) V[j * P + k] = t;
        }
        std::vector<double> vi = invert(V, P);
        std::copy(vi.begin(), vi.end(), Vinv);
    }
    std::vector<double> dense(size_t(n_int_) * P * F, 0.0), vals(P * F);
    for (int k = 0; k < n_int_; ++k) {
        for (int j = 0; j < P; ++j) samples_all((k + 0.5 + 0.5 * nodes[j]) * h_, &vals[j * F]);
        double* T = &dense[size_t(k) * P * F];
        for (int pw = 0; pw < P; ++pw)
            for (int j = 0; j < P; ++j) {
                double c = Vinv[pw * P + j];
                for (int f = 0; f < F; ++f) T[pw * F + f] += c * vals[j * F + f];
            }
    }
    double tmax = 0.0;
    for (double v : dense) tmax = std::max(tmax, std::abs(v));
    const double eps = 1e-15 * tmax;
    win_start_.assign(n_int_, 0);
    std::vector<int> win_end(n_int_, 1);
    int width = 1;
    for (int k = 0; k < n_int_; ++k) {
        int lo = N, hi = -1;
        const double* T = &dense[size_t(k) * P * F];
        for (int pw = 0; pw < P; ++pw)
            for (int l = 0; l <= L; ++l)
                for (int aa = 0; aa < N; ++aa)
                    if (std::abs(T[pw * F + l * N + aa]) > eps) {
                        lo = std::min(lo, aa);
                        hi = std::max(hi, aa);
                    }
        if (hi < lo) lo = hi = 0;
        win_start_[k] = lo;
        width = std::max(width, hi - lo + 1);
    }
    window_ = (width + 3) / 4 * 4;
    table_row_ = (L + 1) * window_;
    table_.assign(size_t(n_int_) * P * table_row_, 0.0);
    for (int k = 0; k < n_int_; ++k) {
        const double* T = &dense[size_t(k) * P * F];
        double* Tw = &table_[size_t(k) * P * table_row_];
        for (int pw = 0; pw < P; ++pw)
            for (int l = 0; l <= L; ++l)
                for (int i = 0; i < window_; ++i) {
                    int aa = win_start_[k] + i;
                    if (aa < N) Tw[pw * table_row_ + l * window_ + i] = T[pw * F + l * N + aa];
                }
    }
}

void SoapCalculator::samples_all(double r, double* out) const {
    const int N = p_.n_max, L = p_.l_max;
    std::vector<double> s(L + 1);
    for (int a = 0; a < N; ++a) {
        double x = 2.0 * alpha_ * grid_[a] * r, d = grid_[a] - r;
        scaled_sph_in(L, x, s.data());
        double e = std::exp(-alpha_ * d * d);
        for (int l = 0; l <= L; ++l) out[l * N + a] = e * s[l];
    }
}


std::vector<double> SoapCalculator::power_spectrum(const double* coeffs, int64_t m, int n_channels, bool normalise,
                                                   double sigma0, int n_threads) const {
    return soap_power_spectrum(coeffs, m, p_.n_max, p_.l_max, n_channels, normalise, sigma0, n_threads);
}

int64_t SoapCalculator::n_power(int n_channels) const {
    int64_t K = int64_t(n_channels) * p_.n_max;
    return K * (K + 1) / 2 * (p_.l_max + 1);
}

void SoapCalculator::exact_all(double r, double* out) const {
    const int N = p_.n_max, L = p_.l_max;
    std::vector<double> f((L + 1) * N);
    samples_all(r, f.data());
    for (int l = 0; l <= L; ++l)
        for (int n = 0; n < N; ++n) {
            double v = 0.0;
            for (int a = 0; a < N; ++a) v += W_[n * N + a] * f[l * N + a];
            out[l * N + n] = v;
        }
}

double SoapCalculator::radial_exact(int n, int l, double r) const {
    if (n < 0 || n >= p_.n_max || l < 0 || l > p_.l_max) throw std::invalid_argument("radial_exact: n or l out of range");
    std::vector<double> out((p_.l_max + 1) * p_.n_max);
    exact_all(r, out.data());
    return out[l * p_.n_max + n];
}

double SoapCalculator::radial_table(int n, int l, double r) const {
    if (n < 0 || n >= p_.n_max || l < 0 || l > p_.l_max) throw std::invalid_argument("radial_table: n or l out of range");
    if (!(r >= 0.0 && r <= p_.cutoff)) throw std::invalid_argument("radial_table: r outside [0, cutoff]");
    const int F = table_row_, N = p_.n_max;
    int k = std::min(n_int_ - 1, static_cast<int>(r / h_));
    double t = 2.0 * (r - k * h_) / h_ - 1.0;
    const double* T = &table_[size_t(k) * (kDeg + 1) * F];
    double g = 0.0;
    for (int i = 0; i < window_; ++i) {
        int a = win_start_[k] + i;
        if (a >= N) break;
        double v = T[kDeg * F + l * window_ + i];
        for (int pw = kDeg - 1; pw >= 0; --pw) v = v * t + T[pw * F + l * window_ + i];
        g += W_[n * N + a] * v;
    }
    return g;
}

// ---- per-centre accumulation kernel -------------------------------------------------------------------

namespace {

constexpr int kBatch = 8;  // neighbours processed together

// Four doubles; GCC lowers it to whatever the target function supports. The helpers are always inlined,
// so no vector value crosses a function boundary (hence no ABI concern).
#pragma GCC diagnostic ignored "-Wpsabi"
typedef double v4d __attribute__((vector_size(32)));
inline __attribute__((always_inline)) v4d load4(const double* p) {
    v4d v;
    std::memcpy(&v, p, sizeof v);
    return v;
}
inline __attribute__((always_inline)) void store4(double* p, const v4d& v) { std::memcpy(p, &v, sizeof v); }
inline __attribute__((always_inline)) v4d splat(double x) { return v4d{x, x, x, x}; }

struct KernelArgs {
    const double* table;    // [interval][power][l][AW]: grid samples of a window of AW grid points
    const int* win_start;   // first grid point of each interval's window
    int n_int, N, L, NLM, row;
    double h, inv_h, rc, w;
    const RealHarmonics* sh;
};

// Adds the neighbour densities of one centre, as radial grid samples times Y_lm, into F laid out
// [channel][lm][NA] (NA >= N + AW; lanes >= N receive zeros). scratch: Y (NLM * kBatch),
// R (kBatch * row), idx (2 * count ints).
template <int AW>
inline __attribute__((always_inline)) void accumulate_impl(const KernelArgs& k, const double* vec,
                                                           const double* dist, const int* chan, int64_t count,
                                                           int S, int NA, double* F, double* Y, double* R,
                                                           int* idx) {
    constexpr int B = kBatch, NV = AW / 4, P = SoapCalculator::kDeg + 1;
    const int L = k.L, NLM = k.NLM, row = k.row;
    alignas(64) double ux[B], uy[B], uz[B], fc[B], tt[B];
    int kk[B];
    int bucket[SoapCalculator::kMaxN + 1], fill[SoapCalculator::kMaxN + 1];
    for (int s = 0; s < S; ++s) {
        double* Fs = F + size_t(s) * NLM * NA;
        int64_t m = 0;
        for (int64_t q = 0; q < count; ++q) {
            if (chan[q] != s) continue;
            const double r = dist[q];
            if (!(r < k.rc)) continue;
            if (r <= 1e-12) {  // coincident atom: only the isotropic l = 0 term survives
                const double* T = k.table;  // interval 0 at t = -1 (r = 0); its window starts at a = 0
                const double y00 = 0.5 / std::sqrt(kPi) * cutoff_function(0.0, k.rc, k.w);
                for (int i = 0; i < AW; ++i) {
                    double v = T[(P - 1) * row + i];
                    for (int pw = P - 2; pw >= 0; --pw) v = -v + T[pw * row + i];
                    Fs[k.win_start[0] + i] += v * y00;
                }
                continue;
            }
            idx[m++] = static_cast<int>(q);
        }
        // Bucket the neighbours by the first grid point of their radial window, so that a batch shares one
        // window and its contributions can be summed in registers.
        const int N = k.N;
        int* order = idx + count;  // second half of the scratch
        std::fill(bucket, bucket + N + 1, 0);
        for (int64_t u = 0; u < m; ++u) {
            const double r = dist[idx[u]];
            int ki = static_cast<int>(r * k.inv_h);
            ki = ki < k.n_int - 1 ? ki : k.n_int - 1;
            ++bucket[k.win_start[ki] + 1];
        }
        for (int a = 0; a < N; ++a) bucket[a + 1] += bucket[a];
        std::copy(bucket, bucket + N + 1, fill);
        for (int64_t u = 0; u < m; ++u) {
            const double r = dist[idx[u]];
            int ki = static_cast<int>(r * k.inv_h);
            ki = ki < k.n_int - 1 ? ki : k.n_int - 1;
            order[fill[k.win_start[ki]]++] = idx[u];
        }
        for (int ws = 0; ws < N; ++ws) {
            double* Fa = Fs + ws;
            for (int64_t b0 = bucket[ws]; b0 < bucket[ws + 1]; b0 += B) {
                const int nb = static_cast<int>(std::min<int64_t>(B, bucket[ws + 1] - b0));
                for (int b = 0; b < B; ++b) {
                    if (b < nb) {
                        const int q = order[b0 + b];
                        const double r = dist[q], ir = 1.0 / r;
                        ux[b] = vec[3 * q] * ir;
                        uy[b] = vec[3 * q + 1] * ir;
                        uz[b] = vec[3 * q + 2] * ir;
                        fc[b] = cutoff_function(r, k.rc, k.w);
                        int ki = static_cast<int>(r * k.inv_h);
                        ki = ki < k.n_int - 1 ? ki : k.n_int - 1;
                        kk[b] = ki;
                        tt[b] = 2.0 * (r - ki * k.h) * k.inv_h - 1.0;
                    } else {
                        ux[b] = uy[b] = 0.0;
                        uz[b] = 1.0;
                        fc[b] = tt[b] = 0.0;
                        kk[b] = kk[0];
                    }
                }
                k.sh->eval_batch<B>(ux, uy, uz, Y);
                for (int b = 0; b < B; ++b) {
                    const double* T = k.table + size_t(kk[b]) * P * row;
                    const v4d t = splat(tt[b]), f = splat(fc[b]);
                    double* Rb = R + size_t(b) * row;
                    for (int i = 0; i < row; i += 4) {
                        v4d v = load4(T + (P - 1) * row + i);
                        for (int pw = P - 2; pw >= 0; --pw) v = v * t + load4(T + pw * row + i);
                        store4(Rb + i, v * f);
                    }
                }
                for (int l = 0; l <= L; ++l)
                    for (int lm = l * l; lm < (l + 1) * (l + 1); ++lm) {
                        double* dst = Fa + size_t(lm) * NA;
                        const double* Ylm = Y + size_t(lm) * B;
                        v4d acc[NV];
                        for (int j = 0; j < NV; ++j) acc[j] = load4(dst + 4 * j);
                        for (int b = 0; b < B; ++b) {
                            const v4d y = splat(Ylm[b]);
                            const double* Rl = R + size_t(b) * row + l * AW;
                            for (int j = 0; j < NV; ++j) acc[j] += y * load4(Rl + 4 * j);
                        }
                        for (int j = 0; j < NV; ++j) store4(dst + 4 * j, acc[j]);
                    }
            }
        }
    }
}

#define ARISEKIT_SOAP_DISPATCH(NAME, ATTR)                                                                  \
    ATTR void NAME(int aw, const KernelArgs& k, const double* vec, const double* dist, const int* chan,       \
                   int64_t count, int S, int NA, double* c, double* Y, double* R, int* idx) {                \
        switch (aw) {                                                                                        \
            case 4: return accumulate_impl<4>(k, vec, dist, chan, count, S, NA, c, Y, R, idx);                   \
            case 8: return accumulate_impl<8>(k, vec, dist, chan, count, S, NA, c, Y, R, idx);                   \
            case 12: return accumulate_impl<12>(k, vec, dist, chan, count, S, NA, c, Y, R, idx);                 \
            case 16: return accumulate_impl<16>(k, vec, dist, chan, count, S, NA, c, Y, R, idx);                 \
            case 20: return accumulate_impl<20>(k, vec, dist, chan, count, S, NA, c, Y, R, idx);                 \
            case 24: return accumulate_impl<24>(k, vec, dist, chan, count, S, NA, c, Y, R, idx);                 \
            case 28: return accumulate_impl<28>(k, vec, dist, chan, count, S, NA, c, Y, R, idx);                 \
            case 32: return accumulate_impl<32>(k, vec, dist, chan, count, S, NA, c, Y, R, idx);                 \
            case 36: return accumulate_impl<36>(k, vec, dist, chan, count, S, NA, c, Y, R, idx);                 \
            default: return accumulate_impl<40>(k, vec, dist, chan, count, S, NA, c, Y, R, idx);                 \
        }                                                                                                    \
    }

#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
#define ARISEKIT_SOAP_X86 1
ARISEKIT_SOAP_DISPATCH(accumulate_avx2, __attribute__((target("avx2,fma"))))
#endif
ARISEKIT_SOAP_DISPATCH(accumulate_generic, )

using AccumulateFn = void (*)(int, const KernelArgs&, const double*, const double*, const int*, int64_t, int,
                              int, double*, double*, double*, int*);

AccumulateFn pick_accumulate() {
#ifdef ARISEKIT_SOAP_X86
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return accumulate_avx2;
#endif
    return accumulate_generic;
}

// ---- bond-sum kernel (SoapCalculator::bond_sums) ---------------------------------------------------------
// The kernel (soap_bond_kernel.inc) is compiled twice: for AVX2/FMA, inside a target pragma that covers its
// vector helpers too (GCC then broadcasts loaded values with one vbroadcastsd; with the target attribute on
// the outer function only it emits a shuffle sequence that limits the kernel), and generic.

using BondSumsFn = void (*)(int, const KernelArgs&, const double*, const double*, const int32_t*, int64_t, int,
                            int, double*);

#ifdef ARISEKIT_SOAP_X86
#pragma GCC push_options
#pragma GCC target("avx2,fma")
namespace bonds_avx2 {
#include "soap_bond_kernel.inc"
}  // namespace bonds_avx2
#pragma GCC pop_options
#endif
namespace bonds_generic {
#include "soap_bond_kernel.inc"
}  // namespace bonds_generic

BondSumsFn pick_bond_sums() {
#ifdef ARISEKIT_SOAP_X86
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return bonds_avx2::bond_sums;
#endif
    return bonds_generic::bond_sums;
}

}  // namespace

std::vector<double> SoapCalculator::coefficients(const double* positions, const int64_t* numbers, int64_t n,
                                                 const Cell& cell, const std::vector<int64_t>& centres,
                                                 const std::vector<int64_t>& channel_species, int n_threads) const {
    if (n < 0) throw std::invalid_argument("positions: negative number of atoms");
    require_finite(positions, 3 * n, "positions");
    for (int64_t c : centres)
        if (c < 0 || c >= n) throw std::invalid_argument("centres: index " + std::to_string(c) + " out of range");
    const int S = channel_species.empty() ? 1 : static_cast<int>(channel_species.size());
    for (size_t a = 0; a < channel_species.size(); ++a)
        for (size_t b = 0; b < a; ++b)
            if (channel_species[a] == channel_species[b])
                throw std::invalid_argument("neighbour species must be distinct");
    std::vector<int> channel(n, 0);
    for (int64_t i = 0; i < n; ++i) {
        if (channel_species.empty()) continue;
        channel[i] = -1;
        for (int s = 0; s < S; ++s)
            if (numbers[i] == channel_species[s]) channel[i] = s;
    }
    const int N = p_.n_max, NLM = n_lm();
    const int64_t per = int64_t(S) * N * NLM, m = static_cast<int64_t>(centres.size());
    std::vector<double> out(size_t(m) * per, 0.0);
    if (m == 0) return out;

    // Neighbours are streamed per centre from a bin grid of the candidate atoms (those in some channel),
    // so no full neighbour list is stored and the search runs in the worker threads.
    std::vector<int64_t> cand_atom;
    std::vector<double> cand_pos;
    for (int64_t j = 0; j < n; ++j)
        if (channel[j] >= 0) {
            cand_atom.push_back(j);
            cand_pos.insert(cand_pos.end(), positions + 3 * j, positions + 3 * j + 3);
        }
    const int64_t n_cand = static_cast<int64_t>(cand_atom.size());
    std::unique_ptr<BinGrid> grid;
    if (n_cand > 0) grid = std::make_unique<BinGrid>(cand_pos.data(), n_cand, cell, p_.cutoff);
    const int AW = window_, NA = N + AW;
    const AccumulateFn accumulate = pick_accumulate();
    RealHarmonics sh(p_.l_max);
    const KernelArgs args{table_.data(), win_start_.data(), n_int_, N, p_.l_max, NLM, table_row_, h_, 1.0 / h_,
                          p_.cutoff, p_.cutoff_transition_width, &sh};
    parallel_chunks(m, n_threads, [&](int64_t begin, int64_t end, int) {
        std::vector<double> F(size_t(S) * NLM * NA), Ft(size_t(N) * NLM), Y(size_t(NLM) * kBatch),
            R(size_t(kBatch) * table_row_);
        std::vector<double> vec, dist;
        std::vector<int> chan, idx;
        for (int64_t q = begin; q < end; ++q) {
            const int64_t i = centres[q];
            std::fill(F.begin(), F.end(), 0.0);
            vec.clear();
            dist.clear();
            chan.clear();
            if (grid) {
                double f[3];
                int32_t wrap[3];
                grid->to_fractional(&positions[3 * i], f, wrap);
                grid->for_each_within(f, false, [&](int64_t c, double dx, double dy, double dz, double d2,
                                                    const int32_t* s) {
                    if (cand_atom[c] == i && s[0] == 0 && s[1] == 0 && s[2] == 0) return;  // the centre itself
                    vec.push_back(dx);
                    vec.push_back(dy);
                    vec.push_back(dz);
                    dist.push_back(std::sqrt(d2));
                    chan.push_back(channel[cand_atom[c]]);
                });
            }
            const int64_t count = static_cast<int64_t>(dist.size());
            idx.resize(2 * count + 1);
            if (count > 0)
                accumulate(AW, args, vec.data(), dist.data(), chan.data(), count, S, NA, F.data(), Y.data(),
                           R.data(), idx.data());
            double* o = &out[size_t(q) * per];
            for (int s = 0; s < S; ++s) {
                // grid samples [lm][a] -> [a][lm], then coefficients [n][lm] = Σ_a W_na samples[a][lm]
                const double* Fs = &F[size_t(s) * NLM * NA];
                for (int lm = 0; lm < NLM; ++lm)
                    for (int a = 0; a < N; ++a) Ft[size_t(a) * NLM + lm] = Fs[size_t(lm) * NA + a];
                double* os = o + size_t(s) * N * NLM;
                for (int nn = 0; nn < N; ++nn) {
                    double* dst = os + size_t(nn) * NLM;
                    for (int a = 0; a < N; ++a) {
                        const double wna = W_[nn * N + a];
                        if (wna == 0.0) continue;
                        const double* src = &Ft[size_t(a) * NLM];
                        for (int lm = 0; lm < NLM; ++lm) dst[lm] += wna * src[lm];
                    }
                }
                // Central Gaussian: always with one channel; otherwise in the centre's own species channel
                // (or in every channel with central_reference_all_species).
                bool put = S == 1 || p_.central_reference_all_species || channel_species[s] == numbers[i];
                if (put && p_.central_weight != 0.0)
                    for (int nn = 0; nn < N; ++nn) os[size_t(nn) * NLM] += p_.central_weight * central_[nn];
            }
        }
    });
    return out;
}

std::vector<double> SoapCalculator::bond_sums(const double* u, const double* dist, const int32_t* acc,
                                              int64_t n_bonds, int n_acc) const {
    if (n_bonds < 0 || n_acc < 0) throw std::invalid_argument("bond_sums: negative count");
    for (int64_t q = 0; q < 2 * n_bonds; ++q)
        if (acc[q] >= n_acc || acc[q] < -1) throw std::invalid_argument("bond_sums: accumulator out of range");
    const int N = p_.n_max, NLM = n_lm(), AW = window_, NA = N + AW;
    std::vector<double> out(size_t(n_acc) * N * NLM, 0.0);
    if (n_acc == 0 || n_bonds == 0) return out;
    std::vector<double> G(size_t(n_acc) * NLM * NA, 0.0);
    RealHarmonics sh(p_.l_max);
    const KernelArgs args{table_.data(), win_start_.data(), n_int_, N, p_.l_max, NLM, table_row_, h_, 1.0 / h_,
                          p_.cutoff, p_.cutoff_transition_width, &sh};
    static const BondSumsFn kernel = pick_bond_sums();
    kernel(AW, args, u, dist, acc, n_bonds, n_acc, NA, G.data());
    for (int a = 0; a < n_acc; ++a) {
        const double* Ga = &G[size_t(a) * NLM * NA];
        double* o = &out[size_t(a) * N * NLM];
        for (int nn = 0; nn < N; ++nn)
            for (int g = 0; g < N; ++g) {
                const double w = W_[nn * N + g];
                if (w == 0.0) continue;
                for (int lm = 0; lm < NLM; ++lm) o[size_t(nn) * NLM + lm] += w * Ga[size_t(lm) * NA + g];
            }
    }
    return out;
}

std::vector<double> soap_power_spectrum(const double* coeffs, int64_t m, int n_max, int l_max, int n_channels,
                                        bool normalise, double sigma0, int n_threads) {
    if (n_channels < 1) throw std::invalid_argument("n_species (channels) must be at least 1");
    if (n_max < 1 || n_max > SoapCalculator::kMaxN) throw std::invalid_argument("n_max out of range");
    if (l_max < 0 || l_max > SoapCalculator::kMaxL) throw std::invalid_argument("l_max out of range");
    if (m < 0) throw std::invalid_argument("coefficients: negative number of rows");
    const int L = l_max, NLM = (l_max + 1) * (l_max + 1);
    const int K = n_channels * n_max;
    const int64_t per = int64_t(K) * NLM, dim = int64_t(K) * (K + 1) / 2 * (L + 1) + 1;
    require_finite(coeffs, m * per, "coefficients");
    std::vector<double> out(size_t(m) * dim, 0.0);
    std::vector<double> fac(L + 1);
    for (int l = 0; l <= L; ++l) fac[l] = 1.0 / std::sqrt(2.0 * l + 1.0);
    const double r2 = std::sqrt(2.0);
    parallel_chunks(m, m < 64 ? 1 : n_threads, [&](int64_t begin, int64_t end, int) {
        for (int64_t q = begin; q < end; ++q) {
            const double* c = coeffs + size_t(q) * per;
            double* o = &out[size_t(q) * dim];
            int64_t idx = 0;
            double norm2 = 0.0;
            for (int k1 = 0; k1 < K; ++k1)
                for (int k2 = 0; k2 <= k1; ++k2) {
                    const double* a = c + size_t(k1) * NLM;
                    const double* b = c + size_t(k2) * NLM;
                    const double f2 = k1 == k2 ? 1.0 : r2;
                    for (int l = 0; l <= L; ++l) {
                        double s = 0.0;
                        for (int lm = l * l; lm < (l + 1) * (l + 1); ++lm) s += a[lm] * b[lm];
                        s *= fac[l] * f2;
                        o[idx++] = s;
                        norm2 += s * s;
                    }
                }
            if (normalise && norm2 > 0.0) {
                const double inv = 1.0 / std::sqrt(norm2);
                for (int64_t k = 0; k < dim - 1; ++k) o[k] *= inv;
            }
            o[dim - 1] = sigma0;
        }
    });
    return out;
}

}  // namespace arisekit
