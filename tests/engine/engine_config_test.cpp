// engine_config tests: defaults, every key read into its setting, and errors for unknown keys and
// bad values (a typo must never silently change a figure).
#include "engine_config.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "presets.h"
#include "report_reader.h"

using kpilens::ConfigResult;
using kpilens::DateOrder;
using kpilens::DurationUnit;
using kpilens::EngineConfig;
using kpilens::Grain;
using kpilens::parse_config;
using kpilens::parse_utc_offset;
using kpilens::TicketDataset;
using kpilens::test::feed_file;
using kpilens::test::or_null;
using kpilens::test::read_fixture;
using kpilens::test::Report;
using kpilens::test::report_for;

namespace {

// True when some error message contains `needle`.
bool mentions(const ConfigResult& result, std::string_view needle) {
  for (const std::string& error : result.errors) {
    if (error.find(needle) != std::string::npos) return true;
  }
  return false;
}

// Parses a config expected to be valid, and checks that it is.
EngineConfig valid(std::string_view json) {
  ConfigResult result = parse_config(json);
  INFO("config " << json);
  CHECK(result.errors.empty());
  for (const std::string& error : result.errors) UNSCOPED_INFO(error);
  return result.config;
}

// The input.files[file].mapping entry of a field (an error result when the field is unmapped).
Report::Lookup mapping_of(const Report& r, size_t file, std::string_view field) {
  simdjson::dom::array mapping;
  if (r.file(file)["mapping"].get(mapping) == simdjson::SUCCESS) {
    for (simdjson::dom::element m : mapping) {
      if (Report::string(m["field"]) == field) return Report::Lookup(simdjson::dom::element(m));
    }
  }
  return Report::Lookup(simdjson::NO_SUCH_FIELD);
}

}  // namespace

TEST_CASE("Engine config gives the defaults for an empty document or {}", "[engine_config]") {
  for (std::string_view json : {"", "  \n", "{}", " { } "}) {
    INFO("config '" << json << "'");
    ConfigResult result = parse_config(json);
    CHECK(result.errors.empty());
    const EngineConfig& c = result.config;
    CHECK(c.period.grain == Grain::kWeek);
    CHECK_FALSE(c.period.week_starts_sunday);
    CHECK(c.period.utc_offset_minutes == 0);
    CHECK(c.by.empty());
    CHECK(c.filters.empty());
    CHECK_FALSE(c.date_from.has_value());
    CHECK_FALSE(c.date_to.has_value());
    CHECK(c.mapping.columns.empty());
    CHECK(c.mapping.units.empty());
    CHECK(c.date_order == DateOrder::kAuto);
    CHECK(c.delimiter == 0);
    CHECK(c.decimal_separator == 0);
    CHECK(c.solved_statuses.empty());
    CHECK(c.kpis.csat.scale_min == 1);
    CHECK(c.kpis.csat.scale_max == 5);
    CHECK(c.kpis.csat.threshold == 4);
    CHECK(c.kpis.nps.promoter_min == 9);
    CHECK(c.kpis.nps.detractor_max == 6);
    CHECK(c.kpis.ces.scale_max == 7);
    CHECK(c.kpis.ces.easy_threshold == 5);
    CHECK_FALSE(c.kpis.cost_total.has_value());
    CHECK(c.max_rejected_listed == 100);
    CHECK(c.max_segments == 10000);
  }
  CHECK(kpilens::default_solved_statuses().front() == "solved");
}

TEST_CASE("Engine config reads grain and week start", "[engine_config]") {
  EngineConfig c = valid(R"({"grain": "month", "week_start": "Sunday"})");
  CHECK(c.period.grain == Grain::kMonth);
  CHECK(c.period.week_starts_sunday);
  CHECK_FALSE(valid(R"({"week_start": "monday"})").period.week_starts_sunday);
  for (auto [name, grain] : {std::pair{"day", Grain::kDay}, std::pair{"week", Grain::kWeek},
                             std::pair{"quarter", Grain::kQuarter}, std::pair{"year", Grain::kYear},
                             std::pair{"all", Grain::kAll}}) {
    CHECK(valid(std::string(R"({"grain": ")") + name + "\"}").period.grain == grain);
  }
}

TEST_CASE("Engine config reads utc_offset as a string or as minutes", "[engine_config]") {
  // +05:30 = 5 × 60 + 30 = 330 minutes east of UTC.
  CHECK(valid(R"({"utc_offset": "+05:30"})").period.utc_offset_minutes == 330);
  CHECK(valid(R"({"utc_offset": "-0800"})").period.utc_offset_minutes == -480);
  CHECK(valid(R"({"utc_offset": "Z"})").period.utc_offset_minutes == 0);
  CHECK(valid(R"({"utc_offset": -90})").period.utc_offset_minutes == -90);
  CHECK(valid(R"({"utc_offset": 1080})").period.utc_offset_minutes == 1080);
}

