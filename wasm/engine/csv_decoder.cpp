// csv_decoder: a fast path over csv_scanner's bitmasks for records inside one chunk (views into
// the chunk, a copy only to unescape ""), and the byte-level state machine for the rest. The state
// machine copies unquoted runs in bulk up to the next delimiter or line break and unescapes quoted
// fields as it reads them; it takes a record from its start whenever the fast path gives it up,
// so a record is scanned at most twice.
#include "csv_decoder.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <string>

namespace kpilens {

namespace {

constexpr std::array<char, 4> kCandidates{',', ';', '\t', '|'};
constexpr std::string_view kBom = "\xEF\xBB\xBF";

// Counts each candidate per line (outside quotes) over up to 50 lines of the sample.
struct LineCounts {
  std::vector<std::array<uint32_t, 4>> lines;
};

LineCounts count_candidates(std::string_view sample) {
  LineCounts result;
  std::array<uint32_t, 4> current{};
  bool in_quotes = false;
  bool any = false;
  size_t end = sample.size();
  for (size_t i = 0; i < end && result.lines.size() < 50; ++i) {
    char c = sample[i];
    if (c == '"') {
      in_quotes = !in_quotes;
      any = true;
      continue;
    }
    if (in_quotes) continue;
    if (c == '\n' || c == '\r') {
      if (any) result.lines.push_back(current);
      current = {};
      any = false;
      continue;
    }
    any = true;
    for (size_t k = 0; k < kCandidates.size(); ++k) current[k] += (c == kCandidates[k]);
  }
  // A last line without a line break counts only when the sample is the whole input (caller's
  // choice): here it is kept when it is the only line, so a one-line file still sniffs.
  if (any && result.lines.empty()) result.lines.push_back(current);
  return result;
}

}  // namespace

char sniff_delimiter(std::string_view sample) {
  if (sample.starts_with(kBom)) sample.remove_prefix(kBom.size());
  LineCounts counts = count_candidates(sample);
  if (counts.lines.empty()) return ',';
  // Score: lines whose count equals the header's count (and is > 0), ties broken by the header
  // count and then by the candidates' order (, before ; before tab before |).
  char best = ',';
  size_t best_consistent = 0;
  uint32_t best_header = 0;
  for (size_t k = 0; k < kCandidates.size(); ++k) {
    uint32_t header = counts.lines[0][k];
    if (header == 0) continue;
    size_t consistent = 0;
    for (const auto& line : counts.lines) consistent += (line[k] == header);
    if (consistent > best_consistent || (consistent == best_consistent && header > best_header)) {
      best = kCandidates[k];
      best_consistent = consistent;
      best_header = header;
    }
  }
  return best;
}

CsvDecoder::CsvDecoder(CsvOptions options) : options_(options), delimiter_(options.delimiter) {}

void CsvDecoder::feed(std::string_view chunk, CsvRecordSink& sink) {
  bytes_fed_ += chunk.size();
  if (delimiter_ == 0) {
    // The input's first sniff_bytes, however it is chunked: a larger sample would hold more lines
    // (up to 50) when the first chunk is larger, and the delimiter could change with the chunking.
    if (sniff_buffer_.empty() && chunk.size() >= options_.sniff_bytes) {
      // Enough to sniff, where it lies (a chunk from a driver is MiBs: no copy).
      delimiter_ = sniff_delimiter(chunk.substr(0, options_.sniff_bytes));
      parse(chunk, sink);
      return;
    }
    sniff_buffer_.append(chunk);
    if (sniff_buffer_.size() < options_.sniff_bytes) return;
    delimiter_ = sniff_delimiter(std::string_view(sniff_buffer_).substr(0, options_.sniff_bytes));
    std::string pending;
    pending.swap(sniff_buffer_);
    parse(pending, sink);
    return;
  }
  parse(chunk, sink);
}

void CsvDecoder::finish(CsvRecordSink& sink) {
  if (delimiter_ == 0) {
    delimiter_ = sniff_delimiter(sniff_buffer_);
    std::string pending;
    pending.swap(sniff_buffer_);
    parse(pending, sink);
  }
  if (!bom_checked_) {
    // The whole input was a strict prefix of a BOM ("\xEF" or "\xEF\xBB"): those bytes were data.
    bom_checked_ = true;
    parse(kBom.substr(0, bom_matched_), sink);
  }
  switch (state_) {
    case State::kQuoted: {
      // The line is the record's, listed with it (not in the text: a part of a file read in
      // parallel may count its lines from 1 until the merge places them).
      sink.on_bad_record(record_line_,
                         "unterminated quoted field (a quote in this record is never closed)");
      buffer_.clear();
      ends_.clear();
      state_ = State::kFieldStart;
      return;
    }
    case State::kFieldStart:
      // Input ended right after a delimiter: the record has a last, empty field.
      if (!ends_.empty()) end_record(sink);
      return;
    case State::kUnquoted:
    case State::kQuoteInQuoted:
      end_record(sink);
      return;
  }
}

bool CsvDecoder::at_record_start() const {
  return delimiter_ != 0 && bom_checked_ && state_ == State::kFieldStart && buffer_.empty() &&
         ends_.empty() && !oversized_ && !field_quoted_;
}

void CsvDecoder::restart_at_line(uint64_t line) {
  // A part starts past the LF of a CRLF (find_record_start), so a CR before it has no LF to skip.
  skip_lf_ = false;
  quoted_cr_ = false;
  line_ = line;
  record_line_ = line;
}

void CsvDecoder::append(const char* data, size_t size) {
  if (oversized_) return;
  if (buffer_.size() + size > options_.max_record_bytes) {
    oversized_ = true;
    return;
  }
  buffer_.append(data, size);
}

void CsvDecoder::end_field() {
  ends_.push_back(buffer_.size());
}

void CsvDecoder::end_record(CsvRecordSink& sink) {
  end_field();
  state_ = State::kFieldStart;
  if (oversized_) {
    std::string reason =
        options_.max_record_bytes >= (size_t{1} << 20)
            ? "record longer than " + std::to_string(options_.max_record_bytes >> 20) + " MiB"
            : "record longer than " + std::to_string(options_.max_record_bytes) + " bytes";
    sink.on_bad_record(record_line_, reason);
  } else if (ends_.size() == 1 && ends_[0] == 0 && !field_quoted_) {
    // A blank line: not a record.
  } else {
    views_.clear();
    size_t begin = 0;
    for (size_t end : ends_) {
      views_.emplace_back(buffer_.data() + begin, end - begin);
      begin = end;
    }
    ++records_;
    sink.on_record(CsvRecord{views_, record_line_});
  }
  buffer_.clear();
  ends_.clear();
  oversized_ = false;
  field_quoted_ = false;
}

void CsvDecoder::parse(std::string_view bytes, CsvRecordSink& sink) {
  const char* p = bytes.data();
  const char* const end = p + bytes.size();
  if (!bom_checked_) {
    // The BOM straddles chunks when the first ones are under 3 bytes (a fixed delimiter skips the
    // sniff buffer): the matched prefix is held back until it is known to be a BOM (dropped) or
    // data (parsed before the rest).
    while (bom_matched_ < kBom.size() && p < end && *p == kBom[bom_matched_]) {
      ++bom_matched_;
      ++p;
    }
    if (bom_matched_ < kBom.size() && p == end) return;  // undecided until the next byte
    bom_checked_ = true;
    if (bom_matched_ > 0 && bom_matched_ < kBom.size()) parse(kBom.substr(0, bom_matched_), sink);
  }
  // The scanner's masks cannot tell a delimiter from a quote or a line break: such a delimiter
  // (no option or sniff gives one) leaves everything to the state machine.
  const bool fast =
      !options_.state_machine_only && delimiter_ != '"' && delimiter_ != '\r' && delimiter_ != '\n';
  while (p < end) {
    if (skip_lf_) {
      skip_lf_ = false;
      if (*p == '\n') {
        ++p;
        continue;
      }
    }
    if (fast && state_ == State::kFieldStart && ends_.empty() && buffer_.empty() && !oversized_) {
#ifdef __EMSCRIPTEN__
      // The wasm builds decode with their SIMD kernel alone (the page's weight): the scalar
      // reference is compared with the SIMD kernels by the native tests and fuzz targets.
      p = decode_fast<kBestScanKernel>(p, end, sink);
#else
      p = options_.kernel == kBestScanKernel ? decode_fast<kBestScanKernel>(p, end, sink)
                                             : decode_fast<ScanKernel::kScalar>(p, end, sink);
#endif
      if (p == end) break;
    }
    p = decode_slow(p, end, sink);
  }
}

namespace {

// The views of the fields that end at the bits of `ends` (of the block at `block`; not 0), the
// first from `field_start`, which then follows the last. Returns past the last view. Four at a
// time without going round the loop: the field ends of a record in a block are a handful.
// kQuotes: the block holds quotes (neither "" nor irregular ones): a field that opens with a quote
// spans it and its closing one, which the parity puts at at[-1] (`at` itself is never a quote, so
// an empty field reads as unquoted), and its view leaves both out.
template <bool kQuotes>
KPILENS_ROW_PATH_INLINE std::string_view* write_views(std::string_view* out, const char* block,
                                                      const char*& field_start, uint64_t ends) {
  const char* start = field_start;
  for (;;) {
#pragma GCC unroll 4
    for (int k = 0; k < 4; ++k) {
      const char* const at = block + __builtin_ctzll(ends);
      if constexpr (kQuotes) {
        const size_t quoted = *start == '"' ? 1 : 0;
        *out++ = std::string_view(start + quoted, static_cast<size_t>(at - start) - 2 * quoted);
      } else {
        *out++ = std::string_view(start, static_cast<size_t>(at - start));
      }
      start = at + 1;
      ends &= ends - 1;
      if (ends == 0) {
        field_start = start;
        return out;
      }
    }
  }
}

}  // namespace

KPILENS_ROW_PATH_INLINE bool CsvDecoder::end_fast_record(FastRecord& r, const char* at,
                                                         unsigned bit, uint64_t& quoted_breaks,
                                                         const char* end, CsvRecordSink& sink) {
  uint64_t breaks = 1 + fast_quoted_breaks_;
  if (quoted_breaks != 0) [[unlikely]] {
    const uint64_t below = (uint64_t{2} << bit) - 1;
    breaks += static_cast<uint64_t>(__builtin_popcountll(quoted_breaks & below));
    quoted_breaks &= ~below;
  }
  const auto field_count = static_cast<size_t>(r.out - r.fields);
  if (at == r.record_start) {
    // A blank line is not a record.
  } else if (fast_first_escaped_ == kNoEscape &&
             static_cast<size_t>(at - r.record_start) <= options_.max_record_bytes) [[likely]] {
    ++records_;
    sink.on_record(CsvRecord{std::span(r.fields, field_count), line_});
  } else if (!emit_assembled_record(std::span(r.fields, field_count), r.record_start,
                                    static_cast<size_t>(at - r.record_start), fast_first_escaped_,
                                    line_, sink)) {
    return false;
  }
  r.out = r.fields;
  line_ += breaks;
  fast_quoted_breaks_ = 0;
  if (*at == '\r') {
    if (r.field_start == end) {
      skip_lf_ = true;  // the LF of this CRLF, if it is one, opens the next chunk
    } else if (*r.field_start == '\n') {
      ++r.field_start;
    }
  }
  r.record_start = r.field_start;
  fast_first_escaped_ = kNoEscape;
  return true;
}

[[gnu::noinline]] KPILENS_RARELY_RUN std::string_view* CsvDecoder::grow_fast_fields(size_t count) {
  fast_fields_.resize(2 * (count + kScanBlockBytes));
  return fast_fields_.data();
}

template <ScanKernel Kernel>
const char* CsvDecoder::decode_fast(const char* const begin, const char* const end,
                                    CsvRecordSink& sink) {
  const char delim = delimiter_;
  BlockScanner scanner(delim);
  if (fast_fields_.size() < kScanBlockBytes) grow_fast_fields(0);
  FastRecord r{fast_fields_.data(), fast_fields_.data(), begin, begin};
  fast_quoted_breaks_ = 0;
  fast_first_escaped_ = kNoEscape;
  // Room for every field a block can end, so that the loops never check for it.
  const std::string_view* room = r.fields + fast_fields_.size() - kScanBlockBytes;
  char padded[kScanBlockBytes];
  // The loop ends at the input's last block by that block's own test (`left`), so that no pointer
  // is ever formed past `end`; it is one compare fewer a block than a test at the top (parse calls
  // this with bytes left).
  for (const char* block = begin;;) {
    if (r.out > room) [[unlikely]] {
      const auto count = static_cast<size_t>(r.out - r.fields);
      r.fields = grow_fast_fields(count);
      r.out = r.fields + count;
      room = r.fields + fast_fields_.size() - kScanBlockBytes;
    }
    const size_t left = static_cast<size_t>(end - block);
    const char* bytes = block;
    if (left < kScanBlockBytes) [[unlikely]] {
      // The last bytes, padded with zeros (neither a quote nor a line break, nor the delimiter,
      // which is never NUL): the scanner's state is spent after them.
      std::memset(padded, 0, sizeof padded);
      std::memcpy(padded, block, left);
      bytes = padded;
    }
    uint64_t ends = 0;
    uint64_t lines = 0;
    const bool plain = scanner.scan_plain<Kernel>(bytes, ends, lines);
    if (left < kScanBlockBytes) [[unlikely]] {
      ends &= (uint64_t{1} << left) - 1;
      lines &= ends;
    }
    if (plain) [[likely]] {
      // No quote in the block, none open from before: no field ending here is quoted (the one
      // open from before would have started with a quote still open, or closed on the last byte
      // of the block before), so the views need no quote test. Most blocks of an export. Record
      // by record: the fields up to the first line break, then that record's end.
      for (;;) {
        const uint64_t upto = lines ^ (lines - 1);  // bits up to the first line break, or all
        if ((ends & upto) != 0) {
          r.out = write_views<false>(r.out, block, r.field_start, ends & upto);
        }
        if (lines == 0) break;
        ends &= ~upto;
        const auto bit = static_cast<unsigned>(__builtin_ctzll(lines));
        lines &= lines - 1;
        uint64_t no_quoted_breaks = 0;
        if (!end_fast_record(r, block + bit, bit, no_quoted_breaks, end, sink)) goto state_machine;
      }
      if (left <= kScanBlockBytes) break;  // (not past `end`, even as a pointer)
      block += kScanBlockBytes;
      continue;
    }
    // Quotes: out of line, on copies (the ones above stay out of linear memory), this block and
    // the next ones while they hold quotes.
    FastRecord quoted = r;
    BlockScanner quoted_scanner = scanner;
    block = decode_quoted_blocks<Kernel>(quoted, quoted_scanner, block, end, sink);
    r = quoted;
    scanner = quoted_scanner;
    if (block == nullptr || block == end) break;
    room = r.fields + fast_fields_.size() - kScanBlockBytes;
  }
state_machine:
  return r.record_start;
}

template <ScanKernel Kernel>
[[gnu::noinline]] const char* CsvDecoder::decode_quoted_blocks(FastRecord& r, BlockScanner& scanner,
                                                               const char* block, const char* end,
                                                               CsvRecordSink& sink) {
  const char delim = delimiter_;
  char padded[kScanBlockBytes];
  for (;;) {
    if (r.out > r.fields + fast_fields_.size() - kScanBlockBytes) [[unlikely]] {
      const auto count = static_cast<size_t>(r.out - r.fields);
      r.fields = grow_fast_fields(count);
      r.out = r.fields + count;
    }
    const size_t left = static_cast<size_t>(end - block);
    const char* bytes = block;
    if (left < kScanBlockBytes) [[unlikely]] {
      std::memset(padded, 0, sizeof padded);  // as in decode_fast
      std::memcpy(padded, block, left);
      bytes = padded;
    }
    ScannedBlock b = scanner.scan<Kernel>(bytes);
    if (left < kScanBlockBytes) [[unlikely]] {
      // Field ends and irregular quotes among the zeros are none (BlockScanner::scan_tail).
      const uint64_t valid = (uint64_t{1} << left) - 1;
      b.field_ends &= valid;
      b.irregular &= valid;
    }
    uint64_t quoted_breaks = b.line_breaks & b.in_quotes;
    uint64_t rare = b.escapes | b.irregular;
    uint64_t ends = b.field_ends;
    if (rare == 0) [[likely]] {
      // Every block of an export that quotes its cells: record by record as in decode_fast's
      // plain blocks, the record ends being the field ends that are line breaks.
      uint64_t lines = ends & b.line_breaks;
      for (;;) {
        const uint64_t upto = lines ^ (lines - 1);  // bits up to the first record end, or all
        if ((ends & upto) != 0) {
          r.out = write_views<true>(r.out, block, r.field_start, ends & upto);
        }
        if (lines == 0) break;
        ends &= ~upto;
        const auto bit = static_cast<unsigned>(__builtin_ctzll(lines));
        lines &= lines - 1;
        if (!end_fast_record(r, block + bit, bit, quoted_breaks, end, sink)) return nullptr;
      }
    } else {
      // A "" or an irregular quote: field by field, each one's record told whether it holds them.
      while (ends != 0) {
        const auto bit = static_cast<unsigned>(__builtin_ctzll(ends));
        ends &= ends - 1;
        const uint64_t below = (uint64_t{2} << bit) - 1;  // bits up to and including this one
        if ((rare & below) != 0) {
          // The parity stops describing the record at an irregular quote: the state machine
          // takes the record from its start. A "" only marks this field for unescaping (the
          // bits below `bit` that are left lie in it: the field ends before consumed theirs).
          if ((rare & b.irregular & below) != 0) return nullptr;
          mark_escaped(static_cast<size_t>(r.out - r.fields));
          rare &= ~below;
        }
        // The field that ends at `at`. A quoted field spans its quotes: the parity puts the
        // closing one at at[-1]. `at` is never a quote, so an empty field reads as unquoted.
        const char* const at = block + bit;
        const size_t quoted = *r.field_start == '"' ? 1 : 0;
        *r.out++ = std::string_view(r.field_start + quoted,
                                    static_cast<size_t>(at - r.field_start) - 2 * quoted);
        r.field_start = at + 1;
        if (*at != delim && !end_fast_record(r, at, bit, quoted_breaks, end, sink)) {
          return nullptr;
        }
      }
      // What is left of `rare` lies in the record that runs on into the next block: an
      // irregular quote hands that record over now, a "" marks its field in progress.
      if ((rare & b.irregular) != 0) return nullptr;
      if (rare != 0) mark_escaped(static_cast<size_t>(r.out - r.fields));
    }
    if (quoted_breaks != 0) {
      fast_quoted_breaks_ += static_cast<uint64_t>(__builtin_popcountll(quoted_breaks));
    }
    if (left <= kScanBlockBytes) return end;  // (the input's last block: decode_fast's loop ends)
    block += kScanBlockBytes;
    // A block without quotes that ended outside them: the next one is likely plain, and
    // scan_plain may take it.
    if (b.raw.quote == 0 && !scanner.in_quotes()) return block;
  }
}

bool CsvDecoder::emit_assembled_record(std::span<std::string_view> fields, const char* record_start,
                                       size_t raw_bytes, size_t first_escaped, uint64_t line,
                                       CsvRecordSink& sink) {
  // Only a quoted field holds quotes here, each one doubled (a quote in an unquoted field is
  // irregular: the state machine takes such a record). A field is quoted when its opening quote
  // lies just before it: an unquoted one starts the record or follows a delimiter, never a quote.
  // Only those are searched, from the first that holds a "" (the free-text fields of an export:
  // one or two of a record's cells, often its last ones; an export that quotes every cell has
  // a dozen before them).
  const auto quoted = [record_start](std::string_view field) {
    return field.data() != record_start && field.data()[-1] == '"';
  };
  if (raw_bytes > options_.max_record_bytes) {
    // The raw bytes are an upper bound; the cap is on the decoded ones, as the state machine
    // counts them.
    size_t decoded = 0;
    for (std::string_view field : fields) {
      decoded += field.size();
      if (quoted(field)) {
        decoded -= static_cast<size_t>(std::count(field.begin(), field.end(), '"')) / 2;
      }
    }
    if (decoded > options_.max_record_bytes) return false;
  }
  // Unescape into the buffer, sized up front so that the views taken into it stay valid. Runs
  // between quotes are copied whole (each "" keeps its first quote): the escaped fields of an
  // export are its free-text ones, long and with few quotes.
  buffer_.resize(raw_bytes);
  char* out = buffer_.data();
  for (std::string_view& field : fields.subspan(std::min(first_escaped, fields.size()))) {
    if (!quoted(field)) continue;
    const char* p = field.data();
    const char* const end = p + field.size();
    const void* quote = std::memchr(p, '"', field.size());
    if (quote == nullptr) continue;
    char* const start = out;
    while (quote != nullptr) {
      const auto run = static_cast<size_t>(static_cast<const char*>(quote) - p) + 1;
      std::memcpy(out, p, run);
      out += run;
      p += run + 1;  // past the second quote of the pair
      quote = p < end ? std::memchr(p, '"', static_cast<size_t>(end - p)) : nullptr;
    }
    if (p < end) {
      std::memcpy(out, p, static_cast<size_t>(end - p));
      out += end - p;
    }
    field = std::string_view(start, static_cast<size_t>(out - start));
  }
  ++records_;
  sink.on_record(CsvRecord{fields, line});
  buffer_.clear();
  return true;
}

const char* CsvDecoder::decode_slow(const char* p, const char* const end, CsvRecordSink& sink) {
  const char delim = delimiter_;
  while (p < end) {
    if (skip_lf_) {
      skip_lf_ = false;
      if (*p == '\n') {
        ++p;
        continue;
      }
    }
    switch (state_) {
      case State::kFieldStart:
        if (buffer_.empty() && ends_.empty()) record_line_ = line_;
        if (*p == '"') {
          field_quoted_ = true;
          state_ = State::kQuoted;
          ++p;
          break;
        }
        state_ = State::kUnquoted;
        [[fallthrough]];
      case State::kUnquoted: {
        const char* run = p;
        while (p < end && *p != delim && *p != '\n' && *p != '\r') ++p;
        append(run, static_cast<size_t>(p - run));
        if (p == end) break;
        char c = *p++;
        if (c == delim) {
          end_field();
          state_ = State::kFieldStart;
        } else {
          ++line_;
          skip_lf_ = (c == '\r');
          end_record(sink);
          return p;
        }
        break;
      }
      case State::kQuoted: {
        const char* run = p;
        while (p < end && *p != '"') {
          // Line breaks inside quotes still advance the physical line count (CRLF counts once, even
          // when the pair straddles two chunks).
          if (*p == '\r') {
            ++line_;
            quoted_cr_ = true;
          } else {
            if (*p == '\n' && !quoted_cr_) ++line_;
            quoted_cr_ = false;
          }
          ++p;
        }
        append(run, static_cast<size_t>(p - run));
        if (p == end) break;
        ++p;  // the quote
        // A CR just before the closing quote pairs with no LF: the next LF is a line of its own.
        quoted_cr_ = false;
        state_ = State::kQuoteInQuoted;
        break;
      }
      case State::kQuoteInQuoted: {
        char c = *p;
        if (c == '"') {  // "" inside a quoted field is one quote
          append(p, 1);
          ++p;
          state_ = State::kQuoted;
        } else if (c == delim) {
          ++p;
          end_field();
          state_ = State::kFieldStart;
        } else if (c == '\n' || c == '\r') {
          ++p;
          ++line_;
          skip_lf_ = (c == '\r');
          end_record(sink);
          return p;
        } else {
          // Text after a closing quote: keep it (lenient, like spreadsheets), count it.
          if (stray_quotes_++ == 0) first_stray_quote_line_ = line_;
          state_ = State::kUnquoted;
        }
        break;
      }
    }
  }
  return p;
}

}  // namespace kpilens
