// health_score: the customer health score (docs/kpis.md "Customer health score"): the components'
// names and defaults, normalisation, the weighted_mean and worst_component models, bands, and the
// section's results (distribution, bands by segment, scored customers sorted lowest first). The raw
// values per customer come from CustomerDataset; the `health` block and the CSV are written here.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "customer_activity.h"
#include "customer_settings.h"
#include "exact_sum.h"
#include "survey_kpis.h"

namespace kpilens {

class CustomerDataset;
class JsonWriter;

std::string_view health_component_name(HealthComponentId id);
std::optional<HealthComponentId> health_component_from_name(std::string_view name);

// A component as used: the config's values with the defaults filled in.
struct ResolvedComponent {
  HealthComponentId id = HealthComponentId::kUsageEvents;
  double weight = 1;
  double zero = 0;
  double full = 100;
  int64_t days = 0;     // usage_events, tickets
  int64_t periods = 0;  // mrr_trend
};
// The config's components (or all eight), in config order.
std::vector<ResolvedComponent> resolve_health_components(const HealthSettings& settings,
                                                         const NpsSettings& nps);

// (raw − zero) ÷ (full − zero) × 100, clamped to [0, 100].
double normalise_health(double raw, double zero, double full);

inline constexpr size_t kHealthBands = 3;  // red, yellow, green
inline constexpr size_t kHealthBins = 10;

// One customer's score from its raw values (aligned with `components`; nullopt: missing). Fills
// `normalised` and `contribution` (same length). nullopt: no component, unscored.
std::optional<double> score_customer(std::span<const ResolvedComponent> components,
                                     HealthModel model, std::span<const std::optional<double>> raw,
                                     std::span<std::optional<double>> normalised,
                                     std::span<std::optional<double>> contribution);
size_t health_band(double score, const HealthSettings& settings);

struct HealthEntry {
  double score = 0;
  uint32_t customer = 0;
};

struct HealthResults {
  bool computed = false;
  std::vector<ResolvedComponent> components;
  std::optional<int64_t> as_of;
  std::vector<HealthEntry> entries;  // lowest score first, ties by customer id
  uint64_t unscored = 0;
  std::vector<uint64_t> component_customers;  // per component: scored customers that have it
  std::array<uint64_t, kHealthBands> bands{};
  std::array<uint64_t, kHealthBins> histogram{};
  ExactSum score_sum;
  // [segment column][value id][band], for the customer's columns.
  std::vector<std::vector<std::array<uint64_t, kHealthBands>>> by_segment;
  RequesterJoin join;
};

// The report's `"health": …` (null when `failed` or not computed).
void write_health_block(JsonWriter& w, const CustomerDataset& customers, bool failed);
// Every scored customer, lowest first (docs/report.md); a header line alone when none.
std::string health_csv(const CustomerDataset& customers, bool failed);

}  // namespace kpilens
