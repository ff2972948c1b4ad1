// ticket_aggregate: every group a report needs — the total, one per period, one per value of each
// segment column — plus per-period flows for the backlog. Integer-keyed: periods find their ids in
// a dense window (PeriodIndex), segment values are interned once to ids; groups sit in vectors by
// id. Output order never depends on a hash: the ordered views (periods(), segments_in_order())
// sort when the report is written. Mergeable: two halves of a file give one whole.
//
// The total is not fed row by row: every row lands in exactly one period group or in the
// no-period group, so the total is their merge, built when it is needed (finish(), a breakdown
// that starts mid-way). Merging gives the same figures as feeding the same rows (every counter and
// ExactSum is order-free, exact quantiles select values, the sketch past the cap holds the same
// counts whatever the order), and one group fed per row instead of two saves a TicketGroup::feed.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ticket_kpis.h"

namespace kpilens {

class StateReader;
class StateWriter;

struct BacklogFlow {
  uint64_t created = 0;  // tickets created in the period
  uint64_t solved = 0;   // of all tickets, those that left the backlog in the period
};

inline constexpr std::string_view kOtherSegment = "(other)";
inline constexpr std::string_view kBlankSegment = "(blank)";

// Ids of periods, by period index. Exports span a few hundred weeks or a few thousand days, so the
// periods seen are looked up in one dense vector, grown at either end; a stray date far from the
// rest (year 1 in a 2024 export) goes to a small ordered map beside it instead of stretching the
// vector over the years between. Ids count from 0 in the order the periods are first seen, so the
// values themselves live in a plain vector by id.
class PeriodIndex {
 public:
  // Periods the dense window may span: ~11 years of days, every week or month of any real export.
  static constexpr int64_t kMaxDense = 4096;
  static constexpr uint32_t kNone = UINT32_MAX;

  // The id of `period`; a new one (the size() before the call) when it is first seen.
  uint32_t id(int64_t period) {
    const int64_t offset = period - base_;
    if (offset >= 0 && offset < static_cast<int64_t>(dense_.size())) {
      uint32_t& slot = dense_[static_cast<size_t>(offset)];
      if (slot == 0) slot = ++count_;
      return slot - 1;
    }
    return id_outside(period);
  }
  // kNone when the period was never seen.
  uint32_t find(int64_t period) const;
  size_t size() const { return count_; }
  // (period, id) of every period seen, in increasing period order.
  std::vector<std::pair<int64_t, uint32_t>> in_order() const;

 private:
  uint32_t id_outside(int64_t period);

  int64_t base_ = 0;                    // the period of dense_[0]
  std::vector<uint32_t> dense_;         // id + 1 per period of the window, 0 when not seen
  std::map<int64_t, uint32_t> sparse_;  // periods beside the window
  uint32_t count_ = 0;
};

class TicketAggregate {
 public:
  TicketAggregate() = default;
  TicketAggregate(size_t segment_columns, size_t max_segments);

  // `period`: the created period (none when no created_at column). `left_period`: when the ticket
  // left the backlog (its solved period), none while it is open.
  void feed(const TicketRecord& ticket, std::optional<int64_t> period,
            std::optional<int64_t> left_period, std::span<const std::string_view> segments,
            const KpiSettings& settings);
  // Merges the other's no-period, period and segment groups and flows (its total is derived).
  void merge(const TicketAggregate& other);
  // Settles the total now (settled_total_ below) rather than at the first merge(): a dataset about
  // to merge parts does it while it waits for them, off the path the merge is on.
  void settle_total();
  // Builds the total and finishes every group. Feeding or merging after it needs another finish().
  void finish();
  // The state as bytes (ticket_state.cpp), for a worker's part of a file. load() replaces this
  // aggregate's groups (its column count and max_segments stay: the state must have as many
  // columns); false (the reader failed) on malformed input: duplicate values or periods, counts
  // past the bytes left.
  void save(StateWriter& out) const;
  bool load(StateReader& in);
  // A breakdown that starts mid-way (a later file has the column): every ticket fed so far had no
  // such cell, so they all start in its "(blank)" group.
  void add_segment_column();

