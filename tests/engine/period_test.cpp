// period tests: each grain's index and label, ISO weeks across year ends, Sunday weeks, the UTC
// offset, instants before 1970, and the period memo.
//
// Day anchors (days since 1970-01-01, which was a Thursday):
//   2024-01-01 = 19723 (54 × 365 + 13 leap days); 19723 mod 7 = 4 → Thursday + 4 = Monday
//   2024-03-10 = 19723 + 31 + 29 + 9 = 19792; 19792 mod 7 = 3 → Sunday
//   2021-01-01 = 51 × 365 + 13 leap days = 18628; 18628 mod 7 = 1 → Friday
//   2020-01-01 = 50 × 365 + 12 leap days = 18262
#include "period.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <iomanip>
#include <string>
#include <utility>
#include <vector>

using kpilens::Grain;
using kpilens::period_index;
using kpilens::period_label;
using kpilens::PeriodLabel;
using kpilens::PeriodSpec;

namespace {

constexpr double kDay = 86400;

PeriodSpec spec_of(Grain grain, int utc_offset_minutes = 0, bool sunday = false) {
  PeriodSpec spec;
  spec.grain = grain;
  spec.utc_offset_minutes = utc_offset_minutes;
  spec.week_starts_sunday = sunday;
  return spec;
}

PeriodLabel label_at(double epoch_seconds, const PeriodSpec& spec) {
  return period_label(period_index(epoch_seconds, spec), spec);
}

}  // namespace

TEST_CASE("Day periods are day counts labelled with the date", "[period]") {
  const PeriodSpec spec = spec_of(Grain::kDay);
  CHECK(period_index(19792 * kDay + 12 * 3600, spec) == 19792);
  PeriodLabel label = period_label(19792, spec);
  CHECK(label.key == "2024-03-10");
  CHECK(label.start == "2024-03-10");
  CHECK(label.end == "2024-03-10");
}

TEST_CASE("Week periods are ISO weeks starting on Monday", "[period]") {
  const PeriodSpec spec = spec_of(Grain::kWeek);
  // 2024-01-01 is a Monday and its week's Thursday (Jan 4) is in 2024: week 1.
  PeriodLabel first = label_at(19723 * kDay, spec);
  CHECK(first.key == "2024-W01");
  CHECK(first.start == "2024-01-01");
  CHECK(first.end == "2024-01-07");
  // Sunday 2024-03-10 closes the week Mon 03-04 … Sun 03-10; its Thursday, 03-07, is day
  // 31 + 29 + 7 = 67 of 2024 → week (67 − 1) / 7 + 1 = 10.
  PeriodLabel march = label_at(19792 * kDay + 23 * 3600, spec);
  CHECK(march.key == "2024-W10");
  CHECK(march.start == "2024-03-04");
  CHECK(march.end == "2024-03-10");
  // Consecutive weeks have consecutive indexes.
  CHECK(period_index(19793 * kDay, spec) == period_index(19792 * kDay, spec) + 1);
}

TEST_CASE("The ISO week containing 1 January 2021 is 2020-W53", "[period]") {
  // Friday 2021-01-01 (day 18628) is in the week Mon 2020-12-28 … Sun 2021-01-03, whose Thursday
  // (2020-12-31) makes it 2020's 53rd week.
  PeriodLabel label = label_at(18628 * kDay, spec_of(Grain::kWeek));
  CHECK(label.key == "2020-W53");
  CHECK(label.start == "2020-12-28");
  CHECK(label.end == "2021-01-03");
}

TEST_CASE("The ISO week of Monday 30 December 2019 is 2020-W01", "[period]") {
  // 2019-12-30 = 18262 − 2 = 18260; its week's Thursday is 2020-01-02.
  PeriodLabel label = label_at(18260 * kDay, spec_of(Grain::kWeek));
  CHECK(label.key == "2020-W01");
  CHECK(label.start == "2019-12-30");
  CHECK(label.end == "2020-01-05");
}

TEST_CASE("Sunday-start weeks are keyed by their first day", "[period]") {
  const PeriodSpec spec = spec_of(Grain::kWeek, 0, true);
  // Sunday 2024-03-10 opens its own week.
  PeriodLabel sunday = label_at(19792 * kDay, spec);
  CHECK(sunday.key == "2024-03-10");
  CHECK(sunday.start == "2024-03-10");
  CHECK(sunday.end == "2024-03-16");
  // Saturday 2024-03-09 belongs to the week that opened on Sunday 03-03.
  PeriodLabel saturday = label_at(19791 * kDay + 86399, spec);
  CHECK(saturday.key == "2024-03-03");
  CHECK(saturday.end == "2024-03-09");
}

