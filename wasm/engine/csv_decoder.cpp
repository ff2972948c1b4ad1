// csv_decoder: byte-level state machine. Unquoted runs are copied in bulk up to the next delimiter
// or line break; quoted fields are unescaped ("" → ") as they are read, so no record is ever
// re-scanned.
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
    sniff_buffer_.append(chunk);
    if (sniff_buffer_.size() < options_.sniff_bytes) return;
    delimiter_ = sniff_delimiter(sniff_buffer_);
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
      std::string reason = "unterminated quoted field (the quote opened on line " +
                           std::to_string(record_line_) + " is never closed)";
      sink.on_bad_record(record_line_, reason);
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
        } else {
          // Text after a closing quote: keep it (lenient, like spreadsheets), count it.
          if (stray_quotes_++ == 0) first_stray_quote_line_ = line_;
          state_ = State::kUnquoted;
        }
        break;
      }
    }
  }
}

}  // namespace kpilens
