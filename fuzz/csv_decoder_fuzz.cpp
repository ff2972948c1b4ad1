// csv_decoder_fuzz: the streaming CSV decoder fed in fuzzer-chosen chunks. Checks, besides the
// sanitizers: line numbers never go back, fields never hold more bytes than the input, the chunked
// decode gives exactly what one decode of the whole input gives, and the fast path (SIMD kernel,
// then scalar kernel) gives exactly what the state machine alone gives.
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "csv_decoder.h"
#include "fuzz_input.h"

namespace {

using kpilens::CsvDecoder;
using kpilens::CsvOptions;
using kpilens::CsvRecord;
using kpilens::CsvRecordSink;

struct Decoded {
  std::vector<std::vector<std::string>> records;
  std::vector<uint64_t> lines;
  std::vector<std::pair<uint64_t, std::string>> bad;
};

class CheckingSink : public CsvRecordSink {
 public:
  CheckingSink(std::string_view input, size_t max_record_bytes)
      : input_size_(input.size()), max_record_bytes_(max_record_bytes) {
    for (char c : input) max_line_ += (c == '\n' || c == '\r');
  }

  void on_record(const CsvRecord& record) override {
    check_line(record.line);
    KPILENS_FUZZ_CHECK(!record.fields.empty());
    size_t bytes = 0;
    std::vector<std::string> fields;
    for (std::string_view field : record.fields) {
      KPILENS_FUZZ_CHECK(field.empty() || field.data() != nullptr);
      bytes += field.size();
      fields.emplace_back(field);  // reads every byte: ASan sees a view into freed memory
    }
    // Unescaping only shrinks: a record never holds more than the input, nor more than the cap.
    KPILENS_FUZZ_CHECK(bytes <= input_size_);
    KPILENS_FUZZ_CHECK(bytes <= max_record_bytes_);
    out.records.push_back(std::move(fields));
    out.lines.push_back(record.line);
  }

  void on_bad_record(uint64_t line, std::string_view reason) override {
    check_line(line);
    KPILENS_FUZZ_CHECK(!reason.empty());
    out.bad.emplace_back(line, std::string(reason));
  }

  Decoded out;

 private:
  void check_line(uint64_t line) {
    KPILENS_FUZZ_CHECK(line >= 1 && line >= last_line_ && line <= max_line_);
    last_line_ = line;
  }

  size_t input_size_;
  size_t max_record_bytes_;
  uint64_t max_line_ = 1;  // 1 + the line breaks in the input
  uint64_t last_line_ = 0;
};

constexpr char kDelimiters[] = {0, ',', ';', '\t', '|'};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  kpilens::fuzz::FuzzInput input(data, size);
  // Option bytes. First: bits 0–2 the delimiter (kDelimiters[b % 5], 0: sniffed), bits 3–7 the
  // sniff window (31: the default 64 KiB, else 3 × that many bytes, so that sniffing ends
  // mid-input). Second: the record size cap (under 128: the default; else 1–128 bytes, so that the
  // cap is reached).
  const uint8_t delimiter_byte = input.byte();
  const uint8_t cap_byte = input.byte();
  const std::vector<uint8_t> plan = input.chunk_plan();
  const std::string_view csv = input.rest();

  CsvOptions options;
  options.delimiter = kDelimiters[(delimiter_byte & 7) % sizeof kDelimiters];
  if ((delimiter_byte >> 3) != 31) options.sniff_bytes = size_t{3} * (delimiter_byte >> 3);
  if (cap_byte >= 128) options.max_record_bytes = size_t{cap_byte} - 127;

  // Everything a decode says, for comparing two of them.
  struct Run {
    Decoded out;
    uint64_t records, stray_quotes, first_stray_quote_line;
    char delimiter;
  };
  auto decode = [&](const CsvOptions& run_options, bool in_chunks) {
    CsvDecoder decoder(run_options);
    CheckingSink sink(csv, run_options.max_record_bytes);
    if (in_chunks) {
      kpilens::fuzz::for_each_chunk(csv, plan,
                                    [&](std::string_view chunk) { decoder.feed(chunk, sink); });
    } else {
      decoder.feed(csv, sink);
    }
    decoder.finish(sink);
    KPILENS_FUZZ_CHECK(decoder.bytes_fed() == csv.size());
    KPILENS_FUZZ_CHECK(decoder.records() == sink.out.records.size());
    KPILENS_FUZZ_CHECK(decoder.delimiter() != 0);
    return Run{std::move(sink.out), decoder.records(), decoder.stray_quotes(),
               decoder.first_stray_quote_line(), decoder.delimiter()};
  };
  auto check_same = [](const Run& a, const Run& b) {
    KPILENS_FUZZ_CHECK(a.out.records == b.out.records);
    KPILENS_FUZZ_CHECK(a.out.lines == b.out.lines);
    KPILENS_FUZZ_CHECK(a.out.bad == b.out.bad);
    KPILENS_FUZZ_CHECK(a.records == b.records);
    KPILENS_FUZZ_CHECK(a.stray_quotes == b.stray_quotes);
    KPILENS_FUZZ_CHECK(a.first_stray_quote_line == b.first_stray_quote_line);
    KPILENS_FUZZ_CHECK(a.delimiter == b.delimiter);
  };

  const Run chunked = decode(options, true);
  // The state machine alone, on the same chunks: the reference for the fast path.
  CsvOptions reference_options = options;
  reference_options.state_machine_only = true;
  check_same(chunked, decode(reference_options, true));

  // The same input in one piece: the same records, and the same delimiter when it is sniffed (from
  // the input's first sniff_bytes, however it is chunked).
  CsvOptions whole_options = options;
  check_same(chunked, decode(whole_options, false));
  // And with the scalar kernel (when the build has a SIMD one, the kernels must agree).
  whole_options.kernel = kpilens::ScanKernel::kScalar;
  check_same(chunked, decode(whole_options, false));
  return 0;
}
