// quantiles: exact order statistics of a group's values (durations). Keeps every value: memory is 8
// bytes per value per group it belongs to, the documented exception to bounded memory
// (docs/kpis.md).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "exact_sum.h"

namespace kpilens {

class ExactQuantiles {
 public:
  void feed(double value);
  void merge(const ExactQuantiles& other);
  // Sorts once; quantile() and mean() need it. Feeding after finish() is not allowed.
  void finish();

  uint64_t count() const { return values_.size(); }
  // How many values are < limit. Requires finish().
  uint64_t count_below(double limit) const;
  std::optional<double> mean() const;
  // Linear interpolation between order statistics (Hyndman & Fan type 7: R's default, Excel
  // PERCENTILE.INC, NumPy's default, DuckDB's quantile_cont / median). Requires finish().
  std::optional<double> quantile(double q) const;

 private:
  std::vector<double> values_;
  ExactSum sum_;
  bool sorted_ = false;
};

}  // namespace kpilens
