// timestamp: date-time cells → seconds since the Unix epoch. Formats seen in helpdesk exports: ISO
// 8601 (T or space, Z or ±hh:mm), YYYY/MM/DD, MM/DD/YYYY and DD/MM/YYYY with optional 12-hour
// clock, DD.MM.YYYY, DD/Mon/YY (Jira), and Unix seconds or milliseconds.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

#include "field_parse.h"

namespace kpilens {

enum class DateOrder { kAuto, kMonthFirst, kDayFirst };

struct Timestamp {
  double seconds = 0;  // since 1970-01-01T00:00:00 of the cell's own clock, or UTC if has_offset
  bool has_offset = false;  // the cell named its zone (Z, ±hh:mm, or an epoch number)
};

// The dates read in a column, with their day numbers: the calendar arithmetic is most of what such
// a cell costs, and a column's dates repeat (an export sorted by creation time shares its created
// dates; tickets are solved and answered days or weeks after, so those columns' dates come back in
// another order). The fast path's and the general scanner's, apart. A memo never changes a result;
// keep one per column.
struct DateMemo {
  // One date per slot: the slot of "YYYY-MM-DD" is its day of the month, plus 32 when the month's
  // last digit is odd, so that no two dates of two months running share one (date_slot in
  // timestamp.cpp). A slot holds the date's first eight bytes and last two, as read (a valid date;
  // zeros before the first, which no date matches), and its days since 1970-01-01.
  struct Slot {
    uint64_t head = 0;
    uint16_t tail = 0;
    double days = 0;
  };
  std::array<Slot, 64> slots{};
  // The month of the date last read afresh ("YYYY-MM-" as read, a valid month): the days of the
  // day before its 1st, and how many days it has. A new date of that month differs in its day
  // alone, which is then all there is to read.
  uint64_t month = 0;
  double month_start = 0;
  int month_days = 0;  // 0 before the first date
  // The general scanner's valid dates (parse_timestamp_general: "03/12/2024", "12/Mar/24"…) of 6
  // to 12 bytes that a space, a comma or the cell's end followed: their bytes as read, in the slot
  // of a hash of them (date_key in timestamp.cpp), the order they were read in, their days since
  // 1970-01-01. A cell whose bytes before its first space or comma are a slot's date, read in the
  // same order, has that date (the scanner's numbers stop at the same place), and only its time is
  // read.
  struct GeneralSlot {
    uint64_t head = 0, tail = 0;  // the date's bytes (date_key); size 0: empty
    uint8_t size = 0;
    DateOrder order = DateOrder::kAuto;
    double days = 0;
  };
  std::array<GeneralSlot, 32> general{};
};

// The general scanner alone, without parse_timestamp's fast path: the reference that path is
// tested against. Both read "HH:MM:SS" with the same eight-byte check (three_pairs), which the test
// of short_time_of_day holds against the scanner's cursor. With a memo, a cell of a date it read
// before costs only its time.
std::optional<Timestamp> parse_timestamp_general(std::string_view text,
                                                 DateOrder order = DateOrder::kAuto,
                                                 DateMemo* memo = nullptr);
// After a date of `days` days since 1970-01-01: its time of day and zone as the general scanner
// reads them, from what follows the date ("", " 4:34 PM", "T16:34:31+02:00"…); nullopt when it
// refuses them. The scanner alone: the reference short_time_of_day is tested against.
std::optional<Timestamp> scan_time_after_date(double days, std::string_view rest);
// The times non-ISO exports write after their dates, read at fixed places: a space, T, t or comma,
// then H:MM or HH:MM, optionally :SS, optionally AM or PM in any case after at most one space, and
// nothing else (" 16:34:31", " 4:34 PM", " 04:34:31 pm"). Their seconds into the day, without a
// zone; NaN for any other shape and for a field out of range: the scanner then decides. The general
// scanner reads its times here first. (A double, not an optional: wasm returns an optional<double>
// through memory.)
double short_time_of_day(std::string_view rest);

// parse_timestamp's fast path alone, for already trimmed text: YYYY-MM-DD, optionally followed by
// [T ]HH:MM[:SS[.fraction]][Z|±HH:MM]. nullopt when the text has another shape or a field out of
// range: the general scanner then decides (and refuses what it always refused).
std::optional<Timestamp> parse_fixed_timestamp(std::string_view trimmed, DateMemo* memo = nullptr);

// kAuto reads a/b/yyyy month-first unless a > 12 (then day-first); the dataset decides the order
// per column from a sample (see DateOrderEvidence) and passes kMonthFirst or kDayFirst. Inline: the
// row path calls it for every timestamp cell.
inline std::optional<Timestamp> parse_timestamp(std::string_view text,
                                                DateOrder order = DateOrder::kAuto,
                                                DateMemo* memo = nullptr) {
  const std::string_view s = trim(text);
  if (auto fixed = parse_fixed_timestamp(s, memo)) return fixed;
  return parse_timestamp_general(s, order, memo);
}

// Collects what a column's slash dates say about their order: a first number over 12 can only be a
// day, a second number over 12 can only be a day too.
struct DateOrderEvidence {
  uint64_t day_first_only = 0;
  uint64_t month_first_only = 0;
  uint64_t ambiguous = 0;

  void observe(std::string_view text);
  DateOrder decide(DateOrder fallback = DateOrder::kMonthFirst) const;
  bool conflicting() const { return day_first_only > 0 && month_first_only > 0; }
};

// Proleptic Gregorian calendar (H. Hinnant's algorithms): days since 1970-01-01 and back.
int64_t days_from_civil(int64_t year, unsigned month, unsigned day);
struct CivilDate {
  int64_t year;
  unsigned month;
  unsigned day;
};
CivilDate civil_from_days(int64_t days);
unsigned days_in_month(int64_t year, unsigned month);

// "2024-03-09" for a day count.
void format_date(int64_t days, char out[32]);

}  // namespace kpilens
