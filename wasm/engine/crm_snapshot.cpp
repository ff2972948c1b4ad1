// crm_snapshot: see crm_snapshot.h.
#include "crm_snapshot.h"

#include <cmath>

#include "field_parse.h"
#include "json_writer.h"

namespace kpilens {

std::optional<bool> parse_churned(std::string_view cell) {
  if (auto flag = parse_bool(cell)) return flag;
  std::string word(trim(cell));
  for (char& c : word) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  static constexpr std::string_view kChurned[] = {
      "churned", "cancelled", "canceled",   "inactive", "lost",    "closed", "exited",
      "left",    "former",    "terminated", "ended",    "expired", "churn"};
  static constexpr std::string_view kRetained[] = {"active", "current",  "retained",
                                                   "stayed", "existing", "open",
                                                   "live",   "paying",   "subscribed"};
  for (std::string_view w : kChurned) {
    if (word == w) return true;
  }
  for (std::string_view w : kRetained) {
    if (word == w) return false;
  }
  return std::nullopt;
}

void SnapshotFigures::feed(const SnapshotRecord& r) {
  if (!r.present) return;
  ++customers;
  const bool has_tenure = !std::isnan(r.tenure_months);
  if (has_tenure) {
    ++with_tenure;
    tenure.add(r.tenure_months);
  }
  switch (r.status) {
    case SnapshotStatus::kUnknown:
      ++unknown;
      break;
    case SnapshotStatus::kRetained:
      ++retained;
      if (r.charge) {
        retained_charge += *r.charge;
        ++retained_with_charge;
      }
      if (has_tenure) {
        ++retained_with_tenure;
        retained_tenure.add(r.tenure_months);
      }
      break;
    case SnapshotStatus::kChurned:
      ++churned;
      if (r.charge) {
        churned_charge += *r.charge;
        ++churned_with_charge;
      }
      if (has_tenure) {
        ++churned_with_tenure;
        churned_tenure.add(r.tenure_months);
      }
      break;
  }
}

void SnapshotFigures::merge(const SnapshotFigures& o) {
  customers += o.customers;
  churned += o.churned;
  retained += o.retained;
  unknown += o.unknown;
  retained_charge += o.retained_charge;
  retained_with_charge += o.retained_with_charge;
  churned_charge += o.churned_charge;
  churned_with_charge += o.churned_with_charge;
  with_tenure += o.with_tenure;
  retained_with_tenure += o.retained_with_tenure;
  churned_with_tenure += o.churned_with_tenure;
  tenure.merge(o.tenure);
  retained_tenure.merge(o.retained_tenure);
  churned_tenure.merge(o.churned_tenure);
}

size_t band_index(double value, std::span<const double> bounds) {
  size_t i = 0;
  while (i < bounds.size() && !(value < bounds[i])) ++i;
  return i;
}

std::string band_label(size_t index, std::span<const double> bounds, std::string_view suffix) {
  std::string label;
  if (bounds.empty()) {
    label = "all";
  } else if (index == 0) {
    label = "< " + format_number(bounds[0]);
  } else if (index >= bounds.size()) {
    label = "≥ " + format_number(bounds.back());
  } else {
    label = format_number(bounds[index - 1]) + "–" + format_number(bounds[index]);
  }
  return label + std::string(suffix);
}

}  // namespace kpilens
