// dataset_kind: what one input file holds. Tickets and survey answers feed the support figures;
// the customer-success kinds feed the report's customers section (docs/kpis.md "Customer success").
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace kpilens {

enum class DatasetKind : uint8_t {
  kTickets,
  kSurvey,
  kSubscriptions,  // one row per subscription (Stripe-style)
  kInvoices,       // one row per invoice (line) with a service period
  kMrr,            // a monthly MRR snapshot: customer, month, mrr
  kCustomers,      // one row per customer: attributes, or a CRM churn snapshot
  kOrders,         // one row per order: repeat purchase rate, the seeds' CLV
  kEvents,         // one row per event (touchpoint): time to value, funnel, usage
};

// As written in reports and configs: "tickets", "survey", "subscriptions", "invoices", "mrr",
// "customers", "orders", "events".
std::string_view kind_name(DatasetKind kind);
std::optional<DatasetKind> kind_from_name(std::string_view name);

// Files whose rows feed the customers section rather than the ticket figures.
constexpr bool is_customer_kind(DatasetKind kind) {
  return kind != DatasetKind::kTickets && kind != DatasetKind::kSurvey;
}

}  // namespace kpilens
