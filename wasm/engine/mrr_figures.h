// mrr_figures: one group's (the whole dataset, or one segment value) figures per period of the
// customers section, accumulated from its series' runs (mrr_ledger.h): MRR and active customers at
// each evaluation day, the five movements with their customers (docs/kpis.md "MRR movements"), the
// 12-month retention base and what it kept, and renewal dues. Integers only: feed / merge / finish
// give the same figures in any order.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "mrr_ledger.h"

namespace kpilens {

enum class Movement : uint8_t { kNew, kExpansion, kContraction, kChurned, kReactivation };
inline constexpr size_t kMovementCount = 5;

struct PeriodFigures {
  int64_t end_mrr = 0;  // micro-units, at the evaluation day
  int64_t active = 0;   // customers (series) active then
  int64_t paying = 0;   // of which with MRR > 0
  int64_t start_mrr = 0;
  int64_t start_active = 0;
  std::array<int64_t, kMovementCount> amounts{};    // signed micro-units
  std::array<int64_t, kMovementCount> customers{};  // series with the movement
  // Against `window` periods earlier: customers active then, their MRR then, their MRR now, and
  // their MRR now capped at their MRR then.
  int64_t base_customers = 0;
  int64_t base_mrr = 0;
  int64_t kept_mrr = 0;
  int64_t kept_mrr_capped = 0;
  int64_t renewals_due = 0;
  int64_t renewals_renewed = 0;
};

class GroupFigures {
 public:
  GroupFigures() = default;
  // `periods`: the axis length; `window`: the periods in 12 months (12, 4 or 1).
  GroupFigures(size_t periods, size_t window);

  void feed(std::span<const SeriesRun> runs);
  void add_renewal(size_t period, bool renewed);
  void merge(const GroupFigures& other);
  void finish();

  size_t size() const { return periods_; }
  // After finish.
  const PeriodFigures& at(size_t period) const { return figures_[period]; }

 private:
  void add_range(size_t from, size_t to, int64_t PeriodFigures::*field, int64_t value);

  size_t periods_ = 0;
  size_t window_ = 12;
  // Before finish, the level fields (end_mrr, active, paying, base_*, kept_*) hold differences
  // (+ at a range's start, − at its end); finish sums them up. One extra slot for range ends.
  std::vector<PeriodFigures> figures_;
  bool finished_ = false;
};

}  // namespace kpilens
