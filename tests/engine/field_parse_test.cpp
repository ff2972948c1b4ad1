// field_parse tests: numbers (separators, grouping, currency, percent, exponents, what is refused),
// booleans, and duration cells in every unit and clock form.
#include "field_parse.h"

#include <algorithm>
#include <bit>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

using kpilens::DurationUnit;
using kpilens::parse_bool;
using kpilens::parse_duration_minutes;
using kpilens::parse_number;

TEST_CASE("parse_number reads plain decimals", "[field_parse]") {
  CHECK(parse_number("42") == 42.0);
  CHECK(parse_number("-3.25") == -3.25);
  CHECK(parse_number("+7") == 7.0);
  CHECK(parse_number(".5") == 0.5);
  CHECK(parse_number("5.") == 5.0);
  CHECK(parse_number("0") == 0.0);
}

TEST_CASE("parse_number reads a decimal comma when the separator is a comma", "[field_parse]") {
  CHECK(parse_number("1,5", ',') == 1.5);
  CHECK(parse_number("-0,25", ',') == -0.25);
  CHECK(parse_number("3", ',') == 3.0);
}

TEST_CASE("parse_number accepts thousands groups of three digits", "[field_parse]") {
  CHECK(parse_number("1,234.5") == 1234.5);
  CHECK(parse_number("1,234,567") == 1234567.0);
  CHECK(parse_number("1 234.5") == 1234.5);
  CHECK(parse_number("1.234,5", ',') == 1234.5);
  CHECK(parse_number("1 234 567,25", ',') == 1234567.25);
}

TEST_CASE("parse_number rejects grouping that is not thousands", "[field_parse]") {
  CHECK_FALSE(parse_number("1,5"));  // with '.' decimals, "1,5" is not fifteen
  CHECK_FALSE(parse_number("1,23"));
  CHECK_FALSE(parse_number("12,34,567"));  // lakh grouping
  CHECK_FALSE(parse_number("1234,567"));   // four digits before the first group
  CHECK_FALSE(parse_number("1,2345"));     // a group of four
  CHECK_FALSE(parse_number("1.234,5"));    // with '.' decimals, the ',' after the fraction is junk
  CHECK_FALSE(parse_number("1.5.6", ','));
}

TEST_CASE("parse_number ignores a currency sign or a trailing percent", "[field_parse]") {
  CHECK(parse_number("$1,200") == 1200.0);
  CHECK(parse_number("-$5.50") == -5.5);
  CHECK(parse_number("\xE2\x82\xAC"
                     "12,50",
                     ',') == 12.5);                        // €12,50
  CHECK(parse_number("12,50 \xE2\x82\xAC", ',') == 12.5);  // 12,50 €
  CHECK(parse_number("\xC2\xA3"
                     "3") == 3.0);  // £3
  CHECK(parse_number("45%") == 45.0);
  CHECK(parse_number("12.5 %") == 12.5);
  CHECK_FALSE(parse_number("$"));
  CHECK_FALSE(parse_number("%"));
}

TEST_CASE("parse_number reads exponents", "[field_parse]") {
  CHECK(parse_number("1e3") == 1000.0);
  CHECK(parse_number("2.5E-2") == 0.025);
  CHECK(parse_number("-4e+1") == -40.0);
  CHECK_FALSE(parse_number("1e"));
  CHECK_FALSE(parse_number("1e+"));
  CHECK_FALSE(parse_number("1e999"));  // overflows to infinity
}

TEST_CASE("parse_number rejects NaN, infinities, hex and junk", "[field_parse]") {
  for (std::string_view text : {"NaN", "nan", "inf", "-inf", "Infinity", "0x1A", "0x10", "1.2.3",
                                "12abc", "abc", "-", "+", ".", "", "1 2", "--1"}) {
    INFO("'" << text << "'");
    CHECK_FALSE(parse_number(text));
  }
}

TEST_CASE("parse_number trims spaces, tabs and non-breaking spaces", "[field_parse]") {
  CHECK(parse_number("  42  ") == 42.0);
  CHECK(parse_number("\t-1.5\r\n") == -1.5);
  CHECK(parse_number("\xC2\xA0"
                     "42"
                     "\xC2\xA0") == 42.0);  // U+00A0 either side
  CHECK(parse_number(" \xC2\xA0"
                     "7") == 7.0);
  // Both kinds in any order, on either side. (A space after a non-breaking one was left: the number
  // reader's own three trims hid it up to two such pairs, not three.)
  CHECK(parse_number("\xC2\xA0 \xC2\xA0 \xC2\xA0 7\t\xC2\xA0 ") == 7.0);
}

