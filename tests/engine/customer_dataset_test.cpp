// Customer-success files end to end through the façade: the hand-computed fixtures of
// tests/fixtures/customers (the arithmetic is in tests/fixtures/customers/README.md), every one of
// them checked for a bridge that adds up; merges and file orders that change no figure.
#include <catch2/catch.hpp>

#include "customer_reader.h"

using namespace kpilens;
using namespace kpilens::test;

namespace {

std::string customers_fixture(std::string_view name) {
  return read_fixture(std::string("customers/") + std::string(name));
}

// One dataset over the fixtures, in order.
std::string report_over(std::string_view config, std::initializer_list<std::string_view> files,
                        size_t chunk = 0) {
  TicketDataset d(config);
  for (std::string_view name : files)
    feed_file(d, std::string(name), customers_fixture(name), chunk);
  return d.report_json();
}

// The customers section alone, re-serialised.
std::string section_of(const std::string& json) {
  Report r(json);
  return r.json_of("customers");
}

}  // namespace

TEST_CASE("Every movement type, a reactivation and an annual plan give the hand-computed bridge",
          "[customers]") {
  Report r(report_over(R"({"by": ["plan"]})", {"movements.csv"}));
  REQUIRE(r.valid());
  check_bridge_adds_up(r);
  Customers c(r);
  CHECK(Report::flag(r.root()["ok"]));
  CHECK(Report::string(r.file(0)["kind"]) == "subscriptions");
  CHECK(c.periods() == std::vector<std::string>{"2024-01", "2024-02", "2024-03", "2024-04"});
  CHECK(c.text("as_of") == "2024-04-05");
  CHECK(c.bridge("start_mrr") == std::vector<double>{0, 220, 250, 210});
  CHECK(c.bridge("end_mrr") == std::vector<double>{220, 250, 210, 220});
  CHECK(c.movement("new") == std::vector<double>{220, 40, 0, 0});
  CHECK(c.movement("expansion") == std::vector<double>{0, 0, 50, 0});
  CHECK(c.movement("contraction") == std::vector<double>{0, 0, -40, 0});
  CHECK(c.movement("churned") == std::vector<double>{0, -10, -50, 0});
  CHECK(c.movement("reactivation") == std::vector<double>{0, 0, 0, 10});
  CHECK(c.movers("new") == std::vector<uint64_t>{5, 3, 0, 0});
  CHECK(c.movers("expansion") == std::vector<uint64_t>{0, 0, 2, 0});
  CHECK(c.movers("contraction") == std::vector<uint64_t>{0, 0, 1, 0});
  CHECK(c.movers("churned") == std::vector<uint64_t>{0, 1, 1, 0});
  CHECK(c.movers("reactivation") == std::vector<uint64_t>{0, 0, 0, 1});
}

TEST_CASE("The period figures of the movements fixture are the hand-computed ones", "[customers]") {
  Report r(report_over(R"({"by": ["plan"]})", {"movements.csv"}));
  check_bridge_adds_up(r);
  Customers c(r);
  CHECK(c.series("mrr") == std::vector<double>{220, 250, 210, 220});
  CHECK(c.value("mrr") == 220);
  CHECK(c.n("mrr") == 7);
  CHECK(c.value("arr") == 2640);
  CHECK(c.series("active_customers") == std::vector<double>{5, 7, 6, 7});
  CHECK(c.series("arpa") == std::vector<double>{44, 250.0 / 6, 35, 220.0 / 7});
  CHECK(c.series("logo_churn_rate") == std::vector<double>{kNull, 20, 100.0 / 7, 0});
  CHECK(c.series("gross_mrr_churn_rate") == std::vector<double>{kNull, 1000.0 / 220, 36, 0});
  CHECK(c.series("net_mrr_churn_rate") ==
        std::vector<double>{kNull, 1000.0 / 220, 16, -1000.0 / 210});
  CHECK(c.series("nrr") == std::vector<double>{kNull, 21000.0 / 220, 84, 100});
  CHECK(c.series("grr") == std::vector<double>{kNull, 21000.0 / 220, 64, 100});
  CHECK(c.series("nrr_12m") == std::vector<double>{kNull, kNull, kNull, kNull});
  CHECK(c.series("customer_retention_rate") == std::vector<double>{kNull, 80, 600.0 / 7, 100});
  CHECK(c.extra("customer_retention_rate", "new_customers") == 1);
  CHECK(c.extra("customer_retention_rate", "churn_rate") == 0);
  CHECK(c.series("quick_ratio") == std::vector<double>{kNull, 4, 50.0 / 90, kNull});
  CHECK(c.series("renewal_rate") == std::vector<double>{kNull, 80, 87.5, 100});
  CHECK(c.series_n("renewal_rate") == std::vector<uint64_t>{0, 5, 8, 1});
  CHECK(c.count("customers") == 8);
  CHECK(c.count("subscriptions") == 12);
}

