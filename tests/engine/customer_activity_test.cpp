// Orders, events, tickets and survey answers of customers, end to end through the façade, on the
// hand-computed fixture tests/fixtures/customers/activity (the arithmetic is in the comments here
// and in tests/fixtures/customers/README.md): the orders and events kinds, the customer figures
// (CLV both forms, CAC, CAC payback, repeat purchase rate, time to value), the journey funnel, the
// requester join and the health score (report block and CSV).
#include <catch2/catch.hpp>

#include <algorithm>
#include <sstream>

#include "customer_reader.h"
#include "health_score.h"

using namespace kpilens;
using namespace kpilens::test;

namespace {

std::string activity_fixture(std::string_view name) {
  return read_fixture(std::string("customers/activity/") + std::string(name));
}

// The fixture's config with `customers` extra keys spliced in (a JSON object body, e.g.
// R"("lifespan_years": 2)").
std::string activity_config(std::string_view extra_customers = {}) {
  std::string config = R"({"grain": "month", "by_if_mapped": ["Region"],
    "files": {"survey.csv": {"kind": "survey"}},
    "customers": {"as_of": "2024-06-30", "gross_margin": 0.8, "value_event": "report_created",
                  "funnel": ["login", "invited_team", "report_created"])";
  if (!extra_customers.empty()) config += ", " + std::string(extra_customers);
  config += "}}";
  return config;
}

// The survey answers come before the tickets (as the CLI and the page read them).
const std::vector<std::string> kAllFiles = {"survey.csv", "customers.csv", "subscriptions.csv",
                                            "orders.csv", "events.csv",    "tickets.csv"};

std::string activity_report(const std::string& config,
                            const std::vector<std::string>& files = kAllFiles, size_t chunk = 0,
                            std::string* health_csv_out = nullptr) {
  TicketDataset d(config);
  for (const std::string& name : files) feed_file(d, name, activity_fixture(name), chunk);
  std::string json = d.report_json();
  if (health_csv_out) *health_csv_out = health_csv(d.customers(), d.failed());
  return json;
}

// Element-wise approximate comparison (kNull compares exactly).
bool near(const std::vector<double>& got, const std::vector<double>& want) {
  if (got.size() != want.size()) return false;
  for (size_t i = 0; i < got.size(); ++i) {
    if (want[i] == kNull || got[i] == kNull) {
      if (got[i] != want[i]) return false;
    } else if (got[i] != Approx(want[i]).epsilon(1e-12)) {
      return false;
    }
  }
  return true;
}

template <typename T>
std::vector<double> numbers_of(T&& lookup) {
  return or_null(Report::numbers(std::forward<T>(lookup)));
}

// Day counts used below (2024 is a leap year): Jan 15 → Jun 29 = 16 + 29 + 31 + 30 + 31 + 29 = 166;
// Jan 15 → Mar 15 = 16 + 29 + 15 = 60; Apr 1 → Jun 29 = 29 + 31 + 29 = 89; Jan 10 → Jun 30 = 172;
// Feb 5 → Jun 30 = 146; Mar 1 → Jun 30 = 121; Jan 10 → Jan 20 = 10; Feb 5 → Mar 7 = 24 + 7 = 31.

}  // namespace

TEST_CASE("Orders and events files are read as their kinds and counted", "[customers][activity]") {
  Report r(activity_report(activity_config()));
  REQUIRE(r.valid());
  CHECK(Report::flag(r.root()["ok"]));
  check_bridge_adds_up(r);
  Customers c(r);
  std::vector<std::string> kinds;
  for (size_t i = 0; i < kAllFiles.size(); ++i) kinds.push_back(Report::string(r.file(i)["kind"]));
  CHECK(kinds == std::vector<std::string>{"survey", "customers", "subscriptions", "orders",
                                          "events", "tickets"});
  CHECK(c.count("orders") == 6);
  CHECK(c.count("events") == 10);
  CHECK(c.count("customers_with_orders") == 3);  // c1, c2, c5
  CHECK(c.count("customers_with_events") == 4);  // c1, c2, c4, c6
  CHECK(c.count("customers") == 4);              // c1–c4 have subscriptions
  CHECK(c.text("as_of") == "2024-06-30");
  CHECK(c.periods() ==
        std::vector<std::string>{"2024-01", "2024-02", "2024-03", "2024-04", "2024-05", "2024-06"});
  // c5 and c6 have no customers row: their Region is blank.
  CHECK(c.segment("Region") == std::vector<std::string>{"(blank)", "EU", "US"});
  // Active: Jan c1; Feb + c2, c3; Mar + c4; c3 cancelled 04-15, its paid period ends 04-20.
  CHECK(c.series("active_customers") == std::vector<double>{1, 3, 4, 3, 3, 3});
}

