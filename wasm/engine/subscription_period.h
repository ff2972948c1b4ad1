// subscription_period: one subscription, invoice or MRR row → the days it is active and its monthly
// amount in micro-units (a millionth of the currency unit), by the rules of docs/kpis.md "From a
// row to a customer's state". Pure functions: no state survives a row here.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "customer_settings.h"

namespace kpilens {

inline constexpr int64_t kMicrosPerUnit = 1000000;

// A billing interval: `count` months (a year is 12, a quarter 3), weeks or days.
struct BillingInterval {
  enum class Unit : uint8_t { kMonth, kWeek, kDay };
  Unit unit = Unit::kMonth;
  int64_t count = 1;
};

// "month", "Yearly", "every 3 months", "biweekly"… nullopt when the cell names no interval. A blank
// cell is the caller's (a month).
std::optional<BillingInterval> parse_interval(std::string_view cell);

// A money cell's number in micro-units: units × 10⁶ or cents × 10⁴, rounded to the nearest.
// nullopt beyond ±9 × 10¹⁵ micro-units (too large to stay exact).
std::optional<int64_t> to_micros(double amount, ValueScale scale);

// amount × quantity per interval → per month, rounded half away from zero to a micro-unit
// (month: ÷ n months; week: × 52 ÷ (12 × n); day: × 365 ÷ (12 × n)). nullopt on overflow.
std::optional<int64_t> monthly_micros(int64_t amount_micros, int64_t quantity,
                                      BillingInterval interval);

// The day `months` calendar months after `day`, clamped to the month's last day.
int64_t add_months(int64_t day, int64_t months);
// The day one term (interval) after `day`.
int64_t add_interval(int64_t day, BillingInterval interval);

struct SubscriptionDates {
  int64_t start = 0;  // days since the epoch on the utc_offset clock
  std::optional<int64_t> trial_end;
  std::optional<int64_t> canceled_at;
  std::optional<int64_t> current_period_end;
  std::optional<int64_t> ended_at;
  std::optional<bool> cancel_at_period_end;
  std::string_view status;  // trimmed cell, any case
};

enum class SpanOutcome : uint8_t {
  kActive,       // active from `start` (to `end`, when it has one)
  kTrialing,     // a trial with no end date: never active
  kIncomplete,   // incomplete / incomplete_expired: never paid
  kNoEndDate,    // cancelled, with no date to end it: the row is rejected
  kNeverActive,  // ends on or before it starts
};

struct ActiveSpan {
  SpanOutcome outcome = SpanOutcome::kActive;
  int64_t start = 0;
  std::optional<int64_t> end;  // exclusive
};

ActiveSpan subscription_span(const SubscriptionDates& dates, ChurnRecognition recognition,
                             bool count_trials);

// An invoice's service period → its active span and monthly amount. nullopt `monthly` for an empty
// period (a one-off charge). `end` is exclusive: an inclusive end (the day after is a whole number
// of months from the start) is moved on by a day.
struct InvoicePeriod {
  std::optional<int64_t> monthly;
  int64_t start = 0;
  int64_t end = 0;
  bool overflow = false;
};
InvoicePeriod invoice_period(int64_t amount_micros, int64_t start_day, int64_t end_day);

// Statuses of an invoice that bill nothing: draft, void, voided, uncollectible, deleted.
bool is_void_invoice_status(std::string_view status);

}  // namespace kpilens
