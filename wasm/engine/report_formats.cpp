// report_formats: see report_formats.h.
#include "report_formats.h"

#include <simdjson.h>

#include <cstdio>
#include <vector>

#include "json_writer.h"

namespace kpilens {

namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;
using Lookup = simdjson::simdjson_result<element>;

std::string number_text(Lookup e) {
  double d = 0;
  if (e.get(d) == simdjson::SUCCESS) return format_number(d);
  int64_t i = 0;
  if (e.get(i) == simdjson::SUCCESS) return std::to_string(i);
  uint64_t u = 0;
  if (e.get(u) == simdjson::SUCCESS) return std::to_string(u);
  return "";
}

std::string text_of(Lookup e) {
  std::string_view s;
  if (e.get(s) == simdjson::SUCCESS) return std::string(s);
  return "";
}

std::string number_text(element e) {
  return number_text(Lookup(std::move(e)));
}
std::string text_of(element e) {
  return text_of(Lookup(std::move(e)));
}

std::vector<std::string> strings_of(Lookup e) {
  std::vector<std::string> out;
  array a;
  if (e.get(a) != simdjson::SUCCESS) return out;
  for (element item : a) out.push_back(text_of(item));
  return out;
}

}  // namespace

std::string csv_cell(std::string_view text) {
  std::string cell(text);
  if (!cell.empty() && (cell[0] == '=' || cell[0] == '+' || cell[0] == '-' || cell[0] == '@' ||
                        cell[0] == '\t' || cell[0] == '\r')) {
    cell.insert(cell.begin(), '\'');
  }
  if (cell.find_first_of(",\"\n\r") == std::string::npos) return cell;
  std::string quoted = "\"";
  for (char c : cell) {
    if (c == '"') quoted.push_back('"');
    quoted.push_back(c);
  }
  quoted.push_back('"');
  return quoted;
}

std::optional<std::string> report_to_csv(std::string_view report_json) {
  simdjson::dom::parser parser;
  simdjson::padded_string padded(report_json);
  element root;
  if (parser.parse(padded).get(root) != simdjson::SUCCESS) return std::nullopt;
  std::vector<std::string> periods = strings_of(root["periods"]["keys"]);
  object segments;
  if (root["segments"].get(segments) != simdjson::SUCCESS) return std::nullopt;
  std::string out = "kpi,variant,unit,scope,period,segment_column,segment,value,n\n";
  array kpis;
  if (root["kpis"].get(kpis) != simdjson::SUCCESS) return std::nullopt;
  for (element kpi : kpis) {
    bool available = false;
    if (kpi["available"].get(available) != simdjson::SUCCESS || !available) continue;
    std::string head = csv_cell(text_of(kpi["id"])) + "," + csv_cell(text_of(kpi["variant"])) +
                       "," + csv_cell(text_of(kpi["unit"])) + ",";
    out += head + "overall,,,," + number_text(kpi["value"]) + "," + number_text(kpi["n"]) + "\n";
    object series;
    if (kpi["series"].get(series) == simdjson::SUCCESS) {
      array values, ns;
      if (series["value"].get(values) == simdjson::SUCCESS &&
          series["n"].get(ns) == simdjson::SUCCESS) {
        size_t i = 0;
        auto n_it = ns.begin();
        for (element v : values) {
          out += head + "period," + csv_cell(i < periods.size() ? periods[i] : "") + ",,," +
                 number_text(v) + "," + number_text(*n_it) + "\n";
          ++i;
          ++n_it;
        }
      }
    }
    object breakdowns;
    if (kpi["breakdowns"].get(breakdowns) == simdjson::SUCCESS) {
      for (auto [column, columns] : breakdowns) {
        std::vector<std::string> names = strings_of(segments[column]);
        array values, ns;
        if (columns["value"].get(values) != simdjson::SUCCESS ||
            columns["n"].get(ns) != simdjson::SUCCESS) {
          continue;
        }
        size_t i = 0;
        auto n_it = ns.begin();
        for (element v : values) {
          out += head + "segment,," + csv_cell(column) + "," +
                 csv_cell(i < names.size() ? names[i] : "") + "," + number_text(v) + "," +
                 number_text(*n_it) + "\n";
          ++i;
          ++n_it;
        }
      }
    }
  }
  return out;
}

std::optional<std::string> report_to_text(std::string_view report_json) {
  simdjson::dom::parser parser;
  simdjson::padded_string padded(report_json);
  element root;
  if (parser.parse(padded).get(root) != simdjson::SUCCESS) return std::nullopt;
  std::string out;
  char line[512];
  uint64_t used = 0, rejected = 0, filtered = 0;
  if (root["input"]["rows_used"].get(used) != simdjson::SUCCESS) used = 0;
  if (root["input"]["rows_rejected"].get(rejected) != simdjson::SUCCESS) rejected = 0;
  if (root["input"]["rows_filtered"].get(filtered) != simdjson::SUCCESS) filtered = 0;
  std::snprintf(line, sizeof line,
                "kpilens report: %llu tickets used, %llu filtered out, %llu rejected\n\n",
                static_cast<unsigned long long>(used), static_cast<unsigned long long>(filtered),
                static_cast<unsigned long long>(rejected));
  out += line;
  std::snprintf(line, sizeof line, "%-30s %14s  %-8s %10s\n", "KPI", "value", "unit", "n");
  out += line;
  array kpis;
  if (root["kpis"].get(kpis) != simdjson::SUCCESS) return std::nullopt;
  std::vector<std::string> missing;
  for (element kpi : kpis) {
    bool available = false;
    if (kpi["available"].get(available) != simdjson::SUCCESS) available = false;
    std::string label = text_of(kpi["label"]);
    if (!available) {
      missing.push_back(label + " (needs " + text_of(kpi["needs"]) + ")");
      continue;
    }
    double value = 0;
    std::string shown = "null";
    if (kpi["value"].get(value) == simdjson::SUCCESS) {
      std::snprintf(line, sizeof line, "%.2f", value);
      shown = line;
    }
    std::snprintf(line, sizeof line, "%-30s %14s  %-8s %10s\n", label.c_str(), shown.c_str(),
                  text_of(kpi["unit"]).c_str(), number_text(kpi["n"]).c_str());
    out += line;
  }
  if (!missing.empty()) {
    out += "\nNot computed:\n";
    for (const auto& m : missing) out += "  " + m + "\n";
  }
  array warnings;
  if (root["warnings"].get(warnings) == simdjson::SUCCESS && warnings.size() > 0) {
    out += "\nWarnings:\n";
    for (element w : warnings) out += "  " + text_of(w) + "\n";
  }
  array rejected_rows;
  if (root["input"]["rejected"].get(rejected_rows) == simdjson::SUCCESS &&
      rejected_rows.size() > 0) {
    out += "\nRejected rows (first ones):\n";
    size_t shown = 0;
    for (element r : rejected_rows) {
      if (shown++ == 20) break;
      out += "  " + text_of(r["file"]) + ":" + number_text(r["line"]) + ": " +
             text_of(r["reason"]) + "\n";
    }
  }
  return out;
}

}  // namespace kpilens
