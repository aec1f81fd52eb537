// ARISE descriptors of many open boxes; see arise_boxes.hpp. The d_NN helpers below mirror
// python/arisekit/geometry/scaling.py and the NumPy routines it calls operation by operation (same
// operands, same order, no fused multiply-add: this file is built with -ffp-contract=off), so that every
// box gets bit for bit the d_NN of the Python rule: a different rounding could move a distance into
// another histogram bin and change d_NN by a bin width.
#include "arise_boxes.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <exception>
#include <limits>
#include <stdexcept>
#include <string>
#include <thread>

#include "common.hpp"
#include "grid.hpp"

namespace arisekit {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kEqualDistanceTol = 1e-6;   // scaling.EQUAL_DISTANCE_TOL
constexpr double kShellWindow = 5.0;         // scaling.SHELL_WINDOW
constexpr double kSharedFraction = 1.0 / 3.0;  // scaling.SHARED_FRACTION
constexpr double kMaxRelativeSpread = 0.06;  // scaling.MAX_RELATIVE_SPREAD

// Python's min(a, b) and max(a, b): the first argument unless the second is strictly smaller/larger.
inline double py_min(double a, double b) { return b < a ? b : a; }
inline double py_max(double a, double b) { return b > a ? b : a; }

// NumPy's pairwise summation of a contiguous float64 array (add.reduce, np.sum, np.mean).
double pairwise_sum(const double* a, int64_t n) {
    if (n < 8) {
        double res = 0.0;
        for (int64_t i = 0; i < n; ++i) res += a[i];
        return res;
    }
    if (n <= 128) {
        double r[8];
        for (int j = 0; j < 8; ++j) r[j] = a[j];
        int64_t i = 8;
        for (; i < n - (n % 8); i += 8)
            for (int j = 0; j < 8; ++j) r[j] += a[i + j];
        double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for (; i < n; ++i) res += a[i];
        return res;
    }
    int64_t n2 = n / 2;
    n2 -= n2 % 8;
    return pairwise_sum(a, n2) + pairwise_sum(a + n2, n - n2);
}

double np_mean(const std::vector<double>& a) {
    return pairwise_sum(a.data(), static_cast<int64_t>(a.size())) / static_cast<double>(a.size());
}

// np.median (NaN for an empty array or one holding NaN).
double np_median(std::vector<double> a) {
    const size_t n = a.size();
    if (n == 0) return kNaN;
    for (double v : a)
        if (std::isnan(v)) return kNaN;
    std::sort(a.begin(), a.end());
    if (n % 2 == 1) return a[n / 2];
    return (a[n / 2 - 1] + a[n / 2]) / 2.0;
}

double vmax(const std::vector<double>& a) {
    double m = a[0];
    for (double v : a) m = std::max(m, v);
    return m;
}

double vmin(const std::vector<double>& a) {
    double m = a[0];
    for (double v : a) m = std::min(m, v);
    return m;
}

// np.histogram(d, bins) with uniform bins: counts and edges (bins + 1), NumPy's binning rule.
void np_histogram(const std::vector<double>& d, int bins, std::vector<int64_t>& counts, std::vector<double>& edges) {
    double lo = vmin(d), hi = vmax(d);
    if (!(std::isfinite(lo) && std::isfinite(hi)))
        throw std::invalid_argument("autodetected range of distances is not finite");
    if (lo == hi) {
        lo = lo - 0.5;
        hi = hi + 0.5;
    }
    edges.resize(bins + 1);
    const double step = (hi - lo) / bins;  // np.linspace
    for (int i = 0; i < bins; ++i) edges[i] = static_cast<double>(i) * step + lo;
    edges[bins] = hi;
    counts.assign(bins, 0);
    const double denom = hi - lo;
    for (double x : d) {
        int64_t k = static_cast<int64_t>(((x - lo) / denom) * bins);
        if (k == bins) --k;
        if (x < edges[k])
            --k;
        else if (x >= edges[k + 1] && k != bins - 1)
            ++k;
        ++counts[k];
    }
}

// counts / centres**2 with centres = 0.5 * (edges[1:] + edges[:-1]).
void weighted_counts(const std::vector<int64_t>& counts, const std::vector<double>& edges,
                     std::vector<double>& centres, std::vector<double>& y) {
    const size_t bins = counts.size();
    centres.resize(bins);
    y.resize(bins);
    for (size_t i = 0; i < bins; ++i) {
        centres[i] = 0.5 * (edges[i + 1] + edges[i]);
        y[i] = static_cast<double>(counts[i]) / (centres[i] * centres[i]);
    }
}

size_t first_argmax(const std::vector<double>& v) {
    size_t top = 0;
    for (size_t i = 1; i < v.size(); ++i)
        if (v[i] > v[top]) top = i;
    return top;
}

// scaling._histogram_mode
double histogram_mode(const std::vector<double>& d, int bins) {
    const double mx = vmax(d);
    if (mx - vmin(d) <= kEqualDistanceTol * mx) return np_mean(d) + 0.5 / bins;
    std::vector<int64_t> counts;
    std::vector<double> edges, centres, y;
    np_histogram(d, bins, counts, edges);
    weighted_counts(counts, edges, centres, y);
    return centres[first_argmax(y)];
}

// scaling._is_discrete
bool is_discrete(const std::vector<double>& d) {
    const size_t n = d.size();
    if (n <= 2) return true;
    std::vector<double> x(d);
    std::sort(x.begin(), x.end());
    const double tol = kEqualDistanceTol * x[n - 1];
    int64_t shared = 0, size = 1;
    for (size_t i = 1; i <= n; ++i) {
        if (i == n || x[i] - x[i - 1] > tol) {
            if (size >= 3) shared += size;
            size = 1;
        } else {
            ++size;
        }
    }
    return static_cast<double>(shared) >= kSharedFraction * static_cast<double>(n);
}

// scaling._main_peak: (centre, robust standard deviation) of the main peak of the distances.
std::pair<double, double> main_peak(const std::vector<double>& d) {
    const int bins = static_cast<int>(std::min<int64_t>(std::max<int64_t>(static_cast<int64_t>(d.size()) / 8, 10), 100));
    std::vector<int64_t> counts;
    std::vector<double> edges, centres, y;
    np_histogram(d, bins, counts, edges);
    weighted_counts(counts, edges, centres, y);
    // np.convolve(y, ones(3) / 3, mode="same")
    const double c = 1.0 / 3.0;
    std::vector<double> smooth(bins);
    smooth[0] = y[0] * c + y[1] * c;
    for (int i = 1; i < bins - 1; ++i) smooth[i] = y[i - 1] * c + y[i] * c + y[i + 1] * c;
    smooth[bins - 1] = y[bins - 2] * c + y[bins - 1] * c;
    const int top = static_cast<int>(first_argmax(smooth));
    int lo = top, hi = top;
    while (lo > 0 && smooth[lo - 1] >= 0.5 * smooth[top]) --lo;
    while (hi < bins - 1 && smooth[hi + 1] >= 0.5 * smooth[top]) ++hi;
    std::vector<double> inside;
    for (double x : d)
        if (x >= edges[lo] && x <= edges[hi + 1]) inside.push_back(x);
    const double centre = np_median(inside);
    const double half_width = py_max(edges[hi + 1] - centre, centre - edges[lo]);
    std::vector<double> dev;
    for (double x : d)
        if (std::fabs(x - centre) <= 3.0 * half_width) dev.push_back(std::fabs(x - centre));
    return {centre, 1.4826 * np_median(dev)};
}

// scaling._shell_distance on an open structure: d[k] is the nearest distance of centre found[k].
double shell_distance(const double* pos, const int64_t* numbers, int64_t n, const std::vector<int64_t>& found,
                      int64_t beta, const std::vector<double>& d) {
    const auto peak = main_peak(d);
    const double window = kShellWindow * py_min(peak.second, kMaxRelativeSpread * peak.first);
    const double radius = py_min(vmax(d), 2.0 * np_median(d)) + window;
    if (!std::isfinite(radius) || radius <= 0)
        throw std::invalid_argument("cutoff must be a positive finite length in Å");
    Cell open;
    BinGrid grid(pos, n, open, radius);  // as neighbor_list(box, radius): same bins, same visiting order
    std::vector<double> sums(found.size(), 0.0);
    std::vector<int64_t> counts(found.size(), 0);
    double f[3];
    int32_t wrap[3];
    for (size_t k = 0; k < found.size(); ++k) {
        const int64_t a = found[k];
        const double limit = d[k] + window;
        grid.to_fractional(&pos[3 * a], f, wrap);
        grid.for_each_within(f, false, [&](int64_t b, double, double, double, double d2, const int32_t*) {
            if (b == a || numbers[b] != beta) return;
            const double r = std::sqrt(d2);
            if (r <= limit) {
                sums[k] += r;
                ++counts[k];
            }
        });
    }
    std::vector<double> shell(found.size());
    for (size_t k = 0; k < found.size(); ++k)
        shell[k] = counts[k] > 0 ? sums[k] / static_cast<double>(counts[k]) : d[k];
    return main_peak(shell).first;
}

}  // namespace

