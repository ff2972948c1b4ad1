// ticket_kpis: the support KPIs. A TicketRecord is one typed ticket; a TicketGroup holds every
// KPI's accumulator for one (period × segment) group and has the shape feed / merge / finish; the
// catalogue turns a finished group into figures and says which inputs each KPI needs.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "column_mapping.h"
#include "exact_sum.h"
#include "quantiles.h"
#include "survey_kpis.h"

namespace kpilens {

class StateReader;
class StateWriter;

struct TicketRecord {
  // A survey answer that joined no ticket: it feeds only the survey KPIs (CSAT, NPS, CES).
  bool survey_only = false;
  std::optional<double> created;  // seconds since the epoch, UTC
  std::optional<double> solved_at;
  bool solved = false;  // a solved/closed status, or a solved_at time
  std::optional<double> first_response_minutes;
  std::optional<double> resolution_hours;  // solved tickets only
  std::optional<double> replies;
  std::optional<double> reopens;
  std::optional<bool> first_contact_resolved;
  Rating csat;
  std::optional<double> nps;
  std::optional<double> ces;
  std::optional<double> cost;
};

// What the ticket rows are read for: everything, unless the config names the figures it wants
// (EngineConfig::figures); then only the columns and the values those figures need (docs/report.md
// "figures"): a column no asked figure reads is left unread (its cells are not parsed, nor counted
// as value issues), durations asked for their mean alone are counted and summed without being kept.
struct TicketReads {
  bool csat = true;            // the CSAT column
  bool nps = true;             // the NPS column
  bool ces = true;             // the CES column
  bool cost = true;            // the cost column
  bool contacts = true;        // replies, reopens, first contact resolved
  bool solved = true;          // status, solved at, resolution duration (whether and when solved)
  bool first_response = true;  // first response at or duration
  bool first_response_values = true;  // its values kept (median, p90, the distribution)
  bool resolution_values = true;      // the resolution times kept (median, p90, the distribution)
  bool backlog_flows = true;          // created and solved per period (backlog)
};

// One TicketReads member each, as bits: what a figure of the catalogue reads
// (KpiDefinition::reads).
enum TicketRead : uint16_t {
  kReadCsat = 1 << 0,
  kReadNps = 1 << 1,
  kReadCes = 1 << 2,
  kReadCost = 1 << 3,
  kReadContacts = 1 << 4,
  kReadSolved = 1 << 5,
  kReadFirstResponse = 1 << 6,
  kReadFirstResponseValues = 1 << 7,
  kReadResolutionValues = 1 << 8,
  kReadBacklogFlows = 1 << 9,
};

// What the figures with these ids read, together (each one's KpiDefinition::reads); everything
// when `figures` is empty. The ids must be the catalogue's.
TicketReads ticket_reads_for(std::span<const std::string> figures);

struct KpiSettings {
  CsatSettings csat;
  NpsSettings nps;
  CesSettings ces;
  std::optional<double> cost_total;  // a total support cost for the whole dataset
  std::string currency;              // for the cost unit, e.g. "EUR"; empty = unnamed
  // Not configured: set by the report from the whole dataset, so every period and segment uses the
  // same survey response rate denominator (surveys offered when the export records offers).
  bool survey_offers_known = false;
  TicketReads reads;  // from EngineConfig::figures
};

// Resolved on first contact: exactly one agent reply and never reopened (or the export's own
// yes/no).
class FirstContactAccumulator {
 public:
  void feed(const TicketRecord& ticket);
  void merge(const FirstContactAccumulator& other);
  void save(StateWriter& out) const;
  bool load(StateReader& in);

