// presets: known exports recognised from their headers (or JSON key paths) and mapped without a
// question. Each preset lists the headers that identify it, the column each canonical field takes
// (with the unit of its durations), and the fields it deliberately leaves unmapped (columns that
// look like a field but mean something else, e.g. Jira's SLA "time to first response" cells hold
// the time left, not the time taken). Headers come from docs/exports.md and the vendors'
// documentation cited in tests/fixtures/presets/README.md.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "customer_schema.h"
#include "dataset_kind.h"
#include "field_parse.h"
#include "ticket_schema.h"

namespace kpilens {

// A header pattern over normalised headers (normalise_header): an exact name, or, when it starts
// with '~', words that must all start a word of the header ("~likely recommend" matches "how
// likely are you to recommend us").
bool header_matches(std::string_view normalised_header, std::string_view pattern);

struct PresetColumn {
  TicketField field;
  std::span<const std::string_view> patterns;  // best first; empty: the field stays unmapped
  std::optional<DurationUnit> unit = std::nullopt;
};

// A customer-success export's column for a customer field (customer_schema.h), with the unit its
// money or tenure cells are in. Several entries may name one field: the first that finds a column
// wins (Stripe's Dashboard CSV writes "Amount" in units, its API JSON "plan.amount" in cents).
struct CustomerPresetColumn {
  CustomerField field;
  std::span<const std::string_view> patterns;  // empty: the field stays unmapped
  ValueScale scale = ValueScale::kDefault;
};

struct Preset {
  std::string_view id;
  std::string_view name;
  DatasetKind kind;
  std::span<const std::string_view> distinctive;             // headers few other exports have
  std::span<const std::string_view> common;                  // headers it shares with others
  size_t min_distinctive;                                    // needed to recognise the export
  std::span<const PresetColumn> columns;                     // ticket and survey kinds
  std::span<const CustomerPresetColumn> customer_columns{};  // customer-success kinds
};

struct PresetMatch {
  const Preset* preset = nullptr;
  // Share of the file's columns the preset knows (0–1), rounded to 2 decimals.
  double confidence = 0;
  size_t distinctive_matched = 0;
  size_t known = 0;  // the file's columns the preset knows
};

const std::vector<Preset>& presets();
const Preset* find_preset(std::string_view id);
// How well a preset fits these headers (whether or not it would be chosen).
PresetMatch score_preset(const Preset& preset, std::span<const std::string> headers);
// The best-matching preset, or nullopt when none has enough of its distinctive headers.
std::optional<PresetMatch> detect_preset(std::span<const std::string> headers);

}  // namespace kpilens
