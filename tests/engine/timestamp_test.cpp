// timestamp tests: every documented cell format against epoch seconds worked out by hand, invalid
// dates, leap years, day/month order evidence, and the civil-date arithmetic.
//
// Anchors used below (days since 1970-01-01):
//   2024-01-01: 54 years of 365 days (1970…2023) + 13 leap days (1972, 1976, …, 2020) = 19710 + 13
//   = 19723 2024-03-10: 19723 + 31 (Jan) + 29 (Feb, leap) + 9 = 19792 → 19792 × 86400 = 1710028800
//   2024-03-10T12:00:00Z = 1710028800 + 12 × 3600 = 1710072000
#include "timestamp.h"

#include <algorithm>
#include <bit>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <iterator>
#include <optional>
#include <random>
#include <string>
#include <vector>
#include "field_parse.h"

using kpilens::civil_from_days;
using kpilens::CivilDate;
using kpilens::DateOrder;
using kpilens::DateOrderEvidence;
using kpilens::days_from_civil;
using kpilens::days_in_month;
using kpilens::parse_timestamp;

namespace {

constexpr double kMarch10Noon = 1710072000;  // 2024-03-10T12:00:00Z, see the file comment

std::optional<double> seconds(std::string_view text, DateOrder order = DateOrder::kAuto) {
  auto ts = parse_timestamp(text, order);
  if (!ts) return std::nullopt;
  return ts->seconds;
}

bool has_offset(std::string_view text) {
  auto ts = parse_timestamp(text);
  return ts && ts->has_offset;
}

}  // namespace

TEST_CASE("Timestamp reads ISO 8601 with T or space and a Z zone", "[timestamp]") {
  CHECK(seconds("2024-03-10T12:00:00Z") == kMarch10Noon);
  CHECK(seconds("2024-03-10 12:00:00Z") == kMarch10Noon);
  CHECK(seconds("2024-03-10t12:00:00z") == kMarch10Noon);
  CHECK(seconds("2024-03-10T12:00Z") == kMarch10Noon);
  CHECK(seconds("2024-03-10T12:00:00.5Z") == kMarch10Noon + 0.5);
  CHECK(has_offset("2024-03-10T12:00:00Z"));
}

TEST_CASE("Timestamp applies a ±hh:mm or ±hhmm offset", "[timestamp]") {
  // 14:30 at +02:30 is 12:00 UTC; 07:00 at -05:00 is 12:00 UTC.
  CHECK(seconds("2024-03-10T14:30:00+02:30") == kMarch10Noon);
  CHECK(seconds("2024-03-10T07:00:00-05:00") == kMarch10Noon);
  CHECK(seconds("2024-03-10T14:30:00+0230") == kMarch10Noon);
  CHECK(seconds("2024-03-10 07:00:00-0500") == kMarch10Noon);
  CHECK(seconds("2024-03-10T14:00:00+02") == kMarch10Noon);
  CHECK(has_offset("2024-03-10T07:00:00-05:00"));
  // A UTC offset that crosses midnight backwards: 2024-03-11 01:00 at +05:00 = 2024-03-10 20:00
  // UTC.
  CHECK(seconds("2024-03-11T01:00:00+05:00") == kMarch10Noon + 8 * 3600);
}

TEST_CASE("Timestamp reads YYYY-MM-DD HH:MM[:SS] as wall-clock time without an offset",
          "[timestamp]") {
  CHECK(seconds("2024-03-10 12:00") == kMarch10Noon);
  CHECK(seconds("2024-03-10 12:00:45") == kMarch10Noon + 45);
  CHECK(seconds("2024-03-10") == kMarch10Noon - 12 * 3600);  // midnight
  CHECK(seconds("2024-3-10 9:05") == kMarch10Noon - 3 * 3600 + 5 * 60);
  CHECK_FALSE(has_offset("2024-03-10 12:00:45"));
}

TEST_CASE("Timestamp reads YYYY/MM/DD", "[timestamp]") {
  CHECK(seconds("2024/03/10 12:00") == kMarch10Noon);
  CHECK(seconds("2024/03/10") == kMarch10Noon - 12 * 3600);
}

TEST_CASE("Timestamp reads MM/DD/YYYY with a 12-hour clock", "[timestamp]") {
  CHECK(seconds("03/10/2024 12:00 PM") == kMarch10Noon);              // 12 PM is noon
  CHECK(seconds("03/10/2024 12:00 AM") == kMarch10Noon - 12 * 3600);  // 12 AM is midnight
  CHECK(seconds("03/10/2024 1:05 pm") == kMarch10Noon + 3600 + 5 * 60);
  CHECK(seconds("3/10/2024 11:59:59PM") == kMarch10Noon + 11 * 3600 + 59 * 60 + 59);
  CHECK_FALSE(seconds("03/10/2024 13:00 PM"));
  CHECK_FALSE(seconds("03/10/2024 0:30 AM"));
}

