// Scalar softmax kernels in f32 and f64: the reference algorithms of the literature, serving as
// subjects, baselines and examples. Each entry of scalar_softmax_kernels() carries its contract;
// the bounds the properties apply are derived from it (properties/error_bound.cpp).
#include <cmath>
#include <cstddef>
#include <limits>

#include "impl/registry.hpp"

namespace softcheck {
namespace {

// Naive: exp(x_j) / sum exp(x_i). No max shift, so exp overflows once a logit reaches the
// threshold (88.72 in f32, 709.78 in f64): the contract's domain stops below it (BHH Thm 3.3).
template <typename T>
void softmax_naive(const void* xv, void* yv, std::size_t rows, std::size_t cols) {
  for (std::size_t r = 0; r < rows; ++r) {
    const T* x = static_cast<const T*>(xv) + r * cols;
    T* y = static_cast<T*>(yv) + r * cols;
    T sum = 0;
    for (std::size_t j = 0; j < cols; ++j) sum += std::exp(x[j]);
    for (std::size_t j = 0; j < cols; ++j) y[j] = std::exp(x[j]) / sum;
  }
}

template <typename T>
T row_max(const T* x, std::size_t cols) {
  // Starts from -inf, not from a finite sentinel, so rows of -inf and NaN are seen as they are;
  // a NaN is propagated (comparisons with NaN are false, so it is tested explicitly).
  T m = -std::numeric_limits<T>::infinity();
  for (std::size_t j = 0; j < cols; ++j) {
    if (std::isnan(x[j])) return x[j];
    if (x[j] > m) m = x[j];
  }
  return m;
}

// Max-shift, three passes: max, sum of exp(x - max), divide (BHH Alg. 4.1).
template <typename T>
void softmax_shifted(const void* xv, void* yv, std::size_t rows, std::size_t cols) {
  for (std::size_t r = 0; r < rows; ++r) {
    const T* x = static_cast<const T*>(xv) + r * cols;
    T* y = static_cast<T*>(yv) + r * cols;
    const T m = row_max(x, cols);
    T sum = 0;
    for (std::size_t j = 0; j < cols; ++j) {
      y[j] = std::exp(x[j] - m);  // -inf - m = -inf, exp = 0 exactly; all -inf: NaN (policy nan)
      sum += y[j];
    }
    for (std::size_t j = 0; j < cols; ++j) y[j] /= sum;
  }
}

// Division-free: y_j = exp(x_j - lse), lse = max + log(sum exp(x - max)). Error grows with |lse|
// (error-model.md: an extra |lse| u term), which the contract's bound carries.
template <typename T>
void softmax_lse(const void* xv, void* yv, std::size_t rows, std::size_t cols) {
  for (std::size_t r = 0; r < rows; ++r) {
    const T* x = static_cast<const T*>(xv) + r * cols;
    T* y = static_cast<T*>(yv) + r * cols;
    const T m = row_max(x, cols);
    T sum = 0;
    for (std::size_t j = 0; j < cols; ++j) sum += std::exp(x[j] - m);
    const T lse = m + std::log(sum);
    for (std::size_t j = 0; j < cols; ++j) y[j] = std::exp(x[j] - lse);
  }
}

// Online normaliser (Milakov & Gimelshein 2018, Alg. 3): one pass keeps a running max m and a sum
// d rescaled by exp(m_old - m_new) whenever the max grows; a second pass normalises.
template <typename T>
void softmax_online(const void* xv, void* yv, std::size_t rows, std::size_t cols) {
  for (std::size_t r = 0; r < rows; ++r) {
    const T* x = static_cast<const T*>(xv) + r * cols;
    T* y = static_cast<T*>(yv) + r * cols;
    T m = -std::numeric_limits<T>::infinity();
    T d = 0;
    for (std::size_t j = 0; j < cols; ++j) {
      if (std::isnan(x[j])) {
        m = x[j];
        break;
      }
      // A masked (-inf) logit adds exp(-inf) = 0; skipping it avoids exp(-inf - -inf) = NaN while
      // the running max is still -inf (a known bug class of online kernels with masked prefixes).
      if (x[j] == -std::numeric_limits<T>::infinity()) continue;
      if (x[j] > m) {
        // m = -inf before the first finite logit: d is 0 then, and exp(-inf) = 0 keeps it 0.
        d = d * std::exp(m - x[j]) + 1;
        m = x[j];
      } else {
        d += std::exp(x[j] - m);
      }
    }
    for (std::size_t j = 0; j < cols; ++j) y[j] = std::exp(x[j] - m) / d;
  }
}

template <typename T>
constexpr DType dtype_of() {
  return sizeof(T) == 4 ? DType::f32 : DType::f64;
}

template <typename T>
Contract base_contract(const char* algo_name, Algorithm algorithm, const char* summary) {
  Contract c;
  c.name = std::string(name_of(dtype_of<T>())) + "_softmax_" + algo_name + "__scalar";
  c.op = Op::softmax;
  c.dtype = c.accum = dtype_of<T>();
  c.algorithm = algorithm;
  c.summation = Summation::serial;
  c.exp_ulps = 1.0;  // glibc expf/exp/logf/log: < 1 ulp (glibc libm-test-ulps)
  c.log_ulps = 1.0;
  c.all_masked = MaskedRowPolicy::nan;  // 0/0: every output NaN
  c.summary = summary;
  return c;
}

template <typename T>
void add_family(std::vector<Kernel>& out) {
  Contract naive = base_contract<T>("naive", Algorithm::naive,
                                    "exp(x)/sum exp(x), no max shift; domain below exp overflow");
  // Without the shift the sum itself must stay finite: LSE(x) < ln(max_finite(T)), which also
  // keeps every exp(x_j) finite (x_j <= LSE). ln(FLT_MAX) = 88.7228391, ln(DBL_MAX) = 709.782712893.
  naive.domain.max_lse = std::log(static_cast<double>(std::numeric_limits<T>::max()));
  // exp(x)/sum also loses everything once every exp underflows: the row's largest logit must keep
  // exp normal so the sum is not subnormal (BHH Thm 3.3 assumes no over/underflow).
  naive.domain.min_row_max = dtype_of<T>() == DType::f32 ? -87.33654 : -708.39642;
  naive.domain.accepts_neg_inf = true;
  out.push_back({naive, &softmax_naive<T>});
  out.push_back({base_contract<T>("shifted", Algorithm::shifted,
                                  "three passes: max, sum exp(x - max), divide"),
                 &softmax_shifted<T>});
  out.push_back({base_contract<T>("lse", Algorithm::division_free,
                                  "division-free exp(x - lse), lse = max + log(sum)"),
                 &softmax_lse<T>});
  out.push_back({base_contract<T>("online", Algorithm::online,
                                  "online normaliser: running max, rescaled sum, then divide"),
                 &softmax_online<T>});
}

}  // namespace

std::vector<Kernel> scalar_softmax_kernels() {
  std::vector<Kernel> v;
  add_family<float>(v);
  add_family<double>(v);
  return v;
}

}  // namespace softcheck