TEST_CASE("parse_bool reads yes/no, true/false, y/n, 1/0, t/f in any case", "[field_parse]") {
  for (std::string_view text : {"yes", "YES", "true", "True", "y", "Y", "1", "t", "T", " yes "}) {
    INFO("'" << text << "'");
    CHECK(parse_bool(text) == true);
  }
  for (std::string_view text : {"no", "No", "false", "FALSE", "n", "N", "0", "f", "F"}) {
    INFO("'" << text << "'");
    CHECK(parse_bool(text) == false);
  }
  for (std::string_view text : {"", "maybe", "2", "yess", "-1", "on"}) {
    INFO("'" << text << "'");
    CHECK_FALSE(parse_bool(text).has_value());
  }
}

TEST_CASE("parse_duration_minutes converts a number in each unit to minutes", "[field_parse]") {
  CHECK(parse_duration_minutes("30000", DurationUnit::kMilliseconds) == 0.5);  // 30000 / 60000
  CHECK(parse_duration_minutes("90", DurationUnit::kSeconds) == 1.5);          // 90 / 60
  CHECK(parse_duration_minutes("120", DurationUnit::kSeconds) == 2.0);
  CHECK(parse_duration_minutes("45", DurationUnit::kMinutes) == 45.0);
  CHECK(parse_duration_minutes("2", DurationUnit::kHours) == 120.0);
  CHECK(parse_duration_minutes("1.5", DurationUnit::kDays) == 2160.0);  // 1.5 × 1440
  CHECK(parse_duration_minutes("1,5", DurationUnit::kHours, ',') == 90.0);
  CHECK(parse_duration_minutes("0", DurationUnit::kHours) == 0.0);
}

TEST_CASE("parse_duration_minutes reads H:MM and HH:MM:SS whatever the unit", "[field_parse]") {
  CHECK(parse_duration_minutes("1:30", DurationUnit::kSeconds) == 90.0);
  CHECK(parse_duration_minutes("01:30:30", DurationUnit::kHours) == 90.5);  // 5430 s / 60
  CHECK(parse_duration_minutes("0:00:30.5", DurationUnit::kMinutes) == Approx(30.5 / 60.0));
  CHECK(parse_duration_minutes("26:00:00", DurationUnit::kHours) == 1560.0);  // over a day: 26 × 60
  CHECK(parse_duration_minutes(" 0:45 ", DurationUnit::kMinutes) == 45.0);
}

TEST_CASE("parse_duration_minutes reads a leading minus as a negative (breached) duration",
          "[field_parse]") {
  CHECK(parse_duration_minutes("-1:30", DurationUnit::kMinutes) == -90.0);
  CHECK(parse_duration_minutes("-0:05:00", DurationUnit::kMinutes) == -5.0);
  CHECK(parse_duration_minutes("-15", DurationUnit::kMinutes) == -15.0);
}

TEST_CASE("parse_duration_minutes rejects malformed durations", "[field_parse]") {
  for (std::string_view text : {"", "abc", "1:", ":30", "1:60", "1:30:60", "1:2:3:4",
                                "1:30:", "1:30:00.", "1h30", "1:3a", "--1:30"}) {
    INFO("'" << text << "'");
    CHECK_FALSE(parse_duration_minutes(text, DurationUnit::kMinutes));
  }
}

