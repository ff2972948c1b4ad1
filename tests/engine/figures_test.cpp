// EngineConfig::figures: a report for some ticket figures lists those alone, each exactly as the
// full report has it (value, extras, series, trend, breakdowns), while the rows are read only for
// what they need (TicketReads): a column no asked figure reads is not parsed, and durations asked
// for their mean alone are not kept. The expected figures are the full report's: the figures
// themselves are checked against hand-computed values elsewhere (ticket_kpis_test, report_test);
// this checks that leaving things unread changes none of them.
#include <simdjson.h>

#include <catch2/catch.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "engine_config.h"
#include "report_reader.h"
#include "ticket_kpis.h"

namespace kpilens {
namespace {

using test::read_fixture;
using test::Report;
using test::report_for;

std::string json_of(Report::Lookup element) {
  simdjson::dom::element e;
  if (element.get(e) != simdjson::SUCCESS) return "(absent)";
  return simdjson::to_string(e);
}

std::vector<std::string> kpi_ids(const Report& r) {
  return Report::field_strings(r.root()["kpis"], "id");
}

// `config` (an object's inner keys, "" for none) with "figures" added.
std::string with_figures(std::string_view config, const std::vector<std::string>& figures) {
  std::string json = "{";
  json += config;
  if (!config.empty()) json += ",";
  json += "\"figures\":[";
  for (size_t i = 0; i < figures.size(); ++i) json += (i ? ",\"" : "\"") + figures[i] + "\"";
  return json + "]}";
}

const std::vector<std::string> kWeekly = {"tickets",
                                          "csat",
                                          "nps",
                                          "fcr",
                                          "first_response_time_mean",
                                          "resolution_time_mean",
                                          "resolution_time_median"};

}  // namespace

TEST_CASE("The config's figures are catalogue ids, kept in catalogue order", "[figures]") {
  ConfigResult all = parse_config("{}");
  CHECK(all.config.figures.empty());
  CHECK(all.config.kpis.reads.ces);
  CHECK(all.config.kpis.reads.first_response_values);
  CHECK(parse_config(R"({"figures": null})").errors.empty());

  ConfigResult some = parse_config(R"({"figures": ["nps", "csat", "nps"]})");
  REQUIRE(some.errors.empty());
  CHECK(some.config.figures == std::vector<std::string>{"csat", "nps"});
  const TicketReads& r = some.config.kpis.reads;
  CHECK(r.csat);
  CHECK(r.nps);
  CHECK_FALSE(r.ces);
  CHECK_FALSE(r.cost);
  CHECK_FALSE(r.contacts);
  CHECK_FALSE(r.solved);
  CHECK_FALSE(r.first_response);
  CHECK_FALSE(r.first_response_values);
  CHECK_FALSE(r.resolution_values);
  CHECK_FALSE(r.backlog_flows);

  // A mean reads the durations without keeping them; a median keeps them.
  const TicketReads mean =
      parse_config(R"({"figures": ["resolution_time_mean"]})").config.kpis.reads;
  CHECK(mean.solved);
  CHECK_FALSE(mean.resolution_values);
  const TicketReads median =
      parse_config(R"({"figures": "first_response_time_median"})").config.kpis.reads;
  CHECK(median.first_response);
  CHECK(median.first_response_values);
  CHECK_FALSE(median.solved);

  ConfigResult unknown = parse_config(R"({"figures": ["csat", "sla"]})");
  REQUIRE(unknown.errors.size() == 1);
  CHECK(unknown.errors[0].find("unknown figure 'sla'") != std::string::npos);
  CHECK(unknown.errors[0].find("resolution_time_median") != std::string::npos);  // lists the ids
  // A value of the wrong type is one error.
  CHECK(parse_config(R"({"figures": 5})").errors ==
        std::vector<std::string>{"figures must be a string"});
  ConfigResult none = parse_config(R"({"figures": []})");
  REQUIRE(none.errors.size() == 1);
  CHECK(none.errors[0].find("at least one") != std::string::npos);

  // The CLI's path: an error leaves the config as it was.
  EngineConfig c;
  CHECK(select_figures(c, {"bogus"}).find("unknown figure 'bogus'") != std::string::npos);
  CHECK(c.figures.empty());
  CHECK(c.kpis.reads.ces);
}

TEST_CASE("Each figure asked for alone is the full report's, on every ticket fixture",
          "[figures]") {
  const char* const fixtures[] = {"zendesk_tickets.csv",   "generic_tickets.csv",
                                  "european_tickets.csv",  "day_first_tickets.csv",
                                  "presets/freshdesk.csv", "presets/intercom.csv",
                                  "presets/helpscout.csv", "presets/hubspot.csv",
                                  "presets/chatwoot.csv",  "presets/jira_sm.csv"};
  const std::string config = R"("by_if_mapped": ["channel", "agent", "priority"])";
  for (const char* name : fixtures) {
    const std::string bytes = read_fixture(name);
    REQUIRE_FALSE(bytes.empty());
    const Report full(report_for("{" + config + "}", bytes));
    REQUIRE(full.valid());
    for (const KpiDefinition& def : ticket_kpi_catalogue()) {
      const std::string id(def.id);
      INFO(name << ": " << id);
      const Report one(report_for(with_figures(config, {id}), bytes));
      REQUIRE(one.valid());
      CHECK(kpi_ids(one) == std::vector<std::string>{id});
      CHECK(json_of(one.kpi(id)) == json_of(full.kpi(id)));
      // Everything else but the config echo and the distributions is the full report's too:
      // what was read, the periods, the breakdown values.
      for (const char* key : {"ok", "warnings", "errors", "periods", "segments"}) {
        CHECK(json_of(one.root()[key]) == json_of(full.root()[key]));
      }
    }
  }
}

TEST_CASE("Each figure asked for alone is the full report's when survey answers join tickets",
          "[figures]") {
  // Survey files are read before the tickets they join (by ticket id, or by requester email): the
  // answers' ratings feed the tickets' groups whatever the ticket columns read.
  using Files = std::vector<std::pair<std::string, std::string>>;
  const Files by_id = {{"survey.csv", read_fixture("presets/join_survey.csv")},
                       {"tickets.csv", read_fixture("presets/join_tickets.csv")}};
  const Files by_email = {{"answers.csv", read_fixture("join/answers_by_email.csv")},
                          {"tickets.csv", read_fixture("join/tickets_with_requester.csv")}};
  const auto report = [](const std::string& config, const Files& files) {
    TicketDataset dataset(config);
    for (const auto& [name, bytes] : files) test::feed_file(dataset, name, bytes);
    return Report(dataset.report_json());
  };
  for (const Files* files : {&by_id, &by_email}) {
    for (const auto& [name, bytes] : *files) REQUIRE_FALSE(bytes.empty());
    const std::string config = R"("by_if_mapped": ["channel"])";
    const Report full = report("{" + config + "}", *files);
    REQUIRE(full.valid());
    REQUIRE(full.n("csat") > 0);
    for (const KpiDefinition& def : ticket_kpi_catalogue()) {
      const std::string id(def.id);
      INFO(files->front().first << ": " << id);
      const Report one = report(with_figures(config, {id}), *files);
      CHECK(json_of(one.kpi(id)) == json_of(full.kpi(id)));
      CHECK(json_of(one.root()["input"]["join"]) == json_of(full.root()["input"]["join"]));
    }
  }
}

TEST_CASE("The benchmark's weekly figures are the full report's; only the kept values show",
          "[figures]") {
  const std::string bytes = read_fixture("generic_tickets.csv");
  const Report full(report_for(R"({"by": ["channel"]})", bytes));
  const Report weekly(report_for(with_figures(R"("by": ["channel"])", kWeekly), bytes));
  REQUIRE(weekly.valid());
  CHECK(kpi_ids(weekly) ==
        std::vector<std::string>{"tickets", "csat", "nps", "fcr", "first_response_time_mean",
                                 "resolution_time_mean", "resolution_time_median"});
  for (const std::string& id : kWeekly) {
    INFO(id);
    CHECK(json_of(weekly.kpi(id)) == json_of(full.kpi(id)));
  }
  CHECK(
      json_of(weekly.root()["config"]["figures"]) ==
      R"(["tickets","csat","nps","fcr","first_response_time_mean","resolution_time_mean","resolution_time_median"])");
  CHECK(weekly.root()["config"]["figures"].is_null() == false);
  CHECK(full.root()["config"]["figures"].is_null());
  // The resolution times are kept (a median is asked for), the first response times are not.
  CHECK(json_of(weekly.root()["distributions"]["resolution_time"]) ==
        json_of(full.root()["distributions"]["resolution_time"]));
  CHECK(weekly.root()["distributions"]["first_response_time"].is_null());
}

TEST_CASE("A column no asked figure reads is not parsed", "[figures]") {
  // Row 2's CES and NPS cells are not numbers, row 3's first reply time is not a time.
  const std::string bytes =
      "Id,Created at,First reply at,Solved at,Status,CSAT,NPS,CES\n"
      "1,2024-03-04 09:00:00,2024-03-04 09:30:00,2024-03-04 11:00:00,Solved,5,9,6\n"
      "2,2024-03-05 09:00:00,2024-03-05 10:00:00,2024-03-05 12:00:00,Solved,2,high,easy\n"
      "3,2024-03-06 09:00:00,soon,,Open,,,\n";
  const auto issues = [](const Report& r) {
    std::vector<std::string> fields;
    simdjson::dom::array list;
    if (r.root()["input"]["value_issues"].get(list) != simdjson::SUCCESS) return fields;
    for (simdjson::dom::element issue : list) fields.push_back(Report::string(issue["field"]));
    return fields;
  };
  const Report full(report_for("{}", bytes));
  CHECK(issues(full) == std::vector<std::string>{"first_response_at", "nps", "ces"});
  const Report csat(report_for(R"({"figures": ["csat"]})", bytes));
  CHECK(issues(csat).empty());
  // 1 satisfied (5) of 2 responses, as in the full report.
  CHECK(csat.value("csat") == Approx(50.0));
  CHECK(json_of(csat.kpi("csat")) == json_of(full.kpi("csat")));
  // The columns are still mapped (and listed as such): they were only left unread.
  CHECK(json_of(csat.root()["input"]["files"]) == json_of(full.root()["input"]["files"]));
  const Report nps(report_for(R"({"figures": ["nps", "resolution_time_median"]})", bytes));
  CHECK(issues(nps) == std::vector<std::string>{"nps"});
  CHECK(nps.value("resolution_time_median") == Approx(2.5));  // 2 h and 3 h
}

}  // namespace kpilens
