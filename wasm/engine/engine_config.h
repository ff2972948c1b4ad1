// engine_config: what the caller asks for (periods, segments, filters, mapping overrides, KPI
// settings), read from a JSON document. Unknown keys are errors, so a typo never silently changes a
// figure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "column_mapping.h"
#include "customer_settings.h"
#include "dataset_kind.h"
#include "period.h"
#include "ticket_kpis.h"
#include "timestamp.h"

namespace kpilens {

struct FilterSpec {
  std::string column;  // a header, or a canonical field name ("channel")
  std::vector<std::string> values;
};

// Mapping choices for one file of the dataset, by the name it is read under.
struct FileOverrides {
  std::string name;
  MappingOverrides mapping;           // on top of the global mapping and units
  std::optional<std::string> preset;  // a preset id, or "none" for generic header matching
  std::optional<DatasetKind> kind;    // overrides detection (tickets, survey, subscriptions, ...)
};

struct EngineConfig {
  PeriodSpec period;
  std::vector<std::string> by;  // segment columns: headers or canonical field names
  // Segments added when the first file has them (the page asks for channel, agent, team, priority
  // without knowing the export); a later file without one reads it as blank.
  std::vector<std::string> by_if_mapped;
  std::vector<FilterSpec> filters;
  std::optional<int64_t> date_from;  // inclusive, days since the epoch on the bucketing clock
  std::optional<int64_t> date_to;    // inclusive
  MappingOverrides mapping;
  std::optional<std::string> preset;  // force a preset for every file ("none": detect nothing)
  std::vector<FileOverrides> files;
  DateOrder date_order = DateOrder::kAuto;
  char delimiter = 0;                        // 0: sniffed
  char decimal_separator = 0;                // 0: ',' when the delimiter is ';', else '.'
  std::vector<std::string> solved_statuses;  // empty: the default list
  KpiSettings kpis;                          // kpis.reads follows `figures`
  // The ticket figures (ticket_kpi_catalogue ids) the report is for, in the catalogue's order and
  // each once; empty: every one. The report then lists only these, and the rows are read only for
  // what they need (TicketReads).
  std::vector<std::string> figures;
  size_t max_rejected_listed = 100;
  size_t inference_rows = 1000;  // rows read before date order is decided
  size_t max_segments = 10000;   // distinct values per segment column before "(other)"
  CustomerSettings customers;    // the customers section (customer-success files)
};

struct ConfigResult {
  EngineConfig config;
  std::vector<std::string> errors;
};

// An empty string or "{}" gives the defaults.
ConfigResult parse_config(std::string_view json);

// "+02:00", "-0530", "Z" → minutes east of UTC.
std::optional<int> parse_utc_offset(std::string_view text);

// Sets c.figures (in the catalogue's order) and c.kpis.reads to the figures `named` (catalogue
// ids); an error message, with c unchanged, when one is unknown or none is named.
std::string select_figures(EngineConfig& c, const std::vector<std::string>& named);

const std::vector<std::string>& default_solved_statuses();

// A 64-bit hash of every setting in `c` as parsed: two JSON texts that parse to the same settings
// have the same one, whatever their key order, spacing or spelling ("dmy" or "day_first"); settings
// that differ only in what they mean alike (a list in another order, a default written out as a
// list) differ here. A part's state carries its reader's, so that a merge refuses a part read with
// another config (TicketDataset::merge_part). Every member of EngineConfig and of the settings
// structs it holds goes into it: a member added to one fails to compile there until it is named
// (engine_config.cpp, a structured binding per struct); the test of a setting added to parse_config
// goes in engine_config_test.cpp, beside the others.
uint64_t config_fingerprint(const EngineConfig& c);

}  // namespace kpilens