TEST_CASE("CLV (the seeds' formula) is the hand-computed one, overall, by cohort and by region",
          "[customers][activity]") {
  Report r(activity_report(activity_config()));
  Customers c(r);
  REQUIRE(c.available("clv"));
  // Orders: c1 40 (01-15), 60 (03-15); c2 100 (02-10); c5 20, 30 (04-01), 50 (06-29): 6 orders,
  // 300. APV = 300 ÷ 6 = 50. Y = (06-29 − 01-15 + 1) ÷ 365 = 167 ÷ 365. PF = 6 ÷ 3 ÷ Y = 730 ÷ 167.
  // Spans: c1 61 days, c2 1, c5 90: L = (61 + 1 + 90) ÷ 3 ÷ 365 = 152 ÷ 1095.
  // CLV = 50 × 730/167 × 152/1095 = 5,548,000 ÷ 182,865.
  CHECK(c.value("clv") == Approx(5548000.0 / 182865));
  CHECK(c.n("clv") == 3);
  CHECK(c.extra("clv", "average_purchase_value") == 50);
  CHECK(c.extra("clv", "purchase_frequency") == Approx(730.0 / 167));
  CHECK(c.extra("clv", "lifespan_years") == Approx(152.0 / 1095));
  CHECK(c.extra("clv", "orders") == 6);
  // Start cohorts: c1 Jan (signup 01-10), c2 and c3 Feb, c4 Mar, c5 Apr (first order, no signup or
  // subscription), c6 May (first event). One buyer per cohort: PF × L = its orders, so CLV = its
  // revenue: Jan c1 100, Feb c2 100, Mar none, Apr c5 100, May and Jun none.
  CHECK(c.series("clv") == std::vector<double>{100, 100, kNull, 100, kNull, kNull});
  CHECK(c.series_n("clv") == std::vector<uint64_t>{1, 1, 0, 1, 0, 0});
  // Jan: c1 alone, Y = 61 ÷ 365, PF = 2 ÷ Y = 730 ÷ 61; Feb: c2, 1 ÷ (1 ÷ 365); Apr: c5, 3 ÷ (90 ÷
  // 365).
  CHECK(near(numbers_of(c.kpi("clv")["series"]["extras"]["purchase_frequency"]),
             {730.0 / 61, 365, kNull, 1095.0 / 90, kNull, kNull}));
  // Region (blank) = c5, c6; EU = c1, c3; US = c2, c4: one buyer each.
  CHECK(c.breakdown("clv", "Region") == std::vector<double>{100, 100, 100});
}

TEST_CASE("lifespan_years replaces the observed lifespan in CLV", "[customers][activity]") {
  Report r(activity_report(activity_config(R"("lifespan_years": 2)")));
  Customers c(r);
  // 50 × 730/167 × 2 = 73,000 ÷ 167.
  CHECK(c.value("clv") == Approx(73000.0 / 167));
  CHECK(c.extra("clv", "lifespan_years") == 2);
}

TEST_CASE("Repeat purchase rate counts the buyers with two orders or more",
          "[customers][activity]") {
  Report r(activity_report(activity_config()));
  Customers c(r);
  // c1 2 orders, c2 1, c5 3: 2 of 3.
  CHECK(c.value("repeat_purchase_rate") == Approx(200.0 / 3));
  CHECK(c.n("repeat_purchase_rate") == 3);
  CHECK(c.extra("repeat_purchase_rate", "repeat_customers") == 2);
  // Cohorts: Jan c1 100, Feb c2 0, Apr c5 100.
  CHECK(c.series("repeat_purchase_rate") == std::vector<double>{100, 0, kNull, 100, kNull, kNull});
  // (blank) c5 100, EU c1 100, US c2 0.
  CHECK(c.breakdown("repeat_purchase_rate", "Region") == std::vector<double>{100, 100, 0});
}

