// csv_decoder tests: csv-spectrum, line endings and line numbers, chunk boundaries, sniffing, the
// size cap, lenient stray quotes, and a seeded round-trip fuzz through a test-only CSV writer.
#include "csv_decoder.h"

#include <simdjson.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

using kpilens::CsvDecoder;
using kpilens::CsvOptions;
using kpilens::CsvRecord;
using kpilens::CsvRecordSink;
using kpilens::sniff_delimiter;

namespace {

using Records = std::vector<std::vector<std::string>>;

// Everything the decoder said, copied out of the sink calls (the record views die with the call).
struct Decoded {
  Records records;
  std::vector<uint64_t> lines;
  std::vector<std::pair<uint64_t, std::string>> bad;
  char delimiter = 0;
  uint64_t record_count = 0;
  uint64_t stray_quotes = 0;
  uint64_t first_stray_quote_line = 0;
};

class CollectingSink : public CsvRecordSink {
 public:
  explicit CollectingSink(Decoded& out) : out_(out) {}
  void on_record(const CsvRecord& record) override {
    out_.records.emplace_back(record.fields.begin(), record.fields.end());
    out_.lines.push_back(record.line);
  }
  void on_bad_record(uint64_t line, std::string_view reason) override {
    out_.bad.emplace_back(line, std::string(reason));
  }

