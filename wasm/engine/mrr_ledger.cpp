// mrr_ledger: see mrr_ledger.h.
#include "mrr_ledger.h"

#include <limits>

namespace kpilens {

namespace {

int32_t clamp_day(int64_t day) {
  return static_cast<int32_t>(std::clamp<int64_t>(day, std::numeric_limits<int32_t>::min() + 1,
                                                  std::numeric_limits<int32_t>::max() - 1));
}

}  // namespace

template <typename Key>
void BasicMrrLedger<Key>::add_span(Key series, int64_t start_day, std::optional<int64_t> end_day,
                                   int64_t micros) {
  if (end_day && *end_day <= start_day) return;
  points_.push_back(Point{micros * 2 + 1, series, clamp_day(start_day)});
  if (end_day) points_.push_back(Point{-micros * 2, series, clamp_day(*end_day)});
}

template <typename Key>
void BasicMrrLedger<Key>::finish() {
  // Ties (same series and day) are summed by the walk, so their order does not matter.
  std::sort(points_.begin(), points_.end(), [](const Point& a, const Point& b) {
    return a.series != b.series ? a.series < b.series : a.day < b.day;
  });
}

template <typename Key>
std::optional<int64_t> BasicMrrLedger<Key>::first_active_day() const {
  std::optional<int64_t> first;
  for (const Point& p : points_) {
    if (p.subscriptions() > 0 && (!first || p.day < *first)) first = p.day;
  }
  return first;
}

template <typename Key>
bool BasicMrrLedger<Key>::active_on(Key series, int64_t day) const {
  auto begin = std::lower_bound(points_.begin(), points_.end(), series,
                                [](const Point& p, Key s) { return p.series < s; });
  int64_t subscriptions = 0;
  for (auto it = begin; it != points_.end() && it->series == series && it->day <= day; ++it) {
    subscriptions += it->subscriptions();
  }
  return subscriptions > 0;
}

template <typename Key>
void BasicMrrLedger<Key>::runs_of(size_t begin, size_t end, std::span<const int64_t> eval_days,
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
      state.subscriptions += points_[i].subscriptions();
      state.micros += points_[i].micros();
      ++i;
    }
    if (!(state == last)) {
      runs.push_back(SeriesRun{index, state});
      last = state;
    }
  }
}

template class BasicMrrLedger<uint32_t>;
template class BasicMrrLedger<uint64_t>;

}  // namespace kpilens