TEST_CASE("A plan change is churn or contraction in the old plan and new or expansion in the new",
          "[customers]") {
  Report r(report_over(R"({"by": ["plan"]})", {"movements.csv"}));
  check_bridge_adds_up(r);
  Customers c(r);
  REQUIRE(c.segment("plan") == std::vector<std::string>{"Annual", "Basic", "Free", "Pro", "Team"});
  // Basic (index 1): G leaves it for Pro on 15 March, F arrives from Pro, D from Free; C comes
  // back.
  Report::Lookup basic = c.bridge_of("plan", 1);
  CHECK(or_null(Report::numbers(basic["end_mrr"])) == std::vector<double>{20, 20, 30, 40});
  CHECK(or_null(Report::numbers(basic["amounts"]["new"])) == std::vector<double>{20, 10, 20, 0});
  CHECK(or_null(Report::numbers(basic["amounts"]["churned"])) ==
        std::vector<double>{0, -10, -10, 0});
  CHECK(or_null(Report::numbers(basic["amounts"]["reactivation"])) ==
        std::vector<double>{0, 0, 0, 10});
  // Pro (index 3): E and F leave in March (−100), G arrives (+50).
  Report::Lookup pro = c.bridge_of("plan", 3);
  CHECK(or_null(Report::numbers(pro["amounts"]["churned"])) == std::vector<double>{0, 0, -100, 0});
  CHECK(or_null(Report::numbers(pro["amounts"]["new"])) == std::vector<double>{100, 0, 50, 0});
  // Free (index 2): D's $0 plan is an active customer with no MRR.
  CHECK(c.breakdown("active_customers", "plan") == std::vector<double>{1, 4, 1, 1, 1});
  CHECK(c.breakdown("mrr", "plan") == std::vector<double>{100, 40, 0, 50, 30});
}

TEST_CASE("A downgrade and an upgrade on the same day are a contraction and an expansion",
          "[customers]") {
  // F: Pro 50 → Basic 10 on 15 March; G: Basic 10 → Pro 50 the same day. Overall they do not net
  // out: March has F's contraction (−40) and G's expansion (+40, with D's $0 → 10: +50 in all).
  Report r(report_over("{}", {"movements.csv"}));
  check_bridge_adds_up(r);
  Customers c(r);
  CHECK(c.movement("contraction")[2] == -40);
  CHECK(c.movement("expansion")[2] == 50);
  CHECK(c.movers("expansion")[2] == 2);
}

