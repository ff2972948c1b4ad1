// cohort_table: the cohort retention table of the customers section (docs/kpis.md "Cohort
// retention"): for each cohort period c and k periods since, how many of its customers are active
// at the end of c + k and their MRR then. Fed with a customer's cohort and its runs; integers only.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "mrr_ledger.h"

namespace kpilens {

class CohortTable {
 public:
  CohortTable() = default;
  // Cohorts are the axis indices [first_cohort, periods).
  CohortTable(size_t periods, size_t first_cohort);

  // A customer of cohort `cohort` (an axis index; ignored outside the listed cohorts).
  void feed(size_t cohort, std::span<const SeriesRun> runs);
  void merge(const CohortTable& other);
  void finish();

  size_t first_cohort() const { return first_; }
  size_t cohorts() const { return rows_.size(); }
  // After finish. Row i is cohort first_cohort() + i; its cells run to the last period.
  struct Row {
    int64_t size = 0;
    int64_t start_mrr = 0;
    std::vector<int64_t> customers;  // per k
    std::vector<int64_t> mrr;        // per k
  };
  const Row& row(size_t i) const { return rows_[i]; }

 private:
  size_t periods_ = 0;
  size_t first_ = 0;
  std::vector<Row> rows_;  // cells hold differences until finish (one extra slot)
  bool finished_ = false;
};

}  // namespace kpilens