TEST_CASE("Month periods cover the calendar month", "[period]") {
  const PeriodSpec spec = spec_of(Grain::kMonth);
  // 2024-02-15 = 19723 + 31 + 14 = 19768; index = 2024 × 12 + (2 − 1) = 24289.
  CHECK(period_index(19768 * kDay, spec) == 24289);
  PeriodLabel label = period_label(24289, spec);
  CHECK(label.key == "2024-02");
  CHECK(label.start == "2024-02-01");
  CHECK(label.end == "2024-02-29");  // leap year
}

TEST_CASE("Quarter periods cover three months", "[period]") {
  const PeriodSpec spec = spec_of(Grain::kQuarter);
  // 2024-05-20 = 19723 + 31 + 29 + 31 + 30 + 19 = 19863; index = 2024 × 4 + 1 = 8097.
  CHECK(period_index(19863 * kDay, spec) == 8097);
  PeriodLabel label = period_label(8097, spec);
  CHECK(label.key == "2024-Q2");
  CHECK(label.start == "2024-04-01");
  CHECK(label.end == "2024-06-30");
  CHECK(period_label(8099, spec).end == "2024-12-31");  // Q4
}

TEST_CASE("Year periods cover the calendar year", "[period]") {
  const PeriodSpec spec = spec_of(Grain::kYear);
  CHECK(period_index(19792 * kDay, spec) == 2024);
  PeriodLabel label = period_label(2024, spec);
  CHECK(label.key == "2024");
  CHECK(label.start == "2024-01-01");
  CHECK(label.end == "2024-12-31");
}

TEST_CASE("The all period holds every instant", "[period]") {
  const PeriodSpec spec = spec_of(Grain::kAll);
  CHECK(period_index(19792 * kDay, spec) == 0);
  CHECK(period_index(-5 * kDay, spec) == 0);
  CHECK(period_label(0, spec).key == "all");
}

TEST_CASE("The UTC offset moves an instant across a day boundary", "[period]") {
  // 2024-03-10T23:30Z is already 2024-03-11 00:30 at UTC+01:00.
  const double late = 19792 * kDay + 23 * 3600 + 30 * 60;
  CHECK(label_at(late, spec_of(Grain::kDay)).key == "2024-03-10");
  CHECK(label_at(late, spec_of(Grain::kDay, 60)).key == "2024-03-11");
  // 2024-03-10T00:30Z is still 2024-03-09 23:30 at UTC−01:00.
  const double early = 19792 * kDay + 30 * 60;
  CHECK(label_at(early, spec_of(Grain::kDay, -60)).key == "2024-03-09");
  // The same shift moves an instant across an ISO week (Sunday → Monday) and across a month:
  // 2024-02-29 (day 19723 + 31 + 28 = 19782) at 23:30Z is 2024-03-01 05:00 at +05:30.
  CHECK(label_at(late, spec_of(Grain::kWeek, 60)).key == "2024-W11");
  const double leap_day_late = 19782 * kDay + 23.5 * 3600;
  CHECK(label_at(leap_day_late, spec_of(Grain::kMonth)).key == "2024-02");
  CHECK(label_at(leap_day_late, spec_of(Grain::kMonth, 330)).key == "2024-03");
}

TEST_CASE("Instants before 1970 fall in the right periods", "[period]") {
  // −1 s is 1969-12-31 23:59:59: day −1, not day 0.
  CHECK(period_index(-1, spec_of(Grain::kDay)) == -1);
  CHECK(label_at(-1, spec_of(Grain::kDay)).key == "1969-12-31");
  CHECK(label_at(-0.5, spec_of(Grain::kDay)).key == "1969-12-31");
  // Wednesday 1969-12-31 is in the ISO week Mon 1969-12-29 … Sun 1970-01-04, whose Thursday is
  // 1970-01-01: 1970-W01.
  PeriodLabel week = label_at(-1, spec_of(Grain::kWeek));
  CHECK(week.key == "1970-W01");
  CHECK(week.start == "1969-12-29");
  CHECK(week.end == "1970-01-04");
  // Sunday 1969-12-28 (day −4) ends the week of Mon 12-22, Thursday 12-25 = day 359 of 1969 →
  // week (359 − 1) / 7 + 1 = 52.
  PeriodLabel before = label_at(-4 * kDay, spec_of(Grain::kWeek));
  CHECK(before.key == "1969-W52");
  CHECK(before.start == "1969-12-22");
  // Month and year: index 1969 × 12 + 11 = 23639.
  CHECK(period_index(-1, spec_of(Grain::kMonth)) == 23639);
  CHECK(label_at(-1, spec_of(Grain::kMonth)).key == "1969-12");
  CHECK(label_at(-1, spec_of(Grain::kQuarter)).key == "1969-Q4");
  CHECK(label_at(-365 * kDay, spec_of(Grain::kYear)).key == "1969");  // 1969-01-01
}

