// decimal: decimal text to a double and a double to its exact decimal digits, both exact, without
// the C library. libc's strtod and printf work in long double, which wasm emulates in software:
// they brought ~21 KB of code into the page for the few numbers that need them (a cell with
// thousands separators or more digits than a double holds, a report's value below 1e-10 or above
// 1e44), took ~0.8 µs a cell there, and native and wasm builds used two libcs. Reading goes through
// simdjson's number parser (correctly rounded, as strtod is); the digits are worked out in
// integers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kpilens {

// An ASCII digit (whatever the locale: std::isdigit's answer depends on it).
inline bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// A finite double's magnitude as m × 2^q exactly (m < 2^53; a subnormal's q is −1074, as the
// smallest normal's). json_writer.cpp's shortest digits and exact_decimal start from it.
struct BinaryDouble {
  uint64_t m = 0;
  int q = 0;
};
BinaryDouble binary_of(double value);

// `text` as strtod reads it, rounded to the nearest double (ties to even), for text of the form
// -?D*(.D*)?([eE][+-]?D+)? with at least one digit before the exponent, of up to kMaxDecimalBytes
// bytes and up to 18 exponent digits (simdjson's limits; the engine's number cells have at most 64
// bytes and 4 exponent digits); nullopt for any other text and for a magnitude beyond the largest
// double (strtod's infinity). Underflow gives 0, as strtod.
inline constexpr size_t kMaxDecimalBytes = 1000;
std::optional<double> read_decimal(std::string_view text);

// The exact decimal expansion of a finite double > 0: its significant digits, without leading
// zeros, and the power of ten of the first (value = d1.d2d3… × 10^exponent). Up to 767 digits.
struct ExactDecimal {
  std::string digits;
  int exponent = 0;
};
ExactDecimal exact_decimal(double value);

// `value` in decimal, zero-padded on the left to `width` characters, the sign counted among them,
// as printf's "%0*lld" writes it ("%04lld" of 7 is "0007", of −7 "-007"). Writes at most
// max(width, 20) characters and no terminating NUL; returns past the last one.
char* write_zero_padded(char* out, int64_t value, int width);

}  // namespace kpilens