TEST_CASE("trim, is_blank and iequals treat whitespace and ASCII case as documented",
          "[field_parse]") {
  CHECK(kpilens::trim("  a b \t") == "a b");
  CHECK(kpilens::is_blank(" \t\r\n"));
  CHECK(kpilens::is_blank("\xC2\xA0"));
  CHECK(kpilens::is_blank(" \xC2\xA0\t\xC2\xA0\xC2\xA0 "));
  // Every mix trimmed at once, so that trimming again changes nothing (timestamp_fuzz found a date
  // cell read by the row path, which trims twice, and refused by the scanner, which trims once).
  for (std::string_view text : {"\xC2\xA0 4-4-01", " \xC2\xA0 x \xC2\xA0\t", "\xC2\xA0\xC2\xA0x",
                                "x\xC2\xA0 \xC2\xA0", "\xC2x\xA0", " \xC2"}) {
    INFO("'" << text << "'");
    CHECK(kpilens::trim(kpilens::trim(text)) == kpilens::trim(text));
  }
  CHECK(kpilens::trim("\xC2\xA0 4-4-01") == "4-4-01");
  CHECK(kpilens::trim(" \xC2") == "\xC2");  // half a non-breaking space is not one
  CHECK_FALSE(kpilens::is_blank(" x "));
  CHECK(kpilens::iequals("Solved", "sOLVED"));
  CHECK_FALSE(kpilens::iequals("Solved", "Solve"));
}

namespace {

bool same_number(const std::optional<double>& a, const std::optional<double>& b) {
  if (a.has_value() != b.has_value()) return false;
  return !a || std::bit_cast<uint64_t>(*a) == std::bit_cast<uint64_t>(*b);
}

// A number cell as exports write them: signs, currency, grouping, either separator, long and short
// digit runs (around 2^53 too), exponents, percent, spaces; sometimes one byte changed or added.
std::string random_number(std::mt19937_64& random) {
  auto below = [&](uint64_t n) { return random() % n; };
  auto digits = [&](uint64_t count) {
    std::string d;
    for (uint64_t i = 0; i < count; ++i) d += static_cast<char>('0' + below(10));
    return d;
  };
  std::string s;
  if (below(3) == 0) s += "-+"[below(2)];
  if (below(12) == 0) s += below(2) ? "$" : "\xE2\x82\xAC";
  const uint64_t integer_digits = below(4) == 0 ? below(22) : 1 + below(4);
  if (below(10) == 0) {
    // Grouped thousands, sometimes wrongly.
    s += digits(1 + below(3));
    for (uint64_t g = below(3); g > 0; --g)
      s += std::string(1, ", ."[below(3)]) + digits(2 + below(3));
  } else if (below(20) == 0) {
    s += std::to_string((uint64_t{1} << 53) - 2 + below(5));  // around 2^53
  } else {
    s += digits(integer_digits);
  }
  if (below(2) == 0) {
    s += ".,"[below(2)];
    s += digits(below(4) == 0 ? below(25) : 1 + below(3));
  }
  if (below(15) == 0)
    s += std::string(1, "eE"[below(2)]) + (below(2) ? "-" : "") + digits(below(4));
  if (below(15) == 0) s += below(2) ? "%" : " %";
  static constexpr std::string_view kBytes = "0123456789.,-+ e$%x\t";
  switch (below(8)) {
    case 0:
      if (!s.empty()) s[below(s.size())] = kBytes[below(kBytes.size())];
      break;
    case 1:
      s.insert(below(s.size() + 1), 1, kBytes[below(kBytes.size())]);
      break;
    case 2:
      s = " " + s + " ";
      break;
    default:
      break;
  }
  return s;
}

// Calls visit(cell, code) for every cell of `from` to `to` bytes (each byte value at each place;
// `code` the bytes read as a little-endian number).
template <class Visit>
void for_each_short_cell(int from, int to, Visit&& visit) {
  std::string cell;
  for (int length = from; length <= to; ++length) {
    for (int code = 0; code < (1 << (8 * length)); ++code) {
      cell.assign(static_cast<size_t>(length), '\0');
      for (int k = 0; k < length; ++k)
        cell[static_cast<size_t>(k)] = static_cast<char>(code >> (8 * k));
      visit(std::string_view(cell), code);
    }
  }
}

}  // namespace

TEST_CASE("The number fast path reads random and edge cells exactly as the general grammar does",
          "[field_parse]") {
  std::mt19937_64 random(9007199254740993u);
  uint64_t fast = 0, accepted = 0;
  constexpr int kCells = 300000;
  for (int n = 0; n < kCells; ++n) {
    const std::string s = random_number(random);
    for (char separator : {'.', ','}) {
      const auto general = kpilens::parse_number_general(s, separator);
      const auto plain = kpilens::parse_plain_number(kpilens::trim(s), separator);
      // The fast path against strtod too: the general grammar reads what the fast path takes with
      // the fast path itself, once rewritten.
      std::string dotted(kpilens::trim(s));
      std::replace(dotted.begin(), dotted.end(), separator, '.');
      if (!same_number(parse_number(s, separator), general) ||
          (plain && !same_number(plain, std::strtod(dotted.c_str(), nullptr)))) {
        FAIL("'" << s << "' (separator '" << separator
                 << "') is read differently by the fast path and the general grammar");
      }
      fast += plain.has_value();
      accepted += general.has_value();
    }
  }
  CHECK(fast > kCells / 2);
  CHECK(accepted > fast);
}

