// ticket_dataset: hand-checked fixtures fed through TicketDataset, config effects, and
// streaming/merge invariants. The expected figures are worked out by hand in the comment block
// above each fixture's tests, from the definitions in ticket_kpis.cpp and ticket_dataset.cpp.
#include "ticket_dataset.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <random>

#include "report_reader.h"

namespace kpilens {
namespace {

using test::any_contains;
using test::feed_file;
using test::kNull;
using test::or_null;
using test::read_fixture;
using test::Report;
using test::report_for;

constexpr double kTight = 1e-12;  // relative epsilon for values that are not exact in binary

// =====================================================================================================
// Fixture 1: tests/fixtures/zendesk_tickets.csv — a Zendesk view export, 13 tickets, ISO weeks
// 10–12 of 2024 (W10 = Mon 03-04 … Sun 03-10, W11 = 03-11 … 03-17, W12 = 03-18 … 03-24), config by
// channel.
//
//  #  Via    created      solved at    status  sat          repl reop FRT(min) full res(min → h)
//  1  Email  W10 03-04    03-04 (W10)  Closed  Good          1    0    30     120 →   2
//  2  Email  W10 03-05    03-06 (W10)  Closed  Bad           3    1    90    1440 →  24
//  3  Web    W10 03-06    03-06 (W10)  Solved  Good          1    0    10      60 →   1
//  4  Web    W10 03-08    03-11 (W11)  Solved  Offered       2    0   240    4320 →  72
//  5  Email  W11 03-11    03-11 (W11)  Closed  Not Offered   1    0    20     240 →   4
//  6  Web    W11 03-12    03-12 (W11)  Solved  Good          0    0     —      30 →   0.5
//  7  Email  W11 03-13    03-18 (W12)  Solved  Good          2    1    60    7200 → 120
//  8  Web    W11 03-15    03-19 (W12)  Solved  Offered       1    0    45    5760 →  96
//  9  Email  W12 03-18    03-18 (W12)  Closed  Bad           1    2    15      90 →   1.5
// 10  Web    W12 03-19    03-21 (W12)  Solved  Good          1    0     5    2880 →  48
// 11  Email  W12 03-20    —            Open    Not Offered   1    0   120       —
// 12  Web    W12 03-21    03-21 (W12)  Solved  Offered       4    0   180     480 →   8
// 13  Email  W12 03-22    03-22 (W12)  Solved  Good          1    0    12      30 →   0.5
//
// tickets = 13; solved = 12 (all but #11).
// csat (top-2-box): Good = #1 3 6 7 10 13 = 6, Bad = #2 9 = 2 → responses 8, 6 ÷ 8 = 75 %.
// csat_score: no numeric score → null, n 0.
// survey_response_rate: offer markers present → offered = 3 Offered + 8 answered = 11; 8 ÷ 11 =
//   72.727… %, n 11.
// fcr: solved with replies = 1 and reopens = 0: #1 3 5 8 10 13 = 6 of 12 solved = 50 %, n 12.
// fcr_all_tickets: 6 ÷ 13 = 46.153… %, n 13.
// one_touch_rate: solved with replies < 2: #1 3 5 6 8 9 10 13 = 8 of 12 = 66.666… %, n 12.
// reopen_rate: solved with reopens > 0: #2 7 9 = 3 of 12 = 25 %, n 12.
// first_response_time (min), n 12: sorted 5 10 12 15 20 30 45 60 90 120 180 240, Σ = 827.
//   mean 827 ÷ 12 = 68.9166…; median h = 11 × 0.5 = 5.5 → 30 + 0.5 × 15 = 37.5;
//   p90 h = 11 × 0.9 = 9.9 → 120 + 0.9 × 60 = 174.
// resolution_time (h), n 12: sorted 0.5 0.5 1 1.5 2 4 8 24 48 72 96 120, Σ = 377.5.
//   mean 377.5 ÷ 12 = 31.4583…; median h = 5.5 → 4 + 0.5 × 4 = 6; p90 h = 9.9 → 72 + 0.9 × 24
//   = 93.6.
// resolution_rate: 12 ÷ 13 = 92.307… %, n 13.   backlog: 13 − 12 = 1, n 13.
// nps, ces, cost_per_ticket: no column → available false, value null.
//
// Weekly (W10, W11, W12):
//   tickets 4, 4, 5.
//   csat: W10 Good #1 3, Bad #2 → 2 ÷ 3 = 66.67 %; W11 Good #6 7 → 2 ÷ 2 = 100 %;
//         W12 Bad #9, Good #10 13 → 2 ÷ 3 = 66.67 %. n 3, 2, 3.
//   backlog (created by period end − solved by period end):
//         W10: created 4, solved #1 2 3 = 3 → 1; W11: created 8, solved + #4 5 6 = 6 → 2;
//         W12: created 13, solved + #7 8 9 10 12 13 = 12 → 1. n (created so far) 4, 8, 13.
// By channel (segments sorted: Email, Web):
//   tickets 7, 6. csat Email Good 3 / Bad 2 → 60 % (n 5); Web Good 3 / Bad 0 → 100 % (n 3).
//   backlog Email 1 (#11), Web 0. fcr Email #1 5 13 of 6 solved = 50 %, Web #3 8 10 of 6 = 50 %.
// =====================================================================================================

constexpr std::string_view kByChannel = R"({"by": ["channel"]})";

Report zendesk_report(std::string_view config = kByChannel) {
  return Report(report_for(config, read_fixture("zendesk_tickets.csv"), 0, "zendesk_tickets.csv"));
}

TEST_CASE("Zendesk fixture: volume, CSAT and survey response rate match the hand computation",
          "[dataset][zendesk]") {
  Report r = zendesk_report();
  REQUIRE(r.valid());
  CHECK(Report::flag(r.root()["ok"]));
  CHECK(or_null(r.value("tickets")) == 13);
  CHECK(r.n("tickets") == 13);
  CHECK(or_null(r.value("csat")) == 75);
  CHECK(r.n("csat") == 8);
  CHECK(or_null(r.extra("csat", "satisfied")) == 6);
  CHECK(or_null(r.extra("csat", "responses")) == 8);
  CHECK(r.available("csat_score"));
  CHECK_FALSE(r.value("csat_score").has_value());
  CHECK(r.n("csat_score") == 0);
  CHECK(or_null(r.value("survey_response_rate")) == Approx(800.0 / 11).epsilon(kTight));
  CHECK(r.n("survey_response_rate") == 11);
}

TEST_CASE("Zendesk fixture: FCR, one-touch and reopen rates match the hand computation",
          "[dataset][zendesk]") {
  Report r = zendesk_report();
  CHECK(or_null(r.value("fcr")) == 50);
  CHECK(r.n("fcr") == 12);
  CHECK(or_null(r.value("fcr_all_tickets")) == Approx(600.0 / 13).epsilon(kTight));
  CHECK(r.n("fcr_all_tickets") == 13);
  CHECK(or_null(r.value("one_touch_rate")) == Approx(800.0 / 12).epsilon(kTight));
  CHECK(r.n("one_touch_rate") == 12);
  CHECK(or_null(r.value("reopen_rate")) == 25);
  CHECK(r.n("reopen_rate") == 12);
}

TEST_CASE("Zendesk fixture: first response and resolution times match the hand computation",
          "[dataset][zendesk]") {
  Report r = zendesk_report();
  CHECK(or_null(r.value("first_response_time_mean")) == Approx(827.0 / 12).epsilon(kTight));
  CHECK(or_null(r.value("first_response_time_median")) == 37.5);
  CHECK(or_null(r.value("first_response_time_p90")) == Approx(174).epsilon(kTight));
  CHECK(r.n("first_response_time_mean") == 12);
  CHECK(r.n("first_response_time_p90") == 12);
  CHECK(or_null(r.value("resolution_time_mean")) == Approx(377.5 / 12).epsilon(kTight));
  CHECK(or_null(r.value("resolution_time_median")) == 6);
  CHECK(or_null(r.value("resolution_time_p90")) == Approx(93.6).epsilon(kTight));
  CHECK(r.n("resolution_time_median") == 12);
}

TEST_CASE("Zendesk fixture: resolution rate and backlog match the hand computation",
          "[dataset][zendesk]") {
  Report r = zendesk_report();
  CHECK(or_null(r.value("resolution_rate")) == Approx(1200.0 / 13).epsilon(kTight));
  CHECK(r.n("resolution_rate") == 13);
  CHECK(or_null(r.value("backlog")) == 1);
  CHECK(r.n("backlog") == 13);
}

TEST_CASE("Zendesk fixture: KPIs without a column are unavailable and null", "[dataset][zendesk]") {
  Report r = zendesk_report();
  for (std::string_view id : {"nps", "ces", "cost_per_ticket"}) {
    CAPTURE(id);
    CHECK_FALSE(r.available(id));
    CHECK_FALSE(r.value(id).has_value());
    CHECK(r.series_is_null(id));
  }
  CHECK(r.text("nps", "needs") == "nps");
  CHECK(r.text("cost_per_ticket", "needs") == "cost (or config cost.total)");
}

TEST_CASE("Zendesk fixture: weekly series of tickets, CSAT and backlog", "[dataset][zendesk]") {
  Report r = zendesk_report();
  CHECK(r.period_keys() == std::vector<std::string>{"2024-W10", "2024-W11", "2024-W12"});
  CHECK(or_null(r.series("tickets")) == std::vector<double>{4, 4, 5});
  auto csat = or_null(r.series("csat"));
  REQUIRE(csat.size() == 3);
  CHECK(csat[0] == Approx(200.0 / 3).epsilon(kTight));
  CHECK(csat[1] == 100);
  CHECK(csat[2] == Approx(200.0 / 3).epsilon(kTight));
  CHECK(r.series_n("csat") == std::vector<uint64_t>{3, 2, 3});
  CHECK(or_null(r.series("backlog")) == std::vector<double>{1, 2, 1});
  CHECK(r.series_n("backlog") == std::vector<uint64_t>{4, 8, 13});
}

TEST_CASE("Zendesk fixture: breakdown by channel", "[dataset][zendesk]") {
  Report r = zendesk_report();
  CHECK(r.segment_values("channel") == std::vector<std::string>{"Email", "Web"});
  CHECK(or_null(r.breakdown("tickets", "channel")) == std::vector<double>{7, 6});
  CHECK(or_null(r.breakdown("csat", "channel")) == std::vector<double>{60, 100});
  CHECK(r.breakdown_n("csat", "channel") == std::vector<uint64_t>{5, 3});
  CHECK(or_null(r.breakdown("backlog", "channel")) == std::vector<double>{1, 0});
  CHECK(or_null(r.breakdown("fcr", "channel")) == std::vector<double>{50, 50});
}

TEST_CASE("Zendesk fixture: duration columns are mapped in minutes from their headers",
          "[dataset][zendesk]") {
  Report r = zendesk_report();
  auto file = r.file(0);
  CHECK(Report::string(file["delimiter"]) == ",");
  CHECK(Report::count(file["rows"]) == 13);
  CHECK(Report::count(file["rows_used"]) == 13);
  simdjson::dom::array mapping;
  REQUIRE(file["mapping"].get(mapping) == simdjson::SUCCESS);
  bool first_reply = false, full_resolution = false;
  for (simdjson::dom::element m : mapping) {
    std::string field = Report::string(m["field"]);
    if (field == "first_response_time") {
      first_reply = true;
      CHECK(Report::string(m["column"]) == "First reply time in minutes");
      CHECK(Report::string(m["unit"]) == "minutes");
      CHECK(Report::string(m["how"]) == "preset");  // the Zendesk preset names the unit
    }
    if (field == "resolution_time") {
      full_resolution = true;
      CHECK(Report::string(m["column"]) == "Full resolution time in minutes");
    }
  }
  CHECK(first_reply);
  CHECK(full_resolution);
}

// =====================================================================================================
// Fixture 2: tests/fixtures/generic_tickets.csv — a hand-made sheet: ISO timestamps with Z, numeric
// CSAT 1–5, NPS 0–10, CES 1–7, a cost column and a yes/no "resolved_on_first_contact" column (no
// replies or reopens). ISO weeks W01 = 2024-01-01 … 01-07, W02 = 01-08 … 01-14, W03 = 01-15 …
// 01-21.
//
//  #  created     1st resp     solved       status   chan   csat nps ces cost  fcr  FRT(min) res(h)
//  1  01-01 09:00 01-01 09:30  01-01 13:00  solved   email   5   10   7  12.5  yes     30      4
//  2  01-02 10:00 01-02 12:00  01-03 10:00  solved   phone   4    9   6  20    no     120     24
//  3  01-03 08:00 01-03 08:15  01-03 09:00  closed   chat    3    7   4   7.5  yes     15      1
//  4  01-05 16:00 01-08 09:00  01-09 16:00  solved   email   2    3   2  30    no    3900     96
//  5  01-08 09:00 01-08 09:05  01-08 10:00  solved   chat    5   10   7   5    yes      5      1
//  6  01-09 11:00 01-09 13:00  —            open     email   —    8   —  15    —      120      —
//  7  01-10 14:00 01-10 14:45  01-15 14:00  solved   phone   1    0   1  25    no      45    120
//  8  01-15 09:00 01-15 10:00  01-15 21:00  solved   chat    4    6   5  10    yes     60     12
//  9  01-16 12:00 —            01-18 18:00  resolved email   —    —   —   —    —        —     54
// 10  01-17 08:00 01-17 08:20  01-17 12:00  solved   email   5    9   6  14.5  yes     20      4
// (#4's first response: 01-05 16:00 → 01-08 09:00 = 65 h = 3900 min.)
//
// tickets 10; solved 9 (all but #6).
// csat: scores 5 4 3 2 5 1 4 5 (n 8); ≥ 4: 5 4 5 4 5 = 5 → 5 ÷ 8 = 62.5 %.
// csat_score: Σ = 29 → 29 ÷ (8 × 5) × 100 = 72.5 %; mean_score 29 ÷ 8 = 3.625.
// nps: 10 9 7 3 10 8 0 6 9 (n 9); promoters 10 9 10 9 = 4, passives 7 8 = 2, detractors 3 0 6 = 3.
//   NPS = (4 − 3) ÷ 9 × 100 = 11.11…; p = 4/9, d = 3/9: p + d − (p − d)² = 7/9 − 1/81 = 62/81;
//   ÷ 9 = 62/729; margin = 196 × √62 ÷ 27 = 196 × 7.874007874011811 ÷ 27 = 57.159464566900…
// ces: 7 6 4 2 7 1 5 6 (n 8), Σ = 38 → mean 4.75; easy (≥ 5) 7 6 7 5 6 = 5 → 62.5 %.
// survey_response_rate: no offer markers → responses 8 ÷ solved 9 = 88.88… %, n 9.
// fcr (yes/no column): known on solved #1–5, 7, 8, 10 = 8; yes = #1 3 5 8 10 = 5 → 62.5 %, n 8.
// fcr_all_tickets: 5 ÷ 10 = 50 %, n 10.   one_touch_rate, reopen_rate: no replies/reopens →
// unavailable. first_response_time (min), n 9: sorted 5 15 20 30 45 60 120 120 3900, Σ = 4315 →
// mean 479.44…;
//   median h = 8 × 0.5 = 4 → 45; p90 h = 8 × 0.9 = 7.2 → 120 + 0.2 × 3780 = 876.
// resolution_time (h), n 9: sorted 1 1 4 4 12 24 54 96 120, Σ = 316 → mean 35.11…; median 12;
//   p90 h = 7.2 → 96 + 0.2 × 24 = 100.8.
// resolution_rate 9 ÷ 10 = 90 %; backlog 1 (n 10); cost_per_ticket: Σ 139.5 over 9 costs = 15.5.
// Weekly (W01, W02, W03): tickets 4, 3, 3.
//   csat: W01 5 4 3 2 → 2 ÷ 4 = 50 %; W02 5 1 → 1 ÷ 2 = 50 %; W03 4 5 → 100 %.
//   backlog: W01 created 4, solved #1 2 3 → 1; W02 created 7, solved + #4 5 → 5 → 2;
//            W03 created 10, solved + #7 8 9 10 → 9 → 1.
// By channel (chat, email, phone): tickets 3, 5, 2.
//   nps chat 7 10 6 → (1 − 1) ÷ 3 = 0; email 10 3 8 9 → (2 − 1) ÷ 4 = 25; phone 9 0 → 0.
//   cost chat (7.5 + 5 + 10) ÷ 3 = 7.5; email (12.5 + 30 + 15 + 14.5) ÷ 4 = 18; phone 45 ÷ 2
//   = 22.5.
// =====================================================================================================

Report generic_report(std::string_view config = kByChannel) {
  return Report(report_for(config, read_fixture("generic_tickets.csv"), 0, "generic_tickets.csv"));
}

TEST_CASE("Generic fixture: CSAT top-2-box and mean-based score", "[dataset][generic]") {
  Report r = generic_report();
  REQUIRE(r.valid());
  CHECK(or_null(r.value("tickets")) == 10);
  CHECK(or_null(r.value("csat")) == 62.5);
  CHECK(r.n("csat") == 8);
  CHECK(or_null(r.value("csat_score")) == 72.5);
  CHECK(r.n("csat_score") == 8);
  CHECK(or_null(r.extra("csat_score", "mean_score")) == 3.625);
  CHECK(or_null(r.value("survey_response_rate")) == Approx(800.0 / 9).epsilon(kTight));
  CHECK(r.n("survey_response_rate") == 9);
}

TEST_CASE("Generic fixture: NPS with its counts and 95 % margin", "[dataset][generic]") {
  Report r = generic_report();
  CHECK(or_null(r.value("nps")) == Approx(100.0 / 9).epsilon(kTight));
  CHECK(r.n("nps") == 9);
  CHECK(or_null(r.extra("nps", "promoters")) == 4);
  CHECK(or_null(r.extra("nps", "passives")) == 2);
  CHECK(or_null(r.extra("nps", "detractors")) == 3);
  CHECK(or_null(r.extra("nps", "margin_95")) == Approx(57.1594645669).epsilon(1e-10));
}

TEST_CASE("Generic fixture: CES mean and easy share", "[dataset][generic]") {
  Report r = generic_report();
  CHECK(or_null(r.value("ces")) == 4.75);
  CHECK(r.n("ces") == 8);
  CHECK(or_null(r.extra("ces", "easy_percent")) == 62.5);
}

TEST_CASE("Generic fixture: FCR from the yes/no column, both variants", "[dataset][generic]") {
  Report r = generic_report();
  CHECK(or_null(r.value("fcr")) == 62.5);
  CHECK(r.n("fcr") == 8);
  CHECK(or_null(r.value("fcr_all_tickets")) == 50);
  CHECK(r.n("fcr_all_tickets") == 10);
  CHECK_FALSE(r.available("one_touch_rate"));
  CHECK_FALSE(r.available("reopen_rate"));
}

TEST_CASE("Generic fixture: durations from timestamps", "[dataset][generic]") {
  Report r = generic_report();
  CHECK(or_null(r.value("first_response_time_mean")) == Approx(4315.0 / 9).epsilon(kTight));
  CHECK(or_null(r.value("first_response_time_median")) == 45);
  CHECK(or_null(r.value("first_response_time_p90")) == Approx(876).epsilon(kTight));
  CHECK(r.n("first_response_time_median") == 9);
  CHECK(or_null(r.value("resolution_time_mean")) == Approx(316.0 / 9).epsilon(kTight));
  CHECK(or_null(r.value("resolution_time_median")) == 12);
  CHECK(or_null(r.value("resolution_time_p90")) == Approx(100.8).epsilon(kTight));
  CHECK(r.n("resolution_time_p90") == 9);
}

TEST_CASE("Generic fixture: resolution rate, backlog and cost per ticket", "[dataset][generic]") {
  Report r = generic_report();
  CHECK(or_null(r.value("resolution_rate")) == 90);
  CHECK(r.n("resolution_rate") == 10);
  CHECK(or_null(r.value("backlog")) == 1);
  CHECK(or_null(r.value("cost_per_ticket")) == 15.5);
  CHECK(r.n("cost_per_ticket") == 9);
}

TEST_CASE("Generic fixture: weekly series and breakdown by channel", "[dataset][generic]") {
  Report r = generic_report();
  CHECK(r.period_keys() == std::vector<std::string>{"2024-W01", "2024-W02", "2024-W03"});
  CHECK(or_null(r.series("tickets")) == std::vector<double>{4, 3, 3});
  CHECK(or_null(r.series("csat")) == std::vector<double>{50, 50, 100});
  CHECK(r.series_n("csat") == std::vector<uint64_t>{4, 2, 2});
  CHECK(or_null(r.series("backlog")) == std::vector<double>{1, 2, 1});
  CHECK(r.segment_values("channel") == std::vector<std::string>{"chat", "email", "phone"});
  CHECK(or_null(r.breakdown("tickets", "channel")) == std::vector<double>{3, 5, 2});
  CHECK(or_null(r.breakdown("nps", "channel")) == std::vector<double>{0, 25, 0});
  CHECK(r.breakdown_n("nps", "channel") == std::vector<uint64_t>{3, 4, 2});
  CHECK(or_null(r.breakdown("cost_per_ticket", "channel")) == std::vector<double>{7.5, 18, 22.5});
}

// =====================================================================================================
// Fixture 3: tests/fixtures/european_tickets.csv — UTF-8 BOM, ';' delimiter, decimal commas
// ("4,5", "1.234,50"), DD.MM.YYYY HH:MM dates, German status words (configured as solved_statuses).
// Weeks W10 = 2024-03-04 … 03-10, W11 = 03-11 … 03-17.
//
//  #  created          solved           status       channel  CSAT  FRT(min)  res(h)  cost
//  1  04.03. 09:00 W10 04.03. 10:30 W10 Gelöst       E-Mail   5     12,5      1,5     10,00
//  2  05.03. 14:00 W10 07.03. 14:00 W10 Geschlossen  Telefon  4,5   30        48      1.234,50
//  3  07.03. 08:00 W10 —                Offen        E-Mail   —     7,5       —       5,25
//  4  11.03. 10:00 W11 11.03. 12:15 W11 Gelöst       Telefon  2     45        2,25    20
//  5  12.03. 16:00 W11 13.03. 10:00 W11 Gelöst       E-Mail   3     60        18      0,25
//  6  13.03. 09:00 W11 18.03. 09:00 W12 Geschlossen  E-Mail   4     90        120     11,00
//
// tickets 6; solved 5.
// csat: 5 4.5 2 3 4 (n 5); ≥ 4: 5 4.5 4 → 3 ÷ 5 = 60 %. csat_score: Σ 18.5 ÷ (5 × 5) × 100 = 74 %.
// survey_response_rate: 5 responses ÷ 5 solved = 100 %.
// first_response_time, n 6: sorted 7.5 12.5 30 45 60 90, Σ 245 → mean 40.833…;
//   median h = 2.5 → 30 + 0.5 × 15 = 37.5; p90 h = 4.5 → 60 + 0.5 × 30 = 75.
// resolution_time (the hours column), n 5: sorted 1.5 2.25 18 48 120, Σ 189.75 → mean 37.95;
//   median 18; p90 h = 3.6 → 48 + 0.6 × 72 = 91.2.
// resolution_rate 5 ÷ 6 = 83.33 %; backlog 1; cost: 10 + 1234.5 + 5.25 + 20 + 0.25 + 11 = 1281 ÷ 6
//   = 213.5.
// Weekly (W10, W11): tickets 3, 3; csat W10 5 4.5 → 100 % (n 2), W11 2 3 4 → 33.33 % (n 3);
//   backlog W10 3 − 2 (#1 2) = 1, W11 6 − 4 (+ #4 5; #6 leaves in W12) = 2.
// By channel (E-Mail, Telefon): tickets 4, 2; csat E-Mail 5 3 4 → 66.67 %, Telefon 4.5 2 → 50 %.
// =====================================================================================================

constexpr std::string_view kEuropeanConfig =
    R"({"by": ["channel"], "solved_statuses": ["Gelöst", "Geschlossen"]})";

Report european_report(size_t chunk = 0) {
  return Report(report_for(kEuropeanConfig, read_fixture("european_tickets.csv"), chunk,
                           "european_tickets.csv"));
}

TEST_CASE("European fixture: ';', decimal comma, BOM and day-first dates are recognised",
          "[dataset][european]") {
  Report r = european_report();
  REQUIRE(r.valid());
  auto file = r.file(0);
  CHECK(Report::string(file["delimiter"]) == ";");
  CHECK(Report::string(file["decimal_separator"]) == ",");
  CHECK(Report::string(file["encoding"]) == "utf-8-bom");
  CHECK(Report::string(file["date_order"]) == "dmy");
  CHECK(Report::count(file["rows_used"]) == 6);
  CHECK(r.period_keys() == std::vector<std::string>{"2024-W10", "2024-W11"});
}

TEST_CASE("European fixture: overall KPIs match the hand computation", "[dataset][european]") {
  Report r = european_report();
  CHECK(or_null(r.value("tickets")) == 6);
  CHECK(or_null(r.value("csat")) == 60);
  CHECK(r.n("csat") == 5);
  CHECK(or_null(r.value("csat_score")) == 74);
  CHECK(or_null(r.value("survey_response_rate")) == 100);
  CHECK(r.n("survey_response_rate") == 5);
  CHECK(or_null(r.value("first_response_time_mean")) == Approx(245.0 / 6).epsilon(kTight));
  CHECK(or_null(r.value("first_response_time_median")) == 37.5);
  CHECK(or_null(r.value("first_response_time_p90")) == 75);
  CHECK(r.n("first_response_time_mean") == 6);
  CHECK(or_null(r.value("resolution_time_mean")) == Approx(37.95).epsilon(kTight));
  CHECK(or_null(r.value("resolution_time_median")) == 18);
  CHECK(or_null(r.value("resolution_time_p90")) == Approx(91.2).epsilon(kTight));
  CHECK(r.n("resolution_time_mean") == 5);
  CHECK(or_null(r.value("resolution_rate")) == Approx(500.0 / 6).epsilon(kTight));
  CHECK(or_null(r.value("backlog")) == 1);
  CHECK(or_null(r.value("cost_per_ticket")) == 213.5);
  CHECK(r.n("cost_per_ticket") == 6);
  CHECK_FALSE(r.available("fcr"));
  CHECK_FALSE(r.available("nps"));
}

TEST_CASE("European fixture: weekly series and breakdown by channel", "[dataset][european]") {
  Report r = european_report();
  CHECK(or_null(r.series("tickets")) == std::vector<double>{3, 3});
  auto csat = or_null(r.series("csat"));
  REQUIRE(csat.size() == 2);
  CHECK(csat[0] == 100);
  CHECK(csat[1] == Approx(100.0 / 3).epsilon(kTight));
  CHECK(or_null(r.series("backlog")) == std::vector<double>{1, 2});
  CHECK(r.segment_values("channel") == std::vector<std::string>{"E-Mail", "Telefon"});
  CHECK(or_null(r.breakdown("tickets", "channel")) == std::vector<double>{4, 2});
  auto by_channel = or_null(r.breakdown("csat", "channel"));
  REQUIRE(by_channel.size() == 2);
  CHECK(by_channel[0] == Approx(200.0 / 3).epsilon(kTight));
  CHECK(by_channel[1] == 50);
}

// =====================================================================================================
// Fixture 4: tests/fixtures/day_first_tickets.csv — DD/MM/YYYY dates; the order must be inferred:
// 15/02, 16/02, 13/02 and 19/02 can only be day-first. Freshdesk-style "First response time (in
// hrs)" cells written HH:MM:SS. Weeks W06 = 2024-02-05 … 02-11, W07 = 02-12 … 02-18.
//
//  #  created         resolved        status    channel FRT        res(h)  rating
//  1  05/02 09:00 W06 05/02 17:00 W06 Closed    email   00:30 = 30    8      5
//  2  06/02 10:00 W06 08/02 10:00 W06 Closed    chat    02:00 = 120  48      4
//  3  09/02 15:00 W06 13/02 15:00 W07 Resolved  email   01:15 = 75   96      2
//  4  12/02 08:00 W07 12/02 09:00 W07 Closed    chat    00:10 = 10    1      3
//  5  15/02 11:00 W07 —               Open      email   —             —      —
//  6  16/02 13:00 W07 19/02 13:00 W08 Closed    chat    04:00 = 240  72      5
//
// tickets 6; solved 5. csat: 5 4 2 3 5 → ≥ 4: 3 ÷ 5 = 60 %; csat_score Σ 19 ÷ 25 × 100 = 76 %.
// first_response_time, n 5: sorted 10 30 75 120 240, Σ 475 → mean 95; median 75;
//   p90 h = 3.6 → 120 + 0.6 × 120 = 192.
// resolution_time, n 5: sorted 1 8 48 72 96, Σ 225 → mean 45; median 48; p90 → 72 + 0.6 × 24
// = 86.4. resolution_rate 5 ÷ 6; backlog 1. Weekly (W06, W07): tickets 3, 3; csat W06 5 4 2 → 66.67
// %, W07 3 5 → 50 %;
//   backlog W06 3 − 2 (#1 2) = 1; W07 6 − 4 (+ #3 4; #6 leaves in W08) = 2.
// By channel (chat, email): tickets 3, 3; csat chat 4 3 5 → 66.67 %, email 5 2 → 50 %.
// =====================================================================================================

Report day_first_report(std::string_view config = kByChannel) {
  return Report(
      report_for(config, read_fixture("day_first_tickets.csv"), 0, "day_first_tickets.csv"));
}

TEST_CASE("Day-first fixture: DD/MM order is inferred from a day over 12", "[dataset][day_first]") {
  Report r = day_first_report();
  REQUIRE(r.valid());
  auto file = r.file(0);
  CHECK(Report::string(file["date_order"]) == "dmy");
  CHECK(Report::flag(file["date_order_inferred"]));
  CHECK(Report::count(file["rows_used"]) == 6);
  CHECK(r.period_keys() == std::vector<std::string>{"2024-W06", "2024-W07"});
}

TEST_CASE("Day-first fixture: overall KPIs match the hand computation", "[dataset][day_first]") {
  Report r = day_first_report();
  CHECK(or_null(r.value("tickets")) == 6);
  CHECK(or_null(r.value("csat")) == 60);
  CHECK(or_null(r.value("csat_score")) == 76);
  CHECK(or_null(r.value("first_response_time_mean")) == 95);
  CHECK(or_null(r.value("first_response_time_median")) == 75);
  CHECK(or_null(r.value("first_response_time_p90")) == Approx(192).epsilon(kTight));
  CHECK(r.n("first_response_time_mean") == 5);
  CHECK(or_null(r.value("resolution_time_mean")) == 45);
  CHECK(or_null(r.value("resolution_time_median")) == 48);
  CHECK(or_null(r.value("resolution_time_p90")) == Approx(86.4).epsilon(kTight));
  CHECK(or_null(r.value("resolution_rate")) == Approx(500.0 / 6).epsilon(kTight));
  CHECK(or_null(r.value("backlog")) == 1);
}

TEST_CASE("Day-first fixture: weekly series and breakdown by channel", "[dataset][day_first]") {
  Report r = day_first_report();
  CHECK(or_null(r.series("tickets")) == std::vector<double>{3, 3});
  auto csat = or_null(r.series("csat"));
  REQUIRE(csat.size() == 2);
  CHECK(csat[0] == Approx(200.0 / 3).epsilon(kTight));
  CHECK(csat[1] == 50);
  CHECK(or_null(r.series("backlog")) == std::vector<double>{1, 2});
  CHECK(r.segment_values("channel") == std::vector<std::string>{"chat", "email"});
  CHECK(or_null(r.breakdown("tickets", "channel")) == std::vector<double>{3, 3});
  auto by_channel = or_null(r.breakdown("csat", "channel"));
  REQUIRE(by_channel.size() == 2);
  CHECK(by_channel[0] == Approx(200.0 / 3).epsilon(kTight));
  CHECK(by_channel[1] == 50);
}

TEST_CASE("Forcing month-first on a day-first file rejects the rows with a day over 12",
          "[dataset][day_first]") {
  // 15/02/2024 and 16/02/2024 (lines 6 and 7) have no month 15 or 16.
  Report r = day_first_report(R"({"date_order": "mdy"})");
  CHECK(Report::string(r.file(0)["date_order"]) == "mdy");
  CHECK(Report::count(r.input()["rows_rejected"]) == 2);
  simdjson::dom::array rejected;
  REQUIRE(r.input()["rejected"].get(rejected) == simdjson::SUCCESS);
  std::vector<uint64_t> lines;
  for (simdjson::dom::element row : rejected) lines.push_back(Report::count(row["line"]));
  CHECK(lines == std::vector<uint64_t>{6, 7});
}

// =====================================================================================================
// Config effects. Small inline files; each case says what moves where.
// =====================================================================================================

// 2024-01-31 (Jan, Q1), 2024-02-01 (Feb, Q1), 2024-03-31 23:00Z (Mar, Q1), 2024-04-01 00:30Z (Apr,
// Q2). Status only (no solved_at): a solved ticket leaves the backlog in its created period.
constexpr std::string_view kFourMonths =
    "id,created_at,status\n"
    "1,2024-01-31T10:00:00Z,solved\n"
    "2,2024-02-01T10:00:00Z,open\n"
    "3,2024-03-31T23:00:00Z,solved\n"
    "4,2024-04-01T00:30:00Z,open\n";

TEST_CASE("Grain month buckets tickets by calendar month", "[dataset][config]") {
  // Backlog: Jan 1 − 1 = 0, Feb 2 − 1 = 1, Mar 3 − 2 = 1, Apr 4 − 2 = 2.
  Report r(report_for(R"({"grain": "month"})", kFourMonths));
  CHECK(r.period_keys() == std::vector<std::string>{"2024-01", "2024-02", "2024-03", "2024-04"});
  CHECK(or_null(r.series("tickets")) == std::vector<double>{1, 1, 1, 1});
  CHECK(or_null(r.series("backlog")) == std::vector<double>{0, 1, 1, 2});
  CHECK(Report::string(r.root()["periods"]["grain"]) == "month");
  CHECK(Report::strings(r.root()["periods"]["start"]).front() == "2024-01-01");
  CHECK(Report::strings(r.root()["periods"]["end"]).front() == "2024-01-31");
}

TEST_CASE("Grain quarter buckets tickets by calendar quarter", "[dataset][config]") {
  Report r(report_for(R"({"grain": "quarter"})", kFourMonths));
  CHECK(r.period_keys() == std::vector<std::string>{"2024-Q1", "2024-Q2"});
  CHECK(or_null(r.series("tickets")) == std::vector<double>{3, 1});
  CHECK(Report::strings(r.root()["periods"]["end"]).front() == "2024-03-31");
}

TEST_CASE("Grain day lists every day from the first to the last ticket, gaps as zeros",
          "[dataset][config]") {
  // 2024-01-31 … 2024-04-01: 1 (Jan 31) + 29 (Feb, leap year) + 31 (Mar) + 1 (Apr 1) = 62 days.
  Report r(report_for(R"({"grain": "day"})", kFourMonths));
  auto keys = r.period_keys();
  REQUIRE(keys.size() == 62);
  CHECK(keys.front() == "2024-01-31");
  CHECK(keys[1] == "2024-02-01");
  CHECK(keys.back() == "2024-04-01");
  auto tickets = or_null(r.series("tickets"));
  REQUIRE(tickets.size() == 62);
  CHECK(tickets[0] == 1);
  CHECK(tickets[1] == 1);
  CHECK(tickets[2] == 0);
  CHECK(tickets[60] == 1);  // 2024-03-31
  CHECK(tickets[61] == 1);
  // A day without tickets has no resolution rate: null, not 0.
  CHECK_FALSE(r.series("resolution_rate")[2].has_value());
}

TEST_CASE("Grain all gives one period holding every ticket", "[dataset][config]") {
  Report r(report_for(R"({"grain": "all"})", kFourMonths));
  CHECK(r.period_keys() == std::vector<std::string>{"all"});
  CHECK(or_null(r.series("tickets")) == std::vector<double>{4});
  CHECK(or_null(r.series("resolution_rate")) == std::vector<double>{50});
}

TEST_CASE("utc_offset moves a ticket created just before midnight UTC into the next month",
          "[dataset][config]") {
  // 2024-03-31T23:00Z at +01:00 is 2024-04-01 00:00 local: March keeps no ticket, April has 2.
  Report r(report_for(R"({"grain": "month", "utc_offset": "+01:00"})", kFourMonths));
  CHECK(r.period_keys() == std::vector<std::string>{"2024-01", "2024-02", "2024-03", "2024-04"});
  CHECK(or_null(r.series("tickets")) == std::vector<double>{1, 1, 0, 2});
  CHECK(Report::count(r.root()["config"]["utc_offset_minutes"]) == 60);
}

TEST_CASE("utc_offset moves a zoned timestamp to the next ISO week but reads a bare one as local",
          "[dataset][config]") {
  // Sunday 2024-03-10 23:30. With Z it is 00:30 on Monday 03-11 at +01:00 → W11. Without a zone the
  // cell is already local time (the export's clock) → stays Sunday, W10.
  constexpr std::string_view csv =
      "id,created_at\n"
      "1,2024-03-10T23:30:00Z\n"
      "2,2024-03-10 23:30:00\n";
  Report utc(report_for("{}", csv));
  CHECK(utc.period_keys() == std::vector<std::string>{"2024-W10"});
  CHECK(or_null(utc.series("tickets")) == std::vector<double>{2});
  Report shifted(report_for(R"({"utc_offset": 60})", csv));
  CHECK(shifted.period_keys() == std::vector<std::string>{"2024-W10", "2024-W11"});
  CHECK(or_null(shifted.series("tickets")) == std::vector<double>{1, 1});
}

TEST_CASE("week_start sunday starts weeks on Sunday and keys them by their first day",
          "[dataset][config]") {
  // Sat 03-09, Sun 03-10, Mon 03-11. ISO (Monday) weeks: W10 holds Sat + Sun, W11 Mon.
  // Sunday weeks: 03-03 … 03-09 holds Sat; 03-10 … 03-16 holds Sun + Mon.
  constexpr std::string_view csv =
      "id,created_at\n"
      "1,2024-03-09T12:00:00Z\n"
      "2,2024-03-10T12:00:00Z\n"
      "3,2024-03-11T12:00:00Z\n";
  Report monday(report_for("{}", csv));
  CHECK(monday.period_keys() == std::vector<std::string>{"2024-W10", "2024-W11"});
  CHECK(or_null(monday.series("tickets")) == std::vector<double>{2, 1});
  Report sunday(report_for(R"({"week_start": "sunday"})", csv));
  CHECK(sunday.period_keys() == std::vector<std::string>{"2024-03-03", "2024-03-10"});
  CHECK(or_null(sunday.series("tickets")) == std::vector<double>{1, 2});
  CHECK(Report::strings(sunday.root()["periods"]["end"]).back() == "2024-03-16");
}

TEST_CASE("A filter on a canonical field keeps only the listed values and counts the rest",
          "[dataset][config]") {
  // Zendesk fixture, channel = Email: #1 2 5 7 9 11 13 kept (7), 6 Web rows filtered.
  // CSAT of the kept rows: Good #1 7 13, Bad #2 9 → 3 ÷ 5 = 60 %.
  Report r = zendesk_report(R"({"filters": [{"column": "channel", "values": ["Email"]}]})");
  CHECK(Report::count(r.input()["rows_filtered"]) == 6);
  CHECK(Report::count(r.input()["rows_used"]) == 7);
  CHECK(or_null(r.value("tickets")) == 7);
  CHECK(or_null(r.value("csat")) == 60);
}

TEST_CASE("A filter may name the file's own header and list several values", "[dataset][config]") {
  Report web = zendesk_report(R"({"filters": [{"column": "Via", "values": ["Web"]}]})");
  CHECK(or_null(web.value("tickets")) == 6);
  CHECK(Report::count(web.input()["rows_filtered"]) == 7);
  Report both = zendesk_report(R"({"filters": [{"column": "Via", "values": ["Web", "Email"]}]})");
  CHECK(or_null(both.value("tickets")) == 13);
  CHECK(Report::count(both.input()["rows_filtered"]) == 0);
}

TEST_CASE("A filter on a column the file lacks is a file error", "[dataset][config]") {
  TicketDataset d(R"({"filters": [{"column": "Region", "values": ["EU"]}]})");
  feed_file(d, "zendesk_tickets.csv", read_fixture("zendesk_tickets.csv"));
  CHECK(d.failed());
  REQUIRE(d.files().at(0).error);
  CHECK(test::contains(*d.files()[0].error, "Region"));
}

TEST_CASE("date_from and date_to keep tickets created within the inclusive range",
          "[dataset][config]") {
  // 2024-03-11 … 03-17 = W11: #5–8 kept (4), 9 filtered. CSAT Good #6 7 → 100 % (n 2).
  // Backlog at the end of W11 among the kept: created 4, solved in W11 #5 6 (7 and 8 leave in W12)
  // → 2.
  Report r = zendesk_report(R"({"date_from": "2024-03-11", "date_to": "2024-03-17"})");
  CHECK(Report::count(r.input()["rows_filtered"]) == 9);
  CHECK(or_null(r.value("tickets")) == 4);
  CHECK(r.period_keys() == std::vector<std::string>{"2024-W11"});
  CHECK(or_null(r.value("csat")) == 100);
  CHECK(r.n("csat") == 2);
  CHECK(or_null(r.series("backlog")) == std::vector<double>{2});
  CHECK(Report::string(r.root()["config"]["date_from"]) == "2024-03-11");
}

TEST_CASE("Mapping overrides feed fields from columns no synonym would match",
          "[dataset][config]") {
  // Two tickets, one solved: resolution rate 50 %; CSAT 5 and 2 → 1 of 2 = 50 %.
  constexpr std::string_view csv =
      "Ticket born,Outcome,Score given\n"
      "2024-03-04 09:00:00,solved,5\n"
      "2024-03-05 09:00:00,open,2\n";
  TicketDataset unmapped("{}");
  feed_file(unmapped, "odd.csv", csv);
  CHECK(unmapped.failed());
  CHECK(test::contains(*unmapped.files()[0].error, "no column looks like a ticket field"));

  Report r(report_for(
      R"({"mapping": {"created_at": "Ticket born", "status": "Outcome", "csat": "Score given"}})",
      csv));
  CHECK(or_null(r.value("tickets")) == 2);
  CHECK(or_null(r.value("resolution_rate")) == 50);
  CHECK(or_null(r.value("csat")) == 50);
  simdjson::dom::array mapping;
  REQUIRE(r.file(0)["mapping"].get(mapping) == simdjson::SUCCESS);
  for (simdjson::dom::element m : mapping) CHECK(Report::string(m["how"]) == "config");
}

TEST_CASE("A mapping naming a missing column is an error", "[dataset][config]") {
  TicketDataset d(R"({"mapping": {"csat": "Happiness"}})");
  feed_file(d, "zendesk_tickets.csv", read_fixture("zendesk_tickets.csv"));
  CHECK(d.failed());
  CHECK(any_contains(d.errors(), "no column named 'Happiness'"));
}

TEST_CASE("Unmapping a field (--map csat=) makes its KPIs unavailable with a needs text",
          "[dataset][config]") {
  Report r = zendesk_report(R"({"mapping": {"csat": null}})");
  for (std::string_view id : {"csat", "csat_score", "survey_response_rate"}) {
    CAPTURE(id);
    CHECK_FALSE(r.available(id));
    CHECK_FALSE(r.value(id).has_value());
    CHECK(r.series_is_null(id));
  }
  CHECK(r.text("csat", "needs") == "csat");
  CHECK(r.text("survey_response_rate", "needs") == "csat and status or solved_at");
  CHECK(any_contains(Report::strings(r.file(0)["unmapped_columns"]), "Satisfaction Score"));
  // Everything else is untouched.
  CHECK(or_null(r.value("fcr")) == 50);
}

TEST_CASE("Unmapping replies leaves FCR without an input and one-touch unavailable",
          "[dataset][config]") {
  Report r = zendesk_report(R"({"mapping": {"replies": null}})");
  CHECK_FALSE(r.available("fcr"));
  CHECK(r.text("fcr", "needs") == "replies (or first_contact_resolved) and status");
  CHECK_FALSE(r.available("one_touch_rate"));
  CHECK(r.text("one_touch_rate", "needs") == "replies and status");
  // Reopen rate reads only reopens and status: still 25 %.
  CHECK(or_null(r.value("reopen_rate")) == 25);
}

TEST_CASE("A KPI whose input is not in the file reports available false, null and needs",
          "[dataset][config]") {
  Report r = generic_report();
  CHECK_FALSE(r.available("one_touch_rate"));
  CHECK_FALSE(r.value("one_touch_rate").has_value());
  CHECK(r.n("one_touch_rate") == 0);
  CHECK(r.text("one_touch_rate", "needs") == "replies and status");
  CHECK(Report::strings(r.kpi("one_touch_rate")["inputs"]).empty());
  CHECK(r.series_is_null("one_touch_rate"));
  // An available KPI says so and names its inputs.
  CHECK(r.kpi("csat")["needs"].is_null());
  CHECK(Report::strings(r.kpi("csat")["inputs"]) == std::vector<std::string>{"csat"});
}

TEST_CASE("Survey response rate without offer markers counts answers on solved tickets only",
          "[dataset][survey]") {
  // 4 tickets: 3 solved (1, 2, 3), 1 open (4). CSAT answers on tickets 1, 2 and 4 (numeric, so the
  // export says nothing about offers). Answers on solved tickets: 1 and 2 → 2 ÷ 3 solved = 66.66…
  // %. Ticket 4's answer counts for CSAT (3 responses) but not in the response rate, which cannot
  // pass 100.
  constexpr std::string_view csv =
      "created_at,status,csat\n"
      "2024-03-04T09:00:00Z,solved,5\n"
      "2024-03-04T10:00:00Z,solved,2\n"
      "2024-03-04T11:00:00Z,closed,\n"
      "2024-03-05T09:00:00Z,open,4\n";
  Report r(report_for("{}", csv));
  CHECK(r.text("survey_response_rate", "variant") == "of_solved_tickets");
  CHECK(or_null(r.value("survey_response_rate")) == Approx(200.0 / 3).epsilon(kTight));
  CHECK(r.n("survey_response_rate") == 3);
  CHECK(r.n("csat") == 3);
}

TEST_CASE("Survey response rate with offer markers divides by surveys offered",
          "[dataset][survey]") {
  // Zendesk-style cells: Good, Bad, Offered, Not Offered → responses 2 (Good, Bad); offered 3
  // (Offered + Good + Bad; Not Offered is not a survey) → 2 ÷ 3 = 66.66… %, n 3.
  constexpr std::string_view csv =
      "created_at,status,Satisfaction Score\n"
      "2024-03-04T09:00:00Z,solved,Good\n"
      "2024-03-04T10:00:00Z,solved,Bad\n"
      "2024-03-04T11:00:00Z,solved,Offered\n"
      "2024-03-05T09:00:00Z,solved,Not Offered\n";
  Report r(report_for("{}", csv));
  CHECK(r.text("survey_response_rate", "variant") == "of_surveys_offered");
  CHECK(or_null(r.value("survey_response_rate")) == Approx(200.0 / 3).epsilon(kTight));
  CHECK(r.n("survey_response_rate") == 3);
}

TEST_CASE("Blank segment values are grouped as (blank)", "[dataset][config]") {
  constexpr std::string_view csv =
      "created_at,agent\n"
      "2024-03-04T09:00:00Z,Ana\n"
      "2024-03-05T09:00:00Z,\n"
      "2024-03-06T09:00:00Z,  \n";
  Report r(report_for(R"({"by": ["agent"]})", csv));
  CHECK(r.segment_values("agent") == std::vector<std::string>{"(blank)", "Ana"});
  CHECK(or_null(r.breakdown("tickets", "agent")) == std::vector<double>{2, 1});
}

TEST_CASE("Segment values over max_segments are lumped into (other) with a warning",
          "[dataset][config]") {
  // Generic fixture: channels email, phone, chat (file order); 2 real values are kept, the third
  // goes to (other).
  Report r = generic_report(R"({"by": ["channel"], "max_segments": 2})");
  auto segments = r.segment_values("channel");
  CHECK(segments == std::vector<std::string>{"(other)", "email", "phone"});
  double total = 0;
  for (double t : or_null(r.breakdown("tickets", "channel"))) total += t;
  CHECK(total == 10);
  CHECK(any_contains(r.warnings(), "segment 'channel' has more than 2 values"));
}

TEST_CASE("CSAT settings from the config change the threshold", "[dataset][config]") {
  // Generic fixture, threshold 3: scores 5 4 3 2 5 1 4 5 → ≥ 3: 6 of 8 = 75 %.
  Report r = generic_report(R"({"csat": {"threshold": 3}})");
  CHECK(or_null(r.value("csat")) == 75);
}

TEST_CASE("cost.total gives cost per ticket when the file has no cost column",
          "[dataset][config]") {
  // Zendesk fixture: 1300 ÷ 13 tickets = 100 EUR.
  Report r = zendesk_report(R"({"cost": {"total": 1300, "currency": "EUR"}})");
  CHECK(r.available("cost_per_ticket"));
  CHECK(or_null(r.value("cost_per_ticket")) == 100);
  CHECK(r.text("cost_per_ticket", "unit") == "EUR");
  CHECK(r.text("cost_per_ticket", "variant") == "config_total_over_tickets");
}

TEST_CASE("A config with an unknown key fails the dataset with a message", "[dataset][config]") {
  TicketDataset d(R"({"grian": "month"})");
  feed_file(d, "zendesk_tickets.csv", read_fixture("zendesk_tickets.csv"));
  CHECK(d.failed());
  CHECK(any_contains(d.errors(), "unknown config key 'grian'"));
  kpilens::test::Report r(d.report_json());
  REQUIRE(r.valid());
  CHECK_FALSE(Report::flag(r.root()["ok"]));
  CHECK_FALSE(r.available("tickets"));
}

// =====================================================================================================
// Streaming and merging.
// =====================================================================================================

TEST_CASE("The Zendesk fixture fed in chunks of 1, 7 and 4096 bytes gives byte-identical reports",
          "[dataset][streaming]") {
  std::string bytes = read_fixture("zendesk_tickets.csv");
  REQUIRE_FALSE(bytes.empty());
  std::string whole = report_for(kByChannel, bytes, 0);
  for (size_t chunk : {size_t{1}, size_t{7}, size_t{4096}}) {
    CAPTURE(chunk);
    CHECK(report_for(kByChannel, bytes, chunk) == whole);
  }
}

TEST_CASE("The European fixture (with a BOM) fed in small chunks gives byte-identical reports",
          "[dataset][streaming]") {
  std::string bytes = read_fixture("european_tickets.csv");
  std::string whole = report_for(kEuropeanConfig, bytes, 0);
  for (size_t chunk : {size_t{1}, size_t{2}, size_t{7}, size_t{4096}}) {
    CAPTURE(chunk);
    CHECK(report_for(kEuropeanConfig, bytes, chunk) == whole);
  }
}

TEST_CASE("A BOM file with a fixed delimiter fed byte by byte still maps its first column",
          "[dataset][streaming]") {
  std::string config = R"({"delimiter": ";", "solved_statuses": ["Gelöst", "Geschlossen"]})";
  std::string bytes = read_fixture("european_tickets.csv");
  std::string whole = report_for(config, bytes, 0);
  CHECK(report_for(config, bytes, 1) == whole);
  Report r(whole);
  CHECK(Report::strings(r.file(0)["columns"]).front() == "Ticket ID");
}

// Splits a CSV after its header into two files that each repeat the header: rows [0, split) and the
// rest.
std::pair<std::string, std::string> split_csv(const std::string& csv, size_t split_rows) {
  size_t header_end = csv.find('\n') + 1;
  std::string header = csv.substr(0, header_end);
  size_t at = header_end;
  for (size_t i = 0; i < split_rows; ++i) at = csv.find('\n', at) + 1;
  return {header + csv.substr(header_end, at - header_end), header + csv.substr(at)};
}

TEST_CASE("Two files holding the two halves give the same KPIs as one file", "[dataset][merge]") {
  std::string csv = read_fixture("zendesk_tickets.csv");
  Report one(report_for(kByChannel, csv));
  for (size_t split : {size_t{1}, size_t{6}, size_t{12}}) {
    CAPTURE(split);
    auto [first, second] = split_csv(csv, split);
    TicketDataset d(kByChannel);
    feed_file(d, "part1.csv", first);
    feed_file(d, "part2.csv", second);
    Report two(d.report_json());
    CHECK(two.json_of("kpis") == one.json_of("kpis"));
    CHECK(two.json_of("periods") == one.json_of("periods"));
    CHECK(two.json_of("segments") == one.json_of("segments"));
    CHECK(Report::count(two.input()["rows_used"]) == 13);
    CHECK(two.json_of("input") != one.json_of("input"));
  }
}

TEST_CASE("Two datasets over two halves, merged, give the same KPIs as one pass",
          "[dataset][merge]") {
  // As two workers would: each reads half, then one aggregate merges the other.
  std::string csv = read_fixture("generic_tickets.csv");
  Report one(report_for(kByChannel, csv));
  auto [first, second] = split_csv(csv, 5);
  TicketDataset a(kByChannel), b(kByChannel);
  feed_file(a, "a.csv", first);
  feed_file(b, "b.csv", second);
  a.aggregate().merge(b.aggregate());
  Report merged(a.report_json());
  CHECK(merged.json_of("kpis") == one.json_of("kpis"));
  CHECK(merged.json_of("periods") == one.json_of("periods"));
}

// The solved statuses, checked against a plain reference: a status is solved when, trimmed and
// with ASCII letters lowered, it equals one of the list's, lowered the same way. Lists of every
// short length (1–8 bytes: each looked up in a slot of its own), longer ones (the list), more short
// ones than there are slots (the list for all), the same status twice; cells in mixed case, one
// byte off (same length), one byte longer or shorter, with spaces around, non-ASCII bytes (not
// folded).
TEST_CASE("Solved statuses are matched whatever their length, case and number",
          "[dataset][status]") {
  const auto lower = [](std::string text) {
    for (char& c : text) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    return text;
  };
  std::vector<std::vector<std::string>> lists = {
      {},  // the default list
      {"a", "ok", "fin", "done", "shut", "Gel\xC3\xB6st", "Geschlossen", "solved", "SOLVED",
       "resolved"},
      {"x", "Completed And Verified", "erledigt"},
      // An empty status (a blank cell is no status at all: never solved), and statuses whose packed
      // words are equal ("a" and "aaa") or whose words and sizes combined would be ("a", "ba").
      {"", "a", "ba", "aaa", "Solved"},
  };
  std::vector<std::string> many;
  for (int k = 0; k < 40; ++k) many.push_back("st" + std::to_string(k));
  lists.push_back(many);
  const std::vector<std::string> defaults = {"solved",    "closed",   "resolved", "done",
                                             "completed", "complete", "fixed"};
  std::mt19937 rng(11);
  for (const std::vector<std::string>& list : lists) {
    std::vector<std::string> solved;  // lowered, as the cells are compared
    for (const std::string& s : list.empty() ? defaults : list) solved.push_back(lower(s));
    std::vector<std::string> cells;
    for (const std::string& s : solved) {
      if (s.empty()) continue;
      std::string mixed = s;
      for (char& c : mixed) {
        if (c >= 'a' && c <= 'z' && rng() % 2 == 0) c = static_cast<char>(c - 'a' + 'A');
      }
      cells.push_back(mixed);
      std::string off = s;
      off.back() = off.back() == 'q' ? 'r' : 'q';
      cells.push_back(off);
      cells.push_back(s + "s");
      if (s.size() > 1) cells.push_back(s.substr(0, s.size() - 1));
      cells.push_back(" " + s + " ");
    }
    for (const char* other :
         {"Open", "Pending", "On-hold", "GEL\xC3\x96ST", "st40", "st4", "zz", " ", "aa", "b"}) {
      cells.push_back(other);
    }
    std::string csv = "Id,Created at,Status\n";
    uint64_t tickets = 0;
    uint64_t solved_count = 0;
    for (int row = 0; row < 600; ++row) {
      const std::string& cell = cells[rng() % cells.size()];
      csv += std::to_string(row) + ",2024-03-04 09:00:00," + cell + "\n";
      ++tickets;
      std::string trimmed = cell;
      trimmed.erase(0, trimmed.find_first_not_of(' '));
      trimmed.erase(trimmed.find_last_not_of(' ') + 1);
      solved_count += !trimmed.empty() &&
                      std::find(solved.begin(), solved.end(), lower(trimmed)) != solved.end();
    }
    std::string config = "{}";
    if (!list.empty()) {
      config = R"({"solved_statuses": [)";
      for (size_t k = 0; k < list.size(); ++k) config += (k ? ",\"" : "\"") + list[k] + "\"";
      config += "]}";
    }
    INFO(config);
    Report r(report_for(config, csv));
    REQUIRE(r.valid());
    CHECK(r.n("backlog") == tickets);
    CHECK(or_null(r.value("backlog")) == static_cast<double>(tickets - solved_count));
  }
}
}  // namespace
}  // namespace kpilens

