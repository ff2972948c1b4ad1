// customer_report: the report's `customers` section (docs/report.md "customers") written from a
// finished CustomerDataset: its config echo, counts, periods, segments, KPI entries (the ticket KPI
// entry shape, so the page reuses its cards, trends and breakdowns), the MRR bridge, the cohort
// table and the CRM snapshot block.
#pragma once

#include <span>

#include "customer_dataset.h"
#include "json_writer.h"

namespace kpilens {

// A customer-success file as read: its kind and mapping (for the KPIs' `inputs`).
struct CustomerFileMapping {
  DatasetKind kind;
  const CustomerMapping* mapping;
};

// Writes `"customers": …` (null when no customer-success file was read). `failed`: the report
// failed, so every figure is unavailable.
void write_customers_section(JsonWriter& w, const CustomerDataset& customers,
                             std::span<const CustomerFileMapping> files, bool failed);

}  // namespace kpilens