TEST_CASE("parse_number reads decimals, grouped or not, to the double strtod reads",
          "[field_parse]") {
  // The reference is the C library's strtod (correctly rounded in glibc), given the same digits
  // without their grouping: whichever way the engine converts them (the exact fast path,
  // read_decimal), the double must be the same.
  std::mt19937_64 random(77);
  auto below = [&](uint64_t n) { return random() % n; };
  int grouped = 0;
  for (int n = 0; n < 200000; ++n) {
    std::string digits;
    const uint64_t count = 1 + below(below(4) == 0 ? 30 : 12);
    for (uint64_t i = 0; i < count; ++i) digits += static_cast<char>('0' + below(10));
    if (digits.size() > 1 && digits[0] == '0') digits[0] = '1';  // grouping needs no leading zero
    std::string fraction;
    if (below(2) == 0) {
      for (uint64_t i = below(25); i > 0; --i) fraction += static_cast<char>('0' + below(10));
    }
    std::string exponent;
    if (below(6) == 0)
      exponent = "e" + std::string(below(2) ? "-" : "") + std::to_string(below(400));
    const std::string sign = below(3) == 0 ? "-" : "";
    const std::string tail = (fraction.empty() ? "" : "." + fraction) + exponent;
    const std::string plain = sign + digits + tail;
    std::string cell = plain;
    if (digits.size() > 3 && below(2) == 0) {  // 1,234,567 as exports group it
      std::string with_groups;
      for (size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) with_groups += ',';
        with_groups += digits[i];
      }
      cell = sign + with_groups + tail;
      ++grouped;
    }
    if (cell.size() > 64) continue;  // longer cells are no number (parse_number_general)
    const double reference = std::strtod(plain.c_str(), nullptr);
    const auto read = parse_number(cell);
    INFO("'" << cell << "'");
    if (!std::isfinite(reference)) {
      REQUIRE_FALSE(read);
    } else {
      REQUIRE(read);
      REQUIRE(std::bit_cast<uint64_t>(*read) == std::bit_cast<uint64_t>(reference));
    }
  }
  CHECK(grouped > 10000);
}

TEST_CASE("The number fast path stops at 2^53 and at 19 digits, and keeps the sign of zero",
          "[field_parse]") {
  using kpilens::parse_plain_number;
  // 2^53 = 9007199254740992 is exact; one more is not a double, so strtod must round it.
  CHECK(parse_plain_number("9007199254740992", '.') == 9007199254740992.0);
  CHECK_FALSE(parse_plain_number("9007199254740993", '.'));
  CHECK(parse_number("9007199254740993") == 9007199254740992.0);  // ties to even
  // 0.1 is 1 ÷ 10, one correctly rounded division: the double nearest to 0.1, as strtod reads it.
  CHECK(parse_plain_number("0.1", '.') == 0.1);
  CHECK(parse_plain_number("0,25", ',') == 0.25);
  CHECK_FALSE(parse_plain_number("0,25", '.'));  // grouping or junk: the general grammar decides
  CHECK_FALSE(parse_plain_number("0000000000000000000001", '.'));  // 22 digits
  CHECK(std::signbit(*parse_plain_number("-0", '.')));
  CHECK(std::signbit(*parse_number("-0.0")));
  for (std::string_view text : {".5", "5.", "1e3", "$5", "5%", "1 000", "+", "-", ""}) {
    INFO("'" << text << "'");
    CHECK_FALSE(parse_plain_number(text, '.'));
  }
}