namespace {

// The d_NN rule of the pair (alpha, beta) from each centre's squared distance to its nearest beta atom
// (nearest2[k] for centre centres[k], +inf where none): scaling.nearest_neighbor_distance after _nearest_found.
double pair_dnn(const double* pos, const int64_t* numbers, int64_t n, const std::vector<int64_t>& centres,
                const double* nearest2, int64_t beta, const AriseBoxOptions& opt) {
    // centres without a neighbour within the last of DEFAULT_RADII are dropped (the minimum itself does not
    // depend on the radii)
    const double reach2 = opt.max_radius * opt.max_radius;
    std::vector<int64_t> found;
    std::vector<double> d;
    found.reserve(centres.size());
    d.reserve(centres.size());
    for (size_t k = 0; k < centres.size(); ++k)
        if (nearest2[k] < reach2) {
            found.push_back(centres[k]);
            d.push_back(std::sqrt(nearest2[k]));
        }
    if (found.empty())
        throw std::invalid_argument("no neighbour atom within reach of any centre atom: d_NN is undefined");
    if (vmin(d) < 1e-6) throw std::invalid_argument("overlapping atoms (distance < 1e-6 Å): d_NN is undefined");
    switch (opt.method) {
        case DnnMethod::Mean:
            return np_mean(d);
        case DnnMethod::Hist:
            return histogram_mode(d, opt.bins);
        case DnnMethod::Shell:
            if (is_discrete(d)) return histogram_mode(d, opt.bins);
            return shell_distance(pos, numbers, n, found, beta, d);
    }
    throw std::invalid_argument("unknown d_NN method");
}

}  // namespace

