// field_parse: text cells → typed values (numbers, booleans, durations). Errors are values: nullopt
// means "not understood"; an empty or blank cell is "missing", which callers tell apart with
// is_blank().
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string_view>

namespace kpilens {

enum class DurationUnit { kMilliseconds, kSeconds, kMinutes, kHours, kDays };

// Spaces, tabs, CR, LF and non-breaking spaces (U+00A0) off both ends. Inline: the row path calls
// it several times per cell, and nearly every cell starts and ends with something else.
std::string_view trim_slow(std::string_view text);
inline std::string_view trim(std::string_view text) {
  if (text.empty()) return text;
  const auto front = static_cast<unsigned char>(text.front());
  const auto back = static_cast<unsigned char>(text.back());
  // Every byte trimmed is ≤ ' ', or 0xC2 first / 0xA0 last (a non-breaking space).
  if (front > ' ' && front != 0xC2 && back > ' ' && back != 0xA0) return text;
  return trim_slow(text);
}
inline bool is_blank(std::string_view text) {
  return trim(text).empty();
}
// ASCII case-insensitive equality.
bool iequals(std::string_view a, std::string_view b);

// A text of 1 to 8 bytes as one integer that, with the length, is the text: 8 bytes as they are
// (little-endian), 4 to 7 as two overlapping halves, fewer as their first, middle and last bytes.
// Compares short cells without a byte loop (memcmp would be a call in wasm).
inline uint64_t pack_short(std::string_view text) {
  const char* p = text.data();
  const size_t n = text.size();
  uint64_t word = 0;
  if (n >= 8) {
    std::memcpy(&word, p, 8);
  } else if (n >= 4) {
    uint32_t first = 0, last = 0;
    std::memcpy(&first, p, 4);
    std::memcpy(&last, p + n - 4, 4);
    word = first | uint64_t{last} << 32;
  } else if (n > 0) {
    word = uint64_t{static_cast<unsigned char>(p[0])} |
           uint64_t{static_cast<unsigned char>(p[n / 2])} << 8 |
           uint64_t{static_cast<unsigned char>(p[n - 1])} << 16;
  }
  return word;
}
// The eight bytes of `word` in ASCII lower case, at once: each byte 'A'…'Z' gains bit 5. A byte's
// low seven bits plus 0x3F reach bit 7 from 'A' on, plus 0x25 from 'Z' + 1 on (no carry leaves a
// byte); bytes ≥ 0x80 are left alone.
inline uint64_t ascii_lower_word(uint64_t word) {
  constexpr uint64_t kHigh = 0x8080808080808080, kLow7 = 0x7F7F7F7F7F7F7F7F;
  const uint64_t low7 = word & kLow7;
  const uint64_t upper = (low7 + 0x3F3F3F3F3F3F3F3F) & ~(low7 + 0x2525252525252525) & ~word & kHigh;
  return word | upper >> 2;
}

// Decimal numbers: optional sign, digits with optional thousands grouping (',' or ' ' or '.' when
// the decimal separator is ','), a fraction, an exponent; a leading currency sign ($ € £) or a
// trailing % is allowed and ignored. `decimal_separator` is '.' or ','. Rejects NaN, infinities,
// hex.
std::optional<double> parse_number_text(std::string_view text, char decimal_separator);
// A cell of one or two ASCII digits as its value (0–99), else −1: parse_number's inline path, which
// the row path also takes on its own for most counts (replies, reopens) and CSAT scores, before
// trimming or checking them.
inline int small_whole(std::string_view cell) {
  if (cell.size() - 1 >= 2) return -1;  // (an empty cell wraps to the maximum)
  const unsigned first = static_cast<unsigned>(static_cast<unsigned char>(cell[0])) - '0';
  const unsigned last = static_cast<unsigned>(static_cast<unsigned char>(cell.back())) - '0';
  if (first > 9 || last > 9) return -1;
  return static_cast<int>(cell.size() == 1 ? first : first * 10 + last);
}
// Inline: a cell of one or two digits (counts, scores, ratings: most numeric cells of an export)
// is read here, without a call; anything else goes to parse_number_text. Same result either way.
inline std::optional<double> parse_number(std::string_view text, char decimal_separator = '.') {
  if (const int small = small_whole(text); small >= 0) return small;
  return parse_number_text(text, decimal_separator);
}
// The same grammar always through strtod, without parse_number's fast path: the reference that
// path is tested against.
std::optional<double> parse_number_general(std::string_view text, char decimal_separator = '.');
// parse_number's fast path alone, for already trimmed text: [-+]digits[<separator>digits] when the
// digits are an integer ≤ 2^53 (at most 19 of them), read exactly; nullopt when it does not apply
// (the general grammar then decides).
std::optional<double> parse_plain_number(std::string_view trimmed, char decimal_separator);

// v == std::floor(v), without the libm call std::floor is on x86-64 without SSE4.1: every double of
// magnitude 2^52 or more is whole, and below that a conversion to int64_t truncates exactly.
inline bool is_whole(double v) {
  constexpr double kAllWhole = 4503599627370496.0;  // 2^52
  return std::fabs(v) < kAllWhole ? v == static_cast<double>(static_cast<int64_t>(v)) : v == v;
}

// yes/no, true/false, y/n, 1/0, t/f (any case).
std::optional<bool> parse_bool(std::string_view text);

// A duration cell in minutes: a number in `unit`, or [-]H:MM[:SS[.fff]] (whatever the unit).
std::optional<double> parse_duration_minutes(std::string_view text, DurationUnit unit,
                                             char decimal_separator = '.');

double minutes_per(DurationUnit unit);
std::string_view unit_name(DurationUnit unit);

}  // namespace kpilens