TEST_CASE("Timestamp reads DD/MM/YYYY when told the column is day first", "[timestamp]") {
  CHECK(seconds("10/03/2024 12:00", DateOrder::kDayFirst) == kMarch10Noon);
  CHECK(seconds("03/10/2024 12:00", DateOrder::kMonthFirst) == kMarch10Noon);
  // kAuto reads 10/03 month first: 2024-10-03 = 19723 + 274 (Jan…Sep: 31+29+31+30+31+30+31+31+30)
  // + 2 = 19999 days → 19999 × 86400 + 43200 = 1727956800.
  CHECK(seconds("10/03/2024 12:00") == 1727956800);
  // …unless the first number cannot be a month.
  CHECK(seconds("25/03/2024") == seconds("2024-03-25"));
}

TEST_CASE("Timestamp reads DD.MM.YYYY HH:MM as day first", "[timestamp]") {
  CHECK(seconds("10.03.2024 12:00") == kMarch10Noon);
  CHECK(seconds("10.03.2024 12:00", DateOrder::kMonthFirst) == kMarch10Noon);
}

TEST_CASE("Timestamp reads Jira's DD/Mon/YY h:mm PM", "[timestamp]") {
  CHECK(seconds("10/Mar/24 12:00 PM") == kMarch10Noon);
  // 2024-03-12 15:15 = (19792 + 2) × 86400 + 15 × 3600 + 15 × 60 = 1710201600 + 54900 = 1710256500.
  CHECK(seconds("12/Mar/24 3:15 PM") == 1710256500);
  CHECK(seconds("10/march/2024 12:00") == kMarch10Noon);
  CHECK_FALSE(seconds("10/Mrz/24 12:00"));
}

TEST_CASE("Timestamp expands two-digit years below 70 to 20xx and the rest to 19xx",
          "[timestamp]") {
  CHECK(seconds("03/10/24 12:00 PM") == kMarch10Noon);
  CHECK(seconds("1/1/70") == 0);
  // 69 is below 70, so it is 2069; 99 is 1999.
  CHECK(seconds("12/31/69") == seconds("2069-12-31"));
  CHECK(seconds("31.12.99") == seconds("1999-12-31"));
}

TEST_CASE("Timestamp reads Unix seconds and milliseconds", "[timestamp]") {
  CHECK(seconds("1710072000") == kMarch10Noon);
  CHECK(seconds("1710072000123") == kMarch10Noon + 0.123);
  CHECK(has_offset("1710072000"));
  CHECK_FALSE(seconds("12345678"));        // 8 digits: neither
  CHECK_FALSE(seconds("12345678901234"));  // 14 digits: neither
}

TEST_CASE("Timestamp rejects impossible dates and times", "[timestamp]") {
  CHECK_FALSE(seconds("2024-02-30"));
  CHECK_FALSE(seconds("2024-04-31"));
  CHECK_FALSE(seconds("2024-13-01"));
  CHECK_FALSE(seconds("2024-00-10"));
  CHECK_FALSE(seconds("2024-03-00"));
  CHECK_FALSE(seconds("2024-03-10 24:00"));
  CHECK_FALSE(seconds("2024-03-10 12:60"));
  CHECK_FALSE(seconds("2024-03-10T12:00:00+19:00"));
  CHECK_FALSE(seconds("13/13/2024"));
  CHECK_FALSE(seconds("garbage"));
  CHECK_FALSE(seconds("not a date at all"));
  CHECK_FALSE(seconds("2024-03-10 noon"));
  CHECK_FALSE(seconds(""));
  CHECK_FALSE(seconds("   "));
}

TEST_CASE("Timestamp knows which years are leap years", "[timestamp]") {
  // 2024-02-29 = 19723 + 31 + 28 = 19782 days → 1709164800.
  CHECK(seconds("2024-02-29") == 1709164800);
  // 2000 is a leap year (divisible by 400): 2000-01-01 = 30 × 365 + 7 leap days = 10957;
  // 2000-02-29 = 10957 + 59 = 11016 → 951782400.
  CHECK(seconds("2000-02-29") == 951782400);
  CHECK_FALSE(seconds("2023-02-29"));
  CHECK_FALSE(seconds("1900-02-29"));  // divisible by 100, not by 400
  CHECK_FALSE(seconds("2100-02-29"));
  CHECK(days_in_month(2024, 2) == 29);
  CHECK(days_in_month(2023, 2) == 28);
  CHECK(days_in_month(2000, 2) == 29);
  CHECK(days_in_month(1900, 2) == 28);
  CHECK(days_in_month(2024, 4) == 30);
  CHECK(days_in_month(2024, 12) == 31);
}

