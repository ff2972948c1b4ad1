// customer_activity: what a customer did besides paying, kept per customer and mergeable in any
// order (docs/kpis.md "Customer success", "Tickets and survey answers of a customer"): its orders
// (count, first and last day, exact total), its events (first value day, funnel steps, the days of
// its recent events) and its tickets and survey answers, summed per requester cell until the end,
// when each requester finds its customer by id or by email.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace kpilens {

inline constexpr int32_t kNoActivityDay = std::numeric_limits<int32_t>::min();

// Counts per day, distinct days in increasing order. Small per customer: days arrive mostly in
// order, so an insert is usually an append.
class DayCounts {
 public:
  void add(int32_t day, uint32_t count = 1);
  // Drops the days before `first_kept`.
  void drop_before(int32_t first_kept);
  // Σ counts of the days in [first, last].
  uint64_t count_in(int64_t first, int64_t last) const;
  std::optional<int32_t> latest() const;
  void merge(const DayCounts& other);
  size_t size() const { return days_.size(); }

 private:
  std::vector<std::pair<int32_t, uint32_t>> days_;
};

struct OrderTotals {
  uint32_t orders = 0;
  int32_t first_day = kNoActivityDay;
  int32_t last_day = kNoActivityDay;
  int64_t micros = 0;  // exact total of the amounts
  void add(int32_t day, int64_t amount_micros);
  void merge(const OrderTotals& other);
};

struct EventState {
  int32_t first_day = kNoActivityDay;
  int32_t value_day = kNoActivityDay;  // first day of customers.value_event
  uint32_t steps = 0;                  // bit k: an event of funnel step k
  DayCounts recent;  // the days of its events within the usage window up to its latest event
  void merge(const EventState& other, int64_t window_days);
};

// A requester's tickets and answers (docs/kpis.md "Components": tickets, csat, nps, reopen_rate).
struct RequesterState {
  uint32_t tickets = 0;
  uint32_t answers = 0;
  uint32_t solved_with_reopens = 0;
  uint32_t reopened = 0;
  uint32_t csat_responses = 0;
  uint32_t csat_satisfied = 0;
  uint32_t nps_answers = 0;
  int64_t nps_sum = 0;  // whole answers 0–10
  DayCounts ticket_days;
  void merge(const RequesterState& other);
};

// Requester cells → their state, looked up by a view of the cell (no copy per row).
struct RequesterKeyHash {
  using is_transparent = void;
  size_t operator()(std::string_view key) const noexcept {
    return std::hash<std::string_view>{}(key);
  }
};
using RequesterMap =
    std::unordered_map<std::string, RequesterState, RequesterKeyHash, std::equal_to<>>;

// How requesters found customers.
struct RequesterJoin {
  uint64_t requesters = 0;
  uint64_t by_id = 0;
  uint64_t by_email = 0;
  uint64_t unmatched = 0;
  uint64_t ambiguous_emails = 0;
  uint64_t tickets = 0;
  uint64_t answers = 0;
};

// Email address (ASCII lower case) → the customer whose id sorts first among those with it.
class EmailIndex {
 public:
  // `ids[c]` is customer c's id, for the tie rule.
  void add(std::string_view email, uint32_t customer, const std::vector<std::string_view>& ids);
  std::optional<uint32_t> find(std::string_view lower_email) const;
  uint64_t ambiguous() const;

 private:
  struct Entry {
    uint32_t customer = 0;
    bool ambiguous = false;
  };
  std::unordered_map<std::string, Entry> entries_;
};

// ASCII lower case of a trimmed cell.
std::string lower_ascii(std::string_view text);

}  // namespace kpilens