double open_pair_dnn(const double* pos, const int64_t* numbers, int64_t n, int64_t alpha, int64_t beta,
                     const AriseBoxOptions& opt) {
    if (n == 0) throw std::invalid_argument("the structure has no atoms");
    std::vector<int64_t> centres, cands;
    for (int64_t i = 0; i < n; ++i) {
        if (numbers[i] == alpha) centres.push_back(i);
        if (numbers[i] == beta) cands.push_back(i);
    }
    if (centres.empty()) throw std::invalid_argument("centre species is not present in the structure");
    if (cands.empty()) throw std::invalid_argument("neighbour species is not present in the structure");
    // scaling._nearest_found: the nearest candidate of each centre (d2 as BinGrid computes it for an open
    // structure: candidate minus centre)
    std::vector<double> nearest2(centres.size(), std::numeric_limits<double>::infinity());
    for (size_t k = 0; k < centres.size(); ++k) {
        const double* p = &pos[3 * centres[k]];
        for (int64_t b : cands) {
            if (b == centres[k]) continue;
            const double* q = &pos[3 * b];
            const double dx = q[0] - p[0], dy = q[1] - p[1], dz = q[2] - p[2];
            const double d2 = dx * dx + dy * dy + dz * dz;
            if (d2 < nearest2[k]) nearest2[k] = d2;
        }
    }
    return pair_dnn(pos, numbers, n, centres, nearest2.data(), beta, opt);
}

