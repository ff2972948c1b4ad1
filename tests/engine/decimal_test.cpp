// decimal tests: read_decimal against the C library's strtod (correctly rounded in glibc, which the
// native tests link), exact_decimal against printf's exact digits, write_zero_padded against
// printf's "%0*lld". The engine no longer calls the C library for these; the tests keep it as the
// reference.
#include "decimal.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <random>
#include <string>

namespace {

using kpilens::exact_decimal;
using kpilens::read_decimal;
using kpilens::write_zero_padded;

// Bit for bit (the sign of zero too), or both absent.
bool same(std::optional<double> a, std::optional<double> b) {
  if (!a || !b) return !a && !b;
  return std::memcmp(&*a, &*b, sizeof(double)) == 0;
}

// What the engine's number grammar hands read_decimal: a sign, digits with a point anywhere (or
// none, or at either end), leading zeros, an exponent of up to four digits with or without a sign.
std::string random_decimal(std::mt19937_64& random) {
  auto pick = [&random](uint64_t n) { return random() % n; };
  std::string s;
  if (pick(2) == 0) s += '-';
  const size_t digits = 1 + pick(pick(4) == 0 ? 60 : 20);
  const size_t point = pick(digits + 2);  // digits + 1: no point
  for (size_t i = 0; i < digits; ++i) {
    if (i == point) s += '.';
    // Zeros often: leading zeros, numbers at the exact fast path's edge, long runs.
    s += static_cast<char>('0' + (pick(3) == 0 ? 0 : pick(10)));
  }
  if (point == digits) s += '.';
  if (pick(2) == 0) {
    s += pick(2) == 0 ? 'e' : 'E';
    if (pick(3) != 0) s += pick(2) == 0 ? '-' : '+';
    const int exponent = static_cast<int>(pick(pick(3) == 0 ? 10000 : 400));
    char text[8];
    std::snprintf(text, sizeof text, pick(4) == 0 ? "%04d" : "%d", exponent);
    s += text;
  }
  return s;
}

// strtod's reading, absent past the largest double (its infinity), as read_decimal says.
std::optional<double> by_strtod(const std::string& s) {
  const double value = std::strtod(s.c_str(), nullptr);
  if (!std::isfinite(value)) return std::nullopt;
  return value;
}

}  // namespace

TEST_CASE("read_decimal reads random decimals exactly as strtod does", "[decimal]") {
  std::mt19937_64 random(20261207);
  int overflowed = 0, underflowed = 0;
  for (int n = 0; n < 300000; ++n) {
    const std::string s = random_decimal(random);
    const auto expected = by_strtod(s);
    if (!same(read_decimal(s), expected)) FAIL("'" << s << "' is read differently from strtod");
    overflowed += !expected;
    underflowed +=
        expected && *expected == 0 && s.find_first_of("123456789") < s.find_first_of("eE");
  }
  // Both ends of the range were reached.
  CHECK(overflowed > 1000);
  CHECK(underflowed > 1000);
}

TEST_CASE("read_decimal rounds the hard cases as strtod does", "[decimal]") {
  for (const char* s :
       {"9007199254740993",         // 2^53 + 1: ties to even, down
        "9007199254740995",         // ties to even, up
        "2.4703282292062327e-324",  // just below half the least subnormal: 0
        "2.4703282292062328e-324",  // just above: the least subnormal
        "4.9406564584124654e-324",
        "2.2250738585072011e-308",
        "2.2250738585072014e-308",
        "1.7976931348623157e308",
        "1.7976931348623158e308",  // the largest double
        "1.7976931348623159e308",  // past it: infinity
        "0.1",
        "0.30000000000000004",
        "1e23",
        "8.98846567431158e307",
        "-0",
        "-0.0e5",
        "0e9999",
        "1e-9999",
        "123456789012345678901234567890123456789012345678901234567890",
        "0.000000000000000000000000000000000000000000000000000000000000000000000000001",
        "007",
        "007.",
        ".5",
        "5.",
        "1E+0005"}) {
    INFO(s);
    CHECK(same(read_decimal(s), by_strtod(s)));
  }
}

TEST_CASE("read_decimal takes up to 1,000 bytes and 18 exponent digits, and refuses more",
          "[decimal]") {
  // simdjson's limits, made read_decimal's own (strtod would read these).
  const std::string zeros(kpilens::kMaxDecimalBytes - 2, '0');
  CHECK(same(read_decimal("1." + zeros), 1.0));
  CHECK_FALSE(read_decimal("1." + zeros + "0"));
  CHECK(same(read_decimal("1e000000000000000001"), 10.0));  // 18 digits
  CHECK_FALSE(read_decimal("1e0000000000000000001"));       // 19
}

TEST_CASE("read_decimal refuses what is not a decimal", "[decimal]") {
  for (const char* s : {"",   "-",  ".",  "-.", "e5",  ".e5",  "1e",  "1e+", "1e-",   "1.5.2",
                        "+1", "1x", " 1", "1 ", "1,5", "0x10", "inf", "nan", "1e5e5", "--1"}) {
    INFO("'" << s << "'");
    CHECK_FALSE(read_decimal(s));
  }
}

TEST_CASE("exact_decimal gives every digit of a double, as printf does", "[decimal]") {
  // glibc's printf writes a double's exact decimal expansion when asked for enough digits (767
  // significant digits at most, for the least subnormals); trailing zeros say nothing.
  auto trimmed = [](std::string digits) {
    while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
    return digits;
  };
  std::mt19937_64 random(5);
  std::vector<double> values = {5e-324,
                                2.2250738585072014e-308,
                                1.7976931348623157e308,
                                0.1,
                                1.0,
                                2.0,
                                0.5,
                                1e22,
                                1e23,
                                9007199254740993.0,
                                123.456};
  for (int n = 0; n < 20000; ++n) {
    uint64_t bits = random() & ~(uint64_t{1} << 63);
    double value;
    std::memcpy(&value, &bits, sizeof value);
    if (std::isfinite(value) && value > 0) values.push_back(value);
  }
  std::vector<char> text(1200);
  for (double value : values) {
    std::snprintf(text.data(), text.size(), "%.800e", value);
    const std::string printed(text.data());
    const size_t e = printed.find('e');
    const std::string digits = printed.substr(0, 1) + printed.substr(2, e - 2);
    const int exponent = std::atoi(printed.c_str() + e + 1);
    const auto exact = exact_decimal(value);
    INFO(printed.substr(0, 30));
    REQUIRE(exact.digits.front() != '0');
    REQUIRE(trimmed(exact.digits) == trimmed(digits));
    REQUIRE(exact.exponent == exponent);
  }
}

TEST_CASE("write_zero_padded writes as printf's %0*lld", "[decimal]") {
  std::vector<int64_t> values = {0,
                                 1,
                                 -1,
                                 7,
                                 -7,
                                 99,
                                 -99,
                                 999,
                                 -999,
                                 2024,
                                 -2024,
                                 10000,
                                 -10000,
                                 123456789,
                                 std::numeric_limits<int64_t>::max(),
                                 std::numeric_limits<int64_t>::min()};
  for (int64_t v = -1100; v <= 1100; v += 7) values.push_back(v);
  for (int64_t value : values) {
    for (int width : {1, 2, 4, 6}) {
      char expected[40];
      std::snprintf(expected, sizeof expected, "%0*lld", width, static_cast<long long>(value));
      char got[40];
      char* end = write_zero_padded(got, value, width);
      INFO(value << " in " << width);
      CHECK(std::string(got, end) == expected);
    }
  }
}
