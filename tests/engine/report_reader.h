// report_reader: test helpers that run a TicketDataset over fixture bytes and read the report JSON
// back with simdjson's DOM (error codes only: the engine is built without exceptions).
#pragma once

#include <simdjson.h>

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ticket_dataset.h"

namespace kpilens::test {

// The bytes of tests/fixtures/<name>; empty when the file is missing.
inline std::string read_fixture(std::string_view name) {
  std::ifstream in(std::string(KPILENS_SOURCE_DIR) + "/tests/fixtures/" + std::string(name),
                   std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Feeds `bytes` as one file in chunks of `chunk` bytes (0: all at once).
inline void feed_file(TicketDataset& dataset, std::string name, std::string_view bytes,
                      size_t chunk = 0) {
  dataset.begin_file(std::move(name));
  if (chunk == 0) chunk = bytes.size() + 1;
  for (size_t at = 0; at < bytes.size(); at += chunk) dataset.feed(bytes.substr(at, chunk));
  dataset.end_file();
}

// One dataset over one file: the report JSON.
inline std::string report_for(std::string_view config_json, std::string_view bytes,
                              size_t chunk = 0, std::string name = "input.csv") {
  TicketDataset dataset(config_json);
  feed_file(dataset, std::move(name), bytes, chunk);
  return dataset.report_json();
}

// A parsed report. The DOM lives in the parser, so the object stays where it was made.
class Report {
 public:
  explicit Report(const std::string& json) : parser_(std::make_unique<simdjson::dom::parser>()) {
    valid_ = parser_->parse(json).get(root_) == simdjson::SUCCESS;
  }

  bool valid() const { return valid_; }

  using Lookup = simdjson::simdjson_result<simdjson::dom::element>;

  // The kpis[] entry with this id (NO_SUCH_FIELD when absent; lookups through it fail softly).
  Lookup kpi(std::string_view id) const {
    simdjson::dom::array kpis;
    if (top()["kpis"].get(kpis) != simdjson::SUCCESS) return Lookup(simdjson::NO_SUCH_FIELD);
    for (simdjson::dom::element k : kpis) {
      std::string_view kid;
      if (k["id"].get(kid) == simdjson::SUCCESS && kid == id)
        return Lookup(simdjson::dom::element(k));
    }
    return Lookup(simdjson::NO_SUCH_FIELD);
  }
  // The whole report (an error result when the JSON did not parse).
  Lookup root() const { return top(); }
  bool has_kpi(std::string_view id) const { return kpi(id).error() == simdjson::SUCCESS; }

  std::optional<double> value(std::string_view id) const { return number(kpi(id)["value"]); }
  uint64_t n(std::string_view id) const { return count(kpi(id)["n"]); }
  std::optional<double> extra(std::string_view id, std::string_view name) const {
    return number(kpi(id)["extras"][name]);
  }
  bool available(std::string_view id) const { return flag(kpi(id)["available"]); }
  std::string text(std::string_view id, std::string_view key) const { return string(kpi(id)[key]); }
  bool series_is_null(std::string_view id) const { return kpi(id)["series"].is_null(); }
  std::vector<std::optional<double>> series(std::string_view id) const {
    return numbers(kpi(id)["series"]["value"]);
  }
  std::vector<uint64_t> series_n(std::string_view id) const {
    return counts(kpi(id)["series"]["n"]);
  }
  std::vector<std::optional<double>> series_extra(std::string_view id,
                                                  std::string_view name) const {
    return numbers(kpi(id)["series"]["extras"][name]);
  }
  std::vector<std::optional<double>> breakdown(std::string_view id, std::string_view column) const {
    return numbers(kpi(id)["breakdowns"][column]["value"]);
  }
  std::vector<uint64_t> breakdown_n(std::string_view id, std::string_view column) const {
    return counts(kpi(id)["breakdowns"][column]["n"]);
  }

  std::vector<std::string> period_keys() const { return strings(top()["periods"]["keys"]); }
  std::vector<std::string> segment_values(std::string_view column) const {
    return strings(top()["segments"][column]);
  }
  std::vector<std::string> warnings() const { return strings(top()["warnings"]); }
  std::vector<std::string> errors() const { return strings(top()["errors"]); }
  Lookup input() const { return top()["input"]; }
  Lookup file(size_t index) const { return top()["input"]["files"].at(index); }

  // A sub-document re-serialised (minified), to compare parts of two reports.
  std::string json_of(std::string_view key) const {
    simdjson::dom::element e;
    if (top()[key].get(e) != simdjson::SUCCESS) return "<missing>";
    return simdjson::to_string(e);
  }

  // Helpers over any element or lookup result.
  template <typename T>
  static std::optional<double> number(T&& lookup) {
    double d = 0;
    if (std::forward<T>(lookup).get(d) == simdjson::SUCCESS) return d;
    return std::nullopt;
  }
  template <typename T>
  static uint64_t count(T&& lookup) {
    uint64_t u = 0;
    if (std::forward<T>(lookup).get(u) == simdjson::SUCCESS) return u;
    return ~uint64_t{0};
  }
  template <typename T>
  static bool flag(T&& lookup) {
    bool b = false;
    if (std::forward<T>(lookup).get(b) == simdjson::SUCCESS) return b;
    return false;
  }
  template <typename T>
  static std::string string(T&& lookup) {
    std::string_view s;
    if (std::forward<T>(lookup).get(s) == simdjson::SUCCESS) return std::string(s);
    return "<not a string>";
  }
  template <typename T>
  static std::vector<std::optional<double>> numbers(T&& lookup) {
    std::vector<std::optional<double>> out;
    simdjson::dom::array a;
    if (std::forward<T>(lookup).get(a) != simdjson::SUCCESS) return out;
    for (simdjson::dom::element e : a) out.push_back(number(simdjson::dom::element(e)));
    return out;
  }
  template <typename T>
  static std::vector<uint64_t> counts(T&& lookup) {
    std::vector<uint64_t> out;
    simdjson::dom::array a;
    if (std::forward<T>(lookup).get(a) != simdjson::SUCCESS) return out;
    for (simdjson::dom::element e : a) out.push_back(count(simdjson::dom::element(e)));
    return out;
  }
  template <typename T>
  static std::vector<std::string> strings(T&& lookup) {
    std::vector<std::string> out;
    simdjson::dom::array a;
    if (std::forward<T>(lookup).get(a) != simdjson::SUCCESS) return out;
    for (simdjson::dom::element e : a) out.push_back(string(simdjson::dom::element(e)));
    return out;
  }
  // The string field `key` of each object in an array ("" where it has none).
  template <typename T>
  static std::vector<std::string> field_strings(T&& lookup, std::string_view key) {
    std::vector<std::string> out;
    simdjson::dom::array a;
    if (std::forward<T>(lookup).get(a) != simdjson::SUCCESS) return out;
    for (simdjson::dom::element e : a) out.push_back(string(e[key]));
    return out;
  }

 private:
  Lookup top() const {
    return valid_ ? Lookup(simdjson::dom::element(root_)) : Lookup(simdjson::TAPE_ERROR);
  }

  std::unique_ptr<simdjson::dom::parser> parser_;
  simdjson::dom::element root_;
  bool valid_ = false;
};

// A report's null, as a number that no fixture produces, so that vectors compare and print plainly.
inline constexpr double kNull = -999999;

inline double or_null(std::optional<double> value) {
  return value.value_or(kNull);
}
inline std::vector<double> or_null(const std::vector<std::optional<double>>& values) {
  std::vector<double> out;
  out.reserve(values.size());
  for (const auto& v : values) out.push_back(v.value_or(kNull));
  return out;
}

inline bool contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

inline bool any_contains(const std::vector<std::string>& texts, std::string_view needle) {
  return std::any_of(texts.begin(), texts.end(),
                     [&](const std::string& t) { return contains(t, needle); });
}

}  // namespace kpilens::test