namespace {

// One box: arise_soap(box) with the defaults of python/arisekit/descriptors/arise.py. Throws
// std::invalid_argument where arise_soap raises ValueError. Only the mean coefficients of each pair's
// centres enter the descriptor, so they are summed bond by bond (SoapCalculator::bond_sums) instead of
// centre by centre: one pass over the unordered atom pairs {i, j} serves all species pairs. With
// Y_lm(-u) = (-1)^l Y_lm(u), a bond between two α atoms adds (1 + (-1)^l) g(r f_αα) Y_lm(u) to pair
// (α, α); a bond i (α) – j (β ≠ α) adds g(r f_αβ) Y_lm(u) to (α, β) and (-1)^l g(r f_βα) Y_lm(u) to
// (β, α), sharing the harmonics. Same sums as SoapCalculator::coefficients per centre, another order
// of additions (equal to rounding).
void describe_box(const SoapCalculator& calc, const double* pos, const int64_t* numbers, int64_t n,
                  const AriseBoxOptions& opt, double* out) {
    if (n == 0) throw std::invalid_argument("the structure has no atoms");
    if (n == 1) throw std::invalid_argument("a single isolated atom");
    std::vector<int64_t> species(numbers, numbers + n);
    std::sort(species.begin(), species.end());
    species.erase(std::unique(species.begin(), species.end()), species.end());
    const int S = static_cast<int>(species.size());
    std::vector<int> sidx(n);
    std::vector<int64_t> count(S, 0);
    for (int64_t i = 0; i < n; ++i) {
        sidx[i] = static_cast<int>(std::lower_bound(species.begin(), species.end(), numbers[i]) - species.begin());
        ++count[sidx[i]];
    }
    for (int a = 0; a < S; ++a)
        if (count[a] == 1) throw std::invalid_argument("undefined species pair");
    const int n_pairs = S * S;
    // one pass over the pairs i < j: squared distances (kept for the bonds) and each atom's nearest of
    // every species. (dx, dy, dz) = r_j - r_i; for centre j the vector is its negation: the same d2 as
    // open_pair_dnn's.
    thread_local std::vector<double> tl_d2s, tl_near2;
    std::vector<double>& d2s = tl_d2s;
    std::vector<double>& near2 = tl_near2;
    d2s.resize(size_t(n) * (n - 1) / 2);
    near2.assign(size_t(n) * S, std::numeric_limits<double>::infinity());
    for (int64_t i = 0, k = 0; i < n; ++i) {
        const double* p = &pos[3 * i];
        double* ni = &near2[size_t(i) * S];
        for (int64_t j = i + 1; j < n; ++j, ++k) {
            const double* q = &pos[3 * j];
            const double dx = q[0] - p[0], dy = q[1] - p[1], dz = q[2] - p[2];
            const double d2 = dx * dx + dy * dy + dz * dz;
            d2s[k] = d2;
            if (d2 < ni[sidx[j]]) ni[sidx[j]] = d2;
            double& nj = near2[size_t(j) * S + sidx[i]];
            if (d2 < nj) nj = d2;
        }
    }
    std::vector<double> f(n_pairs);
    double f_min = std::numeric_limits<double>::infinity();
    for (int a = 0; a < S; ++a) {
        std::vector<int64_t> centres;
        for (int64_t i = 0; i < n; ++i)
            if (sidx[i] == a) centres.push_back(i);
        std::vector<double> nearest2(centres.size());
        for (int b = 0; b < S; ++b) {
            for (size_t k = 0; k < centres.size(); ++k) nearest2[k] = near2[size_t(centres[k]) * S + b];
            const double d_nn = pair_dnn(pos, numbers, n, centres, nearest2.data(), species[b], opt);
            f[a * S + b] = opt.extrinsic_scale / d_nn;
            f_min = std::min(f_min, f[a * S + b]);
        }
    }
    // bonds within the largest reach (cutoff / f, Å) of any pair; bond_sums drops targets beyond the cutoff
    const SoapParams& sp = calc.params();
    const double reach = sp.cutoff / f_min * (1.0 + 1e-9);
    const double reach2 = reach * reach;
    // scratch kept per thread between boxes (references: one TLS lookup per box, not per bond)
    thread_local std::vector<double> tl_u, tl_dist;
    thread_local std::vector<int32_t> tl_acc, tl_sel;
    thread_local std::vector<int64_t> tl_first;
    std::vector<double>& u = tl_u;
    std::vector<double>& dist = tl_dist;
    std::vector<int32_t>& acc = tl_acc;
    std::vector<int32_t>& sel = tl_sel;
    std::vector<int64_t>& first = tl_first;
    // the partners j > i within reach, compacted without branches (about half the pairs of a box are
    // bonds, in no predictable order; first[i] = the first bond of centre i); then each bond's unit vector
    // and scaled distances: the same expressions in the same order as bond by bond
    sel.resize(d2s.size());
    first.resize(size_t(n) + 1);
    int64_t n_bonds = 0;
    for (int64_t i = 0, k = 0; i < n; ++i) {
        first[i] = n_bonds;
        for (int64_t j = i + 1; j < n; ++j, ++k) {
            sel[n_bonds] = static_cast<int32_t>(j);
            n_bonds += d2s[k] < reach2 ? 1 : 0;
        }
    }
    first[n] = n_bonds;
    u.resize(3 * size_t(n_bonds));
    dist.resize(2 * size_t(n_bonds));
    acc.resize(2 * size_t(n_bonds));
    for (int64_t i = 0; i < n; ++i) {
        const double* p = &pos[3 * i];
        const int a = sidx[i];
        for (int64_t q = first[i]; q < first[i + 1]; ++q) {
            const int64_t j = sel[q];
            const double* w = &pos[3 * j];
            const double dx = w[0] - p[0], dy = w[1] - p[1], dz = w[2] - p[2];
            const double r = std::sqrt(dx * dx + dy * dy + dz * dz), ir = 1.0 / r;
            const int b = sidx[j];
            const bool same = a == b;
            u[3 * q] = dx * ir;
            u[3 * q + 1] = dy * ir;
            u[3 * q + 2] = dz * ir;
            dist[2 * q] = r * f[a * S + b];
            acc[2 * q] = 3 * (a * S + b) + (same ? 2 : 0);
            dist[2 * q + 1] = same ? 0.0 : r * f[b * S + a];
            acc[2 * q + 1] = same ? -1 : 3 * (b * S + a) + 1;
        }
    }
    const std::vector<double> sums = calc.bond_sums(u.data(), dist.data(), acc.data(), n_bonds, 3 * n_pairs);
    const int N = sp.n_max, L = sp.l_max, NLM = (L + 1) * (L + 1);
    const int64_t per = calc.n_coeff_per_channel();
    const std::vector<double>& central = calc.central_coefficients();
    std::vector<double> means(size_t(n_pairs) * per, 0.0);
    for (int a = 0; a < S; ++a)
        for (int b = 0; b < S; ++b) {
            const int p = a * S + b;
            const double* fwd = &sums[size_t(3 * p) * per];
            const double* bwd = fwd + per;
            const double* both = bwd + per;
            double* mean = &means[size_t(p) * per];
            const double m = static_cast<double>(count[a]);
            for (int nn = 0; nn < N; ++nn)
                for (int l = 0; l <= L; ++l) {
                    const bool odd = l % 2 == 1;
                    for (int lm = l * l; lm < (l + 1) * (l + 1); ++lm) {
                        const size_t k = size_t(nn) * NLM + lm;
                        const double v = odd ? fwd[k] - bwd[k] : fwd[k] + bwd[k] + 2.0 * both[k];
                        mean[k] = v / m;
                    }
                }
            if (sp.central_weight != 0.0)
                for (int nn = 0; nn < N; ++nn) mean[size_t(nn) * NLM] += sp.central_weight * central[nn];
        }
    const std::vector<double> ps = calc.power_spectrum(means.data(), n_pairs, 1, true, 0.0, 1);
    const int64_t dim = calc.n_power(1) + 1;
    for (int64_t j = 0; j < dim; ++j) out[j] = 0.0;
    for (int q = 0; q < n_pairs; ++q)
        for (int64_t j = 0; j < dim; ++j) out[j] += ps[size_t(q) * dim + j];
    for (int64_t j = 0; j < dim; ++j) out[j] /= static_cast<double>(n_pairs);
}

}  // namespace