TEST_CASE("The cohort table of the movements fixture is the hand-computed one", "[customers]") {
  Report r(report_over("{}", {"movements.csv"}));
  check_bridge_adds_up(r);
  Customers c(r);
  CHECK(Report::string(c.section()["cohorts"]["basis"]) == "first_paid");
  CHECK(Report::counts(c.section()["cohorts"]["sizes"]) == std::vector<uint64_t>{5, 2, 1, 0});
  CHECK(c.row("customers", 0) == std::vector<double>{5, 4, 3, 4});
  CHECK(c.row("mrr", 0) == std::vector<double>{220, 210, 120, 130});
  CHECK(c.row("logo_retention", 0) == std::vector<double>{100, 80, 60, 80});
  CHECK(c.row("revenue_retention", 0) ==
        std::vector<double>{100, 21000.0 / 220, 12000.0 / 220, 13000.0 / 220});
  CHECK(c.row("revenue_retention", 1) == std::vector<double>{100, 200, 200, kNull});
  CHECK(c.row("logo_retention", 2) == std::vector<double>{100, 100, kNull, kNull});
  CHECK(c.row("logo_retention", 3) == std::vector<double>{kNull, kNull, kNull, kNull});
}

TEST_CASE("A cancellation at period end churns when the paid period ends", "[customers]") {
  Report r(report_over("{}", {"cancel_at_period_end.csv"}));
  check_bridge_adds_up(r);
  Customers c(r);
  CHECK(c.text("as_of") == "2024-03-20");
  // X cancelled on 20 Feb at period end (10 Mar): still active at the end of February.
  CHECK(c.bridge("end_mrr") == std::vector<double>{90, 90, 60});
  CHECK(c.movement("churned") == std::vector<double>{0, 0, -30});
}

TEST_CASE("Under churn recognition at cancellation, the same rows churn earlier", "[customers]") {
  Report r(report_over(R"({"customers": {"churn_recognition": "cancellation"}})",
                       {"cancel_at_period_end.csv"}));
  check_bridge_adds_up(r);
  Customers c(r);
  // X churns on 20 Feb, Z (cancelled 20 Mar) on as_of itself.
  CHECK(c.bridge("end_mrr") == std::vector<double>{90, 60, 30});
  CHECK(c.movement("churned") == std::vector<double>{0, -30, -30});
  CHECK(Report::string(c.section()["config"]["churn_recognition"]) == "cancellation");
}

TEST_CASE("Invoices are read as service periods, monthly, annual or by the day", "[customers]") {
  Report r(report_over(R"({"customers": {"as_of": "2024-02-29"}})", {"invoices.csv"}));
  check_bridge_adds_up(r);
  Customers c(r);
  CHECK(Report::string(r.file(0)["kind"]) == "invoices");
  CHECK(c.text("currency") == "USD");
  CHECK(c.bridge("end_mrr") == std::vector<double>{190, 494.166667});
  CHECK(c.movement("new") == std::vector<double>{190, 304.166667});
  CHECK(c.count("one_off_invoices") == 1);
  CHECK(c.count("void_invoices") == 1);
  CHECK(c.count("customers") == 5);
  CHECK_FALSE(c.available("renewal_rate"));
}

TEST_CASE("MRR snapshot rows give every movement, a zero row being inactive", "[customers]") {
  Report r(report_over("{}", {"mrr_snapshot.csv"}));
  check_bridge_adds_up(r);
  Customers c(r);
  CHECK(Report::string(r.file(0)["kind"]) == "mrr");
  CHECK(c.text("as_of") == "2024-03-31");
  CHECK(c.bridge("end_mrr") == std::vector<double>{150, 200, 240});
  CHECK(c.movement("expansion") == std::vector<double>{0, 20, 0});
  CHECK(c.movement("churned") == std::vector<double>{0, -50, 0});
  CHECK(c.movement("reactivation") == std::vector<double>{0, 0, 40});
  CHECK(c.count("zero_mrr_rows") == 1);
}

