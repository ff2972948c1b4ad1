// report_json: see report_json.h. Every number goes through JsonWriter, so native and wasm reports
// are byte-identical for the same input.
#include "report_json.h"

#include <algorithm>

#include "customer_report.h"
#include "json_writer.h"
#include "kpi_json.h"
#include "period.h"
#include "ticket_dataset.h"

namespace kpilens {

namespace {

// Periods shown: every period from the first to the last with tickets (gaps are real zeros), unless
// that range is absurdly long (stray dates decades away), then only the periods that have tickets.
constexpr size_t kMaxContiguousPeriods = 5000;

std::string_view match_name(MatchKind how) {
  switch (how) {
    case MatchKind::kNone:
      return "none";
    case MatchKind::kSynonym:
      return "header";
    case MatchKind::kConfig:
      return "config";
    case MatchKind::kPreset:
      return "preset";
  }
  return "none";
}

std::string delimiter_name(char c) {
  if (c == '\t') return "\\t";
  return std::string(1, c ? c : ',');
}

// One field's value issues (docs/report.md "value_issues"), if it has any.
void write_value_issue(JsonWriter& w, const TicketDataset& d, std::string_view field,
                       const ValueIssue& issue) {
  if (issue.count == 0) return;
  w.begin_object();
  w.field("field", field);
  w.field("count", issue.count);
  w.field("reason", issue.reason);
  w.field("example", issue.example);
  w.key("lines");
  w.begin_array();
  for (size_t i = 0; i < issue.lines.size(); ++i) {
    w.begin_object();
    w.field("file", d.files()[issue.files[i]].name);
    w.field("line", issue.lines[i]);
    w.end_object();
  }
  w.end_array();
  w.end_object();
}

void write_config(JsonWriter& w, const EngineConfig& c) {
  w.key("config");
  w.begin_object();
  w.field("grain", grain_name(c.period.grain));
  w.field("week_start", c.period.week_starts_sunday ? "sunday" : "monday");
  w.field("utc_offset_minutes", c.period.utc_offset_minutes);
  w.key("figures");
  if (c.figures.empty()) {
    w.null();
  } else {
    w.begin_array();
    for (const auto& id : c.figures) w.string(id);
    w.end_array();
  }
  w.key("by");
  w.begin_array();
  for (const auto& b : c.by) w.string(b);
  w.end_array();
  w.key("filters");
  w.begin_array();
  for (const auto& f : c.filters) {
    w.begin_object();
    w.field("column", f.column);
    w.key("values");
    w.begin_array();
    for (const auto& v : f.values) w.string(v);
    w.end_array();
    w.end_object();
  }
  w.end_array();
  char date[32];
  w.key("date_from");
  if (c.date_from) {
    format_date(*c.date_from, date);
    w.string(date);
  } else {
    w.null();
  }
  w.key("date_to");
  if (c.date_to) {
    format_date(*c.date_to, date);
    w.string(date);
  } else {
    w.null();
  }
  w.key("csat");
  w.begin_object();
  w.field("scale_min", c.kpis.csat.scale_min);
  w.field("scale_max", c.kpis.csat.scale_max);
  w.field("threshold", c.kpis.csat.threshold);
  w.end_object();
  w.key("nps");
  w.begin_object();
  w.field("promoter_min", c.kpis.nps.promoter_min);
  w.field("detractor_max", c.kpis.nps.detractor_max);
  w.end_object();
  w.key("ces");
  w.begin_object();
  w.field("scale_min", c.kpis.ces.scale_min);
  w.field("scale_max", c.kpis.ces.scale_max);
  w.field("higher_is_easier", c.kpis.ces.higher_is_easier);
  w.field("easy_threshold", c.kpis.ces.easy_threshold);
  w.end_object();
  w.end_object();
}

void write_input(JsonWriter& w, const TicketDataset& d) {
  w.key("input");
  w.begin_object();
  uint64_t bytes = 0, records = 0, used = 0, filtered = 0, rejected = 0;
  w.key("files");
  w.begin_array();
  for (const FileSummary& f : d.files()) {
    bytes += f.bytes;
    records += f.records;
    used += f.rows_used;
    filtered += f.rows_filtered;
    rejected += f.rows_rejected;
    w.begin_object();
    w.field("name", f.name);
    w.field("format", f.format);
    w.field("encoding", encoding_name(f.encoding));
    w.key("delimiter");
    if (f.format == "csv") {
      w.string(delimiter_name(f.delimiter));
    } else {
      w.null();
    }
    w.field("kind", kind_name(f.kind));
    w.key("preset");
    if (f.preset) {
      w.begin_object();
      w.field("id", f.preset->preset->id);
      w.field("name", f.preset->preset->name);
      w.field("confidence", f.preset->confidence);
      w.field("from_config", f.preset_from_config);
      w.end_object();
    } else {
      w.null();
    }
    w.field("decimal_separator", std::string(1, f.decimal_separator));
    w.field("date_order", f.date_order == DateOrder::kDayFirst ? "dmy" : "mdy");
    w.field("date_order_inferred", f.date_order_inferred);
    w.field("bytes", f.bytes);
    w.field("rows", f.records);
    w.field("rows_used", f.rows_used);
    w.field("rows_filtered", f.rows_filtered);
    w.field("rows_rejected", f.rows_rejected);
    w.field("ragged_rows", f.ragged_rows);
    w.key("error");
    if (f.error) {
      w.string(*f.error);
    } else {
      w.null();
    }
    w.key("columns");
    w.begin_array();
    for (const auto& h : f.headers) w.string(h);
    w.end_array();
    w.key("mapping");
    w.begin_array();
    for (const auto& info : customer_fields()) {
      const CustomerBinding& b = f.customer_mapping[info.field];
      if (b.column < 0 || !is_customer_kind(f.kind)) continue;
      w.begin_object();
      w.field("field", info.name);
      w.field("column", f.headers[static_cast<size_t>(b.column)]);
      w.field("index", b.column);
      w.field("how", match_name(b.how));
      w.end_object();
    }
    for (const auto& info : ticket_fields()) {
      const FieldBinding& b = f.mapping[info.field];
      if (b.column < 0) continue;
      w.begin_object();
      w.field("field", info.name);
      w.field("column", f.headers[static_cast<size_t>(b.column)]);
      w.field("index", b.column);
      w.field("how", match_name(b.how));
      if (info.kind == FieldKind::kDuration) {
        w.field("unit", unit_name(b.unit));
        w.field("unit_from_header", b.unit_from_header);
      }
      w.end_object();
    }
    w.end_array();
    w.key("unmapped_columns");
    w.begin_array();
    for (size_t i = 0; i < f.headers.size(); ++i) {
      bool used_column = false;
      for (const auto& b : f.mapping.fields) used_column |= b.column == static_cast<int>(i);
      for (const auto& b : f.customer_mapping.fields)
        used_column |= b.column == static_cast<int>(i);
      if (!used_column) w.string(f.headers[i]);
    }
    w.end_array();
    w.end_object();
  }
  w.end_array();
  w.field("bytes", bytes);
  w.field("rows", records);
  w.field("rows_used", used);
  w.field("rows_filtered", filtered);
  w.field("rows_rejected", rejected);
  w.key("join");
  if (d.has_survey_files()) {
    const JoinSummary& j = d.join();
    w.begin_object();
    w.field("answers", j.answers);
    w.field("joined", j.joined);
    w.field("joined_by_customer", j.joined_by_customer);
    w.field("unmatched", j.unmatched);
    w.field("without_ticket_id", j.without_ticket_id);
    w.field("superseded", j.superseded);
    w.field("read_after_tickets", j.read_after_tickets);
    w.field("dropped_with_ticket", j.dropped_with_ticket);
    w.field("dropped_by_filter", j.dropped_by_filter);
    w.end_object();
  } else {
    w.null();
  }
  w.key("rejected");
  w.begin_array();
  // In file and line order: rows held to infer the date order are judged after later decoder
  // errors.
  std::vector<RejectedRow> listed = d.rejected();
  std::stable_sort(listed.begin(), listed.end(), [](const RejectedRow& a, const RejectedRow& b) {
    return a.file != b.file ? a.file < b.file : a.line < b.line;
  });
  for (const RejectedRow& r : listed) {
    w.begin_object();
    w.field("file", d.files()[r.file].name);
    w.field("line", r.line);
    w.field("reason", r.reason);
    w.end_object();
  }
  w.end_array();
  w.field("rejected_listed_max", static_cast<uint64_t>(d.config().max_rejected_listed));
  w.key("value_issues");
  w.begin_array();
  for (const auto& info : ticket_fields()) {
    const ValueIssue& issue = d.value_issues()[static_cast<size_t>(info.field)];
    write_value_issue(w, d, info.name, issue);
  }
  // Then the customer fields' (customer-success files).
  for (const auto& info : customer_fields()) {
    const ValueIssue& issue = d.customers().value_issues()[static_cast<size_t>(info.field)];
    write_value_issue(w, d, info.name, issue);
  }
  w.end_array();
  w.end_object();
}

// Null when the values were not kept (`kept`: a figure asked for needs them, TicketReads).
void write_distribution(JsonWriter& w, std::string_view name, std::string_view unit,
                        const DurationQuantiles& values, bool kept,
                        std::initializer_list<double> bounds,
                        std::initializer_list<std::string_view> labels) {
  w.key(name);
  if (!kept || values.mean_only()) {
    w.null();
    return;
  }
  w.begin_object();
  w.field("unit", unit);
  w.field("n", values.count());
  w.field("approximate", values.approximate());
  w.key("upper_bounds");
  w.begin_array();
  for (double b : bounds) w.number(b);
  w.end_array();
  w.key("labels");
  w.begin_array();
  for (auto label : labels) w.string(label);
  w.end_array();
  w.key("counts");
  w.begin_array();
  uint64_t below_previous = 0;
  for (double b : bounds) {
    uint64_t below = values.count_below(b);
    w.integer(below - below_previous);
    below_previous = below;
  }
  w.integer(values.count() - below_previous);
  w.end_array();
  w.end_object();
}

// The fields each KPI reads, merged over files: a KPI is available if any file can feed it.
std::vector<TicketField> kpi_inputs(const KpiDefinition& def, const TicketDataset& d) {
  std::vector<TicketField> all;
  for (const FileSummary& f : d.files()) {
    if (f.error || is_customer_kind(f.kind)) continue;
    for (TicketField field : def.inputs(f.mapping)) {
      if (std::find(all.begin(), all.end(), field) == all.end()) all.push_back(field);
    }
  }
  return all;
}

}  // namespace

std::string write_report(TicketDataset& d) {
  const EngineConfig& config = d.config();
  TicketAggregate& agg = d.aggregate();
  JsonWriter w;
  w.begin_object();
  w.field("schema_version", kReportSchemaVersion);
  w.key("generator");
  w.begin_object();
  w.field("name", "kpilens");
  w.field("version", KPILENS_VERSION);
  w.end_object();
  w.field("dataset", "tickets");
  w.field("ok", !d.failed());
  write_config(w, config);
  write_input(w, d);

  std::vector<std::string> warnings = d.warnings();
  for (size_t i = 0; i < agg.segment_columns(); ++i) {
    if (agg.has_segment_value(i, kOtherSegment) && agg.lumped_segment_rows > 0) {
      warnings.push_back("segment '" + config.by[i] + "' has more than " +
                         std::to_string(config.max_segments) +
                         " values; the rest are grouped as (other)");
    }
  }
  w.key("warnings");
  w.begin_array();
  for (const auto& s : warnings) w.string(s);
  w.end_array();
  w.key("errors");
  w.begin_array();
  for (const auto& s : d.errors()) w.string(s);
  w.end_array();

  // Periods.
  std::vector<int64_t> periods;
  const std::vector<int64_t> fed_periods = agg.periods();
  if (!fed_periods.empty()) {
    int64_t first = fed_periods.front();
    int64_t last = fed_periods.back();
    if (static_cast<uint64_t>(last - first) < kMaxContiguousPeriods) {
      for (int64_t p = first; p <= last; ++p) periods.push_back(p);
    } else {
      periods = fed_periods;
      w.key("periods_note");
      w.string("periods span over " + std::to_string(kMaxContiguousPeriods) +
               " steps (stray dates?): only periods with tickets are listed");
    }
  }
  w.key("periods");
  w.begin_object();
  w.field("grain", grain_name(config.period.grain));
  std::vector<PeriodLabel> labels;
  labels.reserve(periods.size());
  for (int64_t p : periods) labels.push_back(period_label(p, config.period));
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

  // Each breakdown's groups in the byte order of their values, sorted once for every KPI.
  std::vector<std::vector<TicketAggregate::SegmentGroup>> segments(agg.segment_columns());
  for (size_t i = 0; i < segments.size(); ++i) segments[i] = agg.segments_in_order(i);
  const std::vector<std::pair<int64_t, BacklogFlow>> flows = agg.flows_in_order();
  w.key("segments");
  w.begin_object();
  for (size_t i = 0; i < segments.size(); ++i) {
    w.key(config.by[i]);
    w.begin_array();
    for (const auto& s : segments[i]) w.string(s.value);
    w.end_array();
  }
  w.end_object();

  const TicketGroup empty;
  KpiSettings settings = config.kpis;
  settings.survey_offers_known = agg.total().csat.finish(settings.csat).has_offer_info;
  w.key("kpis");
  w.begin_array();
  for (const KpiDefinition& def : ticket_kpi_catalogue()) {
    if (!config.figures.empty() &&
        std::find(config.figures.begin(), config.figures.end(), def.id) == config.figures.end()) {
      continue;  // not asked for
    }
    std::vector<TicketField> inputs = kpi_inputs(def, d);
    bool available = !inputs.empty() && !d.failed();
    std::optional<KpiValue> from_config;
    if (!available && !d.failed() && def.config_fallback) {
      from_config = def.config_fallback->overall(agg.total(), settings);
    }
    const bool overall_only = from_config.has_value();
    if (overall_only) available = true;
    w.begin_object();
    w.field("id", def.id);
    w.field("label", def.label);
    std::string unit(def.unit);
    if (unit == "currency" && !settings.currency.empty()) unit = settings.currency;
    w.field("unit", unit);
    std::string_view variant = def.variant_for ? def.variant_for(settings) : def.variant;
    std::string_view formula = def.formula;
    if (overall_only) {
      variant = def.config_fallback->variant;
      formula = def.config_fallback->formula;
    }
    w.field("variant", variant);
    w.field("formula", formula);
    w.field("available", available);
    w.key("inputs");
    w.begin_array();
    for (TicketField f : inputs) w.string(field_info(f).name);
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

    KpiValue overall;
    if (overall_only) {
      overall = *from_config;
    } else if (available) {
      overall = def.compute(agg.total(), settings);
    }
    write_kpi_value(w, overall, def.extra_names);

    // Series per period.
    const bool has_series = available && !overall_only && !periods.empty();
    std::vector<KpiValue> values;
    if (has_series) {
      values.reserve(periods.size());
      if (def.series_from_backlog_flows) {
        // Open at the end of each period: cumulative created − cumulative left (solved).
        int64_t created = 0, left = 0;
        auto flow = flows.begin();
        for (int64_t p : periods) {
          while (flow != flows.end() && flow->first <= p) {
            created += static_cast<int64_t>(flow->second.created);
            left += static_cast<int64_t>(flow->second.solved);
            ++flow;
          }
          values.push_back(
              KpiValue{static_cast<double>(created - left), static_cast<uint64_t>(created), {}});
        }
      } else {
        for (int64_t p : periods) {
          const TicketGroup* group = agg.period_group(p);
          values.push_back(def.compute(group ? *group : empty, settings));
        }
      }
    }
    w.key("series");
    if (has_series) {
      write_kpi_columns(w, values, def.extra_names);
    } else {
      w.null();
    }

    // Trend: the last period against the one before it (for cards: "+2.1 pp vs 2024-W02").
    w.key("trend");
    if (has_series) {
      write_kpi_trend(w, labels, values);
    } else {
      w.null();
    }

    // Breakdown per segment column.
    w.key("breakdowns");
    w.begin_object();
    if (available && !overall_only) {
      for (size_t i = 0; i < segments.size(); ++i) {
        w.key(config.by[i]);
        std::vector<KpiValue> segment_values;
        for (const auto& s : segments[i]) segment_values.push_back(def.compute(*s.group, settings));
        write_kpi_columns(w, segment_values, def.extra_names);
      }
    }
    w.end_object();
    w.end_object();
  }
  w.end_array();

  // Distributions of the durations over all tickets, in fixed ranges [lower, upper).
  w.key("distributions");
  w.begin_object();
  const TicketReads& reads = config.kpis.reads;
  write_distribution(w, "resolution_time", "hours", agg.total().resolution.values(),
                     reads.resolution_values, {1, 4, 8, 24, 48, 72, 168},
                     {"< 1 h", "1–4 h", "4–8 h", "8–24 h", "1–2 d", "2–3 d", "3–7 d", "≥ 7 d"});
  write_distribution(
      w, "first_response_time", "minutes", agg.total().first_response.values(),
      reads.first_response_values, {5, 15, 30, 60, 240, 480, 1440},
      {"< 5 min", "5–15 min", "15–30 min", "30–60 min", "1–4 h", "4–8 h", "8–24 h", "≥ 24 h"});
  w.end_object();

  std::vector<CustomerFileMapping> customer_files;
  for (const FileSummary& f : d.files()) {
    if (!f.error && is_customer_kind(f.kind)) {
      customer_files.push_back(CustomerFileMapping{f.kind, &f.customer_mapping});
    }
  }
  write_customers_section(w, d.customers(), customer_files, d.failed());
  w.end_object();
  return w.take();
}

}  // namespace kpilens
