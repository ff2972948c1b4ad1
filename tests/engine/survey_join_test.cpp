// survey join tests: survey files (answers) and ticket files read into one TicketDataset, checked
// against docs/kpis.md "Survey files and the join". Every expected figure is worked out by hand in
// the comment above its checks.
//
// ISO weeks of 2024 used below: W10 = Mon 03-04 … Sun 03-10, W11 = 03-11 … 03-17, W12 = 03-18 …
// 03-24. CSAT is top-2-box on 1–5: 4 and 5 are satisfied.
#include <catch2/catch.hpp>
#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "report_reader.h"
#include "ticket_dataset.h"

namespace kpilens {
namespace {

using test::any_contains;
using test::feed_file;
using test::kNull;
using test::or_null;
using test::Report;

constexpr double kTight = 1e-12;

// input.join of a report.
struct Join {
  uint64_t answers = 0;
  uint64_t joined = 0;
  uint64_t unmatched = 0;
  uint64_t without_ticket_id = 0;
  uint64_t superseded = 0;
  uint64_t read_after_tickets = 0;
  uint64_t dropped_with_ticket = 0;
  uint64_t dropped_by_filter = 0;
  bool operator==(const Join&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Join& j) {
  return os << "{answers " << j.answers << ", joined " << j.joined << ", unmatched " << j.unmatched
            << ", without_ticket_id " << j.without_ticket_id << ", superseded " << j.superseded
            << ", read_after_tickets " << j.read_after_tickets << ", dropped_with_ticket "
            << j.dropped_with_ticket << ", dropped_by_filter " << j.dropped_by_filter << "}";
}

Join join_of(const Report& r) {
  auto j = r.input()["join"];
  return Join{Report::count(j["answers"]),
              Report::count(j["joined"]),
              Report::count(j["unmatched"]),
              Report::count(j["without_ticket_id"]),
              Report::count(j["superseded"]),
              Report::count(j["read_after_tickets"]),
              Report::count(j["dropped_with_ticket"]),
              Report::count(j["dropped_by_filter"])};
}

using Files = std::vector<std::pair<std::string, std::string_view>>;

// One dataset over the files, in this order, each fed in chunks of `chunk` bytes (0: whole).
std::string report_json_for(std::string_view config, const Files& files, size_t chunk = 0) {
  TicketDataset dataset(config);
  for (const auto& [name, bytes] : files) feed_file(dataset, name, bytes, chunk);
  return dataset.report_json();
}

Report run(std::string_view config, const Files& files) {
  return Report(report_json_for(config, files));
}

// Three tickets, no preset (generic headers); T1 carries its own CSAT 1, T2 none, T3 a 4.
//   T1  W10 03-04  solved  email  csat 1
//   T2  W10 03-05  solved  chat   —
//   T3  W11 03-12  open    chat   csat 4
constexpr std::string_view kTickets =
    "id,created_at,status,channel,csat\n"
    "T1,2024-03-04 09:00,solved,email,1\n"
    "T2,2024-03-05 09:00,solved,chat,\n"
    "T3,2024-03-12 09:00,open,chat,4\n";

// A generic survey file: "Ticket ID" → id, "Submitted at" → created_at (the answer's time),
// "Score" → csat. Only one survey-distinctive header (Submitted at), so no preset: a survey file
// because it maps a rating and nothing only a ticket has.
constexpr std::string_view kAnswers =
    "Ticket ID,Submitted at,Score\n"
    "T1,2024-03-20 10:00,5\n"
    "T2,2024-03-20 11:00,2\n";

constexpr std::string_view kByChannel = R"({"by": ["channel"]})";

// =====================================================================================================
// Which files are survey files
// =====================================================================================================

TEST_CASE("A file that maps ratings and nothing only a ticket has is a survey file", "[join]") {
  Report r = run("{}", {{"answers.csv", "id,created_at,csat,nps\n1,2024-03-04 09:00,5,9\n"}});
  CHECK(Report::string(r.file(0)["kind"]) == "survey");
  CHECK(r.file(0)["preset"].is_null());
  // Its row is an answer, not a ticket.
  CHECK(or_null(r.value("tickets")) == 0);
  CHECK(r.n("csat") == 1);
  CHECK(r.n("nps") == 1);
  CHECK_FALSE(r.input()["join"].is_null());
}

TEST_CASE("Ratings next to a status or a channel make a ticket file", "[join]") {
  Report with_status =
      run("{}", {{"t.csv", "id,created_at,status,csat\n1,2024-03-04 09:00,open,5\n"}});
  CHECK(Report::string(with_status.file(0)["kind"]) == "tickets");
  CHECK(or_null(with_status.value("tickets")) == 1);
  // No survey file was read: input.join is null.
  CHECK(with_status.input()["join"].is_null());
  Report with_channel =
      run("{}", {{"t.csv", "id,created_at,channel,csat\n1,2024-03-04 09:00,chat,5\n"}});
  CHECK(Report::string(with_channel.file(0)["kind"]) == "tickets");
}

TEST_CASE("A preset's kind wins over what the file's columns would say", "[join]") {
  // Chatwoot's CSAT report maps Agent Name → agent, a field only tickets have, yet the preset says
  // survey. With detection off, the same columns make a ticket file.
  constexpr std::string_view chatwoot =
      "Agent Name,Rating,Recorded date\nNina,5,2024-03-04 09:00:00 UTC\n";
  Report detected = run("{}", {{"cw.csv", chatwoot}});
  CHECK(Report::string(detected.file(0)["preset"]["id"]) == "chatwoot");
  CHECK(Report::string(detected.file(0)["kind"]) == "survey");
  Report generic = run(R"({"preset": "none"})", {{"cw.csv", chatwoot}});
  CHECK(Report::string(generic.file(0)["kind"]) == "tickets");

  // The other way round: Id, Created at, Satisfaction Score map only a rating (no preset has 2
  // distinctive headers here) → survey; forcing the Zendesk preset makes it a ticket file.
  constexpr std::string_view ratings =
      "Id,Created at,Satisfaction Score\n1,2024-03-04 09:00,Good\n";
  CHECK(Report::string(run("{}", {{"r.csv", ratings}}).file(0)["kind"]) == "survey");
  Report forced = run(R"({"preset": "zendesk"})", {{"r.csv", ratings}});
  CHECK(Report::string(forced.file(0)["kind"]) == "tickets");
  CHECK(or_null(forced.value("tickets")) == 1);
}

// =====================================================================================================
// Joined answers
// =====================================================================================================

TEST_CASE("Answers join their ticket by id and count in its period and under its segments",
          "[join]") {
  // T1 ← 5 and T2 ← 2; T3 keeps its own 4. The answers' own times (03-20, W12) are not used.
  //   periods: W10 (T1, T2), W11 (T3) — no W12.
  //   csat series: W10 5, 2 → 1 of 2 = 50 (n 2); W11 4 → 100 (n 1).
  //   by channel (chat, email): chat T2 2, T3 4 → 50 (n 2); email T1 5 → 100 (n 1).
  Report r = run(kByChannel, {{"answers.csv", kAnswers}, {"tickets.csv", kTickets}});
  CHECK(Report::string(r.file(0)["kind"]) == "survey");
  CHECK(Report::string(r.file(1)["kind"]) == "tickets");
  CHECK(or_null(r.value("tickets")) == 3);
  CHECK(r.period_keys() == std::vector<std::string>{"2024-W10", "2024-W11"});
  CHECK(or_null(r.series("csat")) == std::vector<double>{50, 100});
  CHECK(r.series_n("csat") == std::vector<uint64_t>{2, 1});
  CHECK(r.segment_values("channel") == std::vector<std::string>{"chat", "email"});
  CHECK(or_null(r.breakdown("csat", "channel")) == std::vector<double>{50, 100});
  CHECK(r.breakdown_n("csat", "channel") == std::vector<uint64_t>{2, 1});
  CHECK(join_of(r) == Join{.answers = 2, .joined = 2});
}

TEST_CASE("A joined answer replaces the ticket row's own CSAT", "[join]") {
  // Scores counted: T1 5 (its own 1 replaced), T2 2, T3 4.
  //   csat: satisfied 5, 4 → 2 of 3 = 66.666… %; mean_score (5 + 2 + 4) ÷ 3 = 3.666…
  //   Had T1 kept its 1, satisfied would be 1 of 3 and the mean (1 + 2 + 4) ÷ 3 = 2.333…
  Report r = run("{}", {{"answers.csv", kAnswers}, {"tickets.csv", kTickets}});
  CHECK(or_null(r.value("csat")) == Approx(200.0 / 3).epsilon(kTight));
  CHECK(or_null(r.extra("csat", "satisfied")) == 2);
  CHECK(or_null(r.extra("csat", "responses")) == 3);
  CHECK(or_null(r.extra("csat_score", "mean_score")) == Approx(11.0 / 3).epsilon(kTight));
}

TEST_CASE("A joined answer is a response on its ticket for the response rate", "[join]") {
  // No offer markers → of_solved_tickets: solved T1, T2; CSAT responses on them: T1 5 (joined) and
  // T2 2 (joined; its row had none) → 2 ÷ 2 = 100 %, n 2.
  Report r = run("{}", {{"answers.csv", kAnswers}, {"tickets.csv", kTickets}});
  CHECK(r.text("survey_response_rate", "variant") == "of_solved_tickets");
  CHECK(or_null(r.value("survey_response_rate")) == 100);
  CHECK(r.n("survey_response_rate") == 2);
}

TEST_CASE("An answer joins only the first ticket row with its id", "[join]") {
  // Two rows for T1: the first (W10, own 1) takes the answer 5, the second (W11) keeps its own 2.
  //   csat: 5, 2 → 1 of 2 = 50; series W10 100, W11 0.
  constexpr std::string_view tickets =
      "id,created_at,status,csat\n"
      "T1,2024-03-04 09:00,solved,1\n"
      "T1,2024-03-12 09:00,solved,2\n";
  Report r = run("{}", {{"a.csv", "Ticket ID,Submitted at,Score\nT1,2024-03-20 10:00,5\n"},
                        {"t.csv", tickets}});
  CHECK(or_null(r.value("csat")) == 50);
  CHECK(or_null(r.series("csat")) == std::vector<double>{100, 0});
  CHECK(join_of(r) == Join{.answers = 1, .joined = 1});
}

TEST_CASE("Ticket ids are matched trimmed and exactly (case matters)", "[join]") {
  // " T1 " joins T1; "t2" is not "T2" and is unmatched.
  Report r = run("{}", {{"a.csv",
                         "Ticket ID,Submitted at,Score\n"
                         " T1 ,2024-03-20 10:00,5\n"
                         "t2,2024-03-20 10:00,2\n"},
                        {"t.csv", kTickets}});
  CHECK(join_of(r) == Join{.answers = 2, .joined = 1, .unmatched = 1});
}

// =====================================================================================================
// Several answers for one ticket
// =====================================================================================================

TEST_CASE("Of two answers for one ticket, the one with the later answer time counts", "[join]") {
  // T1 answered 2 on 03-06 and 5 on 03-05: the 03-06 answer (2) counts, whichever is read first.
  //   csat: T1 2, T3 4 (T2 has none) → 1 of 2 = 50, n 2.
  constexpr std::string_view later_first =
      "Ticket ID,Submitted at,Score\n"
      "T1,2024-03-06 10:00,2\n"
      "T1,2024-03-05 10:00,5\n";
  constexpr std::string_view later_last =
      "Ticket ID,Submitted at,Score\n"
      "T1,2024-03-05 10:00,5\n"
      "T1,2024-03-06 10:00,2\n";
  for (std::string_view answers : {later_first, later_last}) {
    CAPTURE(answers);
    Report r = run("{}", {{"a.csv", answers}, {"t.csv", kTickets}});
    CHECK(or_null(r.value("csat")) == 50);
    CHECK(r.n("csat") == 2);
    CHECK(join_of(r) == Join{.answers = 2, .joined = 1, .superseded = 1});
  }
}

TEST_CASE("Of two answers for one ticket without both times, the one read last counts", "[join]") {
  // No time column: T1 2 then 5 → 5 counts. csat T1 5, T3 4 → 100, n 2.
  Report no_times = run("{}", {{"a.csv", "Ticket ID,Score\nT1,2\nT1,5\n"}, {"t.csv", kTickets}});
  CHECK(or_null(no_times.value("csat")) == 100);
  CHECK(no_times.n("csat") == 2);
  CHECK(join_of(no_times) == Join{.answers = 2, .joined = 1, .superseded = 1});
  // One time blank: the one read last counts either way. 5 last → 100; 2 last → 50.
  Report five_last = run("{}", {{"a.csv",
                                 "Ticket ID,Submitted at,Score\n"
                                 "T1,2024-03-06 10:00,2\n"
                                 "T1,,5\n"},
                                {"t.csv", kTickets}});
  CHECK(or_null(five_last.value("csat")) == 100);
  Report two_last = run("{}", {{"a.csv",
                                "Ticket ID,Submitted at,Score\n"
                                "T1,,5\n"
                                "T1,2024-03-06 10:00,2\n"},
                               {"t.csv", kTickets}});
  CHECK(or_null(two_last.value("csat")) == 50);
}

// =====================================================================================================
// Answers that join nothing
// =====================================================================================================

TEST_CASE(
    "An answer whose ticket is absent counts on its own, as (no ticket) for a column it lacks",
    "[join]") {
  // T9 is in no ticket file: it counts in its own week (03-13, W11) under channel "(no ticket)".
  //   segments: "(no ticket)", chat, email (byte order: '(' before letters).
  //   csat by channel: (no ticket) 1 → 0 (n 1); chat T3 4 → 100 (n 1); email T1 5 → 100 (n 1).
  //   tickets by channel: 0, 2, 1 — an answer is not a ticket.
  //   csat series: W10 T1 5 → 100 (n 1); W11 T3 4, T9 1 → 50 (n 2). tickets series 2, 1.
  constexpr std::string_view answers =
      "Ticket ID,Submitted at,Score\n"
      "T1,2024-03-20 10:00,5\n"
      "T9,2024-03-13 10:00,1\n";
  Report r = run(kByChannel, {{"a.csv", answers}, {"t.csv", kTickets}});
  CHECK(r.segment_values("channel") == std::vector<std::string>{"(no ticket)", "chat", "email"});
  CHECK(or_null(r.breakdown("csat", "channel")) == std::vector<double>{0, 100, 100});
  CHECK(r.breakdown_n("csat", "channel") == std::vector<uint64_t>{1, 1, 1});
  CHECK(or_null(r.breakdown("tickets", "channel")) == std::vector<double>{0, 2, 1});
  CHECK(or_null(r.series("csat")) == std::vector<double>{100, 50});
  CHECK(or_null(r.series("tickets")) == std::vector<double>{2, 1});
  CHECK(or_null(r.value("tickets")) == 3);
  CHECK(join_of(r) == Join{.answers = 2, .joined = 1, .unmatched = 1});
}

TEST_CASE("An answer whose ticket is absent counts under its own cell when its file has the column",
          "[join]") {
  // "Submitted at" and "Satisfaction" (~satisf) are two survey-distinctive headers: the survey
  // preset makes it a survey file although "Channel" maps channel. T9 (absent) counts under its
  // own "phone"; T1 joins and counts under its ticket's "email", not the answer's "web".
  //   csat by channel (chat, email, phone): T3 4 → 100; T1 5 → 100; T9 1 → 0; n 1 each.
  constexpr std::string_view answers =
      "Ticket ID,Submitted at,Satisfaction,Channel\n"
      "T1,2024-03-20 10:00,5,web\n"
      "T9,2024-03-13 10:00,1,phone\n";
  Report r = run(kByChannel, {{"a.csv", answers}, {"t.csv", kTickets}});
  CHECK(Report::string(r.file(0)["preset"]["id"]) == "survey");
  CHECK(Report::string(r.file(0)["kind"]) == "survey");
  CHECK(r.segment_values("channel") == std::vector<std::string>{"chat", "email", "phone"});
  CHECK(or_null(r.breakdown("csat", "channel")) == std::vector<double>{100, 100, 0});
  CHECK(r.breakdown_n("csat", "channel") == std::vector<uint64_t>{1, 1, 1});
  CHECK(join_of(r) == Join{.answers = 2, .joined = 1, .unmatched = 1});
}

TEST_CASE("Answers with no ticket id count on their own", "[join]") {
  // A blank id: counted in its own week (W11) under (no ticket).
  //   csat: T1 5 (joined), T3 4, blank-id 1 → 2 of 3; by channel (no ticket) 0 (n 1).
  Report blank = run(kByChannel, {{"a.csv",
                                   "Ticket ID,Submitted at,Score\n"
                                   ",2024-03-13 10:00,1\n"
                                   "T1,2024-03-20 10:00,5\n"},
                                  {"t.csv", kTickets}});
  CHECK(join_of(blank) == Join{.answers = 2, .joined = 1, .without_ticket_id = 1});
  CHECK(or_null(blank.value("csat")) == Approx(200.0 / 3).epsilon(kTight));
  CHECK(blank.segment_values("channel").front() == "(no ticket)");
  CHECK(or_null(blank.breakdown("csat", "channel")).front() == 0);
  // A survey file with no id column at all: every answer is without a ticket id.
  Report no_column =
      run("{}", {{"a.csv", "Submitted at,Score\n2024-03-13 10:00,1\n"}, {"t.csv", kTickets}});
  CHECK(join_of(no_column) == Join{.answers = 1, .without_ticket_id = 1});
  // csat: T1 1 (not replaced), T3 4, the answer 1 → 1 of 3.
  CHECK(or_null(no_column.value("csat")) == Approx(100.0 / 3).epsilon(kTight));
}

TEST_CASE("Survey rows without a rating are not answers", "[join]") {
  // Row 2 has a blank score: used, but not an answer, so not counted in input.join.
  Report r = run("{}", {{"a.csv",
                         "Ticket ID,Submitted at,Score\n"
                         "T1,2024-03-20 10:00,5\n"
                         "T2,2024-03-20 10:00,\n"},
                        {"t.csv", kTickets}});
  CHECK(join_of(r) == Join{.answers = 1, .joined = 1});
  CHECK(Report::count(r.file(0)["rows_used"]) == 2);
}

// =====================================================================================================
// A dataset of survey files only
// =====================================================================================================

TEST_CASE("Without a ticket file, answers count in their own periods and tickets is 0", "[join]") {
  //   T1 03-04 (W10) 5; T2 03-12 (W11) 2; T3 03-13 (W11) 4.
  //   periods W10, W11; tickets 0 in both. csat: 2 of 3; series W10 100 (n 1), W11 50 (n 2).
  //   Every answer has an id that no ticket row carried: unmatched 3.
  //   survey_response_rate: no solved ticket, no offer marker → null, n 0.
  constexpr std::string_view answers =
      "Ticket ID,Submitted at,Score\n"
      "T1,2024-03-04 10:00,5\n"
      "T2,2024-03-12 10:00,2\n"
      "T3,2024-03-13 10:00,4\n";
  Report r = run("{}", {{"a.csv", answers}});
  CHECK(r.period_keys() == std::vector<std::string>{"2024-W10", "2024-W11"});
  CHECK(or_null(r.value("tickets")) == 0);
  CHECK(or_null(r.series("tickets")) == std::vector<double>{0, 0});
  CHECK(or_null(r.value("csat")) == Approx(200.0 / 3).epsilon(kTight));
  CHECK(or_null(r.series("csat")) == std::vector<double>{100, 50});
  CHECK(r.series_n("csat") == std::vector<uint64_t>{1, 2});
  CHECK(or_null(r.value("survey_response_rate")) == kNull);
  CHECK(r.n("survey_response_rate") == 0);
  CHECK(join_of(r) == Join{.answers = 3, .unmatched = 3});
}

TEST_CASE("Without a ticket file, by_if_mapped resolves against the first survey file", "[join]") {
  // Chatwoot maps Agent Name → agent and has no channel: by becomes ["agent"].
  //   Nina 5 (W10), Omar 2 (W11), Nina 4 (W11): by agent Nina 2 of 2 = 100, Omar 0 of 1 = 0.
  //   No ticket id column: all 3 are without a ticket id.
  constexpr std::string_view chatwoot =
      "Agent Name,Rating,Recorded date\n"
      "Nina,5,2024-03-04 09:00:00 UTC\n"
      "Omar,2,2024-03-12 10:00:00 UTC\n"
      "Nina,4,2024-03-13 10:00:00 UTC\n";
  Report r = run(R"({"by_if_mapped": ["channel", "agent"]})", {{"cw.csv", chatwoot}});
  CHECK(Report::strings(r.root()["config"]["by"]) == std::vector<std::string>{"agent"});
  CHECK(r.root()["segments"]["channel"].error() == simdjson::NO_SUCH_FIELD);
  CHECK(r.segment_values("agent") == std::vector<std::string>{"Nina", "Omar"});
  CHECK(or_null(r.breakdown("csat", "agent")) == std::vector<double>{100, 0});
  CHECK(r.breakdown_n("csat", "agent") == std::vector<uint64_t>{2, 1});
  CHECK(or_null(r.value("tickets")) == 0);
  CHECK(join_of(r) == Join{.answers = 3, .without_ticket_id = 3});
}

// =====================================================================================================
// Order of the files
// =====================================================================================================

TEST_CASE("A survey file read after ticket rows warns and its answers count on their own",
          "[join]") {
  // Tickets first: the answer for T1 cannot join. T1 keeps its own 1 (W10, email); the answer 5
  // counts in its own week (03-20, W12) under (no ticket).
  //   periods W10, W11, W12. csat series: W10 T1 1 → 0; W11 T3 4 → 100; W12 answer 5 → 100.
  //   by channel ((no ticket), chat, email): 100, 100, 0.
  Report r = run(kByChannel, {{"t.csv", kTickets},
                              {"a.csv", "Ticket ID,Submitted at,Score\nT1,2024-03-20 10:00,5\n"}});
  CHECK(any_contains(r.warnings(), "a.csv: survey answers read after ticket rows"));
  CHECK(r.period_keys() == std::vector<std::string>{"2024-W10", "2024-W11", "2024-W12"});
  CHECK(or_null(r.series("csat")) == std::vector<double>{0, 100, 100});
  CHECK(or_null(r.breakdown("csat", "channel")) == std::vector<double>{100, 100, 0});
  CHECK(join_of(r) == Join{.answers = 1, .read_after_tickets = 1});
}

// =====================================================================================================
// Filters and the date range
// =====================================================================================================

TEST_CASE("A filter on a ticket column drops answers with their ticket, and unjoined answers",
          "[join]") {
  // channel = email keeps T1; T2 and T3 (chat) are filtered. The survey file has no channel:
  //   T1's answer 5 joins → counted.
  //   T2's answer: its ticket was filtered out → dropped_with_ticket.
  //   T9 (absent) and the blank id joined nothing, so cannot show they pass → dropped_by_filter.
  //   csat: T1 5 only → 100, n 1. tickets 1.
  constexpr std::string_view answers =
      "Ticket ID,Submitted at,Score\n"
      "T1,2024-03-20 10:00,5\n"
      "T2,2024-03-20 11:00,2\n"
      "T9,2024-03-13 10:00,1\n"
      ",2024-03-13 10:00,3\n";
  Report r = run(R"({"filters": [{"column": "channel", "values": ["email"]}]})",
                 {{"a.csv", answers}, {"t.csv", kTickets}});
  CHECK(r.errors().empty());
  CHECK(or_null(r.value("csat")) == 100);
  CHECK(r.n("csat") == 1);
  CHECK(or_null(r.value("tickets")) == 1);
  CHECK(Report::count(r.file(1)["rows_filtered"]) == 2);
  CHECK(Report::count(r.file(0)["rows_filtered"]) == 0);
  CHECK(join_of(r) == Join{.answers = 4,
                           .joined = 1,
                           .unmatched = 1,
                           .without_ticket_id = 1,
                           .dropped_with_ticket = 1,
                           .dropped_by_filter = 2});
}

TEST_CASE("A filter on a column the survey file has is applied to the answer itself", "[join]") {
  // channel = email. T9's own channel is email: it passes, joins nothing, and counts on its own.
  // T8's own channel is phone: filtered when read (the survey file's rows_filtered).
  //   csat: T1 own 1 (email ticket kept), T9 1 → 0 of 2 = 0.
  constexpr std::string_view answers =
      "Ticket ID,Submitted at,Satisfaction,Channel\n"
      "T9,2024-03-13 10:00,1,email\n"
      "T8,2024-03-13 11:00,2,phone\n";
  Report r = run(R"({"filters": [{"column": "channel", "values": ["email"]}]})",
                 {{"a.csv", answers}, {"t.csv", kTickets}});
  CHECK(Report::count(r.file(0)["rows_filtered"]) == 1);
  CHECK(or_null(r.value("csat")) == 0);
  CHECK(r.n("csat") == 2);
  CHECK(join_of(r) == Join{.answers = 1, .unmatched = 1});
}

TEST_CASE("date_to applies to a joined answer through its ticket, to the others by their own time",
          "[join]") {
  // date_to 2024-03-10 keeps T1 (03-04) and T2 (03-05); T3 (03-12) is filtered.
  //   T1 ← 5, answered 03-20 (after date_to): kept, its ticket's date decides.
  //   T3's answer (03-13): dropped with its ticket.
  //   T9 (absent), answered 03-08: kept in W10 under its own time.
  //   T8 (absent), answered 03-15: after date_to → dropped_by_filter.
  //   blank id, no time: cannot show it is in range → dropped_by_filter.
  //   csat: T1 5, T9 1 → 1 of 2 = 50; periods W10 only; tickets 2.
  constexpr std::string_view answers =
      "Ticket ID,Submitted at,Score\n"
      "T1,2024-03-20 10:00,5\n"
      "T3,2024-03-13 10:00,4\n"
      "T9,2024-03-08 10:00,1\n"
      "T8,2024-03-15 10:00,2\n"
      ",,3\n";
  Report r = run(R"({"date_to": "2024-03-10"})", {{"a.csv", answers}, {"t.csv", kTickets}});
  CHECK(or_null(r.value("csat")) == 50);
  CHECK(r.n("csat") == 2);
  CHECK(r.period_keys() == std::vector<std::string>{"2024-W10"});
  CHECK(or_null(r.value("tickets")) == 2);
  CHECK(join_of(r) == Join{.answers = 5,
                           .joined = 1,
                           .unmatched = 2,
                           .without_ticket_id = 1,
                           .dropped_with_ticket = 1,
                           .dropped_by_filter = 2});
}

TEST_CASE("date_from keeps a joined answer whose own time is before the range", "[join]") {
  // date_from 2024-03-11 keeps T3 (03-12) only. Its answer was given on 03-10 (before date_from,
  // an odd export, but the ticket's date decides): counted. T9, answered 03-10, is dropped.
  //   csat: T3 ← 2 → 0 of 1.
  constexpr std::string_view answers =
      "Ticket ID,Submitted at,Score\n"
      "T3,2024-03-10 10:00,2\n"
      "T9,2024-03-10 10:00,5\n";
  Report r = run(R"({"date_from": "2024-03-11"})", {{"a.csv", answers}, {"t.csv", kTickets}});
  CHECK(or_null(r.value("csat")) == 0);
  CHECK(r.n("csat") == 1);
  CHECK(join_of(r) == Join{.answers = 2, .joined = 1, .unmatched = 1, .dropped_by_filter = 1});
}

// =====================================================================================================
// Response rate with offer markers
// =====================================================================================================

TEST_CASE("Answers that join nothing are not responses in the offered-based response rate",
          "[join]") {
  // Tickets: T1 Offered, T2 Good, T3 Offered (all solved) → offer markers: of_surveys_offered.
  // T1 ← 5 (joined: its Offered becomes a response). T9 joins nothing.
  //   Per docs/kpis.md "answers that join nothing are not responses on any ticket":
  //   responses on tickets: T1 5, T2 Good = 2; offered: T1, T2, T3 = 3 → 66.666… %, n 3.
  //   csat still counts T9 on its own: T1 5, T2 Good, T9 4 → 3 of 3 = 100, n 3.
  constexpr std::string_view tickets =
      "id,created_at,status,csat\n"
      "T1,2024-03-04 09:00,solved,Offered\n"
      "T2,2024-03-05 09:00,solved,Good\n"
      "T3,2024-03-06 09:00,solved,Offered\n";
  constexpr std::string_view answers =
      "Ticket ID,Submitted at,Score\n"
      "T1,2024-03-06 10:00,5\n"
      "T9,2024-03-06 10:00,4\n";
  Report r = run("{}", {{"a.csv", answers}, {"t.csv", tickets}});
  CHECK(or_null(r.value("csat")) == 100);
  CHECK(r.n("csat") == 3);
  CHECK(r.text("survey_response_rate", "variant") == "of_surveys_offered");
  CHECK(or_null(r.value("survey_response_rate")) == Approx(200.0 / 3).epsilon(kTight));
  CHECK(r.n("survey_response_rate") == 3);
  CHECK(or_null(r.extra("survey_response_rate", "responses")) == 2);
}

TEST_CASE("Without a ticket file, Good and Bad answers give no response rate", "[join]") {
  // Good and Bad are offer markers, so the variant is of_surveys_offered; but no survey was offered
  // on a ticket: responses 0, offered 0 → null, n 0. csat counts the answers: 1 of 2 = 50.
  Report r = run("{}", {{"a.csv",
                         "Ticket ID,Submitted at,Score\n"
                         "T1,2024-03-04 10:00,Good\n"
                         "T2,2024-03-05 10:00,Bad\n"}});
  CHECK(or_null(r.value("csat")) == 50);
  CHECK(r.text("survey_response_rate", "variant") == "of_surveys_offered");
  CHECK(or_null(r.value("survey_response_rate")) == kNull);
  CHECK(r.n("survey_response_rate") == 0);
}

// =====================================================================================================
// Streaming
// =====================================================================================================

TEST_CASE("The join gives the same report whatever the chunk size", "[join][streaming]") {
  // Joined, superseded, unmatched and id-less answers, a filter and a breakdown, fed in chunks of
  // 1 to 7 bytes: every report is byte-identical to the one fed whole.
  constexpr std::string_view answers =
      "Ticket ID,Submitted at,Satisfaction,Channel\n"
      "T1,2024-03-20 10:00,5,web\n"
      "T1,2024-03-19 10:00,1,web\n"
      "T2,2024-03-20 11:00,2,\n"
      "T9,2024-03-13 10:00,1,phone\n"
      ",2024-03-13 10:00,4,chat\n";
  const std::string config =
      R"({"by": ["channel"], "filters": [{"column": "status", "values": ["solved", "open"]}]})";
  const Files files = {{"a.csv", answers}, {"t.csv", kTickets}};
  const std::string whole = report_json_for(config, files);
  Report r(whole);
  REQUIRE(r.errors().empty());
  CHECK(join_of(r) == Join{.answers = 5,
                           .joined = 2,
                           .unmatched = 1,
                           .without_ticket_id = 1,
                           .superseded = 1,
                           .dropped_by_filter = 2});
  for (size_t chunk = 1; chunk <= 7; ++chunk) {
    CAPTURE(chunk);
    CHECK(report_json_for(config, files, chunk) == whole);
  }
}

}  // namespace
}  // namespace kpilens