TEST_CASE("A customers file's segments and signups join subscriptions read before or after",
          "[customers]") {
  const std::string before =
      report_over(R"({"by": ["region"]})", {"join_customers.csv", "join_subscriptions.csv"});
  const std::string after =
      report_over(R"({"by": ["region"]})", {"join_subscriptions.csv", "join_customers.csv"});
  Report r(before);
  check_bridge_adds_up(r);
  check_bridge_adds_up(Report(after));
  CHECK(section_of(before) == section_of(after));
  Customers c(r);
  CHECK(c.segment("region") == std::vector<std::string>{"EU", "US"});
  CHECK(c.breakdown("mrr", "region") == std::vector<double>{40, 0});
  CHECK(c.breakdown("logo_churn_rate", "region") == std::vector<double>{0, 100});
  // Cohorts by signup: K2 (January) left in February; K3 and K4 signed up in February, K4 never
  // paid.
  CHECK(Report::string(c.section()["cohorts"]["basis"]) == "signup");
  CHECK(c.row("logo_retention", 0) == std::vector<double>{100, 0});
  CHECK(c.row("logo_retention", 1) == std::vector<double>{50, kNull});
  CHECK(c.row("revenue_retention", 1) == std::vector<double>{100, kNull});
}

TEST_CASE("Two halves of a file give the same customers section as the whole", "[customers]") {
  const std::string text = customers_fixture("movements.csv");
  const size_t header_end = text.find('\n') + 1;
  const std::string header = text.substr(0, header_end);
  size_t middle = header_end;
  for (int line = 0; line < 6; ++line) middle = text.find('\n', middle) + 1;
  TicketDataset halves(R"({"by": ["plan"]})");
  feed_file(halves, "first.csv", text.substr(0, middle));
  feed_file(halves, "second.csv", header + text.substr(middle));
  TicketDataset whole(R"({"by": ["plan"]})");
  feed_file(whole, "movements.csv", text);
  Report a(halves.report_json());
  check_bridge_adds_up(a);
  CHECK(a.json_of("customers") == Report(whole.report_json()).json_of("customers"));
}

TEST_CASE("A row file that lacks a segment column read first changes no figure", "[customers]") {
  // join_subscriptions has no plan column; movements has one. In either order, the first file's
  // customers are "(blank)" in plan.
  const std::string a =
      report_over(R"({"by": ["plan"]})", {"join_subscriptions.csv", "movements.csv"});
  const std::string b =
      report_over(R"({"by": ["plan"]})", {"movements.csv", "join_subscriptions.csv"});
  check_bridge_adds_up(Report(a));
  CHECK(section_of(a) == section_of(b));
  Report parsed(a);
  CHECK(Customers(parsed).segment("plan").front() == "(blank)");
}

TEST_CASE("The customers section does not depend on the chunk size", "[customers]") {
  const std::string reference = report_over(R"({"by": ["plan"]})", {"movements.csv"});
  for (size_t chunk : {1, 7, 64}) {
    CHECK(report_over(R"({"by": ["plan"]})", {"movements.csv"}, chunk) == reference);
  }
}

TEST_CASE("Two currencies across files fail the report with an error naming both", "[customers]") {
  Report r(report_over("{}", {"currency_usd.csv", "currency_eur.csv"}));
  REQUIRE(r.valid());
  CHECK_FALSE(Report::flag(r.root()["ok"]));
  std::vector<std::string> errors = r.errors();
  REQUIRE(errors.size() == 1);
  CHECK(contains(errors[0], "EUR: 1 row, first in currency_eur.csv"));
  CHECK(contains(errors[0], "USD: 2 rows, first in currency_usd.csv"));
  CHECK(contains(errors[0], R"({"column":"currency","values":["eur"]})"));
  Customers c(r);
  CHECK_FALSE(c.available("mrr"));
  CHECK(Report::string(c.section()["bridge"]) == "<not a string>");
}

