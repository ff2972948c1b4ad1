// The exact cap of DurationQuantiles and the log-linear histogram behind it (quantiles.h).
#include <catch2/catch.hpp>

#include <cmath>
#include <random>
#include <vector>

#include "quantiles.h"

using kpilens::DurationQuantiles;
using kpilens::LogLinearHistogram;

TEST_CASE("Quantiles stay exact up to the cap and say so", "[quantiles][cap]") {
  DurationQuantiles q(10);
  for (int i = 1; i <= 10; ++i) q.feed(i);
  q.finish();
  CHECK_FALSE(q.approximate());
  // Type 7 on 1..10: h = 9 × 0.5 = 4.5 → 5 + 0.5 × (6 − 5) = 5.5.
  CHECK(*q.quantile(0.5) == 5.5);
}

TEST_CASE("Past the cap quantiles come from the histogram within 1 %", "[quantiles][cap]") {
  DurationQuantiles q(1000);
  std::vector<double> values;
  std::mt19937 random(7);
  std::lognormal_distribution<double> duration(3.0, 1.5);
  for (int i = 0; i < 20000; ++i) {
    double v = duration(random);
    values.push_back(v);
    q.feed(v);
  }
  q.finish();
  REQUIRE(q.approximate());
  std::sort(values.begin(), values.end());
  for (double p : {0.0, 0.1, 0.5, 0.9, 0.99, 1.0}) {
    // The histogram estimates the order statistic of rank ⌊(n − 1) p⌋.
    double exact = values[static_cast<size_t>(std::floor((values.size() - 1) * p))];
    CHECK(std::fabs(*q.quantile(p) - exact) <= 0.01 * exact);
  }
}

TEST_CASE("The mean stays exact past the cap", "[quantiles][cap]") {
  DurationQuantiles q(4);
  for (int i = 1; i <= 100; ++i) q.feed(i);
  q.finish();
  REQUIRE(q.approximate());
  CHECK(*q.mean() == 50.5);  // (1 + 100) ÷ 2
}

TEST_CASE("Zero durations count as zero in the histogram", "[quantiles][cap]") {
  DurationQuantiles q(2);
  for (int i = 0; i < 6; ++i) q.feed(0.0);
  q.feed(10.0);
  q.finish();
  REQUIRE(q.approximate());
  CHECK(*q.quantile(0.5) == 0.0);
  CHECK(q.count_below(1.0) == 6);
}

TEST_CASE("Merging halves past the cap equals one pass", "[quantiles][cap]") {
  DurationQuantiles whole(50), left(50), right(50), small_left(50);
  for (int i = 0; i < 80; ++i) {
    double v = 1.0 + i * 0.37;
    whole.feed(v);
    (i < 40 ? left : right).feed(v);
  }
  // Neither half passes the cap; together they do.
  REQUIRE_FALSE(left.approximate());
  left.merge(right);
  whole.finish();
  left.finish();
  REQUIRE(left.approximate());
  REQUIRE(whole.approximate());
  for (double p : {0.1, 0.5, 0.9}) CHECK(*left.quantile(p) == *whole.quantile(p));
  CHECK(left.count_below(10.0) == whole.count_below(10.0));
  CHECK(*left.mean() == *whole.mean());
}

TEST_CASE("A histogram bucket's midpoint is within 1 % of every value in it", "[quantiles][cap]") {
  for (double v : {1e-6, 0.001, 0.5, 0.999, 1.0, 1.0099, 3.14159, 59.9, 60.0, 1e6, 123456789.0}) {
    double estimate = LogLinearHistogram::bucket_estimate(LogLinearHistogram::bucket_of(v));
    CHECK(std::fabs(estimate - v) <= 0.01 * v);
  }
}