TEST_CASE("parse_utc_offset reads ±hh:mm, ±hhmm, ±hh and Z", "[engine_config]") {
  CHECK(parse_utc_offset("+05:30") == 330);
  CHECK(parse_utc_offset("-05:30") == -330);
  CHECK(parse_utc_offset("+0530") == 330);
  CHECK(parse_utc_offset("+02") == 120);
  CHECK(parse_utc_offset("-00:30") == -30);
  CHECK(parse_utc_offset("Z") == 0);
  CHECK(parse_utc_offset("UTC") == 0);
  CHECK(parse_utc_offset(" +01:00 ") == 60);
  for (std::string_view bad :
       {"", "05:30", "+5:30", "+05:3", "+05:", "+0530x", "+19:00", "+05:60", "GMT+1", "+"}) {
    INFO("'" << bad << "'");
    CHECK_FALSE(parse_utc_offset(bad).has_value());
  }
}

TEST_CASE("Engine config reads segment columns as a string or a list", "[engine_config]") {
  CHECK(valid(R"({"by": "channel"})").by == std::vector<std::string>{"channel"});
  CHECK(valid(R"({"by": ["channel", "Group"]})").by ==
        std::vector<std::string>{"channel", "Group"});
}

TEST_CASE("Engine config reads filters", "[engine_config]") {
  EngineConfig c = valid(
      R"({"filters": [{"column": "channel", "values": ["email", "chat"]},
                      {"column": "Group", "values": "Tier 1"}]})");
  REQUIRE(c.filters.size() == 2);
  CHECK(c.filters[0].column == "channel");
  CHECK(c.filters[0].values == std::vector<std::string>{"email", "chat"});
  CHECK(c.filters[1].column == "Group");
  CHECK(c.filters[1].values == std::vector<std::string>{"Tier 1"});
}

TEST_CASE("Engine config reads date_from and date_to as day counts", "[engine_config]") {
  // 2024-01-31 = 19723 (2024-01-01) + 30 = 19753; 2024-02-29 = 19753 + 29 = 19782.
  EngineConfig c = valid(R"({"date_from": "2024-01-31", "date_to": "2024-02-29"})");
  CHECK(c.date_from == 19753);
  CHECK(c.date_to == 19782);
  // Before 1970: 1969-12-31 is day −1.
  CHECK(valid(R"({"date_from": "1969-12-31"})").date_from == -1);
}

TEST_CASE("Engine config reads column mapping overrides and units", "[engine_config]") {
  EngineConfig c = valid(
      R"({"mapping": {"channel": "Via", "csat": null},
          "units": {"first_response_time": "hours", "resolution_time": "seconds"}})");
  REQUIRE(c.mapping.columns.size() == 2);
  CHECK(c.mapping.columns[0].first == "channel");
  CHECK(c.mapping.columns[0].second == std::optional<std::string>("Via"));
  CHECK(c.mapping.columns[1].first == "csat");
  CHECK_FALSE(c.mapping.columns[1].second.has_value());
  REQUIRE(c.mapping.units.size() == 2);
  CHECK(c.mapping.units[0] == std::pair{std::string("first_response_time"), DurationUnit::kHours});
  CHECK(c.mapping.units[1] == std::pair{std::string("resolution_time"), DurationUnit::kSeconds});
}

TEST_CASE("Engine config reads date order, delimiter and decimal separator", "[engine_config]") {
  CHECK(valid(R"({"date_order": "dmy"})").date_order == DateOrder::kDayFirst);
  CHECK(valid(R"({"date_order": "day_first"})").date_order == DateOrder::kDayFirst);
  CHECK(valid(R"({"date_order": "mdy"})").date_order == DateOrder::kMonthFirst);
  CHECK(valid(R"({"date_order": "month_first"})").date_order == DateOrder::kMonthFirst);
  CHECK(valid(R"({"date_order": "auto"})").date_order == DateOrder::kAuto);
  CHECK(valid(R"({"delimiter": ";"})").delimiter == ';');
  CHECK(valid(R"({"delimiter": "\t"})").delimiter == '\t');
  CHECK(valid(R"({"delimiter": "tab"})").delimiter == '\t');
  CHECK(valid(R"({"delimiter": "|"})").delimiter == '|');
  CHECK(valid(R"({"delimiter": "auto"})").delimiter == 0);
  CHECK(valid(R"({"decimal_separator": ","})").decimal_separator == ',');
  CHECK(valid(R"({"decimal_separator": "."})").decimal_separator == '.');
  CHECK(valid(R"({"decimal_separator": "auto"})").decimal_separator == 0);
}

