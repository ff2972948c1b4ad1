// customer_settings: the config's `customers` object (docs/report.md "The config JSON"): how
// customer-success rows become state and how the customers section is cut into periods.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "customer_schema.h"
#include "period.h"

namespace kpilens {

// When a cancelled subscription stops counting (docs/kpis.md "From a row to a customer's state").
enum class ChurnRecognition : uint8_t { kPeriodEnd, kCancellation };
enum class CohortBasis : uint8_t { kAuto, kSignup, kFirstPaid };

struct CustomerSettings {
  Grain grain = Grain::kMonth;  // month, quarter or year
  ChurnRecognition churn_recognition = ChurnRecognition::kPeriodEnd;
  std::optional<double> gross_margin;  // 0 < m ≤ 1; for CLV and CAC payback (next KPIs)
  ValueScale amount_unit = ValueScale::kDefault;  // kDefault: the preset's, else units
  ValueScale tenure_unit = ValueScale::kDefault;  // kDefault: the preset's or header's, else months
  std::optional<std::string> currency;            // upper case, e.g. "EUR"
  bool count_trials = false;
  bool free_is_active = true;
  CohortBasis cohort_basis = CohortBasis::kAuto;
  size_t max_cohorts = 36;
  std::optional<int64_t> as_of;  // days since the epoch on the utc_offset clock
  std::vector<double> tenure_bands = {6, 12, 24, 48};    // months, increasing upper bounds
  std::vector<double> age_bands = {25, 35, 45, 55, 65};  // years
};

}  // namespace kpilens
