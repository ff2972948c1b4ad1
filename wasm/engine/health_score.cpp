// health_score: see health_score.h. Scores are plain double arithmetic on the raw values (no libm),
// so native and wasm write the same bytes.
#include "health_score.h"

#include <algorithm>

#include "customer_dataset.h"
#include "json_writer.h"
#include "report_formats.h"

namespace kpilens {

namespace {

using H = HealthComponentId;

struct ComponentInfo {
  HealthComponentId id;
  std::string_view name;
  std::string_view label;
  double zero;
  double full;
  int64_t days;
  int64_t periods;
};

constexpr ComponentInfo kComponents[kHealthComponentCount] = {
    {H::kUsageEvents, "usage_events", "Usage events", 0, 20, 30, 0},
    {H::kTickets, "tickets", "Tickets", 10, 0, 90, 0},
    {H::kCsat, "csat", "CSAT", 0, 100, 0, 0},
    {H::kNps, "nps", "NPS answer", 6, 9, 0, 0},
    {H::kReopenRate, "reopen_rate", "Reopen rate", 50, 0, 0, 0},
    {H::kPaymentFailures, "payment_failures", "Payment failures", 3, 0, 0, 0},
    {H::kTenure, "tenure", "Tenure (months)", 0, 24, 0, 0},
    {H::kMrrTrend, "mrr_trend", "MRR trend (%)", -50, 10, 0, 3},
};

constexpr std::string_view kBandNames[kHealthBands] = {"red", "yellow", "green"};

const ComponentInfo& info(HealthComponentId id) {
  return kComponents[static_cast<size_t>(id)];
}

}  // namespace

std::string_view health_component_name(HealthComponentId id) {
  return info(id).name;
}

std::optional<HealthComponentId> health_component_from_name(std::string_view name) {
  for (const ComponentInfo& c : kComponents) {
    if (c.name == name) return c.id;
  }
  return std::nullopt;
}

std::vector<ResolvedComponent> resolve_health_components(const HealthSettings& settings,
                                                         const NpsSettings& nps) {
  std::vector<HealthComponent> chosen = settings.components;
  if (chosen.empty()) {
    for (const ComponentInfo& c : kComponents) {
      HealthComponent component;
      component.id = c.id;
      chosen.push_back(component);
    }
  }
  std::vector<ResolvedComponent> out;
  for (const HealthComponent& c : chosen) {
    const ComponentInfo& d = info(c.id);
    ResolvedComponent r;
    r.id = c.id;
    r.weight = c.weight;
    // NPS: a detractor's answer scores 0, a promoter's 100, by the config's classes.
    const double zero = c.id == H::kNps ? nps.detractor_max : d.zero;
    const double full = c.id == H::kNps ? nps.promoter_min : d.full;
    r.zero = c.zero.value_or(zero);
    r.full = c.full.value_or(full);
    if (r.zero == r.full) r.full = r.zero + 1;  // a default that meets a configured bound
    r.days = c.days > 0 ? c.days : d.days;
    r.periods = c.periods > 0 ? c.periods : d.periods;
    out.push_back(r);
  }
  return out;
}

double normalise_health(double raw, double zero, double full) {
  const double s = (raw - zero) / (full - zero) * 100.0;
  return std::clamp(s, 0.0, 100.0);
}

std::optional<double> score_customer(std::span<const ResolvedComponent> components,
                                     HealthModel model, std::span<const std::optional<double>> raw,
                                     std::span<std::optional<double>> normalised,
                                     std::span<std::optional<double>> contribution) {
  double weights = 0;
  double weighted = 0;
  std::optional<size_t> worst;
  for (size_t i = 0; i < components.size(); ++i) {
    normalised[i].reset();
    contribution[i].reset();
    if (!raw[i]) continue;
    const double s = normalise_health(*raw[i], components[i].zero, components[i].full);
    normalised[i] = s;
    weights += components[i].weight;
    weighted += components[i].weight * s;
    if (!worst || s < *normalised[*worst]) worst = i;
  }
  if (!worst) return std::nullopt;
  if (model == HealthModel::kWorstComponent) {
    for (size_t i = 0; i < components.size(); ++i) {
      if (normalised[i]) contribution[i] = i == *worst ? *normalised[i] : 0.0;
    }
    return *normalised[*worst];
  }
  for (size_t i = 0; i < components.size(); ++i) {
    if (normalised[i]) contribution[i] = components[i].weight * *normalised[i] / weights;
  }
  return weighted / weights;
}

size_t health_band(double score, const HealthSettings& settings) {
  if (score >= settings.green) return 2;
  if (score >= settings.yellow) return 1;
  return 0;
}

void write_health_block(JsonWriter& w, const CustomerDataset& customers, bool failed) {
  w.key("health");
  const HealthResults& h = customers.health();
  if (failed || !h.computed) {
    w.null();
    return;
  }
  const HealthSettings& settings = customers.settings().health;
  w.begin_object();
  w.field("model",
          settings.model == HealthModel::kWeightedMean ? "weighted_mean" : "worst_component");
  w.key("as_of");
  if (h.as_of) {
    char text[32];
    format_date(*h.as_of, text);
    w.string(text);
  } else {
    w.null();
  }
  w.key("components");
  w.begin_array();
  for (size_t i = 0; i < h.components.size(); ++i) {
    const ResolvedComponent& c = h.components[i];
    w.begin_object();
    w.field("id", info(c.id).name);
    w.field("label", info(c.id).label);
    w.field("weight", c.weight);
    w.field("zero", c.zero);
    w.field("full", c.full);
    w.field("days", c.days > 0 ? std::optional<double>(static_cast<double>(c.days)) : std::nullopt);
    w.field("periods",
            c.periods > 0 ? std::optional<double>(static_cast<double>(c.periods)) : std::nullopt);
    w.field("customers", h.component_customers[i]);
    w.end_object();
  }
  w.end_array();
  w.key("bands");
  w.begin_object();
  w.key("names");
  w.begin_array();
  for (auto name : kBandNames) w.string(name);
  w.end_array();
  w.key("lower_bounds");
  w.begin_array();
  w.integer(uint64_t{0});
  w.number(settings.yellow);
  w.number(settings.green);
  w.end_array();
  w.end_object();
  const uint64_t scored = h.entries.size();
  w.field("scored", scored);
  w.field("unscored", h.unscored);
  w.field("mean_score",
          scored > 0 ? std::optional<double>(h.score_sum.value() / static_cast<double>(scored))
                     : std::nullopt);
  w.key("counts");
  w.begin_object();
  for (size_t b = 0; b < kHealthBands; ++b) w.field(kBandNames[b], h.bands[b]);
  w.end_object();
  w.key("histogram");
  w.begin_object();
  w.key("lower_bounds");
  w.begin_array();
  for (size_t i = 0; i < kHealthBins; ++i) w.integer(static_cast<uint64_t>(i * 10));
  w.end_array();
  w.key("counts");
  w.begin_array();
  for (uint64_t c : h.histogram) w.integer(c);
  w.end_array();
  w.end_object();
  w.key("breakdowns");
  w.begin_object();
  const CustomerResults& r = customers.results();
  for (const auto& segment : r.segments) {
    if (!segment.from_customers || segment.column >= h.by_segment.size()) continue;
    const auto& values = h.by_segment[segment.column];
    w.key(segment.name);
    w.begin_object();
    for (size_t b = 0; b < kHealthBands; ++b) {
      w.key(kBandNames[b]);
      w.begin_array();
      for (uint32_t id : segment.value_ids)
        w.integer(id < values.size() ? values[id][b] : uint64_t{0});
      w.end_array();
    }
    w.end_object();
  }
  w.end_object();
  w.key("join");
  w.begin_object();
  w.field("requesters", h.join.requesters);
  w.field("by_id", h.join.by_id);
  w.field("by_email", h.join.by_email);
  w.field("unmatched", h.join.unmatched);
  w.field("ambiguous_emails", h.join.ambiguous_emails);
  w.field("tickets", h.join.tickets);
  w.field("answers", h.join.answers);
  w.end_object();
  const size_t listed = std::min<size_t>(settings.max_listed, h.entries.size());
  w.field("max_listed", static_cast<uint64_t>(settings.max_listed));
  w.field("listed", static_cast<uint64_t>(listed));
  w.key("customers");
  w.begin_array();
  const size_t n = h.components.size();
  std::vector<std::optional<double>> raw(n), normalised(n), contribution(n);
  auto list = [&](std::string_view name, const std::vector<std::optional<double>>& values) {
    w.key(name);
    w.begin_array();
    for (const auto& v : values) w.number(v);
    w.end_array();
  };
  for (size_t i = 0; i < listed; ++i) {
    const HealthEntry& e = h.entries[i];
    customers.health_raw(e.customer, raw);
    score_customer(h.components, settings.model, raw, normalised, contribution);
    w.begin_object();
    w.field("customer", customers.customer_id(e.customer));
    w.field("score", e.score);
    w.field("band", kBandNames[health_band(e.score, settings)]);
    list("raw", raw);
    list("normalised", normalised);
    list("contribution", contribution);
    w.end_object();
  }
  w.end_array();
  w.end_object();
}

std::string health_csv(const CustomerDataset& customers, bool failed) {
  const HealthResults& h = customers.health();
  const HealthSettings& settings = customers.settings().health;
  std::string out = "customer,score,band";
  for (const ResolvedComponent& c : h.components) {
    const std::string name(info(c.id).name);
    out += "," + name + "_raw," + name + "_normalised," + name + "_contribution";
  }
  out += "\n";
  if (failed || !h.computed) return out;
  const size_t n = h.components.size();
  std::vector<std::optional<double>> raw(n), normalised(n), contribution(n);
  auto number = [&](std::optional<double> v) {
    out += ',';
    if (v) out += format_number(*v);
  };
  for (const HealthEntry& e : h.entries) {
    customers.health_raw(e.customer, raw);
    score_customer(h.components, settings.model, raw, normalised, contribution);
    out += csv_cell(customers.customer_id(e.customer));
    number(e.score);
    out += ',';
    out += kBandNames[health_band(e.score, settings)];
    for (size_t i = 0; i < n; ++i) {
      number(raw[i]);
      number(normalised[i]);
      number(contribution[i]);
    }
    out += "\n";
  }
  return out;
}

}  // namespace kpilens