TEST_CASE("Engine config reads solved statuses", "[engine_config]") {
  CHECK(valid(R"({"solved_statuses": ["Done", "Shipped"]})").solved_statuses ==
        std::vector<std::string>{"Done", "Shipped"});
}

TEST_CASE("Engine config reads CSAT, NPS and CES scales", "[engine_config]") {
  EngineConfig c = valid(
      R"({"csat": {"scale_min": 1, "scale_max": 10, "threshold": 8},
          "nps": {"promoter_min": 8, "detractor_max": 5},
          "ces": {"scale_min": 1, "scale_max": 5, "higher_is_easier": false}})");
  CHECK(c.kpis.csat.scale_max == 10);
  CHECK(c.kpis.csat.threshold == 8);
  CHECK(c.kpis.nps.promoter_min == 8);
  CHECK(c.kpis.nps.detractor_max == 5);
  CHECK(c.kpis.ces.scale_max == 5);
  CHECK_FALSE(c.kpis.ces.higher_is_easier);
  // No easy_threshold given: lower-is-easier 1–5 counts 1–2 as easy, so the threshold is 1 + 1 = 2.
  CHECK(c.kpis.ces.easy_threshold == 2);
  // Higher-is-easier 1–10: the top three answers (8–10) are easy, threshold 10 − 2 = 8.
  CHECK(valid(R"({"ces": {"scale_max": 10}})").kpis.ces.easy_threshold == 8);
  CHECK(valid(R"({"ces": {"easy_threshold": 6}})").kpis.ces.easy_threshold == 6);
  // The threshold may sit on either end of the scale (every answer satisfied, or only the top one).
  CHECK(valid(R"({"csat": {"threshold": 1}})").kpis.csat.threshold == 1);
  CHECK(valid(R"({"csat": {"threshold": 5}})").kpis.csat.threshold == 5);
}

TEST_CASE("Engine config reads the support cost", "[engine_config]") {
  EngineConfig c = valid(R"({"cost": {"total": 12500.5, "currency": "EUR"}})");
  CHECK(c.kpis.cost_total == 12500.5);
  CHECK(c.kpis.currency == "EUR");
}

TEST_CASE("Engine config reads the listing and segment limits", "[engine_config]") {
  EngineConfig c = valid(R"({"max_rejected_listed": 5, "max_segments": 20})");
  CHECK(c.max_rejected_listed == 5);
  CHECK(c.max_segments == 20);
  CHECK(valid(R"({"max_rejected_listed": 0})").max_rejected_listed == 0);
}

TEST_CASE("Engine config rejects unknown keys, at the top and inside settings", "[engine_config]") {
  ConfigResult top = parse_config(R"({"grian": "day"})");
  CHECK(mentions(top, "grian"));
  CHECK(top.config.period.grain == Grain::kWeek);  // untouched
  CHECK(mentions(parse_config(R"({"csat": {"scale": 5}})"), "scale"));
  CHECK(mentions(parse_config(R"({"nps": {"promoters": 9}})"), "promoters"));
  CHECK(mentions(parse_config(R"({"ces": {"easy": 5}})"), "easy"));
  CHECK(mentions(parse_config(R"({"cost": {"amount": 5}})"), "amount"));
  CHECK(mentions(parse_config(R"({"filters": [{"column": "a", "value": ["x"]}]})"), "value"));
}

TEST_CASE("Engine config rejects bad values with an error each", "[engine_config]") {
  const std::vector<std::string> bad = {
      R"({"grain": "weekly"})",
      R"({"grain": 7})",
      R"({"week_start": "tuesday"})",
      R"({"utc_offset": "+25:00"})",
      R"({"utc_offset": "+05:"})",
      R"({"utc_offset": 2000})",
      R"({"utc_offset": 5.5})",
      R"({"utc_offset": true})",
      R"({"by": 3})",
      R"({"by": ["channel", 3]})",
      R"({"filters": {}})",
      R"({"filters": ["channel"]})",
      R"({"filters": [{"values": ["x"]}]})",
      R"({"date_from": "2024-02-30"})",
      R"({"date_to": "yesterday"})",
      R"({"date_from": 20240101})",
      R"({"mapping": ["channel"]})",
      R"({"mapping": {"team": 3}})",
      R"({"units": {"first_response_time": "fortnights"}})",
      R"({"units": "hours"})",
      R"({"date_order": "ymd"})",
      R"({"delimiter": "x"})",
      R"({"delimiter": ",,"})",
      R"({"decimal_separator": ";"})",
      R"({"solved_statuses": [1]})",
      R"({"csat": 5})",
      R"({"csat": {"threshold": 6}})",
      R"({"csat": {"scale_min": 5, "scale_max": 1}})",
      R"({"nps": {"promoter_min": 6, "detractor_max": 6}})",
      R"({"ces": {"scale_min": 7, "scale_max": 1}})",
      R"({"ces": {"higher_is_easier": "yes"}})",
      R"({"cost": {"total": "1000"}})",
      R"({"cost": 1000})",
      R"({"max_rejected_listed": "ten"})",
      R"({"max_rejected_listed": -1})",
      R"({"max_segments": 2.5})",
      R"({"max_segments": 0})",
      R"({"max_segments": 1e30})",
  };
  for (const std::string& json : bad) {
    INFO("config " << json);
    CHECK(parse_config(json).errors.size() == 1);
  }
}

