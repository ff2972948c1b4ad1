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

// The period of an instant (seconds since the epoch, UTC).
int64_t period_index(double epoch_seconds, const PeriodSpec& spec);

struct PeriodLabel {
  std::string key;  // "2024-W03", "2024-01-14" (Sunday weeks), "2024-03", "2024-Q1", "2024", "all"
  std::string start;  // first day, "2024-01-15"
  std::string end;    // last day, "2024-01-21"
};
PeriodLabel period_label(int64_t index, const PeriodSpec& spec);

}  // namespace kpilens