TEST_CASE("Two currencies in one file fail the report too; a filter on the column keeps one",
          "[customers]") {
  Report mixed(report_over("{}", {"currency_mixed.csv"}));
  CHECK_FALSE(Report::flag(mixed.root()["ok"]));
  CHECK(any_contains(mixed.errors(), "2 currencies"));
  Report kept(report_over(R"({"filters": [{"column": "currency", "values": ["usd"]}]})",
                          {"currency_mixed.csv"}));
  CHECK(Report::flag(kept.root()["ok"]));
  check_bridge_adds_up(kept);
  Customers c(kept);
  CHECK(c.value("mrr") == 30);
  CHECK(Report::count(kept.input()["rows_filtered"]) == 1);
}

TEST_CASE("A configured currency that the data contradicts is an error", "[customers]") {
  Report r(report_over(R"({"customers": {"currency": "eur"}})", {"currency_usd.csv"}));
  CHECK_FALSE(Report::flag(r.root()["ok"]));
  CHECK(any_contains(r.errors(), "EUR: customers.currency"));
}

TEST_CASE("A Telco-style churn file dropped as is gives the snapshot figures", "[customers]") {
  Report r(report_over(R"({"by": ["Contract", "tenure_band"]})", {"telco_sample.csv"}));
  REQUIRE(Report::flag(r.root()["ok"]));
  check_bridge_adds_up(r);
  Customers c(r);
  CHECK(Report::string(r.file(0)["kind"]) == "customers");
  CHECK(Report::string(r.file(0)["preset"]["id"]) == "telco_churn");
  CHECK(c.value("snapshot_customers") == 8);
  CHECK(c.value("snapshot_churn_rate") == 37.5);
  CHECK(c.extra("snapshot_churn_rate", "churned_mrr") == 224.2);
  CHECK(c.value("snapshot_retention_rate") == 62.5);
  CHECK(c.value("snapshot_retained_mrr") == 254.15);
  CHECK(c.value("snapshot_arpa") == 50.83);
  CHECK(c.value("snapshot_average_tenure") == 20.5);
  CHECK(c.extra("snapshot_average_tenure", "retained_mean") == 30.4);
  CHECK(c.extra("snapshot_average_tenure", "churned_mean") == 4);
  CHECK(c.segment("Contract") ==
        std::vector<std::string>{"Month-to-month", "One year", "Two year"});
  CHECK(c.breakdown("snapshot_churn_rate", "Contract") == std::vector<double>{75, 0, 0});
  CHECK(c.segment("tenure_band") ==
        std::vector<std::string>{"< 6 months", "6–12 months", "24–48 months", "≥ 48 months"});
  CHECK(c.breakdown("snapshot_churn_rate", "tenure_band") == std::vector<double>{50, 100, 0, 0});
  CHECK_FALSE(c.available("mrr"));
  CHECK(Report::string(c.section()["bridge"]) == "<not a string>");
}

TEST_CASE("A bank-churn-style file gives churn and retention, tenure in years, no MRR",
          "[customers]") {
  Report r(report_over(R"({"by": ["Geography", "age_band"]})", {"bank_sample.csv"}));
  REQUIRE(Report::flag(r.root()["ok"]));
  Customers c(r);
  CHECK(Report::string(r.file(0)["preset"]["id"]) == "bank_churn");
  CHECK(c.value("snapshot_churn_rate") == 50);
  CHECK(c.value("snapshot_retention_rate") == 50);
  CHECK_FALSE(c.available("snapshot_retained_mrr"));
  CHECK_FALSE(c.available("snapshot_arpa"));
  CHECK(c.extra("snapshot_churn_rate", "churned_mrr") == std::nullopt);
  // Tenure 2, 1, 8, 1, 2, 8 years = 24, 12, 96, 12, 24, 96 months.
  CHECK(c.value("snapshot_average_tenure") == 44);
  CHECK(Report::string(c.section()["snapshot"]["tenure_unit"]) == "years");
  CHECK(c.segment("Geography") == std::vector<std::string>{"France", "Germany", "Spain"});
  CHECK(c.breakdown("snapshot_churn_rate", "Geography") == std::vector<double>{200.0 / 3, 100, 0});
  CHECK(c.segment("age_band") == std::vector<std::string>{"25–35", "35–45", "45–55", "≥ 65"});
  CHECK(c.breakdown("snapshot_churn_rate", "age_band") ==
        std::vector<double>{100, 100.0 / 3, 100, 0});
}

