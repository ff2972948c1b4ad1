// customer_mapping: which column feeds which customer field (customer_schema.h) in a
// customer-success file, and which customer-success kind a file's headers make it. The matching is
// column_mapping's (map_schema); this adds the rules of docs/report.md "The config JSON": the
// dataset-wide `mapping` is lenient here (entries for fields this kind does not read, or for
// columns the file lacks, are skipped), a file's own `files` mapping is strict.
#pragma once

#include <array>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "column_mapping.h"
#include "customer_schema.h"
#include "presets.h"

namespace kpilens {

struct CustomerBinding {
  int column = -1;
  MatchKind how = MatchKind::kNone;
  ValueScale scale = ValueScale::kDefault;  // a money or tenure column's unit, when known
};

struct CustomerMapping {
  std::array<CustomerBinding, kCustomerFieldCount> fields{};

  const CustomerBinding& operator[](CustomerField field) const {
    return fields[static_cast<size_t>(field)];
  }
  bool has(CustomerField field) const { return (*this)[field].column >= 0; }
};

struct CustomerMappingResult {
  CustomerMapping mapping;
  std::vector<std::string> errors;
  // Dataset-wide entries this file used (by index into dataset_wide.columns), so the dataset can
  // warn about an entry that no file could use.
  std::vector<size_t> used_dataset_entries;
};

// Maps a file of customer-success `kind`. `own` is the file's `files.<name>.mapping`, if any.
CustomerMappingResult map_customer_columns(std::span<const std::string> headers, DatasetKind kind,
                                           const MappingOverrides& dataset_wide,
                                           const MappingOverrides* own, const Preset* preset);

// The customer-success kind these headers make a file (docs/kpis.md "How a file's kind is
// decided", rule 3), with the file's own mapping and the dataset-wide entries whose column the file
// has; nullopt for a ticket or survey file.
std::optional<DatasetKind> detect_customer_kind(std::span<const std::string> headers,
                                                const MappingOverrides* own,
                                                const MappingOverrides* dataset_wide = nullptr);

// Whether a mapping holds what `kind` needs (docs/kpis.md "Customer-success file kinds").
bool mapping_serves_kind(const CustomerMapping& mapping, DatasetKind kind);

}  // namespace kpilens
