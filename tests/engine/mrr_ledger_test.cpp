// mrr_ledger, mrr_figures, cohort_table: change points walked into runs, the movements of a period,
// the 12-month base, cohorts; merging and renumbering give the same figures as one pass.
#include <catch2/catch.hpp>

#include <vector>

#include "cohort_table.h"
#include "mrr_figures.h"
#include "mrr_ledger.h"

using namespace kpilens;

namespace {

// Evaluation days 10, 20, 30, … (one "period" every 10 days).
std::vector<int64_t> days(size_t n) {
  std::vector<int64_t> out;
  for (size_t i = 1; i <= n; ++i) out.push_back(static_cast<int64_t>(i) * 10);
  return out;
}

std::vector<std::vector<SeriesRun>> runs_of(const MrrLedger& ledger, size_t periods) {
  std::vector<std::vector<SeriesRun>> all;
  std::vector<int64_t> eval = days(periods);
  ledger.walk(eval, [&](uint32_t series, std::span<const SeriesRun> runs) {
    if (all.size() <= series) all.resize(series + 1);
    all[series].assign(runs.begin(), runs.end());
  });
  return all;
}

GroupFigures figures_of(const MrrLedger& ledger, size_t periods, size_t window) {
  GroupFigures g(periods, window);
  std::vector<int64_t> eval = days(periods);
  ledger.walk(eval, [&](uint32_t, std::span<const SeriesRun> runs) { g.feed(runs); });
  g.finish();
  return g;
}

}  // namespace

TEST_CASE("A series' runs list its state where it changes at an evaluation day", "[mrr_ledger]") {
  MrrLedger ledger;
  ledger.add_span(0, 5, 25, 100);            // active on days 5…24: at 10 and 20
  ledger.add_span(0, 15, std::nullopt, 50);  // from 15 on: at 20, 30, 40
  ledger.finish();
  auto runs = runs_of(ledger, 4);
  REQUIRE(runs.size() == 1);
  REQUIRE(runs[0].size() == 3);
  CHECK(runs[0][0].from == 0);
  CHECK(runs[0][0].state == SeriesState{1, 100});
  CHECK(runs[0][1].from == 1);
  CHECK(runs[0][1].state == SeriesState{2, 150});
  CHECK(runs[0][2].from == 2);
  CHECK(runs[0][2].state == SeriesState{1, 50});
}

TEST_CASE("Ups and downs between two evaluation days net out", "[mrr_ledger]") {
  MrrLedger ledger;
  ledger.add_span(0, 1, std::nullopt, 100);
  ledger.add_span(0, 12, 18, 40);  // on and off between day 10 and day 20: never seen
  ledger.finish();
  auto runs = runs_of(ledger, 3);
  REQUIRE(runs[0].size() == 1);
  CHECK(runs[0][0].state == SeriesState{1, 100});
}

TEST_CASE("Points after the last evaluation day do not count", "[mrr_ledger]") {
  MrrLedger ledger;
  ledger.add_span(0, 5, 35, 100);            // ends on day 35, after the last evaluation day (30)
  ledger.add_span(1, 31, std::nullopt, 10);  // starts after it
  ledger.finish();
  auto runs = runs_of(ledger, 3);
  REQUIRE(runs[0].size() == 1);
  CHECK(runs[0][0].state.active());
  CHECK((runs.size() < 2 || runs[1].empty()));
}

TEST_CASE("active_on reads a series' subscriptions on a day", "[mrr_ledger]") {
  MrrLedger ledger;
  ledger.add_span(3, 10, 20, 0);
  ledger.finish();
  CHECK_FALSE(ledger.active_on(3, 9));
  CHECK(ledger.active_on(3, 10));
  CHECK(ledger.active_on(3, 19));
  CHECK_FALSE(ledger.active_on(3, 20));
  CHECK_FALSE(ledger.active_on(0, 15));
  CHECK_FALSE(ledger.active_on(99, 15));
}