TEST_CASE("Engine config rejects a date_from after date_to", "[engine_config]") {
  CHECK(mentions(parse_config(R"({"date_from": "2024-03-01", "date_to": "2024-02-01"})"),
                 "date_from is after date_to"));
  valid(R"({"date_from": "2024-03-01", "date_to": "2024-03-01"})");  // one day is fine
}

TEST_CASE("Engine config rejects a document that is not a JSON object", "[engine_config]") {
  CHECK(mentions(parse_config("{\"grain\": "),
                 "config is not valid JSON: it ends inside an object or array"));
  CHECK(mentions(parse_config("{} x"), "not valid JSON"));
  CHECK(mentions(parse_config("[]"), "must be a JSON object"));
  CHECK(mentions(parse_config("\"week\""), "must be a JSON object"));
}

// The config is read with simdjson's On-Demand API, which checks only what it reads: the document
// is read whole first, so that malformed JSON anywhere, under a key no setting reads too, is
// refused as JSON and no setting is taken from it (as the DOM parser, which read it before, refused
// it).
TEST_CASE("Engine config refuses malformed JSON wherever it lies, and takes nothing from it",
          "[engine_config]") {
  const std::string malformed[] = {
      R"({"grain": "month", "unknown": tru})",
      R"({"grain": "month", "unknown": nul})",
      R"({"grain": "month", "unknown": [1, 2,]})",
      R"({"grain": "month", "unknown": {"a": 1,}})",
      R"({"grain": "month", "unknown": {"a" 1}})",
      R"({"grain": "month", "unknown": "\x"})",
      R"({"grain": "month", "unknown": 1.})",
      R"({"grain": "month", "unknown": -})",
      R"({"grain": "month", "unknown": 1e999})",
      R"({"grain": "month", "unknown": 18446744073709551616})",  // beyond 64-bit integers
      R"({"grain": "month", "unknown": 22000000000000000000000000})",
      R"({"grain": "month", "unknown": [[[[]]]})",
      R"({"grain": "month", "unknown": 1}})",
      R"({"grain": "month"} {"grain": "day"})",
      R"({"grain": "month",})",
      R"({"grain": "month" "by": []})",
      "{\"grain\": \"month\", \"unknown\": \"\xff\"}",  // not UTF-8
      std::string(2000, '[') + std::string(2000, ']'),  // deeper than 1024
      "[1, 2",
  };
  for (const std::string& json : malformed) {
    INFO("config " << json.substr(0, 80));
    ConfigResult parsed = parse_config(json);
    REQUIRE(parsed.errors.size() == 1);
    CHECK(mentions(parsed, "config is not valid JSON"));
    CHECK(parsed.config.period.grain == EngineConfig{}.period.grain);
  }
  // Well-formed, whatever sits where no setting reads: the settings are read, the unknown key
  // named.
  const std::string odd[] = {
      R"({"unknown": {"a": [1, -2.5e-3, true, false, null, "\u00e9\n", {"b": {}}]}, "grain": "month"})",
      R"({"unknown": 9223372036854775807, "grain": "month"})",
      R"({"unknown": 22223e-000016000000000000000, "grain": "month"})",  // 0
      "{\"unknown\": " + std::string(500, '[') + std::string(500, ']') + ", \"grain\": \"month\"}",
  };
  for (const std::string& json : odd) {
    INFO("config " << json.substr(0, 80));
    ConfigResult parsed = parse_config(json);
    REQUIRE(parsed.errors.size() == 1);
    CHECK(mentions(parsed, "unknown config key 'unknown'"));
    CHECK(parsed.config.period.grain == Grain::kMonth);
  }
}

