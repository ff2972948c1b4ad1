// exact_sum tests: the correctly rounded sum, checked against cases worked out by hand and against
// an integer oracle, and its independence from the order of adding and merging.
#include "exact_sum.h"

#include <algorithm>
#include <bit>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

using kpilens::ExactSum;

namespace {

double sum_of(const std::vector<double>& values) {
  ExactSum sum;
  for (double v : values) sum.add(v);
  return sum.value();
}

uint64_t bits(double x) {
  return std::bit_cast<uint64_t>(x);
}

// Values of widely varied magnitude and sign: a mantissa in [1, 10) times 10^-12 … 10^12.
std::vector<double> varied_values(std::mt19937& rng, size_t count) {
  std::uniform_real_distribution<double> mantissa(1.0, 10.0);
  std::uniform_int_distribution<int> exponent(-12, 12);
  std::vector<double> values;
  for (size_t i = 0; i < count; ++i) {
    double v = mantissa(rng) * std::pow(10.0, exponent(rng));
    values.push_back(rng() % 2 ? v : -v);
  }
  return values;
}

}  // namespace

TEST_CASE("ExactSum of nothing is zero", "[exact_sum]") {
  CHECK(ExactSum{}.value() == 0.0);
}

TEST_CASE("ExactSum adds 0.1 ten times to exactly 1.0", "[exact_sum]") {
  // double(0.1) = 0.1000000000000000055511151231257827…; ten of them sum exactly to
  // 1.000000000000000055511151231257827…, which is within half an ulp of 1 (ulp(1) = 2^-52
  // ≈ 2.2e-16), so the correctly rounded sum is 1.0. A naive loop gives 0.9999999999999999.
  std::vector<double> tenths(10, 0.1);
  CHECK(sum_of(tenths) == 1.0);
}

TEST_CASE("ExactSum keeps a small term that a naive sum loses to cancellation", "[exact_sum]") {
  // 1e100 + 1 rounds to 1e100 in plain doubles; the exact sum 1e100 + 1 − 1e100 is 1.
  CHECK(sum_of({1e100, 1.0, -1e100}) == 1.0);
  CHECK(sum_of({1e16, 1.0, 1.0, -1e16}) == 2.0);
  CHECK(sum_of({0.1, 0.2, -0.3}) == sum_of({-0.3, 0.2, 0.1}));
}

TEST_CASE("ExactSum rounds a half-way sum by the terms beyond it", "[exact_sum]") {
  const double half_ulp = std::ldexp(1.0, -53);  // half of ulp(1)
  const double tiny = std::ldexp(1.0, -106);
  // 1 + 2^-53 is exactly half-way between 1 and 1 + 2^-52: ties to even, 1.0.
  CHECK(sum_of({1.0, half_ulp}) == 1.0);
  // A tiny extra term puts the exact sum just above half-way: it rounds up to 1 + 2^-52.
  CHECK(sum_of({1.0, half_ulp, tiny}) == 1.0 + std::ldexp(1.0, -52));
  CHECK(sum_of({tiny, half_ulp, 1.0}) == 1.0 + std::ldexp(1.0, -52));
  // …and just below half-way: it rounds down to 1.
  CHECK(sum_of({1.0, half_ulp, -tiny}) == 1.0);
}

TEST_CASE("ExactSum matches an exact integer sum of scaled values", "[exact_sum]") {
  // Every value is k × 2^-20 with |k| < 2^40: the exact sum is K × 2^-20 where K, the integer sum
  // of 10,000 such k, stays below 2^54 and fits an int64. Converting K to double rounds it
  // correctly (round to nearest even) and scaling by 2^-20 is exact, so that is the correctly
  // rounded sum.
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> bits_wide(0, 40);
  std::vector<double> values;
  int64_t exact = 0;
  for (int i = 0; i < 10000; ++i) {
    const int64_t limit = (int64_t{1} << bits_wide(rng)) - 1;
    std::uniform_int_distribution<int64_t> k_of(-limit, limit);
    const int64_t k = k_of(rng);
    exact += k;
    values.push_back(std::ldexp(static_cast<double>(k), -20));
  }
  CHECK(bits(sum_of(values)) == bits(std::ldexp(static_cast<double>(exact), -20)));
}

TEST_CASE("ExactSum gives the same bits in every order of adding", "[exact_sum]") {
  std::mt19937 rng(12345);
  std::vector<double> values = varied_values(rng, 10000);
  const uint64_t reference = bits(sum_of(values));
  for (int round = 0; round < 10; ++round) {
    std::shuffle(values.begin(), values.end(), rng);
    INFO("shuffle " << round);
    CHECK(bits(sum_of(values)) == reference);
  }
  std::sort(values.begin(), values.end());
  CHECK(bits(sum_of(values)) == reference);
  std::reverse(values.begin(), values.end());
  CHECK(bits(sum_of(values)) == reference);
}

TEST_CASE("ExactSum merged from parts equals one pass", "[exact_sum]") {
  std::mt19937 rng(99);
  std::vector<double> values = varied_values(rng, 10000);
  const uint64_t one_pass = bits(sum_of(values));

  std::vector<ExactSum> parts(4);
  for (size_t i = 0; i < values.size(); ++i) parts[i % parts.size()].add(values[i]);

  ExactSum forward;
  for (const ExactSum& part : parts) forward.merge(part);
  CHECK(bits(forward.value()) == one_pass);

  ExactSum backward;
  for (auto it = parts.rbegin(); it != parts.rend(); ++it) backward.merge(*it);
  CHECK(bits(backward.value()) == one_pass);

  // Merging into a part that already holds values works too.
  ExactSum nested = parts[2];
  nested.merge(parts[0]);
  nested.merge(parts[3]);
  nested.merge(parts[1]);
  CHECK(bits(nested.value()) == one_pass);
}
