// cohort_table: see cohort_table.h.
#include "cohort_table.h"

#include <algorithm>

namespace kpilens {

CohortTable::CohortTable(size_t periods, size_t first_cohort)
    : periods_(periods), first_(std::min(first_cohort, periods)) {
  rows_.resize(periods_ - first_);
  for (size_t i = 0; i < rows_.size(); ++i) {
    const size_t cells = periods_ - (first_ + i) + 1;
    rows_[i].customers.assign(cells, 0);
    rows_[i].mrr.assign(cells, 0);
  }
}

void CohortTable::feed(size_t cohort, std::span<const SeriesRun> runs) {
  if (cohort < first_ || cohort >= periods_) return;
  Row& row = rows_[cohort - first_];
  row.size += 1;
  for (size_t r = 0; r < runs.size(); ++r) {
    const size_t from = std::max(runs[r].from, cohort);
    const size_t to = r + 1 < runs.size() ? runs[r + 1].from : periods_;
    if (from >= to || !runs[r].state.active()) continue;
    const size_t a = from - cohort, b = to - cohort;
    row.customers[a] += 1;
    row.customers[b] -= 1;
    row.mrr[a] += runs[r].state.micros;
    row.mrr[b] -= runs[r].state.micros;
  }
}

void CohortTable::merge(const CohortTable& other) {
  for (size_t i = 0; i < rows_.size() && i < other.rows_.size(); ++i) {
    rows_[i].size += other.rows_[i].size;
    for (size_t k = 0; k < rows_[i].customers.size(); ++k) {
      rows_[i].customers[k] += other.rows_[i].customers[k];
      rows_[i].mrr[k] += other.rows_[i].mrr[k];
    }
  }
}

void CohortTable::finish() {
  if (finished_) return;
  finished_ = true;
  for (Row& row : rows_) {
    int64_t customers = 0, mrr = 0;
    for (size_t k = 0; k + 1 < row.customers.size(); ++k) {
      customers += row.customers[k];
      mrr += row.mrr[k];
      row.customers[k] = customers;
      row.mrr[k] = mrr;
    }
    row.customers.pop_back();
    row.mrr.pop_back();
    row.start_mrr = row.mrr.empty() ? 0 : row.mrr[0];
  }
}

}  // namespace kpilens