TEST_CASE("Grain names parse and print both ways", "[period]") {
  for (Grain grain :
       {Grain::kDay, Grain::kWeek, Grain::kMonth, Grain::kQuarter, Grain::kYear, Grain::kAll}) {
    CHECK(kpilens::parse_grain(kpilens::grain_name(grain)) == grain);
  }
  CHECK(kpilens::grain_name(Grain::kQuarter) == "quarter");
  CHECK_FALSE(kpilens::parse_grain("weekly").has_value());
  CHECK_FALSE(kpilens::parse_grain("Week").has_value());
}

TEST_CASE("local_day floors toward minus infinity, as std::floor does, at any offset", "[period]") {
  // The reference is std::floor((t + offset × 60) / 86400) itself, over instants either side of
  // midnights before and after 1970, fractions of a second included.
  for (int offset : {0, 60, -330, 840}) {
    for (double day : {-719162.0, -2.0, -1.0, 0.0, 1.0, 19782.0, 2932896.0}) {
      for (double second : {-86400.5, -1.0, -0.25, 0.0, 0.25, 1.0, 43200.0, 86399.75}) {
        const double t = day * 86400.0 + second;
        const double local = t + offset * 60.0;
        INFO("t " << t << " offset " << offset);
        CHECK(kpilens::local_day(t, offset) == static_cast<int64_t>(std::floor(local / 86400.0)));
      }
    }
  }
}

TEST_CASE(
    "Week, month and year indexes agree with 64-bit floor arithmetic on both sides of 2^31 days",
    "[period]") {
  // The row path divides in 32 bits where the day count allows it (wasm has no 64-bit
  // multiply-high): its results must be the floor divisions' on both sides of that limit, and
  // before 1970. The reference: floor division by hand, and Howard Hinnant's civil algorithms
  // written out in int64 (http://howardhinnant.github.io/date_algorithms.html).
  const auto floor_div = [](int64_t a, int64_t b) {
    const int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
  };
  const auto civil = [&](int64_t z) {
    z += 719468;
    const int64_t era = floor_div(z, 146097);
    const int64_t doe = z - era * 146097;
    const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const int64_t mp = (5 * doy + 2) / 153;
    const int64_t m = mp < 10 ? mp + 3 : mp - 9;
    return std::pair<int64_t, int64_t>{yoe + era * 400 + (m <= 2), m};
  };
  const int64_t limit = INT32_MAX;
  std::vector<int64_t> days;
  for (int64_t anchor : {int64_t{0}, int64_t{19723}, limit - 719468, limit - 4, limit,
                         int64_t{-719468}, int64_t{-1} << 33, int64_t{1} << 33}) {
    for (int64_t k = -9; k <= 9; ++k) days.push_back(anchor + k);
  }
  for (const int64_t day : days) {
    INFO("day " << day);
    const double noon = (static_cast<double>(day) + 0.5) * kDay;
    CHECK(period_index(noon, spec_of(Grain::kDay)) == day);
    CHECK(period_index(noon, spec_of(Grain::kWeek)) == floor_div(day + 3, 7));
    CHECK(period_index(noon, spec_of(Grain::kWeek, 0, true)) == floor_div(day + 4, 7));
    const auto [year, month] = civil(day);
    CHECK(period_index(noon, spec_of(Grain::kMonth)) == year * 12 + month - 1);
    CHECK(period_index(noon, spec_of(Grain::kYear)) == year);
  }
}

