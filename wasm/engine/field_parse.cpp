// field_parse: strict grammars first, so a value is never half-understood (e.g. "1,5" is rejected
// when '.' is the decimal separator rather than read as 15). Conversion is correctly rounded, as
// strtod's (read_decimal, decimal.h: the same code natively and in wasm, so both builds read every
// number to the same double); plain short numbers (nearly every cell) take an exact fast path that
// gives the same double without its cost.
#include "field_parse.h"

#include <cmath>
#include <cstdint>

#include "decimal.h"

namespace kpilens {

namespace {

char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

// parse_plain_number's work, inlined into parse_number (the row path reads most numbers here).
inline bool read_plain_number(std::string_view s, char decimal_separator, double& out) {
  // 10^0 … 10^22: every one an exact double.
  static constexpr double kPowersOfTen[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                            1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                            1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
  constexpr uint64_t kExactLimit = uint64_t{1} << 53;
  size_t i = 0;
  const bool negative = !s.empty() && s[0] == '-';
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) i = 1;
  // Unsigned arithmetic: more than 19 digits wraps, and is refused by the digit count below.
  uint64_t digits_value = 0;
  const size_t integer_start = i;
  while (i < s.size() && is_digit(s[i])) {
    digits_value = digits_value * 10 + static_cast<uint64_t>(s[i] - '0');
    ++i;
  }
  const size_t integer_digits = i - integer_start;
  if (integer_digits == 0) return false;
  size_t fraction_digits = 0;
  if (i < s.size()) {
    if (s[i] != decimal_separator) return false;
    const size_t fraction_start = ++i;
    while (i < s.size() && is_digit(s[i])) {
      digits_value = digits_value * 10 + static_cast<uint64_t>(s[i] - '0');
      ++i;
    }
    fraction_digits = i - fraction_start;
    if (fraction_digits == 0 || i != s.size()) return false;
  }
  if (integer_digits + fraction_digits > 19 || digits_value > kExactLimit) return false;
  // Clinger's fast path: an exact integer divided by an exact power of ten is one correctly
  // rounded operation, so this is the double strtod returns for the same text.
  double value = static_cast<double>(digits_value);
  if (fraction_digits > 0) value /= kPowersOfTen[fraction_digits];
  out = negative ? -value : value;
  return true;
}

bool strip_prefix(std::string_view& s, std::string_view prefix) {
  if (s.substr(0, prefix.size()) != prefix) return false;
  s.remove_prefix(prefix.size());
  return true;
}

bool is_ascii_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

// A non-breaking space (U+00A0, as UTF-8: spreadsheets put them around numbers) at text[i].
bool is_nbsp_at(std::string_view text, size_t i) {
  return static_cast<unsigned char>(text[i]) == 0xC2 &&
         static_cast<unsigned char>(text[i + 1]) == 0xA0;
}

}  // namespace

// Both kinds in any order ("\u00A0 7", " \u00A0 7 "): trimmed once, a cell is trimmed for good
// (a second trim, as the general date scanner makes, changes nothing). Never inlined: the wasm
// link's LTO inlined this version into trim's callers on the row path, which then took 143 more V8
// instructions a ticket (scripts/instructions, the weekly figures), though few cells come here.
[[gnu::noinline]] std::string_view trim_slow(std::string_view text) {
  size_t b = 0;
  size_t e = text.size();
  for (;;) {
    if (b < e && is_ascii_space(text[b])) {
      ++b;
    } else if (e - b >= 2 && is_nbsp_at(text, b)) {
      b += 2;
    } else {
      break;
    }
  }
  for (;;) {
    if (e > b && is_ascii_space(text[e - 1])) {
      --e;
    } else if (e - b >= 2 && is_nbsp_at(text, e - 2)) {
      e -= 2;
    } else {
      break;
    }
  }
  return text.substr(b, e - b);
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

std::optional<double> parse_plain_number(std::string_view s, char decimal_separator) {
  double value = 0;
  if (!read_plain_number(s, decimal_separator, value)) return std::nullopt;
  return value;
}

std::optional<double> parse_number_text(std::string_view text, char decimal_separator) {
  std::string_view s = trim(text);
  double value = 0;
  if (read_plain_number(s, decimal_separator, value)) return value;
  return parse_number_general(s, decimal_separator);
}

std::optional<double> parse_number_general(std::string_view text, char decimal_separator) {
  std::string_view s = trim(text);
  if (s.empty() || s.size() > 64) return std::nullopt;
  char buffer[80];
  size_t out = 0;
  if (s[0] == '-' || s[0] == '+') {
    if (s[0] == '-') buffer[out++] = '-';
    s.remove_prefix(1);
  }
  // Currency signs before the digits, percent after them: ignored.
  for (std::string_view sign : {"$", "\xE2\x82\xAC", "\xC2\xA3"}) {
    if (strip_prefix(s, sign)) break;
  }
  s = trim(s);
  if (!s.empty() && s.back() == '%') s = trim(s.substr(0, s.size() - 1));
  if (s.size() >= 3 && s.substr(s.size() - 3) == "\xE2\x82\xAC")
    s = trim(s.substr(0, s.size() - 3));
  if (s.empty()) return std::nullopt;

  const char group_a = decimal_separator == ',' ? '.' : ',';
  const char group_b = ' ';
  size_t i = 0;
  // Integer part, with optional thousands groups of exactly three digits.
  size_t digits = 0;
  size_t since_group = 0;
  bool grouped = false;
  while (i < s.size()) {
    char c = s[i];
    if (is_digit(c)) {
      buffer[out++] = c;
      ++digits;
      ++since_group;
      ++i;
    } else if ((c == group_a || c == group_b) && digits > 0 && i + 1 < s.size() &&
               is_digit(s[i + 1])) {
      if (grouped ? since_group != 3 : since_group > 3) return std::nullopt;
      grouped = true;
      since_group = 0;
      ++i;
    } else {
      break;
    }
  }
  if (grouped && since_group != 3) return std::nullopt;
  if (i < s.size() && s[i] == decimal_separator) {
    buffer[out++] = '.';
    ++i;
    size_t fraction = 0;
    while (i < s.size() && is_digit(s[i])) {
      buffer[out++] = s[i++];
      ++fraction;
    }
    if (digits == 0 && fraction == 0) return std::nullopt;
  } else if (digits == 0) {
    return std::nullopt;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    buffer[out++] = 'e';
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) buffer[out++] = s[i++];
    size_t exponent_digits = 0;
    while (i < s.size() && is_digit(s[i]) && exponent_digits < 4) {
      buffer[out++] = s[i++];
      ++exponent_digits;
    }
    if (exponent_digits == 0) return std::nullopt;
  }
  if (i != s.size()) return std::nullopt;
  // Grouped, signed or currency cells are plain once rewritten: the exact fast path first.
  const std::string_view plain(buffer, out);
  if (double value = 0; read_plain_number(plain, '.', value)) return value;
  return read_decimal(plain);
}

std::optional<bool> parse_bool(std::string_view text) {
  std::string_view s = trim(text);
  for (std::string_view yes : {"true", "yes", "y", "1", "t"}) {
    if (iequals(s, yes)) return true;
  }
  for (std::string_view no : {"false", "no", "n", "0", "f"}) {
    if (iequals(s, no)) return false;
  }
  return std::nullopt;
}

double minutes_per(DurationUnit unit) {
  switch (unit) {
    case DurationUnit::kMilliseconds:
      return 1.0 / 60000.0;
    case DurationUnit::kSeconds:
      return 1.0 / 60.0;
    case DurationUnit::kMinutes:
      return 1.0;
    case DurationUnit::kHours:
      return 60.0;
    case DurationUnit::kDays:
      return 1440.0;
  }
  return 1.0;
}

std::string_view unit_name(DurationUnit unit) {
  switch (unit) {
    case DurationUnit::kMilliseconds:
      return "milliseconds";
    case DurationUnit::kSeconds:
      return "seconds";
    case DurationUnit::kMinutes:
      return "minutes";
    case DurationUnit::kHours:
      return "hours";
    case DurationUnit::kDays:
      return "days";
  }
  return "minutes";
}

std::optional<double> parse_duration_minutes(std::string_view text, DurationUnit unit,
                                             char decimal_separator) {
  std::string_view s = trim(text);
  if (s.empty()) return std::nullopt;
  if (s.find(':') == std::string_view::npos) {
    auto value = parse_number(s, decimal_separator);
    if (!value) return std::nullopt;
    // Divide rather than multiply by a reciprocal where the unit is smaller than a minute: exact
    // for whole seconds that make whole minutes (120 s → 2 min).
    double minutes = unit == DurationUnit::kMilliseconds ? *value / 60000.0
                     : unit == DurationUnit::kSeconds    ? *value / 60.0
                                                         : *value * minutes_per(unit);
    if (!std::isfinite(minutes)) return std::nullopt;  // 1e308 hours overflows
    return minutes;
  }
  // [-]H:MM[:SS[.fff]] (Freshdesk "HH:MM:SS", Jira SLA "-1:30" = breached by 1 h 30 min).
  bool negative = false;
  if (s[0] == '-' || s[0] == '+') {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  double parts[3] = {0, 0, 0};
  int count = 0;
  size_t i = 0;
  while (count < 3) {
    size_t start = i;
    while (i < s.size() && is_digit(s[i])) ++i;
    if (i == start || i - start > 9) return std::nullopt;
    double value = 0;
    for (size_t k = start; k < i; ++k) value = value * 10 + (s[k] - '0');
    parts[count++] = value;
    if (i < s.size() && s[i] == ':') {
      ++i;
      continue;
    }
    break;
  }
  if (count < 2) return std::nullopt;
  double fraction = 0;
  if (count == 3 && i < s.size() && s[i] == '.') {
    ++i;
    double scale = 0.1;
    size_t start = i;
    while (i < s.size() && is_digit(s[i])) {
      fraction += (s[i] - '0') * scale;
      scale /= 10;
      ++i;
    }
    if (i == start) return std::nullopt;
  }
  if (i != s.size()) return std::nullopt;
  if (parts[1] >= 60 || (count == 3 && parts[2] >= 60)) return std::nullopt;
  double seconds = parts[0] * 3600 + parts[1] * 60 + parts[2] + fraction;
  double minutes = seconds / 60.0;
  return negative ? -minutes : minutes;
}

}  // namespace kpilens
