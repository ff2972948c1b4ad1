// json_writer: see json_writer.h. Numbers: the digits come from simdjson's Grisu2 (integer
// arithmetic, the same in every build) and are proven to be what the printf search would print by
// exact integer comparisons; only when they are not (about one ratio in 2,000) does the search run.
// libc's printf/strtod work in long double, which wasm emulates in software: the search cost ~4,000
// instructions per number natively and far more in wasm, on the serial path of every report.
#include "json_writer.h"

#include <simdjson.h>

#include <bit>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>

namespace kpilens {

namespace {

// A positive decimal 0.d₁d₂…d_L × 10^point with d₁ ≠ 0 and d_L ≠ 0 (L ≤ 17 for a double).
struct Decimal {
  char digits[24] = {};
  int length = 0;
  int point = 0;
};

// Grisu2's digits of a finite positive double. They always read back to it, but may be one digit
// longer than the shortest, or not the nearest decimal of their length.
Decimal grisu2_digits(double value) {
  char text[64];
  const char* const end = simdjson::internal::to_chars(text, text + sizeof text, value);
  Decimal d;
  int before_point = 0;  // digits written before the '.', leading zeros included
  bool seen_point = false;
  int leading_zeros = 0;
  const char* p = text;
  for (; p < end && *p != 'e'; ++p) {
    if (*p == '.') {
      seen_point = true;
      continue;
    }
    if (d.length == 0 && *p == '0') {
      ++leading_zeros;
    } else {
      d.digits[d.length++] = *p;
    }
    if (!seen_point) ++before_point;
  }
  int exponent = 0;
  if (p < end) std::from_chars(p + (p[1] == '+' ? 2 : 1), end, exponent);
  while (d.length > 0 && d.digits[d.length - 1] == '0') --d.length;
  d.point = before_point - leading_zeros + exponent;
  return d;
}

// `d` as printf's "%.{L}g" prints it (L = its length: no trailing zero to remove).
void write_like_printf_g(const Decimal& d, bool negative, std::string& out) {
  if (negative) out.push_back('-');
  const int x = d.point - 1;  // the exponent of d₁.d₂… × 10^x
  if (x < -4 || x >= d.length) {
    out.push_back(d.digits[0]);
    if (d.length > 1) {
      out.push_back('.');
      out.append(d.digits + 1, static_cast<size_t>(d.length - 1));
    }
    out.push_back('e');
    out.push_back(x < 0 ? '-' : '+');
    const int magnitude = x < 0 ? -x : x;
    if (magnitude < 10) out.push_back('0');
    char exponent[8];
    const auto written = std::to_chars(exponent, exponent + sizeof exponent, magnitude);
    out.append(exponent, written.ptr);
  } else if (x >= 0) {
    out.append(d.digits, static_cast<size_t>(x + 1));
    if (x + 1 < d.length) {
      out.push_back('.');
      out.append(d.digits + x + 1, static_cast<size_t>(d.length - x - 1));
    }
  } else {
    out += "0.";
    out.append(static_cast<size_t>(-x - 1), '0');
    out.append(d.digits, static_cast<size_t>(d.length));
  }
}

__extension__ typedef unsigned __int128 Uint128;  // GCC and Clang, natively and in wasm

// Compares a × 10^k with b × 2^s exactly (a, b > 0 and below 2^63): -1, 0 or 1, or nullopt when
// |k| > 27 (5^27 is the largest power of five below 2^63; a report's figures never come near).
std::optional<int> compare_decimal_binary(uint64_t a, int k, uint64_t b, int s) {
  if (k > 27 || k < -27) return std::nullopt;
  uint64_t five = 1;
  for (int i = 0; i < (k < 0 ? -k : k); ++i) five *= 5;
  // a × 5^k × 2^k against b × 2^s: the power of five moves to whichever side keeps it positive.
  Uint128 x = a, y = b;
  int x_shift = k, y_shift = s;
  if (k >= 0) {
    x *= five;
  } else {
    y *= five;
  }
  auto bits = [](Uint128 v) {
    const auto high = static_cast<uint64_t>(v >> 64);
    return high != 0 ? 128 - std::countl_zero(high)
                     : 64 - std::countl_zero(static_cast<uint64_t>(v));
  };
  const int x_top = bits(x) + x_shift, y_top = bits(y) + y_shift;
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

// A finite positive double as m × 2^q, and the bounds of the decimals that read back to it: a
// value strictly between them rounds to it, one at a bound too when m is even (ties go to the
// even significand).
struct Binary {
  uint64_t m = 0;
  int q = 0;
  uint64_t low = 0, high = 0;  // bounds (low × 2^bound_shift, high × 2^bound_shift)
  int bound_shift = 0;
};

Binary binary_of(double value) {
  uint64_t bits;  // std::bit_cast is missing from Emscripten 3.1.6's libc++
  std::memcpy(&bits, &value, sizeof bits);
  const uint64_t fraction = bits & ((uint64_t{1} << 52) - 1);
  const auto biased = static_cast<int>(bits >> 52);
  Binary b;
  b.m = biased == 0 ? fraction : fraction | (uint64_t{1} << 52);
  b.q = biased == 0 ? -1074 : biased - 1075;
  // Halfway to each neighbour; above a power of two the neighbour below is half as far.
  const bool closer_below = fraction == 0 && biased > 1;
  b.bound_shift = b.q - 2;
  b.low = closer_below ? 4 * b.m - 1 : 4 * b.m - 2;
  b.high = 4 * b.m + 2;
  return b;
}

// Whether digits × 10^k reads back to the double `b` describes; nullopt when not decidable here.
std::optional<bool> reads_back(uint64_t digits, int k, const Binary& b) {
  const auto above_low = compare_decimal_binary(digits, k, b.low, b.bound_shift);
  const auto below_high = compare_decimal_binary(digits, k, b.high, b.bound_shift);
  if (!above_low || !below_high) return std::nullopt;
  const bool ties_in = b.m % 2 == 0;
  return (*above_low > 0 || (*above_low == 0 && ties_in)) &&
         (*below_high < 0 || (*below_high == 0 && ties_in));
}

// The reference: the first precision from 1 up whose "%.{p}g" reads back.
std::string shortest_by_search(double value) {
  char buffer[40];
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buffer, sizeof buffer, "%.*g", precision, value);
    if (std::strtod(buffer, nullptr) == value) break;
  }
  return buffer;
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
  // Grisu2's digits G (L of them) read back to the value. They are what the reference prints
  // ("%.{p}g" for the smallest p that reads back) when (1) no decimal of L − 1 digits reads back:
  // the decimals that read back form an interval holding G, so if one did, one of the two around
  // G would; and (2) G is the nearest decimal of L digits, strictly (printf's "%.{L}g"). Both are
  // decided exactly in integers; else (a shorter decimal exists: about one ratio in 2,000; a tie;
  // an exponent out of range) the reference search decides.
  const double magnitude = std::fabs(value);
  const Decimal d = grisu2_digits(magnitude);
  uint64_t g = 0;
  for (int i = 0; i < d.length; ++i) g = g * 10 + static_cast<uint64_t>(d.digits[i] - '0');
  const int k = d.point - d.length;  // the value is about g × 10^k
  const Binary b = binary_of(magnitude);
  bool settled = true;
  if (d.length > 1) {
    const auto truncated = reads_back(g / 10, k + 1, b);
    const auto rounded_up = reads_back(g / 10 + 1, k + 1, b);
    settled = truncated && rounded_up && !*truncated && !*rounded_up;
  }
  if (settled) {
    // Strictly between the midpoints to the neighbouring L-digit decimals (twice the value is
    // m × 2^(q+1)); below 10^(L-1) (G = 1 × 10^k) the decimals are ten times as close.
    const bool power_of_ten = d.length == 1 && g == 1;
    const auto up = compare_decimal_binary(2 * g + 1, k, b.m, b.q + 1);
    const auto down = power_of_ten ? compare_decimal_binary(20 * g - 1, k - 1, b.m, b.q + 1)
                                   : compare_decimal_binary(2 * g - 1, k, b.m, b.q + 1);
    settled = up && down && *up > 0 && *down < 0;
  }
  if (!settled) return shortest_by_search(value);
  write_like_printf_g(d, value < 0, out);
  return out;
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
