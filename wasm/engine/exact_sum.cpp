// exact_sum: Shewchuk, "Adaptive Precision Floating-Point Arithmetic and Fast Robust Geometric
// Predicates" (1997); the final rounding step follows CPython's math_fsum (round-half-even across
// partials).
#include "exact_sum.h"

#include <cmath>
#include <utility>

namespace kpilens {

void ExactSum::add(double x) {
  size_t kept = 0;
  for (double y : partials_) {
    if (std::fabs(x) < std::fabs(y)) std::swap(x, y);
    double high = x + y;
    double low = y - (high - x);
    if (low != 0.0) partials_[kept++] = low;
    x = high;
  }
  partials_.resize(kept);
  partials_.push_back(x);
}

void ExactSum::merge(const ExactSum& other) {
  for (double partial : other.partials_) add(partial);
}

double ExactSum::value() const {
  size_t n = partials_.size();
  if (n == 0) return 0.0;
  double high = partials_[--n];
  double low = 0.0;
  while (n > 0) {
    double x = high;
    double y = partials_[--n];
    high = x + y;
    double y_rounded = high - x;
    low = y - y_rounded;
    if (low != 0.0) break;
  }
  // Half-way case: the next partial decides the direction of rounding.
  if (n > 0 && ((low < 0.0 && partials_[n - 1] < 0.0) || (low > 0.0 && partials_[n - 1] > 0.0))) {
    double y = low * 2.0;
    double x = high + y;
    double y_rounded = x - high;
    if (y == y_rounded) high = x;
  }
  return high;
}

}  // namespace kpilens
