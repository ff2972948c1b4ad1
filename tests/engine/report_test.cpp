// report_json and report_formats: the report's shape, and its CSV and text renderings (formula
// cells neutralised, delimiters quoted, unavailable KPIs listed).
#include "report_formats.h"

#include <catch2/catch.hpp>
#include <sstream>

#include "report_reader.h"
#include "ticket_kpis.h"

namespace kpilens {
namespace {

using test::contains;
using test::read_fixture;
using test::Report;
using test::report_for;

TEST_CASE("The report has the documented top-level sections", "[report]") {
  Report r(report_for(R"({"by": ["channel"]})", read_fixture("zendesk_tickets.csv")));
  REQUIRE(r.valid());
  std::string_view version;
  REQUIRE(r.root()["schema_version"].get(version) == simdjson::SUCCESS);
  CHECK_FALSE(version.empty());
  CHECK(Report::string(r.root()["generator"]["name"]) == "kpilens");
  CHECK(Report::string(r.root()["dataset"]) == "tickets");
  CHECK(Report::flag(r.root()["ok"]));
  for (const char* key : {"config", "input", "warnings", "errors", "periods", "segments", "kpis"}) {
    CAPTURE(key);
    simdjson::dom::element e;
    CHECK(r.root()[key].get(e) == simdjson::SUCCESS);
  }
  CHECK(Report::string(r.root()["config"]["grain"]) == "week");
  CHECK(Report::string(r.root()["config"]["week_start"]) == "monday");
}

TEST_CASE("The report lists every catalogue KPI in order with its definition fields", "[report]") {
  Report r(report_for("{}", read_fixture("generic_tickets.csv")));
  simdjson::dom::array kpis;
  REQUIRE(r.root()["kpis"].get(kpis) == simdjson::SUCCESS);
  const auto& catalogue = ticket_kpi_catalogue();
  REQUIRE(kpis.size() == catalogue.size());
  size_t i = 0;
  for (simdjson::dom::element k : kpis) {
    const KpiDefinition& def = catalogue[i++];
    CAPTURE(def.id);
    CHECK(Report::string(k["id"]) == def.id);
    CHECK(Report::string(k["label"]) == def.label);
    CHECK(Report::string(k["variant"]) == def.variant);
    CHECK(Report::string(k["formula"]) == def.formula);
    CHECK(Report::strings(k["extra_names"]).size() == def.extra_names.size());
    for (const char* key :
         {"unit", "available", "inputs", "needs", "value", "n", "extras", "series", "breakdowns"}) {
      CAPTURE(key);
      simdjson::dom::element e;
      CHECK(k[key].get(e) == simdjson::SUCCESS);
    }
  }
}

TEST_CASE("Series columns have one entry per period for values, n and every extra", "[report]") {
  Report r(report_for("{}", read_fixture("generic_tickets.csv")));
  size_t periods = r.period_keys().size();
  REQUIRE(periods == 3);
  CHECK(r.series("nps").size() == periods);
  CHECK(r.series_n("nps").size() == periods);
  for (const char* extra : {"promoters", "passives", "detractors", "margin_95"}) {
    CAPTURE(extra);
    CHECK(r.series_extra("nps", extra).size() == periods);
  }
  // W02 NPS answers 10 (#5), 8 (#6), 0 (#7): promoters 1, passives 1, detractors 1 → 0.
  CHECK(test::or_null(r.series_extra("nps", "promoters")) == std::vector<double>{2, 1, 1});
  CHECK(test::or_null(r.series("nps"))[1] == 0);
}

TEST_CASE("Report strings are valid UTF-8 even when a cell is not", "[report]") {
  // After valid UTF-8 ("Zoë"), a Latin-1 'é' (0xE9) is not UTF-8: it is read as U+FFFD and
  // counted, and the JSON still parses. (Alone, it would make the file Windows-1252.)
  std::string csv =
      "created_at,channel\n2024-03-04T09:00:00Z,Zo\xC3\xAB\n2024-03-05T09:00:00Z,caf\xE9\n";
  std::string json = report_for(R"({"by": ["channel"]})", csv);
  Report r(json);
  REQUIRE(r.valid());
  CHECK(r.segment_values("channel") == std::vector<std::string>{"Zo\xC3\xAB", "caf\xEF\xBF\xBD"});
  CHECK(Report::string(r.file(0)["encoding"]) == "utf-8");
}

// Two segments whose values would misbehave in a spreadsheet: a formula and a comma.
constexpr std::string_view kHostileSegments =
    "id,created_at,channel\n"
    "1,2024-03-04T09:00:00Z,\"=HYPERLINK(\"\"http://x\"\")\"\n"
    "2,2024-03-05T09:00:00Z,\"Phone, mobile\"\n";

TEST_CASE("report_to_csv neutralises a segment value that a spreadsheet would run as a formula",
          "[report][formats]") {
  std::string json = report_for(R"({"by": ["channel"]})", kHostileSegments);
  Report r(json);
  REQUIRE(r.segment_values("channel") ==
          std::vector<std::string>{"=HYPERLINK(\"http://x\")", "Phone, mobile"});
  auto csv = report_to_csv(json);
  REQUIRE(csv);
  // The cell starts with an apostrophe, and is quoted because it holds quotes.
  CHECK(contains(*csv,
                 "tickets,created,count,segment,,channel,\"'=HYPERLINK(\"\"http://x\"\")\",1,1\n"));
  // No cell anywhere starts with '=' (after a delimiter, a quote or a line start).
  CHECK_FALSE(contains(*csv, ",="));
  CHECK_FALSE(contains(*csv, ",\"="));
  CHECK_FALSE(contains(*csv, "\n="));
}

TEST_CASE("report_to_csv quotes cells that contain commas", "[report][formats]") {
  std::string json = report_for(R"({"by": ["channel"]})", kHostileSegments);
  auto csv = report_to_csv(json);
  REQUIRE(csv);
  CHECK(contains(*csv, "tickets,created,count,segment,,channel,\"Phone, mobile\",1,1\n"));
  // Every line has the header's nine columns (outside quotes).
  std::istringstream lines(*csv);
  std::string line;
  size_t count = 0;
  while (std::getline(lines, line)) {
    CAPTURE(line);
    size_t commas = 0;
    bool quoted = false;
    for (char c : line) {
      if (c == '"') quoted = !quoted;
      commas += (!quoted && c == ',');
    }
    CHECK(commas == 8);
    ++count;
  }
  CHECK(count > 1);
}

TEST_CASE("report_to_csv writes overall, period and segment rows", "[report][formats]") {
  // Two tickets in W10: overall 2, one period row 2, two segment rows of 1.
  std::string json = report_for(R"({"by": ["channel"]})", kHostileSegments);
  auto csv = report_to_csv(json);
  REQUIRE(csv);
  CHECK(csv->rfind("kpi,variant,unit,scope,period,segment_column,segment,value,n\n", 0) == 0);
  CHECK(contains(*csv, "tickets,created,count,overall,,,,2,2\n"));
  CHECK(contains(*csv, "tickets,created,count,period,2024-W10,,,2,2\n"));
}

TEST_CASE("csv_cell prefixes formula starters and quotes delimiters", "[report][formats]") {
  CHECK(csv_cell("plain") == "plain");
  CHECK(csv_cell("=1+1") == "'=1+1");
  CHECK(csv_cell("+1") == "'+1");
  CHECK(csv_cell("-1") == "'-1");
  CHECK(csv_cell("@SUM(A1)") == "'@SUM(A1)");
  CHECK(csv_cell("\tx") == "'\tx");
  CHECK(csv_cell("a,b") == "\"a,b\"");
  CHECK(csv_cell("say \"hi\"") == "\"say \"\"hi\"\"\"");
  CHECK(csv_cell("two\nlines") == "\"two\nlines\"");
  CHECK(csv_cell("") == "");
}

TEST_CASE("report_to_text lists the KPIs that could not be computed and what they need",
          "[report][formats]") {
  auto text = report_to_text(report_for("{}", read_fixture("generic_tickets.csv")));
  REQUIRE(text);
  CHECK(contains(*text, "10 tickets used"));
  CHECK(contains(*text, "Not computed:"));
  CHECK(contains(*text, "One-touch resolution (needs replies and status)"));
  CHECK(contains(*text, "Reopen rate (needs reopens and status)"));
  // Computed KPIs appear with their value.
  CHECK(contains(*text, "62.50"));
}

TEST_CASE("report_to_text lists rejected rows with file and line", "[report][formats]") {
  std::string csv = "created_at,status\n2024-03-04T09:00:00Z,open\nsoon,open\n";
  auto text = report_to_text(report_for("{}", csv, 0, "bad.csv"));
  REQUIRE(text);
  CHECK(contains(*text, "1 rejected"));
  CHECK(contains(*text, "bad.csv:3: created_at 'soon' is not a date and time"));
}

TEST_CASE("report formats refuse text that is not a report", "[report][formats]") {
  CHECK_FALSE(report_to_csv("not json").has_value());
  CHECK_FALSE(report_to_text("{\"kpis\": ").has_value());
}

}  // namespace
}  // namespace kpilens
