// customer_activity: see customer_activity.h. Every merge adds counts or takes minima, so files,
// rows and requesters may come in any order.
#include "customer_activity.h"

#include <algorithm>
#include <limits>

#include "field_parse.h"

namespace kpilens {

void DayCounts::add(int32_t day, uint32_t count) {
  if (days_.empty() || days_.back().first < day) {
    days_.emplace_back(day, count);
    return;
  }
  auto at = std::lower_bound(days_.begin(), days_.end(), day,
                             [](const auto& entry, int32_t d) { return entry.first < d; });
  if (at != days_.end() && at->first == day) {
    at->second += count;
  } else {
    days_.insert(at, {day, count});
  }
}

void DayCounts::drop_before(int32_t first_kept) {
  auto at = std::lower_bound(days_.begin(), days_.end(), first_kept,
                             [](const auto& entry, int32_t d) { return entry.first < d; });
  days_.erase(days_.begin(), at);
}

uint64_t DayCounts::count_in(int64_t first, int64_t last) const {
  uint64_t n = 0;
  for (const auto& [day, count] : days_) {
    if (day >= first && day <= last) n += count;
  }
  return n;
}

std::optional<int32_t> DayCounts::latest() const {
  if (days_.empty()) return std::nullopt;
  return days_.back().first;
}

void DayCounts::merge(const DayCounts& other) {
  for (const auto& [day, count] : other.days_) add(day, count);
}

void OrderTotals::add(int32_t day, int64_t amount_micros) {
  ++orders;
  micros += amount_micros;
  if (first_day == kNoActivityDay || day < first_day) first_day = day;
  if (last_day == kNoActivityDay || day > last_day) last_day = day;
}

void OrderTotals::merge(const OrderTotals& other) {
  if (other.orders == 0) return;
  orders += other.orders;
  micros += other.micros;
  if (first_day == kNoActivityDay || other.first_day < first_day) first_day = other.first_day;
  if (last_day == kNoActivityDay || other.last_day > last_day) last_day = other.last_day;
}

void EventState::merge(const EventState& other, int64_t window_days) {
  auto earliest = [](int32_t a, int32_t b) {
    return a == kNoActivityDay ? b : b == kNoActivityDay ? a : std::min(a, b);
  };
  first_day = earliest(first_day, other.first_day);
  value_day = earliest(value_day, other.value_day);
  steps |= other.steps;
  recent.merge(other.recent);
  if (auto latest = recent.latest(); latest && window_days > 0) {
    recent.drop_before(static_cast<int32_t>(*latest - window_days + 1));
  }
}

void RequesterState::merge(const RequesterState& o) {
  tickets += o.tickets;
  answers += o.answers;
  solved_with_reopens += o.solved_with_reopens;
  reopened += o.reopened;
  csat_responses += o.csat_responses;
  csat_satisfied += o.csat_satisfied;
  nps_answers += o.nps_answers;
  nps_sum += o.nps_sum;
  ticket_days.merge(o.ticket_days);
}

void EmailIndex::add(std::string_view email, uint32_t customer,
                     const std::vector<std::string_view>& ids) {
  std::string key = lower_ascii(email);
  if (key.empty()) return;
  auto [it, inserted] = entries_.try_emplace(std::move(key), Entry{customer, false});
  if (inserted || it->second.customer == customer) return;
  it->second.ambiguous = true;
  if (ids[customer] < ids[it->second.customer]) it->second.customer = customer;
}

std::optional<uint32_t> EmailIndex::find(std::string_view lower_email) const {
  auto it = entries_.find(std::string(lower_email));
  if (it == entries_.end()) return std::nullopt;
  return it->second.customer;
}

uint64_t EmailIndex::ambiguous() const {
  uint64_t n = 0;
  for (const auto& [email, entry] : entries_) n += entry.ambiguous;
  return n;
}

std::string lower_ascii(std::string_view text) {
  std::string out(trim(text));
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace kpilens
