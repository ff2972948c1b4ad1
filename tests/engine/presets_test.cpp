// presets tests: header patterns, which export a header row is recognised as (docs/kpis.md "Inputs:
// formats, encodings, presets"), the confidence figure, and how a preset maps columns before the
// synonyms do. Expected presets and shares are worked out by hand from the pattern lists in
// wasm/engine/presets.cpp, written next to each check.
#include "presets.h"

#include <catch2/catch.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "column_mapping.h"
#include "report_reader.h"

namespace kpilens {
namespace {

using test::read_fixture;

// The header row of a fixture: its first line, split on commas outside double quotes (the Intercom
// header quotes "First response time, only within office hours (seconds)").
std::vector<std::string> fixture_header(std::string_view name) {
  std::string bytes = read_fixture(name);
  std::string line = bytes.substr(0, bytes.find('\n'));
  if (!line.empty() && line.back() == '\r') line.pop_back();
  std::vector<std::string> cells(1);
  bool quoted = false;
  for (char c : line) {
    if (c == '"') {
      quoted = !quoted;
    } else if (c == ',' && !quoted) {
      cells.emplace_back();
    } else {
      cells.back().push_back(c);
    }
  }
  return cells;
}

// The id of the preset detect_preset picks, or "(none)".
std::string detected(const std::vector<std::string>& headers) {
  auto match = detect_preset(headers);
  return match ? std::string(match->preset->id) : "(none)";
}

// The header a field was mapped to, or "(unmapped)".
std::string header_of(const MappingResult& result, const std::vector<std::string>& headers,
                      TicketField field) {
  int column = result.mapping[field].column;
  return column < 0 ? "(unmapped)" : headers[static_cast<size_t>(column)];
}

// =====================================================================================================
// header_matches
// =====================================================================================================

TEST_CASE("header_matches compares a plain pattern with the whole normalised header", "[presets]") {
  CHECK(header_matches("via", "via"));
  CHECK(header_matches("first reply time in minutes", "first reply time in minutes"));
  // Not a prefix, not a word, not a case-insensitive match: the header is already normalised.
  CHECK_FALSE(header_matches("via channel", "via"));
  CHECK_FALSE(header_matches("first reply time in minutes within business hours",
                             "first reply time in minutes"));
  CHECK_FALSE(header_matches("Via", "via"));
  CHECK_FALSE(header_matches("via", ""));
}

TEST_CASE("header_matches reads '~words' as word prefixes that must all appear, in any order",
          "[presets]") {
  const std::string_view question = "how likely are you to recommend acme to a friend or colleague";
  CHECK(header_matches(question, "~likely recommend"));
  CHECK(header_matches(question, "~recommend likely"));  // order does not matter
  CHECK(header_matches(question, "~lik rec"));           // each word is a prefix
  CHECK(header_matches("how satisfied were you with the support", "~satisf"));
  CHECK(header_matches("satisfaction", "~satisf"));
  // Every word must be found...
  CHECK_FALSE(header_matches("how likely are you to return", "~likely recommend"));
  // ...at the start of a header word: "dissatisfied" and "unlikely" do not start with the pattern.
  CHECK_FALSE(header_matches("how dissatisfied were you", "~satisf"));
  CHECK_FALSE(header_matches("how unlikely are you to recommend us", "~likely recommend"));
  // A header word shorter than the pattern word is not a match ("likelihood" vs "likely").
  CHECK_FALSE(header_matches("likelihood to recommend", "~likely recommend"));
}

TEST_CASE("header_matches never matches a '=' raw pattern: those compare the raw header",
          "[presets]") {
  // "#" normalises to "" (punctuation only), which is why Zammad's id column needs a raw pattern.
  CHECK(normalise_header("#").empty());
  CHECK_FALSE(header_matches("", "=#"));
  CHECK_FALSE(header_matches("#", "=#"));
  CHECK_FALSE(header_matches("=#", "=#"));
}

TEST_CASE("A '=' raw pattern matches the trimmed raw header in detection and mapping",
          "[presets]") {
  // Zammad distinctive headers here: "#" (raw "=#") and "create channel" → 2 = its minimum.
  const std::vector<std::string> headers = {" # ", "Title", "State", "Create Channel",
                                            "Created At"};
  REQUIRE(detected(headers) == "zammad");
  MappingResult result = map_columns(headers, {}, find_preset("zammad"));
  CHECK(header_of(result, headers, TicketField::kId) == " # ");
  CHECK(result.mapping[TicketField::kId].how == MatchKind::kPreset);
  // "No." is not "#": with only "create channel" left Zammad is not recognised.
  CHECK(detected({"No.", "Title", "State", "Create Channel", "Created At"}) == "(none)");
}

// =====================================================================================================
// detect_preset
// =====================================================================================================

TEST_CASE("detect_preset recognises each fixture export from its header row", "[presets]") {
  const std::pair<std::string_view, std::string_view> fixtures[] = {
      {"presets/chatwoot.csv", "chatwoot"},   {"presets/freshdesk.csv", "freshdesk"},
      {"presets/helpscout.csv", "helpscout"}, {"presets/hubspot.csv", "hubspot"},
      {"presets/intercom.csv", "intercom"},   {"presets/intercom_csat.csv", "intercom_csat"},
      {"presets/jira_sm.csv", "jira_sm"},     {"presets/zammad.csv", "zammad"},
      {"presets/zendesk.csv", "zendesk"},     {"presets/survey.csv", "survey"},
      {"presets/join_survey.csv", "survey"},
  };
  for (const auto& [file, id] : fixtures) {
    CAPTURE(file);
    std::vector<std::string> headers = fixture_header(file);
    REQUIRE(headers.size() > 1);
    CHECK(detected(headers) == id);
  }
}

TEST_CASE("detect_preset recognises the Zendesk API JSON by its flattened key paths", "[presets]") {
  // The paths of tests/fixtures/presets/zendesk_api.ndjson's first record (shortened).
  const std::vector<std::string> headers = {"url",
                                            "id",
                                            "external_id",
                                            "via.channel",
                                            "created_at",
                                            "updated_at",
                                            "subject",
                                            "priority",
                                            "status",
                                            "requester_id",
                                            "assignee_id",
                                            "group_id",
                                            "satisfaction_rating.score",
                                            "metric_set.replies",
                                            "metric_set.reopens",
                                            "metric_set.reply_time_in_minutes.calendar",
                                            "metric_set.full_resolution_time_in_minutes.calendar"};
  CHECK(detected(headers) == "zendesk_api");
}

TEST_CASE("detect_preset picks nothing for generic headers", "[presets]") {
  CHECK(detected({"ticket_id", "created_at", "status", "channel", "agent", "csat"}) == "(none)");
  CHECK(detected({"id", "created", "solved", "score"}) == "(none)");
  CHECK(detected({}) == "(none)");
  // The example of docs/report.md: "Via" and "Reopens" are both Zendesk-distinctive.
  CHECK(detected({"Id", "Created at", "Solved at", "Status", "Via", "Replies", "Reopens",
                  "Satisfaction Score", "First reply time in minutes"}) == "zendesk");
}

TEST_CASE("A generic file with one Zendesk-distinctive header is not Zendesk (minimum 2)",
          "[presets]") {
  const std::vector<std::string> one = {"ticket_id", "created_at", "status",
                                        "Via",       "agent",      "csat"};
  CHECK(score_preset(*find_preset("zendesk"), one).distinctive_matched == 1);
  CHECK(detected(one) == "(none)");
  std::vector<std::string> two = one;
  two.push_back("Reopens");
  CHECK(score_preset(*find_preset("zendesk"), two).distinctive_matched == 2);
  CHECK(detected(two) == "zendesk");
}

TEST_CASE("The Zendesk API preset needs 3 distinctive paths, Intercom's CSAT export 1",
          "[presets]") {
  // "via channel" and "assignee id" are 2 of zendesk_api's distinctive paths: below its 3.
  std::vector<std::string> api = {"id", "via.channel", "assignee_id", "created_at"};
  CHECK(detected(api) == "(none)");
  api.push_back("group_id");  // a third
  CHECK(detected(api) == "zendesk_api");
  // "conversation rating" alone is enough for intercom_csat.
  CHECK(detected({"Conversation ID", "Conversation rating"}) == "intercom_csat");
  CHECK(detected({"Conversation ID", "Rating"}) == "(none)");
}

TEST_CASE("detect_preset prefers the preset with more distinctive headers over confidence",
          "[presets]") {
  // Zendesk distinctive: Via, Reopens, Satisfaction Score = 3; knows those 3 of 8 columns.
  // Survey distinctive: Satisfaction Score (~satisf), Timestamp = 2; knows those plus Email, Ticket
  // ID (common) and Comment, Feedback (~comment, ~feedback) = 6 of 8.
  // 3 > 2, so Zendesk wins although it knows fewer columns.
  const std::vector<std::string> headers = {"Via",       "Reopens", "Satisfaction Score",
                                            "Timestamp", "Email",   "Ticket ID",
                                            "Comment",   "Feedback"};
  CHECK(score_preset(*find_preset("zendesk"), headers).distinctive_matched == 3);
  CHECK(score_preset(*find_preset("survey"), headers).distinctive_matched == 2);
  CHECK(detected(headers) == "zendesk");
}

TEST_CASE("A tie on distinctive headers goes to the preset that knows more of the columns",
          "[presets]") {
  // Both sides: Zendesk distinctive Via + Satisfaction Score = 2; survey distinctive Satisfaction
  // Score (~satisf) + Timestamp = 2.
  // (a) Id, Via, Satisfaction Score, Timestamp: Zendesk knows Id, Via, Satisfaction Score = 3 of 4
  //     (0.75); survey knows Satisfaction Score, Timestamp = 2 of 4 (0.5) → Zendesk.
  const std::vector<std::string> a = {"Id", "Via", "Satisfaction Score", "Timestamp"};
  CHECK(score_preset(*find_preset("zendesk"), a).confidence == 0.75);
  CHECK(score_preset(*find_preset("survey"), a).confidence == 0.5);
  CHECK(detected(a) == "zendesk");
  // (b) Via, Satisfaction Score, Timestamp, Email, Ticket ID: Zendesk knows 2 of 5 (0.4); survey
  //     knows Satisfaction Score, Timestamp, Email, Ticket ID = 4 of 5 (0.8) → survey.
  const std::vector<std::string> b = {"Via", "Satisfaction Score", "Timestamp", "Email",
                                      "Ticket ID"};
  CHECK(score_preset(*find_preset("zendesk"), b).confidence == 0.4);
  CHECK(score_preset(*find_preset("survey"), b).confidence == 0.8);
  CHECK(detected(b) == "survey");
}

TEST_CASE("Confidence is the share of the file's columns the preset knows, to 2 decimals",
          "[presets]") {
  // Zendesk knows created_at ("created at", common), status (common), Via and Reopens
  // (distinctive); not ticket_id (Zendesk says "id"), agent or csat: 4 of 7 = 0.5714… → 0.57.
  const std::vector<std::string> seven = {"ticket_id", "created_at", "status", "Via",
                                          "agent",     "csat",       "Reopens"};
  auto match = detect_preset(seven);
  REQUIRE(match);
  CHECK(match->preset->id == "zendesk");
  CHECK(match->confidence == 0.57);
  CHECK(match->distinctive_matched == 2);
  // Id, Subject, Status, Via, Created at, Satisfaction Score known; Region not: 6 of 7 = 0.857… →
  // 0.86.
  CHECK(detect_preset(std::vector<std::string>{"Id", "Subject", "Status", "Via", "Created at",
                                               "Satisfaction Score", "Region"})
            ->confidence == 0.86);
  // Every column of the Zendesk fixture is in the preset's lists: 26 of 26 = 1.
  CHECK(detect_preset(fixture_header("presets/zendesk.csv"))->confidence == 1);
}

// =====================================================================================================
// map_columns with a preset
// =====================================================================================================

TEST_CASE("map_columns with a preset maps its columns with how = preset", "[presets]") {
  const auto headers = fixture_header("presets/zendesk.csv");
  MappingResult result = map_columns(headers, {}, find_preset("zendesk"));
  CHECK(result.errors.empty());
  const std::pair<TicketField, std::string_view> expected[] = {
      {TicketField::kId, "Id"},
      {TicketField::kCreatedAt, "Created at"},
      {TicketField::kSolvedAt, "Solved at"},
      {TicketField::kStatus, "Status"},
      {TicketField::kChannel, "Via"},
      {TicketField::kAgent, "Assignee"},
      {TicketField::kTeam, "Group"},
      {TicketField::kCustomer, "Requester"},
      {TicketField::kCsat, "Satisfaction Score"},
      {TicketField::kFirstResponseDuration, "First reply time in minutes"},
      {TicketField::kResolutionDuration, "Full resolution time in minutes"},
  };
  for (const auto& [field, header] : expected) {
    CAPTURE(field_info(field).name);
    CHECK(header_of(result, headers, field) == header);
    CHECK(result.mapping[field].how == MatchKind::kPreset);
  }
  // The business-hours twins stay unmapped.
  for (const auto& b : result.mapping.fields) {
    if (b.column >= 0) CHECK_FALSE(headers[static_cast<size_t>(b.column)].ends_with("hours"));
  }
}

TEST_CASE("map_columns maps the fields a preset does not know by synonym", "[presets]") {
  // Zendesk's preset has no cost column: "Cost" is taken by the cost synonym.
  const std::vector<std::string> headers = {"Id", "Via", "Reopens", "Created at", "Cost"};
  MappingResult result = map_columns(headers, {}, find_preset("zendesk"));
  CHECK(header_of(result, headers, TicketField::kCost) == "Cost");
  CHECK(result.mapping[TicketField::kCost].how == MatchKind::kSynonym);
  CHECK(result.mapping[TicketField::kChannel].how == MatchKind::kPreset);
}

TEST_CASE("A preset's unit replaces the unit read from the header", "[presets]") {
  // HubSpot's label "Time to close" names no unit. By synonym it is a resolution time in the
  // default unit (minutes); the HubSpot preset says milliseconds. Detected: "ticket status",
  // "create date", "close date", "time to close" are HubSpot-distinctive (4 ≥ 2).
  const std::vector<std::string> headers = {"Ticket ID", "Create date", "Close date",
                                            "Ticket status", "Time to close"};
  REQUIRE(detected(headers) == "hubspot");
  MappingResult generic = map_columns(headers, {});
  const FieldBinding& by_synonym = generic.mapping[TicketField::kResolutionDuration];
  CHECK(header_of(generic, headers, TicketField::kResolutionDuration) == "Time to close");
  CHECK(by_synonym.how == MatchKind::kSynonym);
  CHECK(by_synonym.unit == DurationUnit::kMinutes);

  MappingResult hubspot = map_columns(headers, {}, find_preset("hubspot"));
  const FieldBinding& by_preset = hubspot.mapping[TicketField::kResolutionDuration];
  CHECK(by_preset.how == MatchKind::kPreset);
  CHECK(by_preset.unit == DurationUnit::kMilliseconds);
  CHECK_FALSE(by_preset.unit_from_header);

  // Zendesk's header says minutes too, but the unit is the preset's, not read from the header.
  const auto zendesk = fixture_header("presets/zendesk.csv");
  MappingResult zd = map_columns(zendesk, {}, find_preset("zendesk"));
  CHECK(zd.mapping[TicketField::kFirstResponseDuration].unit == DurationUnit::kMinutes);
  CHECK_FALSE(zd.mapping[TicketField::kFirstResponseDuration].unit_from_header);
}

TEST_CASE("The config's units beat a preset's unit", "[presets]") {
  const std::vector<std::string> headers = {"Ticket ID", "Create date", "Ticket status",
                                            "Time to close"};
  MappingOverrides overrides;
  overrides.units.emplace_back("resolution_time", DurationUnit::kSeconds);
  MappingResult result = map_columns(headers, overrides, find_preset("hubspot"));
  CHECK(result.mapping[TicketField::kResolutionDuration].how == MatchKind::kPreset);
  CHECK(result.mapping[TicketField::kResolutionDuration].unit == DurationUnit::kSeconds);
}

TEST_CASE("Zammad's SLA minute columns stay unmapped with its preset, not taken by synonyms",
          "[presets]") {
  // "First Response In Min" strips to "first response", a first_response_time synonym: without
  // the preset it becomes the duration column (and the First Response At timestamps go unused).
  const auto headers = fixture_header("presets/zammad.csv");
  MappingResult generic = map_columns(headers, {});
  CHECK(header_of(generic, headers, TicketField::kFirstResponseDuration) ==
        "First Response In Min");

  MappingResult zammad = map_columns(headers, {}, find_preset("zammad"));
  CHECK_FALSE(zammad.mapping.has(TicketField::kFirstResponseDuration));
  CHECK_FALSE(zammad.mapping.has(TicketField::kResolutionDuration));
  CHECK(zammad.mapping[TicketField::kFirstResponseDuration].how == MatchKind::kNone);
  CHECK(header_of(zammad, headers, TicketField::kFirstResponseAt) == "First Response At");
  CHECK(header_of(zammad, headers, TicketField::kSolvedAt) == "Closed At");
  CHECK(header_of(zammad, headers, TicketField::kId) == "#");
}

TEST_CASE("Jira's SLA time-left columns stay unmapped with its preset, not taken by synonyms",
          "[presets]") {
  auto headers = fixture_header("presets/jira_sm.csv");
  MappingResult jira = map_columns(headers, {}, find_preset("jira_sm"));
  CHECK_FALSE(jira.mapping.has(TicketField::kFirstResponseDuration));
  CHECK_FALSE(jira.mapping.has(TicketField::kResolutionDuration));
  CHECK_FALSE(jira.mapping.has(TicketField::kChannel));
  CHECK(header_of(jira, headers, TicketField::kId) == "Issue key");
  CHECK(header_of(jira, headers, TicketField::kCustomer) == "Reporter");
  // "Custom field (Time to first response)" normalises to "custom field time to first response",
  // which no synonym equals; the same cells under a bare "Time to first response" header would be
  // a synonym match, and the preset still keeps them out.
  headers.push_back("Time to first response");
  headers.push_back("Time to resolution");
  MappingResult generic = map_columns(headers, {});
  CHECK(header_of(generic, headers, TicketField::kFirstResponseDuration) ==
        "Time to first response");
  CHECK(header_of(generic, headers, TicketField::kResolutionDuration) == "Time to resolution");
  MappingResult with_preset = map_columns(headers, {}, find_preset("jira_sm"));
  CHECK_FALSE(with_preset.mapping.has(TicketField::kFirstResponseDuration));
  CHECK_FALSE(with_preset.mapping.has(TicketField::kResolutionDuration));
}

TEST_CASE("Config overrides beat the preset, and an unmapped field stays unmapped", "[presets]") {
  const auto headers = fixture_header("presets/zendesk.csv");
  MappingOverrides overrides;
  overrides.columns.emplace_back("channel", "Ticket type");
  overrides.columns.emplace_back("csat", std::nullopt);
  overrides.columns.emplace_back("first_response_time",
                                 "First reply time in minutes within business hours");
  MappingResult result = map_columns(headers, overrides, find_preset("zendesk"));
  CHECK(result.errors.empty());
  CHECK(header_of(result, headers, TicketField::kChannel) == "Ticket type");
  CHECK(result.mapping[TicketField::kChannel].how == MatchKind::kConfig);
  CHECK_FALSE(result.mapping.has(TicketField::kCsat));
  CHECK(header_of(result, headers, TicketField::kFirstResponseDuration) ==
        "First reply time in minutes within business hours");
  CHECK(result.mapping[TicketField::kFirstResponseDuration].how == MatchKind::kConfig);
  // The unit of a config-chosen column is read from its header ("in minutes … business hours").
  CHECK(result.mapping[TicketField::kFirstResponseDuration].unit == DurationUnit::kMinutes);
  CHECK(result.mapping[TicketField::kFirstResponseDuration].unit_from_header);
  // Fields the config does not name keep the preset's columns.
  CHECK(header_of(result, headers, TicketField::kTeam) == "Group");
  CHECK(result.mapping[TicketField::kTeam].how == MatchKind::kPreset);
}

TEST_CASE("A preset column already taken by a config override is not mapped twice", "[presets]") {
  // The config gives "Via" to team; the Zendesk preset's channel pattern is only "via", so channel
  // is left unmapped rather than sharing the column.
  const std::vector<std::string> headers = {"Id", "Via", "Reopens", "Created at"};
  MappingOverrides overrides;
  overrides.columns.emplace_back("team", "Via");
  MappingResult result = map_columns(headers, overrides, find_preset("zendesk"));
  CHECK(header_of(result, headers, TicketField::kTeam) == "Via");
  CHECK_FALSE(result.mapping.has(TicketField::kChannel));
}

// =====================================================================================================
// JSON paths by their last segment
// =====================================================================================================

TEST_CASE("A JSON path that matches no synonym whole is mapped by its last segment",
          "[presets][json]") {
  // No preset: "via channel" is no synonym, its last segment "channel" is; "a b created at" is
  // none, "created at" is.
  const std::vector<std::string> headers = {"id", "via.channel", "a.b.created_at"};
  REQUIRE(detected(headers) == "(none)");
  MappingResult result = map_columns(headers, {});
  CHECK(header_of(result, headers, TicketField::kChannel) == "via.channel");
  CHECK(result.mapping[TicketField::kChannel].how == MatchKind::kSynonym);
  CHECK(header_of(result, headers, TicketField::kCreatedAt) == "a.b.created_at");
}

TEST_CASE("A whole-header synonym beats a JSON path's last segment, whatever its rank",
          "[presets][json]") {
  // "via" is channel's 2nd synonym and "source.channel" ends in its 1st: the whole header wins.
  const std::vector<std::string> headers = {"source.channel", "via", "created_at"};
  MappingResult result = map_columns(headers, {});
  CHECK(header_of(result, headers, TicketField::kChannel) == "via");
  // With "via" taken away by the config, the path is the fallback.
  MappingOverrides overrides;
  overrides.columns.emplace_back("team", "via");
  MappingResult fallback = map_columns(headers, overrides);
  CHECK(header_of(fallback, headers, TicketField::kChannel) == "source.channel");
}

}  // namespace
}  // namespace kpilens
