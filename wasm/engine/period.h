// period: buckets instants into days, weeks, months, quarters or years at a fixed UTC offset; each
// period is an integer index so group tables stay integer-keyed and ordered.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kpilens {

enum class Grain { kDay, kWeek, kMonth, kQuarter, kYear, kAll };

struct PeriodSpec {
  Grain grain = Grain::kWeek;
  bool week_starts_sunday = false;  // ISO weeks start on Monday
  int utc_offset_minutes = 0;       // bucketing happens on the clock at this offset
};

std::optional<Grain> parse_grain(std::string_view name);
std::string_view grain_name(Grain grain);

// The day (since 1970-01-01) of an instant on the clock `utc_offset_minutes` east of UTC:
// floor((t + offset) / 86400), with the floor done on integers (no libm call per row).
inline int64_t local_day(double epoch_seconds, int utc_offset_minutes) {
  const double days = (epoch_seconds + utc_offset_minutes * 60.0) / 86400.0;
  // Truncation, one less for a negative fraction: floor for every |days| < 2^63 (and doubles of
  // 2^52 and more are whole, so the comparison never misfires there).
  const auto truncated = static_cast<int64_t>(days);
  return static_cast<double>(truncated) > days ? truncated - 1 : truncated;
}

// The period of an instant (seconds since the epoch, UTC).
int64_t period_index(double epoch_seconds, const PeriodSpec& spec);

// Instants [low, high] of one period, as period_index gives it for both ends (so for every instant
// between them: it never decreases as the instant grows). Rows of an export mostly fall in the
// period of the row before: their period is then two comparisons instead of a division, a
// conversion and the calendar. A period is remembered when two misses in a row fall in it, so
// that rows in no order (each in another period than the last) do not pay for working out its
// ends each time. Keep one per column; it never changes a result.
struct PeriodMemo {
  double low = 1;  // empty (low > high) until a period is remembered
  double high = 0;
  int64_t index = 0;
  int64_t last_miss = INT64_MIN;  // the period of the last instant outside [low, high]
};
// period_index(epoch_seconds, spec), remembering the period for the next call.
int64_t period_index_remembering(double epoch_seconds, const PeriodSpec& spec, PeriodMemo& memo);
inline int64_t period_index(double epoch_seconds, const PeriodSpec& spec, PeriodMemo& memo) {
  if (epoch_seconds >= memo.low && epoch_seconds <= memo.high) return memo.index;
  return period_index_remembering(epoch_seconds, spec, memo);
}

struct PeriodLabel {
  std::string key;  // "2024-W03", "2024-01-14" (Sunday weeks), "2024-03", "2024-Q1", "2024", "all"
  std::string start;  // first day, "2024-01-15"
  std::string end;    // last day, "2024-01-21"
};
PeriodLabel period_label(int64_t index, const PeriodSpec& spec);

}  // namespace kpilens
