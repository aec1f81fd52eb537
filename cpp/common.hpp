// Shared helpers for the arisekit C++ core: argument checks and a minimal parallel-for.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace arisekit {

// Number of worker threads to use: n_threads <= 0 means "all hardware threads".
inline int resolve_threads(int n_threads) {
    if (n_threads > 0) return n_threads;
    unsigned hw = std::thread::hardware_concurrency();
    return hw == 0 ? 1 : static_cast<int>(hw);
}

// Run body(begin, end, thread_index) over [0, n) split into contiguous chunks, one per thread.
// Exceptions thrown by workers are re-thrown in the caller (first one wins).
template <class Body>
void parallel_chunks(int64_t n, int n_threads, Body&& body) {
    int nt = static_cast<int>(std::min<int64_t>(std::max<int64_t>(n, 1), resolve_threads(n_threads)));
    if (nt <= 1 || n < 2) {
        body(int64_t(0), n, 0);
        return;
    }
    std::vector<std::thread> workers;
    std::vector<std::exception_ptr> errors(nt);
    int64_t chunk = (n + nt - 1) / nt;
    for (int t = 0; t < nt; ++t) {
        int64_t b = t * chunk, e = std::min<int64_t>(n, b + chunk);
        workers.emplace_back([&, b, e, t]() {
            try {
                if (b < e) body(b, e, t);
            } catch (...) {
                errors[t] = std::current_exception();
            }
        });
    }
    for (auto& w : workers) w.join();
    for (auto& err : errors)
        if (err) std::rethrow_exception(err);
}

inline void require_finite(const double* x, int64_t n, const char* name) {
    for (int64_t k = 0; k < n; ++k)
        if (!std::isfinite(x[k]))
            throw std::invalid_argument(std::string(name) + " contains NaN or infinite values (index " +
                                        std::to_string(k) + ")");
}

// Coordinates beyond this magnitude (Å) are rejected: they are absurd and would overflow bin arithmetic.
constexpr double kMaxCoordinate = 1e10;

inline void require_bounded(const double* x, int64_t n, const char* name) {
    for (int64_t k = 0; k < n; ++k)
        if (!(std::fabs(x[k]) <= kMaxCoordinate))
            throw std::invalid_argument(std::string(name) + " has a value of magnitude above 1e10 Å or NaN (index " +
                                        std::to_string(k) + ")");
}

inline void require_positive(double x, const char* name) {
    if (!(x > 0.0) || !std::isfinite(x))
        throw std::invalid_argument(std::string(name) + " must be a positive finite number, got " +
                                    std::to_string(x));
}

}  // namespace arisekit