TEST_CASE("CAC and CAC payback are the hand-computed ones", "[customers][activity]") {
  Report r(activity_report(activity_config()));
  Customers c(r);
  // Costs c1 100, c2 200, c3 blank (no cost, not 0), c4 300: 600 ÷ 3 = 200.
  CHECK(c.value("cac") == 200);
  CHECK(c.n("cac") == 3);
  CHECK(c.extra("cac", "total_cost") == 600);
  CHECK(c.series("cac") == std::vector<double>{100, 200, 300, kNull, kNull, kNull});
  CHECK(c.breakdown("cac", "Region") == std::vector<double>{kNull, 100, 250});
  // ARPA: Jan 50 ÷ 1; Feb 200 ÷ 3; Mar 300 ÷ 4 = 75; Apr–Jun 250 ÷ 3.
  // Payback = CAC ÷ (ARPA × 0.8): overall 200 ÷ (250/3 × 0.8) = 3; Jan 100 ÷ 40 = 2.5;
  // Feb 200 ÷ (200/3 × 0.8) = 3.75; Mar 300 ÷ 60 = 5.
  CHECK(c.value("cac_payback_months") == Approx(3));
  CHECK(near(c.series("cac_payback_months"), {2.5, 3.75, 5, kNull, kNull, kNull}));
  // EU: CAC 100 ÷ (c1's 50 × 0.8) = 2.5; US: 250 ÷ (100 × 0.8) = 3.125.
  CHECK(near(c.breakdown("cac_payback_months", "Region"), {kNull, 2.5, 3.125}));
}

TEST_CASE("CLV (SaaS) divides ARPA × margin by the pooled trailing churn",
          "[customers][activity]") {
  Report r(activity_report(activity_config()));
  Customers c(r);
  // Customers at the start: Jan 0, Feb 1, Mar 3, Apr 4, May 3, Jun 3; churned: Apr 1 (c3).
  // Trailing Σ start: 0, 1, 4, 8, 11, 14; Σ churned 0, 0, 0, 1, 1, 1.
  // Apr: 250/3 × 0.8 ÷ (1/8) = 1600/3; May: ÷ (1/11) = 2200/3; Jun: ÷ (1/14) = 2800/3.
  CHECK(near(c.series("clv_saas"), {kNull, kNull, kNull, 1600.0 / 3, 2200.0 / 3, 2800.0 / 3}));
  CHECK(c.series_n("clv_saas") == std::vector<uint64_t>{0, 1, 4, 8, 11, 14});
  CHECK(c.value("clv_saas") == Approx(2800.0 / 3));
  CHECK(c.extra("clv_saas", "trailing_churn_rate") == Approx(100.0 / 14));
  CHECK(c.extra("clv_saas", "gross_margin") == Approx(0.8));
  // EU (c1, c3): start Feb 1, Mar 2, Apr 2, May 1, Jun 1 = 7, 1 churned: 50 × 0.8 × 7 = 280.
  // US (c2, c4): no churn, null.
  CHECK(near(c.breakdown("clv_saas", "Region"), {kNull, 280, kNull}));
}

TEST_CASE("Time to value counts the customers who never reached the value event",
          "[customers][activity]") {
  Report r(activity_report(activity_config()));
  Customers c(r);
  // report_created: c1 01-20 (start 01-10: 10 days), c2 03-07 (start 02-05: 31), c4 02-25 (before
  // its start 03-01: 0). c3, c5, c6 never: not reached. Median of {0, 10, 31} = 10;
  // p90 (type 7): h = 2 × 0.9 = 1.8, 10 + 0.8 × 21 = 26.8.
  CHECK(c.value("time_to_value_median") == 10);
  CHECK(c.value("time_to_value_p90") == Approx(26.8));
  CHECK(c.n("time_to_value_median") == 3);
  CHECK(c.extra("time_to_value_median", "reached") == 3);
  CHECK(c.extra("time_to_value_median", "not_reached") == 3);
  CHECK(c.extra("time_to_value_median", "reached_rate") == 50);
  CHECK(c.series("time_to_value_median") == std::vector<double>{10, 31, 0, kNull, kNull, kNull});
  CHECK(numbers_of(c.kpi("time_to_value_median")["series"]["extras"]["not_reached"]) ==
        std::vector<double>{0, 1, 0, 1, 1, 0});
  // US: {0, 31}: median 15.5, p90 0 + 0.9 × 31 = 27.9.
  CHECK(near(c.breakdown("time_to_value_median", "Region"), {kNull, 10, 15.5}));
  CHECK(near(c.breakdown("time_to_value_p90", "Region"), {kNull, 10, 27.9}));
}

