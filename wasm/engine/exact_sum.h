// exact_sum: a sum of doubles that is exact until the final rounding (Shewchuk's partials, as in
// Python's math.fsum). Because the result is the correctly rounded exact sum, it does not depend on
// the order of feeding or merging: one pass, two workers, or two files give the same bits.
#pragma once

#include <vector>

namespace kpilens {

class ExactSum {
 public:
  void add(double x);
  void merge(const ExactSum& other);
  double value() const;

 private:
  std::vector<double> partials_;  // non-overlapping, increasing magnitude; rarely more than 3
};

}  // namespace kpilens
