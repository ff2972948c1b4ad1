// subscription_period: intervals, the monthly normalisation in micro-units, invoice periods and the
// active span of a subscription under both churn recognitions (docs/kpis.md "From a row to a
// customer's state").
#include <catch2/catch.hpp>

#include "subscription_period.h"
#include "timestamp.h"

using namespace kpilens;

namespace {

using U = BillingInterval::Unit;

int64_t day(int y, unsigned m, unsigned d) {
  return days_from_civil(y, m, d);
}

bool same(std::optional<BillingInterval> got, U unit, int64_t count) {
  return got && got->unit == unit && got->count == count;
}

}  // namespace

TEST_CASE("Interval cells are read in their usual spellings", "[subscription_period]") {
  CHECK(same(parse_interval("month"), U::kMonth, 1));
  CHECK(same(parse_interval("Monthly"), U::kMonth, 1));
  CHECK(same(parse_interval("year"), U::kMonth, 12));
  CHECK(same(parse_interval("Annual"), U::kMonth, 12));
  CHECK(same(parse_interval("quarterly"), U::kMonth, 3));
  CHECK(same(parse_interval("every 3 months"), U::kMonth, 3));
  CHECK(same(parse_interval("6 month"), U::kMonth, 6));
  CHECK(same(parse_interval("semi-annual"), U::kMonth, 6));
  CHECK(same(parse_interval("week"), U::kWeek, 1));
  CHECK(same(parse_interval("every 2 weeks"), U::kWeek, 2));
  CHECK(same(parse_interval("biweekly"), U::kWeek, 2));
  CHECK(same(parse_interval("day"), U::kDay, 1));
  CHECK(same(parse_interval("2 years"), U::kMonth, 24));
  CHECK_FALSE(parse_interval("sometimes"));
  CHECK_FALSE(parse_interval("0 months"));
}

TEST_CASE("An annual plan counts as its price divided by 12", "[subscription_period]") {
  // 1200 a year = 100 a month; 100 a year = 8.333333 (8333333.33… micro-units, rounded down).
  CHECK(monthly_micros(1200000000, 1, {U::kMonth, 12}) == 100000000);
  CHECK(monthly_micros(100000000, 1, {U::kMonth, 12}) == 8333333);
  // 50 a year: 4166666.67 rounds up.
  CHECK(monthly_micros(50000000, 1, {U::kMonth, 12}) == 4166667);
}

TEST_CASE("Quantity multiplies, quarters divide by 3, weeks and days use 52 and 365 over 12",
          "[subscription_period]") {
  CHECK(monthly_micros(10000000, 3, {U::kMonth, 1}) == 30000000);
  CHECK(monthly_micros(90000000, 1, {U::kMonth, 3}) == 30000000);
  // 10 a week: 10 × 52 ÷ 12 = 43.333333.
  CHECK(monthly_micros(10000000, 1, {U::kWeek, 1}) == 43333333);
  // 1 a day: 365 ÷ 12 = 30.416667 (30416666.67 rounds up).
  CHECK(monthly_micros(1000000, 1, {U::kDay, 1}) == 30416667);
  // Every 2 weeks: 20 × 52 ÷ 24 = 43.333333.
  CHECK(monthly_micros(20000000, 1, {U::kWeek, 2}) == 43333333);
  CHECK(monthly_micros(10000000, 0, {U::kMonth, 1}) == 0);
}

TEST_CASE("Rounding to a micro-unit is half away from zero", "[subscription_period]") {
  // 0.000003 a quarter = 1.5 micro-units a month → 2.
  CHECK(monthly_micros(3, 1, {U::kMonth, 2}) == 2);
  CHECK(monthly_micros(5, 1, {U::kMonth, 2}) == 3);
}

TEST_CASE("Amounts become micro-units from units or cents", "[subscription_period]") {
  CHECK(to_micros(29.99, ValueScale::kUnits) == 29990000);
  CHECK(to_micros(2999, ValueScale::kCents) == 29990000);
  CHECK(to_micros(0.1 + 0.2, ValueScale::kUnits) == 300000);
  CHECK_FALSE(to_micros(1e10, ValueScale::kUnits));
}

TEST_CASE("An amount too large to add up exactly is refused", "[subscription_period]") {
  CHECK_FALSE(monthly_micros(int64_t{9} * 1000000000000000, 1000, {U::kDay, 1}));
}

TEST_CASE("Adding months clamps to the month's last day", "[subscription_period]") {
  CHECK(add_months(day(2024, 1, 31), 1) == day(2024, 2, 29));
  CHECK(add_months(day(2023, 1, 31), 1) == day(2023, 2, 28));
  CHECK(add_months(day(2024, 11, 15), 3) == day(2025, 2, 15));
  CHECK(add_months(day(2024, 3, 10), -3) == day(2023, 12, 10));
}

