// ticket_kpis: the support KPIs computed from hand-made TicketRecords through TicketGroup and the
// catalogue's compute functions. Every expected figure is worked out in the comment above it.
#include "ticket_kpis.h"

#include <catch2/catch.hpp>
#include <string_view>

namespace kpilens {
namespace {

const KpiDefinition& kpi(std::string_view id) {
  for (const KpiDefinition& def : ticket_kpi_catalogue()) {
    if (def.id == id) return def;
  }
  FAIL("no KPI " << id);
  return ticket_kpi_catalogue().front();
}

KpiValue compute(std::string_view id, TicketGroup& group, const KpiSettings& settings = {}) {
  group.finish();
  return kpi(id).compute(group, settings);
}

TicketRecord solved_ticket(std::optional<double> replies, std::optional<double> reopens = 0) {
  TicketRecord t;
  t.solved = true;
  t.replies = replies;
  t.reopens = reopens;
  return t;
}

TicketRecord open_ticket(std::optional<double> replies = 1) {
  TicketRecord t;
  t.replies = replies;
  t.reopens = 0;
  return t;
}

ColumnMapping mapping_of(std::initializer_list<TicketField> fields) {
  ColumnMapping m;
  int column = 0;
  for (TicketField f : fields) m.fields[static_cast<size_t>(f)].column = column++;
  return m;
}

// Six tickets used by the FCR cases:
//   solved, 1 reply, 0 reopens   → first contact, one touch
//   solved, 1 reply, 1 reopen    → not first contact (reopened), one touch, reopened
//   solved, 0 replies, 0 reopens → not first contact (no reply), one touch
//   solved, 2 replies, 0 reopens → not first contact, not one touch
//   solved, 3 replies, 2 reopens → not first contact, not one touch, reopened
//   open,   1 reply              → not counted (not solved)
// Solved = 5; first contact = 1 → FCR 20 %; of all 6 tickets → 16.67 %; one touch 3 → 60 %;
// reopened 2 → 40 %.
TicketGroup fcr_group() {
  TicketGroup g;
  KpiSettings s;
  g.feed(solved_ticket(1, 0), s);
  g.feed(solved_ticket(1, 1), s);
  g.feed(solved_ticket(0, 0), s);
  g.feed(solved_ticket(2, 0), s);
  g.feed(solved_ticket(3, 2), s);
  g.feed(open_ticket(1), s);
  return g;
}

TEST_CASE("FCR is exactly one agent reply and no reopen over solved tickets", "[ticket][fcr]") {
  TicketGroup g = fcr_group();
  KpiValue v = compute("fcr", g);
  CHECK(v.n == 5);
  REQUIRE(v.value);
  CHECK(*v.value == 20);
  CHECK(*v.extras.at(0) == 1);
}

TEST_CASE("FCR of all tickets divides by every ticket (the seeds' variant)", "[ticket][fcr]") {
  // 1 first-contact ticket ÷ 6 tickets × 100 = 16.666…
  TicketGroup g = fcr_group();
  KpiValue v = compute("fcr_all_tickets", g);
  CHECK(v.n == 6);
  CHECK(*v.value == Approx(100.0 / 6).epsilon(1e-12));
}

TEST_CASE("One-touch rate is fewer than two replies over solved tickets (Zendesk)",
          "[ticket][fcr]") {
  // Solved with replies < 2: 1, 1, 0 → 3 of 5 = 60 %.
  TicketGroup g = fcr_group();
  KpiValue v = compute("one_touch_rate", g);
  CHECK(v.n == 5);
  CHECK(*v.value == 60);
}

TEST_CASE("Reopen rate is solved tickets reopened at least once over solved tickets",
          "[ticket][fcr]") {
  // Reopens > 0 among solved: 1, 2 → 2 of 5 = 40 %.
  TicketGroup g = fcr_group();
  KpiValue v = compute("reopen_rate", g);
  CHECK(v.n == 5);
  CHECK(*v.value == 40);
  CHECK(*v.extras.at(0) == 2);
}

TEST_CASE("FCR uses the yes/no first_contact_resolved column when replies are absent",
          "[ticket][fcr]") {
  // Solved: yes, yes, no, (unknown); open: yes. Known solved = 3, resolved first = 2 → 66.67 %.
  KpiSettings s;
  TicketGroup g;
  for (std::optional<bool> flag : {std::optional<bool>(true), std::optional<bool>(true),
                                   std::optional<bool>(false), std::optional<bool>()}) {
    TicketRecord t;
    t.solved = true;
    t.first_contact_resolved = flag;
    g.feed(t, s);
  }
  TicketRecord open;
  open.first_contact_resolved = true;
  g.feed(open, s);
  KpiValue v = compute("fcr", g);
  CHECK(v.n == 3);
  CHECK(*v.value == Approx(200.0 / 3).epsilon(1e-12));
  // Without a replies column there is no one-touch figure.
  CHECK_FALSE(compute("one_touch_rate", g).value.has_value());
}

TEST_CASE("FCR prefers the replies count over the yes/no column", "[ticket][fcr]") {
  // Replies 2 says "not first contact" although the flag says yes.
  KpiSettings s;
  TicketGroup g;
  TicketRecord t = solved_ticket(2, 0);
  t.first_contact_resolved = true;
  g.feed(t, s);
  KpiValue v = compute("fcr", g);
  CHECK(v.n == 1);
  CHECK(*v.value == 0);
}

TEST_CASE("FCR, one-touch and reopen rates are null when nothing is solved", "[ticket][fcr]") {
  KpiSettings s;
  TicketGroup g;
  g.feed(open_ticket(1), s);
  for (std::string_view id : {"fcr", "one_touch_rate", "reopen_rate", "resolution_time_mean"}) {
    CAPTURE(id);
    KpiValue v = compute(id, g);
    CHECK(v.n == 0);
    CHECK_FALSE(v.value.has_value());
  }
  // The seeds' FCR divides by all tickets: 0 of 1 is a real 0 %.
  CHECK(*compute("fcr_all_tickets", g).value == 0);
}

TEST_CASE("Durations give mean, median and p90 with type-7 interpolation", "[ticket][durations]") {
  // First response minutes 10, 20, 30, 40, 100 (fed out of order).
  // Mean = 200 ÷ 5 = 40. Median: h = (5 − 1) × 0.5 = 2 → x[2] = 30.
  // p90: h = 4 × 0.9 = 3.6 → x[3] + 0.6 × (x[4] − x[3]) = 40 + 0.6 × 60 = 76.
  KpiSettings s;
  TicketGroup g;
  for (double m : {100, 20, 40, 10, 30}) {
    TicketRecord t;
    t.first_response_minutes = m;
    g.feed(t, s);
  }
  TicketRecord no_reply;
  g.feed(no_reply, s);
  KpiValue mean = compute("first_response_time_mean", g);
  CHECK(mean.n == 5);
  CHECK(*mean.value == 40);
  CHECK(*compute("first_response_time_median", g).value == 30);
  CHECK(*compute("first_response_time_p90", g).value == Approx(76).epsilon(1e-12));
}

TEST_CASE("Median of an even count interpolates halfway between the middle values",
          "[ticket][durations]") {
  // Resolution hours 1, 2, 4, 8: median h = 3 × 0.5 = 1.5 → 2 + 0.5 × (4 − 2) = 3.
  // p90: h = 3 × 0.9 = 2.7 → 4 + 0.7 × (8 − 4) = 6.8. Mean = 15 ÷ 4 = 3.75.
  KpiSettings s;
  TicketGroup g;
  for (double h : {8, 1, 4, 2}) {
    TicketRecord t;
    t.solved = true;
    t.resolution_hours = h;
    g.feed(t, s);
  }
  CHECK(*compute("resolution_time_median", g).value == 3);
  CHECK(*compute("resolution_time_p90", g).value == Approx(6.8).epsilon(1e-12));
  CHECK(*compute("resolution_time_mean", g).value == 3.75);
}

TEST_CASE("A single duration is its own mean, median and p90", "[ticket][durations]") {
  KpiSettings s;
  TicketGroup g;
  TicketRecord t;
  t.first_response_minutes = 42;
  g.feed(t, s);
  CHECK(*compute("first_response_time_mean", g).value == 42);
  CHECK(*compute("first_response_time_median", g).value == 42);
  CHECK(*compute("first_response_time_p90", g).value == 42);
}

TEST_CASE("Resolution rate and backlog count solved and open tickets of a group",
          "[ticket][volume]") {
  // 5 solved + 1 open: resolution rate 5 ÷ 6 = 83.33 %, backlog 1, tickets 6.
  TicketGroup g = fcr_group();
  KpiValue rate = compute("resolution_rate", g);
  CHECK(rate.n == 6);
  CHECK(*rate.value == Approx(500.0 / 6).epsilon(1e-12));
  CHECK(*compute("backlog", g).value == 1);
  CHECK(*compute("tickets", g).value == 6);
}

TEST_CASE("Cost per ticket is the mean over tickets that have a cost", "[ticket][cost]") {
  // Costs 10, 20, 33 and one ticket without → 63 ÷ 3 = 21.
  KpiSettings s;
  TicketGroup g;
  for (std::optional<double> c : {std::optional<double>(10), std::optional<double>(20),
                                  std::optional<double>(), std::optional<double>(33)}) {
    TicketRecord t;
    t.cost = c;
    g.feed(t, s);
  }
  KpiValue v = compute("cost_per_ticket", g);
  CHECK(v.n == 3);
  CHECK(*v.value == 21);
}

TEST_CASE("An empty group gives null rates and a zero count, never NaN", "[ticket][volume]") {
  TicketGroup g;
  for (const KpiDefinition& def : ticket_kpi_catalogue()) {
    CAPTURE(def.id);
    KpiValue v = compute(def.id, g);
    if (def.id == "tickets" || def.id == "backlog") {
      CHECK(*v.value == 0);
    } else {
      CHECK_FALSE(v.value.has_value());
    }
    for (const auto& e : v.extras) {
      if (e) CHECK(*e == *e);  // not NaN
    }
  }
}

TEST_CASE("A ticket group merged from two halves equals one group fed everything",
          "[ticket][merge]") {
  KpiSettings s;
  std::vector<TicketRecord> tickets;
  for (int i = 0; i < 23; ++i) {
    TicketRecord t;
    t.solved = i % 4 != 0;
    t.replies = i % 3;
    t.reopens = i % 5 == 0 ? 1 : 0;
    t.first_response_minutes = (i * 37) % 50 + 0.25;
    if (t.solved) t.resolution_hours = (i * 13) % 30 + 0.5;
    t.csat = Rating{RatingKind::kScore, static_cast<double>(i % 5 + 1)};
    t.nps = i % 11;
    t.ces = i % 7 + 1;
    t.cost = i * 1.1;
    tickets.push_back(t);
  }
  TicketGroup whole, left, right;
  for (size_t i = 0; i < tickets.size(); ++i) {
    whole.feed(tickets[i], s);
    (i < 9 ? left : right).feed(tickets[i], s);
  }
  left.merge(right);
  whole.finish();
  left.finish();
  for (const KpiDefinition& def : ticket_kpi_catalogue()) {
    CAPTURE(def.id);
    KpiValue a = def.compute(whole, s), b = def.compute(left, s);
    CHECK(a.value == b.value);
    CHECK(a.n == b.n);
    CHECK(a.extras == b.extras);
  }
}

TEST_CASE("A KPI needs its inputs mapped: CSAT without a csat column has none",
          "[ticket][inputs]") {
  ColumnMapping without = mapping_of({TicketField::kCreatedAt, TicketField::kStatus});
  CHECK(kpi("csat").inputs(without).empty());
  CHECK(kpi("nps").inputs(without).empty());
  CHECK(kpi("fcr").inputs(without).empty());
  CHECK(kpi("csat").needs == "csat");
  ColumnMapping with = mapping_of(
      {TicketField::kCreatedAt, TicketField::kStatus, TicketField::kCsat, TicketField::kReplies});
  CHECK(kpi("csat").inputs(with) == std::vector<TicketField>{TicketField::kCsat});
  CHECK(kpi("fcr").inputs(with) ==
        std::vector<TicketField>{TicketField::kReplies, TicketField::kStatus});
}

TEST_CASE("FCR inputs fall back to the first_contact_resolved column", "[ticket][inputs]") {
  ColumnMapping m = mapping_of({TicketField::kSolvedAt, TicketField::kFirstContactResolved});
  CHECK(kpi("fcr").inputs(m) ==
        std::vector<TicketField>{TicketField::kFirstContactResolved, TicketField::kSolvedAt});
  CHECK(kpi("one_touch_rate").inputs(m).empty());
}

TEST_CASE("First response time reads a duration column or two timestamps", "[ticket][inputs]") {
  CHECK(kpi("first_response_time_mean")
            .inputs(mapping_of({TicketField::kCreatedAt, TicketField::kFirstResponseAt})) ==
        std::vector<TicketField>{TicketField::kCreatedAt, TicketField::kFirstResponseAt});
  CHECK(kpi("first_response_time_mean").inputs(mapping_of({TicketField::kCreatedAt})).empty());
  CHECK(kpi("first_response_time_mean").inputs(mapping_of({TicketField::kFirstResponseDuration})) ==
        std::vector<TicketField>{TicketField::kFirstResponseDuration});
}

}  // namespace
}  // namespace kpilens
