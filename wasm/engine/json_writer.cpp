// json_writer: see json_writer.h. Numbers: "%.{p}g" for the smallest p that reads back is computed
// in integers, exactly as printf and strtod would decide it (one 128-bit division, then per p a
// rounding and two exact comparisons); only values out of the 128-bit integers' range (below 1e-10
// or above 1e44, never a report's ratio or duration) take the longer way: their exact decimal
// expansion, rounded to each p in turn and read back (decimal.h). libc's printf/strtod, which this
// once called for them, work in long double, which wasm emulates in software: the search cost
// ~20,000 instructions per fraction natively and far more in wasm, and, with strtod's reading,
// ~21 KB of the page's code (docs/architecture.md, "Numbers without the C library").
#include "json_writer.h"

#include <bit>
#include <charconv>
#include <cmath>
#include <optional>

#include "decimal.h"

namespace kpilens {

namespace {

__extension__ typedef unsigned __int128 Uint128;  // GCC and Clang, natively and in wasm

// 5^27 is the largest power of five below 2^63.
constexpr int kMaxPowerOfFive = 27;

uint64_t power_of_five(int n) {
  uint64_t five = 1;
  for (int i = 0; i < n; ++i) five *= 5;
  return five;
}

uint64_t power_of_ten(int n) {
  uint64_t ten = 1;
  for (int i = 0; i < n; ++i) ten *= 10;
  return ten;
}

int bit_length(Uint128 v) {
  const auto high = static_cast<uint64_t>(v >> 64);
  return high != 0 ? 128 - std::countl_zero(high) : 64 - std::countl_zero(static_cast<uint64_t>(v));
}

// Compares a × 10^k with b × 2^s exactly (a, b > 0 and below 2^63): -1, 0 or 1, or nullopt when
// |k| > 27.
std::optional<int> compare_decimal_binary(uint64_t a, int k, uint64_t b, int s) {
  if (k > kMaxPowerOfFive || k < -kMaxPowerOfFive) return std::nullopt;
  // a × 5^k × 2^k against b × 2^s: the power of five goes to whichever side keeps it positive.
  Uint128 x = a, y = b;
  const int x_shift = k, y_shift = s;
  if (k >= 0) {
    x *= power_of_five(k);
  } else {
    y *= power_of_five(-k);
  }
  const int x_top = bit_length(x) + x_shift, y_top = bit_length(y) + y_shift;
  if (x_top != y_top) return x_top < y_top ? -1 : 1;
  // The same leading bit: shifting the side with the larger exponent brings it to the other's
  // length, under 122 bits.
  if (x_shift > y_shift) {
    x <<= x_shift - y_shift;
  } else {
    y <<= y_shift - x_shift;
  }
  return x < y ? -1 : (x > y ? 1 : 0);
}

// A finite positive double as m × 2^q, and the bounds of the decimals that read back to it (strtod
// rounds to nearest, ties to even): a value strictly between them rounds to it, one at a bound too
// when m is even.
struct Binary {
  uint64_t m = 0;
  int q = 0;
  uint64_t low = 0, high = 0;  // the bounds are low × 2^(q − 2) and high × 2^(q − 2)
};

Binary bounds_of(double value) {
  const auto [m, q] = binary_of(value);  // decimal.h
  Binary b;
  b.m = m;
  b.q = q;
  // Halfway to each neighbour; above a power of two the neighbour below is half as far (not above
  // the smallest normal double, whose neighbour below is a subnormal as far as the one above).
  const bool closer_below = m == uint64_t{1} << 52 && q > -1074;
  b.low = closer_below ? 4 * b.m - 1 : 4 * b.m - 2;
  b.high = 4 * b.m + 2;
  return b;
}

// Whether digits × 10^k reads back to the double `b` describes; nullopt when out of range.
std::optional<bool> reads_back(uint64_t digits, int k, const Binary& b) {
  const auto above_low = compare_decimal_binary(digits, k, b.low, b.q - 2);
  const auto below_high = compare_decimal_binary(digits, k, b.high, b.q - 2);
  if (!above_low || !below_high) return std::nullopt;
  const bool ties_in = b.m % 2 == 0;
  return (*above_low > 0 || (*above_low == 0 && ties_in)) &&
         (*below_high < 0 || (*below_high == 0 && ties_in));
}

// ⌊v / 10^k⌋ for v = m × 2^q, and whether anything was cut off; nullopt when out of range.
struct Truncated {
  uint64_t digits = 0;
  bool inexact = false;
};

std::optional<Truncated> truncate_scaled(const Binary& b, int k) {
  if (k > kMaxPowerOfFive || k < -kMaxPowerOfFive) return std::nullopt;
  // v / 10^k = m × 5^-k × 2^(q − k).
  const int shift = b.q - k;
  Uint128 n = b.m;
  Uint128 divisor = 1;
  if (k <= 0) {
    n *= power_of_five(-k);
  } else {
    divisor = power_of_five(k);
  }
  if (shift >= 0) {
    if (bit_length(n) + shift > 127) return std::nullopt;
    n <<= shift;
    return Truncated{static_cast<uint64_t>(n / divisor), n % divisor != 0};
  }
  const Uint128 quotient = n / divisor;
  const bool cut = n % divisor != 0;
  if (-shift >= 128) return Truncated{0, cut || quotient != 0};
  const Uint128 kept = quotient >> -shift;
  return Truncated{static_cast<uint64_t>(kept), cut || (kept << -shift) != quotient};
}

// The decimal `digits` × 10^(exponent − precision + 1) (digits of `precision` digits) as printf's
// "%.{precision}g" prints it: exponent style below 10^-4 and from 10^precision on, trailing zeros
// removed.
void write_like_printf_g(uint64_t digits, int precision, int exponent, bool negative,
                         std::string& out) {
  char text[24];
  const auto written = std::to_chars(text, text + sizeof text, digits);
  int length = static_cast<int>(written.ptr - text);
  while (length > 1 && text[length - 1] == '0') --length;
  if (negative) out.push_back('-');
  if (exponent < -4 || exponent >= precision) {
    out.push_back(text[0]);
    if (length > 1) {
      out.push_back('.');
      out.append(text + 1, static_cast<size_t>(length - 1));
    }
    out.push_back('e');
    out.push_back(exponent < 0 ? '-' : '+');
    const int magnitude = exponent < 0 ? -exponent : exponent;
    if (magnitude < 10) out.push_back('0');
    char digits_of_exponent[8];
    const auto end = std::to_chars(digits_of_exponent, digits_of_exponent + 8, magnitude);
    out.append(digits_of_exponent, end.ptr);
  } else if (exponent >= 0) {
    const int whole = exponent + 1;
    if (whole >= length) {
      out.append(text, static_cast<size_t>(length));
      out.append(static_cast<size_t>(whole - length), '0');
    } else {
      out.append(text, static_cast<size_t>(whole));
      out.push_back('.');
      out.append(text + whole, static_cast<size_t>(length - whole));
    }
  } else {
    out += "0.";
    out.append(static_cast<size_t>(-exponent - 1), '0');
    out.append(text, static_cast<size_t>(length));
  }
}

// The reference, the first precision from 1 up whose "%.{p}g" reads back, for any finite value:
// its exact digits rounded to each precision in turn as printf rounds them (to nearest, ties to
// even), until the rounding reads back. 17 digits always do.
std::string shortest_from_exact_digits(double value) {
  const double magnitude = std::fabs(value);
  const ExactDecimal exact = exact_decimal(magnitude);
  const std::string& all = exact.digits;
  std::string out;
  for (int precision = 1; precision <= 17; ++precision) {
    const auto kept = static_cast<size_t>(precision);
    uint64_t digits = 0;
    for (size_t i = 0; i < kept; ++i) {
      digits = digits * 10 + (i < all.size() ? static_cast<uint64_t>(all[i] - '0') : 0);
    }
    if (kept < all.size()) {
      const char next = all[kept];
      const bool more = all.find_first_not_of('0', kept + 1) != std::string::npos;
      if (next > '5' || (next == '5' && (more || digits % 2 == 1))) ++digits;
    }
    int exponent = exact.exponent;
    if (digits == power_of_ten(precision)) {  // 9.99… rounded up to 10.0…
      digits /= 10;
      ++exponent;
    }
    out.clear();
    write_like_printf_g(digits, precision, exponent, false, out);
    if (read_decimal(out) == magnitude) break;
  }
  if (value < 0) out.insert(out.begin(), '-');
  return out;
}

// The reference's result computed in integers, or false when out of range.
bool shortest_in_integers(double value, std::string& out) {
  const Binary b = bounds_of(std::fabs(value));
  // The decimal exponent x (10^x ≤ v < 10^(x+1)) from the binary one, then corrected: v's 18
  // leading digits T = ⌊v / 10^(x − 17)⌋ must lie in [10^17, 10^18).
  const int binary_exponent = b.q + bit_length(b.m) - 1;
  int x = static_cast<int>(std::floor(binary_exponent * 0.30102999566398120));
  std::optional<Truncated> t;
  for (int attempt = 0; attempt < 3; ++attempt) {
    t = truncate_scaled(b, x - 17);
    if (!t) return false;
    if (t->digits >= power_of_ten(18)) {
      ++x;
    } else if (t->digits < power_of_ten(17)) {
      --x;
    } else {
      break;
    }
  }
  if (t->digits < power_of_ten(17) || t->digits >= power_of_ten(18)) return false;
  // "%.{p}g" rounds the exact value to p digits, to nearest with ties to even (the 18th digit
  // and everything cut off after it decide); the first p whose rounding reads back is printed.
  for (int precision = 1; precision <= 17; ++precision) {
    const uint64_t unit = power_of_ten(18 - precision);
    uint64_t digits = t->digits / unit;
    const uint64_t rest = t->digits % unit, half = unit / 2;
    if (rest > half || (rest == half && (t->inexact || digits % 2 == 1))) ++digits;
    int exponent = x;
    if (digits == power_of_ten(precision)) {  // 9.99… rounded up to 10.0…
      digits /= 10;
      ++exponent;
    }
    const auto back = reads_back(digits, exponent - precision + 1, b);
    if (!back) return false;
    if (*back) {
      write_like_printf_g(digits, precision, exponent, value < 0, out);
      return true;
    }
  }
  return false;
}

}  // namespace

std::string format_number(double value) {
  if (!std::isfinite(value)) return "null";
  if (value == 0) return "0";  // also -0
  std::string out;
  if (std::fabs(value) < 9007199254740992.0 && value == std::trunc(value)) {
    char buffer[24];
    const auto written = std::to_chars(buffer, buffer + sizeof buffer, static_cast<int64_t>(value));
    out.assign(buffer, written.ptr);
    return out;
  }
  if (shortest_in_integers(value, out)) return out;
  return shortest_from_exact_digits(value);
}

void JsonWriter::separator() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (!first_.empty()) {
    if (!first_.back()) out_.push_back(',');
    first_.back() = false;
  }
}