// The memo's answer is period_index's for every instant, whatever came before it: instants in
// time order and shuffled, on and beside every local midnight (so every period's edges) of days
// around year, quarter and month ends, before 1970 too, for every grain and a few offsets.
TEST_CASE("A period memo gives period_index's period for every instant", "[period]") {
  // First days of stretches: 1969-12-20, 2023-09-25 (Q4 starts 2023-10-01), 2024-02-20 (a leap
  // February), 2024-12-20 (2025-01-01), and 0000-12-20 (day -719468 is 0000-03-01).
  const std::vector<int64_t> starts = {-12, 19625, 19773, 20077, -719468 + 294};
  for (Grain grain :
       {Grain::kDay, Grain::kWeek, Grain::kMonth, Grain::kQuarter, Grain::kYear, Grain::kAll}) {
    for (int offset : {0, -300, 330, 840, -720}) {
      for (bool sunday : {false, true}) {
        if (sunday && grain != Grain::kWeek) continue;
        const PeriodSpec spec = spec_of(grain, offset, sunday);
        std::vector<double> instants;
        for (int64_t start : starts) {
          for (int64_t day = start; day < start + 20; ++day) {
            // The local midnight starting `day`, and instants around it and within the day.
            const double midnight = static_cast<double>(day) * kDay - offset * 60.0;
            for (double t : {midnight - 1, midnight - 0.5, midnight, midnight + 0.25, midnight + 1,
                             midnight + kDay / 2}) {
              instants.push_back(t);
              instants.push_back(std::nextafter(t, -1e300));
              instants.push_back(std::nextafter(t, 1e300));
            }
          }
        }
        std::vector<double> shuffled = instants;
        uint64_t state = 20240101;
        for (size_t i = shuffled.size(); i > 1; --i) {
          state = state * 6364136223846793005ULL + 1442695040888963407ULL;
          std::swap(shuffled[i - 1], shuffled[(state >> 33) % i]);
        }
        for (const auto* order : {&instants, &shuffled}) {
          kpilens::PeriodMemo memo;
          for (double t : *order) {
            if (period_index(t, spec, memo) != period_index(t, spec)) {
              FAIL("grain " << static_cast<int>(grain) << " offset " << offset << " sunday "
                            << sunday << " t " << std::setprecision(17) << t);
            }
          }
        }
      }
    }
  }
}

TEST_CASE("A period memo holds the period's first to last whole second", "[period]") {
  // The memo after two instants of one period: its first and last whole second, by hand.
  const auto bounds = [](const PeriodSpec& spec, double a, double b) {
    kpilens::PeriodMemo memo;
    period_index(a, spec, memo);
    CHECK(memo.low > memo.high);  // one miss in the period: not remembered yet
    period_index(b, spec, memo);
    CHECK(memo.index == period_index(a, spec));
    return std::pair<double, double>{memo.low, memo.high};
  };
  // 2024-01-01 (day 19723) was a Monday: its ISO week on a clock 60 minutes east of UTC starts at
  // 2024-01-01T00:00:00+01:00.
  const double monday = 19723 * kDay - 3600;
  CHECK(bounds(spec_of(Grain::kWeek, 60), monday + 2 * kDay, monday + 3 * kDay) ==
        std::pair<double, double>{monday, monday + 7 * kDay - 1});
  // The Sunday week of Sunday 2024-03-10 (day 19792), at UTC.
  CHECK(bounds(spec_of(Grain::kWeek, 0, true), 19793 * kDay, 19795 * kDay) ==
        std::pair<double, double>{19792 * kDay, 19799 * kDay - 1});
  // A day 330 minutes east of UTC: 2024-01-01 from 2023-12-31T18:30:00Z.
  CHECK(bounds(spec_of(Grain::kDay, 330), 19723 * kDay, 19723 * kDay + 60) ==
        std::pair<double, double>{19723 * kDay - 19800, 19724 * kDay - 19800 - 1});
  // February 2024 has 29 days: 2024-02-01 is day 19723 + 31.
  const double february = (19723 + 31) * kDay;
  CHECK(bounds(spec_of(Grain::kMonth), february + 10 * kDay, february + 11 * kDay) ==
        std::pair<double, double>{february, february + 29 * kDay - 1});
  // December 2024 (day 20058 = 2024-12-01; 2025-01-01 = 20089) and 2024's Q4 (2024-10-01 = 19997).
  CHECK(bounds(spec_of(Grain::kMonth), 20070 * kDay, 20071 * kDay) ==
        std::pair<double, double>{20058 * kDay, 20089 * kDay - 1});
  CHECK(bounds(spec_of(Grain::kQuarter), 20070 * kDay, 20000 * kDay) ==
        std::pair<double, double>{19997 * kDay, 20089 * kDay - 1});
  // The year 2024 (366 days) on a clock 300 minutes west of UTC.
  CHECK(bounds(spec_of(Grain::kYear, -300), 19800 * kDay, 19900 * kDay) ==
        std::pair<double, double>{19723 * kDay + 18000, (19723 + 366) * kDay + 18000 - 1});
  // 1969 (days -365 to -1): before the epoch.
  CHECK(bounds(spec_of(Grain::kYear), -100 * kDay, -200 * kDay) ==
        std::pair<double, double>{-365 * kDay, -1});
}
