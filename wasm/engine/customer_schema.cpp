// customer_schema: synonyms gathered from Stripe's Dashboard exports and API objects, subscription
// analytics tools' import templates (Baremetrics, ChartMogul), CRM churn samples (IBM Telco, bank
// churn) and hand-made spreadsheets. No `id` for customer (a subscription export's id is the
// subscription's) and no `created at` for signup_at (every ticket export has one).
#include "customer_schema.h"

namespace kpilens {

namespace {

using namespace std::string_view_literals;
using F = CustomerField;
using V = CustomerValue;
using K = DatasetKind;

constexpr uint8_t kAllCustomerKinds = kind_bit(K::kSubscriptions) | kind_bit(K::kInvoices) |
                                      kind_bit(K::kMrr) | kind_bit(K::kCustomers) |
                                      kind_bit(K::kOrders) | kind_bit(K::kEvents);
constexpr uint8_t kOrd = kind_bit(K::kOrders);
constexpr uint8_t kEvt = kind_bit(K::kEvents);
constexpr uint8_t kSubs = kind_bit(K::kSubscriptions);
constexpr uint8_t kInv = kind_bit(K::kInvoices);
constexpr uint8_t kMrrKind = kind_bit(K::kMrr);
constexpr uint8_t kCust = kind_bit(K::kCustomers);

constexpr std::string_view kCustomer[] = {
    "customer id"sv,     "customerid"sv, "customer"sv,       "cust id"sv,
    "customer number"sv, "account id"sv, "client id"sv,      "subscriber id"sv,
    "member id"sv,       "user id"sv,    "customer email"sv, "email"sv,
    "customer name"sv,   "account"sv,    "client"sv,         "company"sv};
constexpr std::string_view kPlan[] = {"plan"sv,          "plan name"sv,         "plan id"sv,
                                      "plan nickname"sv, "price id"sv,          "price nickname"sv,
                                      "product"sv,       "product name"sv,      "tier"sv,
                                      "package"sv,       "subscription plan"sv, "edition"sv};
constexpr std::string_view kAmount[] = {"amount"sv,
                                        "plan amount"sv,
                                        "price"sv,
                                        "unit amount"sv,
                                        "unit price"sv,
                                        "price amount"sv,
                                        "subscription amount"sv,
                                        "recurring amount"sv,
                                        "subtotal"sv,
                                        "total"sv,
                                        "amount due"sv,
                                        "amount paid"sv,
                                        "invoice amount"sv,
                                        "invoice total"sv,
                                        "billed amount"sv,
                                        "order total"sv,
                                        "order amount"sv,
                                        "order value"sv};
constexpr std::string_view kCurrency[] = {"currency"sv, "plan currency"sv, "price currency"sv,
                                          "currency code"sv};
constexpr std::string_view kQuantity[] = {"quantity"sv,
                                          "qty"sv,
                                          "seats"sv,
                                          "licenses"sv,
                                          "licences"sv,
                                          "plan quantity"sv,
                                          "subscription quantity"sv};
constexpr std::string_view kInterval[] = {
    "interval"sv,           "billing interval"sv, "plan interval"sv, "price interval"sv,
    "recurring interval"sv, "billing period"sv,   "billing cycle"sv, "billing frequency"sv,
    "frequency"sv,          "interval unit"sv,    "recurrence"sv,    "term"sv};
constexpr std::string_view kIntervalCount[] = {
    "interval count"sv, "plan interval count"sv, "price interval count"sv,
    "recurring interval count"sv, "billing interval count"sv};
constexpr std::string_view kStart[] = {"start date"sv,
                                       "started at"sv,
                                       "start"sv,
                                       "subscription start"sv,
                                       "subscription start date"sv,
                                       "start at"sv,
                                       "activated at"sv,
                                       "activation date"sv,
                                       "subscribed at"sv,
                                       "created"sv,
                                       "created at"sv,
                                       "creation date"sv,
                                       "date created"sv};
constexpr std::string_view kTrialEnd[] = {"trial end"sv,      "trial end date"sv, "trial ends at"sv,
                                          "trial ended at"sv, "trial end at"sv,   "trial until"sv};
constexpr std::string_view kCanceledAt[] = {
    "canceled at"sv,   "cancelled at"sv,   "canceled on"sv,       "cancelled on"sv,
    "canceled date"sv, "cancelled date"sv, "cancellation date"sv, "cancel date"sv,
    "date canceled"sv, "date cancelled"sv, "churned at"sv,        "churn date"sv};
constexpr std::string_view kCancelAtPeriodEnd[] = {
    "cancel at period end"sv, "cancels at period end"sv, "cancel at end of period"sv,
    "cancel at term end"sv};
constexpr std::string_view kCurrentPeriodEnd[] = {"current period end"sv,
                                                  "current period ends at"sv,
                                                  "current period end date"sv,
                                                  "current term end"sv,
                                                  "renewal date"sv,
                                                  "renews at"sv,
                                                  "next renewal"sv,
                                                  "next renewal date"sv,
                                                  "next billing date"sv,
                                                  "paid through"sv,
                                                  "paid until"sv};
constexpr std::string_view kEndedAt[] = {
    "ended at"sv,   "ended on"sv,   "ended"sv,       "end date"sv,        "end"sv,
    "expired at"sv, "expires at"sv, "expiry date"sv, "expiration date"sv, "terminated at"sv};
constexpr std::string_view kStatus[] = {"status"sv, "subscription status"sv, "invoice status"sv,
                                        "state"sv};
constexpr std::string_view kPeriodStart[] = {"period start"sv,         "service period start"sv,
                                             "billing period start"sv, "service start"sv,
                                             "period from"sv,          "from"sv};
constexpr std::string_view kPeriodEnd[] = {"period end"sv,         "service period end"sv,
                                           "billing period end"sv, "service end"sv,
                                           "period to"sv,          "to"sv};
constexpr std::string_view kMonth[] = {
    "month"sv,       "snapshot month"sv, "mrr month"sv, "reporting month"sv,
    "month start"sv, "snapshot date"sv,  "period"sv,    "date"sv};
constexpr std::string_view kMrr[] = {"mrr"sv, "monthly recurring revenue"sv, "mrr amount"sv,
                                     "recurring revenue"sv, "monthly revenue"sv};
constexpr std::string_view kSignupAt[] = {
    "signup date"sv,      "sign up date"sv,      "signed up at"sv,  "signup at"sv,
    "signed up"sv,        "customer since"sv,    "joined at"sv,     "join date"sv,
    "joined"sv,           "registration date"sv, "registered at"sv, "acquired at"sv,
    "acquisition date"sv, "onboarded at"sv};
constexpr std::string_view kAcquisitionCost[] = {"acquisition cost"sv,
                                                 "customer acquisition cost"sv, "cac"sv,
                                                 "acquisition spend"sv, "cost to acquire"sv};
constexpr std::string_view kChurned[] = {
    "churned"sv,         "churn"sv,          "churn flag"sv, "churn status"sv, "churn label"sv,
    "is churned"sv,      "has churned"sv,    "exited"sv,     "attrition"sv,    "attrition flag"sv,
    "customer status"sv, "account status"sv, "status"sv};
constexpr std::string_view kTenure[] = {"tenure"sv,
                                        "tenure months"sv,
                                        "tenure in months"sv,
                                        "customer tenure"sv,
                                        "months as customer"sv,
                                        "months active"sv,
                                        "months subscribed"sv,
                                        "lifetime months"sv,
                                        "tenure years"sv,
                                        "tenure in years"sv};
constexpr std::string_view kMonthlyCharge[] = {"monthly charges"sv,
                                               "monthly charge"sv,
                                               "monthly fee"sv,
                                               "monthly amount"sv,
                                               "monthly bill"sv,
                                               "monthly payment"sv,
                                               "monthly spend"sv,
                                               "monthly revenue"sv,
                                               "mrr"sv,
                                               "current mrr"sv,
                                               "monthly recurring revenue"sv};
constexpr std::string_view kAge[] = {"age"sv, "customer age"sv, "age years"sv, "age in years"sv};
constexpr std::string_view kEmail[] = {
    "email"sv,  "customer email"sv, "email address"sv, "customer email address"sv,
    "e mail"sv, "billing email"sv,  "contact email"sv, "user email"sv};
constexpr std::string_view kOrderedAt[] = {
    "order date"sv,       "ordered at"sv,      "order created at"sv, "order placed at"sv,
    "order time"sv,       "order datetime"sv,  "purchase date"sv,    "purchased at"sv,
    "date of purchase"sv, "transaction date"sv};
constexpr std::string_view kEvent[] = {"event"sv,    "event name"sv, "event type"sv, "action"sv,
                                       "activity"sv, "touchpoint"sv, "milestone"sv,  "event key"sv};
constexpr std::string_view kEventAt[] = {
    "event time"sv,  "event timestamp"sv, "event date"sv, "event at"sv, "occurred at"sv,
    "happened at"sv, "timestamp"sv,       "time"sv,       "datetime"sv};

constexpr std::array<CustomerFieldInfo, kCustomerFieldCount> kFields{{
    {F::kCustomer, "customer", V::kText, kCustomer, kAllCustomerKinds},
    {F::kPlan, "plan", V::kText, kPlan, kSubs | kInv | kMrrKind},
    {F::kAmount, "amount", V::kMoney, kAmount, kSubs | kInv | kOrd},
    {F::kCurrency, "currency", V::kText, kCurrency, kAllCustomerKinds},
    {F::kQuantity, "quantity", V::kCount, kQuantity, kSubs},
    {F::kInterval, "interval", V::kInterval, kInterval, kSubs},
    {F::kIntervalCount, "interval_count", V::kCount, kIntervalCount, kSubs},
    {F::kStart, "start", V::kTimestamp, kStart, kSubs},
    {F::kTrialEnd, "trial_end", V::kTimestamp, kTrialEnd, kSubs},
    {F::kCanceledAt, "canceled_at", V::kTimestamp, kCanceledAt, kSubs},
    {F::kCancelAtPeriodEnd, "cancel_at_period_end", V::kBool, kCancelAtPeriodEnd, kSubs},
    {F::kCurrentPeriodEnd, "current_period_end", V::kTimestamp, kCurrentPeriodEnd, kSubs},
    {F::kEndedAt, "ended_at", V::kTimestamp, kEndedAt, kSubs},
    {F::kStatus, "status", V::kText, kStatus, kSubs | kInv},
    {F::kPeriodStart, "period_start", V::kTimestamp, kPeriodStart, kInv},
    {F::kPeriodEnd, "period_end", V::kTimestamp, kPeriodEnd, kInv},
    {F::kMonth, "month", V::kTimestamp, kMonth, kMrrKind},
    {F::kMrr, "mrr", V::kMoney, kMrr, kMrrKind},
    {F::kSignupAt, "signup_at", V::kTimestamp, kSignupAt, kCust},
    {F::kAcquisitionCost, "acquisition_cost", V::kMoney, kAcquisitionCost, kCust},
    {F::kChurned, "churned", V::kChurned, kChurned, kCust},
    {F::kTenure, "tenure", V::kNumber, kTenure, kCust},
    {F::kMonthlyCharge, "monthly_charge", V::kMoney, kMonthlyCharge, kCust},
    {F::kAge, "age", V::kNumber, kAge, kCust},
    {F::kEmail, "email", V::kText, kEmail, kSubs | kInv | kCust | kOrd | kEvt},
    {F::kOrderedAt, "ordered_at", V::kTimestamp, kOrderedAt, kOrd},
    {F::kEvent, "event", V::kText, kEvent, kEvt},
    {F::kEventAt, "event_at", V::kTimestamp, kEventAt, kEvt},
}};

}  // namespace

const std::array<CustomerFieldInfo, kCustomerFieldCount>& customer_fields() {
  return kFields;
}

const CustomerFieldInfo& customer_field_info(CustomerField field) {
  return kFields[static_cast<size_t>(field)];
}

std::optional<CustomerField> customer_field_from_name(std::string_view name) {
  for (const auto& info : kFields) {
    if (info.name == name) return info.field;
  }
  return std::nullopt;
}

bool kind_reads(DatasetKind kind, CustomerField field) {
  if (!is_customer_kind(kind)) return false;
  return (customer_field_info(field).read_by & kind_bit(kind)) != 0;
}

}  // namespace kpilens