  uint64_t solved_known = 0;  // solved tickets whose replies (or FCR flag) are known
  uint64_t resolved_first = 0;
  uint64_t solved_with_replies = 0;
  uint64_t one_touch = 0;  // solved with fewer than two agent replies (Zendesk)
  uint64_t solved_with_reopens = 0;
  uint64_t reopened = 0;
};

class DurationAccumulator {
 public:
  // `keep`: keep the value (for quantiles), or count and sum it only (DurationQuantiles::
  // feed_mean_only).
  void feed(double value, bool keep) {
    if (keep) [[likely]] {
      values_.feed(value);
    } else {
      values_.feed_mean_only(value);
    }
  }
  void feed(const DurationQuantiles::Prepared& value, bool keep) {
    if (keep) [[likely]] {
      values_.feed(value);
    } else {
      values_.feed_mean_only(value);
    }
  }
  void merge(const DurationAccumulator& other) { values_.merge(other.values_); }
  // See DurationQuantiles::expect_merges.
  void expect_merges(uint64_t count) { values_.expect_merges(count); }
  void finish() { values_.finish(); }
  void save(StateWriter& out) const;
  bool load(StateReader& in);
  const DurationQuantiles& values() const { return values_; }

 private:
  DurationQuantiles values_;
};

// A ticket's durations worked out once when it feeds several groups (its period's and one per
// breakdown).
struct PreparedDurations {
  explicit PreparedDurations(const TicketRecord& ticket);
  std::optional<DurationQuantiles::Prepared> first_response;
  std::optional<DurationQuantiles::Prepared> resolution;
};

class TicketGroup {
 public:
  // `durations`: the ticket's, prepared (the same figures as without; quicker for a ticket that
  // feeds several groups).
  void feed(const TicketRecord& ticket, const KpiSettings& settings,
            const PreparedDurations* durations = nullptr);
  void merge(const TicketGroup& other);
  void finish();
  // The state as bytes (ticket_state.cpp): what merge() reads. load() replaces this group, false
  // (the reader failed) on malformed input.
  void save(StateWriter& out) const;
  bool load(StateReader& in);

  uint64_t tickets = 0;
  uint64_t solved = 0;
  uint64_t solved_csat_responses = 0;  // CSAT answers on solved tickets
  // CSAT answers that joined no ticket: in csat, but not responses to a survey offered on a ticket.
  uint64_t unjoined_csat_responses = 0;
  uint64_t cost_count = 0;
  ExactSum cost_sum;
  CsatAccumulator csat;
  NpsAccumulator nps;
  CesAccumulator ces;
  FirstContactAccumulator first_contact;
  DurationAccumulator first_response;
  DurationAccumulator resolution;
};

struct KpiValue {
  std::optional<double> value;
  uint64_t n = 0;
  std::vector<std::optional<double>> extras;  // in the order of KpiDefinition::extra_names
  bool approximate = false;  // a quantile read from the sketch past the exact cap (quantiles.h)
};

struct KpiDefinition {
  std::string_view id;
  std::string_view label;
  std::string_view unit;     // percent, score, minutes, hours, count, ratio, currency
  std::string_view variant;  // which of the documented variants this figure is
  std::string_view formula;  // one line; docs/kpis.md has the full entry
  std::vector<std::string_view> extra_names;
  // The fields this KPI reads under `mapping`; empty when it cannot be computed.
  std::vector<TicketField> (*inputs)(const ColumnMapping& mapping);
  // What of a ticket row it reads, TicketRead bits: a config that names figures reads the rows
  // for those alone (ticket_reads_for).
  uint16_t reads;
  std::string_view needs;  // what to map when inputs() is empty
  KpiValue (*compute)(const TicketGroup& group, const KpiSettings& settings);
  // When the variant depends on the data (e.g. which denominator the dataset allows); else
  // `variant`.
  std::string_view (*variant_for)(const KpiSettings& settings) = nullptr;
  // The period series is the backlog at each period's end, built from the aggregate's flows, not
  // compute() over each period's own tickets.
  bool series_from_backlog_flows = false;
  // An overall-only figure the config can give when no column feeds the KPI (cost.total).
  struct ConfigFallback {
    std::string_view variant;
    std::string_view formula;
    std::optional<KpiValue> (*overall)(const TicketGroup& total, const KpiSettings& settings);
  };
  std::optional<ConfigFallback> config_fallback = std::nullopt;
};

const std::vector<KpiDefinition>& ticket_kpi_catalogue();

}  // namespace kpilens
