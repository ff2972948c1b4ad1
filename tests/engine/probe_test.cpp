// TicketDataset::probe: what a file's first bytes say it is (kind, format, encoding, preset,
// columns), read with the dataset's config and without touching the dataset. Drivers use it to
// read survey files before ticket files (docs/report.md "Producing a report").
#include <algorithm>
#include <catch2/catch.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "report_reader.h"
#include "ticket_dataset.h"

namespace kpilens {
namespace {

using test::feed_file;
using test::read_fixture;

// The first line of a delimited text, split on `delimiter` (no quotes in these headers).
std::vector<std::string> first_line(std::string_view text, char delimiter) {
  std::string_view line = text.substr(0, text.find('\n'));
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  std::vector<std::string> cells(1);
  for (char c : line) {
    if (c == delimiter) {
      cells.emplace_back();
    } else {
      cells.back().push_back(c);
    }
  }
  return cells;
}

TEST_CASE("probe reads a CSV's format, delimiter, kind, preset and columns", "[probe]") {
  const std::string csv = read_fixture("presets/zendesk.csv");
  REQUIRE(csv.size() > 1000);
  TicketDataset d("{}");
  // A driver sends the first 64 KiB; this fixture is smaller, so send a cut-off start instead: the
  // header and part of the first rows.
  FileSummary f = d.probe("zendesk.csv", std::string_view(csv).substr(0, 1000));
  CHECK(f.name == "zendesk.csv");
  CHECK_FALSE(f.error.has_value());
  CHECK(f.format == "csv");
  CHECK(f.delimiter == ',');
  CHECK(f.encoding == TextEncoding::kUtf8);
  CHECK(f.kind == DatasetKind::kTickets);
  REQUIRE(f.preset.has_value());
  CHECK(f.preset->preset->id == "zendesk");
  CHECK_FALSE(f.preset_from_config);
  CHECK(f.headers == first_line(csv, ','));
}

TEST_CASE("probe tells a survey file from a ticket file", "[probe]") {
  const std::string survey = read_fixture("presets/join_survey.csv");
  const std::string tickets = read_fixture("presets/join_tickets.csv");
  TicketDataset d("{}");
  FileSummary s = d.probe("join_survey.csv", survey);
  CHECK(s.kind == DatasetKind::kSurvey);
  REQUIRE(s.preset.has_value());
  CHECK(s.preset->preset->id == "survey");
  // Id, Subject, Created at, Status, Via, Assignee: only "Via" is Zendesk-distinctive, so no
  // preset; the status makes it a ticket file.
  FileSummary t = d.probe("join_tickets.csv", tickets);
  CHECK(t.kind == DatasetKind::kTickets);
  CHECK_FALSE(t.preset.has_value());
}

TEST_CASE("probe reads an NDJSON start and names its flattened paths", "[probe]") {
  const std::string ndjson = read_fixture("presets/zendesk_api.ndjson");
  // The first two records and part of the third, as a 64 KiB window would cut a large file.
  size_t second_end = ndjson.find('\n', ndjson.find('\n') + 1);
  REQUIRE(second_end != std::string::npos);
  TicketDataset d("{}");
  FileSummary f = d.probe("tickets.ndjson", std::string_view(ndjson).substr(0, second_end + 200));
  CHECK_FALSE(f.error.has_value());
  CHECK(f.format == "ndjson");
  CHECK(f.kind == DatasetKind::kTickets);
  REQUIRE(f.preset.has_value());
  CHECK(f.preset->preset->id == "zendesk_api");
  CHECK(std::find(f.headers.begin(), f.headers.end(), "via.channel") != f.headers.end());
  CHECK(std::find(f.headers.begin(), f.headers.end(), "satisfaction_rating.score") !=
        f.headers.end());
  CHECK(f.headers.front() == "url");
}

TEST_CASE("probe reads a UTF-16 file start like its UTF-8 twin", "[probe]") {
  const std::string utf16 = read_fixture("encodings/tickets.utf16le.txt");
  const std::string utf8 = read_fixture("encodings/tickets.utf8.csv");
  REQUIRE(utf16.size() > 101);
  TicketDataset d("{}");
  // Cut at an odd byte, inside a code unit of the third line.
  FileSummary f = d.probe("tickets.txt", std::string_view(utf16).substr(0, 301));
  CHECK_FALSE(f.error.has_value());
  CHECK(f.encoding == TextEncoding::kUtf16Le);
  CHECK(f.format == "csv");
  CHECK(f.delimiter == '\t');
  CHECK(f.kind == DatasetKind::kTickets);
  CHECK(f.headers == first_line(utf8, ','));
}

TEST_CASE("probe uses the dataset's config, including a file's own preset", "[probe]") {
  const std::string zendesk = read_fixture("presets/zendesk.csv");
  TicketDataset d(R"({"files": {"plain.csv": {"preset": "none"}}})");
  CHECK_FALSE(d.probe("plain.csv", zendesk).preset.has_value());
  FileSummary other = d.probe("other.csv", zendesk);
  REQUIRE(other.preset.has_value());
  CHECK(other.preset->preset->id == "zendesk");
  TicketDataset forced(R"({"preset": "survey"})");
  FileSummary s = forced.probe("zendesk.csv", zendesk);
  CHECK(s.kind == DatasetKind::kSurvey);
  CHECK(s.preset_from_config);
}

TEST_CASE("probe leaves the dataset untouched", "[probe]") {
  const std::string survey = read_fixture("presets/join_survey.csv");
  const std::string tickets = read_fixture("presets/join_tickets.csv");
  const std::string config = R"({"by_if_mapped": ["channel", "agent"]})";
  TicketDataset plain(config);
  feed_file(plain, "join_survey.csv", survey);
  feed_file(plain, "join_tickets.csv", tickets);
  const std::string expected = plain.report_json();

  TicketDataset probed(config);
  // Before any file, between files and after the last: the probes see a ticket file, which would
  // mark ticket rows as seen (and make the survey's answers late) if they leaked into the dataset.
  (void)probed.probe("join_tickets.csv", tickets);
  (void)probed.probe("join_survey.csv", survey);
  feed_file(probed, "join_survey.csv", survey);
  (void)probed.probe("join_tickets.csv", tickets);
  feed_file(probed, "join_tickets.csv", tickets);
  (void)probed.probe("join_survey.csv", survey);
  CHECK(probed.files().size() == 2);
  CHECK(probed.report_json() == expected);
}

}  // namespace
}  // namespace kpilens
