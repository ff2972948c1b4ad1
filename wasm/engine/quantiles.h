// quantiles: order statistics of a group's durations. Exact (every value kept) up to a cap per
// group; past it, a log-linear histogram whose quantiles are within 1 % (relative) of the exact
// order statistic. Memory is then bounded by the number of groups, not the number of rows. The mean
// stays exact either way (ExactSum).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "exact_sum.h"

namespace kpilens {

// Values kept exactly per group before switching to the histogram (8 bytes each).
inline constexpr uint64_t kExactQuantileCap = 100000;

// Positive values in buckets of 64 equal widths per power of two (like HDR histograms): a bucket's
// midpoint is within 0.79 % of every value in it. Indices come from frexp and a multiplication by
// 128, both exact, so native and wasm put every value in the same bucket.
class LogLinearHistogram {
 public:
  static constexpr int kSubBuckets = 64;

  void add(double value, uint64_t count = 1);
  void merge(const LogLinearHistogram& other);
  uint64_t count() const { return count_; }
  // The estimate of the value at 0-based rank `rank` (< count()).
  double value_at_rank(uint64_t rank) const;
  // Values whose bucket estimate is below `limit` (approximate near `limit`).
  uint64_t count_below(double limit) const;

  static int32_t bucket_of(double positive_value);
  static double bucket_estimate(int32_t bucket);

 private:
  uint64_t zeros_ = 0;
  uint64_t count_ = 0;
  std::map<int32_t, uint64_t> buckets_;
};

class DurationQuantiles {
 public:
  explicit DurationQuantiles(uint64_t exact_cap = kExactQuantileCap) : cap_(exact_cap) {}

  void feed(double value);  // value ≥ 0
  void merge(const DurationQuantiles& other);
  // Sorts the exact values once; quantile() and count_below() need it.
  void finish();

  uint64_t count() const { return count_; }
  bool approximate() const { return histogram_.has_value(); }
  std::optional<double> mean() const;
  // Exact: linear interpolation between order statistics (Hyndman & Fan type 7: R's default, Excel
  // PERCENTILE.INC, NumPy's default, DuckDB's quantile_cont / median). Past the cap: the
  // histogram's estimate of the order statistic of rank ⌊(n − 1) q⌋. Requires finish().
  std::optional<double> quantile(double q) const;
  // How many values are < limit (approximate past the cap). Requires finish().
  uint64_t count_below(double limit) const;

 private:
  void spill();

  uint64_t cap_;
  uint64_t count_ = 0;
  std::vector<double> values_;
  std::optional<LogLinearHistogram> histogram_;
  ExactSum sum_;
  bool sorted_ = false;
};

}  // namespace kpilens
