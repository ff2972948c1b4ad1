// csv_decoder: a streaming RFC 4180 decoder. Bytes arrive in chunks of any size (a record, a field,
// even a CRLF pair may straddle two chunks); complete records leave through a sink, one call per
// record. Records that lie inside one chunk are found 64 bytes at a time by csv_scanner and handed
// out as views into the chunk; the byte-at-a-time state machine takes the rest (records that
// straddle chunks or that the scanner flags) and is the reference the fast path is tested against.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "csv_scanner.h"

namespace kpilens {

// One decoded record. The views point into the chunk being fed or into the decoder's buffer: valid
// only during the sink call.
struct CsvRecord {
  std::span<const std::string_view> fields;
  uint64_t line = 0;  // 1-based physical line on which the record starts
};

class CsvRecordSink {
 public:
  virtual ~CsvRecordSink() = default;
  virtual void on_record(const CsvRecord& record) = 0;
  // A record the decoder could not take (unterminated quote at the end, record over the size cap).
  virtual void on_bad_record(uint64_t line, std::string_view reason) = 0;
};

struct CsvOptions {
  char delimiter = 0;  // 0: sniffed from the first bytes among , ; \t |
  size_t max_record_bytes = size_t{1}
                            << 28;  // 256 MiB: a longer record is rejected, decoding goes on
  // The delimiter is chosen from the input's first sniff_bytes (up to 50 lines of them), however
  // the input is chunked.
  size_t sniff_bytes = size_t{64} << 10;
  // The byte classifier of the fast path: the build's SIMD one, or the scalar reference (tests and
  // the fuzz target compare them). The wasm builds have their SIMD one alone (the page's weight).
  ScanKernel kernel = kBestScanKernel;
  // No fast path: the state machine alone, as the decoder was before the scanner (the reference).
  bool state_machine_only = false;
};

// Picks the delimiter whose per-line count (outside quotes) is the most consistent over the first
// lines. Returns ',' when nothing fits (a one-column file).
char sniff_delimiter(std::string_view sample);

class CsvDecoder {
 public:
  explicit CsvDecoder(CsvOptions options = {});

  void feed(std::string_view chunk, CsvRecordSink& sink);
  // End of input: emits the last record (no trailing newline needed) or reports an open quote.
  void finish(CsvRecordSink& sink);

  char delimiter() const { return delimiter_; }
  uint64_t bytes_fed() const { return bytes_fed_; }
  uint64_t records() const { return records_; }
  // Quoted fields with text after the closing quote (`"a"b`): kept leniently as `ab`, counted.
  uint64_t stray_quotes() const { return stray_quotes_; }
  uint64_t first_stray_quote_line() const { return first_stray_quote_line_; }

  // For a reader of one part of a file (ticket_dataset_parts.cpp): true when the delimiter is
  // settled and everything fed so far ended a record (no field, quote or record open), so the next
  // byte fed starts a record.
  bool at_record_start() const;
  // The physical line of the next byte (1-based): where the next record starts, at a record start.
  uint64_t line() const { return line_; }
  // Goes on as if the next byte fed started a record on physical line `line`: the first record of
  // a part that starts further on in the file. Only when at_record_start().
  void restart_at_line(uint64_t line);

 private:
  enum class State : uint8_t { kFieldStart, kUnquoted, kQuoted, kQuoteInQuoted };