TEST_CASE("Date order evidence decides day first or month first from unambiguous cells",
          "[timestamp]") {
  SECTION("a first number over 12 is a day") {
    DateOrderEvidence evidence;
    evidence.observe("25/03/2024");
    evidence.observe("03/04/2024");
    CHECK(evidence.day_first_only == 1);
    CHECK(evidence.ambiguous == 1);
    CHECK(evidence.decide() == DateOrder::kDayFirst);
  }
  SECTION("a second number over 12 is a day") {
    DateOrderEvidence evidence;
    evidence.observe("03/25/2024 10:00 AM");
    evidence.observe("2024-03-25");  // not a slash date: no evidence
    CHECK(evidence.month_first_only == 1);
    CHECK(evidence.decide(DateOrder::kDayFirst) == DateOrder::kMonthFirst);
  }
  SECTION("only ambiguous cells leave the fallback") {
    DateOrderEvidence evidence;
    evidence.observe("01/02/2024");
    evidence.observe("12/11/2024");
    CHECK(evidence.decide() == DateOrder::kMonthFirst);
    CHECK(evidence.decide(DateOrder::kDayFirst) == DateOrder::kDayFirst);
  }
  SECTION("conflicting cells are flagged and the majority decides") {
    DateOrderEvidence evidence;
    evidence.observe("25/03/2024");
    evidence.observe("26/03/2024");
    evidence.observe("03/27/2024");
    CHECK(evidence.conflicting());
    CHECK(evidence.decide() == DateOrder::kDayFirst);
  }
}

TEST_CASE("Civil dates and day counts convert both ways", "[timestamp]") {
  CHECK(days_from_civil(1970, 1, 1) == 0);
  CHECK(days_from_civil(1969, 12, 31) == -1);
  CHECK(days_from_civil(2024, 3, 10) == 19792);
  CHECK(days_from_civil(2000, 3, 1) == 11017);  // 10957 + 31 + 29
  CHECK(days_from_civil(1, 1, 1) == -719162);   // proleptic Gregorian: 719162 days before 1970
  char text[32];
  kpilens::format_date(19792, text);
  CHECK(std::string(text) == "2024-03-10");
  kpilens::format_date(-1, text);
  CHECK(std::string(text) == "1969-12-31");
  // Years on both sides of 2^31 and before year 0 (the era is divided in 32 bits when it fits): a
  // year's March 1st is 365 or 366 days after the year before's, by the Gregorian leap rule.
  for (int64_t anchor : {int64_t{0}, int64_t{INT32_MAX}, int64_t{-400}, int64_t{1} << 33}) {
    for (int64_t y = anchor - 5; y <= anchor + 5; ++y) {
      INFO("year " << y);
      const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
      CHECK(days_from_civil(y, 3, 1) - days_from_civil(y - 1, 3, 1) == (leap ? 366 : 365));
      const kpilens::CivilDate back = kpilens::civil_from_days(days_from_civil(y, 3, 1));
      CHECK((back.year == y && back.month == 3 && back.day == 1));
    }
  }
  // 2^31 years × 365.2425 days, from a 400-year cycle count: 146097 days per 400 years.
  CHECK(days_from_civil(2000 + 400 * int64_t{5368709}, 3, 1) - days_from_civil(2000, 3, 1) ==
        int64_t{146097} * 5368709);
}

