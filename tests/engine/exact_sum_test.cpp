// exact_sum tests: the correctly rounded sum, checked against cases worked out by hand, an integer
// oracle and the previous implementation (Shewchuk's partials, kept here as the reference), and its
// independence from the order of adding and merging.
#include "exact_sum.h"

#include <algorithm>
#include <bit>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <utility>
#include <vector>

using kpilens::ExactSum;

namespace {

// The reference: ExactSum as it was before the superaccumulator (Shewchuk, "Adaptive Precision
// Floating-Point Arithmetic and Fast Robust Geometric Predicates", 1997; the final rounding as in
// CPython's math_fsum). Exact for finite values whose partial sums do not overflow.
class ShewchukSum {
 public:
  void add(double x) {
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

  void merge(const ShewchukSum& other) {
    for (double partial : other.partials_) add(partial);
  }

  double value() const {
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

 private:
  std::vector<double> partials_;
};

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

namespace {

double reference_sum(const std::vector<double>& values) {
  ShewchukSum sum;
  for (double v : values) sum.add(v);
  return sum.value();
}

// A finite double from random bits, its biased exponent at most `max_exponent` (so that 10,000 of
// them cannot overflow a partial sum of the reference).
double random_double(std::mt19937_64& rng, uint64_t max_exponent) {
  const uint64_t exponent = rng() % (max_exponent + 1);
  const uint64_t fraction = rng() & ((uint64_t{1} << 52) - 1);
  const uint64_t sign = rng() & 1;
  return std::bit_cast<double>(sign << 63 | exponent << 52 | fraction);
}

// Input families for the comparison with the reference.
std::vector<double> mixed_values(std::mt19937_64& rng, size_t count) {
  std::vector<double> values;
  for (size_t i = 0; i < count; ++i) values.push_back(random_double(rng, 2000));  // up to 2^977
  return values;
}

// Pairs x, −x (their sum cancels to 0 exactly) around a few survivors of small magnitude.
std::vector<double> cancelling_values(std::mt19937_64& rng, size_t count) {
  std::vector<double> values;
  for (size_t i = 0; i < count / 2; ++i) {
    const double x = random_double(rng, 1500);
    values.push_back(x);
    values.push_back(-x);
  }
  for (int i = 0; i < 5; ++i) values.push_back(random_double(rng, 1023));
  std::shuffle(values.begin(), values.end(), rng);
  return values;
}

// Huge and tiny, subnormals (biased exponent 0) and zeros of both signs.
std::vector<double> extreme_values(std::mt19937_64& rng, size_t count) {
  std::vector<double> values;
  for (size_t i = 0; i < count; ++i) {
    switch (rng() % 5) {
      case 0:
        values.push_back(random_double(rng, 0));
        break;  // subnormal or ±0
      case 1:
        values.push_back(std::ldexp(random_double(rng, 1023), 950));
        break;
      case 2:
        values.push_back(random_double(rng, 60));
        break;  // below 2^-963
      case 3:
        values.push_back(rng() & 1 ? 0.0 : -0.0);
        break;
      default:
        values.push_back(random_double(rng, 2046 - 30));
        break;
    }
  }
  return values;
}

// x plus exactly half an ulp of x, in pieces of falling magnitude, sometimes with a tiny nudge up
// or down: the exact sum is a tie (ties to even) or just beside one.
std::vector<double> halfway_values(std::mt19937_64& rng) {
  double x = random_double(rng, 2000);
  if (std::fabs(x) < 0x1p-900) x = 1.0;  // keeps half an ulp well above the subnormals
  const double ulp = std::nextafter(std::fabs(x), INFINITY) - std::fabs(x);
  double half = std::copysign(ulp / 2, x);
  std::vector<double> values{x};
  const int pieces = static_cast<int>(rng() % 4);
  for (int i = 0; i < pieces; ++i) {
    values.push_back(half / 2);  // exact: half is a power of two well above the subnormals
    half /= 2;
  }
  values.push_back(half);
  switch (rng() % 3) {
    case 0:
      values.push_back(std::ldexp(std::copysign(1.0, x), -1074));
      break;
    case 1:
      values.push_back(std::ldexp(-std::copysign(1.0, x), -1074));
      break;
    default:
      break;
  }
  std::shuffle(values.begin(), values.end(), rng);
  return values;
}

}  // namespace

TEST_CASE("ExactSum equals Shewchuk's partials on random inputs, in one pass and merged",
          "[exact_sum]") {
  std::mt19937_64 rng(2024);
  for (int round = 0; round < 200; ++round) {
    std::vector<double> values;
    switch (round % 4) {
      case 0:
        values = mixed_values(rng, 1 + rng() % 3000);
        break;
      case 1:
        values = cancelling_values(rng, 2 + rng() % 3000);
        break;
      case 2:
        values = extreme_values(rng, 1 + rng() % 3000);
        break;
      default:
        values = halfway_values(rng);
        break;
    }
    const uint64_t expected = bits(reference_sum(values));
    INFO("round " << round << ", " << values.size() << " values");
    CHECK(bits(sum_of(values)) == expected);

    // The same values spread over 1–5 parts, merged in a shuffled order.
    std::vector<ExactSum> parts(1 + rng() % 5);
    for (double v : values) parts[rng() % parts.size()].add(v);
    std::shuffle(parts.begin(), parts.end(), rng);
    ExactSum merged;
    for (const ExactSum& part : parts) merged.merge(part);
    CHECK(bits(merged.value()) == expected);
  }
}

TEST_CASE("ExactSum carries correctly over many adds of the largest magnitudes", "[exact_sum]") {
  // 50,000 adds pass the carry interval (2,047 adds) many times; each limb then holds its most.
  std::vector<double> values(50000, std::numeric_limits<double>::max() / 1048576);
  for (size_t i = 0; i < values.size(); i += 2) values[i] = -std::ldexp(1.0, 1000);
  CHECK(bits(sum_of(values)) == bits(reference_sum(values)));
  std::vector<double> tiny(50000, -std::numeric_limits<double>::denorm_min());
  CHECK(sum_of(tiny) == -50000 * std::numeric_limits<double>::denorm_min());
}

TEST_CASE("ExactSum keeps the sign of zero as IEEE addition does", "[exact_sum]") {
  // Only −0 added: −0. A +0, or values that cancel, give +0; so does nothing.
  CHECK(std::signbit(sum_of({-0.0, -0.0})));
  CHECK_FALSE(std::signbit(sum_of({-0.0, 0.0})));
  CHECK_FALSE(std::signbit(sum_of({2.5, -2.5})));
  CHECK_FALSE(std::signbit(sum_of({-0.0, 1.0, -1.0})));
  CHECK_FALSE(std::signbit(ExactSum{}.value()));
  ExactSum negative_zero;
  negative_zero.add(-0.0);
  ExactSum empty;
  empty.merge(negative_zero);
  CHECK(std::signbit(empty.value()));
  negative_zero.merge(ExactSum{});
  CHECK(std::signbit(negative_zero.value()));
}

TEST_CASE("ExactSum rounds a sum past the largest double to infinity", "[exact_sum]") {
  const double max = std::numeric_limits<double>::max();  // (2 − 2^-52) × 2^1023
  const double half_ulp = std::ldexp(1.0, 970);           // ulp(max) = 2^971
  CHECK(sum_of({max, max}) == INFINITY);
  CHECK(sum_of({-max, -max}) == -INFINITY);
  CHECK(sum_of({max, max, -max}) == max);
  // max + 2^970 is half-way between max and 2^1024; max's significand is odd, so ties to even
  // round up, to infinity. Anything less stays at max.
  CHECK(sum_of({max, half_ulp}) == INFINITY);
  CHECK(sum_of({max, half_ulp, -std::numeric_limits<double>::denorm_min()}) == max);
}

TEST_CASE("ExactSum of infinities and NaN follows IEEE addition", "[exact_sum]") {
  CHECK(sum_of({INFINITY, 1.0, -1e308}) == INFINITY);
  CHECK(sum_of({-INFINITY, 5.0}) == -INFINITY);
  CHECK(std::isnan(sum_of({INFINITY, -INFINITY})));
  CHECK(std::isnan(sum_of({1.0, std::numeric_limits<double>::quiet_NaN()})));
}

TEST_CASE("ExactSum adds a value taken apart beforehand as it adds the value", "[exact_sum]") {
  // Addend: a duration taken apart once for the several groups a ticket row feeds.
  constexpr double kInf = std::numeric_limits<double>::infinity();
  const std::vector<double> values{
      1.0,       -2.5,       0.1,       1e300, -1e-300,
      0x1p-1074, -0x1p-1074, 0x1p-1022, 0.0,   -0.0,
      3600.0,    1e16,       kInf,      -kInf, std::numeric_limits<double>::quiet_NaN()};
  for (size_t end = 1; end <= values.size(); ++end) {
    ExactSum plain, parts;
    for (size_t i = 0; i < end; ++i) {
      plain.add(values[i]);
      parts.add(ExactSum::Addend(values[i]));
    }
    INFO("the first " << end << " values");
    CHECK(std::bit_cast<uint64_t>(parts.value()) == std::bit_cast<uint64_t>(plain.value()));
  }
  ExactSum only_negative_zero;
  only_negative_zero.add(ExactSum::Addend(-0.0));
  CHECK(std::signbit(only_negative_zero.value()));
}
