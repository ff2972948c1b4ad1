// ticket_aggregate: every group a report needs — the total, one per period, one per value of each
// segment column — plus per-period flows for the backlog. Integer-keyed where it can be; ordered
// maps so output order never depends on the standard library. Mergeable: two halves of a file give
// one whole.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ticket_kpis.h"

namespace kpilens {

struct BacklogFlow {
  uint64_t created = 0;  // tickets created in the period
  uint64_t solved = 0;   // of all tickets, those that left the backlog in the period
};

inline constexpr std::string_view kOtherSegment = "(other)";
inline constexpr std::string_view kBlankSegment = "(blank)";

class TicketAggregate {
 public:
  TicketAggregate() = default;
  TicketAggregate(size_t segment_columns, size_t max_segments)
      : by_segment(segment_columns), max_segments_(max_segments) {}

  // `period`: the created period (none when no created_at column). `left_period`: when the ticket
  // left the backlog (its solved period), none while it is open.
  void feed(const TicketRecord& ticket, std::optional<int64_t> period,
            std::optional<int64_t> left_period, std::span<const std::string_view> segments,
            const KpiSettings& settings);
  void merge(const TicketAggregate& other);
  void finish();
  // A breakdown that starts mid-way (a later file has the column): every ticket fed so far had no
  // such cell, so they all start in its "(blank)" group.
  void add_segment_column();

  TicketGroup total;
  std::map<int64_t, TicketGroup> by_period;
  std::vector<std::map<std::string, TicketGroup, std::less<>>> by_segment;
  std::map<int64_t, BacklogFlow> flows;
  uint64_t lumped_segment_rows = 0;  // rows put in "(other)" because a column had too many values

 private:
  TicketGroup& segment_group(size_t column, std::string_view value);

  size_t max_segments_ = 10000;
  int64_t cached_period_ = 0;
  TicketGroup* cached_group_ = nullptr;
};

}  // namespace kpilens