TEST_CASE("A trial is not active until it ends", "[subscription_period]") {
  SubscriptionDates d;
  d.start = day(2024, 1, 1);
  d.trial_end = day(2024, 1, 15);
  ActiveSpan s = subscription_span(d, ChurnRecognition::kPeriodEnd, false);
  CHECK(s.outcome == SpanOutcome::kActive);
  CHECK(s.start == day(2024, 1, 15));
  CHECK(subscription_span(d, ChurnRecognition::kPeriodEnd, true).start == day(2024, 1, 1));
  SubscriptionDates trialing;
  trialing.start = day(2024, 1, 1);
  trialing.status = "trialing";
  CHECK(subscription_span(trialing, ChurnRecognition::kPeriodEnd, false).outcome ==
        SpanOutcome::kTrialing);
}

TEST_CASE("Incomplete subscriptions are never active", "[subscription_period]") {
  SubscriptionDates d;
  d.start = day(2024, 1, 1);
  d.status = "Incomplete_Expired";
  CHECK(subscription_span(d, ChurnRecognition::kPeriodEnd, false).outcome ==
        SpanOutcome::kIncomplete);
}

TEST_CASE("A cancellation at period end ends at the current period's end or at cancellation",
          "[subscription_period]") {
  SubscriptionDates d;
  d.start = day(2024, 1, 10);
  d.canceled_at = day(2024, 2, 20);
  d.cancel_at_period_end = true;
  d.current_period_end = day(2024, 3, 10);
  CHECK(subscription_span(d, ChurnRecognition::kPeriodEnd, false).end == day(2024, 3, 10));
  CHECK(subscription_span(d, ChurnRecognition::kCancellation, false).end == day(2024, 2, 20));
}

TEST_CASE("ended_at wins under period_end; the earlier of it and canceled_at under cancellation",
          "[subscription_period]") {
  SubscriptionDates d;
  d.start = day(2024, 1, 1);
  d.canceled_at = day(2024, 2, 1);
  d.ended_at = day(2024, 2, 25);
  CHECK(subscription_span(d, ChurnRecognition::kPeriodEnd, false).end == day(2024, 2, 25));
  CHECK(subscription_span(d, ChurnRecognition::kCancellation, false).end == day(2024, 2, 1));
}

TEST_CASE("A cancelled status with no date at all cannot be placed", "[subscription_period]") {
  SubscriptionDates d;
  d.start = day(2024, 1, 1);
  d.status = "canceled";
  CHECK(subscription_span(d, ChurnRecognition::kPeriodEnd, false).outcome ==
        SpanOutcome::kNoEndDate);
  d.current_period_end = day(2024, 2, 1);
  CHECK(subscription_span(d, ChurnRecognition::kPeriodEnd, false).end == day(2024, 2, 1));
}

TEST_CASE("A subscription that ends before its trial ends is never active",
          "[subscription_period]") {
  SubscriptionDates d;
  d.start = day(2024, 1, 1);
  d.trial_end = day(2024, 1, 15);
  d.ended_at = day(2024, 1, 10);
  CHECK(subscription_span(d, ChurnRecognition::kPeriodEnd, false).outcome ==
        SpanOutcome::kNeverActive);
}

TEST_CASE("An invoice of whole months divides by the months, exclusive or inclusive end",
          "[subscription_period]") {
  InvoicePeriod month = invoice_period(30000000, day(2024, 1, 1), day(2024, 2, 1));
  CHECK(month.monthly == 30000000);
  CHECK(month.end == day(2024, 2, 1));
  InvoicePeriod year = invoice_period(1200000000, day(2024, 1, 15), day(2025, 1, 15));
  CHECK(year.monthly == 100000000);
  // 10 Jan … 9 Feb inclusive: the day after is a month on; the end moves to 10 Feb.
  InvoicePeriod inclusive = invoice_period(60000000, day(2024, 1, 10), day(2024, 2, 9));
  CHECK(inclusive.monthly == 60000000);
  CHECK(inclusive.end == day(2024, 2, 10));
  // 31 Jan … 29 Feb (clamped): one month.
  CHECK(invoice_period(10000000, day(2024, 1, 31), day(2024, 2, 29)).monthly == 10000000);
}

TEST_CASE("Any other invoice period is a daily rate over an average month",
          "[subscription_period]") {
  // 140 over 14 days: 140 × 365 ÷ (12 × 14) = 304.1666… → 304166667 micro-units.
  CHECK(invoice_period(140000000, day(2024, 2, 20), day(2024, 3, 5)).monthly == 304166667);
  CHECK_FALSE(invoice_period(45000000, day(2024, 2, 1), day(2024, 2, 1)).monthly);
  CHECK(is_void_invoice_status(" Void "));
  CHECK(is_void_invoice_status("draft"));
  CHECK_FALSE(is_void_invoice_status("paid"));
}