TEST_CASE("The funnel counts the customers who reached every step so far",
          "[customers][activity]") {
  Report r(activity_report(activity_config()));
  Customers c(r);
  // login: c1, c2, c4, c6; + invited_team: c2; + report_created: c2.
  CHECK(Report::strings(c.section()["funnel"]["steps"]) ==
        std::vector<std::string>{"login", "invited_team", "report_created"});
  CHECK(Report::counts(c.section()["funnel"]["customers"]) == std::vector<uint64_t>{4, 1, 1});
  CHECK(numbers_of(c.section()["funnel"]["of_first"]) == std::vector<double>{100, 25, 25});
  CHECK(numbers_of(c.section()["funnel"]["of_previous"]) == std::vector<double>{100, 25, 100});
}

TEST_CASE("Without a funnel or a value event, the funnel is null and time to value unavailable",
          "[customers][activity]") {
  Report r(activity_report(R"({"customers": {"as_of": "2024-06-30"}})",
                           {"customers.csv", "orders.csv", "events.csv"}));
  Customers c(r);
  CHECK(c.section()["funnel"].is_null());
  CHECK_FALSE(c.available("time_to_value_median"));
  CHECK(c.available("clv"));
  CHECK_FALSE(c.available("clv_saas"));  // no gross margin, no subscriptions
}

TEST_CASE("Requesters join customers by id, then by email with case ignored",
          "[customers][activity][health]") {
  Report r(activity_report(activity_config()));
  Customers c(r);
  auto join = c.section()["health"]["join"];
  // Requesters: ana@example.com, ANA@example.com (c1 by email), c2, c4 (by id), zed@nowhere.com
  // (unmatched), bob@example.com (c2) and dan@example.com (c4) from the survey.
  CHECK(Report::count(join["requesters"]) == 7);
  CHECK(Report::count(join["by_id"]) == 2);
  CHECK(Report::count(join["by_email"]) == 4);
  CHECK(Report::count(join["unmatched"]) == 1);
  CHECK(Report::count(join["ambiguous_emails"]) == 0);
  CHECK(Report::count(join["tickets"]) == 5);
  CHECK(Report::count(join["answers"]) == 3);
  // The ticket figures do not change: 5 tickets.
  CHECK(r.value("tickets") == 5);
}

TEST_CASE("Tickets read before any customer-success file are not noted per requester",
          "[customers][activity][health]") {
  // A ticket-only dataset keeps no state per requester (memory flat in the file's size), so ticket
  // rows join customers only after a customer-success file; the CLI, Node and the page read those
  // first. Here the tickets come first: the survey's 3 answers still join, the 5 tickets do not.
  const std::vector<std::string> tickets_first = {"survey.csv",    "tickets.csv",
                                                  "customers.csv", "subscriptions.csv",
                                                  "orders.csv",    "events.csv"};
  Report r(activity_report(activity_config(), tickets_first));
  Customers c(r);
  auto join = c.section()["health"]["join"];
  CHECK(Report::count(join["tickets"]) == 0);
  CHECK(Report::count(join["answers"]) == 3);
  CHECK(r.value("tickets") == 5);
}