TEST_CASE("civil_from_days walks the calendar one day at a time and round-trips", "[timestamp]") {
  // From 1600-01-01 to 2400-12-31: each day is the day after the previous one, and converting back
  // gives the same day count.
  const int64_t first = days_from_civil(1600, 1, 1);
  const int64_t last = days_from_civil(2400, 12, 31);
  CivilDate previous = civil_from_days(first - 1);
  CHECK((previous.year == 1599 && previous.month == 12 && previous.day == 31));
  bool all_good = true;
  for (int64_t day = first; day <= last && all_good; ++day) {
    CivilDate date = civil_from_days(day);
    CivilDate expected = previous;
    if (++expected.day > days_in_month(expected.year, expected.month)) {
      expected.day = 1;
      if (++expected.month > 12) {
        expected.month = 1;
        ++expected.year;
      }
    }
    all_good = date.year == expected.year && date.month == expected.month &&
               date.day == expected.day && days_from_civil(date.year, date.month, date.day) == day;
    if (!all_good) {
      INFO("day " << day);
      CHECK(date.year == expected.year);
      CHECK(date.month == expected.month);
      CHECK(date.day == expected.day);
    }
    previous = date;
  }
  CHECK(all_good);
  // 800 years of 365.2425 days: 292194 days plus the 366 of 2400 (2400 is a leap year).
  CHECK(last - first + 1 == 292194 + 366);
}

namespace {

// Same result, bit for bit: both refused, or the same seconds and the same zone flag.
bool same_result(const std::optional<kpilens::Timestamp>& a,
                 const std::optional<kpilens::Timestamp>& b) {
  if (a.has_value() != b.has_value()) return false;
  if (!a) return true;
  return std::bit_cast<uint64_t>(a->seconds) == std::bit_cast<uint64_t>(b->seconds) &&
         a->has_offset == b->has_offset;
}

std::string two(uint64_t n) {
  return std::string(1, static_cast<char>('0' + n / 10 % 10)) + static_cast<char>('0' + n % 10);
}

// A date-time in one of the shapes the fast path reads (HH:MM:SS or HH:MM, a fraction, a zone or
// none), with every field sometimes out of range, and sometimes one byte changed, removed or added,
// or spaces around it.
std::string random_timestamp(std::mt19937_64& random) {
  auto below = [&](uint64_t n) { return random() % n; };
  static constexpr uint64_t kYears[] = {0,    1,    1600, 1899, 1900, 1969, 1970,
                                        1999, 2000, 2023, 2024, 2100, 2400, 9999};
  uint64_t year = below(3) == 0 ? below(10000) : kYears[below(std::size(kYears))];
  std::string s = two(year / 100) + two(year % 100) + "-" + two(below(14)) + "-" +
                  two(below(4) == 0 ? below(33) : 28 + below(4));
  if (below(5) != 0) {
    s += "Tt  "[below(4)];
    s += two(below(5) == 0 ? below(26) : 20 + below(4)) + ":" +
         two(below(5) == 0 ? below(62) : 59 - below(2));
    if (below(4) != 0) s += ":" + two(below(5) == 0 ? below(62) : 58 + below(3));  // else HH:MM
    if (below(3) == 0) {
      s += below(8) == 0 ? ',' : '.';
      for (uint64_t n = below(30); n > 0; --n) s += static_cast<char>('0' + below(10));
    }
    switch (below(8)) {
      case 0:
        s += "Zz"[below(2)];
        break;
      case 1:
      case 2:
        s += "+-"[below(2)] + two(below(20)) + ":" + two(below(62));
        break;
      case 3:
        s += "+-"[below(2)] + two(below(20)) + two(below(62));  // ±HHMM: the general scanner's
        break;
      case 4:
        s += " UTC";
        break;
      default:
        break;
    }
  }
  static constexpr std::string_view kBytes = "0123456789-:T Z+.,/xa\t";
  switch (below(6)) {
    case 0:
      s[below(s.size())] = kBytes[below(kBytes.size())];
      break;
    case 1:
      s.erase(below(s.size()), 1);
      break;
    case 2:
      s.insert(below(s.size() + 1), 1, kBytes[below(kBytes.size())]);
      break;
    case 3:
      s = " " + s + "\t";
      break;
    default:
      break;
  }
  return s;
}

}  // namespace

