// ticket_aggregate: every group a report needs — the total, one per period, one per value of each
// segment column — plus per-period flows for the backlog. Integer-keyed: periods index a dense
// vector, segment values are interned once to ids that index a vector of groups. Output order never
// depends on a hash: the ordered views (periods(), segments_in_order()) sort when the report is
// written. Mergeable: two halves of a file give one whole.
#pragma once

#include <algorithm>
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

struct BacklogFlow {
  uint64_t created = 0;  // tickets created in the period
  uint64_t solved = 0;   // of all tickets, those that left the backlog in the period
};

inline constexpr std::string_view kOtherSegment = "(other)";
inline constexpr std::string_view kBlankSegment = "(blank)";

// Values by period index. Exports span a few hundred weeks or a few thousand days, so the periods
// seen live in one dense vector, grown at either end; a stray date far from the rest (year 1 in a
// 2024 export) goes to an ordered map instead of stretching the vector over the years between.
template <class T>
class PeriodTable {
 public:
  // Periods a dense window may span: ~11 years of days, every week or month of any real export.
  static constexpr int64_t kMaxDense = 4096;

  T& at(int64_t period) {
    const int64_t offset = period - base_;
    if (offset >= 0 && offset < static_cast<int64_t>(dense_.size())) {
      const auto index = static_cast<size_t>(offset);
      if (!present_[index]) {
        present_[index] = 1;
        ++count_;
      }
      return dense_[index];
    }
    return at_outside(period);
  }

  const T* find(int64_t period) const {
    const int64_t offset = period - base_;
    if (offset >= 0 && offset < static_cast<int64_t>(dense_.size())) {
      const auto index = static_cast<size_t>(offset);
      return present_[index] ? &dense_[index] : nullptr;
    }
    auto it = sparse_.find(period);
    return it == sparse_.end() ? nullptr : &it->second;
  }

  size_t size() const { return count_; }
  bool empty() const { return count_ == 0; }

  // f(period, value) for every period present, in increasing order.
  template <class F>
  void for_each(F&& f) const {
    auto it = sparse_.begin();
    for (; it != sparse_.end() && it->first < base_; ++it) f(it->first, it->second);
    for (size_t i = 0; i < dense_.size(); ++i) {
      if (present_[i]) f(base_ + static_cast<int64_t>(i), dense_[i]);
    }
    for (; it != sparse_.end(); ++it) f(it->first, it->second);
  }
  template <class F>
  void for_each_mutable(F&& f) {
    for (auto& [period, value] : sparse_) f(period, value);
    for (size_t i = 0; i < dense_.size(); ++i) {
      if (present_[i]) f(base_ + static_cast<int64_t>(i), dense_[i]);
    }
  }

 private:
  T& at_outside(int64_t period) {
    if (dense_.empty()) {
      base_ = period;
    } else {
      const int64_t last = base_ + static_cast<int64_t>(dense_.size()) - 1;
      const int64_t low = std::min(base_, period), high = std::max(last, period);
      // The window only grows, so a period once beside it never falls inside it later.
      if (high - low >= kMaxDense) {
        auto [it, inserted] = sparse_.try_emplace(period);
        count_ += inserted;
        return it->second;
      }
    }
    if (period < base_) {
      // Grown at the front with as much room again (an export sorted newest first grows this way
      // at every period), within the window's span.
      const int64_t last = base_ + static_cast<int64_t>(dense_.size()) - 1;
      const int64_t room =
          std::min<int64_t>(static_cast<int64_t>(dense_.size()), kMaxDense - 1 - (last - period));
      const int64_t new_base = period - std::max<int64_t>(room, 0);
      const auto added = static_cast<size_t>(base_ - new_base);
      dense_.insert(dense_.begin(), added, T{});
      present_.insert(present_.begin(), added, 0);
      base_ = new_base;
    } else {
      const auto needed = static_cast<size_t>(period - base_) + 1;
      if (needed > dense_.size()) {
        dense_.resize(needed);
        present_.resize(needed, 0);
      }
    }
    return at(period);
  }

  int64_t base_ = 0;  // the period of dense_[0]
  std::vector<T> dense_;
  std::vector<uint8_t> present_;  // per dense_ entry: a period that was fed (or merged)
  std::map<int64_t, T> sparse_;   // periods outside the dense window
  size_t count_ = 0;
};

class TicketAggregate {
 public:
  TicketAggregate() = default;
  TicketAggregate(size_t segment_columns, size_t max_segments)
      : segments_(segment_columns), max_segments_(max_segments) {}

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

  // Ordered views for the report.
  // Periods with a group, in increasing order.
  std::vector<int64_t> periods() const;
  // The period's group, or nullptr when no ticket fell in it.
  const TicketGroup* period_group(int64_t period) const { return by_period_.find(period); }
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

  TicketGroup total;
  uint64_t lumped_segment_rows = 0;  // rows put in "(other)" because a column had too many values

 private:
  // One segment column: each distinct value interned once to an id (open addressing over ids, so
  // copies stay valid), its group at the same id.
  struct SegmentColumn {
    std::vector<std::string> values;  // by id
    std::vector<TicketGroup> groups;  // by id
    std::vector<uint32_t> slots;      // id + 1, 0 = empty; a power of two long
    uint32_t other_id = kNoId;        // the id of "(other)", once it has one

    static constexpr uint32_t kNoId = UINT32_MAX;
    uint32_t find(std::string_view value, size_t hash) const;
    uint32_t insert(std::string_view value, size_t hash);
  };

  uint32_t group_id(size_t column, std::string_view value);

  std::vector<SegmentColumn> segments_;
  PeriodTable<TicketGroup> by_period_;
  PeriodTable<BacklogFlow> flows_;
  size_t max_segments_ = 10000;
};

}  // namespace kpilens