TEST_CASE("The default health score is the hand-computed one", "[customers][activity][health]") {
  Report r(activity_report(activity_config()));
  Customers c(r);
  auto h = c.section()["health"];
  CHECK(Report::string(h["model"]) == "weighted_mean");
  CHECK(Report::string(h["as_of"]) == "2024-06-30");
  // Scored: active at as_of, c1, c2, c4 (c3 churned in April; c5, c6 have no subscription).
  CHECK(Report::count(h["scored"]) == 3);
  CHECK(Report::count(h["unscored"]) == 0);
  // Per component (zero → full), raw → normalised:
  //   usage_events (30 days, 06-01..06-30; 0 → 20): c1 2 (06-10, 06-20) → 10; c2 0 → 0; c4 1 → 5.
  //   tickets (90 days, 04-02..06-30; 10 → 0): c1 2 (tickets 1, 2) → 80; c2 0 (ticket 3 is 03-01)
  //     → 100; c4 1 → 90.
  //   csat (0 → 100): c1 Good, Bad → 50 → 50; c2 5 → 100 → 100; c4 none.
  //   nps (6 → 9): c2 (9 + 7) ÷ 2 = 8 → 66.67; c4 3 → 0; c1 none.
  //   reopen_rate (50 → 0): c1 1 of 2 solved → 50 → 0; c2 0 of 1 → 100; c4 no solved ticket.
  //   payment_failures (3 → 0): c2 past_due 1 → 66.67; c1, c4 0 → 100.
  //   tenure (0 → 24 months): c1 172 ÷ 30.4375, c2 146 ÷ 30.4375, c4 121 ÷ 30.4375.
  //   mrr_trend (−50 → 10): MRR at 03-31 = at 06-30 for all three: 0 → 83.33.
  const double t1 = 172 / 30.4375 / 24 * 100, t2 = 146 / 30.4375 / 24 * 100,
               t4 = 121 / 30.4375 / 24 * 100, m = 250.0 / 3;
  const double c1 = (10 + 80 + 50 + 0 + 100 + t1 + m) / 7;
  const double c2 = (0 + 100 + 100 + 200.0 / 3 + 100 + 200.0 / 3 + t2 + m) / 8;
  const double c4 = (5 + 90 + 0 + 100 + t4 + m) / 6;
  // c4 ≈ 49.15 < c1 ≈ 49.55 < c2 ≈ 67.08.
  std::vector<std::string> ids;
  std::vector<double> scores;
  std::vector<std::string> bands;
  simdjson::dom::array list;
  REQUIRE(h["customers"].get(list) == simdjson::SUCCESS);
  for (simdjson::dom::element e : list) {
    ids.push_back(Report::string(e["customer"]));
    scores.push_back(*Report::number(e["score"]));
    bands.push_back(Report::string(e["band"]));
  }
  CHECK(ids == std::vector<std::string>{"c4", "c1", "c2"});
  CHECK(near(scores, {c4, c1, c2}));
  CHECK(bands == std::vector<std::string>{"red", "red", "yellow"});
  CHECK(Report::number(h["mean_score"]) == Approx((c1 + c2 + c4) / 3));
  CHECK(Report::count(h["counts"]["red"]) == 2);
  CHECK(Report::count(h["counts"]["yellow"]) == 1);
  CHECK(Report::count(h["counts"]["green"]) == 0);
  CHECK(Report::counts(h["histogram"]["counts"]) ==
        std::vector<uint64_t>{0, 0, 0, 0, 2, 0, 1, 0, 0, 0});
  // Region (blank), EU, US: c1 EU red, c4 US red, c2 US yellow.
  CHECK(Report::counts(h["breakdowns"]["Region"]["red"]) == std::vector<uint64_t>{0, 1, 1});
  CHECK(Report::counts(h["breakdowns"]["Region"]["yellow"]) == std::vector<uint64_t>{0, 0, 1});
  CHECK(Report::counts(h["breakdowns"]["Region"]["green"]) == std::vector<uint64_t>{0, 0, 0});
  // Components: customers that have each one.
  std::vector<uint64_t> have;
  simdjson::dom::array components;
  REQUIRE(h["components"].get(components) == simdjson::SUCCESS);
  for (simdjson::dom::element e : components) have.push_back(Report::count(e["customers"]));
  CHECK(have == std::vector<uint64_t>{3, 3, 2, 2, 2, 3, 3, 3});
  // c1's row: raw, normalised, contributions (÷ 7 components).
  auto row = list.at(1);
  CHECK(near(numbers_of(row["raw"]), {2, 2, 50, kNull, 50, 0, 172 / 30.4375, 0}));
  CHECK(near(numbers_of(row["normalised"]), {10, 80, 50, kNull, 0, 100, t1, m}));
  CHECK(near(numbers_of(row["contribution"]),
             {10.0 / 7, 80.0 / 7, 50.0 / 7, kNull, 0, 100.0 / 7, t1 / 7, m / 7}));
}

