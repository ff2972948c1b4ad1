// Bad input: every malformed or hostile file ends in a clear message and a valid report, never a
// crash. Counted problems carry their line numbers; good rows around them are kept.
#include <algorithm>
#include <catch2/catch.hpp>
#include <random>
#include <string>

#include "report_reader.h"
#include "ticket_dataset.h"

namespace kpilens {
namespace {

using test::any_contains;
using test::contains;
using test::feed_file;
using test::or_null;
using test::Report;
using test::report_for;

std::vector<uint64_t> rejected_lines(const Report& r) {
  std::vector<uint64_t> lines;
  simdjson::dom::array rows;
  if (r.input()["rejected"].get(rows) != simdjson::SUCCESS) return lines;
  for (simdjson::dom::element row : rows) lines.push_back(Report::count(row["line"]));
  return lines;
}

std::vector<std::string> rejected_reasons(const Report& r) {
  return Report::field_strings(r.input()["rejected"], "reason");
}

// The value_issues[] entry of a field (an error result when there is none).
Report::Lookup value_issue(const Report& r, std::string_view field) {
  simdjson::dom::array issues;
  if (r.input()["value_issues"].get(issues) != simdjson::SUCCESS) {
    return Report::Lookup(simdjson::NO_SUCH_FIELD);
  }
  for (simdjson::dom::element issue : issues) {
    if (Report::string(issue["field"]) == field)
      return Report::Lookup(simdjson::dom::element(issue));
  }
  return Report::Lookup(simdjson::NO_SUCH_FIELD);
}

TEST_CASE("An empty file (0 bytes) is a file error and fails the dataset", "[bad_input]") {
  TicketDataset d("{}");
  d.begin_file("empty.csv");
  d.feed("");
  d.end_file();
  REQUIRE(d.files().at(0).error);
  CHECK(contains(*d.files()[0].error, "empty file"));
  CHECK(d.failed());
  Report r(d.report_json());
  REQUIRE(r.valid());
  CHECK_FALSE(Report::flag(r.root()["ok"]));
  CHECK(any_contains(r.errors(), "empty.csv: empty file (0 bytes)"));
  CHECK(Report::string(r.file(0)["error"]) == "empty file (0 bytes)");
}

TEST_CASE("A file of blank lines has no header row", "[bad_input]") {
  TicketDataset d("{}");
  feed_file(d, "blank.csv", "\n\r\n\n");
  CHECK(d.failed());
  CHECK(contains(*d.files()[0].error, "no header row"));
}

TEST_CASE("A header-only file warns and gives zero tickets with null KPIs", "[bad_input]") {
  TicketDataset d("{}");
  feed_file(d, "header.csv", "created_at,status,csat,nps,replies\n");
  CHECK_FALSE(d.failed());
  Report r(d.report_json());
  REQUIRE(r.valid());
  CHECK(Report::flag(r.root()["ok"]));
  CHECK(any_contains(r.warnings(), "header.csv: header only, no data rows"));
  CHECK(or_null(r.value("tickets")) == 0);
  CHECK(r.period_keys().empty());
  for (std::string_view id : {"csat", "nps", "fcr", "one_touch_rate", "resolution_rate",
                              "survey_response_rate", "first_response_time_mean"}) {
    CAPTURE(id);
    CHECK_FALSE(r.value(id).has_value());
    CHECK(r.n(id) == 0);
  }
  CHECK(r.available("csat"));
}

TEST_CASE("A binary file (a PNG) is refused as binary data", "[bad_input]") {
  static const char raw[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10\0\0\0\x10\x08\x06\0\0\0";
  const std::string png(raw, sizeof raw - 1);
  TicketDataset d("{}");
  feed_file(d, "logo.png", png);
  CHECK(d.failed());
  REQUIRE(d.files()[0].error);
  CHECK(contains(*d.files()[0].error, "binary data"));
  Report r(d.report_json());
  REQUIRE(r.valid());
  CHECK(Report::count(r.input()["rows"]) == 0);
}

TEST_CASE("A binary file fed one byte at a time is still refused", "[bad_input]") {
  // The NUL is at offset 8: a reader that only looks at the first chunk would miss it.
  static const char raw[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10";
  const std::string png(raw, sizeof raw - 1);
  TicketDataset d("{}");
  feed_file(d, "logo.png", png, 1);
  CHECK(d.failed());
  REQUIRE(d.files()[0].error);
  CHECK(contains(*d.files()[0].error, "binary data"));
}

TEST_CASE("An XLSX workbook (a ZIP) is refused with advice to export CSV", "[bad_input]") {
  static const char raw[] = "PK\x03\x04\x14\0\x06\0\x08\0\0\0!\0[Content_Types].xml";
  const std::string xlsx(raw, sizeof raw - 1);
  TicketDataset d("{}");
  feed_file(d, "tickets.xlsx", xlsx);
  CHECK(d.failed());
  REQUIRE(d.files()[0].error);
  CHECK(contains(*d.files()[0].error, "xlsx"));
  CHECK(contains(*d.files()[0].error, "CSV"));
}

TEST_CASE("A file's start is judged alike in one first chunk or in many small ones",
          "[bad_input]") {
  // A first chunk of at least the 8 KiB start window is judged where it lies; smaller chunks are
  // gathered until the window is full. Both must refuse the same files and read the same rows.
  static const char raw[] = "PK\x03\x04\x14\0\x06\0\x08\0\0\0!\0[Content_Types].xml";
  std::string xlsx(raw, sizeof raw - 1);
  xlsx.append(20000, 'x');
  for (size_t chunk : {size_t{0}, size_t{9000}, size_t{1000}}) {
    CAPTURE(chunk);
    TicketDataset d("{}");
    feed_file(d, "tickets.xlsx", xlsx, chunk);
    CHECK(d.failed());
    REQUIRE(d.files()[0].error);
    CHECK(contains(*d.files()[0].error, "xlsx"));
  }
  // A ';' export with decimal commas, longer than the CSV decoder's 64 KiB sniffing window.
  std::string csv = "id;created_at;csat\n";
  for (int i = 1; csv.size() < 100000; ++i) {
    csv += std::to_string(i) + ";2024-03-" + (i % 2 ? "04" : "05") + " 09:00:00;" +
           std::to_string(1 + i % 5) + ",0\n";
  }
  const std::string whole = report_for("{}", csv);
  Report r(whole);
  REQUIRE(r.valid());
  CHECK(Report::string(r.file(0)["delimiter"]) == ";");
  for (size_t chunk : {size_t{70000}, size_t{9000}, size_t{1000}, size_t{7}}) {
    CAPTURE(chunk);
    CHECK(report_for("{}", csv, chunk) == whole);
  }
}

TEST_CASE("A UTF-16 file (Excel \"Unicode text\") is read like its UTF-8 twin", "[bad_input]") {
  const std::string utf8 =
      "id\tcreated_at\tagent\n1\t2024-03-04T09:00:00Z\tZoë\n2\t2024-03-05T09:00:00Z\tJosé\n";
  // UTF-16LE with its BOM: every character here is in the BMP, one code unit each.
  std::string utf16 = "\xFF\xFE";
  for (size_t i = 0; i < utf8.size();) {
    unsigned char c = static_cast<unsigned char>(utf8[i]);
    uint32_t cp = c;
    size_t len = 1;
    if (c >= 0xC0) {
      cp = ((c & 0x1Fu) << 6) | (static_cast<unsigned char>(utf8[i + 1]) & 0x3Fu);
      len = 2;
    }
    utf16.push_back(static_cast<char>(cp & 0xFF));
    utf16.push_back(static_cast<char>(cp >> 8));
    i += len;
  }
  const char* config = R"({"by": ["agent"]})";
  Report expected(report_for(config, utf8));
  for (size_t chunk : {size_t{0}, size_t{1}, size_t{3}}) {
    CAPTURE(chunk);
    Report r(report_for(config, utf16, chunk));
    REQUIRE(r.valid());
    CHECK(Report::string(r.file(0)["encoding"]) == "utf-16le");
    CHECK(r.segment_values("agent") == std::vector<std::string>{"José", "Zoë"});
    CHECK(r.segment_values("agent") == expected.segment_values("agent"));
    CHECK(or_null(r.value("tickets")) == 2);
  }
}

TEST_CASE("An unterminated quote at the end rejects that row with its line and keeps the rest",
          "[bad_input]") {
  constexpr std::string_view csv =
      "created_at,status,comment\n"
      "2024-03-04T09:00:00Z,solved,fine\n"
      "2024-03-05T09:00:00Z,open,\"also, fine\"\n"
      "2024-03-06T09:00:00Z,solved,\"never closed\n"
      "2024-03-07T09:00:00Z,solved,swallowed by the quote\n";
  Report r(report_for("{}", csv));
  REQUIRE(r.valid());
  CHECK(Report::count(r.input()["rows_used"]) == 2);
  CHECK(Report::count(r.input()["rows_rejected"]) == 1);
  CHECK(rejected_lines(r) == std::vector<uint64_t>{4});
  CHECK(any_contains(rejected_reasons(r), "unterminated quoted field"));
  CHECK(or_null(r.value("tickets")) == 2);
  CHECK(or_null(r.value("resolution_rate")) == 50);
}

TEST_CASE("A 1 MB field in a comment column does not stop the row being used", "[bad_input]") {
  std::string big(size_t{1} << 20, 'x');
  for (size_t i = 0; i < big.size(); i += 1000) big[i] = ',';  // delimiters inside the quotes
  std::string csv = "created_at,status,comment\n2024-03-04T09:00:00Z,solved,\"" + big +
                    "\"\n2024-03-05T09:00:00Z,open,short\n";
  for (size_t chunk : {size_t{0}, size_t{65536}}) {
    CAPTURE(chunk);
    Report r(report_for("{}", csv, chunk));
    REQUIRE(r.valid());
    CHECK(Report::count(r.input()["rows_used"]) == 2);
    CHECK(Report::count(r.input()["rows_rejected"]) == 0);
    CHECK(or_null(r.value("resolution_rate")) == 50);
  }
}

TEST_CASE("Rows with more fields than the header are rejected with their line numbers",
          "[bad_input]") {
  constexpr std::string_view csv =
      "created_at,status,csat\n"
      "2024-03-04T09:00:00Z,solved,5\n"
      "2024-03-05T09:00:00Z,solved,4,extra\n"
      "2024-03-06T09:00:00Z,open,3\n"
      "2024-03-07T09:00:00Z,open,2,x,y\n"
      "2024-03-08T09:00:00Z,solved,1,\n";  // a trailing empty field is harmless
  Report r(report_for("{}", csv));
  CHECK(rejected_lines(r) == std::vector<uint64_t>{3, 5});
  auto reasons = rejected_reasons(r);
  REQUIRE(reasons.size() == 2);
  CHECK(reasons[0] == "4 fields where the header has 3 (an unquoted delimiter?)");
  CHECK(reasons[1] == "5 fields where the header has 3 (an unquoted delimiter?)");
  // Kept: lines 2, 4, 6 → CSAT 5, 3, 1 → 1 of 3 satisfied.
  CHECK(Report::count(r.input()["rows_used"]) == 3);
  CHECK(or_null(r.value("csat")) == Approx(100.0 / 3).epsilon(1e-12));
}

TEST_CASE("Rows with fewer fields than the header are kept and counted as ragged with a warning",
          "[bad_input]") {
  constexpr std::string_view csv =
      "created_at,status,csat\n"
      "2024-03-04T09:00:00Z,solved,5\n"
      "2024-03-05T09:00:00Z,open\n"
      "2024-03-06T09:00:00Z\n";
  TicketDataset d("{}");
  feed_file(d, "ragged.csv", csv);
  Report r(d.report_json());
  CHECK(Report::count(r.input()["rows_used"]) == 3);
  CHECK(Report::count(r.file(0)["ragged_rows"]) == 2);
  CHECK(any_contains(r.warnings(),
                     "ragged.csv: 2 row(s) had fewer fields than the header "
                     "(first on line 3)"));
  // Missing cells are empty: one CSAT answer, one solved of three.
  CHECK(r.n("csat") == 1);
  CHECK(or_null(r.value("resolution_rate")) == Approx(100.0 / 3).epsilon(1e-12));
}

TEST_CASE("An unparseable created_at rejects the row with the cell text in the reason",
          "[bad_input]") {
  constexpr std::string_view csv =
      "created_at,status\n"
      "2024-03-04T09:00:00Z,solved\n"
      "yesterday afternoon,solved\n"
      ",open\n"
      "2024-02-30 10:00,open\n"
      "2024-03-05T09:00:00Z,open\n";
  Report r(report_for("{}", csv));
  CHECK(rejected_lines(r) == std::vector<uint64_t>{3, 4, 5});
  auto reasons = rejected_reasons(r);
  REQUIRE(reasons.size() == 3);
  CHECK(reasons[0] == "created_at 'yesterday afternoon' is not a date and time");
  CHECK(reasons[1] == "created_at is empty");
  CHECK(reasons[2] == "created_at '2024-02-30 10:00' is not a date and time");
  CHECK(Report::count(r.input()["rows_used"]) == 2);
}

TEST_CASE("Bad CSAT and NPS cells become value issues with count and lines, the rows kept",
          "[bad_input]") {
  // Lines 2 and 4 carry bad CSAT ("abc", "xyz") and bad NPS (11, 12); line 3 is good (5, 9).
  constexpr std::string_view csv =
      "created_at,csat,nps\n"
      "2024-03-04T09:00:00Z,abc,11\n"
      "2024-03-05T09:00:00Z,5,9\n"
      "2024-03-06T09:00:00Z,xyz,12\n";
  Report r(report_for("{}", csv, 0, "survey.csv"));
  CHECK(Report::count(r.input()["rows_used"]) == 3);
  CHECK(Report::count(r.input()["rows_rejected"]) == 0);
  auto csat = value_issue(r, "csat");
  REQUIRE(csat.error() == simdjson::SUCCESS);
  CHECK(Report::count(csat["count"]) == 2);
  CHECK(Report::string(csat["example"]) == "'abc'");
  CHECK(Report::string(csat["reason"]) == "not a satisfaction rating");
  std::vector<uint64_t> lines;
  simdjson::dom::array at;
  REQUIRE(csat["lines"].get(at) == simdjson::SUCCESS);
  for (simdjson::dom::element l : at) {
    lines.push_back(Report::count(l["line"]));
    CHECK(Report::string(l["file"]) == "survey.csv");
  }
  CHECK(lines == std::vector<uint64_t>{2, 4});
  auto nps = value_issue(r, "nps");
  REQUIRE(nps.error() == simdjson::SUCCESS);
  CHECK(Report::count(nps["count"]) == 2);
  CHECK(Report::string(nps["example"]) == "'11'");
  // Only the good answers count: CSAT 5 → 100 % (n 1), NPS 9 → 100 (n 1).
  CHECK(or_null(r.value("csat")) == 100);
  CHECK(r.n("csat") == 1);
  CHECK(or_null(r.value("nps")) == 100);
  CHECK(r.n("nps") == 1);
  // Ratings and nothing only a ticket has: a survey file, whose rows are answers, not tickets.
  CHECK(Report::string(r.file(0)["kind"]) == "survey");
  CHECK(or_null(r.value("tickets")) == 0);
}

TEST_CASE("A CSAT score outside the configured scale is a value issue", "[bad_input]") {
  constexpr std::string_view csv =
      "created_at,csat\n"
      "2024-03-04T09:00:00Z,6\n"
      "2024-03-05T09:00:00Z,4\n";
  Report r(report_for("{}", csv));
  auto csat = value_issue(r, "csat");
  REQUIRE(csat.error() == simdjson::SUCCESS);
  CHECK(Report::string(csat["reason"]) == "outside the CSAT scale");
  CHECK(r.n("csat") == 1);
}

TEST_CASE("One failed file among good ones leaves the dataset usable", "[bad_input]") {
  TicketDataset d("{}");
  feed_file(d, "empty.csv", "");
  feed_file(d, "good.csv", "created_at,status\n2024-03-04T09:00:00Z,solved\n");
  CHECK_FALSE(d.failed());
  Report r(d.report_json());
  CHECK(or_null(r.value("tickets")) == 1);
  CHECK(any_contains(r.errors(), "empty.csv"));
}

// Cells that reach the deeper parsers: dates of every shape, ratings, numbers at the edges.
const char* const kCells[] = {"2024-03-04T09:00:00Z",
                              "2024-03-05 10:00",
                              "2024-03-18T09:00:00+02:00",
                              "04.03.2024 09:00",
                              "3/4/2024 9:00 PM",
                              "31/12/2024",
                              "12/Mar/24 3:15 PM",
                              "0001-01-01",
                              "9999-12-31T23:59:59Z",
                              "1700000000",
                              "1700000000000",
                              "Good",
                              "Bad",
                              "Offered",
                              "Not Offered",
                              "0",
                              "1",
                              "2",
                              "3",
                              "5",
                              "9",
                              "10",
                              "11",
                              "-3",
                              "4.5",
                              "1e308",
                              "NaN",
                              "1.234,5",
                              "01:30:00",
                              "-1:30",
                              "yes",
                              "no",
                              "solved",
                              "open",
                              "closed",
                              "\"a,b\"",
                              "",
                              "\"\"\"\"",
                              "\"line\nbreak\"",
                              "\xEF\xBB\xBF",
                              "\xC3\xA9",
                              "\xFF"};
const char* const kHeaders[] = {
    "created_at,status,csat,nps,ces,replies,reopens,channel,solved_at,first_response_time,cost\n",
    ("Id,Via,Created at,Solved at,Satisfaction Score,Replies,Reopens,Full resolution time in "
     "minutes\n"),
    "Ticket;Created;Resolved;Status;Rating\n", ""};
const char* const kConfigs[] = {"{}", R"({"by": ["channel"]})", R"({"grain": "day"})",
                                R"({"grain": "all", "utc_offset": "-05:30"})"};

// One fuzz input: raw bytes (10 %), a header and character noise (30 %), or a header and rows of
// plausible cells with the odd missing or extra field, noise byte and line-ending change (60 %).
std::string random_input(std::mt19937& rng) {
  std::uniform_int_distribution<int> pick(0, 99);
  const int mode = pick(rng);
  std::string s;
  if (mode < 10) {
    size_t n = static_cast<size_t>(pick(rng)) * 3;
    for (size_t i = 0; i < n; ++i) s.push_back(static_cast<char>(rng() & 0xFF));
    return s;
  }
  const std::string_view header = kHeaders[rng() % std::size(kHeaders)];
  s = header;
  static constexpr char kNoise[] = ",;\t|\"\n\r :-/.0123456789TZaeo";
  auto noise = [&] {
    if (pick(rng) < 90) {
      s.push_back(kNoise[rng() % (sizeof kNoise - 1)]);
    } else {
      s.push_back(static_cast<char>(rng() & 0xFF));
    }
  };
  if (mode < 40) {
    size_t pieces = static_cast<size_t>(pick(rng)) % 60;
    for (size_t i = 0; i < pieces; ++i) {
      if (pick(rng) < 55) {
        s += kCells[rng() % std::size(kCells)];
      } else {
        noise();
      }
      if (pick(rng) < 40) s.push_back(pick(rng) < 80 ? ',' : '\n');
    }
    return s;
  }
  const char delimiter = header.find(';') != std::string_view::npos ? ';' : ',';
  const size_t columns =
      1 + static_cast<size_t>(std::count(header.begin(), header.end(), delimiter));
  const size_t rows = static_cast<size_t>(pick(rng)) % 25;
  for (size_t row = 0; row < rows; ++row) {
    int shape = pick(rng);
    size_t fields = shape < 8 ? columns - 1 : shape < 14 ? columns + 1 : columns;
    for (size_t f = 0; f < fields; ++f) {
      if (f > 0) s.push_back(delimiter);
      if (pick(rng) < 90) {
        s += kCells[rng() % std::size(kCells)];
      } else {
        noise();
      }
    }
    int end = pick(rng);
    s += end < 85 ? "\n" : end < 95 ? "\r\n" : "\r";
  }
  return s;
}

TEST_CASE("10,000 random inputs in random chunk sizes never crash and always give valid JSON",
          "[bad_input][fuzz]") {
  std::mt19937 rng(20240611);
  simdjson::dom::parser parser;
  const size_t kpi_count = ticket_kpi_catalogue().size();
  size_t invalid = 0;
  for (int i = 0; i < 10000; ++i) {
    std::string input = random_input(rng);
    TicketDataset d(kConfigs[rng() % std::size(kConfigs)]);
    d.begin_file("fuzz.csv");
    size_t at = 0;
    while (at < input.size()) {
      size_t chunk = 1 + rng() % 64;
      d.feed(std::string_view(input).substr(at, chunk));
      at += chunk;
    }
    d.end_file();
    std::string json = d.report_json();
    simdjson::dom::element root;
    simdjson::dom::array kpis;
    if (parser.parse(json).get(root) != simdjson::SUCCESS ||
        root["kpis"].get(kpis) != simdjson::SUCCESS || kpis.size() != kpi_count) {
      ++invalid;
      UNSCOPED_INFO("input #" << i << ": " << input);
    }
  }
  CHECK(invalid == 0);
}

}  // namespace
}  // namespace kpilens