TEST_CASE("Engine config reads nesting up to simdjson's depth limit, and refuses it past that",
          "[engine_config]") {
  // The root object is the first level. On-Demand's limit is 1,024 levels (the DOM parser took
  // 1,024 and refused 1,025); a container at the limit is refused before it is opened.
  for (size_t levels : {1020u, 1022u, 1023u, 1024u, 1025u, 1030u}) {
    INFO(levels << " levels");
    const size_t arrays = levels - 1;
    ConfigResult parsed = parse_config("{\"unknown\": " + std::string(arrays, '[') +
                                       std::string(arrays, ']') + ", \"grain\": \"month\"}");
    REQUIRE(parsed.errors.size() == 1);
    if (levels < 1024) {
      CHECK(mentions(parsed, "unknown config key 'unknown'"));
    } else {
      CHECK(mentions(parsed, "config is not valid JSON"));
    }
  }
}

TEST_CASE("Engine config refuses a document that is not an object as such, well-formed or not",
          "[engine_config]") {
  for (const char* json : {"tru", "12", "\"week\" x", "null"}) {
    INFO("config " << json);
    ConfigResult parsed = parse_config(json);
    REQUIRE(parsed.errors.size() == 1);
    CHECK(mentions(parsed, "config must be a JSON object"));
  }
}

TEST_CASE("Engine config reads a key given twice in document order: the last one stands",
          "[engine_config]") {
  CHECK(valid(R"({"grain": "month", "grain": "day"})").period.grain == Grain::kDay);
  CHECK(valid(R"({"by": ["channel"], "by": "agent"})").by == std::vector<std::string>{"agent"});
  // Escaped keys are read unescaped.
  CHECK(valid(R"({"gr\u0061in": "month"})").period.grain == Grain::kMonth);
  // utc_offset is tried as whole minutes, then as a string: a failed read leaves the value to the
  // next one, and a number that is neither is one error.
  CHECK(mentions(parse_config(R"({"utc_offset": 90.5})"), "utc_offset must be minutes"));
  CHECK(valid(R"({"utc_offset": "+01:30"})").period.utc_offset_minutes == 90);
  CHECK(valid(R"({"utc_offset": -90})").period.utc_offset_minutes == -90);
}

// =====================================================================================================
// preset and files
// =====================================================================================================

TEST_CASE("Engine config reads a preset id, or none", "[engine_config][presets]") {
  CHECK_FALSE(valid("{}").preset.has_value());
  CHECK(valid(R"({"preset": "zendesk"})").preset == std::optional<std::string>("zendesk"));
  CHECK(valid(R"({"preset": "intercom_csat"})").preset ==
        std::optional<std::string>("intercom_csat"));
  CHECK(valid(R"({"preset": "none"})").preset == std::optional<std::string>("none"));
}

TEST_CASE("Engine config rejects an unknown preset and lists the known ones",
          "[engine_config][presets]") {
  ConfigResult result = parse_config(R"({"preset": "zendsk"})");
  REQUIRE(result.errors.size() == 1);
  CHECK(mentions(result, "unknown preset 'zendsk'"));
  for (const kpilens::Preset& p : kpilens::presets()) {
    CAPTURE(p.id);
    CHECK(mentions(result, p.id));
  }
  CHECK(mentions(result, "none)"));
  CHECK_FALSE(result.config.preset.has_value());
  // Ids are exact: no case folding.
  CHECK(parse_config(R"({"preset": "Zendesk"})").errors.size() == 1);
  CHECK(mentions(parse_config(R"({"preset": 3})"), "preset must be a string"));
}

TEST_CASE("Engine config reads per-file mapping, units and preset", "[engine_config][files]") {
  EngineConfig c = valid(
      R"({"files": {"answers.csv": {"mapping": {"csat": "Q3", "agent": null},
                                    "units": {"first_response_time": "seconds"},
                                    "preset": "survey"},
                    "tickets.csv": {"preset": "none"}}})");
  REQUIRE(c.files.size() == 2);
  const kpilens::FileOverrides& answers = c.files[0];
  CHECK(answers.name == "answers.csv");
  REQUIRE(answers.mapping.columns.size() == 2);
  CHECK(answers.mapping.columns[0].first == "csat");
  CHECK(answers.mapping.columns[0].second == std::optional<std::string>("Q3"));
  CHECK(answers.mapping.columns[1].first == "agent");
  CHECK_FALSE(answers.mapping.columns[1].second.has_value());
  CHECK(answers.mapping.units ==
        std::vector{std::pair{std::string("first_response_time"), DurationUnit::kSeconds}});
  CHECK(answers.preset == std::optional<std::string>("survey"));
  CHECK(c.files[1].name == "tickets.csv");
  CHECK(c.files[1].preset == std::optional<std::string>("none"));
  CHECK(c.files[1].mapping.columns.empty());
  // The dataset-wide settings are untouched.
  CHECK(c.mapping.columns.empty());
  CHECK_FALSE(c.preset.has_value());
}

