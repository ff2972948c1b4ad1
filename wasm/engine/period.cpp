// period: day index = floor((t + offset) / 86400); 1970-01-01 was a Thursday, so Monday weeks start
// 3 days before a multiple of 7 and Sunday weeks 4 days before.
#include "period.h"

#include <limits>

#include "code_placement.h"
#include "decimal.h"
#include "timestamp.h"

namespace kpilens {

namespace {

int64_t floor_div(int64_t a, int64_t b) {
  // wasm has no 64-bit multiply-high, so a 64-bit division by a constant stays an i64.div there;
  // the days of real data take a 32-bit one, which V8 can turn into a multiply (the week index in a
  // microbenchmark in Node: 2.0–4.4 → 1.5–1.7 ns a call). Both are the floor for a >= 0.
  if (a >= 0 && a <= INT32_MAX && b > 0 && b <= INT32_MAX) {
    return static_cast<uint32_t>(a) / static_cast<uint32_t>(b);
  }
  int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

// The first and last day of period `index` (days since 1970-01-01 on the period's clock). Not for
// kAll, which has none.
struct PeriodDays {
  int64_t first = 0;
  int64_t last = 0;
};
PeriodDays period_days(int64_t index, const PeriodSpec& spec) {
  switch (spec.grain) {
    case Grain::kDay:
      return {index, index};
    case Grain::kWeek: {
      const int64_t first = index * 7 - (spec.week_starts_sunday ? 4 : 3);
      return {first, first + 6};
    }
    case Grain::kMonth: {
      const int64_t year = floor_div(index, 12);
      const auto month = static_cast<unsigned>(index - year * 12) + 1;
      return {days_from_civil(year, month, 1),
              days_from_civil(year, month, days_in_month(year, month))};
    }
    case Grain::kQuarter: {
      const int64_t year = floor_div(index, 4);
      const auto last_month = (static_cast<unsigned>(index - year * 4) + 1) * 3;
      return {days_from_civil(year, last_month - 2, 1),
              days_from_civil(year, last_month, days_in_month(year, last_month))};
    }
    case Grain::kYear:
      return {days_from_civil(index, 1, 1), days_from_civil(index, 12, 31)};
    case Grain::kAll:
      break;
  }
  return {};
}

std::string date_string(int64_t days) {
  char buffer[32];
  format_date(days, buffer);
  return buffer;
}

}  // namespace

std::optional<Grain> parse_grain(std::string_view name) {
  if (name == "day") return Grain::kDay;
  if (name == "week") return Grain::kWeek;
  if (name == "month") return Grain::kMonth;
  if (name == "quarter") return Grain::kQuarter;
  if (name == "year") return Grain::kYear;
  if (name == "all") return Grain::kAll;
  return std::nullopt;
}

std::string_view grain_name(Grain grain) {
  switch (grain) {
    case Grain::kDay:
      return "day";
    case Grain::kWeek:
      return "week";
    case Grain::kMonth:
      return "month";
    case Grain::kQuarter:
      return "quarter";
    case Grain::kYear:
      return "year";
    case Grain::kAll:
      return "all";
  }
  return "all";
}

KPILENS_ROW_PATH_INLINE int64_t period_index(double epoch_seconds, const PeriodSpec& spec) {
  const int64_t day = local_day(epoch_seconds, spec.utc_offset_minutes);
  switch (spec.grain) {
    case Grain::kDay:
      return day;
    case Grain::kWeek:
      return floor_div(day + (spec.week_starts_sunday ? 4 : 3), 7);
    case Grain::kMonth: {
      CivilDate d = civil_from_days(day);
      return d.year * 12 + (d.month - 1);
    }
    case Grain::kQuarter: {
      CivilDate d = civil_from_days(day);
      return d.year * 4 + (d.month - 1) / 3;
    }
    case Grain::kYear:
      return civil_from_days(day).year;
    case Grain::kAll:
      return 0;
  }
  return 0;
}

// Built for size, though not run once per report only: a sorted export misses twice per period,
// and rows in no order miss every time but only note their period (the page's wasm weight has a
// budget; the shuffled bench file's weekly figures still took fewer instructions than before the
// memo: docs/architecture.md, "Escaped records, small cells, periods").
KPILENS_RARELY_RUN int64_t period_index_remembering(double epoch_seconds, const PeriodSpec& spec,
                                                    PeriodMemo& memo) {
  const int64_t index = period_index(epoch_seconds, spec);
  if (index != memo.last_miss) {
    memo.last_miss = index;
    return index;
  }
  if (spec.grain == Grain::kAll) {
    memo = {-std::numeric_limits<double>::infinity(), std::numeric_limits<double>::infinity(), 0};
    return index;
  }
  const PeriodDays days = period_days(index, spec);
  // Its first and last whole second as instants, each checked rather than trusted (the rounding
  // of the instant plus the offset, then over 86,400, decides at the edges): an instant after the
  // last whole second, or one that misses for any other reason, is computed as it comes.
  const double offset = spec.utc_offset_minutes * 60.0;
  const double low = static_cast<double>(days.first) * 86400.0 - offset;
  const double high = static_cast<double>(days.last + 1) * 86400.0 - offset - 1;
  if (low <= epoch_seconds && epoch_seconds <= high && period_index(low, spec) == index &&
      period_index(high, spec) == index) {
    memo = {low, high, index};  // (and no last miss: the next miss notes its period again)
  }
  return index;
}

PeriodLabel period_label(int64_t index, const PeriodSpec& spec) {
  PeriodLabel label;
  if (spec.grain == Grain::kAll) {
    label.key = "all";
    return label;
  }
  const PeriodDays days = period_days(index, spec);
  label.start = date_string(days.first);
  label.end = date_string(days.last);
  char buffer[32];
  switch (spec.grain) {
    case Grain::kDay:
      label.key = label.start;
      break;
    case Grain::kWeek:
      if (spec.week_starts_sunday) {
        label.key = label.start;
      } else {
        // ISO 8601: the week belongs to the year of its Thursday.
        int64_t thursday = days.first + 3;
        CivilDate t = civil_from_days(thursday);
        int64_t week = (thursday - days_from_civil(t.year, 1, 1)) / 7 + 1;
        char* end = write_zero_padded(buffer, t.year, 4);
        *end++ = '-';
        *end++ = 'W';
        end = write_zero_padded(end, week, 2);
        label.key.assign(buffer, end);
      }
      break;
    case Grain::kMonth: {
      int64_t year = floor_div(index, 12);
      unsigned month = static_cast<unsigned>(index - year * 12) + 1;
      char* end = write_zero_padded(buffer, year, 4);
      *end++ = '-';
      end = write_zero_padded(end, month, 2);
      label.key.assign(buffer, end);
      break;
    }
    case Grain::kQuarter: {
      int64_t year = floor_div(index, 4);
      unsigned quarter = static_cast<unsigned>(index - year * 4) + 1;
      char* end = write_zero_padded(buffer, year, 4);
      *end++ = '-';
      *end++ = 'Q';
      end = write_zero_padded(end, quarter, 1);
      label.key.assign(buffer, end);
      break;
    }
    case Grain::kYear:
      label.key.assign(buffer, write_zero_padded(buffer, index, 4));
      break;
    case Grain::kAll:
      break;
  }
  return label;
}

}  // namespace kpilens
