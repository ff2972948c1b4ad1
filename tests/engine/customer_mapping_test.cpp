// customer_mapping and customer_presets: which kind a file's headers make it, which column feeds
// which customer field, and the rules for the dataset-wide and the per-file mapping.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "customer_mapping.h"
#include "presets.h"

using namespace kpilens;
using F = CustomerField;

namespace {

std::optional<DatasetKind> kind_of(std::vector<std::string> headers) {
  return detect_customer_kind(headers, nullptr);
}

std::string column_of(const std::vector<std::string>& headers, const CustomerMapping& m, F f) {
  return m.has(f) ? headers[static_cast<size_t>(m[f].column)] : "<unmapped>";
}

}  // namespace

TEST_CASE("Generic headers make subscriptions, invoices, MRR snapshots and customer lists",
          "[customer_mapping]") {
  CHECK(kind_of({"Customer", "Plan", "Amount", "Start date"}) == DatasetKind::kSubscriptions);
  CHECK(kind_of({"customer_id", "amount", "period_start", "period_end"}) == DatasetKind::kInvoices);
  CHECK(kind_of({"Customer", "Month", "MRR"}) == DatasetKind::kMrr);
  CHECK(kind_of({"Customer ID", "Churned", "Tenure", "Monthly charges"}) ==
        DatasetKind::kCustomers);
  CHECK(kind_of({"customer id", "region", "signup date"}) == DatasetKind::kCustomers);
}

TEST_CASE("A ticket export is never a customer-success file", "[customer_mapping]") {
  CHECK_FALSE(kind_of({"Id", "Created at", "Solved at", "Status", "Requester", "Via"}));
  // Customer and a plain Status are not a churn list.
  CHECK_FALSE(kind_of({"Ticket", "Customer", "Status", "Created"}));
  // A creation date and an amount could as well be an order: no subscription without one of its own
  // columns.
  CHECK_FALSE(kind_of({"Customer", "Amount", "Created at", "Status"}));
  CHECK(kind_of({"Customer", "Amount", "Created at", "Plan"}) == DatasetKind::kSubscriptions);
}

TEST_CASE("Each kind maps only its own fields", "[customer_mapping]") {
  std::vector<std::string> headers = {"Customer", "Month", "MRR"};
  CustomerMapping mrr =
      map_customer_columns(headers, DatasetKind::kMrr, {}, nullptr, nullptr).mapping;
  CHECK(column_of(headers, mrr, F::kMrr) == "MRR");
  CHECK_FALSE(mrr.has(F::kMonthlyCharge));
  std::vector<std::string> crm = {"Customer", "Churned", "MRR"};
  CustomerMapping customers =
      map_customer_columns(crm, DatasetKind::kCustomers, {}, nullptr, nullptr).mapping;
  CHECK(column_of(crm, customers, F::kMonthlyCharge) == "MRR");
  CHECK_FALSE(customers.has(F::kMrr));
}

TEST_CASE("A tenure header that names years is read in years", "[customer_mapping]") {
  std::vector<std::string> headers = {"Customer", "Churn", "Tenure (years)"};
  CustomerMapping m =
      map_customer_columns(headers, DatasetKind::kCustomers, {}, nullptr, nullptr).mapping;
  REQUIRE(m.has(F::kTenure));
  CHECK(m[F::kTenure].scale == ValueScale::kYears);
}

TEST_CASE("The dataset-wide mapping skips what a customer file cannot use", "[customer_mapping]") {
  std::vector<std::string> headers = {"Client", "Price", "Begins"};
  MappingOverrides wide;
  wide.columns = {{"customer", "Client"},  {"amount", "Price"},
                  {"start", "Begins"},     {"mrr", "Monthly"},  // a field subscriptions do not read
                  {"plan", "Tier"},                             // a column this file lacks
                  {"created_at", "Opened"}};                    // a ticket field: the ticket files'
  CustomerMappingResult r =
      map_customer_columns(headers, DatasetKind::kSubscriptions, wide, nullptr, nullptr);
  CHECK(r.errors.empty());
  CHECK(column_of(headers, r.mapping, F::kAmount) == "Price");
  CHECK(column_of(headers, r.mapping, F::kStart) == "Begins");
  CHECK(r.mapping[F::kAmount].how == MatchKind::kConfig);
  CHECK(r.used_dataset_entries == std::vector<size_t>{0, 1, 2});
}