TEST_CASE("A segment ledger keys its states by customer and value", "[mrr_ledger]") {
  SegmentLedger ledger;
  ledger.add_span((uint64_t{7} << 32) | 2, 1, std::nullopt, 10);
  ledger.add_span((uint64_t{7} << 32) | 1, 1, 15, 30);
  ledger.add_span((uint64_t{3} << 32) | 2, 12, std::nullopt, 5);
  ledger.finish();
  std::vector<uint64_t> keys;
  std::vector<int64_t> last_mrr;
  std::vector<int64_t> eval = days(2);
  ledger.walk(eval, [&](uint64_t key, std::span<const SeriesRun> runs) {
    keys.push_back(key);
    last_mrr.push_back(runs.back().state.micros);
  });
  CHECK(keys == std::vector<uint64_t>{(uint64_t{3} << 32) | 2, (uint64_t{7} << 32) | 1,
                                      (uint64_t{7} << 32) | 2});
  CHECK(last_mrr == std::vector<int64_t>{5, 0, 10});
}

TEST_CASE("Movements compare consecutive evaluation days", "[mrr_figures]") {
  MrrLedger ledger;
  ledger.add_span(0, 1, std::nullopt, 100);  // new at 10
  ledger.add_span(0, 15, std::nullopt, 20);  // expansion at 20
  ledger.add_span(1, 1, 25, 50);             // new at 10, churned at 30
  ledger.add_span(1, 35, std::nullopt, 60);  // reactivation at 40
  ledger.add_span(2, 1, 25, 80);             // new at 10; at 30 replaced by 30: contraction
  ledger.add_span(2, 25, std::nullopt, 30);
  ledger.finish();
  GroupFigures g = figures_of(ledger, 4, 12);
  auto amounts = [&](Movement m) {
    std::vector<int64_t> out;
    for (size_t p = 0; p < 4; ++p) out.push_back(g.at(p).amounts[static_cast<size_t>(m)]);
    return out;
  };
  CHECK(amounts(Movement::kNew) == std::vector<int64_t>{230, 0, 0, 0});
  CHECK(amounts(Movement::kExpansion) == std::vector<int64_t>{0, 20, 0, 0});
  CHECK(amounts(Movement::kChurned) == std::vector<int64_t>{0, 0, -50, 0});
  CHECK(amounts(Movement::kContraction) == std::vector<int64_t>{0, 0, -50, 0});
  CHECK(amounts(Movement::kReactivation) == std::vector<int64_t>{0, 0, 0, 60});
  for (size_t p = 0; p < 4; ++p) {
    int64_t sum = g.at(p).start_mrr;
    for (int64_t a : g.at(p).amounts) sum += a;
    CHECK(sum == g.at(p).end_mrr);
  }
  CHECK(g.at(3).end_mrr == 120 + 30 + 60);
  CHECK(g.at(2).start_active == 3);
  CHECK(g.at(2).active == 2);
}

TEST_CASE("A $0 subscription is active, and $0 to paid is an expansion", "[mrr_figures]") {
  MrrLedger ledger;
  ledger.add_span(0, 1, 15, 0);
  ledger.add_span(0, 15, std::nullopt, 25);
  ledger.finish();
  GroupFigures g = figures_of(ledger, 2, 12);
  CHECK(g.at(0).active == 1);
  CHECK(g.at(0).paying == 0);
  CHECK(g.at(0).customers[static_cast<size_t>(Movement::kNew)] == 1);
  CHECK(g.at(1).amounts[static_cast<size_t>(Movement::kExpansion)] == 25);
}

TEST_CASE("The retention base is the customers active a window earlier", "[mrr_figures]") {
  MrrLedger ledger;
  ledger.add_span(0, 1, std::nullopt, 100);  // 100 throughout, then 150 from 25
  ledger.add_span(0, 25, std::nullopt, 50);
  ledger.add_span(1, 1, 15, 40);             // gone by 20
  ledger.add_span(2, 15, std::nullopt, 70);  // joins at 20: not in the base of period 2
  ledger.finish();
  GroupFigures g = figures_of(ledger, 4, 2);
  // Period 2 (day 30) against period 0 (day 10): series 0 (100 → 150) and 1 (40 → gone).
  CHECK(g.at(2).base_customers == 2);
  CHECK(g.at(2).base_mrr == 140);
  CHECK(g.at(2).kept_mrr == 150);
  CHECK(g.at(2).kept_mrr_capped == 100);
  // Period 3 (day 40) against period 1 (day 20): series 0 (100 → 150), 2 (70 → 70).
  CHECK(g.at(3).base_mrr == 170);
  CHECK(g.at(3).kept_mrr == 220);
  CHECK(g.at(3).kept_mrr_capped == 170);
  CHECK(g.at(1).base_customers == 0);
}

