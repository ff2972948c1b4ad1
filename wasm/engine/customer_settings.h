// customer_settings: the config's `customers` object (docs/report.md "The config JSON"): how
// customer-success rows become state, how the customers section is cut into periods, and the
// health score's components, model and bands (docs/kpis.md "Customer health score").
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

// The health score's components, in the order of docs/kpis.md "Components".
enum class HealthComponentId : uint8_t {
  kUsageEvents,
  kTickets,
  kCsat,
  kNps,
  kReopenRate,
  kPaymentFailures,
  kTenure,
  kMrrTrend,
};
inline constexpr size_t kHealthComponentCount = 8;

struct HealthComponent {
  HealthComponentId id = HealthComponentId::kUsageEvents;
  double weight = 1;
  std::optional<double> zero;  // the raw value that maps to 0; nullopt: the component's default
  std::optional<double> full;  // … and to 100
  int64_t days = 0;            // usage_events, tickets: the window; 0: the default
  int64_t periods = 0;         // mrr_trend; 0: the default
};

enum class HealthModel : uint8_t { kWeightedMean, kWorstComponent };

struct HealthSettings {
  std::vector<HealthComponent> components;  // empty: the defaults (health_score.h)
  HealthModel model = HealthModel::kWeightedMean;
  double yellow = 50;  // lowest yellow score
  double green = 75;   // lowest green score
  size_t max_listed = 500;
};

struct CustomerSettings {
  Grain grain = Grain::kMonth;  // month, quarter or year
  ChurnRecognition churn_recognition = ChurnRecognition::kPeriodEnd;
  std::optional<double> gross_margin;  // 0 < m ≤ 1; for clv_saas and cac_payback_months
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
  std::optional<double> lifespan_years;                  // clv; else the observed lifespan
  std::optional<std::string> value_event;                // time to value
  std::vector<std::string> funnel;                       // event names, at most 32
  HealthSettings health;
};

}  // namespace kpilens