TEST_CASE("An optional segment that only a later file has joins then; earlier tickets are blank",
          "[dataset]") {
  // a.csv: tickets 1 (solved) and 2 (open), no channel column. b.csv: ticket 3, channel chat.
  // channel joins the breakdowns at b.csv: (blank) holds tickets 1 and 2, chat holds 3.
  kpilens::TicketDataset d(R"({"by_if_mapped": ["channel", "agent"]})");
  kpilens::test::feed_file(d, "a.csv",
                           "id,created_at,status\n1,2024-03-04T09:00:00Z,solved\n"
                           "2,2024-03-05T09:00:00Z,open\n");
  kpilens::test::feed_file(d, "b.csv",
                           "id,created_at,status,channel\n3,2024-03-11T09:00:00Z,solved,chat\n");
  kpilens::test::Report r(d.report_json());
  REQUIRE(r.valid());
  CHECK(r.segment_values("channel") == std::vector<std::string>{"(blank)", "chat"});
  CHECK(kpilens::test::or_null(r.breakdown("tickets", "channel")) == std::vector<double>{2, 1});
  // The blank group is the tickets read before: resolution rate 1 of 2 = 50 %.
  CHECK(kpilens::test::or_null(r.breakdown("resolution_rate", "channel")) ==
        std::vector<double>{50, 100});
}