TEST_CASE("Engine config reports unknown keys and bad shapes under files, one error each",
          "[engine_config][files]") {
  const std::pair<std::string_view, std::string_view> bad[] = {
      {R"({"files": []})", "files must be an object"},
      {R"({"files": "a.csv"})", "files must be an object"},
      {R"({"files": {"a.csv": "survey"}})", "files.a.csv must be an object"},
      {R"({"files": {"a.csv": {"maping": {}}}})", "files.a.csv: unknown key 'maping'"},
      {R"({"files": {"a.csv": {"mapping": ["csat"]}}})", "files.a.csv.mapping must be an object"},
      {R"({"files": {"a.csv": {"mapping": {"csat": 3}}}})", "files.a.csv.mapping.csat"},
      {R"({"files": {"a.csv": {"units": "hours"}}})", "files.a.csv.units must be an object"},
      {R"({"files": {"a.csv": {"units": {"resolution_time": "weeks"}}}})", "unknown unit 'weeks'"},
      {R"({"files": {"a.csv": {"preset": "nope"}}})", "files.a.csv.preset: unknown preset 'nope'"},
  };
  for (const auto& [json, message] : bad) {
    INFO("config " << json);
    ConfigResult result = parse_config(json);
    CHECK(result.errors.size() == 1);
    CHECK(mentions(result, message));
  }
}

TEST_CASE("A file's own mapping replaces the dataset's for the same field, in that file only",
          "[engine_config][files]") {
  // Both files hold the same row. The dataset maps created_at ← Opened and status ← State of play;
  // b.csv replaces created_at with Logged and keeps the dataset's status.
  //   a.csv: created 03-04 (W10); b.csv: created 03-20 (W12). Periods W10, W11, W12; tickets 1,
  //   0, 1. Both solved (status from the dataset mapping in both files): resolution_rate 2 ÷ 2 =
  //   100.
  constexpr std::string_view csv =
      "Opened,Logged,State of play\n"
      "2024-03-04 09:00,2024-03-20 09:00,solved\n";
  TicketDataset d(R"({"mapping": {"created_at": "Opened", "status": "State of play"},
                      "files": {"b.csv": {"mapping": {"created_at": "Logged"}}}})");
  feed_file(d, "a.csv", csv);
  feed_file(d, "b.csv", csv);
  Report r(d.report_json());
  REQUIRE(r.errors().empty());
  CHECK(Report::string(mapping_of(r, 0, "created_at")["column"]) == "Opened");
  CHECK(Report::string(mapping_of(r, 1, "created_at")["column"]) == "Logged");
  CHECK(Report::string(mapping_of(r, 1, "created_at")["how"]) == "config");
  CHECK(Report::string(mapping_of(r, 0, "status")["column"]) == "State of play");
  CHECK(Report::string(mapping_of(r, 1, "status")["column"]) == "State of play");
  // In b.csv, "Opened" (a created_at synonym) is left alone: created_at is the config's.
  CHECK(Report::strings(r.file(1)["unmapped_columns"]) == std::vector<std::string>{"Opened"});
  CHECK(r.period_keys() == std::vector<std::string>{"2024-W10", "2024-W11", "2024-W12"});
  CHECK(or_null(r.series("tickets")) == std::vector<double>{1, 0, 1});
  CHECK(or_null(r.value("resolution_rate")) == 100);
}

TEST_CASE("preset none switches detection off: a Zendesk export maps by synonyms",
          "[engine_config][presets]") {
  const std::string zendesk = read_fixture("presets/zendesk.csv");
  REQUIRE_FALSE(zendesk.empty());
  Report detected(report_for("{}", zendesk, 0, "zendesk.csv"));
  CHECK(Report::string(detected.file(0)["preset"]["id"]) == "zendesk");
  CHECK(Report::string(mapping_of(detected, 0, "channel")["how"]) == "preset");

  Report generic(report_for(R"({"preset": "none"})", zendesk, 0, "zendesk.csv"));
  CHECK(generic.file(0)["preset"].is_null());
  for (std::string_view field : {"id", "created_at", "status", "channel", "csat"}) {
    CAPTURE(field);
    CHECK(Report::string(mapping_of(generic, 0, field)["how"]) == "header");
  }
  // "Via" is channel's synonym too; the duration's unit now comes from its header.
  CHECK(Report::string(mapping_of(generic, 0, "channel")["column"]) == "Via");
  CHECK(Report::string(mapping_of(generic, 0, "first_response_time")["column"]) ==
        "First reply time in minutes");
  CHECK(Report::flag(mapping_of(generic, 0, "first_response_time")["unit_from_header"]));
}