TEST_CASE("The timestamp fast path reads random and edge cells exactly as the general scanner",
          "[timestamp]") {
  std::mt19937_64 random(20240229);
  uint64_t fast = 0, accepted = 0;
  constexpr int kCells = 300000;
  // Half the cells start with the previous cell's first 10 bytes, as in an export sorted by time,
  // and a quarter with its first 8 (its year and month, with a day of their own): the date memos
  // then hit, on the date or on the month (and also meet invalid dates they must not have kept).
  kpilens::DateMemo memo, fixed_memo;
  std::string previous;
  for (int n = 0; n < kCells; ++n) {
    std::string s = random_timestamp(random);
    const auto shared = random() % 4;
    if (shared < 3 && previous.size() >= 10 && s.size() >= 10) {
      s.replace(0, shared < 2 ? 10 : 8, previous, 0, shared < 2 ? 10 : 8);
    }
    previous = s;
    // The order only matters to slash dates, which come from mutations here.
    const DateOrder order = n % 2 == 0 ? DateOrder::kAuto : DateOrder::kDayFirst;
    const auto general = kpilens::parse_timestamp_general(s, order);
    const auto fixed = kpilens::parse_fixed_timestamp(kpilens::trim(s));
    const auto fixed_memoised = kpilens::parse_fixed_timestamp(kpilens::trim(s), &fixed_memo);
    if (!same_result(kpilens::parse_timestamp(s, order), general) ||
        !same_result(kpilens::parse_timestamp(s, order, &memo), general) ||
        (fixed && !same_result(fixed, general)) || !same_result(fixed_memoised, fixed)) {
      FAIL("'" << s << "' is read differently by the fast path and the general scanner");
    }
    fast += fixed.has_value();
    accepted += general.has_value();
  }
  // The generator is meant to hit both sides of every check: many cells take the fast path, and
  // many valid ones do not (another shape) — the comparison above covers both. (55,732 of the
  // 300,000 take it, 83,183 are read: a sixth is checked.)
  CHECK(fast > kCells / 6);
  CHECK(accepted > fast);
}

TEST_CASE("The timestamp fast path reads the common shapes, and invalid dates stay refused",
          "[timestamp]") {
  using kpilens::parse_fixed_timestamp;
  // 2024-02-29 = 19782 days (see "Timestamp knows which years are leap years") = 1709164800 s.
  CHECK(parse_fixed_timestamp("2024-02-29")->seconds == 1709164800);
  CHECK(parse_fixed_timestamp("2024-02-29 23:59:59")->seconds == 1709164800 + 86399);
  CHECK(parse_fixed_timestamp("2024-03-10T12:00:00Z")->seconds == kMarch10Noon);
  CHECK(parse_fixed_timestamp("2024-03-10T12:00:00.250Z")->seconds == kMarch10Noon + 0.25);
  CHECK(parse_fixed_timestamp("2024-03-10T14:30:00+02:30")->seconds == kMarch10Noon);
  CHECK(parse_fixed_timestamp("2024-03-10T07:00:00-05:00")->has_offset);
  CHECK_FALSE(parse_fixed_timestamp("2024-03-10 12:00:00")->has_offset);
  // A leap second is accepted, as the general scanner does: 23:59:60 = 86400 s into the day.
  CHECK(parse_fixed_timestamp("2024-02-29 23:59:60")->seconds == 1709164800 + 86400);
  // To the minute (the Zendesk and Stripe preset fixtures' times): the seconds are 0.
  CHECK(parse_fixed_timestamp("2024-02-29 23:59")->seconds == 1709164800 + 86340);
  CHECK(parse_fixed_timestamp("2024-03-10T12:00Z")->seconds == kMarch10Noon);
  CHECK(parse_fixed_timestamp("2024-03-10T14:30+02:30")->seconds == kMarch10Noon);
  CHECK_FALSE(parse_fixed_timestamp("2024-03-10 12:00")->has_offset);
  for (std::string_view text :
       {"2023-02-29", "1900-02-29 10:00:00", "2024-04-31T00:00:00Z", "2024-13-01", "0000-01-01",
        "2024-03-10 24:00:00", "2024-03-10T12:00:00+19:00", "2024-03-10 24:00", "2024-03-10 12:60",
        "2024-03-10 12:00+19:00", "2024-03-10 12:00:", "2024-03-10 12:00:5"}) {
    INFO(text);
    CHECK_FALSE(parse_fixed_timestamp(text));
    CHECK_FALSE(parse_timestamp(text));
  }
  // Left to the general scanner, which reads them: a one-digit hour, a 12-hour clock, a named zone.
  for (std::string_view text : {"2024-03-10 9:00", "2024-03-10 09:00 PM", "2024-03-10 09:00 UTC"}) {
    INFO(text);
    CHECK_FALSE(parse_fixed_timestamp(text));
    CHECK(parse_timestamp(text));
  }
}

