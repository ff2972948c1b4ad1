// customer_kpis: formulas and sources in docs/kpis.md. Ratios divide integers once (part × 100 ÷
// whole), so the same counts and micro-units give the same bits everywhere.
#include "customer_kpis.h"

#include <cstdlib>

namespace kpilens {

namespace {

using F = CustomerField;
using Src = CustomerKpiSource;

constexpr size_t kNew = static_cast<size_t>(Movement::kNew);
constexpr size_t kExpansion = static_cast<size_t>(Movement::kExpansion);
constexpr size_t kContraction = static_cast<size_t>(Movement::kContraction);
constexpr size_t kChurned = static_cast<size_t>(Movement::kChurned);
constexpr size_t kReactivation = static_cast<size_t>(Movement::kReactivation);

std::optional<double> percent(int64_t part, int64_t whole) {
  if (whole == 0) return std::nullopt;
  return static_cast<double>(part) * 100.0 / static_cast<double>(whole);
}

std::optional<double> units(int64_t micros) {
  return micros_to_units(micros);
}

std::optional<double> count(int64_t n) {
  return static_cast<double>(n);
}

uint64_t n_of(int64_t n) {
  return n < 0 ? 0 : static_cast<uint64_t>(n);
}

int64_t lost(const PeriodFigures& f) {
  return -(f.amounts[kChurned] + f.amounts[kContraction]);
}

std::optional<double> arpa_of(const PeriodFigures& f) {
  if (f.paying == 0) return std::nullopt;
  return static_cast<double>(f.end_mrr) / (1e6 * static_cast<double>(f.paying));
}

std::optional<double> cac_of(const CustomerFigures& f) {
  if (f.with_cost == 0) return std::nullopt;
  return f.cost.value() / 1e6 / static_cast<double>(f.with_cost);
}

KpiValue time_to_value(const CustomerFigures& f, double q) {
  std::optional<double> rate = percent(f.reached, f.reached + f.not_reached);
  return KpiValue{f.ttv.quantile(q),
                  n_of(f.reached),
                  {count(f.reached), count(f.not_reached), rate},
                  f.ttv.approximate()};
}

KpiValue movement(const PeriodFigures& f, size_t m) {
  return KpiValue{units(f.amounts[m]), n_of(f.customers[m]), {}, false};
}

const std::vector<CustomerKpiDefinition>& build() {
  static const std::vector<CustomerKpiDefinition> catalogue = {
      {"mrr",
       "MRR",
       "currency",
       "normalised_at_period_end",
       "Σ monthly amounts of the subscriptions active at the period's end",
       {},
       Src::kPeriods,
       {},
       "a subscriptions, invoices or MRR file",
       [](const PeriodFigures& f) {
         return KpiValue{units(f.end_mrr), n_of(f.active), {}, false};
       }},
      {"arr",
       "ARR",
       "currency",
       "mrr_times_12",
       "MRR × 12",
       {},
       Src::kPeriods,
       {},
       "a subscriptions, invoices or MRR file",
       [](const PeriodFigures& f) {
         return KpiValue{units(f.end_mrr * 12), n_of(f.active), {}, false};
       }},
      {"arpa",
       "ARPA",
       "currency",
       "mrr_over_paying_customers",
       "MRR ÷ customers with MRR above 0",
       {"active_customers"},
       Src::kPeriods,
       {},
       "a subscriptions, invoices or MRR file",
       [](const PeriodFigures& f) {
         std::optional<double> v;
         if (f.paying > 0) {
           v = static_cast<double>(f.end_mrr) / (1e6 * static_cast<double>(f.paying));
         }
         return KpiValue{v, n_of(f.paying), {count(f.active)}, false};
       }},
      {"active_customers",
       "Active customers",
       "count",
       "active_at_period_end",
       "customers with an active subscription at the period's end ($0 plans included)",
       {"paying_customers"},
       Src::kPeriods,
       {},
       "a subscriptions, invoices or MRR file",
       [](const PeriodFigures& f) {
         return KpiValue{count(f.active), n_of(f.active), {count(f.paying)}, false};
       }},
      {"mrr_new",
       "New MRR",
       "currency",
       "period_end_comparison",
       "end MRR of customers active for the first time",
       {},
       Src::kPeriods,
       {},
       "a subscriptions, invoices or MRR file",
       [](const PeriodFigures& f) { return movement(f, kNew); }},
      {"mrr_expansion",
       "Expansion MRR",
       "currency",
       "period_end_comparison",
       "MRR added by customers active at both ends",
       {},
       Src::kPeriods,
       {},
       "a subscriptions, invoices or MRR file",
       [](const PeriodFigures& f) { return movement(f, kExpansion); }},
      {"mrr_contraction",
       "Contraction MRR",
       "currency",
       "period_end_comparison",
       "MRR lost by customers active at both ends (negative)",
       {},
       Src::kPeriods,
       {},
       "a subscriptions, invoices or MRR file",
       [](const PeriodFigures& f) { return movement(f, kContraction); }},
      {"mrr_churned",
       "Churned MRR",
       "currency",
       "period_end_comparison",
       "start MRR of customers who left (negative)",
       {},
       Src::kPeriods,
       {},
       "a subscriptions, invoices or MRR file",
       [](const PeriodFigures& f) { return movement(f, kChurned); }},
      {"mrr_reactivation",
       "Reactivation MRR",
       "currency",
       "period_end_comparison",
       "end MRR of customers who came back",
       {},
       Src::kPeriods,
       {},
       "a subscriptions, invoices or MRR file",
       [](const PeriodFigures& f) { return movement(f, kReactivation); }},
      {"net_new_mrr",
       "Net new MRR",
       "currency",
       "end_minus_start",
       "MRR at the end − MRR at the start (the sum of the movements)",
       {},
       Src::kPeriods,
       {},
       "a subscriptions, invoices or MRR file",
       [](const PeriodFigures& f) {
         int64_t movers = 0;
         for (int64_t c : f.customers) movers += c;
         return KpiValue{units(f.end_mrr - f.start_mrr), n_of(movers), {}, false};
       }},
      {"logo_churn_rate",
       "Logo churn rate",
       "percent",
       "of_customers_at_start",
       "customers who left ÷ customers at the start × 100",
       {"churned_customers"},
       Src::kPeriods,
       {},
       "a subscriptions, invoices or MRR file",
       [](const PeriodFigures& f) {
         return KpiValue{percent(f.customers[kChurned], f.start_active),
                         n_of(f.start_active),
                         {count(f.customers[kChurned])},
                         false};
       }},
      {"gross_mrr_churn_rate",
       "Gross MRR churn rate",
       "percent",
       "churn_plus_contraction",
       "(churned + contraction MRR) ÷ MRR at the start × 100",
       {"lost_mrr"},
       Src::kPeriods,
       {},
       "a subscriptions, invoices or MRR file",
       [](const PeriodFigures& f) {
         return KpiValue{
             percent(lost(f), f.start_mrr), n_of(f.start_active), {units(lost(f))}, false};
       }},
      {"net_mrr_churn_rate",
       "Net MRR churn rate",
       "percent",
       "churn_plus_contraction_minus_expansion_and_reactivation",
       "(churned + contraction − expansion − reactivation MRR) ÷ MRR at the start × 100",
       {"lost_mrr", "regained_mrr"},
       Src::kPeriods,
       {},
       "a subscriptions, invoices or MRR file",
       [](const PeriodFigures& f) {
         const int64_t regained = f.amounts[kExpansion] + f.amounts[kReactivation];
         return KpiValue{percent(lost(f) - regained, f.start_mrr),
                         n_of(f.start_active),
                         {units(lost(f)), units(regained)},
                         false};
       }},
      {"nrr",
       "Net revenue retention",
       "percent",
       "monthly_of_customers_at_start",
       "MRR at the end of the customers at the start ÷ their MRR at the start × 100",
       {"start_mrr", "retained_mrr"},
       Src::kPeriods,
       {},
       "a subscriptions, invoices or MRR file",
       [](const PeriodFigures& f) {
         const int64_t kept =
             f.start_mrr + f.amounts[kExpansion] + f.amounts[kContraction] + f.amounts[kChurned];
         return KpiValue{percent(kept, f.start_mrr),
                         n_of(f.start_active),
                         {units(f.start_mrr), units(kept)},
                         false};
       }},
      {"grr",
       "Gross revenue retention",
       "percent",
       "monthly_of_customers_at_start",
       "as NRR, each customer capped at its start MRR",
       {"start_mrr", "retained_mrr"},
       Src::kPeriods,
       {},
       "a subscriptions, invoices or MRR file",
       [](const PeriodFigures& f) {
         const int64_t kept = f.start_mrr + f.amounts[kContraction] + f.amounts[kChurned];
         return KpiValue{percent(kept, f.start_mrr),
                         n_of(f.start_active),
                         {units(f.start_mrr), units(kept)},
                         false};
       }},
      {"nrr_12m",
       "Net revenue retention (12 months)",
       "percent",
       "vs_12_months_earlier",
       "MRR now of the customers active 12 months earlier ÷ their MRR then × 100",
       {"base_mrr", "retained_mrr"},
       Src::kPeriods,
       {},
       "a subscriptions, invoices or MRR file",
       [](const PeriodFigures& f) {
         return KpiValue{percent(f.kept_mrr, f.base_mrr),
                         n_of(f.base_customers),
                         {units(f.base_mrr), units(f.kept_mrr)},
                         false};
       }},
      {"grr_12m",
       "Gross revenue retention (12 months)",
       "percent",
       "vs_12_months_earlier",
       "as NRR (12 months), each customer capped at its MRR then",
       {"base_mrr", "retained_mrr"},
       Src::kPeriods,
       {},
       "a subscriptions, invoices or MRR file",
       [](const PeriodFigures& f) {
         return KpiValue{percent(f.kept_mrr_capped, f.base_mrr),
                         n_of(f.base_customers),
                         {units(f.base_mrr), units(f.kept_mrr_capped)},
                         false};
       }},
      {"customer_retention_rate",
       "Customer retention rate",
       "percent",
       "seeds_end_minus_new_over_start",
       "(customers at the end − new customers) ÷ customers at the start × 100 (the seeds' formula)",
       {"churn_rate", "customers_start", "customers_end", "new_customers"},
       Src::kPeriods,
       {},
       "a subscriptions, invoices or MRR file",
       [](const PeriodFigures& f) {
         const int64_t gained = f.customers[kNew] + f.customers[kReactivation];
         std::optional<double> retention = percent(f.active - gained, f.start_active);
         std::optional<double> churn;
         if (retention) churn = 100.0 - *retention;
         return KpiValue{retention,
                         n_of(f.start_active),
                         {churn, count(f.start_active), count(f.active), count(gained)},
                         false};
       }},
      {"quick_ratio",
       "SaaS quick ratio",
       "ratio",
       "new_plus_expansion_over_churn_plus_contraction",
       "(new + expansion MRR) ÷ (churned + contraction MRR)",
       {"gained_mrr", "lost_mrr"},
       Src::kPeriods,
       {},
       "a subscriptions, invoices or MRR file",
       [](const PeriodFigures& f) {
         const int64_t gained = f.amounts[kNew] + f.amounts[kExpansion];
         std::optional<double> v;
         if (lost(f) != 0) v = static_cast<double>(gained) / static_cast<double>(lost(f));
         const int64_t movers = f.customers[kNew] + f.customers[kExpansion] +
                                f.customers[kContraction] + f.customers[kChurned];
         return KpiValue{v, n_of(movers), {units(gained), units(lost(f))}, false};
       }},
      {"renewal_rate",
       "Subscription renewal rate",
       "percent",
       "renewed_of_due",
       "renewed ÷ due for renewal × 100",
       {"renewed"},
       Src::kRenewals,
       {},
       "a subscriptions file",
       [](const PeriodFigures& f) {
         return KpiValue{percent(f.renewals_renewed, f.renewals_due),
                         n_of(f.renewals_due),
                         {count(f.renewals_renewed)},
                         false};
       }},
      {"snapshot_customers",
       "Customers (snapshot)",
       "count",
       "rows_per_customer",
       "customers in the CRM snapshot",
       {"churned", "retained", "status_unknown"},
       Src::kSnapshot,
       {},
       "a customers file with a churned column",
       nullptr,
       [](const SnapshotFigures& f) {
         return KpiValue{count(f.customers),
                         n_of(f.customers),
                         {count(f.churned), count(f.retained), count(f.unknown)},
                         false};
       }},
      {"snapshot_churn_rate",
       "Churn rate (snapshot)",
       "percent",
       "churned_of_known_status",
       "churned ÷ customers with a known status × 100",
       {"churned", "churned_mrr"},
       Src::kSnapshot,
       {},
       "a customers file with a churned column",
       nullptr,
       [](const SnapshotFigures& f) {
         std::optional<double> churned_mrr;
         if (f.churned_with_charge > 0) churned_mrr = micros_to_units(f.churned_charge);
         return KpiValue{percent(f.churned, f.churned + f.retained),
                         n_of(f.churned + f.retained),
                         {count(f.churned), churned_mrr},
                         false};
       }},
      {"snapshot_retention_rate",
       "Retention rate (snapshot)",
       "percent",
       "retained_of_known_status",
       "retained ÷ customers with a known status × 100",
       {"retained"},
       Src::kSnapshot,
       {},
       "a customers file with a churned column",
       nullptr,
       [](const SnapshotFigures& f) {
         return KpiValue{percent(f.retained, f.churned + f.retained),
                         n_of(f.churned + f.retained),
                         {count(f.retained)},
                         false};
       }},
      {"snapshot_retained_mrr",
       "MRR of retained customers",
       "currency",
       "sum_of_monthly_charges",
       "Σ monthly charge of the retained customers",
       {},
       Src::kSnapshot,
       {F::kMonthlyCharge},
       "a customers file with churned and monthly_charge columns",
       nullptr,
       [](const SnapshotFigures& f) {
         return KpiValue{units(f.retained_charge), n_of(f.retained_with_charge), {}, false};
       }},
      {"snapshot_arpa",
       "ARPA (snapshot)",
       "currency",
       "retained_mrr_over_retained_customers",
       "MRR of retained customers ÷ retained customers with a monthly charge",
       {},
       Src::kSnapshot,
       {F::kMonthlyCharge},
       "a customers file with churned and monthly_charge columns",
       nullptr,
       [](const SnapshotFigures& f) {
         std::optional<double> v;
         if (f.retained_with_charge > 0) {
           v = static_cast<double>(f.retained_charge) /
               (1e6 * static_cast<double>(f.retained_with_charge));
         }
         return KpiValue{v, n_of(f.retained_with_charge), {}, false};
       }},
      {"snapshot_average_tenure",
       "Average tenure (snapshot)",
       "months",
       "mean",
       "mean tenure in months",
       {"retained_mean", "churned_mean"},
       Src::kSnapshot,
       {F::kTenure},
       "a customers file with churned and tenure columns",
       nullptr,
       [](const SnapshotFigures& f) {
         auto mean = [](const ExactSum& sum, int64_t n) -> std::optional<double> {
           if (n == 0) return std::nullopt;
           return sum.value() / static_cast<double>(n);
         };
         return KpiValue{mean(f.tenure, f.with_tenure),
                         n_of(f.with_tenure),
                         {mean(f.retained_tenure, f.retained_with_tenure),
                          mean(f.churned_tenure, f.churned_with_tenure)},
                         false};
       }},
      {"clv",
       "Customer lifetime value",
       "currency",
       "apv_times_frequency_times_lifespan",
       "average purchase value × purchases per customer per year × lifespan in years",
       {"average_purchase_value", "purchase_frequency", "lifespan_years", "orders"},
       Src::kOrders,
       {},
       "an orders file",
       nullptr,
       nullptr,
       [](const CustomerFigures& f, const CustomerSettings& s) {
         if (f.buyers == 0 || f.orders == 0) return KpiValue{{}, 0, {{}, {}, {}, {}}, false};
         const double apv = f.revenue.value() / 1e6 / static_cast<double>(f.orders);
         const double years =
             static_cast<double>(int64_t{f.last_order_day} - f.first_order_day + 1) / 365.0;
         const double frequency =
             static_cast<double>(f.orders) / static_cast<double>(f.buyers) / years;
         const double lifespan = s.lifespan_years ? *s.lifespan_years
                                                  : static_cast<double>(f.span_days) /
                                                        static_cast<double>(f.buyers) / 365.0;
         return KpiValue{apv * frequency * lifespan,
                         n_of(f.buyers),
                         {apv, frequency, lifespan, count(f.orders)},
                         false};
       }},
      {"clv_saas",
       "Customer lifetime value (SaaS)",
       "currency",
       "arpa_times_margin_over_trailing_churn",
       "ARPA × gross margin ÷ monthly logo churn over the trailing 12 months",
       {"arpa", "trailing_churn_rate", "gross_margin"},
       Src::kSaasClv,
       {},
       "a subscriptions, invoices or MRR file and customers.gross_margin in the config",
       nullptr,
       nullptr,
       nullptr,
       [](const SaasInputs& in) {
         int64_t churned = 0;
         int64_t start = 0;
         const size_t from = in.period + 1 >= in.window ? in.period + 1 - in.window : 0;
         for (size_t q = from; q <= in.period; ++q) {
           churned += in.group->at(q).customers[kChurned];
           start += in.group->at(q).start_active;
         }
         const double months = 12.0 / static_cast<double>(in.window);
         std::optional<double> rate;
         if (start > 0) {
           rate = static_cast<double>(churned) * 100.0 / static_cast<double>(start) / months;
         }
         std::optional<double> arpa = arpa_of(in.group->at(in.period));
         std::optional<double> v;
         if (arpa && rate && churned > 0) v = *arpa * in.margin / (*rate / 100.0);
         return KpiValue{v, n_of(start), {arpa, rate, in.margin}, false};
       }},
      {"cac",
       "Customer acquisition cost",
       "currency",
       "mean_per_new_customer",
       "Σ acquisition cost ÷ customers with an acquisition cost",
       {"total_cost"},
       Src::kAcquisition,
       {},
       "a customers file with an acquisition_cost column",
       nullptr,
       nullptr,
       [](const CustomerFigures& f, const CustomerSettings&) {
         std::optional<double> total;
         if (f.with_cost > 0) total = f.cost.value() / 1e6;
         return KpiValue{cac_of(f), n_of(f.with_cost), {total}, false};
       }},
      {"cac_payback_months",
       "CAC payback",
       "months",
       "cac_over_arpa_times_margin",
       "CAC ÷ (ARPA × gross margin)",
       {"cac", "arpa"},
       Src::kSaasPayback,
       {},
       "a customers file with an acquisition_cost column, a subscriptions, invoices or MRR file "
       "and customers.gross_margin in the config",
       nullptr,
       nullptr,
       nullptr,
       [](const SaasInputs& in) {
         std::optional<double> cac = cac_of(*in.acquisition);
         std::optional<double> arpa = arpa_of(in.group->at(in.period));
         std::optional<double> v;
         if (cac && arpa) v = *cac / (*arpa * in.margin);
         return KpiValue{v, n_of(in.acquisition->with_cost), {cac, arpa}, false};
       }},
      {"repeat_purchase_rate",
       "Repeat purchase rate",
       "percent",
       "of_customers_with_an_order",
       "customers with 2 or more orders ÷ customers with an order × 100",
       {"repeat_customers"},
       Src::kOrders,
       {},
       "an orders file",
       nullptr,
       nullptr,
       [](const CustomerFigures& f, const CustomerSettings&) {
         return KpiValue{
             percent(f.repeat_buyers, f.buyers), n_of(f.buyers), {count(f.repeat_buyers)}, false};
       }},
      {"time_to_value_median",
       "Time to value (median)",
       "days",
       "median",
       "median days from a customer's start to its first value event",
       {"reached", "not_reached", "reached_rate"},
       Src::kTimeToValue,
       {},
       "an events file and customers.value_event in the config",
       nullptr,
       nullptr,
       [](const CustomerFigures& f, const CustomerSettings&) { return time_to_value(f, 0.5); }},
      {"time_to_value_p90",
       "Time to value (p90)",
       "days",
       "p90",
       "90th percentile of days from a customer's start to its first value event",
       {"reached", "not_reached", "reached_rate"},
       Src::kTimeToValue,
       {},
       "an events file and customers.value_event in the config",
       nullptr,
       nullptr,
       [](const CustomerFigures& f, const CustomerSettings&) { return time_to_value(f, 0.9); }},
  };
  return catalogue;
}

}  // namespace

double micros_to_units(int64_t micros) {
  return static_cast<double>(micros) / 1e6;
}

const std::vector<CustomerKpiDefinition>& customer_kpi_catalogue() {
  return build();
}

}  // namespace kpilens
