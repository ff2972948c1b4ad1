// renewal_terms: what subscription_renewal_rate needs (docs/kpis.md "renewal_rate"): per
// subscription its active start, end and term, kept to the end because the renewal dates that
// count are those up to `as_of`, known only then. 16 bytes per subscription, plus one segment value
// id per row segment column.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "mrr_ledger.h"
#include "subscription_period.h"
#include "timestamp.h"

namespace kpilens {

class RenewalTerms {
 public:
  explicit RenewalTerms(size_t row_columns = 0) : row_columns_(row_columns) {}

  void add(uint32_t customer, int64_t start, std::optional<int64_t> end, BillingInterval interval,
           std::span<const uint32_t> row_values);
  // Another's terms, its customers and row segment values renumbered (other → this).
  void merge(const RenewalTerms& other, std::span<const uint32_t> customer_map,
             std::span<const std::vector<uint32_t>> value_maps);

  size_t size() const { return terms_.size(); }
  uint32_t customer(size_t term) const { return terms_[term].customer; }
  std::span<const uint32_t> row_values(size_t term) const {
    return std::span<const uint32_t>(values_).subspan(term * row_columns_, row_columns_);
  }
  std::span<uint32_t> row_values(size_t term) {
    return std::span<uint32_t>(values_).subspan(term * row_columns_, row_columns_);
  }

  // Calls visit(term, due_day, renewed) for every due date in [from_day, as_of]: each renewal date
  // before the subscription's end (renewed), and its end day (renewed when the customer has
  // another subscription active that day, by `customers`, a finished ledger of customer series).
  // Terms in order, and each term's due dates in increasing order.
  template <typename Visit>
  void each_due(int64_t from_day, int64_t as_of, const MrrLedger& customers, Visit&& visit) const;

 private:
  struct Term {
    uint32_t customer;
    int32_t start;
    int32_t end;  // kOpen when none
    int16_t count;
    uint8_t unit;
  };
  static constexpr int32_t kOpen = INT32_MAX;

  size_t row_columns_ = 0;
  std::vector<Term> terms_;
  std::vector<uint32_t> values_;  // row_columns_ per term
};

template <typename Visit>
void RenewalTerms::each_due(int64_t from_day, int64_t as_of, const MrrLedger& customers,
                            Visit&& visit) const {
  for (size_t t = 0; t < terms_.size(); ++t) {
    const Term& term = terms_[t];
    const int64_t end = term.end == kOpen ? INT64_MAX : term.end;
    const int64_t last = std::min(end - 1, as_of);  // renewal dates before the end, up to as_of
    if (term.unit == static_cast<uint8_t>(BillingInterval::Unit::kMonth)) {
      // Calendar months from the start's (year, month), the day clamped to each month's end.
      const CivilDate first = civil_from_days(term.start);
      const int64_t month0 = first.year * 12 + static_cast<int64_t>(first.month) - 1;
      int64_t k = 1;
      if (from_day > term.start) {
        const CivilDate from = civil_from_days(from_day);
        const int64_t months = from.year * 12 + static_cast<int64_t>(from.month) - 1 - month0;
        k = std::max<int64_t>(1, months / term.count - 1);
      }
      for (;; ++k) {
        const int64_t index = month0 + k * term.count;
        const int64_t year = index >= 0 ? index / 12 : -((-index + 11) / 12);
        const auto month = static_cast<unsigned>(index - year * 12 + 1);
        const unsigned length = days_in_month(year, month);
        const int64_t due = days_from_civil(year, month, first.day < length ? first.day : length);
        if (due > last) break;
        if (due >= from_day) visit(t, due, true);
      }
    } else {
      const int64_t step = term.unit == static_cast<uint8_t>(BillingInterval::Unit::kWeek)
                               ? 7 * term.count
                               : term.count;
      int64_t due = term.start + step;
      if (from_day > due) due += (from_day - due) / step * step;
      for (; due <= last; due += step) {
        if (due >= from_day) visit(t, due, true);
      }
    }
    if (term.end != kOpen && end >= from_day && end <= as_of) {
      visit(t, end, customers.active_on(term.customer, end));
    }
  }
}

}  // namespace kpilens
