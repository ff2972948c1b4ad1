// mrr_figures: see mrr_figures.h. Levels are added over a run's whole range with two difference
// entries, so a series costs its number of runs, not the number of periods.
#include "mrr_figures.h"

#include <algorithm>

namespace kpilens {

GroupFigures::GroupFigures(size_t periods, size_t window)
    : periods_(periods), window_(window), figures_(periods + 1) {}

void GroupFigures::add_range(size_t from, size_t to, int64_t PeriodFigures::*field, int64_t value) {
  if (from >= to || value == 0) return;
  figures_[from].*field += value;
  figures_[to].*field -= value;
}

void GroupFigures::feed(std::span<const SeriesRun> runs) {
  SeriesState previous;
  bool ever_active = false;
  for (size_t r = 0; r < runs.size(); ++r) {
    const size_t from = runs[r].from;
    const size_t to = r + 1 < runs.size() ? runs[r + 1].from : periods_;
    const SeriesState& state = runs[r].state;
    if (state.active()) {
      add_range(from, to, &PeriodFigures::active, 1);
      add_range(from, to, &PeriodFigures::paying, state.micros > 0 ? 1 : 0);
      add_range(from, to, &PeriodFigures::end_mrr, state.micros);
    }
    // The movement between the previous evaluation day and this one.
    PeriodFigures& at = figures_[from];
    auto move = [&](Movement m, int64_t amount) {
      at.amounts[static_cast<size_t>(m)] += amount;
      at.customers[static_cast<size_t>(m)] += 1;
    };
    if (previous.active() && state.active()) {
      if (state.micros > previous.micros)
        move(Movement::kExpansion, state.micros - previous.micros);
      if (state.micros < previous.micros) {
        move(Movement::kContraction, state.micros - previous.micros);
      }
    } else if (!previous.active() && state.active()) {
      move(ever_active ? Movement::kReactivation : Movement::kNew, state.micros);
    } else if (previous.active() && !state.active()) {
      move(Movement::kChurned, -previous.micros);
    }
    ever_active = ever_active || state.active();
    previous = state;
  }

  // Retention against `window_` periods earlier: for each active run, the periods it is the base
  // of, and the series' runs over those periods.
  size_t j = 0;
  for (size_t r = 0; r < runs.size(); ++r) {
    if (!runs[r].state.active()) continue;
    const size_t lo = runs[r].from + window_;
    const size_t hi =
        std::min(r + 1 < runs.size() ? runs[r + 1].from + window_ : periods_ + window_, periods_);
    if (lo >= hi) continue;
    const int64_t then = runs[r].state.micros;
    add_range(lo, hi, &PeriodFigures::base_customers, 1);
    add_range(lo, hi, &PeriodFigures::base_mrr, then);
    while (j + 1 < runs.size() && runs[j + 1].from <= lo) ++j;
    for (size_t k = j; k < runs.size(); ++k) {
      const size_t a = std::max(runs[k].from, lo);
      const size_t b = std::min(k + 1 < runs.size() ? runs[k + 1].from : periods_, hi);
      if (runs[k].from >= hi) break;
      if (a >= b || !runs[k].state.active()) continue;
      const int64_t now = runs[k].state.micros;
      add_range(a, b, &PeriodFigures::kept_mrr, now);
      add_range(a, b, &PeriodFigures::kept_mrr_capped, std::min(now, then));
    }
  }
}

void GroupFigures::add_renewal(size_t period, bool renewed) {
  if (period >= periods_) return;
  figures_[period].renewals_due += 1;
  figures_[period].renewals_renewed += renewed ? 1 : 0;
}

void GroupFigures::merge(const GroupFigures& other) {
  for (size_t p = 0; p < figures_.size() && p < other.figures_.size(); ++p) {
    PeriodFigures& a = figures_[p];
    const PeriodFigures& b = other.figures_[p];
    a.end_mrr += b.end_mrr;
    a.active += b.active;
    a.paying += b.paying;
    for (size_t m = 0; m < kMovementCount; ++m) {
      a.amounts[m] += b.amounts[m];
      a.customers[m] += b.customers[m];
    }
    a.base_customers += b.base_customers;
    a.base_mrr += b.base_mrr;
    a.kept_mrr += b.kept_mrr;
    a.kept_mrr_capped += b.kept_mrr_capped;
    a.renewals_due += b.renewals_due;
    a.renewals_renewed += b.renewals_renewed;
  }
}

void GroupFigures::finish() {
  if (finished_) return;
  finished_ = true;
  PeriodFigures running;
  for (size_t p = 0; p < periods_; ++p) {
    PeriodFigures& f = figures_[p];
    running.end_mrr += f.end_mrr;
    running.active += f.active;
    running.paying += f.paying;
    running.base_customers += f.base_customers;
    running.base_mrr += f.base_mrr;
    running.kept_mrr += f.kept_mrr;
    running.kept_mrr_capped += f.kept_mrr_capped;
    f.start_mrr = p == 0 ? 0 : figures_[p - 1].end_mrr;
    f.start_active = p == 0 ? 0 : figures_[p - 1].active;
    f.end_mrr = running.end_mrr;
    f.active = running.active;
    f.paying = running.paying;
    f.base_customers = running.base_customers;
    f.base_mrr = running.base_mrr;
    f.kept_mrr = running.kept_mrr;
    f.kept_mrr_capped = running.kept_mrr_capped;
  }
  figures_.resize(periods_);
}

}  // namespace kpilens
