// mrr_ledger: the per-customer state of customer-success files, as change points. Each active span
// of a subscription, invoice period or MRR row adds two points to its series (a customer, or a
// customer × segment value): (start day, +1 subscription, +MRR) and (end day, −1, −MRR). Nothing
// else of a row is kept. At the end the points are sorted and each series is walked into runs: its
// state (active subscriptions, MRR in micro-units) on each period's evaluation day, listed only
// where it changes. Sums are integers, so nothing depends on the order of rows, files or merges.
// Memory: 24 bytes per point (docs/kpis.md "Memory").
#pragma once

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

class MrrLedger {
 public:
  // [start_day, end_day): end_day is not active; nullopt: open-ended.
  void add_span(uint32_t series, int64_t start_day, std::optional<int64_t> end_day, int64_t micros);
  // Appends another ledger's points, its series renumbered by `series_map` (other → this).
  void merge(const MrrLedger& other, std::span<const uint32_t> series_map);
  // Renumbers every point's series (old → new) before finish; several old series may become one.
  void renumber(std::span<const uint32_t> series_map);
  // Sorts the points by series and day; call once, after the last add_span or merge.
  void finish();

  size_t point_count() const { return points_.size(); }
  // The earliest day any series becomes active, if any.
  std::optional<int64_t> first_active_day() const;
  // After finish: whether `series` has an active subscription on `day` (0 if it has no point).
  bool active_on(uint32_t series, int64_t day) const;

  // After finish: calls visit(series, runs) for each series with points, in series order; runs are
  // against `eval_days` (increasing): a point counts from the first evaluation day on or after it,
  // points after the last evaluation day do not count.
  template <typename Visit>
  void walk(std::span<const int64_t> eval_days, Visit&& visit) const;

 private:
  struct Point {
    int64_t micros;
    uint32_t series;
    int32_t day;
    int32_t subscriptions;
  };
  void runs_of(size_t begin, size_t end, std::span<const int64_t> eval_days,
               std::vector<SeriesRun>& runs) const;

  std::vector<Point> points_;
  std::vector<size_t> offsets_;  // after finish: first point of each series (size series + 1)
};

template <typename Visit>
void MrrLedger::walk(std::span<const int64_t> eval_days, Visit&& visit) const {
  std::vector<SeriesRun> runs;
  size_t begin = 0;
  while (begin < points_.size()) {
    size_t end = begin;
    const uint32_t series = points_[begin].series;
    while (end < points_.size() && points_[end].series == series) ++end;
    runs_of(begin, end, eval_days, runs);
    if (!runs.empty()) visit(series, std::span<const SeriesRun>(runs));
    begin = end;
  }
}

}  // namespace kpilens