TEST_CASE("A ticket export alone has a null customers section", "[customers]") {
  Report r(report_for("{}", read_fixture("generic_tickets.csv")));
  REQUIRE(r.valid());
  CHECK(Customers(r).is_null());
  CHECK(Report::string(r.root()["schema_version"]) == "1.3");
}

TEST_CASE("Rows without a customer or a start are rejected with their line", "[customers]") {
  const std::string csv =
      "customer,amount,start date,interval\n"  // line 1
      "A,10,2024-01-05,month\n"                // 2
      ",10,2024-01-06,month\n"                 // 3: customer is empty
      "B,10,,month\n"                          // 4: start is empty
      "C,ten,2024-01-07,month\n"               // 5: amount is not a number
      "D,10,2024-01-08,fortnightly-ish\n"      // 6: interval
      "E,-5,2024-01-09,month\n";               // 7: negative
  Report r(report_for("{}", csv, 0, "subs.csv"));
  REQUIRE(r.valid());
  CHECK(Report::count(r.input()["rows_rejected"]) == 5);
  CHECK(Report::count(r.input()["rows_used"]) == 1);
  std::vector<std::string> reasons;
  simdjson::dom::array rejected;
  REQUIRE(r.input()["rejected"].get(rejected) == simdjson::SUCCESS);
  for (simdjson::dom::element e : rejected) reasons.push_back(Report::string(e["reason"]));
  CHECK(reasons == std::vector<std::string>{"customer is empty", "start is empty",
                                            "amount 'ten' is not a number",
                                            "interval 'fortnightly-ish' is not a billing interval",
                                            "amount '-5' is negative"});
}

TEST_CASE("Unreadable optional cells are value issues named by the customer field", "[customers]") {
  const std::string csv =
      "customer,amount,start date,trial end,quantity\n"
      "A,10,2024-01-05,soon,2\n"
      "B,10,2024-01-06,,two\n";
  Report r(report_for("{}", csv, 0, "subs.csv"));
  simdjson::dom::array issues;
  REQUIRE(r.input()["value_issues"].get(issues) == simdjson::SUCCESS);
  std::vector<std::string> fields;
  for (simdjson::dom::element e : issues) fields.push_back(Report::string(e["field"]));
  CHECK(fields == std::vector<std::string>{"quantity", "trial_end"});
  // A: quantity 2 (20); B: quantity unreadable, so 1 (10).
  CHECK(Customers(r).value("mrr") == 30);
}

TEST_CASE("A customer-success dataset whose filter column is in no file fails", "[customers]") {
  Report r(
      report_over(R"({"filters": [{"column": "Region", "values": ["EU"]}]})", {"movements.csv"}));
  CHECK_FALSE(Report::flag(r.root()["ok"]));
  CHECK(any_contains(r.errors(), "filter column 'Region' is in no file"));
}

TEST_CASE("A dataset-wide mapping entry no customer file can use is a warning", "[customers]") {
  Report r(report_over(R"({"mapping": {"amount": "Price"}})", {"movements.csv"}));
  CHECK(Report::flag(r.root()["ok"]));
  CHECK(any_contains(r.warnings(),
                     "mapping for 'amount': no customer-success file has a column "
                     "named 'Price'"));
}

TEST_CASE("date_from and date_to choose the listed periods, not the rows", "[customers]") {
  Report r(
      report_over(R"({"date_from": "2024-02-01", "date_to": "2024-03-31"})", {"movements.csv"}));
  check_bridge_adds_up(r);
  Customers c(r);
  CHECK(c.periods() == std::vector<std::string>{"2024-02", "2024-03"});
  // February starts from January's end (220), built from rows before date_from.
  CHECK(c.bridge("start_mrr") == std::vector<double>{220, 250});
  CHECK(c.value("mrr") == 210);
}

