// quantiles: see quantiles.h for the definitions used.
#include "quantiles.h"

#include <algorithm>
#include <cmath>

namespace kpilens {

int32_t LogLinearHistogram::bucket_of(double positive_value) {
  int exponent = 0;
  double mantissa = std::frexp(positive_value, &exponent);  // in [0.5, 1), exact
  // (mantissa − 0.5) is exact, and so is its product by 128: the same bucket on every platform.
  int sub = static_cast<int>(std::floor((mantissa - 0.5) * (2 * kSubBuckets)));
  sub = std::clamp(sub, 0, kSubBuckets - 1);
  return exponent * kSubBuckets + sub;
}

double LogLinearHistogram::bucket_estimate(int32_t bucket) {
  int32_t exponent = bucket / kSubBuckets;
  int32_t sub = bucket % kSubBuckets;
  if (sub < 0) {
    sub += kSubBuckets;
    exponent -= 1;
  }
  // Midpoint of [0.5 + sub/128, 0.5 + (sub+1)/128) × 2^exponent: half a width (1/256) over a lower
  // bound ≥ 0.5 is a relative error ≤ 0.79 %.
  double middle = 0.5 + (2.0 * sub + 1.0) / (4.0 * kSubBuckets);
  return std::ldexp(middle, exponent);
}

void LogLinearHistogram::add(double value, uint64_t count) {
  count_ += count;
  if (value <= 0) {
    zeros_ += count;
  } else {
    buckets_[bucket_of(value)] += count;
  }
}

void LogLinearHistogram::merge(const LogLinearHistogram& other) {
  count_ += other.count_;
  zeros_ += other.zeros_;
  for (const auto& [bucket, count] : other.buckets_) buckets_[bucket] += count;
}

double LogLinearHistogram::value_at_rank(uint64_t rank) const {
  if (rank < zeros_) return 0.0;
  uint64_t seen = zeros_;
  for (const auto& [bucket, count] : buckets_) {
    seen += count;
    if (rank < seen) return bucket_estimate(bucket);
  }
  return buckets_.empty() ? 0.0 : bucket_estimate(buckets_.rbegin()->first);
}

uint64_t LogLinearHistogram::count_below(double limit) const {
  uint64_t below = limit > 0 ? zeros_ : 0;
  for (const auto& [bucket, count] : buckets_) {
    if (bucket_estimate(bucket) >= limit) break;
    below += count;
  }
  return below;
}

void DurationQuantiles::spill() {
  histogram_.emplace();
  for (double v : values_) histogram_->add(v);
  std::vector<double>().swap(values_);
}

void DurationQuantiles::feed(double value) {
  ++count_;
  sum_.add(value);
  sorted_ = false;
  if (histogram_) {
    histogram_->add(value);
    return;
  }
  values_.push_back(value);
  if (count_ > cap_) spill();
}

void DurationQuantiles::merge(const DurationQuantiles& other) {
  count_ += other.count_;
  sum_.merge(other.sum_);
  sorted_ = false;
  // The result depends only on the combined count, as if every value had been fed to one group.
  if (!histogram_ && (other.histogram_ || count_ > cap_)) spill();
  if (histogram_) {
    for (double v : other.values_) histogram_->add(v);
    if (other.histogram_) histogram_->merge(*other.histogram_);
  } else {
    values_.insert(values_.end(), other.values_.begin(), other.values_.end());
  }
}

void DurationQuantiles::finish() {
  if (!sorted_ && !histogram_) std::sort(values_.begin(), values_.end());
  sorted_ = true;
}

std::optional<double> DurationQuantiles::mean() const {
  if (count_ == 0) return std::nullopt;
  return sum_.value() / static_cast<double>(count_);
}

std::optional<double> DurationQuantiles::quantile(double q) const {
  if (count_ == 0) return std::nullopt;
  q = std::clamp(q, 0.0, 1.0);
  double h = static_cast<double>(count_ - 1) * q;
  double below = std::floor(h);
  if (histogram_) return histogram_->value_at_rank(static_cast<uint64_t>(below));
  size_t index = static_cast<size_t>(below);
  if (index + 1 >= values_.size()) return values_.back();
  double low = values_[index];
  double high = values_[index + 1];
  double fraction = h - below;
  if (fraction == 0.0) return low;
  return low + (high - low) * fraction;
}

uint64_t DurationQuantiles::count_below(double limit) const {
  if (histogram_) return histogram_->count_below(limit);
  return static_cast<uint64_t>(std::lower_bound(values_.begin(), values_.end(), limit) -
                               values_.begin());
}

}  // namespace kpilens