TEST_CASE("A name no schema knows is an error of a customer file", "[customer_mapping]") {
  MappingOverrides wide;
  wide.columns = {{"amout", "Price"}};
  std::vector<std::string> headers = {"Customer", "Price", "Start"};
  CustomerMappingResult r =
      map_customer_columns(headers, DatasetKind::kSubscriptions, wide, nullptr, nullptr);
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0] == "mapping names an unknown field 'amout'");
}

TEST_CASE("A file's own mapping is strict", "[customer_mapping]") {
  std::vector<std::string> headers = {"Customer", "Price", "Start"};
  MappingOverrides own;
  own.columns = {{"amount", "Cost"}, {"churned", "Churn"}, {"created_at", "Start"}};
  CustomerMappingResult r =
      map_customer_columns(headers, DatasetKind::kSubscriptions, {}, &own, nullptr);
  REQUIRE(r.errors.size() == 3);
  CHECK(r.errors[0] == "mapping for 'churned': a subscriptions file does not read this field");
  CHECK(r.errors[1] == "mapping for 'created_at': a subscriptions file does not read this field");
  CHECK(r.errors[2] == "mapping for 'amount': no column named 'Cost'");
}

TEST_CASE("Stripe's subscription export is recognised, amounts in units", "[customer_presets]") {
  std::vector<std::string> headers = {"id",
                                      "Customer ID",
                                      "Customer Description",
                                      "Customer Email",
                                      "Plan",
                                      "Product",
                                      "Quantity",
                                      "Currency",
                                      "Interval",
                                      "Amount",
                                      "Status",
                                      "Created (UTC)",
                                      "Start (UTC)",
                                      "Start Date (UTC)",
                                      "Current Period Start (UTC)",
                                      "Current Period End (UTC)",
                                      "Trial Start (UTC)",
                                      "Trial End (UTC)",
                                      "Canceled At (UTC)",
                                      "Cancel At Period End",
                                      "Ended At (UTC)",
                                      "Cancellation Reason"};
  auto match = detect_preset(headers);
  REQUIRE(match);
  CHECK(match->preset->id == "stripe_subscriptions");
  CHECK(match->preset->kind == DatasetKind::kSubscriptions);
  CustomerMapping m =
      map_customer_columns(headers, DatasetKind::kSubscriptions, {}, nullptr, match->preset)
          .mapping;
  CHECK(column_of(headers, m, F::kCustomer) == "Customer ID");
  CHECK(column_of(headers, m, F::kPlan) == "Plan");
  CHECK(column_of(headers, m, F::kAmount) == "Amount");
  CHECK(m[F::kAmount].scale == ValueScale::kUnits);
  // The subscription's start, not the legacy "Start (UTC)" (its last substantial change).
  CHECK(column_of(headers, m, F::kStart) == "Start Date (UTC)");
  CHECK(column_of(headers, m, F::kCurrentPeriodEnd) == "Current Period End (UTC)");
  CHECK(column_of(headers, m, F::kCancelAtPeriodEnd) == "Cancel At Period End");
}

TEST_CASE("Stripe's API subscription objects are recognised, amounts in cents",
          "[customer_presets]") {
  std::vector<std::string> headers = {"id",
                                      "object",
                                      "customer",
                                      "status",
                                      "start_date",
                                      "created",
                                      "current_period_start",
                                      "current_period_end",
                                      "cancel_at_period_end",
                                      "canceled_at",
                                      "ended_at",
                                      "trial_end",
                                      "quantity",
                                      "plan.id",
                                      "plan.nickname",
                                      "plan.amount",
                                      "plan.currency",
                                      "plan.interval",
                                      "plan.interval_count",
                                      "collection_method",
                                      "latest_invoice"};
  auto match = detect_preset(headers);
  REQUIRE(match);
  CHECK(match->preset->id == "stripe_subscriptions");
  CustomerMapping m =
      map_customer_columns(headers, DatasetKind::kSubscriptions, {}, nullptr, match->preset)
          .mapping;
  CHECK(column_of(headers, m, F::kAmount) == "plan.amount");
  CHECK(m[F::kAmount].scale == ValueScale::kCents);
  CHECK(column_of(headers, m, F::kPlan) == "plan.nickname");
  CHECK(column_of(headers, m, F::kIntervalCount) == "plan.interval_count");
  CHECK(column_of(headers, m, F::kStart) == "start_date");
}

