// engine_config tests: defaults, every key read into its setting, and errors for unknown keys and
// bad values (a typo must never silently change a figure).
#include "engine_config.h"

#include <catch2/catch.hpp>
#include <optional>
#include <string>
#include <vector>

using kpilens::ConfigResult;
using kpilens::DateOrder;
using kpilens::DurationUnit;
using kpilens::EngineConfig;
using kpilens::Grain;
using kpilens::parse_config;
using kpilens::parse_utc_offset;

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
  CHECK(mentions(parse_config("{\"grain\": "), "not valid JSON"));
  CHECK(mentions(parse_config("{} x"), "not valid JSON"));
  CHECK(mentions(parse_config("[]"), "must be a JSON object"));
  CHECK(mentions(parse_config("\"week\""), "must be a JSON object"));
}
