// ticket_aggregate: see ticket_aggregate.h.
#include "ticket_aggregate.h"

#include <cstring>
#include <numeric>

namespace kpilens {

namespace {

uint64_t load_bytes(const char* p, size_t n) {
  uint64_t v = 0;
  std::memcpy(&v, p, n);
  return v;
}

// Byte equality without a call to memcmp (which wasm does not inline): eight bytes at a time, the
// last eight overlapping; shorter values as two overlapping halves, or byte by byte.
bool same_bytes(std::string_view a, std::string_view b) {
  const size_t n = a.size();
  if (n != b.size()) return false;
  const char* p = a.data();
  const char* q = b.data();
  if (n >= 8) {
    for (size_t i = 0; i + 8 < n; i += 8) {
      if (load_bytes(p + i, 8) != load_bytes(q + i, 8)) return false;
    }
    return load_bytes(p + n - 8, 8) == load_bytes(q + n - 8, 8);
  }
  if (n >= 4) {
    return load_bytes(p, 4) == load_bytes(q, 4) &&
           load_bytes(p + n - 4, 4) == load_bytes(q + n - 4, 4);
  }
  for (size_t i = 0; i < n; ++i) {
    if (p[i] != q[i]) return false;
  }
  return true;
}

// Segment values are short (channels, names, teams): their bytes are taken eight at a time (the
// last eight overlapping), shorter ones as two overlapping halves, and mixed by multiplication.
// Only where a value sits in the table depends on this, never the output.
size_t hash_of(std::string_view value) {
  constexpr uint64_t kOdd = 0x9E3779B97F4A7C15;  // 2^64 ÷ the golden ratio
  const char* p = value.data();
  const size_t n = value.size();
  uint64_t h = (n + 1) * kOdd;
  auto mix = [&](uint64_t word) {
    h = (h ^ word) * kOdd;
    h ^= h >> 32;
  };
  if (n >= 8) {
    for (size_t i = 0; i + 8 < n; i += 8) mix(load_bytes(p + i, 8));
    mix(load_bytes(p + n - 8, 8));
  } else if (n >= 4) {
    mix(load_bytes(p, 4) | load_bytes(p + n - 4, 4) << 32);
  } else if (n > 0) {
    mix(static_cast<unsigned char>(p[0]) | static_cast<unsigned char>(p[n / 2]) << 8 |
        static_cast<unsigned char>(p[n - 1]) << 16);
  }
  return static_cast<size_t>(h);
}

}  // namespace

uint32_t TicketAggregate::SegmentColumn::find(std::string_view value, size_t hash) const {
  if (slots.empty()) return kNoId;
  const size_t mask = slots.size() - 1;
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    const uint32_t slot = slots[i];
    if (slot == 0) return kNoId;
    if (same_bytes(values[slot - 1], value)) return slot - 1;
  }
}

uint32_t TicketAggregate::SegmentColumn::insert(std::string_view value, size_t hash) {
  // At most half full, so probes stay short; rehashed from the values when it grows.
  if ((values.size() + 1) * 2 > slots.size()) {
    slots.assign(std::max<size_t>(16, slots.size() * 2), 0);
    const size_t mask = slots.size() - 1;
    for (uint32_t id = 0; id < values.size(); ++id) {
      size_t i = hash_of(values[id]) & mask;
      while (slots[i] != 0) i = (i + 1) & mask;
      slots[i] = id + 1;
    }
  }
  const size_t mask = slots.size() - 1;
  size_t i = hash & mask;
  while (slots[i] != 0) i = (i + 1) & mask;
  const auto id = static_cast<uint32_t>(values.size());
  slots[i] = id + 1;
  values.emplace_back(value);
  groups.emplace_back();
  if (value == kOtherSegment) other_id = id;
  return id;
}

