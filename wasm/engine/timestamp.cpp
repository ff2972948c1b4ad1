// timestamp: a small hand-written scanner rather than std::get_time/strptime: those depend on the C
// library and locale (they differ between glibc and Emscripten's musl) and are slow per cell. The
// shapes nearly every export writes (ISO dates and date-times) take a fixed-position fast path
// first; both paths share the arithmetic that turns fields into seconds, so they give the same
// bits.
#include "timestamp.h"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <limits>

#include "code_placement.h"
#include "decimal.h"
#include "field_parse.h"

namespace kpilens {

namespace {

struct Cursor {
  std::string_view s;
  size_t i = 0;

  bool done() const { return i >= s.size(); }
  char peek() const { return i < s.size() ? s[i] : '\0'; }
  // Reads between min and max digits.
  bool number(int min_digits, int max_digits, int64_t& out) {
    size_t start = i;
    int64_t value = 0;
    while (i < s.size() && is_digit(s[i]) && static_cast<int>(i - start) < max_digits) {
      value = value * 10 + (s[i] - '0');
      ++i;
    }
    if (static_cast<int>(i - start) < min_digits) {
      i = start;
      return false;
    }
    out = value;
    return true;
  }
  bool accept(char c) {
    if (peek() != c) return false;
    ++i;
    return true;
  }
  void skip_spaces() {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
  }
};

int month_from_name(std::string_view name) {
  static constexpr std::string_view kNames[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                                "jul", "aug", "sep", "oct", "nov", "dec"};
  if (name.size() < 3) return 0;
  for (int m = 0; m < 12; ++m) {
    if (iequals(name.substr(0, 3), kNames[m])) return m + 1;
  }
  return 0;
}

int64_t expand_year(int64_t year, size_t digits) {
  if (digits > 2) return year;
  return year < 70 ? 2000 + year : 1900 + year;
}

// The digits of a fraction of a second from s[i] on (at least one), summed digit by digit: both
// scanners use this, so they read every fraction to the same double.
bool read_fraction(std::string_view s, size_t& i, double& fraction) {
  double scale = 0.1;
  const size_t start = i;
  while (i < s.size() && is_digit(s[i])) {
    fraction += (s[i] - '0') * scale;
    scale /= 10;
    ++i;
  }
  return i != start;
}

double day_number(int64_t year, int64_t month, int64_t day) {
  return static_cast<double>(
      days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day)));
}

// Both scanners end here, so they compute every instant with the same operations.
Timestamp make_timestamp(double days, double seconds_of_day, double offset_seconds,
                         bool has_offset) {
  return Timestamp{days * 86400.0 + seconds_of_day - offset_seconds, has_offset};
}

// Second 60: a leap second ("23:59:60"), which every path accepts.
bool valid_time(int64_t hour, int64_t minute, int64_t second) {
  return hour <= 23 && minute <= 59 && second <= 60;
}

bool valid_date(int64_t year, int64_t month, int64_t day) {
  return month >= 1 && month <= 12 && day >= 1 && year >= 1 && year <= 9999 &&
         static_cast<unsigned>(day) <= days_in_month(year, static_cast<unsigned>(month));
}

