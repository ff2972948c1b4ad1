// kpi_json: one KPI's figures in the report's JSON shape (docs/report.md "kpis"), shared by the
// support KPIs (report_json.cpp) and the customer KPIs (customer_report.cpp): the overall value
// with n, approximate and extras; columns of values per period or segment; the trend of the last
// period.
#pragma once

#include <span>
#include <string_view>
#include <vector>

#include "json_writer.h"
#include "period.h"
#include "ticket_kpis.h"

namespace kpilens {

// "value", "n", "approximate", "extras" {name: value} as fields of the object being written.
void write_kpi_value(JsonWriter& w, const KpiValue& v, std::span<const std::string_view> extras);

// {"value": [], "n": [], "extras": {name: []}}: one entry per group.
void write_kpi_columns(JsonWriter& w, const std::vector<KpiValue>& values,
                       std::span<const std::string_view> extras);

// The last period against the one before it (cards: "+2.1 pp vs 2024-W02"), or null with fewer than
// two periods. `labels` and `values` are aligned.
void write_kpi_trend(JsonWriter& w, std::span<const PeriodLabel> labels,
                     std::span<const KpiValue> values);

}  // namespace kpilens