TEST_CASE("Configured components, weights, bands and the worst-component model",
          "[customers][activity][health]") {
  const std::string components =
      R"("components": [{"id": "usage_events", "weight": 3, "days": 14, "full": 10},
                        {"id": "nps", "weight": 2}, {"id": "tickets"}],
         "bands": {"yellow": 20, "green": 30})";
  // usage_events over 14 days (06-17..06-30; 0 → 10): c1 1 (06-20) → 10; c2, c4 0 → 0.
  // nps (6 → 9): c1 none; c2 8 → 66.67; c4 3 → 0. tickets (10 → 0): c1 2 → 80, c2 0 → 100, c4 1
  // → 90.
  SECTION("weighted_mean") {
    std::string csv;
    Report r(
        activity_report(activity_config(R"("health": {)" + components + "}"), kAllFiles, 0, &csv));
    Customers c(r);
    // c1 = (3 × 10 + 80) ÷ 4 = 27.5 (yellow); c2 = (0 + 2 × 200/3 + 100) ÷ 6 = 350/9 (green);
    // c4 = (0 + 0 + 90) ÷ 6 = 15 (red).
    auto list = c.section()["health"]["customers"];
    CHECK(Report::string(list.at(0)["customer"]) == "c4");
    CHECK(Report::number(list.at(0)["score"]) == Approx(15));
    CHECK(Report::string(list.at(1)["band"]) == "yellow");
    CHECK(Report::number(list.at(2)["score"]) == Approx(350.0 / 9));
    CHECK(Report::string(list.at(2)["band"]) == "green");
    // Contributions add up to the score: c2 0 + 400/18 + 100/6.
    CHECK(near(numbers_of(list.at(2)["contribution"]), {0, 400.0 / 18, 100.0 / 6}));
    // The CSV: every scored customer, lowest first, empty cells for a missing component.
    std::istringstream lines(csv);
    std::string header, first, second, third, rest;
    std::getline(lines, header);
    std::getline(lines, first);
    std::getline(lines, second);
    std::getline(lines, third);
    CHECK(header ==
          "customer,score,band,usage_events_raw,usage_events_normalised,usage_events_contribution,"
          "nps_raw,nps_normalised,nps_contribution,tickets_raw,tickets_normalised,"
          "tickets_contribution");
    CHECK(first == "c4,15,red,0,0,0,3,0,0,1,90,15");
    CHECK(second == "c1,27.5,yellow,1,10,7.5,,,,2,80,20");
    CHECK(third.rfind("c2,", 0) == 0);
    CHECK_FALSE(std::getline(lines, rest));
  }
  SECTION("worst_component") {
    Report r(activity_report(
        activity_config(R"("health": {"model": "worst_component", )" + components + "}")));
    Customers c(r);
    auto list = c.section()["health"]["customers"];
    // c1 min(10, 80) = 10; c2 min(0, 66.67, 100) = 0; c4 min(0, 0, 90) = 0, the first component
    // (usage_events) decides the tie. Ties by id: c2 before c4.
    CHECK(Report::string(list.at(0)["customer"]) == "c2");
    CHECK(Report::string(list.at(1)["customer"]) == "c4");
    CHECK(Report::string(list.at(2)["customer"]) == "c1");
    CHECK(Report::number(list.at(2)["score"]) == 10);
    CHECK(numbers_of(list.at(1)["contribution"]) == std::vector<double>{0, 0, 0});
    CHECK(numbers_of(list.at(2)["contribution"]) == std::vector<double>{10, kNull, 0});
    CHECK(Report::string(c.section()["health"]["model"]) == "worst_component");
  }
}

TEST_CASE("max_listed caps the list, not the CSV", "[customers][activity][health]") {
  std::string csv;
  Report r(activity_report(activity_config(R"("health": {"max_listed": 1})"), kAllFiles, 0, &csv));
  Customers c(r);
  CHECK(Report::count(c.section()["health"]["listed"]) == 1);
  CHECK(Report::count(c.section()["health"]["scored"]) == 3);
  CHECK(std::count(csv.begin(), csv.end(), '\n') == 4);  // header + 3
}

TEST_CASE("The customers section does not depend on file order or chunk size",
          "[customers][activity]") {
  const std::string whole = Report(activity_report(activity_config())).json_of("customers");
  REQUIRE(whole != "<missing>");
  // Customer-success files in another order (the survey still before the tickets).
  std::vector<std::string> reordered = {"events.csv",  "survey.csv",        "orders.csv",
                                        "tickets.csv", "subscriptions.csv", "customers.csv"};
  Report other(activity_report(activity_config(), reordered));
  CHECK(other.json_of("customers") == whole);
  CHECK(Report(activity_report(activity_config(), kAllFiles, 7)).json_of("customers") == whole);
}