 private:
  Decoded& out_;
};

// Feeds `input` in pieces of `chunk` bytes (0: all at once), then finishes.
Decoded decode(std::string_view input, size_t chunk = 0, CsvOptions options = {}) {
  Decoded out;
  CollectingSink sink(out);
  CsvDecoder decoder(options);
  if (chunk == 0) chunk = std::max<size_t>(input.size(), 1);
  for (size_t at = 0; at < input.size(); at += chunk) decoder.feed(input.substr(at, chunk), sink);
  decoder.finish(sink);
  out.delimiter = decoder.delimiter();
  out.record_count = decoder.records();
  out.stray_quotes = decoder.stray_quotes();
  out.first_stray_quote_line = decoder.first_stray_quote_line();
  return out;
}

CsvOptions with_delimiter(char delimiter) {
  CsvOptions options;
  options.delimiter = delimiter;
  return options;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

const std::vector<std::string>& spectrum_names() {
  static const std::vector<std::string> names = {
      "comma_in_quotes",      "empty",    "empty_crlf",    "escaped_quotes",      "json",
      "location_coordinates", "newlines", "newlines_crlf", "quotes_and_newlines", "simple",
      "simple_crlf",          "utf8"};
  return names;
}

std::string spectrum_path(const std::string& folder, const std::string& name,
                          const std::string& extension) {
  return std::string(KPILENS_SOURCE_DIR) + "/node_modules/csv-spectrum/" + folder + "/" + name +
         extension;
}

// Known errata in csv-spectrum 2.0.0's expected JSON, where the JSON disagrees with its own CSV
// (max-mapper/csv-spectrum issue #20): the CSV's phone number is 2095257564, the JSON says
// 1234567890. The CSV is the input, so the CSV's value is what a correct decoder must give.
std::string expected_value(const std::string& name, std::string_view header,
                           std::string_view json) {
  if (name == "location_coordinates" && header == "Contact Phone Number" && json == "1234567890") {
    return "2095257564";
  }
  return std::string(json);
}

// Compares decoded records (header first) with csv-spectrum's JSON: an array of objects keyed by
// header (location_coordinates.json is a single object rather than an array of one).
void check_against_spectrum_json(const std::string& name, const Decoded& decoded) {
  simdjson::padded_string json;
  REQUIRE(simdjson::padded_string::load(spectrum_path("json", name, ".json")).get(json) ==
          simdjson::SUCCESS);
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  REQUIRE(parser.parse(json).get(root) == simdjson::SUCCESS);
  std::vector<simdjson::dom::object> rows;
  simdjson::dom::array array;
  simdjson::dom::object single;
  if (root.get(array) == simdjson::SUCCESS) {
    for (simdjson::dom::element item : array) {
      simdjson::dom::object row;
      REQUIRE(item.get(row) == simdjson::SUCCESS);
      rows.push_back(row);
    }
  } else {
    REQUIRE(root.get(single) == simdjson::SUCCESS);
    rows.push_back(single);
  }

  REQUIRE(decoded.bad.empty());
  REQUIRE(decoded.records.size() == rows.size() + 1);
  const std::vector<std::string>& header = decoded.records[0];
  for (size_t r = 0; r < rows.size(); ++r) {
    const std::vector<std::string>& record = decoded.records[r + 1];
    INFO("record " << r + 1);
    REQUIRE(record.size() == header.size());
    REQUIRE(rows[r].size() == header.size());
    for (size_t f = 0; f < header.size(); ++f) {
      std::string_view value;
      INFO("field '" << header[f] << "'");
      REQUIRE(rows[r].at_key(header[f]).get(value) == simdjson::SUCCESS);
      CHECK(record[f] == expected_value(name, header[f], value));
    }
  }
}

// A test-only RFC 4180 writer: quotes a field when it must be quoted, doubles its quotes, and
// tracks the physical line (CR, LF and CRLF each end one line) on which each record starts.
struct WrittenCsv {
  std::string text;
  std::vector<uint64_t> lines;
};

WrittenCsv write_csv(const Records& records, char delimiter, std::mt19937& rng) {
  static constexpr std::string_view kEndings[] = {"\n", "\r\n", "\r"};
  WrittenCsv out;
  for (const auto& record : records) {
    uint64_t line = 1;
    for (size_t i = 0; i < out.text.size(); ++i) {
      if (out.text[i] == '\n') ++line;
      if (out.text[i] == '\r') {
        ++line;
        if (i + 1 < out.text.size() && out.text[i + 1] == '\n') ++i;
      }
    }
    out.lines.push_back(line);
    for (size_t f = 0; f < record.size(); ++f) {
      if (f > 0) out.text.push_back(delimiter);
      const std::string& field = record[f];
      // A lone empty field would be a blank line, which is skipped: quote it to keep the record.
      bool quote =
          field.find_first_of(std::string{delimiter, '"', '\n', '\r'}) != std::string::npos ||
          (record.size() == 1 && field.empty());
      if (!quote) {
        out.text += field;
        continue;
      }
      out.text.push_back('"');
      for (char c : field) {
        if (c == '"') out.text.push_back('"');
        out.text.push_back(c);
      }
      out.text.push_back('"');
    }
    out.text += kEndings[rng() % 3];
  }
  return out;
}

Records random_records(std::mt19937& rng, size_t count) {
  static constexpr std::string_view kPieces[] = {"a", "b",  "z",    " ",   ",",    ";",
                                                 "|", "\t", "\"",   "\n",  "\r",   "\r\n",
                                                 "é", "42", "\"\"", "x,y", "end\""};
  Records records;
  for (size_t r = 0; r < count; ++r) {
    std::vector<std::string> record(1 + rng() % 5);
    for (auto& field : record) {
      size_t pieces = rng() % 7;
      for (size_t p = 0; p < pieces; ++p) field += kPieces[rng() % std::size(kPieces)];
    }
    records.push_back(std::move(record));
  }
  return records;
}

}  // namespace

TEST_CASE("CSV decoder reads every csv-spectrum file as its expected JSON", "[csv_decoder]") {
  for (const std::string& name : spectrum_names()) {
    INFO("csv-spectrum file " << name);
    std::string csv = read_file(spectrum_path("csvs", name, ".csv"));
    REQUIRE(!csv.empty());
    Decoded decoded = decode(csv);
    CHECK(decoded.delimiter == ',');
    check_against_spectrum_json(name, decoded);
  }
}

TEST_CASE("CSV decoder decodes every csv-spectrum file identically in chunks of 1 to 16 bytes",
          "[csv_decoder]") {
  // Three set-ups: sniffing with the default 64 KiB look-ahead (the whole file is buffered), a
  // fixed delimiter (every chunk goes straight to the state machine), and sniffing after 5 bytes
  // (the buffered start is parsed, then the chunks).
  CsvOptions sniff_early;
  sniff_early.sniff_bytes = 5;
  const std::vector<CsvOptions> setups = {CsvOptions{}, with_delimiter(','), sniff_early};
  for (const std::string& name : spectrum_names()) {
    std::string csv = read_file(spectrum_path("csvs", name, ".csv"));
    Decoded whole = decode(csv);
    for (size_t s = 0; s < setups.size(); ++s) {
      for (size_t chunk = 1; chunk <= 16; ++chunk) {
        INFO("csv-spectrum file " << name << ", set-up " << s << ", chunk " << chunk);
        Decoded pieces = decode(csv, chunk, setups[s]);
        CHECK(pieces.records == whole.records);
        CHECK(pieces.lines == whole.lines);
        CHECK(pieces.bad.empty());
      }
    }
  }
}

TEST_CASE("CSV decoder ends records at CRLF, LF and lone CR alike", "[csv_decoder]") {
  const Records expected = {{"a", "b"}, {"c", "d"}, {"e", "f"}};
  for (std::string_view input : {"a,b\r\nc,d\r\ne,f\r\n", "a,b\nc,d\ne,f\n", "a,b\rc,d\re,f\r"}) {
    INFO("input " << input.size() << " bytes");
    Decoded decoded = decode(input, 0, with_delimiter(','));
    CHECK(decoded.records == expected);
    CHECK(decoded.lines == std::vector<uint64_t>{1, 2, 3});
  }
}

TEST_CASE("CSV decoder treats a CRLF split across two chunks as one line break", "[csv_decoder]") {
  Decoded out;
  CollectingSink sink(out);
  CsvDecoder decoder(with_delimiter(','));
  decoder.feed("a,b\r", sink);
  decoder.feed("\nc,d\r", sink);
  decoder.feed("\ne,f", sink);
  decoder.finish(sink);
  // Three records on lines 1, 2, 3: the LFs that open chunks 2 and 3 end no extra (blank) line.
  CHECK(out.records == Records{{"a", "b"}, {"c", "d"}, {"e", "f"}});
  CHECK(out.lines == std::vector<uint64_t>{1, 2, 3});
}

TEST_CASE("CSV decoder counts a CRLF split across chunks inside quotes as one line",
          "[csv_decoder]") {
  Decoded out;
  CollectingSink sink(out);
  CsvDecoder decoder(with_delimiter(','));
  decoder.feed("\"x\r", sink);
  decoder.feed("\ny\",1\r\nnext,2\r\n", sink);
  decoder.finish(sink);
  // Line 1: "x CR LF; line 2: y",1; line 3: next,2.
  CHECK(out.records == Records{{"x\r\ny", "1"}, {"next", "2"}});
  CHECK(out.lines == std::vector<uint64_t>{1, 3});
}

TEST_CASE("CSV decoder strips a UTF-8 byte order mark", "[csv_decoder]") {
  const std::string input = "\xEF\xBB\xBFid,name\n1,x\n";
  const Records expected = {{"id", "name"}, {"1", "x"}};
  SECTION("while sniffing the delimiter") {
    Decoded decoded = decode(input);
    CHECK(decoded.delimiter == ',');
    CHECK(decoded.records == expected);
  }
  SECTION("with a fixed delimiter, whatever the chunking") {
    for (size_t chunk = 1; chunk <= 4; ++chunk) {
      INFO("chunk " << chunk);
      CHECK(decode(input, chunk, with_delimiter(',')).records == expected);
    }
  }
}

TEST_CASE("CSV decoder keeps bytes that only start like a byte order mark", "[csv_decoder]") {
  // EF BB 41 is not a BOM: the bytes are data, whatever the chunking.
  const std::string not_bom = std::string("\xEF\xBB") + "A";
  for (size_t chunk = 1; chunk <= 3; ++chunk) {
    INFO("chunk " << chunk);
    CHECK(decode(not_bom + ",b\n", chunk, with_delimiter(',')).records == Records{{not_bom, "b"}});
  }
  // An input that ends inside what could have been a BOM is data too.
  CHECK(decode("\xEF\xBB", 1, with_delimiter(',')).records == Records{{"\xEF\xBB"}});
  CHECK(decode("\xEF", 0).records == Records{{"\xEF"}});
}

TEST_CASE("CSV decoder reads a doubled quote inside a quoted field as one quote", "[csv_decoder]") {
  Decoded decoded = decode("\"say \"\"hi\"\"\",\"\"\"\"\n", 0, with_delimiter(','));
  CHECK(decoded.records == Records{{"say \"hi\"", "\""}});
  CHECK(decoded.stray_quotes == 0);
}

TEST_CASE(
    "CSV decoder keeps line breaks inside quotes and numbers the following records by "
    "physical line",
    "[csv_decoder]") {
  const std::string input =
      "h1,h2\n"                     // line 1
      "\"multi\nline\nfield\",x\n"  // lines 2-4
      "next,y\n"                    // line 5
      "\"a\r\nb\",z\r\n"            // lines 6-7 (CRLF counts once)
      "last,w\n";                   // line 8
  for (size_t chunk : {0, 1, 2, 3, 7}) {
    INFO("chunk " << chunk);
    Decoded decoded = decode(input, chunk, with_delimiter(','));
    CHECK(decoded.records == Records{{"h1", "h2"},
                                     {"multi\nline\nfield", "x"},
                                     {"next", "y"},
                                     {"a\r\nb", "z"},
                                     {"last", "w"}});
    CHECK(decoded.lines == std::vector<uint64_t>{1, 2, 5, 6, 8});
  }
}

TEST_CASE("CSV decoder counts a line break after a quoted field that ended in CR",
          "[csv_decoder]") {
  // Line 1: "a CR; line 2: ",1 LF; line 3: " LF; line 4: b",2 LF; line 5: c,3.
  const std::string input = "\"a\r\",1\n\"\nb\",2\nc,3\n";
  Decoded decoded = decode(input, 0, with_delimiter(','));
  CHECK(decoded.records == Records{{"a\r", "1"}, {"\nb", "2"}, {"c", "3"}});
  CHECK(decoded.lines == std::vector<uint64_t>{1, 3, 5});
}

TEST_CASE("CSV decoder skips blank lines but keeps a quoted empty field", "[csv_decoder]") {
  // Lines: 1 a,b | 2 blank | 3 blank (CRLF) | 4 c,d | 5 "" | 6 blank | 7 e,f
  Decoded decoded = decode("a,b\n\n\r\nc,d\n\"\"\n\ne,f\n", 0, with_delimiter(','));
  CHECK(decoded.records == Records{{"a", "b"}, {"c", "d"}, {""}, {"e", "f"}});
  CHECK(decoded.lines == std::vector<uint64_t>{1, 4, 5, 7});
  CHECK(decoded.record_count == 4);
}

TEST_CASE("CSV delimiter sniffing picks comma, semicolon, tab or pipe", "[csv_decoder]") {
  CHECK(sniff_delimiter("a,b,c\n1,2,3\n4,5,6\n") == ',');
  CHECK(sniff_delimiter("a;b;c\n1;2,5;3\n4;5;6\n") == ';');  // decimal commas do not mislead it
  CHECK(sniff_delimiter("a\tb\tc\n1\t2\t3\n") == '\t');
  CHECK(sniff_delimiter("a|b|c\n1|2|3\n") == '|');
  CHECK(sniff_delimiter("\"x,y\";b\n\"1,2\";3\n") == ';');  // commas inside quotes do not count
  CHECK(sniff_delimiter("\xEF\xBB\xBF"
                        "a;b\n1;2\n") == ';');
  CHECK(sniff_delimiter("a;b;c") == ';');  // a single line without a line break
  CHECK(sniff_delimiter("only\none\ncolumn\n") == ',');
  CHECK(sniff_delimiter("") == ',');
}

TEST_CASE("CSV decoder sniffs the delimiter when none is given", "[csv_decoder]") {
  struct Case {
    std::string input;
    char delimiter;
  };
  const std::vector<Case> cases = {
      {"x,y\n1,2\n", ','}, {"x;y\n1,5;2\n", ';'}, {"x\ty\n1\t2\n", '\t'}, {"x|y\n1|2\n", '|'}};
  for (const Case& c : cases) {
    INFO("expected delimiter '" << c.delimiter << "'");
    Decoded decoded = decode(c.input);
    CHECK(decoded.delimiter == c.delimiter);
    REQUIRE(decoded.records.size() == 2);
    CHECK(decoded.records[0] == std::vector<std::string>{"x", "y"});
    CHECK(decoded.records[1].size() == 2);
  }
  CHECK(decode("x;y\n1,5;2\n").records[1] == std::vector<std::string>{"1,5", "2"});
}

TEST_CASE("CSV decoder sniffs the same delimiter however the input is chunked", "[csv_decoder]") {
  // Rows of ~2 KB: the first 64 KiB hold 33 whole lines of the 50 the sniff may count. In those ','
  // and ';' are both consistent (one a line each: ',' wins the tie); after them the data rows have
  // two commas, which make ';' the consistent one when the sniff looks further. It looks at the
  // input's first 64 KiB whatever the chunks; before, a chunk of 64 KiB or more was sniffed whole
  // (';' when the input came in one piece, ',' in pieces of 1,000 or 4,096 bytes).
  const std::string pad(2000, 'x');
  std::string input = "a;b,c\n";
  for (int row = 0; row < 32; ++row) input += pad + ";1,2\n";
  while (input.size() < (size_t{64} << 10) + 4096) input += pad + ";1,2,3\n";
  const Decoded whole = decode(input);
  CHECK(whole.delimiter == ',');
  for (size_t chunk : {size_t{1000}, size_t{4096}, size_t{65536}, size_t{70000}}) {
    INFO("chunk " << chunk);
    const Decoded decoded = decode(input, chunk);
    CHECK(decoded.delimiter == whole.delimiter);
    CHECK(decoded.records == whole.records);
  }
}

TEST_CASE("CSV decoder reports an unterminated quote at the end as a bad record with its line",
          "[csv_decoder]") {
  Decoded decoded = decode("a,b\n1,\"open\n2,3\n", 0, with_delimiter(','));
  CHECK(decoded.records == Records{{"a", "b"}});
  REQUIRE(decoded.bad.size() == 1);
  CHECK(decoded.bad[0].first == 2);  // the quote opens on line 2
  CHECK(!decoded.bad[0].second.empty());
}

TEST_CASE("CSV decoder rejects a record over max_record_bytes and goes on with the next one",
          "[csv_decoder]") {
  CsvOptions options = with_delimiter(',');
  options.max_record_bytes = 16;
  const std::string input = "a,b\n" + std::string(40, 'x') + ",y\n\"" + std::string(30, 'q') +
                            "\nstill quoted\",z\nc,d\n";
  for (size_t chunk : {0, 1, 5}) {
    INFO("chunk " << chunk);
    Decoded decoded = decode(input, chunk, options);
    // Line 1 a,b; line 2 the 40-byte field; lines 3-4 the quoted 43-byte field; line 5 c,d.
    CHECK(decoded.records == Records{{"a", "b"}, {"c", "d"}});
    CHECK(decoded.lines == std::vector<uint64_t>{1, 5});
    REQUIRE(decoded.bad.size() == 2);
    CHECK(decoded.bad[0].first == 2);
    CHECK(decoded.bad[1].first == 3);
  }
}

TEST_CASE("CSV decoder decodes a 1 MiB field intact", "[csv_decoder]") {
  std::string field;
  field.reserve(size_t{1} << 20);
  for (size_t i = 0; field.size() < (size_t{1} << 20); ++i) {
    field += "row " + std::to_string(i) + ", \"quoted\"\r\n";
  }
  field.resize(size_t{1} << 20);
  // Quoted (it holds commas, quotes and CRLFs), between two short fields, in 64 KiB chunks.
  std::string input = "id,text,tail\n1,\"";
  for (char c : field) {
    if (c == '"') input.push_back('"');
    input.push_back(c);
  }
  input += "\",end\n2,x,y\n";
  Decoded decoded = decode(input, 65536, with_delimiter(','));
  REQUIRE(decoded.records.size() == 3);
  REQUIRE(decoded.records[1].size() == 3);
  CHECK(decoded.records[1][0] == "1");
  CHECK(decoded.records[1][1].size() == field.size());
  CHECK(decoded.records[1][1] == field);
  CHECK(decoded.records[1][2] == "end");
  CHECK(decoded.records[2] == std::vector<std::string>{"2", "x", "y"});
}

TEST_CASE("CSV decoder keeps text after a closing quote and counts it", "[csv_decoder]") {
  Decoded decoded = decode("h1,h2\n\"a\"b,c\n\"d\" e,f\n", 0, with_delimiter(','));
  CHECK(decoded.records == Records{{"h1", "h2"}, {"ab", "c"}, {"d e", "f"}});
  CHECK(decoded.stray_quotes == 2);
  CHECK(decoded.first_stray_quote_line == 2);
}

TEST_CASE("CSV decoder emits a last record that has no trailing newline", "[csv_decoder]") {
  Decoded out;
  CollectingSink sink(out);
  CsvDecoder decoder(with_delimiter(','));
  decoder.feed("a,b\nc,d", sink);
  CHECK(out.records.size() == 1);  // c,d may still grow until finish()
  decoder.finish(sink);
  CHECK(out.records == Records{{"a", "b"}, {"c", "d"}});
  CHECK(decoder.records() == 2);
  CHECK(decoder.bytes_fed() == 7);
}

TEST_CASE("CSV decoder gives a trailing delimiter an empty last field", "[csv_decoder]") {
  CHECK(decode("a,b,\n", 0, with_delimiter(',')).records == Records{{"a", "b", ""}});
  CHECK(decode("a,b,", 0, with_delimiter(',')).records == Records{{"a", "b", ""}});
  CHECK(decode("a,\"\"\n", 0, with_delimiter(',')).records == Records{{"a", ""}});
}

TEST_CASE("CSV decoder reads back whatever a CSV writer wrote, whatever the chunking",
          "[csv_decoder]") {
  std::mt19937 rng(20240310);
  for (int document = 0; document < 8; ++document) {
    const char delimiter = std::string_view(",;\t|")[static_cast<size_t>(document % 4)];
    Records records = random_records(rng, 150);
    WrittenCsv written = write_csv(records, delimiter, rng);
    std::vector<size_t> chunks = {0};
    for (size_t size = 1; size <= 16; ++size) chunks.push_back(size);
    chunks.push_back(1 + rng() % 1000);
    for (size_t chunk : chunks) {
      INFO("document " << document << ", chunk " << chunk);
      Decoded decoded = decode(written.text, chunk, with_delimiter(delimiter));
      REQUIRE(decoded.bad.empty());
      CHECK(decoded.records == records);
      CHECK(decoded.lines == written.lines);
      CHECK(decoded.stray_quotes == 0);
    }
  }
}

namespace {

CsvOptions with_mode(CsvOptions options, int mode) {
  // 0: the build's SIMD kernel, 1: the scalar kernel, 2: the state machine alone (the reference).
  options.kernel = mode == 1 ? kpilens::ScanKernel::kScalar : kpilens::kBestScanKernel;
  options.state_machine_only = mode == 2;
  return options;
}

void check_same(const Decoded& got, const Decoded& reference) {
  CHECK(got.records == reference.records);
  CHECK(got.lines == reference.lines);
  CHECK(got.bad == reference.bad);
  CHECK(got.delimiter == reference.delimiter);
  CHECK(got.record_count == reference.record_count);
  CHECK(got.stray_quotes == reference.stray_quotes);
  CHECK(got.first_stray_quote_line == reference.first_stray_quote_line);
}

// Bytes that exercise every path: quoted and unquoted fields, "" escapes, stray and mid-field
// quotes, every line ending, blank lines, UTF-8, and runs long enough to cross 64-byte blocks.
std::string random_csv_bytes(std::mt19937& rng, size_t pieces) {
  static constexpr std::string_view kPieces[] = {
      "\"",          "\"\"",     ",",  ";",     "\t",
      "|",           "\r",       "\n", "\r\n",  "a",
      "bc",          "\xC3\xA9", " ",  "\"x\"", ",\"q,\"\"\r\n\",",
      "\xEF\xBB\xBF"};
  std::string text;
  for (size_t i = 0; i < pieces; ++i) {
    if (rng() % 40 == 0) {
      text.append(20 + rng() % 150, "x\"\n"[rng() % 3]);
    } else {
      text += kPieces[rng() % std::size(kPieces)];
    }
  }
  return text;
}

}  // namespace

TEST_CASE(
    "CSV decoder gives the same records with the SIMD kernel, the scalar kernel and the "
    "state machine alone, whatever the chunking",
    "[csv_decoder]") {
  std::mt19937 rng(6006);
  for (int document = 0; document < 300; ++document) {
    const std::string text = random_csv_bytes(rng, 1 + rng() % 400);
    CsvOptions options;
    options.delimiter = std::string_view("\0,;\t|", 5)[rng() % 5];
    if (rng() % 3 == 0) options.sniff_bytes = rng() % 100;
    if (rng() % 4 == 0) options.max_record_bytes = 1 + rng() % 64;
    const Decoded reference = decode(text, 0, with_mode(options, 2));
    for (size_t chunk : {size_t{0}, size_t{1}, size_t{2}, size_t{3}, size_t{7}, size_t{63},
                         size_t{64}, size_t{65}, size_t{1 + rng() % 500}}) {
      for (int mode = 0; mode < 3; ++mode) {
        INFO("document " << document << ", chunk " << chunk << ", mode " << mode);
        const Decoded decoded = decode(text, chunk, with_mode(options, mode));
        if (options.delimiter == 0 && chunk != 0) {
          // Sniffing looks at however many bytes had arrived when its window filled, which
          // depends on the chunks: compare with the reference at the delimiter it chose.
          CsvOptions fixed = options;
          fixed.delimiter = decoded.delimiter;
          check_same(decoded, decode(text, 0, with_mode(fixed, 2)));
        } else {
          check_same(decoded, reference);
        }
      }
    }
  }
}

namespace {

// Export-like bytes: records of short unquoted fields, now and then a quoted one (with "" and a
// line break), a quote inside an unquoted field (the state machine's to read), a record hundreds of
// fields wide, or one of hundreds of empty fields (a field end at every byte); CRLF or LF. Most
// 64-byte blocks then hold no quote, in runs of every length (the random bytes above have quotes
// everywhere), so that the fast path's plain blocks meet quoted ones, record ends, fallbacks to the
// state machine and the growth of its field buffer at many places. `quote_all`: every field quoted
// (an empty one as ""), as some tools write CSV: then every block holds quotes, and the fast path's
// blocks with quotes (without "" most of them) meet the same events.
std::string export_like_bytes(std::mt19937& rng, size_t records, bool quote_all = false) {
  std::string text;
  const bool crlf = rng() % 2 == 0;
  for (size_t record = 0; record < records; ++record) {
    if (rng() % 80 == 0) {
      text.append(300 + rng() % 700, ',');
      text += crlf ? "\r\n" : "\n";
      continue;
    }
    const size_t fields = rng() % 60 == 0 ? 200 + rng() % 500 : 1 + rng() % 16;
    for (size_t field = 0; field < fields; ++field) {
      if (field > 0) text += ',';
      const unsigned kind = rng() % 400;
      if (kind < 4) {
        text += "\"a \"\"quoted\"\" one,\nwith a break\"";
      } else if (kind < 8) {
        text += "\"plain, quoted\"";
      } else if (kind == 8) {
        text += "x\"y";
      } else if (quote_all) {
        text += '"';
        text.append(rng() % 14, "abcdefgh"[rng() % 8]);
        text += '"';
      } else {
        text.append(rng() % 14, "abcdefgh"[rng() % 8]);
      }
    }
    text += crlf ? "\r\n" : "\n";
  }
  return text;
}

}  // namespace

TEST_CASE(
    "CSV decoder gives the state machine's records on export-like bytes, with runs of blocks "
    "without quotes or with every field quoted, whatever the chunking",
    "[csv_decoder]") {
  std::mt19937 rng(20261205);
  for (int document = 0; document < 80; ++document) {
    const std::string text = export_like_bytes(rng, 50 + rng() % 300, document % 2 == 1);
    CsvOptions options;
    options.delimiter = ',';
    const Decoded reference = decode(text, 0, with_mode(options, 2));
    for (size_t chunk : {size_t{0}, size_t{64}, size_t{255}, size_t{256}, size_t{257}, size_t{1000},
                         size_t{1 + rng() % 5000}}) {
      for (int mode = 0; mode < 2; ++mode) {
        INFO("document " << document << ", chunk " << chunk << ", mode " << mode);
        check_same(decode(text, chunk, with_mode(options, mode)), reference);
      }
    }
  }
}

TEST_CASE("CSV decoder hands out the fields of a record inside one chunk as views into the chunk",
          "[csv_decoder]") {
  // Record 2 has a "" escape, so only it is unescaped into the decoder's buffer; record 3 ends in
  // the next chunk, so it is assembled there too.
  const std::string chunk1 = "id,text\n1,\"plain, quoted\"\n2,\"say \"\"hi\"\"\"\n3,sp";
  const std::string chunk2 = "lit\n";
  struct Where : CsvRecordSink {
    const std::string* chunk = nullptr;
    std::vector<std::vector<bool>> inside;
    std::vector<std::vector<std::string>> values;
    void on_record(const CsvRecord& record) override {
      std::vector<bool> flags;
      std::vector<std::string> fields;
      for (std::string_view field : record.fields) {
        flags.push_back(field.data() >= chunk->data() &&
                        field.data() + field.size() <= chunk->data() + chunk->size());
        fields.emplace_back(field);
      }
      inside.push_back(flags);
      values.push_back(fields);
    }
    void on_bad_record(uint64_t, std::string_view) override {}
  } sink;
  CsvDecoder decoder(with_delimiter(','));
  sink.chunk = &chunk1;
  decoder.feed(chunk1, sink);
  sink.chunk = &chunk2;
  decoder.feed(chunk2, sink);
  decoder.finish(sink);
  CHECK(sink.values ==
        Records{{"id", "text"}, {"1", "plain, quoted"}, {"2", "say \"hi\""}, {"3", "split"}});
  REQUIRE(sink.inside.size() == 4);
  CHECK(sink.inside[0] == std::vector<bool>{true, true});
  CHECK(sink.inside[1] == std::vector<bool>{true, true});
  CHECK(sink.inside[2] == std::vector<bool>{true, false});
  CHECK(sink.inside[3] == std::vector<bool>{false, false});
}

TEST_CASE("CSV decoder counts a doubled quote once against the record size cap", "[csv_decoder]") {
  CsvOptions options = with_delimiter(',');
  options.max_record_bytes = 7;
  // "a""b""c""d" is 14 bytes as written and 7 decoded (a"b"c"d): within the cap. The next record,
  // a"b"c"d" plus one byte, is 8 decoded bytes: over it.
  const std::string input = "\"a\"\"b\"\"c\"\"d\"\n\"a\"\"b\"\"c\"\"de\"\nok\n";
  for (size_t chunk : {0, 1, 5}) {
    INFO("chunk " << chunk);
    Decoded decoded = decode(input, chunk, options);
    CHECK(decoded.records == Records{{"a\"b\"c\"d"}, {"ok"}});
    CHECK(decoded.lines == std::vector<uint64_t>{1, 3});
    REQUIRE(decoded.bad.size() == 1);
    CHECK(decoded.bad[0] == std::pair<uint64_t, std::string>{2, "record longer than 7 bytes"});
  }
}