TEST_CASE("A preset chosen by the config is reported with from_config true",
          "[engine_config][presets]") {
  const std::string zendesk = read_fixture("presets/zendesk.csv");
  Report detected(report_for("{}", zendesk, 0, "zendesk.csv"));
  CHECK_FALSE(Report::flag(detected.file(0)["preset"]["from_config"]));

  Report forced(report_for(R"({"preset": "zendesk"})", zendesk, 0, "zendesk.csv"));
  CHECK(Report::string(forced.file(0)["preset"]["id"]) == "zendesk");
  CHECK(Report::flag(forced.file(0)["preset"]["from_config"]));
  // Every one of the fixture's 26 columns is in the Zendesk lists: confidence 26 ÷ 26 = 1.
  CHECK(Report::number(forced.file(0)["preset"]["confidence"]) == 1.0);

  // Per file, and over the dataset's choice: z.csv is read as Zendesk, other.csv with none.
  TicketDataset d(R"({"preset": "none", "files": {"z.csv": {"preset": "zendesk"}}})");
  feed_file(d, "z.csv", zendesk);
  feed_file(d, "other.csv", zendesk);
  Report both(d.report_json());
  CHECK(Report::string(both.file(0)["preset"]["id"]) == "zendesk");
  CHECK(Report::flag(both.file(0)["preset"]["from_config"]));
  CHECK(both.file(1)["preset"].is_null());
}

TEST_CASE("A forced preset that fits poorly still reports its confidence",
          "[engine_config][presets]") {
  // Freshdesk knows "status" (common) of id, created_at, status, channel: 1 ÷ 4 = 0.25. Its id and
  // created_at patterns ("ticket id", "created time") find nothing, so the synonyms map those.
  Report r(report_for(R"({"preset": "freshdesk"})",
                      "id,created_at,status,channel\n1,2024-03-04 09:00,solved,chat\n"));
  CHECK(Report::string(r.file(0)["preset"]["id"]) == "freshdesk");
  CHECK(Report::flag(r.file(0)["preset"]["from_config"]));
  CHECK(Report::number(r.file(0)["preset"]["confidence"]) == 0.25);
  CHECK(Report::string(mapping_of(r, 0, "created_at")["how"]) == "header");
  CHECK(Report::string(mapping_of(r, 0, "status")["how"]) == "preset");
}

TEST_CASE("A preset whose column is missing leaves that field to the synonyms", "[presets]") {
  // Zendesk (Via, Reopens, Satisfaction Score) without its "Assignee": "Agent" still maps agent.
  Report r(report_for("{}",
                      "Id,Created at,Status,Via,Reopens,Satisfaction Score,Agent\n"
                      "1,2024-03-04 09:00,Solved,Mail,0,Good,Ann\n"));
  CHECK(Report::string(r.file(0)["preset"]["id"]) == "zendesk");
  CHECK(Report::string(mapping_of(r, 0, "agent")["column"]) == "Agent");
  CHECK(Report::string(mapping_of(r, 0, "agent")["how"]) == "header");
}

TEST_CASE("A rating mapped only by the file's own mapping makes it a survey file", "[join]") {
  // answers.csv's Q3 is no known header; files.answers.csv.mapping names it csat, so the file is
  // answers (1 rating, no ticket column) and T1's answer joins ticket T1: 1 ticket, CSAT 100 %.
  TicketDataset d(R"({"files": {"answers.csv": {"mapping": {"csat": "Q3"}}}})");
  feed_file(d, "answers.csv", "Ticket ID,Submitted at,Q3\nT1,2024-03-20 10:00,5\n");
  feed_file(d, "tickets.csv", "id,created_at,status\nT1,2024-03-19 09:00,solved\n");
  Report r(d.report_json());
  CHECK(Report::string(r.file(0)["kind"]) == "survey");
  CHECK(or_null(r.value("tickets")) == 1);
  CHECK(or_null(r.value("csat")) == 100);
  CHECK(Report::count(r.input()["join"]["joined"]) == 1);
}