  // Ordered views for the report.
  // Periods with a group, in increasing order.
  std::vector<int64_t> periods() const;
  // The period's group, or nullptr when no ticket fell in it.
  const TicketGroup* period_group(int64_t period) const;
  // Backlog flows in increasing period order.
  std::vector<std::pair<int64_t, BacklogFlow>> flows_in_order() const;
  size_t segment_columns() const { return segments_.size(); }
  struct SegmentGroup {
    std::string_view value;
    const TicketGroup* group;
  };
  // A segment column's groups in the byte order of their values.
  std::vector<SegmentGroup> segments_in_order(size_t column) const;
  bool has_segment_value(size_t column, std::string_view value) const;

  // Every row's group: the merge of the no-period group and the period groups, as of the last
  // finish() (empty before it).
  const TicketGroup& total() const { return total_; }
  uint64_t lumped_segment_rows = 0;  // rows put in "(other)" because a column had too many values

 private:
  // feed(), with the ticket's durations prepared (when it has breakdowns) or not.
  void feed_groups(const TicketRecord& ticket, std::optional<int64_t> period,
                   std::optional<int64_t> left_period, std::span<const std::string_view> segments,
                   const KpiSettings& settings, const PreparedDurations* durations);
  // A value's bytes as two words and its length. Up to 16 bytes the words are the value itself (the
  // loads overlap, and the length says where), so a lookup compares integers kept by id instead of
  // reading the value's bytes; a longer value's words are its first and last eight bytes, `middle`
  // mixes the bytes between (so that values alike at both ends, as e-mail addresses of one
  // length, still hash apart), and a match compares all of its bytes too.
  struct SegmentKey {
    uint64_t head = 0;
    uint64_t tail = 0;
    uint64_t middle = 0;  // 0 up to 16 bytes
    uint64_t size = 0;
    static SegmentKey of(std::string_view value);
    size_t hash() const;
    bool operator==(const SegmentKey&) const = default;
  };
  static constexpr size_t kKeyBytes = 16;  // values up to this long are their key
  // One segment column: each distinct value interned once to an id (open addressing over ids, so
  // copies stay valid), its group at the same id.
  struct SegmentColumn {
    std::vector<std::string> values;  // by id
    std::vector<SegmentKey> keys;     // by id
    std::vector<TicketGroup> groups;  // by id
    std::vector<uint32_t> slots;      // id + 1, 0 = empty; a power of two long
    uint32_t other_id = kNoId;        // the id of "(other)", once it has one

    static constexpr uint32_t kNoId = UINT32_MAX;
    uint32_t find(std::string_view value, const SegmentKey& key) const;
    uint32_t insert(std::string_view value, const SegmentKey& key, TicketGroup group = {});
  };

  uint32_t group_id(size_t column, std::string_view value);
  // group_id() for a value the column does not hold yet: once per value, but once per row for the
  // values past max_segments (lumped into "(other)"), so not built for size.
  uint32_t new_group_id(size_t column, std::string_view value, const SegmentKey& key);
  TicketGroup& period_group_at(int64_t period);
  BacklogFlow& flow_at(int64_t period);
  // The no-period group merged with every period group.
  TicketGroup merged_total() const;
  // Every row's group as of now: the settled total, or else the merge above.
  TicketGroup current_total() const;

  TicketGroup total_;
  // From the first merge() or load() on, the total is kept as it goes (and rows fed after that
  // feed it too): an aggregate that merges parts (parallel reading) then adds up their totals,
  // which each part built from its own period groups, instead of rebuilding the total from the
  // merged period groups at finish, one exact value at a time, on the thread every part waits for.
  std::optional<TicketGroup> settled_total_;
  // Rows without a period: no created_at column, survey answers without a date (or whose ticket
  // had none).
  TicketGroup no_period_;
  std::vector<SegmentColumn> segments_;
  PeriodIndex period_ids_;
  std::vector<TicketGroup> period_groups_;  // by period id
  PeriodIndex flow_ids_;
  std::vector<BacklogFlow> flows_;  // by flow id
  size_t max_segments_ = 10000;
};

}  // namespace kpilens