TEST_CASE("A date memo reads another day of its month, and refuses the days the month lacks",
          "[timestamp]") {
  using kpilens::parse_fixed_timestamp;
  kpilens::DateMemo memo;
  // 2024-02-29 = 19782 days since 1970-01-01 (see above); 2024-03-01 the day after.
  const struct {
    std::string_view text;
    double days;  // −1: refused
  } cells[] = {
      {"2024-02-10 08:00:00", 19763}, {"2024-02-29 08:00:00", 19782},
      {"2024-02-30 08:00:00", -1},    {"2024-02-00 08:00:00", -1},
      {"2024-02-1x 08:00:00", -1},    {"2024-02-01 08:00:00", 19754},
      {"2024-03-01 08:00:00", 19783}, {"2024-03-31 08:00:00", 19813},
      {"2024-03-32 08:00:00", -1},    {"2023-02-29 08:00:00", -1},
      {"2023-02-28 08:00:00", 19416}, {"2023-02-29 08:00:00", -1},
      {"2024-02-29 08:00:00", 19782},
  };
  for (const auto& cell : cells) {
    INFO(cell.text);
    const auto read = parse_fixed_timestamp(cell.text, &memo);
    const auto alone = parse_fixed_timestamp(cell.text);
    if (cell.days < 0) {
      CHECK_FALSE(read);
      CHECK_FALSE(alone);
    } else {
      REQUIRE(read);
      CHECK(read->seconds == cell.days * 86400 + 8 * 3600);
      CHECK(same_result(read, alone));
    }
  }
}

TEST_CASE("A date memo keeps dates of many months apart, and reads each as it would alone",
          "[timestamp]") {
  // Dates from four years, valid and not, read again and again in random order through one memo:
  // many share a slot (the same day of months whose last digits are both odd or both even) and
  // push each other out. Every read equals the read without a memo.
  using kpilens::parse_fixed_timestamp;
  std::mt19937 random(7);
  std::vector<std::string> dates;
  for (int k = 0; k < 300; ++k) {
    const int year = 2022 + static_cast<int>(random() % 4);
    const int month = 1 + static_cast<int>(random() % 12);
    const int day = static_cast<int>(random() % 32);  // 0 and days past the month's end: refused
    char text[32];
    std::snprintf(text, sizeof text, "%04d-%02d-%02d %02d:15:00", year, month, day,
                  static_cast<int>(random() % 24));
    dates.push_back(text);
  }
  kpilens::DateMemo memo;
  uint64_t read = 0;
  for (int n = 0; n < 20000; ++n) {
    const std::string& text = dates[random() % dates.size()];
    const auto with_memo = parse_fixed_timestamp(text, &memo);
    const auto alone = parse_fixed_timestamp(text);
    INFO(text);
    REQUIRE(same_result(with_memo, alone));
    read += alone.has_value();
  }
  CHECK(read > 15000);  // mostly valid dates, and some refused
  CHECK(read < 20000);
}

TEST_CASE("The general scanner's date memo reads each cell as it would alone", "[timestamp]") {
  // Cells of the general scanner's shapes, drawn from a few dates so that most repeat the date
  // before them, with what may follow a date or not: times, 12-hour clocks, zones, commas, junk,
  // nothing. Dates whose bytes begin another's ("1/5/20" and "1/5/2024", "3/1/2024" and
  // "3/12/2024") and both orders. Every read through one memo equals the read without it.
  using kpilens::DateOrder;
  using kpilens::parse_timestamp_general;
  std::mt19937 random(11);
  auto below = [&](unsigned n) { return static_cast<unsigned>(random() % n); };
  const std::vector<std::string> dates = {
      "1/5/20",     "1/5/2020",   "1/5/2024",   "01/05/2024", "3/1/2024",   "3/12/2024",
      "13/12/2024", "12/Mar/24",  "1/Mar/2024", "31.12.2024", "2024/01/05", "2024-1-5",
      "30/02/2024", "02/30/2024", "12/Mrz/24",  "2024-01-05", "3/12/24",    "1/March/2024"};
  const std::vector<std::string> rests = {
      "",          " 3:15 PM",  " 15:15",        "T15:15:01", ", 09:00",
      " 9:00 am",  " 10:00 Z",  " 10:00 +02:00", "1 10:00",   "4 10:00",
      "x",         " 25:00",    " UTC",          "Z",         " 16:34:31",
      "T16:34:31", " 24:00:00", " 23:59:60",     " 23:60:00", " 1:34:31",
      " 16:34:3x", " 16-34-31", "  16:34:31",    ",16:34:31", "t16:34:31"};
  kpilens::DateMemo memo;
  uint64_t read = 0;
  std::string previous = dates[0];
  for (int n = 0; n < 50000; ++n) {
    if (below(8) == 0) previous = dates[below(static_cast<unsigned>(dates.size()))];
    const std::string text = previous + rests[below(static_cast<unsigned>(rests.size()))];
    const DateOrder order = below(16) == 0   ? DateOrder::kDayFirst
                            : below(16) == 0 ? DateOrder::kAuto
                                             : DateOrder::kMonthFirst;
    const auto with_memo = parse_timestamp_general(text, order, &memo);
    const auto alone = parse_timestamp_general(text, order);
    INFO(text);
    REQUIRE(same_result(with_memo, alone));
    read += alone.has_value();
  }
  CHECK(read > 20000);
  CHECK(read < 45000);
  CHECK(std::any_of(memo.general.begin(), memo.general.end(),
                    [](const auto& slot) { return slot.size > 0; }));  // it holds dates
}

