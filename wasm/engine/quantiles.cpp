// quantiles: see quantiles.h for the definition used.
#include "quantiles.h"

#include <algorithm>
#include <cmath>

namespace kpilens {

void ExactQuantiles::feed(double value) {
  values_.push_back(value);
  sum_.add(value);
  sorted_ = false;
}

void ExactQuantiles::merge(const ExactQuantiles& other) {
  values_.insert(values_.end(), other.values_.begin(), other.values_.end());
  sum_.merge(other.sum_);
  sorted_ = false;
}

void ExactQuantiles::finish() {
  if (!sorted_) std::sort(values_.begin(), values_.end());
  sorted_ = true;
}

uint64_t ExactQuantiles::count_below(double limit) const {
  return static_cast<uint64_t>(std::lower_bound(values_.begin(), values_.end(), limit) -
                               values_.begin());
}

std::optional<double> ExactQuantiles::mean() const {
  if (values_.empty()) return std::nullopt;
  return sum_.value() / static_cast<double>(values_.size());
}

std::optional<double> ExactQuantiles::quantile(double q) const {
  if (values_.empty()) return std::nullopt;
  double h = static_cast<double>(values_.size() - 1) * q;
  double below = std::floor(h);
  size_t index = static_cast<size_t>(below);
  if (index + 1 >= values_.size()) return values_.back();
  double low = values_[index];
  double high = values_[index + 1];
  double fraction = h - below;
  if (fraction == 0.0) return low;
  return low + (high - low) * fraction;
}

}  // namespace kpilens