TEST_CASE("Quarters evaluate each customer at the quarter's end", "[customers]") {
  Report r(report_over(R"({"customers": {"grain": "quarter"}})", {"movements.csv"}));
  check_bridge_adds_up(r);
  Customers c(r);
  CHECK(c.periods() == std::vector<std::string>{"2024-Q1", "2024-Q2"});
  // Q1 ends on 31 March (210); Q2 is evaluated on as_of, 5 April (220).
  CHECK(c.bridge("end_mrr") == std::vector<double>{210, 220});
  // Q1 from nothing: every customer active at its end is new, including D ($0 → 10 within Q1).
  // C was active only within Q1, never at a quarter's end, so its return in Q2 is new too.
  CHECK(c.movement("new") == std::vector<double>{210, 10});
  CHECK(c.movement("reactivation") == std::vector<double>{0, 0});
}

TEST_CASE("With free_is_active false, a $0 plan is no active customer", "[customers]") {
  Report r(report_over(R"({"customers": {"free_is_active": false}})", {"movements.csv"}));
  check_bridge_adds_up(r);
  Customers c(r);
  // D's free plan (February) is left out: D is new in March with 10 instead of expanding.
  CHECK(c.series("active_customers") == std::vector<double>{5, 6, 6, 7});
  CHECK(c.movers("new") == std::vector<uint64_t>{5, 2, 1, 0});
  CHECK(c.movement("new") == std::vector<double>{220, 40, 10, 0});
  CHECK(c.movement("expansion") == std::vector<double>{0, 0, 40, 0});
  CHECK(c.count("zero_mrr_rows") == 1);
}

TEST_CASE("amount_unit cents reads amounts as cents", "[customers]") {
  Report r(report_over(R"({"customers": {"amount_unit": "cents"}})", {"currency_usd.csv"}));
  check_bridge_adds_up(r);
  // 10 and 20 cents.
  CHECK(Customers(r).value("mrr") == 0.3);
}

TEST_CASE("probe names the customer-success kinds", "[customers]") {
  TicketDataset d("{}");
  CHECK(d.probe("m.csv", customers_fixture("movements.csv")).kind == DatasetKind::kSubscriptions);
  CHECK(d.probe("i.csv", customers_fixture("invoices.csv")).kind == DatasetKind::kInvoices);
  CHECK(d.probe("s.csv", customers_fixture("mrr_snapshot.csv")).kind == DatasetKind::kMrr);
  CHECK(d.probe("t.csv", customers_fixture("telco_sample.csv")).kind == DatasetKind::kCustomers);
  CHECK(d.probe("z.csv", read_fixture("zendesk_tickets.csv")).kind == DatasetKind::kTickets);
  CHECK(d.files().empty());
}

TEST_CASE("files.<name>.kind makes a file customer-success or keeps it a ticket file",
          "[customers]") {
  const std::string csv = "Client,Fee,Since\nA,10,2024-01-05\nB,15,2024-01-06\n";
  Report forced(report_for(R"({"files": {"fees.csv": {"kind": "subscriptions",
      "mapping": {"customer": "Client", "amount": "Fee", "start": "Since"}}}})",
                           csv, 0, "fees.csv"));
  CHECK(Report::string(forced.file(0)["kind"]) == "subscriptions");
  CHECK(Customers(forced).value("mrr") == 25);
  Report tickets(
      report_over(R"({"files": {"movements.csv": {"kind": "tickets"}}})", {"movements.csv"}));
  CHECK(Report::string(tickets.file(0)["kind"]) == "tickets");
  CHECK(Customers(tickets).is_null());
}