TEST_CASE("Stripe's invoice exports are recognised as CSV (units) or API JSON (cents)",
          "[customer_presets]") {
  std::vector<std::string> csv = {"id",
                                  "Amount Due",
                                  "Amount Paid",
                                  "Attempt Count",
                                  "Currency",
                                  "Customer",
                                  "Date (UTC)",
                                  "Period End (UTC)",
                                  "Period Start (UTC)",
                                  "Status",
                                  "Subscription",
                                  "Subtotal",
                                  "Total"};
  auto a = detect_preset(csv);
  REQUIRE(a);
  CHECK(a->preset->id == "stripe_invoices");
  std::vector<std::string> api = {"id",
                                  "object",
                                  "customer",
                                  "amount_due",
                                  "amount_paid",
                                  "subtotal",
                                  "currency",
                                  "status",
                                  "period_start",
                                  "period_end",
                                  "billing_reason",
                                  "livemode",
                                  "lines.data[0].period.start",
                                  "lines.data[0].period.end",
                                  "subscription"};
  auto b = detect_preset(api);
  REQUIRE(b);
  CHECK(b->preset->id == "stripe_invoices_api");
  CustomerMapping m =
      map_customer_columns(api, DatasetKind::kInvoices, {}, nullptr, b->preset).mapping;
  CHECK(column_of(api, m, F::kPeriodStart) == "lines.data[0].period.start");
  CHECK(column_of(api, m, F::kAmount) == "subtotal");
  CHECK(m[F::kAmount].scale == ValueScale::kCents);
}

TEST_CASE("The Telco and bank churn samples are recognised from their headers",
          "[customer_presets]") {
  std::vector<std::string> telco = {
      "customerID",   "gender",           "SeniorCitizen", "Partner",         "Dependents",
      "tenure",       "PhoneService",     "MultipleLines", "InternetService", "OnlineSecurity",
      "OnlineBackup", "DeviceProtection", "TechSupport",   "StreamingTV",     "StreamingMovies",
      "Contract",     "PaperlessBilling", "PaymentMethod", "MonthlyCharges",  "TotalCharges",
      "Churn"};
  auto t = detect_preset(telco);
  REQUIRE(t);
  CHECK(t->preset->id == "telco_churn");
  CHECK(t->confidence == 1);
  CustomerMapping tm =
      map_customer_columns(telco, DatasetKind::kCustomers, {}, nullptr, t->preset).mapping;
  CHECK(column_of(telco, tm, F::kMonthlyCharge) == "MonthlyCharges");
  CHECK(column_of(telco, tm, F::kChurned) == "Churn");
  CHECK_FALSE(tm.has(F::kAge));
  std::vector<std::string> bank = {
      "RowNumber",       "CustomerId",    "Surname",   "CreditScore",
      "Geography",       "Gender",        "Age",       "Tenure",
      "Balance",         "NumOfProducts", "HasCrCard", "IsActiveMember",
      "EstimatedSalary", "Exited"};
  auto b = detect_preset(bank);
  REQUIRE(b);
  CHECK(b->preset->id == "bank_churn");
  CustomerMapping bm =
      map_customer_columns(bank, DatasetKind::kCustomers, {}, nullptr, b->preset).mapping;
  CHECK(column_of(bank, bm, F::kChurned) == "Exited");
  CHECK(bm[F::kTenure].scale == ValueScale::kYears);
  CHECK(column_of(bank, bm, F::kAge) == "Age");
  CHECK_FALSE(bm.has(F::kMonthlyCharge));
}

TEST_CASE("Helpdesk exports keep their presets", "[customer_presets]") {
  std::vector<std::string> zendesk = {
      "Id",         "Requester", "Assignee",           "Group",   "Status", "Via",
      "Created at", "Solved at", "Satisfaction Score", "Reopens", "Replies"};
  auto z = detect_preset(zendesk);
  REQUIRE(z);
  CHECK(z->preset->id == "zendesk");
}
