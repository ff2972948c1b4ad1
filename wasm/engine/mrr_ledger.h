// mrr_ledger: the per-customer state of customer-success files, as change points. Each active span
// of a subscription, invoice period or MRR row adds two points to its series (a customer, or a
// customer and a segment value): (start day, +1 subscription, +MRR) and (end day, −1, −MRR).
// Nothing else of a row is kept. At the end the points are sorted and each series is walked into
// runs: its state (active subscriptions, MRR in micro-units) on each period's evaluation day,
// listed only where it changes. Sums are integers, so nothing depends on the order of rows, files
// or merges. Memory: 16 bytes per point keyed by customer, 24 keyed by customer and segment value.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace kpilens {

// A series' state on an evaluation day. Active: at least one active subscription (a $0 plan too).
struct SeriesState {
  int64_t subscriptions = 0;
  int64_t micros = 0;
  bool active() const { return subscriptions > 0; }
  bool operator==(const SeriesState&) const = default;
};

// From axis index `from` on (until the next run), the series is in `state`. Before its first run a
// series is inactive with no MRR.
struct SeriesRun {
  size_t from = 0;
  SeriesState state;
};

// Key: uint32_t (a customer) or uint64_t (a customer << 32 | a segment value id).
template <typename Key>
class BasicMrrLedger {
 public:
  // [start_day, end_day): end_day is not active; nullopt: open-ended.
  void add_span(Key series, int64_t start_day, std::optional<int64_t> end_day, int64_t micros);
  // Appends another ledger's points, each series renumbered by `map` (a callable Key → Key).
  template <typename OtherKey, typename Map>
  void merge(const BasicMrrLedger<OtherKey>& other, Map&& map) {
    points_.reserve(points_.size() + other.points_.size());
    for (const auto& p : other.points_) points_.push_back(Point{p.packed, map(p.series), p.day});
  }
  // Renumbers every point's series before finish; several series may become one.
  template <typename Map>
  void renumber(Map&& map) {
    for (Point& p : points_) p.series = map(p.series);
  }
  // Sorts the points by series and day; call once, after the last add_span or merge.
  void finish();

  size_t point_count() const { return points_.size(); }
  // The earliest day any series becomes active, if any.
  std::optional<int64_t> first_active_day() const;
  // After finish: whether `series` has an active subscription on `day`.
  bool active_on(Key series, int64_t day) const;

  // After finish: calls visit(series, runs) for each series with points, in series order; runs are
  // against `eval_days` (increasing): a point counts from the first evaluation day on or after it,
  // points after the last evaluation day do not count.
  template <typename Visit>
  void walk(std::span<const int64_t> eval_days, Visit&& visit) const;

 private:
  template <typename>
  friend class BasicMrrLedger;
  // The subscription delta (±1) rides in the low bit of the MRR delta: micro-units stay below 2^54.
  struct Point {
    int64_t packed;  // micros × 2 + (1 for a start, 0 for an end)
    Key series;
    int32_t day;
    int64_t micros() const { return packed >> 1; }
    int64_t subscriptions() const { return (packed & 1) != 0 ? 1 : -1; }
  };
  void runs_of(size_t begin, size_t end, std::span<const int64_t> eval_days,
               std::vector<SeriesRun>& runs) const;

  std::vector<Point> points_;
};

using MrrLedger = BasicMrrLedger<uint32_t>;      // series = customer
using SegmentLedger = BasicMrrLedger<uint64_t>;  // series = customer << 32 | value id

template <typename Key>
template <typename Visit>
void BasicMrrLedger<Key>::walk(std::span<const int64_t> eval_days, Visit&& visit) const {
  std::vector<SeriesRun> runs;
  size_t begin = 0;
  while (begin < points_.size()) {
    size_t end = begin;
    const Key series = points_[begin].series;
    while (end < points_.size() && points_[end].series == series) ++end;
    runs_of(begin, end, eval_days, runs);
    if (!runs.empty()) visit(series, std::span<const SeriesRun>(runs));
    begin = end;
  }
}

extern template class BasicMrrLedger<uint32_t>;
extern template class BasicMrrLedger<uint64_t>;

}  // namespace kpilens
