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

#include "field_parse.h"
#include "ticket_schema.h"

namespace kpilens {

// What a file holds: tickets (one row per ticket or conversation), or survey answers that join
// to tickets by ticket id.
enum class DatasetKind : uint8_t { kTickets, kSurvey };
std::string_view kind_name(DatasetKind kind);

// A header pattern over normalised headers (normalise_header): an exact name, or, when it starts
// with '~', words that must all start a word of the header ("~likely recommend" matches "how
// likely are you to recommend us").
bool header_matches(std::string_view normalised_header, std::string_view pattern);

struct PresetColumn {
  TicketField field;
  std::span<const std::string_view> patterns;  // best first; empty: the field stays unmapped
  std::optional<DurationUnit> unit = std::nullopt;
};

struct Preset {
  std::string_view id;
  std::string_view name;
  DatasetKind kind;
  std::span<const std::string_view> distinctive;  // headers few other exports have
  std::span<const std::string_view> common;       // headers it shares with others
  size_t min_distinctive;                         // needed to recognise the export
  std::span<const PresetColumn> columns;
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