void JsonWriter::begin_object() {
  separator();
  out_.push_back('{');
  first_.push_back(true);
}

void JsonWriter::end_object() {
  out_.push_back('}');
  first_.pop_back();
}

void JsonWriter::begin_array() {
  separator();
  out_.push_back('[');
  first_.push_back(true);
}

void JsonWriter::end_array() {
  out_.push_back(']');
  first_.pop_back();
}

void JsonWriter::key(std::string_view name) {
  string(name);
  out_.push_back(':');
  after_key_ = true;
}

void JsonWriter::string(std::string_view text) {
  separator();
  static constexpr char kHex[] = "0123456789abcdef";
  out_.push_back('"');
  size_t i = 0;
  while (i < text.size()) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      switch (c) {
        case '"':
          out_ += "\\\"";
          break;
        case '\\':
          out_ += "\\\\";
          break;
        case '\n':
          out_ += "\\n";
          break;
        case '\r':
          out_ += "\\r";
          break;
        case '\t':
          out_ += "\\t";
          break;
        default:
          if (c < 0x20 || c == 0x7f) {
            out_ += "\\u00";
            out_.push_back(kHex[c >> 4]);
            out_.push_back(kHex[c & 15]);
          } else {
            out_.push_back(static_cast<char>(c));
          }
      }
      ++i;
      continue;
    }
    // Validate one UTF-8 sequence (no overlongs, no surrogates, ≤ U+10FFFF).
    size_t length = 0;
    uint32_t min = 0;
    uint32_t code = 0;
    if (c >= 0xC2 && c <= 0xDF) {
      length = 2;
      code = c & 0x1F;
      min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
      length = 3;
      code = c & 0x0F;
      min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
      length = 4;
      code = c & 0x07;
      min = 0x10000;
    }
    bool valid = length > 0 && i + length <= text.size();
    for (size_t k = 1; valid && k < length; ++k) {
      unsigned char next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) {
        valid = false;
      } else {
        code = (code << 6) | (next & 0x3F);
      }
    }
    if (valid && (code < min || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF))) {
      valid = false;
    }
    if (valid) {
      out_.append(text.substr(i, length));
      i += length;
    } else {
      out_ += "\xEF\xBF\xBD";
      ++i;
    }
  }
  out_.push_back('"');
}

void JsonWriter::number(double value) {
  separator();
  out_ += format_number(value);
}

void JsonWriter::number(std::optional<double> value) {
  if (value) {
    number(*value);
  } else {
    null();
  }
}

void JsonWriter::integer(int64_t value) {
  separator();
  out_ += std::to_string(value);
}

void JsonWriter::integer(uint64_t value) {
  separator();
  out_ += std::to_string(value);
}

void JsonWriter::boolean(bool value) {
  separator();
  out_ += value ? "true" : "false";
}

void JsonWriter::null() {
  separator();
  out_ += "null";
}

}  // namespace kpilens