TEST_CASE("Short times read at fixed places as the scanner reads them", "[timestamp]") {
  using kpilens::scan_time_after_date;
  using kpilens::short_time_of_day;
  // By hand: seconds into the day.
  CHECK(short_time_of_day(" 4:34 PM") == 16 * 3600 + 34 * 60);
  CHECK(short_time_of_day(" 12:05 AM") == 5 * 60);
  CHECK(short_time_of_day(" 12:05 pm") == 12 * 3600 + 5 * 60);
  CHECK(short_time_of_day(" 11:59:59PM") == 23 * 3600 + 59 * 60 + 59);
  CHECK(short_time_of_day(" 16:34:31") == 16 * 3600 + 34 * 60 + 31);
  CHECK(short_time_of_day("T09:00") == 9 * 3600);
  CHECK(short_time_of_day(",23:59:60") == 86400);  // a leap second, as everywhere
  // Jira's " H:MM AM" and " HH:MM PM", read as eight bytes at once.
  CHECK(short_time_of_day(" 12:00 am") == 0);
  CHECK(short_time_of_day("T1:05 pM") == 13 * 3600 + 5 * 60);
  CHECK(short_time_of_day(",9:59 AM") == 9 * 3600 + 59 * 60);
  CHECK(short_time_of_day(" 12:59 PM") == 12 * 3600 + 59 * 60);
  for (std::string_view rest :
       {"", " 24:00", " 0:30 AM", " 13:00 PM", " 16:34:31.5", " 16:34Z", " 16:34 +02:00", "  16:34",
        " 16:34:3", " 4:34 PMx", " 1:60", " 4:60 PM", " 00:30 AM", " 4:3x PM", " 4:34 PN",
        " 4:34_PM", " 4;34 PM", " x4:34 PM", "x4:34 PM"}) {
    INFO(rest);
    CHECK(std::isnan(
        short_time_of_day(rest)));  // another shape, or out of range: the scanner decides
  }
  // Random rests built from the pieces times are made of, some of them then hit by a random byte.
  // Whatever the short forms read, the scanner reads to the same bits, without a zone.
  std::mt19937 random(13);
  auto below = [&](unsigned n) { return static_cast<unsigned>(random() % n); };
  auto pick = [&](const std::vector<std::string>& from) {
    return from[below(static_cast<unsigned>(from.size()))];
  };
  const std::vector<std::string> separators = {" ", " ",  " ",  " ", "T", "t",
                                               ",", ", ", "  ", "x", "",  "\t"};
  const std::vector<std::string> markers = {
      "",     "",    "",   "",     " AM", " PM", "PM",      " pm", " Am",  " aM",   " AM ",
      "  PM", " XM", " A", " UTC", "Z",   " Z",  " +02:00", ".5",  ",250", "-0530", " PM Z"};
  const double days = 19792;  // 2024-03-10
  uint64_t short_read = 0, scanned = 0;
  for (int n = 0; n < 200000; ++n) {
    auto number = [&](unsigned limit) {
      const unsigned value = below(limit);
      const unsigned shape = below(8);
      if (shape == 0) return std::to_string(value);  // no leading zero: 1 or 2 digits
      if (shape == 1) return std::string("x") + std::to_string(value % 10);
      return two(value);
    };
    std::string rest = pick(separators) + number(below(4) == 0 ? 30 : 13) +
                       (below(30) == 0 ? "." : ":") + number(below(8) == 0 ? 70 : 60);
    if (below(2) == 0) rest += ":" + number(below(8) == 0 ? 66 : 60);
    rest += pick(markers);
    if (below(10) == 0)
      rest[below(static_cast<unsigned>(rest.size()))] = static_cast<char>(random());
    const auto fast = short_time_of_day(rest);
    const auto scan = scan_time_after_date(days, rest);
    INFO("'" << rest << "'");
    if (!std::isnan(fast))
      REQUIRE(same_result(scan, kpilens::Timestamp{days * 86400 + fast, false}));
    short_read += !std::isnan(fast);
    scanned += scan.has_value();
  }
  // Both sides of the short forms are hit: many rests are read there, and many the scanner reads
  // are not (a zone, a fraction, two spaces…). 27,036 and 66,957 of the 200,000 when written.
  CHECK(short_read > 200000 / 10);
  CHECK(scanned > short_read + 200000 / 10);
}