  void parse(std::string_view bytes, CsvRecordSink& sink);
  // Decodes whole records from `begin` (< end), a record start, while they lie inside [begin, end)
  // and the scanner's parity holds for them. Returns where the state machine must go on: `end`, or
  // the start of a record it must take (one that reaches `end`, that holds irregular quotes or that
  // is over the size cap).
  template <ScanKernel Kernel>
  const char* decode_fast(const char* begin, const char* end, CsvRecordSink& sink);
  // The fast path's record in progress. decode_fast's loop over plain blocks keeps it in locals
  // (in the wasm build: in registers, not in linear memory); a run of blocks with quotes, out of
  // line in one call, gets a copy and gives it back.
  struct FastRecord {
    std::string_view* fields;  // fast_fields_.data()
    std::string_view* out;     // past the record's last field so far
    const char* record_start;
    const char* field_start;
  };
  // From a block that scan_plain did not take, that block and the next ones while they hold
  // quotes (an export that quotes every cell: all of them): each scanned in full, its field ends
  // and quotes read into `r`, its records emitted. Returns the block where decode_fast goes on
  // (the first past a block without quotes that ended outside them, or `end`), or
  // nullptr when the state machine must take the record in progress (its start is
  // r.record_start).
  template <ScanKernel Kernel>
  const char* decode_quoted_blocks(FastRecord& r, BlockScanner& scanner, const char* block,
                                   const char* end, CsvRecordSink& sink);
  // Ends the record at the line break `at`, bit `bit` of its block, and emits it. `quoted_breaks`:
  // the line breaks inside quotes in this block not yet counted (the ones up to `bit` are counted
  // now). False when the record is over the size cap: the state machine must take it.
  bool end_fast_record(FastRecord& r, const char* at, unsigned bit, uint64_t& quoted_breaks,
                       const char* end, CsvRecordSink& sink);
  // Room for `count` fields and a block's worth more: fast_fields_ grown, its new data().
  std::string_view* grow_fast_fields(size_t count);
  // The state machine, from `p` to the end of the current record or of the bytes.
  const char* decode_slow(const char* p, const char* end, CsvRecordSink& sink);
  // A record of the fast path that has "" escapes or more raw bytes than the cap: unescaped into
  // the buffer and emitted, or false when over the cap once decoded (the state machine then
  // reports it). `record_start`: its first byte in the chunk; `first_escaped`: the index of its
  // first field that holds a "" (kNoEscape: none does).
  bool emit_assembled_record(std::span<std::string_view> fields, const char* record_start,
                             size_t raw_bytes, size_t first_escaped, uint64_t line,
                             CsvRecordSink& sink);
  // Marks field `index` of the fast path's record as holding a "".
  void mark_escaped(size_t index) { fast_first_escaped_ = std::min(fast_first_escaped_, index); }
  static constexpr size_t kNoEscape = SIZE_MAX;
  void end_field();
  void end_record(CsvRecordSink& sink);
  void append(const char* data, size_t size);

  CsvOptions options_;
  char delimiter_ = 0;
  bool bom_checked_ = false;
  size_t bom_matched_ = 0;  // leading bytes matching a BOM so far (it may straddle chunks)
  std::string sniff_buffer_;

  State state_ = State::kFieldStart;
  bool skip_lf_ = false;    // the previous chunk ended a record with CR; a leading LF belongs to it
  bool oversized_ = false;  // the current record went over max_record_bytes
  bool field_quoted_ = false;
  bool quoted_cr_ = false;                     // the last byte read inside quotes was CR
  std::string buffer_;                         // field bytes of the current record, unescaped
  std::vector<size_t> ends_;                   // end offset in buffer_ of each finished field
  std::vector<std::string_view> views_;        // the state machine's record, as handed to the sink
  std::vector<std::string_view> fast_fields_;  // the fast path's record (sized ahead, not pushed)

  uint64_t line_ = 1;         // physical line of the byte being read
  uint64_t record_line_ = 1;  // line where the current record started
  // The fast path's record in progress, beside its FastRecord (in the object, not in locals: the
  // decoder's loop then carries fewer values from block to block, which V8 would keep on its
  // stack): line breaks inside quotes met in blocks already left, and the index of its first field
  // that holds a "" (emit_assembled_record unescapes that one and the ones after it), or
  // kNoEscape. Its first physical line is line_.
  uint64_t fast_quoted_breaks_ = 0;
  size_t fast_first_escaped_ = kNoEscape;
  uint64_t bytes_fed_ = 0;
  uint64_t records_ = 0;
  uint64_t stray_quotes_ = 0;
  uint64_t first_stray_quote_line_ = 0;
};

}  // namespace kpilens
