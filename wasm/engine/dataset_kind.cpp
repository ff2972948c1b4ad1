// dataset_kind: see dataset_kind.h.
#include "dataset_kind.h"

#include <array>
#include <utility>

namespace kpilens {

namespace {

constexpr std::array<std::pair<DatasetKind, std::string_view>, 8> kNames{{
    {DatasetKind::kTickets, "tickets"},
    {DatasetKind::kSurvey, "survey"},
    {DatasetKind::kSubscriptions, "subscriptions"},
    {DatasetKind::kInvoices, "invoices"},
    {DatasetKind::kMrr, "mrr"},
    {DatasetKind::kCustomers, "customers"},
    {DatasetKind::kOrders, "orders"},
    {DatasetKind::kEvents, "events"},
}};

}  // namespace

std::string_view kind_name(DatasetKind kind) {
  for (const auto& [k, name] : kNames) {
    if (k == kind) return name;
  }
  return "tickets";
}

std::optional<DatasetKind> kind_from_name(std::string_view name) {
  for (const auto& [k, n] : kNames) {
    if (n == name) return k;
  }
  return std::nullopt;
}

}  // namespace kpilens