TEST_CASE("The general scanner's memo keeps many dates apart, and reads each as it would alone",
          "[timestamp]") {
  // Hundreds of dates in the general scanner's shapes, valid and not (day 0, day 31 of short
  // months, months past 12), read again and again in random order through one memo of 32 slots:
  // many share a slot and push each other out. Every read equals the read without a memo.
  using kpilens::DateOrder;
  using kpilens::parse_timestamp_general;
  std::mt19937 random(17);
  auto below = [&](unsigned n) { return static_cast<unsigned>(random() % n); };
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::vector<std::string> dates;
  for (int k = 0; k < 400; ++k) {
    const unsigned month = 1 + below(13), day = below(32), year = 2020 + below(6);
    char text[32];
    switch (below(5)) {
      case 0:
        std::snprintf(text, sizeof text, "%02u/%02u/%u", month, day, year);
        break;
      case 1:
        std::snprintf(text, sizeof text, "%u/%u/%u", month, day, year);
        break;
      case 2:
        std::snprintf(text, sizeof text, "%02u/%s/%02u", day, kMonths[(month - 1) % 12],
                      year % 100);
        break;
      case 3:  // 6 to 8 bytes: "1/5/24"
        std::snprintf(text, sizeof text, "%u/%u/%02u", month, day, year % 100);
        break;
      default:
        std::snprintf(text, sizeof text, "%02u.%02u.%u", day, month, year);
        break;
    }
    dates.push_back(text);
  }
  dates.push_back("12/March/2024");  // 13 bytes: past what the memo keeps
  dates.push_back("1/March/2024");   // 12: the most it keeps
  const std::vector<std::string> rests = {
      "", " 4:34 PM", " 16:34:31", ",16:34", " 16:34 +02:00", "x 10:00", " 25:00", "T16:34:31"};
  kpilens::DateMemo memo;
  uint64_t read = 0;
  for (int n = 0; n < 40000; ++n) {
    const std::string text = dates[below(static_cast<unsigned>(dates.size()))] +
                             rests[below(static_cast<unsigned>(rests.size()))];
    const DateOrder order = below(8) == 0 ? DateOrder::kDayFirst : DateOrder::kMonthFirst;
    const auto with_memo = parse_timestamp_general(text, order, &memo);
    const auto alone = parse_timestamp_general(text, order);
    INFO(text);
    REQUIRE(same_result(with_memo, alone));
    read += alone.has_value();
  }
  CHECK(read > 15000);  // many valid, and many refused
  CHECK(read < 35000);
}

TEST_CASE("A general date in the memo is taken from it, not read again", "[timestamp]") {
  // The memo's days are what a hit returns: moved by one, the next read of the same date moves by a
  // day, so a lookup that never matched would show here. A 13-byte date is not kept, nor one
  // followed by T, and a hit needs the order it was read in.
  using kpilens::DateOrder;
  using kpilens::parse_timestamp_general;
  kpilens::DateMemo memo;
  auto read = [&](std::string_view text, DateOrder order = DateOrder::kMonthFirst) {
    return parse_timestamp_general(text, order, &memo)->seconds;
  };
  const double first = read("01/15/2024 10:00");
  for (auto& slot : memo.general) slot.days += 1;
  CHECK(read("01/15/2024 4:34 PM") == first + 86400 + 6 * 3600 + 34 * 60);
  CHECK(read("01/15/2024") == first + 86400 - 10 * 3600);
  CHECK(read("01/15/2024,10:00") == first + 86400);
  // Day first, 01/15 is no date at all; read month first again, it is the memo's.
  CHECK_FALSE(parse_timestamp_general("01/15/2024 10:00", DateOrder::kDayFirst, &memo));
  CHECK(read("01/15/2024 10:00") == first + 86400);
  for (std::string_view text : {"12/March/2024 10:00", "3/Mar/2024T10:00:00"}) {
    INFO(text);
    kpilens::DateMemo fresh;
    const double alone = parse_timestamp_general(text, DateOrder::kMonthFirst, &fresh)->seconds;
    for (auto& slot : fresh.general) slot.days += 1;
    CHECK(parse_timestamp_general(text, DateOrder::kMonthFirst, &fresh)->seconds == alone);
  }
}
