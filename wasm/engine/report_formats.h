// report_formats: the report JSON rendered as a long CSV (one row per figure) or as a text table
// for a terminal. Both read the JSON itself, so they show exactly what the report says.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace kpilens {

// Columns: kpi,variant,unit,scope,period,segment_column,segment,value,n. Text cells that a
// spreadsheet would execute (starting with = + - @ tab CR) are prefixed with an apostrophe (OWASP
// CSV injection).
std::optional<std::string> report_to_csv(std::string_view report_json);
std::optional<std::string> report_to_text(std::string_view report_json);

// One CSV cell: quoted when needed, neutralised when it would be read as a formula.
std::string csv_cell(std::string_view text);

}  // namespace kpilens
