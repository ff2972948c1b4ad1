// ticket_kpis: formulas and sources in docs/kpis.md. Percentages divide an integer numerator × 100
// once, so the same counts give the same bits everywhere.
#include "ticket_kpis.h"
#include "state_codec.h"

#include <algorithm>

namespace kpilens {

namespace {

std::optional<double> percent(uint64_t part, uint64_t whole) {
  if (whole == 0) return std::nullopt;
  return static_cast<double>(part) * 100.0 / static_cast<double>(whole);
}

std::optional<double> extra(uint64_t count) {
  return static_cast<double>(count);
}

// Responses ÷ surveys offered. Answers that joined no ticket count in csat but were offered on no
// ticket (docs/kpis.md "Survey files and the join"), so they are in neither count.
KpiValue of_surveys_offered(const TicketGroup& g, const CsatFigures& f) {
  const uint64_t responses = f.responses - g.unjoined_csat_responses;
  const uint64_t offered = f.offered - g.unjoined_csat_responses;
  return KpiValue{percent(responses, offered), offered, {extra(responses)}};
}

using Fields = std::vector<TicketField>;
using F = TicketField;

Fields need_all(const ColumnMapping& m, std::initializer_list<F> fields) {
  for (F f : fields) {
    if (!m.has(f)) return {};
  }
  return Fields(fields);
}

// Adds the optional fields that are mapped.
void add_mapped(const ColumnMapping& m, Fields& fields, std::initializer_list<F> optional) {
  if (fields.empty()) return;
  for (F f : optional) {
    if (m.has(f)) fields.push_back(f);
  }
}

Fields solved_inputs(const ColumnMapping& m) {
  Fields f;
  if (m.has(F::kStatus)) f.push_back(F::kStatus);
  if (m.has(F::kSolvedAt)) f.push_back(F::kSolvedAt);
  return f;
}

Fields volume_inputs(const ColumnMapping& m) {
  Fields f;
  if (m.has(F::kCreatedAt)) f.push_back(F::kCreatedAt);
  if (f.empty() && m.has(F::kId)) f.push_back(F::kId);
  if (f.empty()) f.push_back(F::kId);  // every row is a ticket
  return f;
}

Fields csat_inputs(const ColumnMapping& m) {
  return need_all(m, {F::kCsat});
}
Fields nps_inputs(const ColumnMapping& m) {
  return need_all(m, {F::kNps});
}
Fields ces_inputs(const ColumnMapping& m) {
  return need_all(m, {F::kCes});
}

Fields response_rate_inputs(const ColumnMapping& m) {
  Fields f = need_all(m, {F::kCsat});
  if (f.empty()) return f;
  Fields solved = solved_inputs(m);
  f.insert(f.end(), solved.begin(), solved.end());
  return f;
}

Fields fcr_inputs(const ColumnMapping& m) {
  Fields solved = solved_inputs(m);
  if (solved.empty()) return {};
  Fields f;
  if (m.has(F::kReplies)) {
    f = {F::kReplies};
    add_mapped(m, f, {F::kReopens});
  } else if (m.has(F::kFirstContactResolved)) {
    f = {F::kFirstContactResolved};
  } else {
    return {};
  }
  f.insert(f.end(), solved.begin(), solved.end());
  return f;
}

Fields one_touch_inputs(const ColumnMapping& m) {
  Fields solved = solved_inputs(m);
  if (solved.empty() || !m.has(F::kReplies)) return {};
  Fields f{F::kReplies};
  f.insert(f.end(), solved.begin(), solved.end());
  return f;
}

Fields reopen_inputs(const ColumnMapping& m) {
  Fields solved = solved_inputs(m);
  if (solved.empty() || !m.has(F::kReopens)) return {};
  Fields f{F::kReopens};
  f.insert(f.end(), solved.begin(), solved.end());
  return f;
}

Fields first_response_inputs(const ColumnMapping& m) {
  if (m.has(F::kFirstResponseDuration)) return {F::kFirstResponseDuration};
  return need_all(m, {F::kCreatedAt, F::kFirstResponseAt});
}

Fields resolution_inputs(const ColumnMapping& m) {
  Fields f;
  if (m.has(F::kResolutionDuration)) {
    f = {F::kResolutionDuration};
  } else {
    f = need_all(m, {F::kCreatedAt, F::kSolvedAt});
  }
  add_mapped(m, f, {F::kStatus});
  return f;
}

Fields resolution_rate_inputs(const ColumnMapping& m) {
  return solved_inputs(m);
}
Fields backlog_inputs(const ColumnMapping& m) {
  Fields f = solved_inputs(m);
  if (f.empty()) return f;
  if (m.has(F::kCreatedAt)) f.insert(f.begin(), F::kCreatedAt);
  return f;
}
Fields cost_inputs(const ColumnMapping& m) {
  return need_all(m, {F::kCost});
}

KpiValue duration_value(const DurationAccumulator& d, double q) {
  const DurationQuantiles& values = d.values();
  KpiValue v;
  v.n = values.count();
  v.value = q < 0 ? values.mean() : values.quantile(q);
  v.approximate = q >= 0 && values.approximate();  // the mean stays exact
  return v;
}

}  // namespace

void FirstContactAccumulator::feed(const TicketRecord& t) {
  if (!t.solved) return;
  if (t.replies) {
    ++solved_known;
    ++solved_with_replies;
    bool never_reopened = !t.reopens || *t.reopens == 0;
    resolved_first += (*t.replies == 1 && never_reopened);
    one_touch += (*t.replies < 2);
  } else if (t.first_contact_resolved) {
    ++solved_known;
    resolved_first += *t.first_contact_resolved;
  }
  if (t.reopens) {
    ++solved_with_reopens;
    reopened += (*t.reopens > 0);
  }
}

void FirstContactAccumulator::merge(const FirstContactAccumulator& o) {
  solved_known += o.solved_known;
  resolved_first += o.resolved_first;
  solved_with_replies += o.solved_with_replies;
  one_touch += o.one_touch;
  solved_with_reopens += o.solved_with_reopens;
  reopened += o.reopened;
}

PreparedDurations::PreparedDurations(const TicketRecord& t) {
  if (t.first_response_minutes) first_response.emplace(*t.first_response_minutes);
  if (t.resolution_hours) resolution.emplace(*t.resolution_hours);
}

void TicketGroup::feed(const TicketRecord& t, const KpiSettings& settings,
                       const PreparedDurations* durations) {
  if (t.survey_only) {
    if (csat.feed(t.csat, settings.csat) && is_response(t.csat)) ++unjoined_csat_responses;
    if (t.nps) nps.feed(*t.nps, settings.nps);
    if (t.ces) ces.feed(*t.ces, settings.ces);
    return;
  }
  ++tickets;
  solved += t.solved;
  const bool csat_answer = is_response(t.csat);
  solved_csat_responses += t.solved && csat_answer;
  if (t.cost) {
    ++cost_count;
    cost_sum.add(*t.cost);
  }
  csat.feed(t.csat, settings.csat);
  if (t.nps) nps.feed(*t.nps, settings.nps);
  if (t.ces) ces.feed(*t.ces, settings.ces);
  first_contact.feed(t);
  const TicketReads& reads = settings.reads;
  if (durations) {
    if (durations->first_response) {
      first_response.feed(*durations->first_response, reads.first_response_values);
    }
    if (durations->resolution) resolution.feed(*durations->resolution, reads.resolution_values);
  } else {
    if (t.first_response_minutes) {
      first_response.feed(*t.first_response_minutes, reads.first_response_values);
    }
    if (t.resolution_hours) resolution.feed(*t.resolution_hours, reads.resolution_values);
  }
}

KPILENS_RARELY_RUN void TicketGroup::merge(const TicketGroup& o) {
  tickets += o.tickets;
  solved += o.solved;
  solved_csat_responses += o.solved_csat_responses;
  unjoined_csat_responses += o.unjoined_csat_responses;
  cost_count += o.cost_count;
  cost_sum.merge(o.cost_sum);
  csat.merge(o.csat);
  nps.merge(o.nps);
  ces.merge(o.ces);
  first_contact.merge(o.first_contact);
  first_response.merge(o.first_response);
  resolution.merge(o.resolution);
}

void TicketGroup::finish() {
  first_response.finish();
  resolution.finish();
}

const std::vector<KpiDefinition>& ticket_kpi_catalogue() {
  static const std::vector<KpiDefinition> catalogue = [] {
    std::vector<KpiDefinition> k;
    k.push_back({"tickets",
                 "Tickets",
                 "count",
                 "created",
                 "tickets created in the period",
                 {},
                 volume_inputs,
                 0,
                 "",
                 [](const TicketGroup& g, const KpiSettings&) {
                   return KpiValue{static_cast<double>(g.tickets), g.tickets, {}};
                 }});
    k.push_back({"csat",
                 "CSAT",
                 "percent",
                 "top_2_box",
                 "satisfied responses (score ≥ threshold, or Good) ÷ responses × 100",
                 {"satisfied", "responses"},
                 csat_inputs,
                 kReadCsat,
                 "csat",
                 [](const TicketGroup& g, const KpiSettings& s) {
                   CsatFigures f = g.csat.finish(s.csat);
                   return KpiValue{
                       f.top2box_percent, f.responses, {extra(f.satisfied), extra(f.responses)}};
                 }});
    k.push_back({"csat_score",
                 "CSAT (mean score)",
                 "percent",
                 "mean_over_max",
                 "Σ score ÷ (n × scale max) × 100, numeric scores only",
                 {"mean_score"},
                 csat_inputs,
                 kReadCsat,
                 "csat",
                 [](const TicketGroup& g, const KpiSettings& s) {
                   CsatFigures f = g.csat.finish(s.csat);
                   return KpiValue{f.mean_score_percent, f.scored, {f.mean_score}};
                 }});
    k.push_back(
        {"happiness_score",
         "Happiness score",
         "score",
         "satisfied_minus_dissatisfied",
         "(satisfied − dissatisfied) ÷ responses × 100, from −100 to 100",
         {"satisfied", "dissatisfied"},
         csat_inputs,
         kReadCsat,
         "csat",
         [](const TicketGroup& g, const KpiSettings& s) {
           CsatFigures f = g.csat.finish(s.csat);
           return KpiValue{f.net_percent, f.responses, {extra(f.satisfied), extra(f.dissatisfied)}};
         }});
    k.push_back({"nps",
                 "NPS",
                 "score",
                 "promoters_minus_detractors",
                 "(promoters 9–10 − detractors 0–6) ÷ answers × 100, with its 95 % margin",
                 {"promoters", "passives", "detractors", "margin_95"},
                 nps_inputs,
                 kReadNps,
                 "nps",
                 [](const TicketGroup& g, const KpiSettings&) {
                   NpsFigures f = g.nps.finish();
                   return KpiValue{
                       f.nps,
                       f.n,
                       {extra(f.promoters), extra(f.passives), extra(f.detractors), f.margin_95}};
                 }});
    k.push_back({"ces",
                 "CES",
                 "score",
                 "mean",
                 "mean effort score over answers on the scale",
                 {"easy_percent"},
                 ces_inputs,
                 kReadCes,
                 "ces",
                 [](const TicketGroup& g, const KpiSettings&) {
                   CesFigures f = g.ces.finish();
                   return KpiValue{f.mean, f.n, {f.easy_percent}};
                 }});
    k.push_back({"survey_response_rate",
                 "Survey response rate",
                 "percent",
                 "of_solved_tickets",
                 "CSAT responses ÷ surveys offered (when the export records offers), else CSAT "
                 "responses on solved tickets ÷ solved tickets",
                 {"responses"},
                 response_rate_inputs,
                 kReadCsat | kReadSolved,
                 "csat and status or solved_at",
                 [](const TicketGroup& g, const KpiSettings& s) {
                   CsatFigures f = g.csat.finish(s.csat);
                   if (s.survey_offers_known) {
                     return of_surveys_offered(g, f);
                   }
                   return KpiValue{percent(g.solved_csat_responses, g.solved),
                                   g.solved,
                                   {extra(g.solved_csat_responses)}};
                 }});
    k.back().variant_for = [](const KpiSettings& s) -> std::string_view {
      return s.survey_offers_known ? "of_surveys_offered" : "of_solved_tickets";
    };
    k.push_back({"fcr",
                 "First contact resolution",
                 "percent",
                 "of_solved",
                 "solved with exactly one agent reply and no reopen ÷ solved tickets × 100",
                 {"resolved_first"},
                 fcr_inputs,
                 kReadContacts | kReadSolved,
                 "replies (or first_contact_resolved) and status",
                 [](const TicketGroup& g, const KpiSettings&) {
                   const auto& f = g.first_contact;
                   return KpiValue{percent(f.resolved_first, f.solved_known),
                                   f.solved_known,
                                   {extra(f.resolved_first)}};
                 }});
    k.push_back({"fcr_all_tickets",
                 "FCR (of all tickets)",
                 "percent",
                 "of_all_tickets",
                 "resolved on first contact ÷ all tickets × 100 (the seeds' variant)",
                 {"resolved_first"},
                 fcr_inputs,
                 kReadContacts | kReadSolved,
                 "replies (or first_contact_resolved) and status",
                 [](const TicketGroup& g, const KpiSettings&) {
                   const auto& f = g.first_contact;
                   return KpiValue{
                       percent(f.resolved_first, g.tickets), g.tickets, {extra(f.resolved_first)}};
                 }});
    k.push_back({"one_touch_rate",
                 "One-touch resolution",
                 "percent",
                 "zendesk_one_touch",
                 "solved with fewer than 2 agent replies ÷ solved tickets × 100",
                 {"one_touch"},
                 one_touch_inputs,
                 kReadContacts | kReadSolved,
                 "replies and status",
                 [](const TicketGroup& g, const KpiSettings&) {
                   const auto& f = g.first_contact;
                   return KpiValue{percent(f.one_touch, f.solved_with_replies),
                                   f.solved_with_replies,
                                   {extra(f.one_touch)}};
                 }});
    k.push_back({"reopen_rate",
                 "Reopen rate",
                 "percent",
                 "of_solved",
                 "solved tickets reopened at least once ÷ solved tickets × 100",
                 {"reopened"},
                 reopen_inputs,
                 kReadContacts | kReadSolved,
                 "reopens and status",
                 [](const TicketGroup& g, const KpiSettings&) {
                   const auto& f = g.first_contact;
                   return KpiValue{percent(f.reopened, f.solved_with_reopens),
                                   f.solved_with_reopens,
                                   {extra(f.reopened)}};
                 }});
    k.push_back({"first_response_time_mean",
                 "First response time (mean)",
                 "minutes",
                 "mean",
                 "mean of first response − created",
                 {},
                 first_response_inputs,
                 kReadFirstResponse,
                 "first_response_at (or a first response time column)",
                 [](const TicketGroup& g, const KpiSettings&) {
                   return duration_value(g.first_response, -1);
                 }});
    k.push_back({"first_response_time_median",
                 "First response time (median)",
                 "minutes",
                 "median",
                 "median of first response − created",
                 {},
                 first_response_inputs,
                 kReadFirstResponse | kReadFirstResponseValues,
                 "first_response_at (or a first response time column)",
                 [](const TicketGroup& g, const KpiSettings&) {
                   return duration_value(g.first_response, 0.5);
                 }});
    k.push_back({"first_response_time_p90",
                 "First response time (p90)",
                 "minutes",
                 "p90",
                 "90th percentile of first response − created",
                 {},
                 first_response_inputs,
                 kReadFirstResponse | kReadFirstResponseValues,
                 "first_response_at (or a first response time column)",
                 [](const TicketGroup& g, const KpiSettings&) {
                   return duration_value(g.first_response, 0.9);
                 }});
    k.push_back({"resolution_time_mean",
                 "Resolution time (mean)",
                 "hours",
                 "mean",
                 "mean of solved − created over solved tickets",
                 {},
                 resolution_inputs,
                 kReadSolved,
                 "solved_at (or a resolution time column)",
                 [](const TicketGroup& g, const KpiSettings&) {
                   return duration_value(g.resolution, -1);
                 }});
    k.push_back({"resolution_time_median",
                 "Resolution time (median)",
                 "hours",
                 "median",
                 "median of solved − created over solved tickets",
                 {},
                 resolution_inputs,
                 kReadSolved | kReadResolutionValues,
                 "solved_at (or a resolution time column)",
                 [](const TicketGroup& g, const KpiSettings&) {
                   return duration_value(g.resolution, 0.5);
                 }});
    k.push_back({"resolution_time_p90",
                 "Resolution time (p90)",
                 "hours",
                 "p90",
                 "90th percentile of solved − created over solved tickets",
                 {},
                 resolution_inputs,
                 kReadSolved | kReadResolutionValues,
                 "solved_at (or a resolution time column)",
                 [](const TicketGroup& g, const KpiSettings&) {
                   return duration_value(g.resolution, 0.9);
                 }});
    k.push_back({"resolution_rate",
                 "Resolution rate",
                 "percent",
                 "created_cohort",
                 "tickets created in the period that are solved ÷ tickets created × 100",
                 {"solved"},
                 resolution_rate_inputs,
                 kReadSolved,
                 "status or solved_at",
                 [](const TicketGroup& g, const KpiSettings&) {
                   return KpiValue{percent(g.solved, g.tickets), g.tickets, {extra(g.solved)}};
                 }});
    // Backlog's period series is filled by the aggregate from flows (created and solved per
    // period); this function gives a group's open tickets now, used overall and per segment.
    k.push_back({"backlog",
                 "Backlog",
                 "count",
                 "open_at_period_end",
                 "tickets created by the end of the period and not solved by then",
                 {},
                 backlog_inputs,
                 kReadSolved | kReadBacklogFlows,
                 "status or solved_at",
                 [](const TicketGroup& g, const KpiSettings&) {
                   uint64_t open = g.tickets - g.solved;
                   return KpiValue{static_cast<double>(open), g.tickets, {}};
                 }});
    k.back().series_from_backlog_flows = true;
    k.push_back({"cost_per_ticket",
                 "Cost per ticket",
                 "currency",
                 "mean_of_cost_column",
                 "Σ cost ÷ tickets with a cost",
                 {},
                 cost_inputs,
                 kReadCost,
                 "cost (or config cost.total)",
                 [](const TicketGroup& g, const KpiSettings&) {
                   KpiValue v;
                   v.n = g.cost_count;
                   if (g.cost_count > 0) {
                     v.value = g.cost_sum.value() / static_cast<double>(g.cost_count);
                   }
                   return v;
                 }});
    // Without a cost column, a configured total cost gives the overall figure only (a total for the
    // whole dataset cannot be split by period or segment).
    k.back().config_fallback = KpiDefinition::ConfigFallback{
        "config_total_over_tickets", "cost.total ÷ tickets",
        [](const TicketGroup& total, const KpiSettings& s) -> std::optional<KpiValue> {
          if (!s.cost_total) return std::nullopt;
          KpiValue v;
          v.n = total.tickets;
          if (total.tickets > 0) v.value = *s.cost_total / static_cast<double>(total.tickets);
          return v;
        }};
    return k;
  }();
  return catalogue;
}

KPILENS_RARELY_RUN TicketReads ticket_reads_for(std::span<const std::string> figures) {
  if (figures.empty()) return TicketReads{};
  unsigned bits = 0;
  for (const KpiDefinition& def : ticket_kpi_catalogue()) {
    if (std::find(figures.begin(), figures.end(), def.id) != figures.end()) bits |= def.reads;
  }
  const auto has = [bits](TicketRead read) { return (bits & read) != 0; };
  TicketReads r;
  r.csat = has(kReadCsat);
  r.nps = has(kReadNps);
  r.ces = has(kReadCes);
  r.cost = has(kReadCost);
  r.contacts = has(kReadContacts);
  r.solved = has(kReadSolved);
  r.first_response = has(kReadFirstResponse);
  r.first_response_values = has(kReadFirstResponseValues);
  r.resolution_values = has(kReadResolutionValues);
  r.backlog_flows = has(kReadBacklogFlows);
  return r;
}

}  // namespace kpilens
