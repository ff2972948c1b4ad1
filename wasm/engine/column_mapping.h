// column_mapping: which source column feeds which canonical ticket field. Automatic by normalised
// header names and synonyms; every choice can be overridden (or switched off) by the caller.
#pragma once

#include <array>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "field_parse.h"
#include "presets.h"
#include "ticket_schema.h"

namespace kpilens {

enum class MatchKind : uint8_t { kNone, kSynonym, kConfig, kPreset };

struct FieldBinding {
  int column = -1;  // index into the header row, -1 when unmapped
  MatchKind how = MatchKind::kNone;
  DurationUnit unit = DurationUnit::kMinutes;  // duration fields only
  bool unit_from_header = false;
};

struct MappingOverrides {
  // field name → header to use, or nullopt to leave the field unmapped.
  std::vector<std::pair<std::string, std::optional<std::string>>> columns;
  // field name → unit of a duration column ("seconds", "minutes", "hours", ...).
  std::vector<std::pair<std::string, DurationUnit>> units;
};

struct ColumnMapping {
  std::array<FieldBinding, kTicketFieldCount> fields{};

  const FieldBinding& operator[](TicketField field) const {
    return fields[static_cast<size_t>(field)];
  }
  bool has(TicketField field) const { return (*this)[field].column >= 0; }
};

struct MappingResult {
  ColumnMapping mapping;
  std::vector<std::string> errors;  // overrides that name unknown fields or columns
};

// Lower-case ASCII, drop parenthesised time zones ("(America/New_York)"), turn punctuation and
// underscores into single spaces, trim. Non-ASCII bytes are kept as they are.
std::string normalise_header(std::string_view header);
// The unit a duration header names ("in minutes", "(in hrs)", "(seconds)", "ms"), if any.
std::optional<DurationUnit> duration_unit_from_header(std::string_view header);
// A normalised header without its unit words: "first reply time in minutes" → "first reply time".
std::string strip_unit_words(std::string_view normalised);
std::optional<DurationUnit> parse_unit_name(std::string_view name);

// Exact header, then case-insensitive, then normalised equality. -1 if none.
int find_column(std::span<const std::string> headers, std::string_view name);

// Config overrides first, then the preset's columns (and the fields it leaves unmapped), then
// synonyms for the rest; a JSON path ("via.channel") that matches nothing whole is tried by its
// last segment ("channel"). A dataset-wide override naming a customer field (docs/kpis.md
// "Customer fields") that is no ticket field is not an error here: drop it before calling.
MappingResult map_columns(std::span<const std::string> headers, const MappingOverrides& overrides,
                          const Preset* preset = nullptr);

// The matching itself, for any list of canonical fields (tickets, customer-success files).
struct SchemaField {
  std::string_view name;
  std::span<const std::string_view> synonyms;  // normalised headers, best first
  bool duration = false;  // matched with its unit words stripped ("first reply time in minutes")
  bool enabled = true;    // false: never mapped (a field this kind of file does not read)
};
// A preset's column for field `field` (an index into the schema); empty patterns keep the field
// unmapped. Several entries may name one field: the first that finds a column wins.
struct SchemaPresetColumn {
  size_t field;
  std::span<const std::string_view> patterns;
};
// A config override resolved against the schema: `field` is empty for a name it does not know.
struct SchemaOverride {
  std::optional<size_t> field;
  std::string name;
  std::optional<std::string> header;  // nullopt: leave the field unmapped
};
struct SchemaMapping {
  std::vector<int> columns;         // per schema field, -1 when unmapped
  std::vector<MatchKind> how;       // per schema field
  std::vector<int> preset_column;   // per schema field: the SchemaPresetColumn used, or -1
  std::vector<std::string> errors;  // unknown fields, missing columns, in override order
};
SchemaMapping map_schema(std::span<const std::string> headers, std::span<const SchemaField> schema,
                         std::span<const SchemaOverride> overrides,
                         std::span<const SchemaPresetColumn> preset_columns);

}  // namespace kpilens
