// customer_schema: the canonical fields of customer-success files (subscriptions, invoices, MRR
// snapshots, customer lists), what each may be called in the wild (normalised header synonyms, best
// first), and which file kinds read each field. docs/kpis.md "Customer fields" lists them.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "dataset_kind.h"

namespace kpilens {

enum class CustomerField : uint8_t {
  kCustomer,
  kPlan,
  kAmount,
  kCurrency,
  kQuantity,
  kInterval,
  kIntervalCount,
  kStart,
  kTrialEnd,
  kCanceledAt,
  kCancelAtPeriodEnd,
  kCurrentPeriodEnd,
  kEndedAt,
  kStatus,
  kPeriodStart,  // invoices: the service period
  kPeriodEnd,
  kMonth,  // MRR snapshots
  kMrr,
  kSignupAt,  // customers
  kAcquisitionCost,
  kChurned,
  kTenure,
  kMonthlyCharge,
  kAge,
  kEmail,      // joins tickets and answers to customers by address
  kOrderedAt,  // orders
  kEvent,      // events: the event's name
  kEventAt,
};
inline constexpr size_t kCustomerFieldCount = 28;

// How a field's cells are read (docs/kpis.md "Cells").
enum class CustomerValue : uint8_t {
  kText,
  kMoney,
  kCount,
  kNumber,
  kInterval,
  kTimestamp,
  kBool,
  kChurned,
};

// The unit a money or tenure column is in, when a preset, the header or the config says.
enum class ValueScale : uint8_t { kDefault, kUnits, kCents, kMonths, kYears };

struct CustomerFieldInfo {
  CustomerField field;
  std::string_view name;  // as in configs and reports: "current_period_end"
  CustomerValue value;
  std::span<const std::string_view> synonyms;  // normalised headers, best first
  uint8_t read_by;                             // bit per DatasetKind (kind_bit)
};

constexpr uint8_t kind_bit(DatasetKind kind) {
  return static_cast<uint8_t>(1u << static_cast<unsigned>(kind));
}

const std::array<CustomerFieldInfo, kCustomerFieldCount>& customer_fields();
const CustomerFieldInfo& customer_field_info(CustomerField field);
std::optional<CustomerField> customer_field_from_name(std::string_view name);
// Whether a file of `kind` reads `field` (each kind maps only its own fields).
bool kind_reads(DatasetKind kind, CustomerField field);

}  // namespace kpilens