TEST_CASE("Two configs that ask for the same thing have one fingerprint, any other differs",
          "[engine_config]") {
  using kpilens::config_fingerprint;
  auto fingerprint = [](std::string_view json) { return config_fingerprint(valid(json)); };
  // The same settings in another order, spacing and spelling, and a default written out.
  CHECK(fingerprint(R"({"grain": "week", "by": ["channel", "agent"], "utc_offset": "+01:00",
          "filters": [{"column": "channel", "values": ["email", "chat"]}], "date_order": "dmy"})") ==
        fingerprint(R"({"date_order":"day_first","utc_offset":60,"by":["channel","agent"],
          "filters":[{"values":["email","chat"],"column":"channel"}],"week_start":"monday"})"));
  CHECK(fingerprint("{}") == config_fingerprint(EngineConfig{}));
  // One setting each, against the defaults and against each other: all differ.
  const std::vector<std::string_view> settings = {
      R"({"grain": "month"})",
      R"({"week_start": "sunday"})",
      R"({"utc_offset": "+02:00"})",
      R"({"by": ["channel", "agent"]})",
      R"({"by": ["agent", "channel"]})",
      R"({"by": ["channela", "gent"]})",
      R"({"filters": [{"column": "channel", "values": ["email", "chat"]}]})",
      R"({"filters": [{"column": "channel", "values": ["emailchat"]}]})",
      R"({"date_from": "2024-01-01"})",
      R"({"date_to": "2024-01-01"})",
      R"({"date_order": "mdy"})",
      R"({"delimiter": ";"})",
      R"({"decimal_separator": ","})",
      R"({"solved_statuses": ["Done"]})",
      R"({"csat": {"threshold": 5}})",
      R"({"nps": {"promoter_min": 10}})",
      R"({"ces": {"scale_max": 10}})",
      R"({"cost": {"total": 100}})",
      R"({"figures": ["tickets"]})",
      R"({"max_rejected_listed": 5})",
      R"({"max_segments": 20})",
      R"({"mapping": {"channel": "Via"}})",
      R"({"preset": "zendesk"})",
      R"({"files": {"a.csv": {"kind": "survey"}}})",
      R"({"by_if_mapped": ["channel"]})",
      R"({"units": {"resolution_time": "hours"}})",
      R"({"files": {"a.csv": {"mapping": {"channel": "Via"}}}})",
      R"({"files": {"a.csv": {"units": {"resolution_time": "hours"}}}})",
      R"({"files": {"a.csv": {"preset": "zendesk"}}})",
      R"({"files": {"b.csv": {"preset": "zendesk"}}})",
      R"({"mapping": {"channel": null}})",
      R"({"cost": {"currency": "EUR"}})",
      R"({"ces": {"higher_is_easier": false, "scale_max": 5, "easy_threshold": 2}})",
      R"({"customers": {"grain": "quarter"}})",
      R"({"customers": {"churn_recognition": "cancellation"}})",
      R"({"customers": {"gross_margin": 0.8}})",
      R"({"customers": {"amount_unit": "cents"}})",
      R"({"customers": {"tenure_unit": "years"}})",
      R"({"customers": {"currency": "eur"}})",
      R"({"customers": {"count_trials": true}})",
      R"({"customers": {"free_is_active": false}})",
      R"({"customers": {"cohort_basis": "signup"}})",
      R"({"customers": {"max_cohorts": 12}})",
      R"({"customers": {"as_of": "2024-03-31"}})",
      R"({"customers": {"tenure_bands": [12, 36]}})",
      R"({"customers": {"age_bands": [30, 60]}})",
      R"({"customers": {"lifespan_years": 3}})",
      R"({"customers": {"value_event": "activated"}})",
      R"({"customers": {"funnel": ["signup", "activated"]}})",
      R"({"customers": {"health": {"model": "worst_component"}}})",
      R"({"customers": {"health": {"bands": {"yellow": 40, "green": 70}}}})",
      R"({"customers": {"health": {"max_listed": 10}}})",
      R"({"customers": {"health": {"components": [{"id": "csat"}]}}})",
      R"({"customers": {"health": {"components": [{"id": "csat", "weight": 2}]}}})",
      R"({"customers": {"health": {"components": [{"id": "csat", "zero": 2}]}}})",
      R"({"customers": {"health": {"components": [{"id": "csat", "full": 4}]}}})",
      R"({"customers": {"health": {"components": [{"id": "tickets", "days": 30}]}}})",
      R"({"customers": {"health": {"components": [{"id": "mrr_trend", "periods": 6}]}}})",
  };
  std::vector<uint64_t> seen = {fingerprint("{}")};
  for (std::string_view json : settings) {
    INFO(json);
    const uint64_t value = fingerprint(json);
    CHECK(std::find(seen.begin(), seen.end(), value) == seen.end());
    seen.push_back(value);
  }
}