TEST_CASE("An email shared by two customers goes to the id that sorts first",
          "[customers][activity][health]") {
  TicketDataset d(R"({"customers": {"as_of": "2024-06-30"}})");
  feed_file(d, "customers.csv",
            "Customer ID,Email,Signup Date\nb2,x@y.com,2024-01-01\na1,X@Y.com,2024-02-01\n");
  feed_file(d, "tickets.csv", "Id,Created at,Status,Requester\n1,2024-06-01 09:00,open,x@y.com\n");
  Report r(d.report_json());
  Customers c(r);
  auto join = c.section()["health"]["join"];
  CHECK(Report::count(join["by_email"]) == 1);
  CHECK(Report::count(join["ambiguous_emails"]) == 1);
  // Both customers are scored (no subscriptions, no snapshot); a1 has the ticket.
  CHECK(Report::count(c.section()["health"]["scored"]) == 2);
  auto list = c.section()["health"]["customers"];
  for (size_t i = 0; i < 2; ++i) {
    std::string id = Report::string(list.at(i)["customer"]);
    INFO(id);
    // Components in default order: tickets is the second.
    CHECK(Report::number(list.at(i)["raw"].at(1)) == (id == "a1" ? 1 : 0));
  }
}

TEST_CASE("Order and event rows with blank or bad cells are rejected", "[customers][activity]") {
  TicketDataset d(R"({"customers": {"as_of": "2024-06-30"}})");
  feed_file(d, "orders.csv",
            "Customer ID,Order Date,Order Total\nc1,2024-01-15,40\nc1,,10\nc1,2024-02-01,x\n"
            "c1,2024-02-02,-5\nc1,2024-02-03,0\n");
  feed_file(d, "events.csv",
            "Customer ID,Event,Timestamp\nc1,login,2024-01-11\nc1,,2024-01-12\n"
            "c1,login,\n");
  Report r(d.report_json());
  Customers c(r);
  CHECK(Report::count(r.file(0)["rows_used"]) == 2);  // 40 and the order of 0
  CHECK(Report::count(r.file(0)["rows_rejected"]) == 3);
  CHECK(Report::count(r.file(1)["rows_used"]) == 1);
  CHECK(Report::count(r.file(1)["rows_rejected"]) == 2);
  CHECK(c.count("orders") == 2);
  CHECK(c.value("repeat_purchase_rate") == 100);  // an order of 0 is an order
}

TEST_CASE("Orders and events split over two files each give the same customers section",
          "[customers][activity]") {
  const std::string whole = Report(activity_report(activity_config())).json_of("customers");
  // Each file's header, then its rows split in two halves, each half a file of its own.
  auto halves = [](const std::string& text) {
    const size_t header_end = text.find('\n') + 1;
    const std::string header = text.substr(0, header_end);
    std::vector<size_t> starts;
    for (size_t at = header_end; at < text.size(); at = text.find('\n', at) + 1) {
      starts.push_back(at);
      if (text.find('\n', at) == std::string::npos) break;
    }
    const size_t middle = starts[starts.size() / 2];
    return std::pair{text.substr(0, middle), header + text.substr(middle)};
  };
  TicketDataset d(activity_config());
  for (const std::string& name : kAllFiles) {
    const std::string text = activity_fixture(name);
    if (name == "orders.csv" || name == "events.csv") {
      auto [first, second] = halves(text);
      feed_file(d, "a_" + name, first);
      feed_file(d, "b_" + name, second);
    } else {
      feed_file(d, name, text);
    }
  }
  Report split(d.report_json());
  CHECK(split.json_of("customers") == whole);
}

