// column_mapping: fields pick columns in schema order, each taking the unused column whose header
// is its best-ranked synonym; config overrides are placed first and never reassigned.
#include "column_mapping.h"

#include <limits>

namespace kpilens {

namespace {

bool is_alnum(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || c >= 0x80;
}

std::vector<std::string_view> words(std::string_view text) {
  std::vector<std::string_view> result;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && text[i] == ' ') ++i;
    size_t start = i;
    while (i < text.size() && text[i] != ' ') ++i;
    if (i > start) result.push_back(text.substr(start, i - start));
  }
  return result;
}

std::optional<DurationUnit> unit_of_word(std::string_view word) {
  static constexpr std::pair<std::string_view, DurationUnit> kWords[] = {
      {"ms", DurationUnit::kMilliseconds},
      {"milliseconds", DurationUnit::kMilliseconds},
      {"millis", DurationUnit::kMilliseconds},
      {"seconds", DurationUnit::kSeconds},
      {"secs", DurationUnit::kSeconds},
      {"sec", DurationUnit::kSeconds},
      {"s", DurationUnit::kSeconds},
      {"minutes", DurationUnit::kMinutes},
      {"mins", DurationUnit::kMinutes},
      {"min", DurationUnit::kMinutes},
      {"hours", DurationUnit::kHours},
      {"hrs", DurationUnit::kHours},
      {"hr", DurationUnit::kHours},
      {"h", DurationUnit::kHours},
      {"days", DurationUnit::kDays},
      {"d", DurationUnit::kDays},
  };
  for (const auto& [name, unit] : kWords) {
    if (word == name) return unit;
  }
  return std::nullopt;
}

// "hours" in "within business hours" (Zendesk) or "office hours" (Intercom) names a calendar, not
// the column's unit: "First reply time in minutes within business hours" is in minutes.
bool names_a_calendar(const std::vector<std::string_view>& all, size_t i) {
  if (i == 0 || all[i] != "hours") return false;
  std::string_view before = all[i - 1];
  return before == "business" || before == "office" || before == "operating" || before == "working";
}

}  // namespace

