// ticket_aggregate tests: the integer-keyed group tables — periods in a dense window grown at
// either end with stray periods beside it, segment values interned to ids and listed in byte order,
// the "(other)" cap, backlog flows, merge re-keying by value — and the total, built from the
// period groups and the rows without a period. Counts are worked out in comments.
#include "ticket_aggregate.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "report_reader.h"
#include "state_codec.h"
#include "ticket_dataset.h"

namespace kpilens {
namespace {

struct Fed {
  std::optional<int64_t> period;
  std::vector<std::string_view> segments;
  std::optional<int64_t> left_period = std::nullopt;
};

void feed_all(TicketAggregate& aggregate, const std::vector<Fed>& tickets) {
  const KpiSettings settings;
  for (const Fed& f : tickets) {
    TicketRecord t;
    t.solved = f.left_period.has_value();
    aggregate.feed(t, f.period, f.left_period, f.segments, settings);
  }
}

std::vector<uint64_t> period_tickets(const TicketAggregate& aggregate) {
  std::vector<uint64_t> tickets;
  for (int64_t p : aggregate.periods()) tickets.push_back(aggregate.period_group(p)->tickets);
  return tickets;
}

std::vector<std::string> values_of(const TicketAggregate& aggregate, size_t column) {
  std::vector<std::string> values;
  for (const auto& s : aggregate.segments_in_order(column)) values.emplace_back(s.value);
  return values;
}

std::vector<uint64_t> tickets_of(const TicketAggregate& aggregate, size_t column) {
  std::vector<uint64_t> tickets;
  for (const auto& s : aggregate.segments_in_order(column)) tickets.push_back(s.group->tickets);
  return tickets;
}

TEST_CASE("Periods fed newest first, with gaps, come out in increasing order", "[aggregate]") {
  // Fed 10, 8, 8, 5, 12: periods 5, 8, 10, 12 hold 1, 2, 1, 1 tickets; 6, 7, 9, 11 are gaps.
  TicketAggregate a(0, 100);
  feed_all(a, {{10, {}}, {8, {}}, {8, {}}, {5, {}}, {12, {}}});
  CHECK(a.periods() == std::vector<int64_t>{5, 8, 10, 12});
  CHECK(period_tickets(a) == std::vector<uint64_t>{1, 2, 1, 1});
  CHECK(a.period_group(6) == nullptr);
  CHECK(a.period_group(11) == nullptr);
  CHECK(a.period_group(4) == nullptr);
  a.finish();
  CHECK(a.total().tickets == 5);
}

TEST_CASE("A stray period far from the rest is kept beside the dense window, in order",
          "[aggregate]") {
  // 2024 ISO weeks are around 2800; a year-1 date gives a week near -102,000. Both ends of the
  // window stay small; the strays are listed before and after it.
  constexpr int64_t kFar = PeriodIndex::kMaxDense * 30;
  TicketAggregate a(0, 100);
  feed_all(a, {{2800, {}}, {2801, {}}, {-kFar, {}}, {2799, {}}, {kFar, {}}, {-kFar, {}}});
  CHECK(a.periods() == std::vector<int64_t>{-kFar, 2799, 2800, 2801, kFar});
  CHECK(period_tickets(a) == std::vector<uint64_t>{2, 1, 1, 1, 1});
}

TEST_CASE("Periods beside the window keep their counts as the window grows toward them",
          "[aggregate]") {
  // Fed 0, 6000, 3000, 4500, 2100, 6000, 4500. The window starts at 0 and may span 4,096
  // periods: 6000 and 4500 are too far from 0 and stay beside it; 3000 and 2100 are inside.
  // Counts: 0 → 1, 2100 → 1, 3000 → 1, 4500 → 2, 6000 → 2.
  TicketAggregate a(0, 100);
  feed_all(a, {{0, {}}, {6000, {}}, {3000, {}}, {4500, {}}, {2100, {}}, {6000, {}}, {4500, {}}});
  CHECK(a.periods() == std::vector<int64_t>{0, 2100, 3000, 4500, 6000});
  CHECK(period_tickets(a) == std::vector<uint64_t>{1, 1, 1, 2, 2});
}

TEST_CASE("Thousands of periods fed newest first, then at the window's far edge, stay in order",
          "[aggregate]") {
  // 3000 … 1 fed newest first (the window grows at the front, with room to spare), then 0, 4095
  // and 4096, around the 4,096 periods a window may span (in it or beside it, each is listed once,
  // in order). Every period holds 1 ticket.
  TicketAggregate a(0, 100);
  std::vector<Fed> tickets;
  for (int64_t p = 3000; p >= 1; --p) tickets.push_back({p, {}});
  for (int64_t p : {0, 4095, 4096}) tickets.push_back({p, {}});
  feed_all(a, tickets);
  std::vector<int64_t> expected;
  for (int64_t p = 0; p <= 3000; ++p) expected.push_back(p);
  expected.push_back(4095);
  expected.push_back(4096);
  CHECK(a.periods() == expected);
  CHECK(period_tickets(a) == std::vector<uint64_t>(expected.size(), 1));
}

TEST_CASE("Segment values are listed in byte order, whatever order they came in", "[aggregate]") {
  // Bytes: '(' 0x28 < 'B' 0x42 < 'a' 0x61 < 'z' 0x7A < 'é' (0xC3 0xA9): the order of a std::map
  // of std::string. Empty cells are "(blank)".
  TicketAggregate a(1, 100);
  feed_all(a, {{1, {"z"}}, {1, {"\xC3\xA9"}}, {1, {"a"}}, {1, {""}}, {1, {"B"}}, {1, {"a"}}});
  CHECK(values_of(a, 0) == std::vector<std::string>{"(blank)", "B", "a", "z", "\xC3\xA9"});
  CHECK(tickets_of(a, 0) == std::vector<uint64_t>{1, 1, 2, 1, 1});
  CHECK(a.has_segment_value(0, "a"));
  CHECK_FALSE(a.has_segment_value(0, "A"));
}

TEST_CASE("Long segment values alike at both ends keep their own groups", "[aggregate]") {
  // 5,000 requester addresses of one length, alike in their first and last eight bytes
  // ("customer" … "mple.com"): they differ only between, which the key's middle mix covers. Each
  // fed twice: 2 tickets apiece.
  TicketAggregate a(1, 10000);
  std::vector<std::string> values;
  for (int i = 10000; i < 15000; ++i)
    values.push_back("customer" + std::to_string(i) + "@example.com");
  std::vector<Fed> tickets;
  for (int pass = 0; pass < 2; ++pass) {
    for (const std::string& v : values) tickets.push_back({1, {v}});
  }
  feed_all(a, tickets);
  CHECK(tickets_of(a, 0) == std::vector<uint64_t>(values.size(), 2));
  CHECK(values_of(a, 0).front() == "customer10000@example.com");
  CHECK_FALSE(a.has_segment_value(0, "customer15000@example.com"));
}

TEST_CASE("Segment values of every length that differ in one byte keep apart", "[aggregate]") {
  // Values of 1 to 40 bytes, and beside each the same value with one byte changed, at each place
  // in turn: up to 16 bytes a value is its key, longer ones share their first and last 8 bytes
  // with their twins and differ between. Each value fed once, then each again: 2 tickets apiece.
  std::vector<std::string> values;
  for (size_t n = 1; n <= 40; ++n) {
    const std::string base(n, 'a');
    values.push_back(base);
    for (size_t at = 0; at < n; ++at) {
      std::string twin = base;
      twin[at] = 'b';
      values.push_back(twin);
    }
  }
  TicketAggregate a(1, 100000);
  std::vector<Fed> fed;
  for (int pass = 0; pass < 2; ++pass) {
    for (const std::string& v : values) fed.push_back({1, {v}});
  }
  feed_all(a, fed);
  CHECK(values_of(a, 0).size() == values.size());
  CHECK(tickets_of(a, 0) == std::vector<uint64_t>(values.size(), 2));
  for (const std::string& v : values) CHECK(a.has_segment_value(0, v));
  CHECK_FALSE(a.has_segment_value(0, std::string(17, 'c')));
  CHECK_FALSE(a.has_segment_value(0, "ac"));
}

TEST_CASE("A segment column keeps its first max_segments values; later ones share (other)",
          "[aggregate]") {
  // max 2: b and a keep groups; c, d and the second c go to (other) (3 rows lumped). A later a
  // still finds its own group.
  TicketAggregate a(1, 2);
  feed_all(a, {{1, {"b"}}, {1, {"a"}}, {1, {"c"}}, {1, {"d"}}, {1, {"c"}}, {1, {"a"}}});
  CHECK(values_of(a, 0) == std::vector<std::string>{"(other)", "a", "b"});
  CHECK(tickets_of(a, 0) == std::vector<uint64_t>{3, 2, 1});
  CHECK(a.lumped_segment_rows == 3);
}

TEST_CASE("Many segment values keep their own groups as the table grows", "[aggregate]") {
  // 5,000 values, each fed twice in two passes: every value ends with 2 tickets.
  TicketAggregate a(1, 10000);
  std::vector<std::string> values;
  for (int i = 0; i < 5000; ++i) values.push_back("agent " + std::to_string(i));
  std::vector<Fed> tickets;
  for (int pass = 0; pass < 2; ++pass) {
    for (const std::string& v : values) tickets.push_back({1, {v}});
  }
  feed_all(a, tickets);
  const auto ordered = a.segments_in_order(0);
  REQUIRE(ordered.size() == 5000);
  bool all_two = true;
  for (const auto& s : ordered) all_two = all_two && s.group->tickets == 2;
  CHECK(all_two);
  CHECK(ordered.front().value == "agent 0");
  CHECK(ordered.back().value == "agent 999");  // byte order: "agent 999" > "agent 4999"
}

TEST_CASE("Backlog flows count a ticket leaving no earlier than the period it was created",
          "[aggregate]") {
  // Created 3 solved 5; created 4 solved 2 (solved before created: counted as leaving in 4);
  // created 4 open. Flows: 3 created 1; 4 created 2 solved 1; 5 solved 1.
  TicketAggregate a(0, 100);
  feed_all(a, {{3, {}, 5}, {4, {}, 2}, {4, {}}});
  const auto flows = a.flows_in_order();
  REQUIRE(flows.size() == 3);
  CHECK((flows[0].first == 3 && flows[0].second.created == 1 && flows[0].second.solved == 0));
  CHECK((flows[1].first == 4 && flows[1].second.created == 2 && flows[1].second.solved == 1));
  CHECK((flows[2].first == 5 && flows[2].second.created == 0 && flows[2].second.solved == 1));
}

TEST_CASE("Merging re-keys segment groups by value and adds periods and flows", "[aggregate]") {
  // A: x, y (periods 1, 2); B: y, z, z (periods 2, 9). Merged: x 1, y 2, z 2; periods 1 (1),
  // 2 (2), 9 (2); created flows the same.
  TicketAggregate a(1, 100), b(1, 100);
  feed_all(a, {{1, {"x"}}, {2, {"y"}}});
  feed_all(b, {{2, {"y"}}, {9, {"z"}}, {9, {"z"}}});
  a.merge(b);
  CHECK(values_of(a, 0) == std::vector<std::string>{"x", "y", "z"});
  CHECK(tickets_of(a, 0) == std::vector<uint64_t>{1, 2, 2});
  CHECK(a.periods() == std::vector<int64_t>{1, 2, 9});
  CHECK(period_tickets(a) == std::vector<uint64_t>{1, 2, 2});
  const auto flows = a.flows_in_order();
  REQUIRE(flows.size() == 3);
  CHECK(flows[2].second.created == 2);
  a.finish();
  CHECK(a.total().tickets == 5);
}

TEST_CASE("Merging past max_segments lumps the other side's new values in byte order",
          "[aggregate]") {
  // max 2. A holds m. B is fed z, b, a.
  TicketAggregate a(1, 2), b(1, 2);
  feed_all(a, {{1, {"m"}}});
  feed_all(b, {{1, {"z"}}, {1, {"b"}}});
  feed_all(b, {{1, {"a"}}});  // B itself: z, b kept, a lumped (1 row)
  a.merge(b);
  // B's groups in byte order: (other) [a], b, z. "(other)" is new to A and, being "(other)",
  // takes no own-value place; b takes A's second place; z is lumped. Lumped: B's 1 + 1 = 2.
  CHECK(values_of(a, 0) == std::vector<std::string>{"(other)", "b", "m"});
  CHECK(tickets_of(a, 0) == std::vector<uint64_t>{2, 1, 1});
  CHECK(a.lumped_segment_rows == 2);
}

TEST_CASE("A report lists only the periods with tickets when a stray date spans too many",
          "[aggregate][dataset]") {
  // Weeks of 0001-01-01 and 2024-03-04 are ~105,000 apart (over the 5,000 listed contiguously):
  // the report lists the two weeks with tickets and says why.
  TicketDataset d(R"({"grain": "week"})");
  test::feed_file(d, "a.csv",
                  "id,created_at\n1,2024-03-04 09:00:00\n2,0001-01-01 10:00:00\n"
                  "3,2024-03-05 09:00:00\n");
  test::Report r(d.report_json());
  REQUIRE(r.valid());
  CHECK(r.period_keys() == std::vector<std::string>{"0001-W01", "2024-W10"});
  CHECK(test::or_null(r.series("tickets")) == std::vector<double>{1, 2});
  CHECK(r.json_of("periods_note").find("only periods with tickets") != std::string::npos);
}

// A ticket with the fields the total's accumulators read; 0 (or an empty rating) for none.
TicketRecord ticket(bool solved, double first_response, double resolution, double csat,
                    double cost = 0) {
  TicketRecord t;
  t.solved = solved;
  if (first_response > 0) t.first_response_minutes = first_response;
  if (resolution > 0) t.resolution_hours = resolution;
  if (csat > 0) t.csat = Rating{RatingKind::kScore, csat};
  if (cost > 0) t.cost = cost;
  return t;
}

TicketRecord survey_answer(double csat, std::optional<double> nps) {
  TicketRecord t;
  t.survey_only = true;
  if (csat > 0) t.csat = Rating{RatingKind::kScore, csat};
  t.nps = nps;
  return t;
}

TEST_CASE("The total holds every row: the period groups' and those without a period",
          "[aggregate]") {
  // Periods 1, 1, 2, 3 and two rows without a period (no created_at, an undated survey answer):
  //   #1 period 1: solved, first response 10 min, resolved in 2 h, CSAT 5, cost 10.25
  //   #2 period 1: open, first response 30, CSAT 2
  //   #3 period 2: solved, first response 20, resolved in 4 h, NPS 10, cost 0.5
  //   #4 no period: solved, first response 40, resolved in 6 h, CSAT 4, NPS 3
  //   #5 no period: survey answer, CSAT 5, NPS 9
  //   #6 period 3: survey answer, NPS 7
  // Total: tickets 4 (#1–#4), solved 3, cost 2 values summing to 10.75; CSAT answers 5, 2, 4, 5:
  // 4 responses, 3 satisfied (≥ 4), 1 dissatisfied (≤ 1 + 5 − 4 = 2), 1 of them unjoined (#5),
  // 2 on solved tickets (#1, #4); NPS 10, 3, 9, 7: 2 promoters, 1 passive, 1 detractor. First
  // response 10, 20, 30, 40: mean 25, median (type 7, h = 3 × 0.5 = 1.5) 20 + 0.5 × 10 = 25.
  // Resolution 2, 4, 6: mean 4, median 4.
  const KpiSettings settings;
  TicketAggregate a(0, 100);
  const std::span<const std::string_view> none;
  a.feed(ticket(true, 10, 2, 5, 10.25), 1, 1, none, settings);
  a.feed(ticket(false, 30, 0, 2), 1, std::nullopt, none, settings);
  TicketRecord third = ticket(true, 20, 4, 0, 0.5);
  third.nps = 10;
  a.feed(third, 2, 2, none, settings);
  TicketRecord fourth = ticket(true, 40, 6, 4);
  fourth.nps = 3;
  a.feed(fourth, std::nullopt, std::nullopt, none, settings);
  a.feed(survey_answer(5, 9), std::nullopt, std::nullopt, none, settings);
  a.feed(survey_answer(0, 7), 3, std::nullopt, none, settings);
  a.finish();

  const TicketGroup& total = a.total();
  CHECK(total.tickets == 4);
  CHECK(total.solved == 3);
  CHECK(total.cost_count == 2);
  CHECK(total.cost_sum.value() == 10.75);
  const CsatFigures csat = total.csat.finish(settings.csat);
  CHECK(csat.responses == 4);
  CHECK(csat.satisfied == 3);
  CHECK(csat.dissatisfied == 1);
  CHECK(total.unjoined_csat_responses == 1);
  CHECK(total.solved_csat_responses == 2);
  const NpsFigures nps = total.nps.finish();
  CHECK((nps.promoters == 2 && nps.passives == 1 && nps.detractors == 1));
  CHECK(total.first_response.values().count() == 4);
  CHECK(*total.first_response.values().mean() == 25);
  CHECK(*total.first_response.values().quantile(0.5) == 25);
  CHECK(total.resolution.values().count() == 3);
  CHECK(*total.resolution.values().mean() == 4);
  CHECK(*total.resolution.values().quantile(0.5) == 4);
  // The period groups keep only their own rows: 2, 1 and 0 tickets.
  CHECK(period_tickets(a) == std::vector<uint64_t>{2, 1, 0});
}

TEST_CASE("Past the exact cap the total equals the group fed row by row", "[aggregate]") {
  // First responses 1, 2, …, 200,000 minutes. Every 5th row has no period (40,000 rows); of the
  // others, those before row 150,000 fall in period 0 (120,000: past the 100,000 cap on its
  // own), the rest alternate between periods 1 and 2 (20,000 each: exact). The total, 200,000
  // values, is a sketch: mean (1 + 200,000) ÷ 2 = 100,000.5 (exact); the extremes 1 and 200,000
  // are kept exactly; below 64 and below 1,440 (both sketch bucket boundaries) lie 63 and 1,439
  // values, exactly; the median's rank ⌊199,999 × 0.5⌋ = 99,999 holds 100,000, estimated within
  // 1 %. Beside those, every figure equals a group fed the same rows one by one.
  const KpiSettings settings;
  TicketAggregate a(0, 100);
  TicketGroup fed;
  const std::span<const std::string_view> none;
  constexpr int kRows = 200000;
  for (int i = 0; i < kRows; ++i) {
    const TicketRecord t = ticket(false, i + 1.0, 0, 0);
    std::optional<int64_t> period;
    if (i % 5 != 0) period = i < 150000 ? 0 : 1 + i % 2;
    a.feed(t, period, std::nullopt, none, settings);
    fed.feed(t, settings);
  }
  a.finish();
  fed.finish();
  REQUIRE(a.period_group(0)->first_response.values().approximate());
  REQUIRE_FALSE(a.period_group(1)->first_response.values().approximate());

  const DurationQuantiles& total = a.total().first_response.values();
  CHECK(a.total().tickets == kRows);
  CHECK(total.count() == kRows);
  CHECK(total.approximate());
  CHECK(*total.mean() == 100000.5);
  CHECK(*total.quantile(0) == 1);
  CHECK(*total.quantile(1) == kRows);
  CHECK(total.count_below(64) == 63);
  CHECK(total.count_below(1440) == 1439);
  CHECK(std::fabs(*total.quantile(0.5) - 100000) <= 1000);

  const DurationQuantiles& reference = fed.first_response.values();
  for (double q : {0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99}) {
    INFO("q = " << q);
    CHECK(*total.quantile(q) == *reference.quantile(q));
  }
  for (double limit : {5.0, 15.0, 30.0, 60.0, 240.0, 480.0, 1440.0, 99999.5}) {
    INFO("below " << limit);
    CHECK(total.count_below(limit) == reference.count_below(limit));
  }
}

TEST_CASE("A breakdown that starts mid-way puts every row seen so far in (blank)", "[aggregate]") {
  // Before the column: 2 tickets in period 1 (CSAT 5 and 1), 1 without a period (CSAT 4), and an
  // undated survey answer (CSAT 2). After: 1 ticket "x" in period 2 (CSAT 5).
  // (blank): 3 tickets, CSAT answers 5, 1, 4, 2 → 4 responses, 2 satisfied. x: 1 ticket.
  const KpiSettings settings;
  TicketAggregate a(0, 100);
  const std::span<const std::string_view> none;
  a.feed(ticket(false, 0, 0, 5), 1, std::nullopt, none, settings);
  a.feed(ticket(false, 0, 0, 1), 1, std::nullopt, none, settings);
  a.feed(ticket(false, 0, 0, 4), std::nullopt, std::nullopt, none, settings);
  a.feed(survey_answer(2, std::nullopt), std::nullopt, std::nullopt, none, settings);
  a.add_segment_column();
  const std::string_view x[] = {"x"};
  a.feed(ticket(false, 0, 0, 5), 2, std::nullopt, x, settings);
  a.finish();

  CHECK(values_of(a, 0) == std::vector<std::string>{"(blank)", "x"});
  CHECK(tickets_of(a, 0) == std::vector<uint64_t>{3, 1});
  const CsatFigures blank = a.segments_in_order(0)[0].group->csat.finish(settings.csat);
  CHECK((blank.responses == 4 && blank.satisfied == 2));
  CHECK(a.total().tickets == 4);
}

TEST_CASE("An aggregate's saved state keeps its rows without a period", "[aggregate]") {
  // A: 2 tickets in period 1 (first responses 10, 20), 3 without one (30, 40, 50). Saved, loaded
  // and merged into an empty aggregate: total 5 tickets, first responses mean (10 + … + 50) ÷ 5
  // = 30; the period group 2 tickets.
  const KpiSettings settings;
  TicketAggregate a(0, 100);
  const std::span<const std::string_view> none;
  for (double minutes : {10.0, 20.0}) {
    a.feed(ticket(false, minutes, 0, 0), 1, std::nullopt, none, settings);
  }
  for (double minutes : {30.0, 40.0, 50.0}) {
    a.feed(ticket(false, minutes, 0, 0), std::nullopt, std::nullopt, none, settings);
  }
  StateWriter out;
  a.save(out);
  TicketAggregate loaded(0, 100);
  StateReader in(out.bytes());
  REQUIRE(loaded.load(in));
  TicketAggregate merged(0, 100);
  merged.merge(loaded);
  merged.finish();
  CHECK(merged.total().tickets == 5);
  CHECK(*merged.total().first_response.values().mean() == 30);
  CHECK(period_tickets(merged) == std::vector<uint64_t>{2});
}

TEST_CASE("An aggregate's state with a period no date can have is refused", "[aggregate]") {
  // Periods count days at most (years 1–9999: within ±3 million); ±2^32 loads, past it is refused
  // (the period index's window arithmetic would overflow near ±2^63). The state is written as
  // TicketAggregate::save writes one group in one period: total, no-period group, lumped rows,
  // the periods, the flows, the breakdown columns.
  const KpiSettings settings;
  TicketGroup group;
  group.feed(ticket(false, 10, 0, 0), settings);
  for (int64_t period : {int64_t{1} << 32, -(int64_t{1} << 32), (int64_t{1} << 32) + 1,
                         -(int64_t{1} << 32) - 1, INT64_MAX, INT64_MIN}) {
    StateWriter out;
    group.save(out);
    TicketGroup().save(out);
    out.write_varint(0);
    out.write_varint(1);
    out.write_svarint(period);
    group.save(out);
    out.write_varint(0);
    out.write_varint(0);
    TicketAggregate loaded(0, 100);
    StateReader in(out.bytes());
    INFO("period " << period);
    const bool within = period >= -(int64_t{1} << 32) && period <= int64_t{1} << 32;
    CHECK(loaded.load(in) == within);
    CHECK(in.failed() != within);
  }
}

}  // namespace
}  // namespace kpilens
