// ticket_aggregate: see ticket_aggregate.h.
#include "ticket_aggregate.h"

namespace kpilens {

TicketGroup& TicketAggregate::segment_group(size_t column, std::string_view value) {
  auto& groups = by_segment[column];
  auto it = groups.find(value);
  if (it != groups.end()) return it->second;
  // max_segments real values are kept; "(other)" comes on top of them.
  const size_t real_values = groups.size() - groups.count(kOtherSegment);
  if (real_values >= max_segments_) {
    ++lumped_segment_rows;
    return groups[std::string(kOtherSegment)];
  }
  return groups.emplace(std::string(value), TicketGroup{}).first->second;
}

void TicketAggregate::feed(const TicketRecord& ticket, std::optional<int64_t> period,
                           std::optional<int64_t> left_period,
                           std::span<const std::string_view> segments,
                           const KpiSettings& settings) {
  total.feed(ticket, settings);
  if (period) {
    // Exports are usually sorted by time: remember the last period's group.
    if (cached_group_ == nullptr || cached_period_ != *period) {
      cached_group_ = &by_period[*period];
      cached_period_ = *period;
    }
    cached_group_->feed(ticket, settings);
    if (!ticket.survey_only) ++flows[*period].created;
    if (left_period) ++flows[*left_period < *period ? *period : *left_period].solved;
  }
  for (size_t i = 0; i < segments.size() && i < by_segment.size(); ++i) {
    std::string_view value = segments[i].empty() ? kBlankSegment : segments[i];
    segment_group(i, value).feed(ticket, settings);
  }
}

void TicketAggregate::merge(const TicketAggregate& other) {
  total.merge(other.total);
  for (const auto& [period, group] : other.by_period) by_period[period].merge(group);
  if (by_segment.size() < other.by_segment.size()) by_segment.resize(other.by_segment.size());
  for (size_t i = 0; i < other.by_segment.size(); ++i) {
    for (const auto& [value, group] : other.by_segment[i]) segment_group(i, value).merge(group);
  }
  for (const auto& [period, flow] : other.flows) {
    flows[period].created += flow.created;
    flows[period].solved += flow.solved;
  }
  lumped_segment_rows += other.lumped_segment_rows;
  cached_group_ = nullptr;
}

void TicketAggregate::add_segment_column() {
  by_segment.emplace_back();
  if (total.tickets > 0) by_segment.back().emplace(std::string(kBlankSegment), total);
}

void TicketAggregate::finish() {
  total.finish();
  for (auto& [period, group] : by_period) group.finish();
  for (auto& groups : by_segment) {
    for (auto& [value, group] : groups) group.finish();
  }
}

}  // namespace kpilens