std::string normalise_header(std::string_view header) {
  std::string out;
  out.reserve(header.size());
  bool pending_space = false;
  size_t i = 0;
  // Skip a UTF-8 BOM that survived into a header cell.
  if (header.size() >= 3 && static_cast<unsigned char>(header[0]) == 0xEF &&
      static_cast<unsigned char>(header[1]) == 0xBB &&
      static_cast<unsigned char>(header[2]) == 0xBF) {
    i = 3;
  }
  for (; i < header.size(); ++i) {
    char c = header[i];
    if (c == '(') {
      size_t close = header.find(')', i);
      if (close != std::string_view::npos) {
        std::string_view inner = header.substr(i + 1, close - i - 1);
        if (inner.find('/') != std::string_view::npos || inner == "TZ" || inner == "UTC") {
          i = close;
          pending_space = true;
          continue;
        }
      }
    }
    unsigned char u = static_cast<unsigned char>(c);
    if (is_alnum(u)) {
      if (pending_space && !out.empty()) out.push_back(' ');
      pending_space = false;
      out.push_back((c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c);
    } else {
      pending_space = true;
    }
  }
  return out;
}

std::optional<DurationUnit> parse_unit_name(std::string_view name) {
  std::string normalised = normalise_header(name);
  return unit_of_word(normalised);
}

std::optional<DurationUnit> duration_unit_from_header(std::string_view header) {
  // HubSpot property names carry no unit and are in milliseconds.
  std::string normalised = normalise_header(header);
  if (header.find('_') != std::string_view::npos &&
      (normalised.rfind("time to", 0) == 0 || normalised.rfind("hs time to", 0) == 0)) {
    return DurationUnit::kMilliseconds;
  }
  std::optional<DurationUnit> found;
  const std::vector<std::string_view> all = words(normalised);
  for (size_t i = 0; i < all.size(); ++i) {
    if (names_a_calendar(all, i)) continue;
    if (auto unit = unit_of_word(all[i])) found = unit;
  }
  return found;
}

std::string strip_unit_words(std::string_view normalised) {
  std::string out;
  const std::vector<std::string_view> all = words(normalised);
  for (size_t i = 0; i < all.size(); ++i) {
    std::string_view word = all[i];
    bool unit_word = word == "in" || word == "whole" || unit_of_word(word);
    if (unit_word && !names_a_calendar(all, i)) continue;
    if (!out.empty()) out.push_back(' ');
    out.append(word);
  }
  return out;
}

int find_column(std::span<const std::string> headers, std::string_view name) {
  for (size_t i = 0; i < headers.size(); ++i) {
    if (headers[i] == name) return static_cast<int>(i);
  }
  for (size_t i = 0; i < headers.size(); ++i) {
    if (iequals(trim(headers[i]), trim(name))) return static_cast<int>(i);
  }
  std::string wanted = normalise_header(name);
  if (wanted.empty()) return -1;
  for (size_t i = 0; i < headers.size(); ++i) {
    if (normalise_header(headers[i]) == wanted) return static_cast<int>(i);
  }
  return -1;
}

SchemaMapping map_schema(std::span<const std::string> headers, std::span<const SchemaField> schema,
                         std::span<const SchemaOverride> overrides,
                         std::span<const SchemaPresetColumn> preset_columns) {
  SchemaMapping result;
  const size_t count = schema.size();
  result.columns.assign(count, -1);
  result.how.assign(count, MatchKind::kNone);
  result.preset_column.assign(count, -1);
  std::vector<bool> used(headers.size(), false);
  std::vector<bool> fixed(count, false);
  for (size_t f = 0; f < count; ++f) fixed[f] = !schema[f].enabled;

  for (const SchemaOverride& entry : overrides) {
    if (!entry.field) {
      result.errors.push_back("mapping names an unknown field '" + entry.name + "'");
      continue;
    }
    size_t f = *entry.field;
    fixed[f] = true;
    if (!entry.header) continue;  // explicitly unmapped
    int column = find_column(headers, *entry.header);
    if (column < 0) {
      result.errors.push_back("mapping for '" + entry.name + "': no column named '" +
                              *entry.header + "'");
      continue;
    }
    result.columns[f] = column;
    result.how[f] = MatchKind::kConfig;
    used[static_cast<size_t>(column)] = true;
  }

  std::vector<std::string> normalised(headers.size());
  std::vector<std::string> stripped(headers.size());
  std::vector<std::string> last_segment(headers.size());  // JSON paths only
  for (size_t i = 0; i < headers.size(); ++i) {
    normalised[i] = normalise_header(headers[i]);
    stripped[i] = strip_unit_words(normalised[i]);
    size_t dot = headers[i].rfind('.');
    if (dot != std::string::npos && dot + 1 < headers[i].size()) {
      last_segment[i] = normalise_header(std::string_view(headers[i]).substr(dot + 1));
    }
  }

  for (size_t p = 0; p < preset_columns.size(); ++p) {
    const SchemaPresetColumn& column = preset_columns[p];
    size_t f = column.field;
    if (fixed[f]) continue;
    // A field the preset keeps unmapped stays so; one whose column is missing is left to the
    // synonyms (an export trimmed or edited by hand).
    fixed[f] = column.patterns.empty();
    for (std::string_view pattern : column.patterns) {
      int found = -1;
      for (size_t i = 0; i < headers.size() && found < 0; ++i) {
        if (used[i]) continue;
        bool match = !pattern.empty() && pattern[0] == '=' ? trim(headers[i]) == pattern.substr(1)
                                                           : header_matches(normalised[i], pattern);
        if (match) found = static_cast<int>(i);
      }
      if (found < 0) continue;
      result.columns[f] = found;
      result.how[f] = MatchKind::kPreset;
      result.preset_column[f] = static_cast<int>(p);
      fixed[f] = true;
      used[static_cast<size_t>(found)] = true;
      break;
    }
  }

  for (size_t f = 0; f < count; ++f) {
    if (fixed[f]) continue;
    const SchemaField& info = schema[f];
    size_t best_rank = std::numeric_limits<size_t>::max();
    int best_column = -1;
    for (size_t i = 0; i < headers.size(); ++i) {
      if (used[i]) continue;
      const std::string& name = info.duration ? stripped[i] : normalised[i];
      for (size_t rank = 0; rank < info.synonyms.size() && rank < best_rank; ++rank) {
        if (name == info.synonyms[rank]) {
          best_rank = rank;
          best_column = static_cast<int>(i);
          break;
        }
      }
      // A column named after the field itself ("first_contact_resolved") ranks after every synonym.
      if (best_column < 0 && normalised[i] == normalise_header(info.name)) {
        best_rank = info.synonyms.size();
        best_column = static_cast<int>(i);
      }
    }
    // JSON paths by their last segment, after every whole-path match.
    for (size_t i = 0; i < headers.size() && best_column < 0; ++i) {
      if (used[i] || last_segment[i].empty()) continue;
      const std::string name = info.duration ? strip_unit_words(last_segment[i]) : last_segment[i];
      for (std::string_view synonym : info.synonyms) {
        if (name == synonym) {
          best_column = static_cast<int>(i);
          break;
        }
      }
    }
    if (best_column >= 0) {
      result.columns[f] = best_column;
      result.how[f] = MatchKind::kSynonym;
      used[static_cast<size_t>(best_column)] = true;
    }
  }
  return result;
}

MappingResult map_columns(std::span<const std::string> headers, const MappingOverrides& overrides,
                          const Preset* preset) {
  MappingResult result;
  std::array<SchemaField, kTicketFieldCount> schema{};
  for (const auto& info : ticket_fields()) {
    schema[static_cast<size_t>(info.field)] =
        SchemaField{info.name, info.synonyms, info.kind == FieldKind::kDuration, true};
  }
  std::vector<SchemaOverride> resolved;
  resolved.reserve(overrides.columns.size());
  for (const auto& [name, header] : overrides.columns) {
    auto field = field_from_name(name);
    resolved.push_back(SchemaOverride{
        field ? std::optional<size_t>(static_cast<size_t>(*field)) : std::nullopt, name, header});
  }
  std::vector<SchemaPresetColumn> preset_columns;
  if (preset) {
    for (const PresetColumn& column : preset->columns) {
      preset_columns.push_back(
          SchemaPresetColumn{static_cast<size_t>(column.field), column.patterns});
    }
  }
  SchemaMapping mapped = map_schema(headers, schema, resolved, preset_columns);
  result.errors = std::move(mapped.errors);
  for (size_t f = 0; f < kTicketFieldCount; ++f) {
    result.mapping.fields[f].column = mapped.columns[f];
    result.mapping.fields[f].how = mapped.how[f];
  }

  // Units of duration columns: config, else the preset, else the header, else minutes.
  for (const auto& info : ticket_fields()) {
    if (info.kind != FieldKind::kDuration) continue;
    const size_t f = static_cast<size_t>(info.field);
    FieldBinding& binding = result.mapping.fields[f];
    if (binding.column < 0) continue;
    std::optional<DurationUnit> preset_unit;
    if (mapped.preset_column[f] >= 0) {
      preset_unit = preset->columns[static_cast<size_t>(mapped.preset_column[f])].unit;
    }
    if (preset_unit) {
      binding.unit = *preset_unit;
      binding.unit_from_header = false;
    } else if (auto unit =
                   duration_unit_from_header(headers[static_cast<size_t>(binding.column)])) {
      binding.unit = *unit;
      binding.unit_from_header = true;
    }
  }
  for (const auto& [name, unit] : overrides.units) {
    auto field = field_from_name(name);
    if (!field || field_info(*field).kind != FieldKind::kDuration) {
      result.errors.push_back("units names '" + name + "', which is not a duration field");
      continue;
    }
    FieldBinding& binding = result.mapping.fields[static_cast<size_t>(*field)];
    binding.unit = unit;
    binding.unit_from_header = false;
  }
  return result;
}

}  // namespace kpilens
