// customer_presets: patterns are normalised headers (normalise_header): Stripe's "Current Period
// End (UTC)" is "current period end", its API's "plan.interval_count" is "plan interval count" and
// "lines.data[0].period.start" is "lines data 0 period start"; Telco's "MonthlyCharges" is
// "monthlycharges" (camel case is not split).
#include "customer_presets.h"

namespace kpilens {

namespace {

using namespace std::string_view_literals;
using F = CustomerField;
using S = ValueScale;

#define KPILENS_PATTERNS(name, ...) constexpr std::string_view name[] = {__VA_ARGS__}
constexpr std::span<const std::string_view> kNone{};

// ---- Stripe subscriptions: Dashboard CSV export and API subscription objects (JSON) ----
KPILENS_PATTERNS(kStripeSubsDistinctive, "cancel at period end"sv, "current period start"sv,
                 "current period end"sv, "trial start"sv, "trial end"sv, "canceled at"sv,
                 "ended at"sv, "start date"sv, "cancellation reason"sv, "customer description"sv,
                 "plan interval"sv, "plan interval count"sv, "plan amount"sv, "plan currency"sv,
                 "billing cycle anchor"sv, "collection method"sv, "application fee percent"sv,
                 "days until due"sv, "items data 0 price id"sv, "latest invoice"sv);
KPILENS_PATTERNS(kStripeSubsCommon, "id"sv, "customer id"sv, "customer"sv, "customer email"sv,
                 "customer name"sv, "plan"sv, "product"sv, "quantity"sv, "currency"sv, "interval"sv,
                 "amount"sv, "status"sv, "created"sv, "start"sv, "tax percent"sv, "coupon"sv,
                 "object"sv, "livemode"sv, "plan id"sv, "plan nickname"sv);
KPILENS_PATTERNS(kSsCustomer, "customer id"sv, "customer"sv);
KPILENS_PATTERNS(kSsPlan, "plan"sv, "plan nickname"sv, "plan id"sv, "items data 0 price nickname"sv,
                 "items data 0 price id"sv, "product"sv);
KPILENS_PATTERNS(kSsAmountUnits, "amount"sv);
KPILENS_PATTERNS(kSsAmountCents, "plan amount"sv, "items data 0 price unit amount"sv,
                 "items data 0 plan amount"sv);
KPILENS_PATTERNS(kSsCurrency, "currency"sv, "plan currency"sv, "items data 0 price currency"sv);
KPILENS_PATTERNS(kSsQuantity, "quantity"sv, "items data 0 quantity"sv);
KPILENS_PATTERNS(kSsInterval, "interval"sv, "plan interval"sv,
                 "items data 0 price recurring interval"sv, "items data 0 plan interval"sv);
KPILENS_PATTERNS(kSsIntervalCount, "interval count"sv, "plan interval count"sv,
                 "items data 0 price recurring interval count"sv,
                 "items data 0 plan interval count"sv);
// "Start Date (UTC)" / start_date is when the subscription began; the legacy "Start (UTC)" is the
// last substantial change (a plan change moves it), so it is not used.
KPILENS_PATTERNS(kSsStart, "start date"sv, "created"sv);
KPILENS_PATTERNS(kSsTrialEnd, "trial end"sv);
KPILENS_PATTERNS(kSsCanceledAt, "canceled at"sv);
KPILENS_PATTERNS(kSsCancelAtPeriodEnd, "cancel at period end"sv);
KPILENS_PATTERNS(kSsCurrentPeriodEnd, "current period end"sv);
KPILENS_PATTERNS(kSsEndedAt, "ended at"sv);
KPILENS_PATTERNS(kSsStatus, "status"sv);
const CustomerPresetColumn kStripeSubsColumns[] = {
    {F::kCustomer, kSsCustomer},
    {F::kPlan, kSsPlan},
    {F::kAmount, kSsAmountUnits, S::kUnits},  // Dashboard: "33.00"
    {F::kAmount, kSsAmountCents, S::kCents},  // API: 3300
    {F::kCurrency, kSsCurrency},
    {F::kQuantity, kSsQuantity},
    {F::kInterval, kSsInterval},
    {F::kIntervalCount, kSsIntervalCount},
    {F::kStart, kSsStart},
    {F::kTrialEnd, kSsTrialEnd},
    {F::kCanceledAt, kSsCanceledAt},
    {F::kCancelAtPeriodEnd, kSsCancelAtPeriodEnd},
    {F::kCurrentPeriodEnd, kSsCurrentPeriodEnd},
    {F::kEndedAt, kSsEndedAt},
    {F::kStatus, kSsStatus},
};

// ---- Stripe invoices: Dashboard CSV export (amounts in units) ----
KPILENS_PATTERNS(kStripeInvoicesDistinctive, "amount due"sv, "amount paid"sv, "amount remaining"sv,
                 "attempt count"sv, "attempted"sv, "starting balance"sv, "ending balance"sv,
                 "statement descriptor"sv, "receipt number"sv, "period start"sv, "period end"sv,
                 "subscription"sv, "due date"sv, "forgiven"sv, "closed"sv);
KPILENS_PATTERNS(kStripeInvoicesCommon, "id"sv, "number"sv, "customer"sv, "customer email"sv,
                 "customer name"sv, "currency"sv, "date"sv, "status"sv, "subtotal"sv, "total"sv,
                 "tax"sv, "tax percent"sv, "discount"sv, "description"sv, "paid"sv);
KPILENS_PATTERNS(kSiCustomer, "customer"sv, "customer id"sv);
KPILENS_PATTERNS(kSiAmount, "subtotal"sv, "total"sv, "amount due"sv);
KPILENS_PATTERNS(kSiCurrency, "currency"sv);
KPILENS_PATTERNS(kSiPeriodStart, "period start"sv);
KPILENS_PATTERNS(kSiPeriodEnd, "period end"sv);
const CustomerPresetColumn kStripeInvoicesColumns[] = {
    {F::kCustomer, kSiCustomer},   {F::kAmount, kSiAmount, S::kUnits},
    {F::kCurrency, kSiCurrency},   {F::kPeriodStart, kSiPeriodStart},
    {F::kPeriodEnd, kSiPeriodEnd}, {F::kStatus, kSsStatus},
};

// ---- Stripe invoices: API invoice objects (JSON; amounts in cents). It knows every header the
// CSV preset knows plus the JSON-only ones, so it wins on JSON and ties (then loses, being later)
// on the CSV. The first line item's period is the service period; the invoice-level period of a
// subscription invoice can be the period before the one billed. ----
KPILENS_PATTERNS(kStripeInvoicesApiDistinctive, "amount due"sv, "amount paid"sv,
                 "amount remaining"sv, "attempt count"sv, "attempted"sv, "starting balance"sv,
                 "ending balance"sv, "statement descriptor"sv, "receipt number"sv, "period start"sv,
                 "period end"sv, "subscription"sv, "due date"sv, "forgiven"sv, "closed"sv,
                 "lines data 0 period start"sv, "lines data 0 period end"sv,
                 "lines data 0 amount"sv, "billing reason"sv, "hosted invoice url"sv,
                 "invoice pdf"sv, "account country"sv, "account name"sv, "livemode"sv,
                 "collection method"sv);
KPILENS_PATTERNS(kSiaPlan, "lines data 0 price nickname"sv, "lines data 0 plan nickname"sv,
                 "lines data 0 price id"sv, "lines data 0 plan id"sv);
KPILENS_PATTERNS(kSiaPeriodStart, "lines data 0 period start"sv, "period start"sv);
KPILENS_PATTERNS(kSiaPeriodEnd, "lines data 0 period end"sv, "period end"sv);
const CustomerPresetColumn kStripeInvoicesApiColumns[] = {
    {F::kCustomer, kSiCustomer},
    {F::kPlan, kSiaPlan},
    {F::kAmount, kSiAmount, S::kCents},
    {F::kCurrency, kSiCurrency},
    {F::kPeriodStart, kSiaPeriodStart},
    {F::kPeriodEnd, kSiaPeriodEnd},
    {F::kStatus, kSsStatus},
};

// ---- IBM Telco customer churn sample (WA_Fn-UseC_-Telco-Customer-Churn.csv) ----
KPILENS_PATTERNS(kTelcoDistinctive, "customerid"sv, "seniorcitizen"sv, "partner"sv, "dependents"sv,
                 "phoneservice"sv, "multiplelines"sv, "internetservice"sv, "onlinesecurity"sv,
                 "onlinebackup"sv, "deviceprotection"sv, "techsupport"sv, "streamingtv"sv,
                 "streamingmovies"sv, "paperlessbilling"sv, "paymentmethod"sv, "monthlycharges"sv,
                 "totalcharges"sv);
KPILENS_PATTERNS(kTelcoCommon, "gender"sv, "tenure"sv, "contract"sv, "churn"sv);
KPILENS_PATTERNS(kTcCustomer, "customerid"sv);
KPILENS_PATTERNS(kTcChurn, "churn"sv);
KPILENS_PATTERNS(kTcTenure, "tenure"sv);
KPILENS_PATTERNS(kTcMonthly, "monthlycharges"sv);
const CustomerPresetColumn kTelcoColumns[] = {
    {F::kCustomer, kTcCustomer},
    {F::kChurned, kTcChurn},
    {F::kTenure, kTcTenure, S::kMonths},
    {F::kMonthlyCharge, kTcMonthly, S::kUnits},
    // SeniorCitizen is 0/1, not an age.
    {F::kAge, kNone},
};

// ---- Bank customer churn sample (Churn_Modelling.csv) ----
KPILENS_PATTERNS(kBankDistinctive, "rownumber"sv, "customerid"sv, "surname"sv, "creditscore"sv,
                 "geography"sv, "numofproducts"sv, "hascrcard"sv, "isactivemember"sv,
                 "estimatedsalary"sv, "exited"sv);
KPILENS_PATTERNS(kBankCommon, "gender"sv, "age"sv, "tenure"sv, "balance"sv);
KPILENS_PATTERNS(kBkExited, "exited"sv);
KPILENS_PATTERNS(kBkAge, "age"sv);
const CustomerPresetColumn kBankColumns[] = {
    {F::kCustomer, kTcCustomer},
    {F::kChurned, kBkExited},
    // Years with the bank, not months.
    {F::kTenure, kTcTenure, S::kYears},
    {F::kAge, kBkAge},
    // Balance and EstimatedSalary are not charges: churn and retention only.
    {F::kMonthlyCharge, kNone},
};

#undef KPILENS_PATTERNS

constexpr std::span<const PresetColumn> kNoTicketColumns{};

const Preset kCustomerPresets[] = {
    {"stripe_subscriptions", "Stripe subscriptions export", DatasetKind::kSubscriptions,
     kStripeSubsDistinctive, kStripeSubsCommon, 3, kNoTicketColumns, kStripeSubsColumns},
    {"stripe_invoices", "Stripe invoices export (CSV)", DatasetKind::kInvoices,
     kStripeInvoicesDistinctive, kStripeInvoicesCommon, 3, kNoTicketColumns,
     kStripeInvoicesColumns},
    {"stripe_invoices_api", "Stripe invoices (API JSON)", DatasetKind::kInvoices,
     kStripeInvoicesApiDistinctive, kStripeInvoicesCommon, 3, kNoTicketColumns,
     kStripeInvoicesApiColumns},
    {"telco_churn", "IBM Telco customer churn", DatasetKind::kCustomers, kTelcoDistinctive,
     kTelcoCommon, 3, kNoTicketColumns, kTelcoColumns},
    {"bank_churn", "Bank customer churn", DatasetKind::kCustomers, kBankDistinctive, kBankCommon, 3,
     kNoTicketColumns, kBankColumns},
};

}  // namespace

std::span<const Preset> customer_presets() {
  return kCustomerPresets;
}

}  // namespace kpilens
