// report_json: the versioned report (docs/report.md, docs/report.schema.json) written from a
// finished dataset. Columnar series: one array per figure, aligned with the report's period and
// segment lists.
#pragma once

#include <string>

namespace kpilens {

inline constexpr const char* kReportSchemaVersion = "1.3";

class TicketDataset;
std::string write_report(TicketDataset& dataset);

}  // namespace kpilens