TEST_CASE("Every cell of one or two bytes is read as the general grammar reads it",
          "[field_parse]") {
  // parse_number reads one or two digits inline: all 65,792 such cells against the reference.
  for_each_short_cell(1, 2, [](std::string_view cell, int code) {
    for (char separator : {'.', ','}) {
      if (!same_number(parse_number(cell, separator),
                       kpilens::parse_number_general(cell, separator))) {
        FAIL("cell of bytes " << code << " (separator '" << separator << "')");
      }
    }
  });
  CHECK(parse_number("07") == 7.0);  // by hand: 0 × 10 + 7
  CHECK(parse_number("99") == 99.0);
  CHECK_FALSE(parse_number("9x"));
}

TEST_CASE("small_whole reads one or two digits as the reference does, and nothing else",
          "[field_parse]") {
  // Every cell of up to two bytes: a value exactly when the reference reads a whole number from
  // 0 to 99 without trimming anything (only digits), the same value.
  for_each_short_cell(0, 2, [](std::string_view cell, int code) {
    const bool digits = !cell.empty() && cell.find_first_not_of("0123456789") == std::string::npos;
    const int small = kpilens::small_whole(cell);
    if (digits != (small >= 0) ||
        (digits && kpilens::parse_number_general(cell) != static_cast<double>(small))) {
      FAIL("cell of bytes " << code << " (length " << cell.size() << "): " << small);
    }
  });
  CHECK(kpilens::small_whole("07") == 7);
  CHECK(kpilens::small_whole("123") == -1);  // three digits: the general path
  CHECK(kpilens::small_whole(" 7") == -1);   // spaces: the general path trims them
}

TEST_CASE("is_whole agrees with v == std::floor(v), infinities and NaN included", "[field_parse]") {
  const double two52 = 4503599627370496.0;
  for (double v :
       {0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 6.0, 6.25, two52 - 0.5, -(two52 - 0.5), two52, two52 + 1,
        1e300, -1e300, 9.2233720368547758e18, 5e-324, std::numeric_limits<double>::infinity(),
        -std::numeric_limits<double>::infinity(), std::numeric_limits<double>::quiet_NaN()}) {
    INFO(v);
    CHECK(kpilens::is_whole(v) == (v == std::floor(v)));
  }
}

TEST_CASE("ascii_lower_word lowers the bytes A to Z of a word and nothing else", "[field_parse]") {
  // Every byte value at every place of the word, beside random bytes: as a byte-wise lowering.
  std::mt19937_64 random(7);
  auto lower_bytes = [](uint64_t word) {
    uint64_t out = 0;
    for (int i = 0; i < 8; ++i) {
      uint64_t b = word >> (8 * i) & 0xFF;
      if (b >= 'A' && b <= 'Z') b += 'a' - 'A';
      out |= b << (8 * i);
    }
    return out;
  };
  for (int at = 0; at < 8; ++at) {
    for (uint64_t b = 0; b < 256; ++b) {
      const uint64_t word = (random() & ~(uint64_t{0xFF} << (8 * at))) | b << (8 * at);
      INFO("byte " << b << " at " << at);
      CHECK(kpilens::ascii_lower_word(word) == lower_bytes(word));
    }
  }
}

TEST_CASE("pack_short tells apart any two texts of 1 to 8 bytes and one length", "[field_parse]") {
  // All texts of length 1 to 3 over a 4-letter alphabet, and of length 4 to 8 one byte away from
  // a base (each place, each letter): one word each.
  for (size_t n = 1; n <= 8; ++n) {
    std::vector<std::string> texts;
    if (n <= 3) {
      size_t count = 1;
      for (size_t i = 0; i < n; ++i) count *= 4;
      for (size_t k = 0; k < count; ++k) {
        std::string t(n, ' ');
        for (size_t i = 0, rest = k; i < n; ++i, rest /= 4) t[i] = "abcd"[rest % 4];
        texts.push_back(t);
      }
    } else {
      texts.push_back(std::string(n, 'a'));
      for (size_t at = 0; at < n; ++at) {
        for (char c : {'b', 'c', '\0', '\xFF'}) {
          std::string t(n, 'a');
          t[at] = c;
          texts.push_back(t);
        }
      }
    }
    for (size_t i = 0; i < texts.size(); ++i) {
      for (size_t j = i + 1; j < texts.size(); ++j) {
        INFO(n << " bytes: " << i << " and " << j);
        CHECK(kpilens::pack_short(texts[i]) != kpilens::pack_short(texts[j]));
      }
    }
  }
}