// The first max_segments distinct values of a column keep their own group; later new values share
// "(other)", which comes on top of them.
uint32_t TicketAggregate::group_id(size_t column, std::string_view value) {
  SegmentColumn& c = segments_[column];
  const size_t hash = hash_of(value);
  const uint32_t found = c.find(value, hash);
  if (found != SegmentColumn::kNoId) return found;
  const size_t real_values = c.values.size() - (c.other_id != SegmentColumn::kNoId);
  if (real_values >= max_segments_) {
    ++lumped_segment_rows;
    if (c.other_id != SegmentColumn::kNoId) return c.other_id;
    return c.insert(kOtherSegment, hash_of(kOtherSegment));
  }
  return c.insert(value, hash);
}

void TicketAggregate::feed(const TicketRecord& ticket, std::optional<int64_t> period,
                           std::optional<int64_t> left_period,
                           std::span<const std::string_view> segments,
                           const KpiSettings& settings) {
  total.feed(ticket, settings);
  if (period) {
    by_period_.at(*period).feed(ticket, settings);
    if (!ticket.survey_only) ++flows_.at(*period).created;
    if (left_period) ++flows_.at(*left_period < *period ? *period : *left_period).solved;
  }
  for (size_t i = 0; i < segments.size() && i < segments_.size(); ++i) {
    std::string_view value = segments[i].empty() ? kBlankSegment : segments[i];
    segments_[i].groups[group_id(i, value)].feed(ticket, settings);
  }
}

void TicketAggregate::merge(const TicketAggregate& other) {
  total.merge(other.total);
  other.by_period_.for_each(
      [&](int64_t period, const TicketGroup& group) { by_period_.at(period).merge(group); });
  if (segments_.size() < other.segments_.size()) segments_.resize(other.segments_.size());
  // Re-keyed by value, in the values' byte order (as the report lists them), so "(other)" takes
  // the same values whichever side held them.
  for (size_t i = 0; i < other.segments_.size(); ++i) {
    for (const SegmentGroup& s : other.segments_in_order(i)) {
      segments_[i].groups[group_id(i, s.value)].merge(*s.group);
    }
  }
  other.flows_.for_each([&](int64_t period, const BacklogFlow& flow) {
    BacklogFlow& mine = flows_.at(period);
    mine.created += flow.created;
    mine.solved += flow.solved;
  });
  lumped_segment_rows += other.lumped_segment_rows;
}

void TicketAggregate::add_segment_column() {
  segments_.emplace_back();
  if (total.tickets > 0) {
    SegmentColumn& c = segments_.back();
    c.groups[c.insert(kBlankSegment, hash_of(kBlankSegment))] = total;
  }
}

void TicketAggregate::finish() {
  total.finish();
  by_period_.for_each_mutable([](int64_t, TicketGroup& group) { group.finish(); });
  for (SegmentColumn& column : segments_) {
    for (TicketGroup& group : column.groups) group.finish();
  }
}

std::vector<int64_t> TicketAggregate::periods() const {
  std::vector<int64_t> keys;
  keys.reserve(by_period_.size());
  by_period_.for_each([&](int64_t period, const TicketGroup&) { keys.push_back(period); });
  return keys;
}

std::vector<std::pair<int64_t, BacklogFlow>> TicketAggregate::flows_in_order() const {
  std::vector<std::pair<int64_t, BacklogFlow>> flows;
  flows.reserve(flows_.size());
  flows_.for_each(
      [&](int64_t period, const BacklogFlow& flow) { flows.emplace_back(period, flow); });
  return flows;
}

std::vector<TicketAggregate::SegmentGroup> TicketAggregate::segments_in_order(size_t column) const {
  const SegmentColumn& c = segments_[column];
  std::vector<uint32_t> ids(c.values.size());
  std::iota(ids.begin(), ids.end(), uint32_t{0});
  // std::string's operator< compares bytes as unsigned char: the order of an ordered map of them.
  std::sort(ids.begin(), ids.end(),
            [&](uint32_t a, uint32_t b) { return c.values[a] < c.values[b]; });
  std::vector<SegmentGroup> ordered;
  ordered.reserve(ids.size());
  for (uint32_t id : ids) ordered.push_back(SegmentGroup{c.values[id], &c.groups[id]});
  return ordered;
}

bool TicketAggregate::has_segment_value(size_t column, std::string_view value) const {
  return segments_[column].find(value, hash_of(value)) != SegmentColumn::kNoId;
}

}  // namespace kpilens
