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

namespace {

// The long CSV rows of one KPI list (the report's, or the customers section's), against its own
// periods and segments.
void append_kpi_rows(std::string& out, array kpis, const std::vector<std::string>& periods,
                     object segments) {
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
}

}  // namespace

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
  append_kpi_rows(out, kpis, periods, segments);
  // The customers section's KPIs, on its own periods and segments.
  object customers;
  if (root["customers"].get(customers) == simdjson::SUCCESS) {
    object customer_segments;
    array customer_kpis;
    if (customers["segments"].get(customer_segments) == simdjson::SUCCESS &&
        customers["kpis"].get(customer_kpis) == simdjson::SUCCESS) {
      append_kpi_rows(out, customer_kpis, strings_of(customers["periods"]["keys"]),
                      customer_segments);
    }
  }
  return out;
}

namespace {

// The customers section for a terminal: its overall figures, then the bridge of its last periods.
void append_customers_text(std::string& out, object customers) {
  char line[512];
  std::string as_of = text_of(customers["as_of"]);
  std::string currency = text_of(customers["currency"]);
  out += "\nCustomers";
  if (!as_of.empty()) out += " (as of " + as_of + ")";
  if (!currency.empty()) out += ", in " + currency;
  out += "\n";
  std::snprintf(line, sizeof line, "%-34s %14s  %-8s %10s\n", "KPI", "value", "unit", "n");
  out += line;
  array kpis;
  std::vector<std::string> missing;
  if (customers["kpis"].get(kpis) == simdjson::SUCCESS) {
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
      std::snprintf(line, sizeof line, "%-34s %14s  %-8s %10s\n", label.c_str(), shown.c_str(),
                    text_of(kpi["unit"]).c_str(), number_text(kpi["n"]).c_str());
      out += line;
    }
  }
  if (!missing.empty()) {
    out += "\nNot computed (customers):\n";
    for (const auto& m : missing) out += "  " + m + "\n";
  }
  object bridge;
  if (customers["bridge"].get(bridge) != simdjson::SUCCESS) return;
  std::vector<std::string> keys = strings_of(customers["periods"]["keys"]);
  auto column = [&](Lookup e) {
    std::vector<std::string> cells;
    array a;
    if (e.get(a) == simdjson::SUCCESS) {
      for (element v : a) {
        double d = 0;
        if (v.get(d) == simdjson::SUCCESS) {
          std::snprintf(line, sizeof line, "%.2f", d);
          cells.emplace_back(line);
        } else {
          cells.emplace_back(number_text(v));
        }
      }
    }
    return cells;
  };
  std::vector<std::string> start = column(bridge["start_mrr"]);
  std::vector<std::string> end = column(bridge["end_mrr"]);
  static constexpr const char* kMovements[] = {"new", "expansion", "contraction", "churned",
                                               "reactivation"};
  std::vector<std::vector<std::string>> amounts;
  for (const char* m : kMovements) amounts.push_back(column(bridge["amounts"][m]));
  out += "\nMRR bridge (last 12 periods)\n";
  std::snprintf(line, sizeof line, "%-9s %12s %12s %12s %12s %12s %12s %12s\n", "period", "start",
                "new", "expansion", "contraction", "churned", "reactivation", "end");
  out += line;
  const size_t first = keys.size() > 12 ? keys.size() - 12 : 0;
  for (size_t i = first; i < keys.size(); ++i) {
    auto at = [&](const std::vector<std::string>& v) {
      return i < v.size() ? v[i] : std::string();
    };
    std::snprintf(line, sizeof line, "%-9s %12s %12s %12s %12s %12s %12s %12s\n", keys[i].c_str(),
                  at(start).c_str(), at(amounts[0]).c_str(), at(amounts[1]).c_str(),
                  at(amounts[2]).c_str(), at(amounts[3]).c_str(), at(amounts[4]).c_str(),
                  at(end).c_str());
    out += line;
  }
}

