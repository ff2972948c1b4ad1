// customer_reader: test helpers for the report's customers section, and the check every customer
// fixture test runs: the MRR bridge adds up to the change in MRR in every period of every group.
#pragma once

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "report_reader.h"

namespace kpilens::test {

// The customers section of a parsed report.
class Customers {
 public:
  explicit Customers(const Report& report) : report_(report) {}

  Report::Lookup section() const { return report_.root()["customers"]; }
  bool is_null() const { return section().is_null(); }

  Report::Lookup kpi(std::string_view id) const {
    simdjson::dom::array kpis;
    if (section()["kpis"].get(kpis) != simdjson::SUCCESS)
      return Report::Lookup(simdjson::NO_SUCH_FIELD);
    for (simdjson::dom::element k : kpis) {
      std::string_view kid;
      if (k["id"].get(kid) == simdjson::SUCCESS && kid == id) {
        return Report::Lookup(simdjson::dom::element(k));
      }
    }
    return Report::Lookup(simdjson::NO_SUCH_FIELD);
  }
  std::optional<double> value(std::string_view id) const {
    return Report::number(kpi(id)["value"]);
  }
  uint64_t n(std::string_view id) const { return Report::count(kpi(id)["n"]); }
  bool available(std::string_view id) const { return Report::flag(kpi(id)["available"]); }
  std::optional<double> extra(std::string_view id, std::string_view name) const {
    return Report::number(kpi(id)["extras"][name]);
  }
  std::vector<double> series(std::string_view id) const {
    return or_null(Report::numbers(kpi(id)["series"]["value"]));
  }
  std::vector<uint64_t> series_n(std::string_view id) const {
    return Report::counts(kpi(id)["series"]["n"]);
  }
  std::vector<double> breakdown(std::string_view id, std::string_view column) const {
    return or_null(Report::numbers(kpi(id)["breakdowns"][column]["value"]));
  }
  std::vector<uint64_t> breakdown_n(std::string_view id, std::string_view column) const {
    return Report::counts(kpi(id)["breakdowns"][column]["n"]);
  }
  std::vector<std::string> periods() const { return Report::strings(section()["periods"]["keys"]); }
  std::vector<std::string> segment(std::string_view column) const {
    return Report::strings(section()["segments"][column]);
  }
  std::vector<double> bridge(std::string_view key) const {
    return or_null(Report::numbers(section()["bridge"][key]));
  }
  std::vector<double> movement(std::string_view name) const {
    return or_null(Report::numbers(section()["bridge"]["amounts"][name]));
  }
  std::vector<uint64_t> movers(std::string_view name) const {
    return Report::counts(section()["bridge"]["customers"][name]);
  }
  // Element `index` of bridge.breakdowns[column].
  Report::Lookup bridge_of(std::string_view column, size_t index) const {
    return section()["bridge"]["breakdowns"][column].at(index);
  }
  std::vector<double> row(std::string_view matrix, size_t cohort) const {
    return or_null(Report::numbers(section()["cohorts"][matrix].at(cohort)));
  }
  uint64_t count(std::string_view name) const { return Report::count(section()["counts"][name]); }
  std::string text(std::string_view key) const { return Report::string(section()[key]); }

 private:
  const Report& report_;
};

// A report's money figure in micro-units (every money figure is micro-units ÷ 10⁶, rounded once).
inline int64_t micros(double units) {
  return static_cast<int64_t>(std::llround(units * 1e6));
}

// One bridge (overall, or one segment value's): end = start + Σ movements exactly, and each period
// starts where the previous one ended.
inline void check_bridge_columns(simdjson::dom::element bridge, std::string_view where) {
  auto numbers = [](auto lookup) { return Report::numbers(lookup); };
  std::vector<std::optional<double>> start = numbers(bridge["start_mrr"]);
  std::vector<std::optional<double>> end = numbers(bridge["end_mrr"]);
  REQUIRE(start.size() == end.size());
  static constexpr std::string_view kMovements[] = {"new", "expansion", "contraction", "churned",
                                                    "reactivation"};
  for (size_t i = 0; i < start.size(); ++i) {
    INFO(std::string(where) + ", period " + std::to_string(i));
    REQUIRE(start[i].has_value());
    REQUIRE(end[i].has_value());
    int64_t sum = micros(*start[i]);
    for (std::string_view m : kMovements) {
      std::vector<std::optional<double>> amounts = numbers(bridge["amounts"][m]);
      REQUIRE(amounts.size() == start.size());
      REQUIRE(amounts[i].has_value());
      sum += micros(*amounts[i]);
      const bool negative = m == "contraction" || m == "churned";
      CHECK((negative ? *amounts[i] <= 0 : *amounts[i] >= 0));
    }
    CHECK(sum == micros(*end[i]));
    if (i > 0) CHECK(micros(*start[i]) == micros(*end[i - 1]));
  }
}

// The bridge adds up in every period, overall and for every segment value; and the segment values'
// bridges add up to the overall one for a customer column (one value per customer).
inline void check_bridge_adds_up(const Report& report) {
  Customers c(report);
  simdjson::dom::element bridge;
  if (c.section()["bridge"].get(bridge) != simdjson::SUCCESS || bridge.is_null()) return;
  check_bridge_columns(bridge, "overall");
  simdjson::dom::object breakdowns;
  REQUIRE(bridge["breakdowns"].get(breakdowns) == simdjson::SUCCESS);
  for (auto [column, values] : breakdowns) {
    simdjson::dom::array list;
    REQUIRE(values.get(list) == simdjson::SUCCESS);
    REQUIRE(list.size() == c.segment(column).size());
    size_t i = 0;
    for (simdjson::dom::element value : list) {
      check_bridge_columns(value, std::string(column) + " = " + c.segment(column)[i]);
      ++i;
    }
  }
}

}  // namespace kpilens::test