// Eight bytes of a cell as one little-endian integer (the fast path reads fields at fixed places).
uint64_t load8(const char* p) {
  static_assert(std::endian::native == std::endian::little, "fields are read little-endian");
  uint64_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

uint32_t load4(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

uint16_t load2(const char* p) {
  uint16_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// The bytes of `v` that `mask` selects, each as its ASCII digit's value (the others 0), when all of
// them are digits; else nullopt. The others become '0', so that all eight bytes must be digits: a
// byte is one when its high nibble is 3 both as it is and plus 6 (0x3A…0x3F reach 0x40). A carry
// out of a byte that fails the first test cannot make the whole test pass.
std::optional<uint64_t> digit_values(uint64_t v, uint64_t mask) {
  constexpr uint64_t kHighNibbles = 0xF0F0F0F0F0F0F0F0, kThrees = 0x3030303030303030;
  const uint64_t u = (v & mask) | (kThrees & ~mask);
  if ((u & kHighNibbles) != kThrees || ((u + 0x0606060606060606) & kHighNibbles) != kThrees) {
    return std::nullopt;
  }
  return u - kThrees;
}

// "ab?cd?ef" at p, with `separator` at both '?', as three two-digit numbers ab, cd, ef (dates'
// "YY-MM-DD" and times' "HH:MM:SS"): eight bytes checked at once instead of one by one.
bool three_pairs(const char* p, char separator, int& first, int& second, int& third) {
  const uint64_t kSeparators = 0x0000FF0000FF0000;  // bytes 2 and 5
  const uint64_t separators = uint64_t{static_cast<unsigned char>(separator)} * 0x0000010000010000;
  const uint64_t v = load8(p);
  if ((v & kSeparators) != separators) return false;
  const auto values = digit_values(v, ~kSeparators);
  if (!values) return false;
  const uint64_t d = *values;  // each byte its digit's value (the separators' 0)
  // Each byte times ten plus the next byte: bytes 0, 3 and 6 become the pairs' values. No byte
  // carries into the next (9 × 10 + 9 = 99), so one multiply and one add do all three pairs.
  const uint64_t pairs = d * 10 + (d >> 8);
  first = static_cast<int>(pairs & 0xFF);
  second = static_cast<int>((pairs >> 24) & 0xFF);
  third = static_cast<int>((pairs >> 48) & 0xFF);
  return true;
}

// The two ASCII digits at s[i] and s[i + 1] as a number, or -1.
int two_digits(std::string_view s, size_t i) {
  const unsigned tens = static_cast<unsigned>(static_cast<unsigned char>(s[i])) - '0';
  const unsigned ones = static_cast<unsigned>(static_cast<unsigned char>(s[i + 1])) - '0';
  if (tens > 9 || ones > 9) return -1;
  return static_cast<int>(tens * 10 + ones);
}

// Time of day and zone after the date: [T| ]HH:MM[:SS[.fff]][ ]?[AM|PM]?[ ]?[Z|UTC|GMT|±hh[:mm]]?
bool parse_time_and_zone(Cursor& c, double& seconds_of_day, bool& has_offset,
                         double& offset_seconds) {
  seconds_of_day = 0;
  has_offset = false;
  offset_seconds = 0;
  if (c.done()) return true;
  if (c.peek() == 'T' || c.peek() == 't') {
    ++c.i;
  } else if (c.peek() == ' ' || c.peek() == ',') {
    c.accept(',');
    c.skip_spaces();
    if (c.done()) return true;
  } else if (c.peek() != 'Z' && c.peek() != '+' && c.peek() != '-') {
    return false;
  }
  int64_t hour = 0, minute = 0, second = 0;
  double fraction = 0;
  bool has_time = false;
  if (is_digit(c.peek())) {
    if (!c.number(1, 2, hour) || !c.accept(':') || !c.number(2, 2, minute)) return false;
    has_time = true;
    if (c.accept(':')) {
      if (!c.number(2, 2, second)) return false;
      if (c.peek() == '.' || c.peek() == ',') {
        ++c.i;
        if (!read_fraction(c.s, c.i, fraction)) return false;
      }
    }
    c.skip_spaces();
    // 12-hour clock.
    if (c.s.size() - c.i >= 2) {
      std::string_view marker = c.s.substr(c.i, 2);
      bool am = iequals(marker, "am");
      bool pm = iequals(marker, "pm");
      if (am || pm) {
        if (hour < 1 || hour > 12) return false;
        hour = (hour % 12) + (pm ? 12 : 0);
        c.i += 2;
        c.skip_spaces();
      }
    }
  }
  if (!valid_time(hour, minute, second)) return false;
  seconds_of_day = static_cast<double>(hour * 3600 + minute * 60 + second) + fraction;
  // Zone.
  if (c.done()) return true;
  if (c.peek() == 'Z' || c.peek() == 'z') {
    ++c.i;
    has_offset = true;
  } else if (c.s.size() - c.i >= 3 &&
             (iequals(c.s.substr(c.i, 3), "utc") || iequals(c.s.substr(c.i, 3), "gmt"))) {
    c.i += 3;
    has_offset = true;
    if (c.done()) return true;
  }
  if (!c.done() && (c.peek() == '+' || c.peek() == '-')) {
    if (!has_time && !has_offset) return false;
    int sign = c.peek() == '-' ? -1 : 1;
    ++c.i;
    int64_t oh = 0, om = 0;
    if (!c.number(2, 2, oh)) return false;
    if (c.accept(':')) {
      if (!c.number(2, 2, om)) return false;
    } else {
      c.number(2, 2, om);
    }
    if (oh > 18 || om > 59) return false;
    has_offset = true;
    offset_seconds = sign * static_cast<double>(oh * 3600 + om * 60);
  }
  return c.done();
}

// The time after a date of `days`, from what follows the date: the short forms at fixed places,
// the scanner for the rest.
std::optional<Timestamp> finish_time(double days, std::string_view rest) {
  const double short_time = short_time_of_day(rest);
  if (short_time == short_time) return make_timestamp(days, short_time, 0, false);  // not NaN
  return scan_time_after_date(days, rest);
}

// A general date's bytes (6 to 12) as two words: its first eight and its last eight when it has
// eight or more, else all of them in the first; with the size, they are the bytes.
struct DateKey {
  uint64_t head = 0, tail = 0;
};
DateKey date_key(const char* p, size_t size) {
  if (size >= 8) return {load8(p), load8(p + size - 8)};
  return {uint64_t{load4(p)} | uint64_t{load4(p + size - 4)} << 32, 0};
}

DateMemo::GeneralSlot& general_slot(DateMemo& memo, const DateKey& key) {
  // The top five bits of a multiplicative hash of both words (Fibonacci hashing).
  return memo.general[((key.head ^ key.tail * 0x9E3779B97F4A7C15) * 0x9E3779B97F4A7C15) >> 59];
}

// Where a general cell's date would end: its first space or comma from byte 6 on (a date has 6 or
// more), or the cell's end; 0 when the date would have more than 12 bytes (the memo keeps none).
size_t date_end(std::string_view s) {
  const size_t last = std::min<size_t>(s.size(), 13);
  for (size_t i = 6; i < last; ++i) {
    if (s[i] == ' ' || s[i] == ',') return i;
  }
  return s.size() <= 12 ? s.size() : 0;
}

// The general scanner's date read (the cursor after it): valid, it goes into the memo when a space,
// a comma or the end follows it.
std::optional<Timestamp> finish(int64_t year, int64_t month, int64_t day, Cursor& c,
                                DateOrder order, DateMemo* memo) {
  if (!valid_date(year, month, day)) return std::nullopt;
  const double days = day_number(year, month, day);
  if (memo && c.i >= 6 && c.i <= 12 && (c.done() || c.peek() == ' ' || c.peek() == ',')) {
    const DateKey key = date_key(c.s.data(), c.i);
    general_slot(*memo, key) = {key.head, key.tail, static_cast<uint8_t>(c.i), order, days};
  }
  return finish_time(days, c.s.substr(c.i));
}

// All-digit cells: 9–10 digits are Unix seconds, 12–13 digits Unix milliseconds.
std::optional<Timestamp> parse_epoch(std::string_view s) {
  for (char ch : s) {
    if (!is_digit(ch)) return std::nullopt;
  }
  double value = 0;
  for (char ch : s) value = value * 10 + (ch - '0');
  if (s.size() == 9 || s.size() == 10) return Timestamp{value, true};
  if (s.size() == 12 || s.size() == 13) return Timestamp{value / 1000.0, true};
  return std::nullopt;
}

}  // namespace

std::optional<Timestamp> scan_time_after_date(double days, std::string_view rest) {
  Cursor c{rest};
  double seconds_of_day = 0, offset = 0;
  bool has_offset = false;
  if (!parse_time_and_zone(c, seconds_of_day, has_offset, offset)) return std::nullopt;
  return make_timestamp(days, seconds_of_day, offset, has_offset);
}

double short_time_of_day(std::string_view rest) {
  constexpr double kOther = std::numeric_limits<double>::quiet_NaN();
  const size_t n = rest.size();
  // " H:MM" (5 bytes) to " HH:MM:SS PM" (12).
  if (n < 5 || n > 12 || (rest[0] != ' ' && rest[0] != 'T' && rest[0] != 't' && rest[0] != ',')) {
    return kOther;
  }
  if (int hour = 0, minute = 0, second = 0;
      n == 9 && three_pairs(rest.data() + 1, ':', hour, minute, second)) {
    // "HH:MM:SS", the commonest: its eight bytes checked at once, as the fast path reads it.
    if (!valid_time(hour, minute, second)) return kOther;
    return static_cast<double>(hour * 3600 + minute * 60 + second);
  }
  if (n == 8 || n == 9) {
    // " H:MM AM" and " HH:MM PM" (Jira's), the marker in any case: their last eight bytes at once,
    // hour (its tens the separator when it has one digit), colon, minutes, space, marker. Another
    // shape goes on below, which reads these the same way.
    const uint64_t v = load8(rest.data() + n - 8);
    constexpr uint64_t kFixed = 0x0000FF0000FF0000, kFixedBytes = 0x00002000003A0000;  // bytes 2, 5
    const uint64_t digits = n == 9 ? 0x000000FFFF00FFFF : 0x000000FFFF00FF00;  // bytes 0, 1, 3, 4
    const unsigned marker = static_cast<unsigned>(v >> 48) | 0x2020u;  // both letters lower case
    const auto values = digit_values(v, digits);
    if ((v & kFixed) == kFixedBytes && values &&
        (marker == ('a' | 'm' << 8) || marker == ('p' | 'm' << 8))) {
      const uint64_t d = *values;
      const auto hour = static_cast<int>((d & 0xFF) * 10 + ((d >> 8) & 0xFF));
      const auto minute = static_cast<int>(((d >> 24) & 0xFF) * 10 + ((d >> 32) & 0xFF));
      if (hour < 1 || hour > 12 || minute > 59) return kOther;
      const int hour_of_day = (hour == 12 ? 0 : hour) + (marker == ('p' | 'm' << 8) ? 12 : 0);
      return static_cast<double>(hour_of_day * 3600 + minute * 60);
    }
  }
  // One hour digit when a colon follows it, else two; −1 when they are not digits.
  int hour = -1;
  size_t i = 3;  // the colon before the minutes
  if (rest[2] == ':') {
    const unsigned digit = static_cast<unsigned char>(rest[1]) - unsigned{'0'};
    hour = digit <= 9 ? static_cast<int>(digit) : -1;
    i = 2;
  } else {
    hour = two_digits(rest, 1);
  }
  if (hour < 0 || i + 3 > n || rest[i] != ':') return kOther;
  const int minute = two_digits(rest, i + 1);
  i += 3;
  int second = 0;
  if (i < n && rest[i] == ':') {
    if (i + 3 > n) return kOther;
    second = two_digits(rest, i + 1);
    i += 3;
  }
  if (minute < 0 || second < 0) return kOther;
  if (i < n) {
    // A 12-hour clock: "AM" or "PM" in any case, after at most one space, and nothing after it.
    i += rest[i] == ' ';
    if (n - i != 2) return kOther;
    const unsigned marker = load2(rest.data() + i) | 0x2020u;  // both letters lower case
    const bool am = marker == ('a' | 'm' << 8), pm = marker == ('p' | 'm' << 8);
    if ((!am && !pm) || hour < 1 || hour > 12) return kOther;
    hour = hour % 12 + (pm ? 12 : 0);
  }
  if (!valid_time(hour, minute, second)) return kOther;
  return static_cast<double>(hour * 3600 + minute * 60 + second);
}

int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  // wasm has no 64-bit multiply-high, so a 64-bit division by a constant stays an i64.div there;
  // the years of real data take a 32-bit one, which V8 can turn into a multiply (period.cpp).
  const int64_t era =
      y >= 0 && y <= INT32_MAX ? static_cast<uint32_t>(y) / 400u : (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

CivilDate civil_from_days(int64_t z) {
  z += 719468;
  const int64_t era = z >= 0 && z <= INT32_MAX ? static_cast<uint32_t>(z) / 146097u
                                               : (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return CivilDate{y + (m <= 2), m, d};
}

unsigned days_in_month(int64_t year, unsigned month) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month == 2) {
    bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return leap ? 29 : 28;
  }
  return kDays[month - 1];
}

void format_date(int64_t days, char out[32]) {
  CivilDate date = civil_from_days(days);
  char* end = write_zero_padded(out, date.year, 4);
  *end++ = '-';
  end = write_zero_padded(end, date.month, 2);
  *end++ = '-';
  end = write_zero_padded(end, date.day, 2);
  *end = '\0';
}

namespace {

// The slot of a date "YYYY-MM-DD" (its dashes checked) in a DateMemo: its day, plus 32 for a month
// whose last digit is odd. Any bytes give a slot (the date is compared whole there).
size_t date_slot(const char* s) {
  const unsigned day =
      (static_cast<unsigned char>(s[8]) & 0xFu) * 10 + (static_cast<unsigned char>(s[9]) & 0xFu);
  return (day + ((static_cast<unsigned char>(s[6]) & 1u) << 5)) & 63u;
}

// The days of parse_fixed_timestamp's date (its dashes checked) when the memo does not hold it, and
// into the memo; NaN for an invalid date. Not inlined with the rest (a new date comes a few times
// a day of data at most), and a result rather than an out-parameter, which in wasm would put the
// caller's variable in linear memory on every call.
__attribute__((noinline)) double read_date(std::string_view s, DateMemo* memo) {
  constexpr double kInvalid = std::numeric_limits<double>::quiet_NaN();
  double days = 0;
  if (memo && memo->month_days != 0 && load8(s.data()) == memo->month) {
    // "YYYY-MM-" as the memo's month (a valid one): the day alone is new.
    const int day = two_digits(s, 8);
    if (day < 1 || day > memo->month_days) return kInvalid;  // (not digits: −1)
    days = memo->month_start + day;
  } else {
    const int century = two_digits(s, 0);
    int year_of_century = 0, month = 0, day = 0;
    if (century < 0 || !three_pairs(s.data() + 2, '-', year_of_century, month, day)) {
      return kInvalid;
    }
    const int64_t year = century * 100 + year_of_century;
    if (!valid_date(year, month, day)) return kInvalid;
    days = day_number(year, month, day);
    if (memo) {
      memo->month = load8(s.data());
      memo->month_start = days - day;
      memo->month_days = static_cast<int>(days_in_month(year, static_cast<unsigned>(month)));
    }
  }
  if (memo) memo->slots[date_slot(s.data())] = {load8(s.data()), load2(s.data() + 8), days};
  return days;
}

// The zone that may end a fixed-place time at s[i]: nothing, Z, or ±HH:MM (its seconds into
// `offset`). False for anything else.
__attribute__((always_inline)) inline bool read_fixed_zone(std::string_view s, size_t i,
                                                           double& offset, bool& has_offset) {
  if (i == s.size()) return true;
  if ((s[i] == 'Z' || s[i] == 'z') && i + 1 == s.size()) {
    has_offset = true;
    return true;
  }
  if ((s[i] == '+' || s[i] == '-') && i + 6 == s.size() && s[i + 3] == ':') {
    const int offset_hours = two_digits(s, i + 1), offset_minutes = two_digits(s, i + 4);
    if (offset_hours < 0 || offset_minutes < 0 || offset_hours > 18 || offset_minutes > 59) {
      return false;
    }
    const int sign = s[i] == '-' ? -1 : 1;
    offset = sign * static_cast<double>(offset_hours * 3600 + offset_minutes * 60);
    has_offset = true;
    return true;
  }
  return false;
}

// parse_fixed_timestamp's time when it is not HH:MM:SS: HH:MM without seconds (exports that drop
// them), then a zone or nothing; `HH:MM:` followed by anything but two digits is left to the
// general scanner. Out of line, and packed into an int: an optional is returned through linear
// memory in wasm, and so written this cost the HH:MM:SS path 24 V8 instructions a row, against 6
// packed (docs/architecture.md, "ISO times to the minute"). -1 for another shape or a field out of
// range; else the minute of the day in bits 0-10, the zone's offset in minutes plus 2048 in bits
// 11-22, and whether there is a zone in bit 23.
__attribute__((noinline)) int32_t time_to_the_minute(std::string_view s) {
  if (s.size() < 16 || (s[10] != ' ' && s[10] != 'T' && s[10] != 't') || s[13] != ':') return -1;
  const int hour = two_digits(s, 11), minute = two_digits(s, 14);
  if (hour < 0 || minute < 0 || !valid_time(hour, minute, 0)) return -1;
  double offset = 0;
  bool has_offset = false;
  if (!read_fixed_zone(s, 16, offset, has_offset)) return -1;
  const auto offset_minutes = static_cast<int32_t>(offset / 60);  // |offset| ≤ 18:59
  return (hour * 60 + minute) | (offset_minutes + 2048) << 11 | int32_t{has_offset} << 23;
}

}  // namespace

KPILENS_ROW_PATH_INLINE std::optional<Timestamp> parse_fixed_timestamp(std::string_view s,
                                                                       DateMemo* memo) {
  if (s.size() < 10 || s.size() > 64 || s[4] != '-' || s[7] != '-') return std::nullopt;
  double days = 0;
  // The ten date bytes compared as 8 + 2 (a memcmp would be a call in wasm) with its slot's.
  const DateMemo::Slot* slot = memo ? &memo->slots[date_slot(s.data())] : nullptr;
  if (slot && load8(s.data()) == slot->head && load2(s.data() + 8) == slot->tail) {
    days = slot->days;  // the date was read (and found valid) before
  } else {
    days = read_date(s, memo);
    if (days != days) return std::nullopt;  // NaN: not a valid date
  }
  double seconds_of_day = 0, offset = 0;
  bool has_offset = false;
  if (s.size() > 10) {
    int hour = 0, minute = 0, second = 0;
    if (s.size() < 19 || (s[10] != ' ' && s[10] != 'T' && s[10] != 't') ||
        !three_pairs(s.data() + 11, ':', hour, minute, second)) {
      const int32_t packed = time_to_the_minute(s);
      if (packed < 0) return std::nullopt;
      return make_timestamp(days, (packed & 2047) * 60.0, ((packed >> 11 & 4095) - 2048) * 60.0,
                            (packed >> 23) != 0);
    }
    if (!valid_time(hour, minute, second)) return std::nullopt;
    size_t i = 19;
    double fraction = 0;
    if (i < s.size() && s[i] == '.') {
      ++i;
      if (!read_fraction(s, i, fraction)) return std::nullopt;
    }
    seconds_of_day = static_cast<double>(hour * 3600 + minute * 60 + second) + fraction;
    if (!read_fixed_zone(s, i, offset, has_offset)) return std::nullopt;
  }
  return make_timestamp(days, seconds_of_day, offset, has_offset);
}

std::optional<Timestamp> parse_timestamp_general(std::string_view text, DateOrder order,
                                                 DateMemo* memo) {
  std::string_view s = trim(text);
  if (s.size() < 6 || s.size() > 64) return std::nullopt;
  if (const size_t end = memo ? date_end(s) : 0; end != 0) {
    const DateKey key = date_key(s.data(), end);
    const DateMemo::GeneralSlot& slot = general_slot(*memo, key);
    if (slot.size == end && slot.head == key.head && slot.tail == key.tail && slot.order == order) {
      return finish_time(slot.days, s.substr(end));
    }
  }
  if (is_digit(s[0]) && s.find_first_not_of("0123456789") == std::string_view::npos) {
    return parse_epoch(s);
  }
  Cursor c{s};
  int64_t a = 0;
  size_t start = c.i;
  if (!c.number(1, 4, a)) return std::nullopt;
  size_t a_digits = c.i - start;
  char sep = c.peek();
  if (sep != '-' && sep != '/' && sep != '.') return std::nullopt;
  ++c.i;
  if (a_digits == 4) {
    // YYYY-MM-DD, YYYY/MM/DD, YYYY.MM.DD
    int64_t month = 0, day = 0;
    if (!c.number(1, 2, month) || !c.accept(sep) || !c.number(1, 2, day)) return std::nullopt;
    return finish(a, month, day, c, order, memo);
  }
  if (a_digits > 2) return std::nullopt;
  // a{sep}b{sep}year, or a{sep}Mon{sep}year.
  if (!is_digit(c.peek())) {
    size_t name_start = c.i;
    while (!c.done() &&
           ((c.peek() >= 'a' && c.peek() <= 'z') || (c.peek() >= 'A' && c.peek() <= 'Z'))) {
      ++c.i;
    }
    int month = month_from_name(s.substr(name_start, c.i - name_start));
    if (month == 0 || !c.accept(sep)) return std::nullopt;
    int64_t year = 0;
    size_t year_start = c.i;
    if (!c.number(2, 4, year)) return std::nullopt;
    return finish(expand_year(year, c.i - year_start), month, a, c, order, memo);
  }
  int64_t b = 0, year = 0;
  if (!c.number(1, 2, b) || !c.accept(sep)) return std::nullopt;
  size_t year_start = c.i;
  if (!c.number(2, 4, year)) return std::nullopt;
  size_t year_digits = c.i - year_start;
  if (year_digits == 3) return std::nullopt;
  year = expand_year(year, year_digits);
  if (sep == '.') return finish(year, b, a, c, order, memo);  // DD.MM.YYYY is always day first
  bool day_first = order == DateOrder::kDayFirst;
  if (order == DateOrder::kAuto) day_first = a > 12;
  return day_first ? finish(year, b, a, c, order, memo) : finish(year, a, b, c, order, memo);
}

void DateOrderEvidence::observe(std::string_view text) {
  std::string_view s = trim(text);
  Cursor c{s};
  int64_t a = 0, b = 0;
  size_t start = c.i;
  if (!c.number(1, 2, a) || c.i - start > 2) return;
  if (!c.accept('/') && !c.accept('-')) return;
  if (!c.number(1, 2, b)) return;
  if (!c.accept('/') && !c.accept('-')) return;
  if (a > 12 && b <= 12) {
    ++day_first_only;
  } else if (b > 12 && a <= 12) {
    ++month_first_only;
  } else if (a <= 12 && b <= 12) {
    ++ambiguous;
  }
}

DateOrder DateOrderEvidence::decide(DateOrder fallback) const {
  if (day_first_only > month_first_only) return DateOrder::kDayFirst;
  if (month_first_only > day_first_only) return DateOrder::kMonthFirst;
  return fallback;
}

}  // namespace kpilens
