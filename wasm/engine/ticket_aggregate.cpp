// ticket_aggregate: see ticket_aggregate.h.
#include "ticket_aggregate.h"
#include "code_placement.h"
#include "field_parse.h"
#include "state_codec.h"

#include <algorithm>
#include <cstring>

namespace kpilens {

namespace {

uint64_t load_bytes(const char* p, size_t n) {
  uint64_t v = 0;
  std::memcpy(&v, p, n);
  return v;
}

// The bytes of two values of one length over kKeyBytes whose keys match (their first and last eight
// bytes, a mix of the rest): those between, eight at a time, without a call to memcmp (which wasm
// does not inline).
bool same_middle(std::string_view a, std::string_view b) {
  for (size_t i = 8; i + 8 < a.size(); i += 8) {
    if (load_bytes(a.data() + i, 8) != load_bytes(b.data() + i, 8)) return false;
  }
  return true;
}

constexpr uint64_t kOdd = 0x9E3779B97F4A7C15;  // 2^64 ÷ the golden ratio

// Each word mixed in by a multiplication, its high half folded down so that the table's low bits
// depend on every byte.
uint64_t mix(uint64_t h, uint64_t word) {
  h = (h ^ word) * kOdd;
  return h ^ h >> 32;
}

// The words between a long value's first and last eight bytes, mixed (a call: long values are
// rare among segment values).
__attribute__((noinline)) uint64_t mix_middle(std::string_view value) {
  uint64_t h = kOdd;
  for (size_t i = 8; i + 8 < value.size(); i += 8) h = mix(h, load_bytes(value.data() + i, 8));
  return h;
}

}  // namespace

// Only where a value sits in the table depends on the hash, never the output.
KPILENS_ROW_PATH_INLINE TicketAggregate::SegmentKey TicketAggregate::SegmentKey::of(
    std::string_view value) {
  const char* p = value.data();
  const size_t n = value.size();
  SegmentKey key;
  key.size = n;
  key.head = pack_short(value);  // the first eight bytes from 8 bytes on
  if (n >= 8) {
    key.tail = load_bytes(p + n - 8, 8);
    if (n > kKeyBytes) key.middle = mix_middle(value);
  }
  return key;
}

KPILENS_ROW_PATH_INLINE size_t TicketAggregate::SegmentKey::hash() const {
  return static_cast<size_t>(mix(mix((size + 1) * kOdd ^ middle, head), tail));
}

uint32_t PeriodIndex::find(int64_t period) const {
  const int64_t offset = period - base_;
  if (offset >= 0 && offset < static_cast<int64_t>(dense_.size())) {
    return dense_[static_cast<size_t>(offset)] - 1;  // 0 - 1 wraps to kNone
  }
  auto it = sparse_.find(period);
  return it == sparse_.end() ? kNone : it->second;
}

uint32_t PeriodIndex::id_outside(int64_t period) {
  if (!dense_.empty()) {
    const int64_t last = base_ + static_cast<int64_t>(dense_.size()) - 1;
    const int64_t low = std::min(base_, period), high = std::max(last, period);
    // The window only grows, so a period once beside it never falls inside it later.
    if (high - low >= kMaxDense) {
      auto [it, inserted] = sparse_.try_emplace(period, count_);
      count_ += inserted;
      return it->second;
    }
  }
  // Grown towards the period with as much room again beyond it (an export sorted newest first
  // grows at the front at every period), within the window's span; one way for both ends.
  const int64_t size = static_cast<int64_t>(dense_.size());
  int64_t first = base_, last = base_ + size - 1;
  if (size == 0) {
    first = last = period;
  } else if (period < first) {
    first = period - std::max<int64_t>(0, std::min(size, kMaxDense - 1 - (last - period)));
  } else {
    last = period + std::max<int64_t>(0, std::min(size, kMaxDense - 1 - (period - first)));
  }
  std::vector<uint32_t> grown(static_cast<size_t>(last - first + 1));
  std::copy(dense_.begin(), dense_.end(), grown.begin() + static_cast<ptrdiff_t>(base_ - first));
  dense_.swap(grown);
  base_ = first;
  return id(period);
}

// (Filled by index rather than pushed: the page's wasm is smaller without vector growth code here
// and in the views below.)
std::vector<std::pair<int64_t, uint32_t>> PeriodIndex::in_order() const {
  std::vector<std::pair<int64_t, uint32_t>> ordered(count_);
  size_t k = 0;
  auto it = sparse_.begin();
  for (; it != sparse_.end() && it->first < base_; ++it) ordered[k++] = *it;
  for (size_t i = 0; i < dense_.size(); ++i) {
    if (dense_[i] != 0) ordered[k++] = {base_ + static_cast<int64_t>(i), dense_[i] - 1};
  }
  for (; it != sparse_.end(); ++it) ordered[k++] = *it;
  return ordered;
}

KPILENS_ROW_PATH_INLINE uint32_t TicketAggregate::SegmentColumn::find(std::string_view value,
                                                                      const SegmentKey& key) const {
  if (slots.empty()) return kNoId;
  const size_t mask = slots.size() - 1;
  for (size_t i = key.hash() & mask;; i = (i + 1) & mask) {
    const uint32_t slot = slots[i];
    if (slot == 0) return kNoId;
    if (keys[slot - 1] == key && (key.size <= kKeyBytes || same_middle(values[slot - 1], value))) {
      return slot - 1;
    }
  }
}

KPILENS_RARELY_RUN uint32_t TicketAggregate::SegmentColumn::insert(std::string_view value,
                                                                   const SegmentKey& key,
                                                                   TicketGroup group) {
  // At most half full, so probes stay short; rehashed from the values when it grows.
  if ((values.size() + 1) * 2 > slots.size()) {
    std::vector<uint32_t> larger(std::max<size_t>(16, slots.size() * 2));
    slots.swap(larger);
    const size_t mask = slots.size() - 1;
    for (uint32_t id = 0; id < values.size(); ++id) {
      size_t i = keys[id].hash() & mask;
      while (slots[i] != 0) i = (i + 1) & mask;
      slots[i] = id + 1;
    }
  }
  const size_t mask = slots.size() - 1;
  size_t i = key.hash() & mask;
  while (slots[i] != 0) i = (i + 1) & mask;
  const auto id = static_cast<uint32_t>(values.size());
  slots[i] = id + 1;
  values.emplace_back(value);
  keys.push_back(key);
  groups.push_back(std::move(group));
  if (value == kOtherSegment) other_id = id;
  return id;
}

// The first max_segments distinct values of a column keep their own group; later new values share
// "(other)", which comes on top of them.
KPILENS_RARELY_RUN uint32_t TicketAggregate::group_id(size_t column, std::string_view value) {
  const SegmentKey key = SegmentKey::of(value);
  const uint32_t found = segments_[column].find(value, key);
  return found != SegmentColumn::kNoId ? found : new_group_id(column, value, key);
}

uint32_t TicketAggregate::new_group_id(size_t column, std::string_view value,
                                       const SegmentKey& key) {
  SegmentColumn& c = segments_[column];
  const size_t real_values = c.values.size() - (c.other_id != SegmentColumn::kNoId);
  if (real_values >= max_segments_) {
    ++lumped_segment_rows;
    if (c.other_id != SegmentColumn::kNoId) return c.other_id;
    return c.insert(kOtherSegment, SegmentKey::of(kOtherSegment));
  }
  return c.insert(value, key);
}

TicketAggregate::TicketAggregate(size_t segment_columns, size_t max_segments)
    : max_segments_(max_segments) {
  while (segments_.size() < segment_columns) segments_.emplace_back();
}

KPILENS_ROW_PATH_INLINE TicketGroup& TicketAggregate::period_group_at(int64_t period) {
  const uint32_t id = period_ids_.id(period);
  if (id == period_groups_.size()) period_groups_.emplace_back();
  return period_groups_[id];
}

KPILENS_ROW_PATH_INLINE BacklogFlow& TicketAggregate::flow_at(int64_t period) {
  const uint32_t id = flow_ids_.id(period);
  if (id == flows_.size()) flows_.emplace_back();
  return flows_[id];
}

__attribute__((always_inline)) inline void TicketAggregate::feed_groups(
    const TicketRecord& ticket, std::optional<int64_t> period, std::optional<int64_t> left_period,
    std::span<const std::string_view> segments, const KpiSettings& settings,
    const PreparedDurations* durations) {
  if (settled_total_) [[unlikely]]
    settled_total_->feed(ticket, settings, durations);
  if (period) {
    period_group_at(*period).feed(ticket, settings, durations);
    if (settings.reads.backlog_flows && !ticket.survey_only) ++flow_at(*period).created;
    if (left_period) ++flow_at(*left_period < *period ? *period : *left_period).solved;
  } else {
    no_period_.feed(ticket, settings, durations);
  }
  for (size_t i = 0; i < segments.size() && i < segments_.size(); ++i) {
    const std::string_view value = segments[i].empty() ? kBlankSegment : segments[i];
    const SegmentKey key = SegmentKey::of(value);
    uint32_t id = segments_[i].find(value, key);
    if (id == SegmentColumn::kNoId) [[unlikely]]
      id = new_group_id(i, value, key);
    segments_[i].groups[id].feed(ticket, settings, durations);
  }
}

KPILENS_ROW_PATH_INLINE void TicketAggregate::feed(const TicketRecord& ticket,
                                                   std::optional<int64_t> period,
                                                   std::optional<int64_t> left_period,
                                                   std::span<const std::string_view> segments,
                                                   const KpiSettings& settings) {
  if (segments.empty() || segments_.empty()) {
    feed_groups(ticket, period, left_period, {}, settings, nullptr);
  } else {
    // With breakdowns, each duration is worked out once for all the groups it feeds.
    const PreparedDurations durations(ticket);
    feed_groups(ticket, period, left_period, segments, settings, &durations);
  }
}

KPILENS_RARELY_RUN void TicketAggregate::settle_total() {
  if (!settled_total_) settled_total_ = merged_total();
}

KPILENS_RARELY_RUN void TicketAggregate::merge(const TicketAggregate& other) {
  settle_total();
  if (other.settled_total_) {
    settled_total_->merge(*other.settled_total_);
  } else {
    settled_total_->merge(other.merged_total());
  }
  no_period_.merge(other.no_period_);
  for (const auto& [period, id] : other.period_ids_.in_order()) {
    period_group_at(period).merge(other.period_groups_[id]);
  }
  while (segments_.size() < other.segments_.size()) segments_.emplace_back();
  // Re-keyed by value, in the values' byte order (as the report lists them), so "(other)" takes
  // the same values whichever side held them.
  for (size_t i = 0; i < other.segments_.size(); ++i) {
    for (const SegmentGroup& s : other.segments_in_order(i)) {
      segments_[i].groups[group_id(i, s.value)].merge(*s.group);
    }
  }
  for (const auto& [period, id] : other.flow_ids_.in_order()) {
    BacklogFlow& mine = flow_at(period);
    mine.created += other.flows_[id].created;
    mine.solved += other.flows_[id].solved;
  }
  lumped_segment_rows += other.lumped_segment_rows;
}

KPILENS_RARELY_RUN TicketGroup TicketAggregate::merged_total() const {
  TicketGroup all = no_period_;
  uint64_t first_responses = all.first_response.values().count();
  uint64_t resolutions = all.resolution.values().count();
  // Room for no values when any group keeps none (a mean only: TicketReads), as the total won't.
  bool first_responses_kept = !all.first_response.values().mean_only();
  bool resolutions_kept = !all.resolution.values().mean_only();
  for (const TicketGroup& group : period_groups_) {
    first_responses += group.first_response.values().count();
    resolutions += group.resolution.values().count();
    first_responses_kept = first_responses_kept && !group.first_response.values().mean_only();
    resolutions_kept = resolutions_kept && !group.resolution.values().mean_only();
  }
  if (first_responses_kept) all.first_response.expect_merges(first_responses);
  if (resolutions_kept) all.resolution.expect_merges(resolutions);
  for (const TicketGroup& group : period_groups_) all.merge(group);
  return all;
}

KPILENS_RARELY_RUN TicketGroup TicketAggregate::current_total() const {
  return settled_total_ ? *settled_total_ : merged_total();
}

KPILENS_RARELY_RUN void TicketAggregate::add_segment_column() {
  segments_.emplace_back();
  TicketGroup all = current_total();
  if (all.tickets > 0) {
    SegmentColumn& c = segments_.back();
    c.insert(kBlankSegment, SegmentKey::of(kBlankSegment), std::move(all));
  }
}

void TicketAggregate::finish() {
  total_ = current_total();
  total_.finish();
  for (TicketGroup& group : period_groups_) group.finish();
  for (SegmentColumn& column : segments_) {
    for (TicketGroup& group : column.groups) group.finish();
  }
}

std::vector<int64_t> TicketAggregate::periods() const {
  const auto ordered = period_ids_.in_order();
  std::vector<int64_t> keys(ordered.size());
  for (size_t k = 0; k < ordered.size(); ++k) keys[k] = ordered[k].first;
  return keys;
}

const TicketGroup* TicketAggregate::period_group(int64_t period) const {
  const uint32_t id = period_ids_.find(period);
  return id == PeriodIndex::kNone ? nullptr : &period_groups_[id];
}

std::vector<std::pair<int64_t, BacklogFlow>> TicketAggregate::flows_in_order() const {
  const auto ordered = flow_ids_.in_order();
  std::vector<std::pair<int64_t, BacklogFlow>> flows(ordered.size());
  for (size_t k = 0; k < ordered.size(); ++k)
    flows[k] = {ordered[k].first, flows_[ordered[k].second]};
  return flows;
}

std::vector<TicketAggregate::SegmentGroup> TicketAggregate::segments_in_order(size_t column) const {
  const SegmentColumn& c = segments_[column];
  std::vector<SegmentGroup> ordered(c.values.size());
  for (uint32_t id = 0; id < c.values.size(); ++id) ordered[id] = {c.values[id], &c.groups[id]};
  // A bottom-up merge sort: std::sort would add ~5 KB to the page's wasm for this one call.
  // string_view's < compares bytes as unsigned char: the order an ordered map of strings had.
  auto by_value = [](const SegmentGroup& a, const SegmentGroup& b) { return a.value < b.value; };
  std::vector<SegmentGroup> merged(ordered.size());
  for (size_t width = 1; width < ordered.size(); width *= 2) {
    for (size_t low = 0; low < ordered.size(); low += 2 * width) {
      const size_t middle = std::min(low + width, ordered.size());
      const size_t high = std::min(low + 2 * width, ordered.size());
      std::merge(ordered.begin() + low, ordered.begin() + middle, ordered.begin() + middle,
                 ordered.begin() + high, merged.begin() + low, by_value);
    }
    ordered.swap(merged);
  }
  return ordered;
}

bool TicketAggregate::has_segment_value(size_t column, std::string_view value) const {
  return segments_[column].find(value, SegmentKey::of(value)) != SegmentColumn::kNoId;
}

}  // namespace kpilens
