// ticket_state: the bytes of the ticket accumulators' state (state_codec.h), as a worker that read
// one part of a file hands them to the worker that merges: the survey and first-contact counters,
// a TicketGroup, the TicketAggregate's groups and flows. Every save writes what merge() reads and
// nothing else; every load refuses what a save could not have written (a duplicate period or
// segment value, a count past the bytes left) instead of building a broken aggregate.
#include <limits>

#include "state_codec.h"
#include "survey_kpis.h"
#include "ticket_aggregate.h"
#include "ticket_kpis.h"

namespace kpilens {

namespace {

// Every counter here is a varint: most are small.
bool read_counts(StateReader& in, std::initializer_list<uint64_t*> counts) {
  for (uint64_t* count : counts) {
    if (!in.read_varint(*count)) return false;
  }
  return true;
}

void write_counts(StateWriter& out, std::initializer_list<uint64_t> counts) {
  for (uint64_t count : counts) out.write_varint(count);
}

// A period a save can write: period_index of a date of years 1–9999 (timestamp.cpp) is within ±3
// million days. A state with one far past that is no state of ours, and would overflow
// PeriodIndex's window arithmetic (found by fuzz/state_codec_fuzz.cpp).
bool read_period(StateReader& in, int64_t& period) {
  constexpr int64_t kMaxPeriod = int64_t{1} << 32;
  if (!in.read_svarint(period)) return false;
  return (period >= -kMaxPeriod && period <= kMaxPeriod) || in.fail();
}

}  // namespace

void CsatAccumulator::save(StateWriter& out) const {
  write_counts(out,
               {satisfied_, dissatisfied_, responses_, scored_, offered_only_, offer_markers_});
  score_sum_.save(out);
}

bool CsatAccumulator::load(StateReader& in) {
  *this = CsatAccumulator();
  if (!read_counts(in, {&satisfied_, &dissatisfied_, &responses_, &scored_, &offered_only_,
                        &offer_markers_})) {
    return false;
  }
  return score_sum_.load(in);
}

void NpsAccumulator::save(StateWriter& out) const {
  write_counts(out, {promoters_, passives_, detractors_});
}

bool NpsAccumulator::load(StateReader& in) {
  *this = NpsAccumulator();
  return read_counts(in, {&promoters_, &passives_, &detractors_});
}

void CesAccumulator::save(StateWriter& out) const {
  write_counts(out, {n_, easy_});
  sum_.save(out);
}

bool CesAccumulator::load(StateReader& in) {
  *this = CesAccumulator();
  return read_counts(in, {&n_, &easy_}) && sum_.load(in);
}

void FirstContactAccumulator::save(StateWriter& out) const {
  write_counts(out, {solved_known, resolved_first, solved_with_replies, one_touch,
                     solved_with_reopens, reopened});
}

bool FirstContactAccumulator::load(StateReader& in) {
  *this = FirstContactAccumulator();
  return read_counts(in, {&solved_known, &resolved_first, &solved_with_replies, &one_touch,
                          &solved_with_reopens, &reopened});
}

void DurationAccumulator::save(StateWriter& out) const {
  values_.save(out);
}

bool DurationAccumulator::load(StateReader& in) {
  return values_.load(in);
}

void TicketGroup::save(StateWriter& out) const {
  write_counts(out, {tickets, solved, solved_csat_responses, unjoined_csat_responses, cost_count});
  cost_sum.save(out);
  csat.save(out);
  nps.save(out);
  ces.save(out);
  first_contact.save(out);
  first_response.save(out);
  resolution.save(out);
}

bool TicketGroup::load(StateReader& in) {
  *this = TicketGroup();
  return read_counts(in, {&tickets, &solved, &solved_csat_responses, &unjoined_csat_responses,
                          &cost_count}) &&
         cost_sum.load(in) && csat.load(in) && nps.load(in) && ces.load(in) &&
         first_contact.load(in) && first_response.load(in) && resolution.load(in);
}

// The total (built here from the period groups unless already settled: a part builds its own, on
// its own thread), the no-period group, then periods and segment values in their output order
// (sorted), so that two aggregates holding the same groups write the same bytes whatever order
// their rows came in.
void TicketAggregate::save(StateWriter& out) const {
  if (settled_total_) {
    settled_total_->save(out);  // (no copy)
  } else {
    merged_total().save(out);
  }
  no_period_.save(out);
  out.write_varint(lumped_segment_rows);
  const auto periods = period_ids_.in_order();
  out.write_varint(periods.size());
  for (const auto& [period, id] : periods) {
    out.write_svarint(period);
    period_groups_[id].save(out);
  }
  const auto flows = flow_ids_.in_order();
  out.write_varint(flows.size());
  for (const auto& [period, id] : flows) {
    out.write_svarint(period);
    write_counts(out, {flows_[id].created, flows_[id].solved});
  }
  out.write_varint(segments_.size());
  for (size_t column = 0; column < segments_.size(); ++column) {
    const auto groups = segments_in_order(column);
    out.write_varint(groups.size());
    for (const SegmentGroup& s : groups) {
      out.write_string(s.value);
      s.group->save(out);
    }
  }
}

bool TicketAggregate::load(StateReader& in) {
  const size_t columns = segments_.size();
  *this = TicketAggregate(columns, max_segments_);
  // Each group takes well over 8 bytes (its counters and four empty sums or sketches).
  constexpr size_t kMinGroupBytes = 8;
  uint64_t count = 0;
  settled_total_.emplace();
  if (!settled_total_->load(in) || !no_period_.load(in) || !in.read_varint(lumped_segment_rows)) {
    return false;
  }
  if (!in.read_count(count, 1 + kMinGroupBytes)) return false;
  for (uint64_t k = 0; k < count; ++k) {
    int64_t period = 0;
    if (!read_period(in, period)) return false;
    if (period_ids_.find(period) != PeriodIndex::kNone) return in.fail();
    if (!period_group_at(period).load(in)) return false;
  }
  // The total must count the rows its groups count (a cheap check that it belongs with them).
  uint64_t grouped = no_period_.tickets;
  for (const TicketGroup& group : period_groups_) grouped += group.tickets;
  if (grouped != settled_total_->tickets) return in.fail();
  if (!in.read_count(count, 3)) return false;
  for (uint64_t k = 0; k < count; ++k) {
    int64_t period = 0;
    if (!read_period(in, period)) return false;
    if (flow_ids_.find(period) != PeriodIndex::kNone) return in.fail();
    BacklogFlow& flow = flow_at(period);
    if (!read_counts(in, {&flow.created, &flow.solved})) return false;
  }
  uint64_t saved_columns = 0;
  if (!in.read_varint(saved_columns)) return false;
  if (saved_columns != columns) return in.fail();
  for (size_t column = 0; column < columns; ++column) {
    SegmentColumn& c = segments_[column];
    if (!in.read_count(count, 1 + kMinGroupBytes)) return false;
    std::string value;
    for (uint64_t k = 0; k < count; ++k) {
      if (!in.read_string(value)) return false;
      const SegmentKey key = SegmentKey::of(value);
      if (c.find(value, key) != SegmentColumn::kNoId) return in.fail();
      TicketGroup group;
      if (!group.load(in)) return false;
      c.insert(value, key, std::move(group));
    }
  }
  return true;
}

}  // namespace kpilens