TEST_CASE("Merging two halves of the points gives the figures of one pass", "[mrr_figures]") {
  MrrLedger a, b, whole;
  a.add_span(0, 1, 25, 10);
  b.add_span(0, 15, std::nullopt, 5);
  b.add_span(1, 5, std::nullopt, 7);
  whole.add_span(0, 1, 25, 10);
  whole.add_span(0, 15, std::nullopt, 5);
  whole.add_span(1, 5, std::nullopt, 7);
  a.merge(b, [](uint32_t series) { return series; });
  a.finish();
  whole.finish();
  GroupFigures merged = figures_of(a, 3, 12);
  GroupFigures one = figures_of(whole, 3, 12);
  for (size_t p = 0; p < 3; ++p) {
    CHECK(merged.at(p).end_mrr == one.at(p).end_mrr);
    CHECK(merged.at(p).amounts == one.at(p).amounts);
    CHECK(merged.at(p).customers == one.at(p).customers);
  }
  // Group figures merge too: two groups of one series each.
  MrrLedger only0, only1;
  only0.add_span(0, 1, 25, 10);
  only0.add_span(0, 15, std::nullopt, 5);
  only1.add_span(0, 5, std::nullopt, 7);
  only0.finish();
  only1.finish();
  GroupFigures g0(3, 12), g1(3, 12);
  std::vector<int64_t> eval = days(3);
  only0.walk(eval, [&](uint32_t, std::span<const SeriesRun> runs) { g0.feed(runs); });
  only1.walk(eval, [&](uint32_t, std::span<const SeriesRun> runs) { g1.feed(runs); });
  g0.merge(g1);
  g0.finish();
  for (size_t p = 0; p < 3; ++p) CHECK(g0.at(p).end_mrr == one.at(p).end_mrr);
}

TEST_CASE("Renumbering merges series that become one", "[mrr_ledger]") {
  MrrLedger ledger;
  ledger.add_span(0, 1, std::nullopt, 10);
  ledger.add_span(1, 15, std::nullopt, 5);
  ledger.renumber([](uint32_t) { return uint32_t{0}; });
  ledger.finish();
  auto runs = runs_of(ledger, 2);
  REQUIRE(runs.size() == 1);
  CHECK(runs[0].back().state == SeriesState{2, 15});
}

TEST_CASE("A cohort's cells count its members active and their MRR k periods on", "[cohorts]") {
  MrrLedger ledger;
  ledger.add_span(0, 1, 25, 10);             // cohort 0: active at 10, 20
  ledger.add_span(1, 5, std::nullopt, 30);   // cohort 0: active throughout
  ledger.add_span(2, 12, std::nullopt, 20);  // cohort 1
  ledger.finish();
  CohortTable table(3, 0);
  std::vector<int64_t> eval = days(3);
  ledger.walk(eval, [&](uint32_t series, std::span<const SeriesRun> runs) {
    table.feed(series == 2 ? 1 : 0, runs);
  });
  table.feed(1, {});  // a member who never paid
  table.finish();
  REQUIRE(table.cohorts() == 3);
  CHECK(table.row(0).size == 2);
  CHECK(table.row(0).customers == std::vector<int64_t>{2, 2, 1});
  CHECK(table.row(0).mrr == std::vector<int64_t>{40, 40, 30});
  CHECK(table.row(0).start_mrr == 40);
  CHECK(table.row(1).size == 2);
  CHECK(table.row(1).customers == std::vector<int64_t>{1, 1});
  CHECK(table.row(2).size == 0);
  CHECK(table.row(2).customers == std::vector<int64_t>{0});
}
