// mrr_ledger: see mrr_ledger.h.
#include "mrr_ledger.h"

#include <algorithm>
#include <limits>

namespace kpilens {

namespace {

int32_t clamp_day(int64_t day) {
  return static_cast<int32_t>(std::clamp<int64_t>(day, std::numeric_limits<int32_t>::min() + 1,
                                                  std::numeric_limits<int32_t>::max() - 1));
}

}  // namespace

void MrrLedger::add_span(uint32_t series, int64_t start_day, std::optional<int64_t> end_day,
                         int64_t micros) {
  if (end_day && *end_day <= start_day) return;
  points_.push_back(Point{micros, series, clamp_day(start_day), 1});
  if (end_day) points_.push_back(Point{-micros, series, clamp_day(*end_day), -1});
}

void MrrLedger::merge(const MrrLedger& other, std::span<const uint32_t> series_map) {
  points_.reserve(points_.size() + other.points_.size());
  for (Point p : other.points_) {
    p.series = series_map[p.series];
    points_.push_back(p);
  }
  offsets_.clear();
}

void MrrLedger::renumber(std::span<const uint32_t> series_map) {
  for (Point& p : points_) p.series = series_map[p.series];
  offsets_.clear();
}

void MrrLedger::finish() {
  // Ties (same series and day) are summed by the walk, so their order does not matter.
  std::sort(points_.begin(), points_.end(), [](const Point& a, const Point& b) {
    return a.series != b.series ? a.series < b.series : a.day < b.day;
  });
  uint32_t series_count = points_.empty() ? 0 : points_.back().series + 1;
  offsets_.assign(static_cast<size_t>(series_count) + 1, points_.size());
  for (size_t i = points_.size(); i-- > 0;) offsets_[points_[i].series] = i;
  for (size_t s = series_count; s-- > 0;) offsets_[s] = std::min(offsets_[s], offsets_[s + 1]);
}

std::optional<int64_t> MrrLedger::first_active_day() const {
  std::optional<int64_t> first;
  for (const Point& p : points_) {
    if (p.subscriptions > 0 && (!first || p.day < *first)) first = p.day;
  }
  return first;
}

bool MrrLedger::active_on(uint32_t series, int64_t day) const {
  if (static_cast<size_t>(series) + 1 >= offsets_.size()) return false;
  int64_t subscriptions = 0;
  for (size_t i = offsets_[series]; i < offsets_[series + 1] && points_[i].day <= day; ++i) {
    subscriptions += points_[i].subscriptions;
  }
  return subscriptions > 0;
}

void MrrLedger::runs_of(size_t begin, size_t end, std::span<const int64_t> eval_days,
                        std::vector<SeriesRun>& runs) const {
  runs.clear();
  SeriesState state;
  SeriesState last;  // the state of the last run (zero before the first)
  size_t i = begin;
  while (i < end) {
    // The first evaluation day on or after this point's day.
    auto at = std::lower_bound(eval_days.begin(), eval_days.end(), int64_t{points_[i].day});
    if (at == eval_days.end()) break;  // after the last evaluation day: not counted
    const size_t index = static_cast<size_t>(at - eval_days.begin());
    const int64_t until = *at;
    while (i < end && points_[i].day <= until) {
      state.subscriptions += points_[i].subscriptions;
      state.micros += points_[i].micros;
      ++i;
    }
    if (!(state == last)) {
      runs.push_back(SeriesRun{index, state});
      last = state;
    }
  }
}

}  // namespace kpilens
