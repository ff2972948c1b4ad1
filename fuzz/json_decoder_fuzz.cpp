// json_decoder_fuzz: the JSON/NDJSON decoder fed in fuzzer-chosen chunks. Checks, besides the
// sanitizers: the header comes first and once, every row has the header's width, line numbers
// stay within the input, and the chunked decode gives exactly what one decode of the whole input
// gives (records, lines, rejected records, shape, the reason it stopped).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fuzz_input.h"
#include "json_decoder.h"

namespace {

using kpilens::CsvRecord;
using kpilens::CsvRecordSink;
using kpilens::JsonDecoder;
using kpilens::JsonOptions;

struct Decoded {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  std::vector<uint64_t> lines;
  std::vector<std::pair<uint64_t, std::string>> bad;
  std::optional<std::string> stopped;
  int shape = 0;
  uint64_t late = 0;
};

class CheckingSink : public CsvRecordSink {
 public:
  explicit CheckingSink(std::string_view input) {
    for (char c : input) max_line_ += (c == '\n');
  }

  void on_record(const CsvRecord& record) override {
    KPILENS_FUZZ_CHECK(record.line >= 1 && record.line <= max_line_);
    if (!header_seen_) {
      header_seen_ = true;
      for (std::string_view f : record.fields) out.header.emplace_back(f);
      return;
    }
    KPILENS_FUZZ_CHECK(record.fields.size() == out.header.size());
    std::vector<std::string> row;
    for (std::string_view f : record.fields) row.emplace_back(f);  // ASan reads every byte
    out.rows.push_back(std::move(row));
    out.lines.push_back(record.line);
  }

  void on_bad_record(uint64_t line, std::string_view reason) override {
    KPILENS_FUZZ_CHECK(header_seen_);  // problems come after the header
    KPILENS_FUZZ_CHECK(line >= 1 && line <= max_line_);
    KPILENS_FUZZ_CHECK(!reason.empty());
    out.bad.emplace_back(line, std::string(reason));
  }

  Decoded out;

 private:
  bool header_seen_ = false;
  uint64_t max_line_ = 1;
};

Decoded finish(JsonDecoder& decoder, CheckingSink& sink) {
  decoder.finish(sink);
  Decoded d = std::move(sink.out);
  d.stopped = decoder.stopped();
  d.shape = static_cast<int>(decoder.shape());
  d.late = decoder.late_paths();
  return d;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  kpilens::fuzz::FuzzInput input(data, size);
  // Option byte: bits 0–3 the schema window (0: the default 1000 records, else that many), bits
  // 4–7 a small record size cap (0: the default, else 16 × that many bytes).
  const uint8_t options_byte = input.byte();
  const std::vector<uint8_t> plan = input.chunk_plan();
  const std::string_view json = input.rest();

  JsonOptions options;
  if ((options_byte & 15) != 0) options.schema_records = options_byte & 15;
  if ((options_byte >> 4) != 0) options.max_record_bytes = size_t{16} * (options_byte >> 4);
  options.max_held_bytes = 1 << 16;

  JsonDecoder chunked(options);
  CheckingSink chunked_sink(json);
  kpilens::fuzz::for_each_chunk(json, plan,
                                [&](std::string_view chunk) { chunked.feed(chunk, chunked_sink); });
  Decoded a = finish(chunked, chunked_sink);

  JsonDecoder whole(options);
  CheckingSink whole_sink(json);
  whole.feed(json, whole_sink);
  Decoded b = finish(whole, whole_sink);

  KPILENS_FUZZ_CHECK(a.header == b.header);
  KPILENS_FUZZ_CHECK(a.rows == b.rows);
  KPILENS_FUZZ_CHECK(a.lines == b.lines);
  KPILENS_FUZZ_CHECK(a.bad == b.bad);
  KPILENS_FUZZ_CHECK(a.shape == b.shape);
  KPILENS_FUZZ_CHECK(a.late == b.late);
  KPILENS_FUZZ_CHECK(a.stopped.has_value() == b.stopped.has_value());
  return 0;
}
