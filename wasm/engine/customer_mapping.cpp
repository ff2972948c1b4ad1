// customer_mapping: see customer_mapping.h.
#include "customer_mapping.h"

#include <algorithm>

#include "ticket_schema.h"

namespace kpilens {

namespace {

using F = CustomerField;

std::array<SchemaField, kCustomerFieldCount> schema_for(DatasetKind kind) {
  std::array<SchemaField, kCustomerFieldCount> schema{};
  for (const auto& info : customer_fields()) {
    schema[static_cast<size_t>(info.field)] =
        SchemaField{info.name, info.synonyms, false, kind_reads(kind, info.field)};
  }
  return schema;
}

// A tenure header that names its unit: "Tenure (years)", "tenure_in_months".
ValueScale tenure_scale_from_header(std::string_view header) {
  std::string normalised = normalise_header(header);
  std::string padded = " " + normalised + " ";
  if (padded.find(" years ") != std::string::npos || padded.find(" year ") != std::string::npos ||
      padded.find(" yrs ") != std::string::npos) {
    return ValueScale::kYears;
  }
  if (padded.find(" months ") != std::string::npos || padded.find(" month ") != std::string::npos) {
    return ValueScale::kMonths;
  }
  return ValueScale::kDefault;
}

}  // namespace

bool mapping_serves_kind(const CustomerMapping& m, DatasetKind kind) {
  if (!m.has(F::kCustomer)) return false;
  switch (kind) {
    case DatasetKind::kMrr:
      return m.has(F::kMonth) && m.has(F::kMrr);
    case DatasetKind::kInvoices:
      return m.has(F::kAmount) && m.has(F::kPeriodStart) && m.has(F::kPeriodEnd);
    case DatasetKind::kSubscriptions:
      return m.has(F::kAmount) && m.has(F::kStart);
    case DatasetKind::kOrders:
      return m.has(F::kOrderedAt) && m.has(F::kAmount);
    case DatasetKind::kEvents:
      return m.has(F::kEvent) && m.has(F::kEventAt);
    case DatasetKind::kCustomers:
      return m.has(F::kChurned) || m.has(F::kTenure) || m.has(F::kMonthlyCharge) ||
             m.has(F::kAcquisitionCost) || m.has(F::kSignupAt);
    default:
      return false;
  }
}

CustomerMappingResult map_customer_columns(std::span<const std::string> headers, DatasetKind kind,
                                           const MappingOverrides& dataset_wide,
                                           const MappingOverrides* own, const Preset* preset) {
  CustomerMappingResult result;
  const auto schema = schema_for(kind);
  std::vector<SchemaOverride> overrides;
  // The dataset's entries, skipped where they cannot apply; then the file's own, which replace
  // them.
  for (size_t i = 0; i < dataset_wide.columns.size(); ++i) {
    const std::string& name = dataset_wide.columns[i].first;
    const std::optional<std::string>& header = dataset_wide.columns[i].second;
    if (own && std::any_of(own->columns.begin(), own->columns.end(),
                           [&](const auto& e) { return e.first == name; })) {
      continue;
    }
    auto field = customer_field_from_name(name);
    if (!field) {
      // A ticket field's entry is the ticket files' business; a name neither knows is an error.
      if (!field_from_name(name)) {
        result.errors.push_back("mapping names an unknown field '" + name + "'");
      }
      continue;
    }
    if (!kind_reads(kind, *field)) continue;
    if (header && find_column(headers, *header) < 0) continue;
    overrides.push_back(SchemaOverride{static_cast<size_t>(*field), name, header});
    result.used_dataset_entries.push_back(i);
  }
  if (own) {
    for (const auto& [name, header] : own->columns) {
      auto field = customer_field_from_name(name);
      if ((field && !kind_reads(kind, *field)) || (!field && field_from_name(name))) {
        result.errors.push_back("mapping for '" + name + "': a " + std::string(kind_name(kind)) +
                                " file does not read this field");
        continue;
      }
      overrides.push_back(SchemaOverride{
          field ? std::optional<size_t>(static_cast<size_t>(*field)) : std::nullopt, name, header});
    }
  }
  std::vector<SchemaPresetColumn> preset_columns;
  if (preset) {
    for (const CustomerPresetColumn& column : preset->customer_columns) {
      preset_columns.push_back(
          SchemaPresetColumn{static_cast<size_t>(column.field), column.patterns});
    }
  }
  SchemaMapping mapped = map_schema(headers, schema, overrides, preset_columns);
  for (std::string& e : mapped.errors) result.errors.push_back(std::move(e));
  for (size_t f = 0; f < kCustomerFieldCount; ++f) {
    CustomerBinding& binding = result.mapping.fields[f];
    binding.column = mapped.columns[f];
    binding.how = mapped.how[f];
    if (binding.column < 0) continue;
    if (mapped.preset_column[f] >= 0) {
      binding.scale = preset->customer_columns[static_cast<size_t>(mapped.preset_column[f])].scale;
    }
    if (static_cast<F>(f) == F::kTenure && binding.scale == ValueScale::kDefault) {
      binding.scale = tenure_scale_from_header(headers[static_cast<size_t>(binding.column)]);
    }
  }
  return result;
}

std::optional<DatasetKind> detect_customer_kind(std::span<const std::string> headers,
                                                const MappingOverrides* own,
                                                const MappingOverrides* dataset_wide) {
  static const MappingOverrides kNoOverrides;
  constexpr DatasetKind kOrder[] = {DatasetKind::kMrr,           DatasetKind::kInvoices,
                                    DatasetKind::kSubscriptions, DatasetKind::kOrders,
                                    DatasetKind::kEvents,        DatasetKind::kCustomers};
  for (DatasetKind kind : kOrder) {
    // The file's own entries count only where they fit this kind and this file.
    MappingOverrides fitting;
    auto fit = [&](const MappingOverrides* overrides) {
      if (!overrides) return;
      for (const auto& entry : overrides->columns) {
        auto field = customer_field_from_name(entry.first);
        if (!field || !kind_reads(kind, *field)) continue;
        if (entry.second && find_column(headers, *entry.second) < 0) continue;
        std::erase_if(fitting.columns, [&](const auto& e) { return e.first == entry.first; });
        fitting.columns.push_back(entry);
      }
    };
    fit(dataset_wide);
    fit(own);
    CustomerMapping m =
        map_customer_columns(headers, kind, kNoOverrides, &fitting, nullptr).mapping;
    if (!mapping_serves_kind(m, kind)) continue;
    if (kind == DatasetKind::kSubscriptions && m[F::kStart].how == MatchKind::kSynonym) {
      // A creation date with an amount is as much an order as a subscription: it takes a
      // subscription's own column (a plan, an interval, a cancellation…) or a start date.
      const std::string start = normalise_header(headers[static_cast<size_t>(m[F::kStart].column)]);
      const bool created = start == "created" || start == "created at" ||
                           start == "creation date" || start == "date created";
      const bool own_column = m.has(F::kPlan) || m.has(F::kInterval) || m.has(F::kIntervalCount) ||
                              m.has(F::kTrialEnd) || m.has(F::kCanceledAt) ||
                              m.has(F::kCancelAtPeriodEnd) || m.has(F::kCurrentPeriodEnd) ||
                              m.has(F::kEndedAt);
      if (created && !own_column) continue;
    }
    if (kind == DatasetKind::kCustomers) {
      // A ticket export's plain "Status" column is no churn flag: it takes another column (or the
      // file's own mapping) to make a customer list.
      const bool status_only =
          m.has(F::kChurned) && m[F::kChurned].how == MatchKind::kSynonym &&
          normalise_header(headers[static_cast<size_t>(m[F::kChurned].column)]) == "status" &&
          !m.has(F::kTenure) && !m.has(F::kMonthlyCharge) && !m.has(F::kAcquisitionCost) &&
          !m.has(F::kSignupAt);
      if (status_only) continue;
    }
    return kind;
  }
  return std::nullopt;
}

}  // namespace kpilens