TEST_CASE("The health CSV neutralises formula cells and quotes commas in customer ids",
          "[customers][activity][health]") {
  // A customers file alone: every customer is scored, on tenure only (to as_of 2024-03-01):
  // "=HYPERLINK(1)" 01-01 → 60 days, "a,b" 02-01 → 29 days; tenure normalised = days ÷ 30.4375 ÷ 24
  // × 100, so "a,b" is the lower score and comes first.
  TicketDataset d(
      R"({"customers": {"as_of": "2024-03-01", "health": {"components": [{"id": "tenure"}]}}})");
  feed_file(d, "customers.csv",
            "Customer ID,Signup Date\n=HYPERLINK(1),2024-01-01\n\"a,b\",2024-02-01\n");
  d.report_json();
  const std::string csv = health_csv(d.customers(), d.failed());
  std::istringstream lines(csv);
  std::string header, first, second;
  std::getline(lines, header);
  std::getline(lines, first);
  std::getline(lines, second);
  CHECK(header == "customer,score,band,tenure_raw,tenure_normalised,tenure_contribution");
  // No periods (a customers file alone), so the section's day is the config's, as the score's is.
  Report report(d.report_json());
  std::string_view as_of, health_as_of;
  REQUIRE(report.root()["customers"]["as_of"].get(as_of) == simdjson::SUCCESS);
  REQUIRE(report.root()["customers"]["health"]["as_of"].get(health_as_of) == simdjson::SUCCESS);
  CHECK(as_of == "2024-03-01");
  CHECK(health_as_of == "2024-03-01");
  CHECK(first.rfind("\"a,b\",", 0) == 0);
  CHECK(second.rfind("'=HYPERLINK(1),", 0) == 0);
  // Numbers are written as they are: 29 ÷ 30.4375 months.
  CHECK(first.find(",red,") != std::string::npos);
  const size_t raw_at = first.find(",red,") + 5;
  CHECK(std::stod(first.substr(raw_at)) == Approx(29 / 30.4375));
}

TEST_CASE("Time to value past the exact cap comes from the sketch and says it is approximate",
          "[customers][activity]") {
  // 100,050 customers (over the 100,000 exact values of a group), each reaching the value event
  // i % 101 days after its 2024-01-01 signup. The exact type-7 quantiles are computed here from the
  // same days; the sketch's are within its 1 % relative error.
  constexpr int kCustomers = 100050;
  std::string customers = "Customer ID,Signup Date\n";
  std::string events = "Customer ID,Event,Timestamp\n";
  std::vector<double> days;
  for (int i = 0; i < kCustomers; ++i) {
    const int day = i % 101;
    days.push_back(day);
    customers += "c" + std::to_string(i) + ",2024-01-01\n";
    // 2024-01-01 + day: January has 31 days, February 29 (2024), March 31, April 30.
    int month = 1, dom = 1 + day;
    for (const int length : {31, 29, 31, 30}) {
      if (dom <= length) break;
      dom -= length;
      ++month;
    }
    char date[32];
    std::snprintf(date, sizeof date, "2024-%02d-%02d", month, dom);
    events += "c" + std::to_string(i) + ",report_created," + date + "\n";
  }
  const auto type7 = [&](double p) {
    std::vector<double> sorted = days;
    std::sort(sorted.begin(), sorted.end());
    const double h = (static_cast<double>(sorted.size()) - 1) * p;
    const size_t lo = static_cast<size_t>(h);
    return sorted[lo] + (h - static_cast<double>(lo)) *
                            (sorted[std::min(lo + 1, sorted.size() - 1)] - sorted[lo]);
  };
  TicketDataset d(R"({"customers": {"as_of": "2024-06-30", "value_event": "report_created"}})");
  feed_file(d, "customers.csv", customers);
  feed_file(d, "events.csv", events);
  Report report(d.report_json());
  simdjson::dom::array kpis;
  REQUIRE(report.root()["customers"]["kpis"].get(kpis) == simdjson::SUCCESS);
  int checked = 0;
  for (simdjson::dom::element kpi : kpis) {
    std::string_view id;
    REQUIRE(kpi["id"].get(id) == simdjson::SUCCESS);
    if (id != "time_to_value_median" && id != "time_to_value_p90") continue;
    const double exact = type7(id == "time_to_value_median" ? 0.5 : 0.9);
    double value = 0;
    bool approximate = false;
    REQUIRE(kpi["value"].get(value) == simdjson::SUCCESS);
    REQUIRE(kpi["approximate"].get(approximate) == simdjson::SUCCESS);
    INFO(id << ": " << value << " against exact " << exact);
    CHECK(approximate);
    CHECK(std::abs(value - exact) <= 0.01 * exact);
    ++checked;
  }
  CHECK(checked == 2);
}
