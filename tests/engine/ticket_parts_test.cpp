// ticket_dataset_parts + ticket_state: a file read in parts by several datasets and merged in file
// order gives the sequential report byte for byte, on generated exports (quoted line breaks, CRLF,
// multi-byte UTF-8, "" escapes, stray quotes, ragged and rejected rows, value issues) cut at random
// places and at every byte of a tricky stretch; the cases the merge cannot make identical are
// refused and say why; corrupted states are refused without a crash. The expected report is always
// the sequential read's (an independent path: no part, no merge).
#include <algorithm>
#include <catch2/catch.hpp>
#include <memory>
#include <random>
#include <span>
#include <string>
#include <tuple>
#include <vector>

#include "csv_scanner.h"
#include "engine_config.h"
#include "report_reader.h"
#include "state_codec.h"
#include "ticket_aggregate.h"
#include "ticket_dataset.h"

namespace kpilens {
namespace {

constexpr std::string_view kHeader =
    "Id,Requester,Assignee,Group,Subject,Status,Priority,Via,Created at,Solved at,"
    "Satisfaction Score,Reopens,Replies,First reply time in minutes,Full resolution time in "
    "minutes";

struct ExportShape {
  uint64_t seed = 1;
  size_t rows = 400;
  bool crlf = false;
  bool final_line_break = true;
  bool stray_quotes = true;  // `"a"b`: kept leniently, counted in a warning
  bool multibyte = true;
  size_t channels = 6;
  std::string tail;  // appended as is after the rows
};

// A Zendesk-like export with every kind of row the reader handles differently.
std::string generate_export(const ExportShape& shape) {
  std::mt19937_64 rng(shape.seed);
  auto pick = [&](size_t n) { return static_cast<size_t>(rng() % n); };
  const std::string eol = shape.crlf ? "\r\n" : "\n";
  const char* const agents[] = {"Kim", "Lou", "Ana", "Zoë", "Jürgen", "東京"};
  const char* const statuses[] = {"Solved", "Closed", "Open", "Pending"};
  const char* const scores[] = {"Good", "Bad", "Offered", "Not Offered", "", "Bad "};
  std::string out(kHeader);
  out += eol;
  for (size_t i = 0; i < shape.rows; ++i) {
    const size_t kind = pick(40);
    std::string id = std::to_string(i + 1);
    std::string requester = "user" + std::to_string(pick(50)) + "@example.com";
    std::string agent = agents[pick(shape.multibyte ? 6 : 3)];
    std::string subject;
    switch (pick(8)) {
      case 0:
        subject = "\"Line one" + eol + "line two, with a comma\"";
        break;
      case 1:
        subject = "\"He said \"\"hi\"\"" + std::string(pick(2) ? "\r\n" : "\n") + "\"";
        break;
      case 2:
        subject = shape.multibyte ? "\"Grüße — naïve café 😀\"" : "\"plain, quoted\"";
        break;
      case 3:
        subject = shape.stray_quotes ? "\"quoted\"tail" : "unquoted";
        break;
      case 4:
        subject = "\"\"";  // an empty quoted field
        break;
      default:
        subject = "Subject " + std::to_string(pick(1000));
    }
    const std::string status = statuses[pick(4)];
    const int day = 1 + static_cast<int>(pick(60));
    const int month = 1 + (day - 1) / 28, dom = 1 + (day - 1) % 28;
    char created[32], solved[32];
    std::snprintf(created, sizeof created, "2024-%02d-%02d %02d:%02zu:00", month, dom,
                  static_cast<int>(pick(24)), pick(60));
    std::snprintf(solved, sizeof solved, "2024-%02d-%02d 18:00:00", month + (pick(4) == 0),
                  std::min(28, dom + static_cast<int>(pick(3))));
    std::string created_cell = created;
    std::string replies = std::to_string(pick(5));
    std::string reopens = std::to_string(pick(3));
    if (kind == 0) created_cell = "not a date";  // rejected
    if (kind == 1) created_cell = "";            // rejected
    if (kind == 2) replies = "many";             // a value issue
    if (kind == 3) reopens = "-1";               // a value issue
    std::string row = id + "," + requester + "," + agent + ",Support," + subject + "," + status +
                      ",Normal,Channel " + std::to_string(pick(shape.channels)) + "," +
                      created_cell + "," + (status == "Open" ? "" : std::string(solved)) + "," +
                      scores[pick(6)] + "," + reopens + "," + replies + "," +
                      std::to_string(pick(300)) + "," + std::to_string(pick(9000));
    if (kind == 4) row = id + "," + requester + "," + agent;  // ragged: kept, cells empty
    if (kind == 5) row += ",extra,cells";                     // rejected: too many fields
    if (kind == 6) row = "";                                  // a blank line
    out += row;
    if (i + 1 < shape.rows || shape.final_line_break) out += eol;
  }
  out += shape.tail;
  return out;
}

EngineConfig small_head_config() {
  EngineConfig config;
  config.by = {"channel", "agent"};
  config.delimiter = ',';      // no 64 KiB sniff: heads can be small
  config.inference_rows = 20;  // date order decided on the first 20 rows
  config.max_rejected_listed = 7;
  return config;
}

std::string sequential_report(const EngineConfig& config, std::string_view bytes,
                              size_t chunk = 4096) {
  TicketDataset dataset(config);
  dataset.begin_file("input.csv");
  for (size_t at = 0; at < bytes.size(); at += chunk) dataset.feed(bytes.substr(at, chunk));
  dataset.end_file();
  return dataset.report_json();
}

struct Cut {
  size_t offset = 0;
  uint64_t line = 1;
};

// The first record start at or after `at`, and its line: what the drivers' pre-pass finds from the
// quote and line-break counts of the ranges before it.
Cut record_start_from(std::string_view bytes, size_t at) {
  if (at >= bytes.size()) return {bytes.size(), 0};
  const QuoteLineCount before = count_quotes_and_line_breaks(bytes.substr(0, at), 0);
  const char previous = at > 0 ? bytes[at - 1] : 0;
  const size_t found = find_record_start(bytes.substr(at), (before.quotes & 1) != 0, previous);
  if (found == std::string_view::npos) return {bytes.size(), 0};
  const size_t offset = at + found;
  return {offset, 1 + count_quotes_and_line_breaks(bytes.substr(0, offset), 0).line_breaks};
}

struct PartsRun {
  std::string report;
  bool split = false;  // read in parts (false: refused, or a merge fell back)
  std::string why;
  size_t parts = 0;
};

void feed_chunks(TicketDataset& dataset, std::string_view bytes, size_t chunk) {
  for (size_t at = 0; at < bytes.size(); at += chunk) dataset.feed(bytes.substr(at, chunk));
}

// A helper's part as a driver has it read: a dataset with `config` fed the head `head` up to
// `head_end`, begun at `cut`, fed `bytes` from there to the end; its state.
std::vector<uint8_t> helper_part(const EngineConfig& config, std::string_view head, size_t head_end,
                                 std::string_view bytes, const Cut& cut) {
  TicketDataset part(config);
  part.begin_file("input.csv");
  feed_chunks(part, head.substr(0, head_end), 4096);
  REQUIRE(part.begin_part(cut.offset, cut.line));
  feed_chunks(part, bytes.substr(cut.offset), 4096);
  return part.save_part(true);
}

// Where a part after a cut starts. kExact: the record start at/after the cut and its line, as
// counting every quote and line break before the cut gives them. kGuessed: the drivers' protocol
// (wasm/bindings/parallel_read.mjs, wasm/cli/parallel_file.cpp), with no count of the bytes before
// the cut: the record start the engine guesses there (guess_record_start over the next 64 KiB,
// after the head), its lines counted from 1 (the merge places them).
enum class Starts { kExact, kGuessed };

// The drivers' way in one thread: a head up to the record start at/after `head_at`; the first part
// fed to the merging dataset itself, up to the first cut's record start; then one part per later
// cut, from its start to the next part's start, merged in order. A refusal after the head or after
// the first part reads on sequentially; parts that do not follow each other, or a merge that
// refuses, give the sequential report, as the drivers do.
PartsRun read_in_parts(const EngineConfig& config, std::string_view bytes, size_t head_at,
                       std::vector<size_t> cuts, size_t chunk = 4096,
                       Starts starts = Starts::kExact) {
  PartsRun run;
  const Cut head = record_start_from(bytes, head_at);
  TicketDataset merged(config);
  merged.begin_file("input.csv");
  feed_chunks(merged, bytes.substr(0, head.offset), chunk);
  run.why = merged.part_refusal();
  if (!run.why.empty()) {
    feed_chunks(merged, bytes.substr(head.offset), chunk);
    merged.end_file();
    run.report = merged.report_json();
    return run;
  }
  const auto start_at = [&](size_t at) -> Cut {
    if (starts == Starts::kExact) return record_start_from(bytes, at);
    if (at >= bytes.size()) return {bytes.size(), 1};
    const size_t found = merged.guess_record_start(bytes.substr(at, 64 << 10), bytes[at - 1]);
    return {found == std::string_view::npos ? bytes.size() : at + found, 1};
  };
  std::sort(cuts.begin(), cuts.end());
  std::vector<size_t> at{head.offset};
  for (size_t cut : cuts) {
    if (cut > head.offset) at.push_back(cut);
  }
  // The first part, into the merging dataset after the head.
  size_t next = at.size() > 1 ? start_at(at[1]).offset : bytes.size();
  feed_chunks(merged, bytes.substr(head.offset, next - head.offset), chunk);
  ++run.parts;
  if (next < bytes.size()) run.why = merged.part_refusal();
  if (!run.why.empty()) {
    feed_chunks(merged, bytes.substr(next), chunk);
    merged.end_file();
    run.report = merged.report_json();
    return run;
  }
  // As parallel_read.mjs does while the helpers finish (prepare_merge changes no figure).
  merged.prepare_merge();
  for (size_t i = 1; i < at.size(); ++i) {
    const Cut from = start_at(at[i]);
    const size_t to = i + 1 < at.size() ? start_at(at[i + 1]).offset : bytes.size();
    if (from.offset >= to) continue;  // no record starts in its range: the part before runs on
    if (from.offset != next) {
      run.why = "the parts did not follow each other";
      run.report = sequential_report(config, bytes, chunk);
      return run;
    }
    next = to;
    TicketDataset part(config);
    part.begin_file("input.csv");
    feed_chunks(part, bytes.substr(0, head.offset), chunk);
    REQUIRE(part.begin_part(from.offset, from.line));
    feed_chunks(part, bytes.substr(from.offset, to - from.offset), chunk);
    // Every other part streamed in pieces as the page's helpers save it (the same bytes: see
    // "A part's state streamed in pieces is the state saved whole").
    std::vector<uint8_t> state;
    if (i % 2 == 0) {
      state = part.save_part(to == bytes.size());
    } else {
      part.save_part(to == bytes.size(), 1 + i * 37, [&](std::span<const uint8_t> piece, size_t) {
        state.insert(state.end(), piece.begin(), piece.end());
      });
    }
    ++run.parts;
    // Every third part merged as the bindings merge (a pulling reader: the state read through a
    // window, small here so that reads straddle its refills and outgrow it).
    const SpanSource source(state);
    std::vector<uint8_t> window(7 + 61 * i);
    const TicketDataset::PartMerge result =
        i % 3 == 1 ? merged.merge_part(source, window, run.why) : merged.merge_part(state, run.why);
    REQUIRE(result != TicketDataset::PartMerge::kCorrupt);
    if (result == TicketDataset::PartMerge::kSequential) {
      run.report = sequential_report(config, bytes, chunk);
      return run;
    }
  }
  merged.end_file();
  run.report = merged.report_json();
  run.split = true;
  return run;
}

TEST_CASE("A generated export read in parts gives the sequential report byte for byte", "[parts]") {
  const EngineConfig config = small_head_config();
  for (uint64_t seed = 1; seed <= 12; ++seed) {
    ExportShape shape;
    shape.seed = seed;
    shape.crlf = seed % 3 == 0;
    shape.final_line_break = seed % 4 != 1;
    shape.multibyte = seed % 5 != 2;
    const std::string bytes = generate_export(shape);
    const std::string expected = sequential_report(config, bytes);
    // The report holds every kind of thing a part must carry over.
    REQUIRE(expected.find("text after the closing quote (first on line ") != std::string::npos);
    REQUIRE(expected.find("fewer fields than the header (first on line ") != std::string::npos);
    REQUIRE(expected.find("is not a date and time") != std::string::npos);
    REQUIRE(expected.find("not a whole number") != std::string::npos);
    std::mt19937_64 rng(seed * 7919);
    for (int round = 0; round < 6; ++round) {
      const size_t head_at = 8192 + rng() % 4096;
      std::vector<size_t> cuts;
      const size_t parts = 1 + rng() % 4;
      for (size_t k = 0; k < parts; ++k) cuts.push_back(rng() % bytes.size());
      const size_t chunk = round % 2 ? 4096 : 1 + rng() % 700;
      INFO("seed " << seed << " round " << round);
      const PartsRun run = read_in_parts(config, bytes, head_at, cuts, chunk);
      CHECK(run.why == "");
      CHECK(run.split);
      CHECK(run.report == expected);
    }
  }
}

TEST_CASE("A report for some figures read in parts gives the sequential report", "[parts]") {
  // The durations asked for their mean alone travel as counts and sums (mean-only states), the
  // backlog's flows not at all.
  for (const std::vector<std::string>& figures :
       {std::vector<std::string>{"tickets", "csat", "fcr", "first_response_time_mean",
                                 "resolution_time_mean", "resolution_time_median"},
        std::vector<std::string>{"first_response_time_p90", "backlog"}}) {
    EngineConfig config = small_head_config();
    REQUIRE(select_figures(config, figures).empty());
    for (uint64_t seed = 1; seed <= 4; ++seed) {
      ExportShape shape;
      shape.seed = seed;
      const std::string bytes = generate_export(shape);
      const std::string expected = sequential_report(config, bytes);
      std::mt19937_64 rng(seed * 131);
      for (int round = 0; round < 4; ++round) {
        std::vector<size_t> cuts;
        for (size_t k = 0; k < 3; ++k) cuts.push_back(rng() % bytes.size());
        INFO(figures.front() << ", seed " << seed << " round " << round);
        const PartsRun run = read_in_parts(config, bytes, 8192 + rng() % 4096, cuts);
        CHECK(run.why == "");
        CHECK(run.split);
        CHECK(run.report == expected);
      }
    }
  }
}

TEST_CASE("An export without created_at read in parts gives the sequential report", "[parts]") {
  // No row has a period: each part's rows are in its aggregate's no-period group, which its state
  // carries and the merge adds up (the total is built from it at the end).
  EngineConfig config = small_head_config();
  config.mapping.columns.emplace_back("created_at", std::nullopt);
  for (uint64_t seed = 1; seed <= 4; ++seed) {
    ExportShape shape;
    shape.seed = seed;
    const std::string bytes = generate_export(shape);
    const std::string expected = sequential_report(config, bytes);
    REQUIRE(expected.find("\"keys\":[]") != std::string::npos);
    std::mt19937_64 rng(seed * 31);
    for (int round = 0; round < 4; ++round) {
      std::vector<size_t> cuts;
      for (size_t k = 0; k < 3; ++k) cuts.push_back(rng() % bytes.size());
      INFO("seed " << seed << " round " << round);
      const PartsRun run = read_in_parts(config, bytes, 8192 + rng() % 4096, cuts);
      CHECK(run.why == "");
      CHECK(run.split);
      CHECK(run.report == expected);
    }
  }
}

TEST_CASE(
    "Parts starting at guessed record starts, lines counted from 1, give the sequential report",
    "[parts]") {
  const EngineConfig config = small_head_config();
  int runs = 0, split = 0;
  for (uint64_t seed = 1; seed <= 12; ++seed) {
    ExportShape shape;
    shape.seed = seed;
    shape.crlf = seed % 3 == 0;
    shape.final_line_break = seed % 4 != 1;
    const std::string bytes = generate_export(shape);
    const std::string expected = sequential_report(config, bytes);
    std::mt19937_64 rng(seed * 104729);
    for (int round = 0; round < 8; ++round) {
      std::vector<size_t> cuts;
      const size_t parts = 1 + rng() % 4;
      for (size_t k = 0; k < parts; ++k) cuts.push_back(rng() % bytes.size());
      const size_t chunk = round % 2 ? 4096 : 1 + rng() % 700;
      INFO("seed " << seed << " round " << round);
      const PartsRun run =
          read_in_parts(config, bytes, 8192 + rng() % 4096, cuts, chunk, Starts::kGuessed);
      CHECK(run.report == expected);  // the lines of rejected rows and value issues included
      ++runs;
      split += run.split ? 1 : 0;
    }
  }
  // The guess is right nearly always on these exports (quoted line breaks, "" escapes, stray
  // quotes, ragged rows): a wrong one costs a sequential read, never a different report.
  CHECK(split * 10 >= runs * 9);
}

TEST_CASE("A part's lines are placed after the lines merged before it", "[parts]") {
  // Two parts, the second told it starts on line 1: its rejected row, value issue and ragged row
  // are reported on their lines in the file.
  EngineConfig config = small_head_config();
  config.max_rejected_listed = 1000;  // every rejected row listed, the second part's too
  ExportShape shape;
  shape.seed = 3;
  const std::string bytes = generate_export(shape);
  const std::string expected = sequential_report(config, bytes);
  const Cut head = record_start_from(bytes, 8192);
  const Cut middle = record_start_from(bytes, bytes.size() / 2);
  TicketDataset merged(config);
  merged.begin_file("input.csv");
  feed_chunks(merged, bytes.substr(0, head.offset), 4096);
  for (const auto& [from, to, line] : {std::tuple{head.offset, middle.offset, head.line},
                                       std::tuple{middle.offset, bytes.size(), uint64_t{1}}}) {
    TicketDataset part(config);
    part.begin_file("input.csv");
    feed_chunks(part, bytes.substr(0, head.offset), 4096);
    REQUIRE(part.begin_part(from, line));
    feed_chunks(part, bytes.substr(from, to - from), 4096);
    std::string why;
    REQUIRE(merged.merge_part(part.save_part(to == bytes.size()), why) ==
            TicketDataset::PartMerge::kMerged);
  }
  merged.end_file();
  CHECK(merged.report_json() == expected);
  CHECK(std::any_of(merged.rejected().begin(), merged.rejected().end(),
                    [&](const RejectedRow& row) { return row.line > middle.line; }));
}

TEST_CASE("Parts cut at every byte of a tricky stretch give the sequential report", "[parts]") {
  EngineConfig config = small_head_config();
  ExportShape shape;
  shape.seed = 99;
  shape.rows = 130;
  shape.crlf = true;
  // After the rows: quoted line breaks (LF, CRLF, lone CR), a CRLF, multi-byte UTF-8 of 2–4 bytes,
  // "" escapes, a stray quote, an empty line, and a last record with no line break.
  shape.final_line_break = true;
  shape.tail =
      "900,a@x.io,Zoë,Support,\"multi\r\nline\rfield, \"\"quoted\"\"\n\",Solved,Normal,Café "
      "😀,2024-02-03 10:00:00,2024-02-04 10:00:00,Good,0,1,5,60\r\n"
      "\r\n"
      "901,b@x.io,東京,Support,\"x\"y,Open,Normal,Web,2024-02-05 11:00:00,,Bad,0,2,7,\r\n"
      "902,c@x.io,Kim,Support,plain,Solved,Normal,Web,02/06/2024 09:00,not a date,Good,zero,1,3,9";
  const std::string bytes = generate_export(shape);
  const std::string expected = sequential_report(config, bytes);
  const size_t head_at = 8192;
  const size_t from = bytes.size() - 700;
  for (size_t cut = from; cut <= bytes.size(); ++cut) {
    INFO("cut at " << cut << " of " << bytes.size());
    const PartsRun run = read_in_parts(config, bytes, head_at, {cut}, 333);
    CHECK(run.split);
    CHECK(run.report == expected);
  }
}

TEST_CASE("A record spanning several ranges leaves the ranges inside it empty", "[parts]") {
  EngineConfig config = small_head_config();
  ExportShape shape;
  shape.seed = 5;
  shape.rows = 200;
  std::string giant = "\"";
  for (int i = 0; i < 3000; ++i) giant += "line " + std::to_string(i) + ", \"\"q\"\"\n";
  giant += "\"";
  shape.tail = "777,g@x.io,Kim,Support," + giant +
               ",Solved,Normal,Web,2024-01-09 10:00:00,2024-01-09 12:00:00,Good,0,1,5,60\n"
               "778,h@x.io,Kim,Support,after,Solved,Normal,Web,2024-01-10 10:00:00,,Good,0,1,5,"
               "60\n";
  const std::string bytes = generate_export(shape);
  const std::string expected = sequential_report(config, bytes);
  const size_t giant_at = bytes.find("777,g@x.io");
  REQUIRE(giant_at != std::string::npos);
  // Three cuts inside the giant field, one before it, one after it.
  const std::vector<size_t> cuts = {giant_at - 50, giant_at + 1000, giant_at + 20000,
                                    giant_at + 40000, bytes.size() - 60};
  const PartsRun run = read_in_parts(config, bytes, 8192, cuts);
  CHECK(run.split);
  CHECK(run.parts == 3);  // the head's part, from the cut before the giant record, the last row
  CHECK(run.report == expected);
}

TEST_CASE("A windows-1252 file settled after the head merges to the sequential report", "[parts]") {
  EngineConfig config = small_head_config();
  ExportShape shape;
  shape.seed = 11;
  shape.multibyte = false;
  shape.stray_quotes = false;
  std::string bytes = generate_export(shape);
  // Latin-1 "é" bytes (not UTF-8) in two rows after the head: both parts settle windows-1252.
  const size_t first = bytes.find("Subject", 20000);
  const size_t second = bytes.find("Subject", bytes.size() - 3000);
  REQUIRE(first != std::string::npos);
  REQUIRE(second != std::string::npos);
  bytes[first + 1] = '\xE9';
  bytes[second + 1] = '\xE9';
  const std::string expected = sequential_report(config, bytes);
  REQUIRE(expected.find("windows-1252") != std::string::npos);
  const PartsRun run = read_in_parts(config, bytes, 8192, {bytes.size() / 2});
  CHECK(run.split);
  CHECK(run.report == expected);
}

TEST_CASE("Invalid UTF-8 in later parts merges with its count and first byte offset", "[parts]") {
  EngineConfig config = small_head_config();
  ExportShape shape;
  shape.seed = 14;  // multi-byte agents in the head: the file is settled as UTF-8 there
  std::string bytes = generate_export(shape);
  const size_t first = bytes.find("Subject", bytes.size() / 3);
  const size_t second = bytes.find("Subject", bytes.size() - 3000);
  REQUIRE(first != std::string::npos);
  REQUIRE(second != std::string::npos);
  bytes[first + 1] = '\xFF';
  bytes[second + 1] = '\xFE';
  const std::string expected = sequential_report(config, bytes);
  REQUIRE(expected.find("2 invalid UTF-8 sequence(s) were read as U+FFFD (first at byte " +
                        std::to_string(first + 1) + ")") != std::string::npos);
  const PartsRun run =
      read_in_parts(config, bytes, 8192, {first - 10, bytes.size() / 2, second - 10});
  CHECK(run.split);
  CHECK(run.report == expected);
}

TEST_CASE("Parts that settle the encoding differently fall back to a sequential read", "[parts]") {
  EngineConfig config = small_head_config();
  ExportShape shape;
  shape.seed = 12;
  shape.multibyte = false;
  shape.stray_quotes = false;
  std::string bytes = generate_export(shape);
  // The first non-ASCII (in part 1) is UTF-8; part 2's first is a lone 0xE9: sequentially that is
  // an invalid sequence in a UTF-8 file (U+FFFD), but part 2 alone would switch to windows-1252.
  const size_t first = bytes.find("Subject", 20000);
  const size_t second = bytes.find("Subject", bytes.size() - 3000);
  bytes.replace(first + 1, 1, "\xC3\xA9");
  bytes[second + 2] = '\xE9';
  const std::string expected = sequential_report(config, bytes);
  REQUIRE(expected.find("U+FFFD") != std::string::npos);
  const PartsRun run = read_in_parts(config, bytes, 8192, {bytes.size() / 2});
  CHECK_FALSE(run.split);
  CHECK(run.why == "the parts read the text in different encodings");
  CHECK(run.report == expected);
}

TEST_CASE("A part read after another head is refused, and the merge goes on as if it never came",
          "[parts]") {
  // A driver's mistake (a helper handed another file's head, or another head of this file): its
  // rows would count under another header. The part says how its head had the file read; the
  // merge compares that with the file's.
  const EngineConfig config = small_head_config();
  ExportShape shape;
  shape.seed = 21;
  const std::string bytes = generate_export(shape);
  std::string other = bytes;
  other.replace(other.find("Priority"), 8, "Urgency!");  // the same layout, another header
  const Cut head = record_start_from(bytes, 8192);
  const Cut cut = record_start_from(bytes, bytes.size() / 2);

  TicketDataset merged(config);
  merged.begin_file("input.csv");
  feed_chunks(merged, bytes.substr(0, cut.offset), 4096);
  REQUIRE(merged.part_refusal().empty());
  const auto part_after = [&](std::string_view head_bytes, const EngineConfig& part_config) {
    return helper_part(part_config, head_bytes, head.offset, bytes, cut);
  };
  const std::string refused =
      "a part was read after another head (its header, delimiter, decimal separator or date order "
      "differ from the file's)";
  std::string why;
  CHECK(merged.merge_part(part_after(other, config), why) == TicketDataset::PartMerge::kSequential);
  CHECK(why == refused);
  // A head whose dates are written day first, "15/01/2024" for "2024-01-15" (as many bytes): the
  // same config infers another date order from it (the file's ISO dates leave it month first).
  std::string day_first = bytes;
  for (size_t at = day_first.find("2024-"); at != std::string::npos && at < head.offset;
       at = day_first.find("2024-", at + 10)) {
    const std::string iso = day_first.substr(at, 10);  // 2024-MM-DD
    day_first.replace(at, 10, iso.substr(8, 2) + "/" + iso.substr(5, 2) + "/2024");
  }
  REQUIRE(day_first.find("/2024") < head.offset);
  CHECK(merged.merge_part(part_after(day_first, config), why) ==
        TicketDataset::PartMerge::kSequential);
  CHECK(why == refused);
  // The right head with another config: refused for that first (the next test case).
  EngineConfig day_first_config = config;
  day_first_config.date_order = DateOrder::kDayFirst;
  CHECK(merged.merge_part(part_after(bytes, day_first_config), why) ==
        TicketDataset::PartMerge::kSequential);
  CHECK(why == "a part was read with another config");
  // A dataset reading no file takes no part, and says so (it has no head to compare with).
  TicketDataset idle(config);
  CHECK(idle.merge_part(part_after(bytes, config), why) == TicketDataset::PartMerge::kSequential);
  CHECK(why == "no file is being read");
  // Nothing of the refused parts was merged: the right one still gives the sequential report.
  REQUIRE(merged.merge_part(part_after(bytes, config), why) == TicketDataset::PartMerge::kMerged);
  merged.end_file();
  CHECK(merged.report_json() == sequential_report(config, bytes));
}

TEST_CASE("A part read with another config is refused, and the merge goes on as if it never came",
          "[parts]") {
  // A driver's mistake (a helper handed another config than the merging dataset's): its rows would
  // be filtered, bucketed or read otherwise, and nothing in its head would tell. Each setting below
  // changes the part's config alone; every such part is refused before anything is merged.
  const EngineConfig config = small_head_config();
  ExportShape shape;
  shape.seed = 23;
  const std::string bytes = generate_export(shape);
  const Cut head = record_start_from(bytes, 8192);
  const Cut cut = record_start_from(bytes, bytes.size() / 2);

  TicketDataset merged(config);
  merged.begin_file("input.csv");
  feed_chunks(merged, bytes.substr(0, cut.offset), 4096);
  const auto part_with = [&](const EngineConfig& part_config) {
    return helper_part(part_config, bytes, head.offset, bytes, cut);
  };
  std::vector<EngineConfig> others(7, config);
  others[0].date_order = DateOrder::kDayFirst;
  others[1].filters = {{"channel", {"email"}}};
  others[2].period.utc_offset_minutes = 60;
  others[3].period.grain = kpilens::Grain::kMonth;
  REQUIRE(kpilens::select_figures(others[4], {"tickets", "csat"}).empty());
  others[5].kpis.csat.threshold = 5;
  others[6].solved_statuses = {"closed"};
  for (size_t i = 0; i < others.size(); ++i) {
    INFO("setting " << i);
    std::string why;
    CHECK(merged.merge_part(part_with(others[i]), why) == TicketDataset::PartMerge::kSequential);
    CHECK(why == "a part was read with another config");
  }
  std::string why;
  REQUIRE(merged.merge_part(part_with(config), why) == TicketDataset::PartMerge::kMerged);
  merged.end_file();
  CHECK(merged.report_json() == sequential_report(config, bytes));
}

TEST_CASE("A breakdown with more values than max_segments falls back to a sequential read",
          "[parts]") {
  EngineConfig config = small_head_config();
  config.max_segments = 4;
  ExportShape shape;
  shape.seed = 3;
  shape.channels = 9;
  const std::string bytes = generate_export(shape);
  const PartsRun run = read_in_parts(config, bytes, 8192, {bytes.size() / 3, bytes.size() / 2});
  CHECK_FALSE(run.split);
  CHECK(run.why == "a breakdown has more values than max_segments");
  CHECK(run.report == sequential_report(config, bytes));
}

TEST_CASE("Breakdown values past max_segments after the head: read on, or fall back", "[parts]") {
  // 400 rows with 3 channels and 3 agents (and blanks: at most 4 values each, max_segments 4),
  // then 400 rows with 9 channels: "(other)" starts after the head.
  EngineConfig config = small_head_config();
  config.max_segments = 4;
  ExportShape few, more;
  few.seed = 4;
  few.channels = 3;
  few.multibyte = false;
  more.seed = 5;
  more.channels = 9;
  more.multibyte = false;
  const std::string first = generate_export(few), second = generate_export(more);
  const std::string bytes = first + second.substr(second.find('\n') + 1);
  const std::string expected = sequential_report(config, bytes);
  SECTION("in the merging dataset's own first part: it reads on alone") {
    const PartsRun run = read_in_parts(config, bytes, 8192, {first.size() + 3000});
    CHECK_FALSE(run.split);
    CHECK(run.why == "a breakdown has more values than max_segments");
    CHECK(run.parts == 1);
    CHECK(run.report == expected);
  }
  SECTION("in a later part: the merge falls back") {
    const PartsRun run = read_in_parts(config, bytes, 8192, {first.size() / 2});
    CHECK_FALSE(run.split);
    CHECK(run.why == "a breakdown has more values than max_segments");
    CHECK(run.parts == 2);
    CHECK(run.report == expected);
  }
}

TEST_CASE("A quote inside an unquoted field makes the merge fall back, never differ", "[parts]") {
  EngineConfig config = small_head_config();
  ExportShape shape;
  shape.seed = 8;
  std::string bytes = generate_export(shape);
  // `a"b` is data to the decoder but flips the pre-pass's quote parity: the cuts after it land
  // inside what the parity calls a quoted field.
  const size_t at = bytes.find("Subject", 15000);
  REQUIRE(at != std::string::npos);
  bytes[at + 2] = '"';
  const std::string expected = sequential_report(config, bytes);
  for (size_t k = 1; k <= 6; ++k) {
    INFO("cut " << k);
    const PartsRun run = read_in_parts(config, bytes, 8192, {at + k * 3000});
    CHECK(run.report == expected);
  }
}

TEST_CASE("Files that cannot be split say why and are read sequentially", "[parts]") {
  EngineConfig config = small_head_config();
  const std::string tickets = generate_export(ExportShape{});
  SECTION("too few rows in the head to infer the date order") {
    config.inference_rows = 100000;
    const PartsRun run = read_in_parts(config, tickets, 8192, {20000});
    CHECK(run.why == "the head holds fewer rows than the date-order inference reads");
    CHECK(run.report == sequential_report(config, tickets));
  }
  SECTION("UTF-16") {
    std::string utf16 = "\xFF\xFE";
    for (char c : tickets) {
      utf16 += c;
      utf16 += '\0';
    }
    TicketDataset dataset(config);
    dataset.begin_file("input.csv");
    dataset.feed(std::string_view(utf16).substr(0, 40000));
    CHECK(dataset.part_refusal() == "UTF-16 text is read sequentially");
    CHECK_FALSE(dataset.head_too_short());
    CHECK_FALSE(dataset.begin_part(40000, 100));
  }
  SECTION("NDJSON") {
    std::string ndjson;
    for (int i = 0; i < 400; ++i) {
      ndjson += R"({"id": )" + std::to_string(i) +
                R"(, "created_at": "2024-01-02T10:00:00Z", "status": "solved", "channel": "web"})"
                "\n";
    }
    EngineConfig json_config;
    json_config.inference_rows = 20;
    TicketDataset dataset(json_config);
    dataset.begin_file("input.ndjson");
    dataset.feed(std::string_view(ndjson).substr(0, 10000));
    CHECK(dataset.part_refusal() == "JSON and NDJSON files are read sequentially");
    CHECK_FALSE(dataset.head_too_short());
  }
  SECTION("a head shorter than the start check or the delimiter sniff") {
    // Nothing is decoded yet, so there is no header to see: the refusal says why.
    TicketDataset held(config);
    held.begin_file("input.csv");
    held.feed(std::string_view(tickets).substr(0, 4000));
    CHECK(held.part_refusal() ==
          "the head is shorter than the bytes the start check reads (8 KiB)");
    CHECK(held.head_too_short());
    EngineConfig sniffed = config;
    sniffed.delimiter = 0;
    TicketDataset sniffing(sniffed);
    sniffing.begin_file("input.csv");
    sniffing.feed(std::string_view(tickets).substr(0, 20000));
    CHECK(sniffing.part_refusal() ==
          "the head is shorter than the bytes the delimiter is sniffed from (64 KiB)");
    CHECK(sniffing.head_too_short());
    const PartsRun run = read_in_parts(sniffed, tickets, 20000, {tickets.size() / 2});
    CHECK(run.why == "the head is shorter than the bytes the delimiter is sniffed from (64 KiB)");
    CHECK(run.report == sequential_report(sniffed, tickets));
  }
  SECTION("a header row longer than the head") {
    // A header with a 20,000-byte extra column name: the head ends inside it.
    const size_t eol = tickets.find('\n');
    const std::string long_header =
        tickets.substr(0, eol) + ",\"" + std::string(20000, 'x') + "\"" + tickets.substr(eol);
    TicketDataset dataset(config);
    dataset.begin_file("input.csv");
    dataset.feed(std::string_view(long_header).substr(0, 12000));
    CHECK(dataset.part_refusal() == "the head ends inside the header row");
    CHECK(dataset.head_too_short());
  }
  SECTION("a head that ends inside a record") {
    TicketDataset dataset(config);
    dataset.begin_file("input.csv");
    const Cut head = record_start_from(tickets, 9000);
    dataset.feed(std::string_view(tickets).substr(0, head.offset + 5));
    CHECK(dataset.part_refusal() == "the rows read so far do not end at a record start");
    CHECK_FALSE(dataset.head_too_short());
  }
}

TEST_CASE("A second file read in parts merges into the dataset after the first", "[parts]") {
  const EngineConfig config = small_head_config();
  ExportShape a, b;
  a.seed = 21;
  b.seed = 22;
  b.crlf = true;
  const std::string first = generate_export(a), second = generate_export(b);
  TicketDataset sequential(config);
  for (const auto& [name, bytes] : {std::pair{"a.csv", &first}, std::pair{"b.csv", &second}}) {
    sequential.begin_file(name);
    sequential.feed(*bytes);
    sequential.end_file();
  }
  TicketDataset merged(config);
  merged.begin_file("a.csv");
  merged.feed(first);
  merged.end_file();
  merged.begin_file("b.csv");
  const Cut head = record_start_from(second, 8192);
  const Cut middle = record_start_from(second, second.size() / 2);
  merged.feed(std::string_view(second).substr(0, head.offset));
  REQUIRE(merged.part_refusal() == "");
  merged.prepare_merge();
  for (const auto& [begin, end, line] : {std::tuple{head.offset, middle.offset, head.line},
                                         std::tuple{middle.offset, second.size(), middle.line}}) {
    TicketDataset part(config);
    part.begin_file("b.csv");
    part.feed(std::string_view(second).substr(0, head.offset));
    REQUIRE(part.begin_part(begin, line));
    part.feed(std::string_view(second).substr(begin, end - begin));
    std::string why;
    REQUIRE(merged.merge_part(part.save_part(end == second.size()), why) ==
            TicketDataset::PartMerge::kMerged);
  }
  merged.end_file();
  CHECK(merged.report_json() == sequential.report_json());
}

TEST_CASE("A ticket file after customer-success files is read sequentially", "[parts]") {
  // Its rows are noted per requester for the health score (state a part does not carry).
  const EngineConfig config = small_head_config();
  ExportShape shape;
  shape.seed = 31;
  const std::string tickets = generate_export(shape);
  TicketDataset d(config);
  d.begin_file("customers.csv");
  d.feed("Customer ID,Email,Signup Date\nc1,user1@example.com,2024-01-01\n");
  d.end_file();
  d.begin_file("tickets.csv");
  d.feed(std::string_view(tickets).substr(0, record_start_from(tickets, 8192).offset));
  CHECK(test::contains(d.part_refusal(), "read sequentially"));
}

TEST_CASE("A corrupted part state is refused without a crash and changes nothing", "[parts]") {
  const EngineConfig config = small_head_config();
  const std::string bytes = generate_export(ExportShape{});
  const Cut head = record_start_from(bytes, 8192);
  TicketDataset part(config);
  part.begin_file("input.csv");
  part.feed(std::string_view(bytes).substr(0, head.offset));
  REQUIRE(part.begin_part(head.offset, head.line));
  part.feed(std::string_view(bytes).substr(head.offset));
  const std::vector<uint8_t> state = part.save_part(true);
  auto fresh_merger = [&] {
    auto d = std::make_unique<TicketDataset>(config);
    d->begin_file("input.csv");
    d->feed(std::string_view(bytes).substr(0, head.offset));
    return d;
  };
  std::string why;
  // Every truncation is refused.
  for (size_t size = 0; size < state.size(); size += 1 + size / 16) {
    auto d = fresh_merger();
    CHECK(d->merge_part(std::span(state).first(size), why) == TicketDataset::PartMerge::kCorrupt);
  }
  // Flipped bytes: refused, or taken as other valid figures; never a crash (ASan watches).
  std::mt19937_64 rng(4);
  for (int round = 0; round < 300; ++round) {
    std::vector<uint8_t> bad = state;
    bad[rng() % bad.size()] ^= static_cast<uint8_t>(1 + rng() % 255);
    auto d = fresh_merger();
    if (d->merge_part(bad, why) == TicketDataset::PartMerge::kMerged) (void)d->report_json();
  }
  // A refused state leaves the dataset as it was: the head alone then the rest read on.
  auto d = fresh_merger();
  CHECK(d->merge_part(std::span(state).first(state.size() / 2), why) ==
        TicketDataset::PartMerge::kCorrupt);
  d->feed(std::string_view(bytes).substr(head.offset));
  d->end_file();
  CHECK(d->report_json() == sequential_report(config, bytes));
}

TEST_CASE("A part's state streamed in pieces is the state saved whole", "[parts]") {
  const EngineConfig config = small_head_config();
  const std::string bytes = generate_export(ExportShape{});
  const Cut head = record_start_from(bytes, 8192);
  const Cut from = record_start_from(bytes, bytes.size() / 3);
  const Cut to = record_start_from(bytes, 2 * bytes.size() / 3);
  for (const bool last : {false, true}) {
    CAPTURE(last);
    const size_t end = last ? bytes.size() : to.offset;
    const auto part = [&] {
      auto d = std::make_unique<TicketDataset>(config);
      d->begin_file("input.csv");
      d->feed(std::string_view(bytes).substr(0, head.offset));
      REQUIRE(d->begin_part(from.offset, from.line));
      d->feed(std::string_view(bytes).substr(from.offset, end - from.offset));
      return d;
    };
    const std::vector<uint8_t> whole = part()->save_part(last);
    REQUIRE(whole.size() > 4096);
    for (size_t piece_bytes : {size_t{1000}, size_t{4096}, whole.size()}) {
      CAPTURE(piece_bytes);
      std::vector<uint8_t> joined;
      size_t pieces = 0;
      part()->save_part(last, piece_bytes, [&](std::span<const uint8_t> piece, size_t total) {
        CHECK(total == whole.size());
        joined.insert(joined.end(), piece.begin(), piece.end());
        ++pieces;
      });
      CHECK(joined == whole);
      CHECK(pieces >= whole.size() / (piece_bytes + 10));
    }
  }
  // No part begun: no piece (and an empty state).
  TicketDataset none(config);
  none.begin_file("input.csv");
  none.feed(std::string_view(bytes).substr(0, head.offset));
  size_t pieces = 0;
  none.save_part(true, 1000, [&](std::span<const uint8_t>, size_t) { ++pieces; });
  CHECK(pieces == 0);
  CHECK(none.save_part(true).empty());
}

TEST_CASE("Rows fed after prepare_merge count in the total as if it never ran", "[parts]") {
  // The merging dataset settles its total before the parts come (parallel_read.mjs); should the
  // merge then not happen (it reads on alone), its later rows feed that total as they come.
  for (const std::vector<std::string>& by :
       {std::vector<std::string>{}, std::vector<std::string>{"channel", "priority"}}) {
    EngineConfig config = small_head_config();
    config.by = by;
    const std::string bytes = generate_export(ExportShape{});
    const Cut head = record_start_from(bytes, bytes.size() / 2);
    TicketDataset d(config);
    d.begin_file("input.csv");
    d.feed(std::string_view(bytes).substr(0, head.offset));
    d.prepare_merge();
    d.feed(std::string_view(bytes).substr(head.offset));
    d.end_file();
    CHECK(d.report_json() == sequential_report(config, bytes));
  }
}

TEST_CASE("An aggregate saved and loaded saves the same bytes and merges the same", "[parts]") {
  KpiSettings settings;
  TicketAggregate a(2, 100), b(2, 100);
  for (int i = 0; i < 500; ++i) {
    TicketRecord t;
    t.created = 1.7e9 + i * 3600.0;
    t.solved = i % 3 != 0;
    t.first_response_minutes = (i * 37) % 500 / 7.0;
    if (t.solved) t.resolution_hours = (i * 13) % 90 / 3.0;
    t.replies = i % 4;
    t.csat = Rating{RatingKind::kScore, static_cast<double>(1 + i % 5)};
    if (i % 5 == 0) t.cost = 12.5 + i;
    const std::string channel = "ch" + std::to_string(i % 7);
    const std::string agent = i % 11 == 0 ? "" : "agent" + std::to_string(i % 13);
    const std::string_view segments[] = {channel, agent};
    const int64_t period = i / 24;
    (i % 2 ? a : b)
        .feed(t, period, t.solved ? std::optional<int64_t>(period + 1) : std::nullopt, segments,
              settings);
  }
  StateWriter out;
  a.save(out);
  TicketAggregate loaded(2, 100);
  StateReader in(out.bytes());
  REQUIRE(loaded.load(in));
  CHECK(in.at_end());
  StateWriter again;
  loaded.save(again);
  CHECK(again.bytes() == out.bytes());
  // Merged from the loaded copy or from the original: the same state.
  TicketAggregate via_original(2, 100), via_loaded(2, 100);
  via_original.merge(b);
  via_original.merge(a);
  via_loaded.merge(b);
  via_loaded.merge(loaded);
  StateWriter x, y;
  via_original.save(x);
  via_loaded.save(y);
  CHECK(x.bytes() == y.bytes());
  // A state with another column count is refused.
  TicketAggregate other(3, 100);
  StateReader wrong(out.bytes());
  CHECK_FALSE(other.load(wrong));
}

}  // namespace
}  // namespace kpilens
