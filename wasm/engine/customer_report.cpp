// customer_report: see customer_report.h. Every number goes through JsonWriter (native ≡ wasm).
#include "customer_report.h"

#include <algorithm>

#include "customer_kpis.h"
#include "kpi_json.h"
#include "period.h"

namespace kpilens {

namespace {

using F = CustomerField;

constexpr std::string_view kMovementNames[kMovementCount] = {"new", "expansion", "contraction",
                                                             "churned", "reactivation"};

// The fields that feed the period figures (a plan column is only a segment).
constexpr F kStateFields[] = {F::kCustomer,
                              F::kAmount,
                              F::kCurrency,
                              F::kQuantity,
                              F::kInterval,
                              F::kIntervalCount,
                              F::kStart,
                              F::kTrialEnd,
                              F::kCanceledAt,
                              F::kCancelAtPeriodEnd,
                              F::kCurrentPeriodEnd,
                              F::kEndedAt,
                              F::kStatus,
                              F::kPeriodStart,
                              F::kPeriodEnd,
                              F::kMonth,
                              F::kMrr};

void write_date(JsonWriter& w, std::optional<int64_t> day) {
  if (!day) {
    w.null();
    return;
  }
  char text[32];
  format_date(*day, text);
  w.string(text);
}

std::string_view scale_name(ValueScale scale, std::string_view auto_name) {
  switch (scale) {
    case ValueScale::kUnits:
      return "units";
    case ValueScale::kCents:
      return "cents";
    case ValueScale::kMonths:
      return "months";
    case ValueScale::kYears:
      return "years";
    default:
      return auto_name;
  }
}

void write_config(JsonWriter& w, const CustomerSettings& s) {
  w.key("config");
  w.begin_object();
  w.field("grain", grain_name(s.grain));
  w.field("churn_recognition",
          s.churn_recognition == ChurnRecognition::kPeriodEnd ? "period_end" : "cancellation");
  w.field("gross_margin", s.gross_margin);
  w.field("amount_unit", scale_name(s.amount_unit, "auto"));
  w.field("tenure_unit", scale_name(s.tenure_unit, "auto"));
  w.key("currency");
  if (s.currency) {
    w.string(*s.currency);
  } else {
    w.null();
  }
  w.field("count_trials", s.count_trials);
  w.field("free_is_active", s.free_is_active);
  w.field("cohort_basis", s.cohort_basis == CohortBasis::kAuto     ? "auto"
                          : s.cohort_basis == CohortBasis::kSignup ? "signup"
                                                                   : "first_paid");
  w.field("max_cohorts", static_cast<uint64_t>(s.max_cohorts));
  w.key("as_of");
  write_date(w, s.as_of);
  w.key("tenure_bands");
  w.begin_array();
  for (double b : s.tenure_bands) w.number(b);
  w.end_array();
  w.key("age_bands");
  w.begin_array();
  for (double b : s.age_bands) w.number(b);
  w.end_array();
  w.field("lifespan_years", s.lifespan_years);
  w.key("value_event");
  if (s.value_event) {
    w.string(*s.value_event);
  } else {
    w.null();
  }
  w.key("funnel");
  w.begin_array();
  for (const std::string& step : s.funnel) w.string(step);
  w.end_array();
  w.end_object();
}

bool is_state_kind(DatasetKind kind) {
  return kind == DatasetKind::kSubscriptions || kind == DatasetKind::kInvoices ||
         kind == DatasetKind::kMrr;
}

// The fields a KPI read, merged over files in field order; empty when it could not be computed.
std::vector<F> kpi_inputs(const CustomerKpiDefinition& def,
                          std::span<const CustomerFileMapping> files, const CustomerSettings& s) {
  std::vector<bool> used(kCustomerFieldCount, false);
  bool any = false;
  auto use = [&](const CustomerMapping& m, std::initializer_list<F> fields) {
    for (F f : fields) {
      if (m.has(f)) used[static_cast<size_t>(f)] = true;
    }
  };
  // The SaaS figures need all their sources: the margin, period files and (payback) costs.
  if (def.source == CustomerKpiSource::kSaasClv || def.source == CustomerKpiSource::kSaasPayback) {
    const bool periods = std::any_of(files.begin(), files.end(),
                                     [](const auto& f) { return is_state_kind(f.kind); });
    const bool costs = std::any_of(files.begin(), files.end(), [](const auto& f) {
      return f.kind == DatasetKind::kCustomers && f.mapping->has(F::kAcquisitionCost);
    });
    if (!s.gross_margin || !periods || (def.source == CustomerKpiSource::kSaasPayback && !costs)) {
      return {};
    }
  }
  if (def.source == CustomerKpiSource::kTimeToValue && !s.value_event) return {};
  for (const CustomerFileMapping& file : files) {
    const CustomerMapping& m = *file.mapping;
    switch (def.source) {
      case CustomerKpiSource::kOrders:
        if (file.kind != DatasetKind::kOrders) break;
        any = true;
        use(m, {F::kCustomer, F::kOrderedAt, F::kAmount, F::kCurrency});
        break;
      case CustomerKpiSource::kAcquisition:
      case CustomerKpiSource::kSaasPayback:
        if (file.kind == DatasetKind::kCustomers && m.has(F::kAcquisitionCost)) {
          any = true;
          use(m, {F::kCustomer, F::kSignupAt, F::kAcquisitionCost});
        }
        if (def.source == CustomerKpiSource::kSaasPayback && is_state_kind(file.kind)) {
          for (F f : kStateFields) use(m, {f});
        }
        break;
      case CustomerKpiSource::kTimeToValue:
        if (file.kind == DatasetKind::kEvents) {
          any = true;
          use(m, {F::kCustomer, F::kEvent, F::kEventAt});
        } else if (file.kind == DatasetKind::kCustomers) {
          use(m, {F::kSignupAt});
        }
        break;
      case CustomerKpiSource::kSaasClv:
        if (!is_state_kind(file.kind)) break;
        any = true;
        for (F f : kStateFields) use(m, {f});
        break;
      case CustomerKpiSource::kPeriods:
      case CustomerKpiSource::kRenewals: {
        const bool fits = def.source == CustomerKpiSource::kRenewals
                              ? file.kind == DatasetKind::kSubscriptions
                              : file.kind == DatasetKind::kSubscriptions ||
                                    file.kind == DatasetKind::kInvoices ||
                                    file.kind == DatasetKind::kMrr;
        if (!fits) break;
        any = true;
        for (F f : kStateFields) {
          if (m.has(f)) used[static_cast<size_t>(f)] = true;
        }
        break;
      }
      case CustomerKpiSource::kSnapshot: {
        if (file.kind != DatasetKind::kCustomers || !m.has(F::kChurned)) break;
        if (!std::all_of(def.snapshot_fields.begin(), def.snapshot_fields.end(),
                         [&](F f) { return m.has(f); })) {
          break;
        }
        any = true;
        used[static_cast<size_t>(F::kCustomer)] = true;
        used[static_cast<size_t>(F::kChurned)] = true;
        for (F f : def.snapshot_fields) used[static_cast<size_t>(f)] = true;
        if (def.id == "snapshot_churn_rate" && m.has(F::kMonthlyCharge)) {
          used[static_cast<size_t>(F::kMonthlyCharge)] = true;
        }
        break;
      }
    }
  }
  std::vector<F> inputs;
  if (!any) return inputs;
  for (const auto& info : customer_fields()) {
    if (used[static_cast<size_t>(info.field)]) inputs.push_back(info.field);
  }
  return inputs;
}

// The bridge's columns of a group as fields of the object being written: start_mrr[], end_mrr[],
// amounts{movement: []}, customers{movement: []}.
void write_bridge_fields(JsonWriter& w, const GroupFigures& g, size_t first, size_t last) {
  w.key("start_mrr");
  w.begin_array();
  for (size_t p = first; p < last; ++p) w.number(micros_to_units(g.at(p).start_mrr));
  w.end_array();
  w.key("end_mrr");
  w.begin_array();
  for (size_t p = first; p < last; ++p) w.number(micros_to_units(g.at(p).end_mrr));
  w.end_array();
  w.key("amounts");
  w.begin_object();
  for (size_t m = 0; m < kMovementCount; ++m) {
    w.key(kMovementNames[m]);
    w.begin_array();
    for (size_t p = first; p < last; ++p) w.number(micros_to_units(g.at(p).amounts[m]));
    w.end_array();
  }
  w.end_object();
  w.key("customers");
  w.begin_object();
  for (size_t m = 0; m < kMovementCount; ++m) {
    w.key(kMovementNames[m]);
    w.begin_array();
    for (size_t p = first; p < last; ++p) w.integer(g.at(p).customers[m]);
    w.end_array();
  }
  w.end_object();
}

void write_bridge_columns(JsonWriter& w, const GroupFigures& g, size_t first, size_t last) {
  w.begin_object();
  write_bridge_fields(w, g, first, last);
  w.end_object();
}

}  // namespace

void write_customers_section(JsonWriter& w, const CustomerDataset& customers,
                             std::span<const CustomerFileMapping> files, bool failed) {
  w.key("customers");
  if (!customers.any_file()) {
    w.null();
    return;
  }
  const CustomerResults& r = customers.results();
  const CustomerSettings& settings = customers.settings();
  const CustomerCounts& counts = customers.counts();
  w.begin_object();
  write_config(w, settings);
  std::optional<std::string> currency = customers.currency();
  w.key("currency");
  if (currency) {
    w.string(*currency);
  } else {
    w.null();
  }
  const bool has_axis = r.has_state && !r.periods.empty();
  // Without periods (a customers file alone) the day is still the config's when it gives one, the
  // day the health score is evaluated on.
  w.key("as_of");
  write_date(w, has_axis ? r.as_of : settings.as_of);
  w.field("as_of_from_config", settings.as_of.has_value());

  w.key("counts");
  w.begin_object();
  w.field("customers", customers.customer_count());
  w.field("subscriptions", counts.subscriptions);
  w.field("invoices", counts.invoices);
  w.field("mrr_rows", counts.mrr_rows);
  w.field("customer_rows", counts.customer_rows);
  w.field("trialing", counts.trialing);
  w.field("incomplete", counts.incomplete);
  w.field("never_active", counts.never_active);
  w.field("zero_mrr_rows", counts.zero_mrr_rows);
  w.field("one_off_invoices", counts.one_off_invoices);
  w.field("void_invoices", counts.void_invoices);
  w.field("orders", counts.orders);
  w.field("events", counts.events);
  w.field("customers_with_orders", counts.customers_with_orders);
  w.field("customers_with_events", counts.customers_with_events);
  w.end_object();

  // Periods: the listed part of the axis.
  const size_t first = has_axis ? r.first_listed : 0;
  const size_t last = has_axis ? r.periods.size() : 0;
  PeriodSpec spec{settings.grain, false, 0};
  std::vector<PeriodLabel> labels;
  for (size_t p = first; p < last; ++p) labels.push_back(period_label(r.periods[p], spec));
  w.key("periods");
  w.begin_object();
  w.field("grain", grain_name(settings.grain));
  w.key("keys");
  w.begin_array();
  for (const auto& l : labels) w.string(l.key);
  w.end_array();
  w.key("start");
  w.begin_array();
  for (const auto& l : labels) w.string(l.start);
  w.end_array();
  w.key("end");
  w.begin_array();
  for (const auto& l : labels) w.string(l.end);
  w.end_array();
  w.end_object();

  w.key("segments");
  w.begin_object();
  for (const auto& segment : r.segments) {
    w.key(segment.name);
    w.begin_array();
    for (const std::string& v : segment.values) w.string(v);
    w.end_array();
  }
  w.end_object();

  // KPI entries.
  const bool has_periods = last > first;
  const std::string unit_currency = currency ? *currency : "currency";
  w.key("kpis");
  w.begin_array();
  for (const CustomerKpiDefinition& def : customer_kpi_catalogue()) {
    std::vector<F> inputs = kpi_inputs(def, files, settings);
    const bool snapshot = def.source == CustomerKpiSource::kSnapshot;
    const bool customer = def.customer != nullptr;
    const bool available = !inputs.empty() && !failed;
    w.begin_object();
    w.field("id", def.id);
    w.field("label", def.label);
    w.field("unit", def.unit == "currency" ? std::string_view(unit_currency) : def.unit);
    w.field("variant", def.variant);
    w.field("formula", def.formula);
    w.field("available", available);
    w.key("inputs");
    w.begin_array();
    for (F f : inputs) w.string(customer_field_info(f).name);
    w.end_array();
    w.key("needs");
    if (available) {
      w.null();
    } else {
      w.string(def.needs);
    }
    w.key("extra_names");
    w.begin_array();
    for (auto name : def.extra_names) w.string(name);
    w.end_array();
    std::span<const std::string_view> extras(def.extra_names);

    KpiValue overall;
    std::vector<KpiValue> series;
    const size_t window = settings.grain == Grain::kQuarter ? 4
                          : settings.grain == Grain::kYear  ? 1
                                                            : 12;
    auto saas = [&](const GroupFigures& g, size_t p, const CustomerFigures& acquisition) {
      return def.saas(SaasInputs{&g, p, window, settings.gross_margin.value_or(1), &acquisition});
    };
    if (available && snapshot) {
      overall = def.snapshot(r.snapshot);
    } else if (available && customer) {
      overall = def.customer(r.customer_overall, settings);
      if (has_periods) {
        for (size_t p = first; p < last; ++p) {
          series.push_back(def.customer(r.customer_cohorts[p], settings));
        }
      }
    } else if (available && def.saas) {
      if (has_periods) {
        for (size_t p = first; p < last; ++p) {
          series.push_back(saas(r.overall, p, r.customer_cohorts[p]));
        }
        overall = saas(r.overall, last - 1, r.customer_overall);
      } else {
        overall.extras.resize(def.extra_names.size());
      }
    } else if (available && has_periods) {
      for (size_t p = first; p < last; ++p) series.push_back(def.period(r.overall.at(p)));
      overall = series.back();
    }
    write_kpi_value(w, overall, extras);
    w.key("series");
    if (!series.empty()) {
      write_kpi_columns(w, series, extras);
    } else {
      w.null();
    }
    w.key("trend");
    write_kpi_trend(w, labels, series);
    w.key("breakdowns");
    w.begin_object();
    if (available && (snapshot || customer || has_periods)) {
      for (const auto& segment : r.segments) {
        const bool customer_column_only =
            snapshot || customer || def.source == CustomerKpiSource::kSaasPayback;
        if (customer_column_only && !segment.from_customers) continue;
        std::vector<KpiValue> values;
        for (uint32_t id : segment.value_ids) {
          const auto& groups = r.customer_groups[segment.column];
          const CustomerFigures none;
          const CustomerFigures& figures = id < groups.size() ? groups[id] : none;
          if (customer) {
            values.push_back(def.customer(figures, settings));
          } else if (def.saas) {
            values.push_back(saas(r.groups[segment.column][id], last - 1, figures));
          } else if (snapshot) {
            const auto& snapshot_groups = r.snapshot_groups[segment.column];
            values.push_back(def.snapshot(id < snapshot_groups.size() ? snapshot_groups[id]
                                                                      : SnapshotFigures{}));
          } else {
            values.push_back(def.period(r.groups[segment.column][id].at(last - 1)));
          }
        }
        w.key(segment.name);
        write_kpi_columns(w, values, extras);
      }
    }
    w.end_object();
    w.end_object();
  }
  w.end_array();

  // The bridge, overall and per segment value.
  const bool state_files = customers.read_kind(DatasetKind::kSubscriptions) ||
                           customers.read_kind(DatasetKind::kInvoices) ||
                           customers.read_kind(DatasetKind::kMrr);
  w.key("bridge");
  if (!has_periods || failed || !state_files) {
    w.null();
  } else {
    w.begin_object();
    w.key("movements");
    w.begin_array();
    for (auto name : kMovementNames) w.string(name);
    w.end_array();
    // The overall columns inline, then per segment value.
    write_bridge_fields(w, r.overall, first, last);
    w.key("breakdowns");
    w.begin_object();
    for (const auto& segment : r.segments) {
      w.key(segment.name);
      w.begin_array();
      for (uint32_t id : segment.value_ids) {
        write_bridge_columns(w, r.groups[segment.column][id], first, last);
      }
      w.end_array();
    }
    w.end_object();
    w.end_object();
  }

  // Cohorts.
  w.key("cohorts");
  if (!has_periods || failed || !r.cohorts || !state_files) {
    w.null();
  } else {
    const CohortTable& t = *r.cohorts;
    w.begin_object();
    w.field("basis", r.cohort_basis == CohortBasis::kSignup ? "signup" : "first_paid");
    const size_t width = last - t.first_cohort();
    w.key("keys");
    w.begin_array();
    for (size_t i = 0; i < t.cohorts(); ++i) {
      w.string(period_label(r.periods[t.first_cohort() + i], spec).key);
    }
    w.end_array();
    w.key("sizes");
    w.begin_array();
    for (size_t i = 0; i < t.cohorts(); ++i) w.integer(t.row(i).size);
    w.end_array();
    w.key("start_mrr");
    w.begin_array();
    for (size_t i = 0; i < t.cohorts(); ++i) w.number(micros_to_units(t.row(i).start_mrr));
    w.end_array();
    w.key("periods_since");
    w.begin_array();
    for (size_t k = 0; k < width; ++k) w.integer(static_cast<uint64_t>(k));
    w.end_array();
    auto matrix = [&](std::string_view name, auto cell) {
      w.key(name);
      w.begin_array();
      for (size_t i = 0; i < t.cohorts(); ++i) {
        const CohortTable::Row& row = t.row(i);
        w.begin_array();
        for (size_t k = 0; k < width; ++k) {
          if (k < row.customers.size()) {
            cell(row, k);
          } else {
            w.null();
          }
        }
        w.end_array();
      }
      w.end_array();
    };
    matrix("customers",
           [&](const CohortTable::Row& row, size_t k) { w.integer(row.customers[k]); });
    matrix("mrr",
           [&](const CohortTable::Row& row, size_t k) { w.number(micros_to_units(row.mrr[k])); });
    matrix("logo_retention", [&](const CohortTable::Row& row, size_t k) {
      if (row.size == 0) {
        w.null();
      } else {
        w.number(static_cast<double>(row.customers[k]) * 100.0 / static_cast<double>(row.size));
      }
    });
    matrix("revenue_retention", [&](const CohortTable::Row& row, size_t k) {
      if (row.start_mrr == 0) {
        w.null();
      } else {
        w.number(static_cast<double>(row.mrr[k]) * 100.0 / static_cast<double>(row.start_mrr));
      }
    });
    w.end_object();
  }

  // The CRM snapshot's counts and bands.
  w.key("snapshot");
  if (!r.has_snapshot) {
    w.null();
  } else {
    w.begin_object();
    w.field("customers", r.snapshot.customers);
    w.field("churned", r.snapshot.churned);
    w.field("retained", r.snapshot.retained);
    w.field("status_unknown", r.snapshot.unknown);
    w.field("tenure_unit", r.tenure_unit == ValueScale::kYears ? "years" : "months");
    w.key("tenure_bands");
    w.begin_array();
    for (size_t i = 0; i <= settings.tenure_bands.size(); ++i) {
      w.string(band_label(i, settings.tenure_bands, " months"));
    }
    w.end_array();
    w.key("age_bands");
    w.begin_array();
    for (size_t i = 0; i <= settings.age_bands.size(); ++i) {
      w.string(band_label(i, settings.age_bands, ""));
    }
    w.end_array();
    w.end_object();
  }

  // The journey funnel (docs/kpis.md "Journey funnel").
  w.key("funnel");
  if (r.funnel.empty() || failed) {
    w.null();
  } else {
    w.begin_object();
    w.key("steps");
    w.begin_array();
    for (const std::string& step : settings.funnel) w.string(step);
    w.end_array();
    w.key("customers");
    w.begin_array();
    for (uint64_t c : r.funnel) w.integer(c);
    w.end_array();
    auto rates = [&](std::string_view name, bool previous) {
      w.key(name);
      w.begin_array();
      for (size_t k = 0; k < r.funnel.size(); ++k) {
        const uint64_t base = previous && k > 0 ? r.funnel[k - 1] : r.funnel[0];
        if (base == 0) {
          w.null();
        } else {
          w.number(static_cast<double>(r.funnel[k]) * 100.0 / static_cast<double>(base));
        }
      }
      w.end_array();
    };
    rates("of_first", false);
    rates("of_previous", true);
    w.end_object();
  }
  write_health_block(w, customers, failed);
  w.end_object();
}

}  // namespace kpilens
