// customer_kpis: the customers section's KPI catalogue (docs/kpis.md "Customer-success catalogue"):
// period figures computed from one group's PeriodFigures, snapshot figures from SnapshotFigures.
// Money is in micro-units until here and leaves as currency units (micro-units ÷ 10⁶).
#pragma once

#include <string_view>
#include <vector>

#include "crm_snapshot.h"
#include "customer_figures.h"
#include "customer_schema.h"
#include "customer_settings.h"
#include "mrr_figures.h"
#include "ticket_kpis.h"

namespace kpilens {

enum class CustomerKpiSource : uint8_t {
  kPeriods,      // needs a subscriptions, invoices or MRR file
  kRenewals,     // needs a subscriptions file
  kSnapshot,     // needs a CRM snapshot (a customers file mapping churned)
  kOrders,       // customer figures from an orders file
  kAcquisition,  // customer figures from a customers file mapping acquisition_cost
  kTimeToValue,  // customer figures from an events file and customers.value_event
  kSaasClv,      // period figures and customers.gross_margin
  kSaasPayback,  // period figures, acquisition costs and customers.gross_margin
};

// What a SaaS figure of one period reads: a group's period figures (with the trailing periods
// before it) and the CAC of the customers it compares with.
struct SaasInputs {
  const GroupFigures* group = nullptr;
  size_t period = 0;
  size_t window = 12;  // periods in 12 months
  double margin = 1;
  const CustomerFigures* acquisition = nullptr;
};

struct CustomerKpiDefinition {
  std::string_view id;
  std::string_view label;
  std::string_view unit;  // "currency" (the dataset's code), percent, count, ratio, months
  std::string_view variant;
  std::string_view formula;
  std::vector<std::string_view> extra_names;
  CustomerKpiSource source;
  // Snapshot figures: the fields a snapshot file must map besides customer and churned.
  std::vector<CustomerField> snapshot_fields;
  std::string_view needs;
  KpiValue (*period)(const PeriodFigures& f) = nullptr;
  KpiValue (*snapshot)(const SnapshotFigures& f) = nullptr;
  KpiValue (*customer)(const CustomerFigures& f, const CustomerSettings& s) = nullptr;
  KpiValue (*saas)(const SaasInputs& in) = nullptr;
};

const std::vector<CustomerKpiDefinition>& customer_kpi_catalogue();

// Micro-units as currency units.
double micros_to_units(int64_t micros);

}  // namespace kpilens
