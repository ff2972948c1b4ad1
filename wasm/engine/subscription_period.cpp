// subscription_period: integer arithmetic throughout, so the same row gives the same micro-units on
// every platform (no floating point past the one rounding of the cell).
#include "subscription_period.h"

#include <cmath>
#include <string>

#include "field_parse.h"
#include "timestamp.h"

namespace kpilens {

namespace {

std::string lower(std::string_view text) {
  std::string out(trim(text));
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// p ÷ d for p ≥ 0, d > 0, rounded half up (= half away from zero).
int64_t divide_rounded(int64_t p, int64_t d) {
  int64_t q = p / d;
  int64_t r = p % d;
  if (r >= d - r) ++q;
  return q;
}

bool any_of_words(std::string_view word, std::initializer_list<std::string_view> words) {
  for (std::string_view w : words) {
    if (word == w) return true;
  }
  return false;
}

}  // namespace

std::optional<BillingInterval> parse_interval(std::string_view cell) {
  std::string text = lower(cell);
  for (char& c : text) {
    if (c == '-' || c == '_') c = ' ';
  }
  std::string_view s = text;
  if (s.rfind("every ", 0) == 0) s.remove_prefix(6);
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  int64_t count = 1;
  size_t digits = 0;
  while (digits < s.size() && s[digits] >= '0' && s[digits] <= '9') ++digits;
  if (digits > 0) {
    if (digits > 4) return std::nullopt;
    count = 0;
    for (size_t i = 0; i < digits; ++i) count = count * 10 + (s[i] - '0');
    if (count < 1) return std::nullopt;
    s.remove_prefix(digits);
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  }
  using U = BillingInterval::Unit;
  auto make = [&](U unit, int64_t n) { return BillingInterval{unit, n * count}; };
  if (any_of_words(s, {"month", "months", "monthly", "mo", "mos", "m"})) return make(U::kMonth, 1);
  if (any_of_words(s, {"year", "years", "yearly", "annual", "annually", "yr", "yrs", "y"})) {
    return make(U::kMonth, 12);
  }
  if (any_of_words(s, {"quarter", "quarters", "quarterly"})) return make(U::kMonth, 3);
  if (any_of_words(s, {"week", "weeks", "weekly", "wk", "wks", "w"})) return make(U::kWeek, 1);
  if (any_of_words(s, {"day", "days", "daily", "d"})) return make(U::kDay, 1);
  if (any_of_words(s, {"semiannual", "semi annual", "semiannually", "semi annually", "half yearly",
                       "biannual", "biannually"})) {
    return make(U::kMonth, 6);
  }
  if (any_of_words(s, {"biweekly", "bi weekly", "fortnightly", "fortnight"})) {
    return make(U::kWeek, 2);
  }
  if (any_of_words(s, {"biennial", "biennially"})) return make(U::kMonth, 24);
  return std::nullopt;
}

std::optional<int64_t> to_micros(double amount, ValueScale scale) {
  const double factor = scale == ValueScale::kCents ? 1e4 : 1e6;
  double scaled = amount * factor;
  if (!(std::fabs(scaled) < 9e15)) return std::nullopt;
  return static_cast<int64_t>(std::llround(scaled));
}

std::optional<int64_t> monthly_micros(int64_t amount_micros, int64_t quantity,
                                      BillingInterval interval) {
  if (amount_micros < 0 || quantity < 0 || interval.count < 1) return std::nullopt;
  int64_t numerator = 1, denominator = interval.count;
  if (interval.unit == BillingInterval::Unit::kWeek) {
    numerator = 52;
    denominator = 12 * interval.count;
  } else if (interval.unit == BillingInterval::Unit::kDay) {
    numerator = 365;
    denominator = 12 * interval.count;
  }
  int64_t product = 0;
  if (__builtin_mul_overflow(amount_micros, quantity, &product) ||
      __builtin_mul_overflow(product, numerator, &product)) {
    return std::nullopt;
  }
  return divide_rounded(product, denominator);
}

int64_t add_months(int64_t day, int64_t months) {
  CivilDate d = civil_from_days(day);
  int64_t index = d.year * 12 + static_cast<int64_t>(d.month) - 1 + months;
  int64_t year = index >= 0 ? index / 12 : -((-index + 11) / 12);
  auto month = static_cast<unsigned>(index - year * 12 + 1);
  unsigned last = days_in_month(year, month);
  return days_from_civil(year, month, d.day < last ? d.day : last);
}

int64_t add_interval(int64_t day, BillingInterval interval) {
  switch (interval.unit) {
    case BillingInterval::Unit::kMonth:
      return add_months(day, interval.count);
    case BillingInterval::Unit::kWeek:
      return day + 7 * interval.count;
    case BillingInterval::Unit::kDay:
      return day + interval.count;
  }
  return day + interval.count;
}

ActiveSpan subscription_span(const SubscriptionDates& dates, ChurnRecognition recognition,
                             bool count_trials) {
  ActiveSpan span;
  const std::string status = lower(dates.status);
  if (status == "incomplete" || status == "incomplete_expired" || status == "incomplete expired") {
    span.outcome = SpanOutcome::kIncomplete;
    return span;
  }
  span.start = dates.start;
  if (!count_trials) {
    if (dates.trial_end && *dates.trial_end > dates.start) {
      span.start = *dates.trial_end;
    } else if (!dates.trial_end && (status == "trialing" || status == "trialling")) {
      span.outcome = SpanOutcome::kTrialing;
      return span;
    }
  }
  const bool cancelled_status =
      status == "canceled" || status == "cancelled" || status == "ended" || status == "expired";
  // The end when churn is recognised at the end of the paid period.
  std::optional<int64_t> end;
  if (dates.ended_at) {
    end = dates.ended_at;
  } else if (dates.canceled_at) {
    end = dates.current_period_end && *dates.current_period_end >= *dates.canceled_at
              ? dates.current_period_end
              : dates.canceled_at;
  } else if (dates.cancel_at_period_end.value_or(false) && dates.current_period_end) {
    end = dates.current_period_end;
  } else if (cancelled_status) {
    if (!dates.current_period_end) {
      span.outcome = SpanOutcome::kNoEndDate;
      return span;
    }
    end = dates.current_period_end;
  }
  if (recognition == ChurnRecognition::kCancellation && dates.canceled_at) {
    end =
        dates.ended_at && *dates.ended_at < *dates.canceled_at ? dates.ended_at : dates.canceled_at;
  }
  span.end = end;
  if (end && *end <= span.start) span.outcome = SpanOutcome::kNeverActive;
  return span;
}

InvoicePeriod invoice_period(int64_t amount_micros, int64_t start_day, int64_t end_day) {
  InvoicePeriod period;
  period.start = start_day;
  period.end = end_day;
  if (end_day <= start_day) return period;  // a one-off charge
  // Whole calendar months from the start: to the end (exclusive end) or to the day after it.
  auto whole_months = [&](int64_t end) -> int64_t {
    CivilDate a = civil_from_days(start_day);
    CivilDate b = civil_from_days(end);
    int64_t n = (b.year - a.year) * 12 + (static_cast<int64_t>(b.month) - a.month);
    return n >= 1 && add_months(start_day, n) == end ? n : 0;
  };
  int64_t months = whole_months(end_day);
  if (months == 0) {
    months = whole_months(end_day + 1);
    if (months > 0) period.end = end_day + 1;
  }
  if (months > 0) {
    period.monthly = divide_rounded(amount_micros, months);
    return period;
  }
  // amount × 365 ÷ (12 × days): a daily rate over an average month.
  int64_t product = 0;
  if (__builtin_mul_overflow(amount_micros, int64_t{365}, &product)) {
    period.overflow = true;
    return period;
  }
  period.monthly = divide_rounded(product, 12 * (end_day - start_day));
  return period;
}

bool is_void_invoice_status(std::string_view status) {
  const std::string s = lower(status);
  return s == "draft" || s == "void" || s == "voided" || s == "uncollectible" || s == "deleted";
}

}  // namespace kpilens
