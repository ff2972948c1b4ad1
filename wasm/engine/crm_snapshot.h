// crm_snapshot: the CRM "churn snapshot" form of a customers file (docs/kpis.md "The CRM
// snapshot"): per customer its status (churned or retained), tenure, monthly charge and age; the
// last row of a customer wins. The figures of a group of snapshot customers, and the band segments
// (tenure_band, age_band) read from tenure and age.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "exact_sum.h"

namespace kpilens {

enum class SnapshotStatus : uint8_t { kUnknown, kRetained, kChurned };

struct SnapshotRecord {
  bool present = false;  // the customer has a row in a snapshot file
  SnapshotStatus status = SnapshotStatus::kUnknown;
  std::optional<int64_t> charge;  // monthly charge, micro-units
  double tenure_months = std::numeric_limits<double>::quiet_NaN();
  double age = std::numeric_limits<double>::quiet_NaN();
};

// A churn cell: yes/no, true/false, 1/0, or a status word (churned, cancelled, active, …);
// nullopt when it says neither.
std::optional<bool> parse_churned(std::string_view cell);

class SnapshotFigures {
 public:
  void feed(const SnapshotRecord& record);
  void merge(const SnapshotFigures& other);

  int64_t customers = 0;
  int64_t churned = 0;
  int64_t retained = 0;
  int64_t unknown = 0;
  int64_t retained_charge = 0;  // micro-units
  int64_t retained_with_charge = 0;
  int64_t churned_charge = 0;
  int64_t churned_with_charge = 0;
  int64_t with_tenure = 0;
  int64_t retained_with_tenure = 0;
  int64_t churned_with_tenure = 0;
  ExactSum tenure;
  ExactSum retained_tenure;
  ExactSum churned_tenure;
};

// The band a value falls in: 0 for value < bounds[0], i for bounds[i−1] ≤ value < bounds[i],
// bounds.size() above the last bound.
size_t band_index(double value, std::span<const double> bounds);
// "< 6 months", "6–12 months", "≥ 48 months" (suffix " months"); "< 25", "25–35", "≥ 65" (no
// suffix).
std::string band_label(size_t index, std::span<const double> bounds, std::string_view suffix);

}  // namespace kpilens