void arise_box_descriptors(const SoapCalculator& calc, const double* positions, const int64_t* numbers,
                           int64_t n_atoms, const int64_t* offsets, int64_t n_offsets, const int32_t* indices,
                           int64_t n_indices, const int64_t* boxes, int64_t n_boxes, const AriseBoxOptions& opt,
                           int n_threads, double* out, uint8_t* ok) {
    if (!(std::isfinite(opt.extrinsic_scale) && opt.extrinsic_scale > 0))
        throw std::invalid_argument("extrinsic_scale must be a positive number");
    if (opt.bins < 1) throw std::invalid_argument("bins must be a positive integer");
    require_finite(positions, 3 * n_atoms, "positions");
    for (int64_t k = 0; k < n_boxes; ++k) {
        const int64_t b = boxes[k];
        if (b < 0 || b + 1 >= n_offsets) throw std::invalid_argument("box index out of range");
        if (offsets[b] < 0 || offsets[b] > offsets[b + 1] || offsets[b + 1] > n_indices)
            throw std::invalid_argument("offsets are not a valid CSR index");
        for (int64_t s = offsets[b]; s < offsets[b + 1]; ++s)
            if (indices[s] < 0 || indices[s] >= n_atoms) throw std::invalid_argument("atom index out of range");
    }
    const int64_t dim = calc.n_power(1) + 1;
    const int nt = static_cast<int>(std::min<int64_t>(resolve_threads(n_threads), std::max<int64_t>(n_boxes, 1)));
    std::atomic<int64_t> next{0};
    std::vector<std::exception_ptr> errors(nt);
    auto work = [&](int t) {
        try {
            std::vector<double> pos;
            std::vector<int64_t> num;
            for (int64_t k; (k = next.fetch_add(1)) < n_boxes;) {
                const int64_t b = boxes[k];
                const int64_t m = offsets[b + 1] - offsets[b];
                pos.resize(3 * size_t(m));
                num.resize(size_t(m));
                for (int64_t s = 0; s < m; ++s) {
                    const int64_t a = indices[offsets[b] + s];
                    for (int c = 0; c < 3; ++c) pos[3 * s + c] = positions[3 * a + c];
                    num[s] = numbers[a];
                }
                double* row = out + size_t(k) * dim;
                try {
                    describe_box(calc, pos.data(), num.data(), m, opt, row);
                    ok[k] = 1;
                } catch (const std::invalid_argument&) {
                    std::fill(row, row + dim, 0.0);
                    ok[k] = 0;
                }
            }
        } catch (...) {
            errors[t] = std::current_exception();
            next.store(n_boxes);
        }
    };
    if (nt <= 1) {
        work(0);
    } else {
        std::vector<std::thread> pool;
        for (int t = 0; t < nt; ++t) pool.emplace_back(work, t);
        for (auto& th : pool) th.join();
    }
    for (auto& e : errors)
        if (e) std::rethrow_exception(e);
}

}  // namespace arisekit