// The journey funnel and the health score for a terminal: customers per step; customers per band,
// the mean score and the 10 lowest scores.
void append_health_text(std::string& out, object customers) {
  char line[512];
  object funnel;
  if (customers["funnel"].get(funnel) == simdjson::SUCCESS) {
    std::vector<std::string> steps = strings_of(funnel["steps"]);
    array reached, of_first;
    if (funnel["customers"].get(reached) == simdjson::SUCCESS &&
        funnel["of_first"].get(of_first) == simdjson::SUCCESS) {
      out += "\nFunnel\n";
      std::snprintf(line, sizeof line, "%-34s %10s %10s\n", "step", "customers", "% of first");
      out += line;
      for (size_t i = 0; i < steps.size() && i < reached.size(); ++i) {
        double rate = 0;
        std::string shown = "null";
        if (of_first.at(i).get(rate) == simdjson::SUCCESS) {
          std::snprintf(line, sizeof line, "%.2f", rate);
          shown = line;
        }
        std::snprintf(line, sizeof line, "%-34s %10s %10s\n", steps[i].c_str(),
                      number_text(reached.at(i)).c_str(), shown.c_str());
        out += line;
      }
    }
  }
  object health;
  if (customers["health"].get(health) != simdjson::SUCCESS) return;
  std::string as_of = text_of(health["as_of"]);
  out += "\nHealth score (" + text_of(health["model"]);
  if (!as_of.empty()) out += ", as of " + as_of;
  out += "): " + number_text(health["scored"]) + " scored, " + number_text(health["unscored"]) +
         " unscored";
  double mean = 0;
  if (health["mean_score"].get(mean) == simdjson::SUCCESS) {
    std::snprintf(line, sizeof line, ", mean %.2f", mean);
    out += line;
  }
  out += "\n";
  std::vector<std::string> bands = strings_of(health["bands"]["names"]);
  for (const std::string& band : bands) {
    std::snprintf(line, sizeof line, "  %-8s %10s\n", band.c_str(),
                  number_text(health["counts"][band]).c_str());
    out += line;
  }
  array list;
  if (health["customers"].get(list) != simdjson::SUCCESS || list.size() == 0) return;
  out += "Lowest scores\n";
  std::snprintf(line, sizeof line, "  %-32s %8s  %s\n", "customer", "score", "band");
  out += line;
  size_t shown = 0;
  for (element e : list) {
    if (shown++ == 10) break;
    double score = 0;
    if (e["score"].get(score) != simdjson::SUCCESS) continue;
    std::snprintf(line, sizeof line, "  %-32s %8.2f  %s\n", text_of(e["customer"]).c_str(), score,
                  text_of(e["band"]).c_str());
    out += line;
  }
}

}  // namespace

std::optional<std::string> report_to_text(std::string_view report_json) {
  simdjson::dom::parser parser;
  simdjson::padded_string padded(report_json);
  element root;
  if (parser.parse(padded).get(root) != simdjson::SUCCESS) return std::nullopt;
  std::string out;
  char line[512];
  // Rows of ticket files, of survey files, then of customer-success files.
  enum RowKind : size_t { kTicketRows, kSurveyRows, kCustomerRows };
  uint64_t used[3] = {0, 0, 0}, rejected[3] = {0, 0, 0}, filtered[3] = {0, 0, 0};
  bool ticket_files = false;
  array files;
  if (root["input"]["files"].get(files) == simdjson::SUCCESS) {
    for (element f : files) {
      const std::string kind = text_of(f["kind"]);
      const size_t k = kind == "tickets"  ? kTicketRows
                       : kind == "survey" ? kSurveyRows
                                          : kCustomerRows;
      ticket_files = ticket_files || k != kCustomerRows;
      uint64_t v = 0;
      if (f["rows_used"].get(v) == simdjson::SUCCESS) used[k] += v;
      if (f["rows_filtered"].get(v) == simdjson::SUCCESS) filtered[k] += v;
      if (f["rows_rejected"].get(v) == simdjson::SUCCESS) rejected[k] += v;
    }
  }
  const auto counts = [&](const char* format, size_t k) {
    std::snprintf(line, sizeof line, format, static_cast<unsigned long long>(used[k]),
                  static_cast<unsigned long long>(filtered[k]),
                  static_cast<unsigned long long>(rejected[k]));
    out += line;
  };
  counts("kpilens report: %llu tickets used, %llu filtered out, %llu rejected\n", kTicketRows);
  if (used[kSurveyRows] + filtered[kSurveyRows] + rejected[kSurveyRows] > 0) {
    counts("survey answers: %llu used, %llu filtered out, %llu rejected\n", kSurveyRows);
  }
  object customers;
  const bool has_customers = root["customers"].get(customers) == simdjson::SUCCESS;
  if (has_customers) {
    counts("customer-success rows: %llu used, %llu filtered out, %llu rejected\n", kCustomerRows);
  }
  array kpis;
  if (root["kpis"].get(kpis) != simdjson::SUCCESS) return std::nullopt;
  std::vector<std::string> missing;
  // A customer-success dataset alone has no ticket table.
  if (ticket_files || !has_customers) {
    out += "\n";
    std::snprintf(line, sizeof line, "%-30s %14s  %-8s %10s\n", "KPI", "value", "unit", "n");
    out += line;
  }
  for (element kpi : kpis) {
    if (!ticket_files && has_customers) break;
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
  if (has_customers) {
    append_customers_text(out, customers);
    append_health_text(out, customers);
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
