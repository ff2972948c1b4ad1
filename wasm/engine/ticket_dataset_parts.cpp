// ticket_dataset_parts: a ticket file read in parts by several datasets at once, merged into one
// (ticket_dataset.h, "Parallel reading"). A part's dataset is fed the file's head first, so it
// knows everything a sequential reader would know at the part's first byte — header, mapping,
// delimiter, date order, decimal separator, encoding — by having read it the same way; it then
// forgets the head's rows (the merging dataset counts those) and reads its part. Its state holds
// everything the report takes from the part: the file's counters, the rejected rows and value
// issues it would list (its first ones: the merge keeps the file's first ones), the text and CSV
// decoders' counts and the aggregate. The merge refuses, rather than guesses, whenever the
// sequential read could have gone differently: see merge_part.
#include <algorithm>

#include "csv_decoder.h"
#include "csv_scanner.h"
#include "customer_dataset.h"
#include "state_codec.h"
#include "ticket_dataset.h"

namespace kpilens {

namespace {

constexpr uint32_t kPartMagic = 0x3550504B;  // "KPP5"

bool is_utf16(TextEncoding encoding) {
  return encoding == TextEncoding::kUtf16Le || encoding == TextEncoding::kUtf16Be;
}

bool read_encoding(StateReader& in, TextEncoding& encoding) {
  uint8_t value = 0;
  if (!in.read_u8(value)) return false;
  if (value > static_cast<uint8_t>(TextEncoding::kWindows1252)) return in.fail();
  encoding = static_cast<TextEncoding>(value);
  return !is_utf16(encoding) || in.fail();
}

bool read_flag(StateReader& in, bool& flag) {
  uint8_t value = 0;
  if (!in.read_u8(value)) return false;
  if (value > 1) return in.fail();
  flag = value == 1;
  return true;
}

// The text decoder's state as far as the merge cares: which encoding, and whether it is settled
// as UTF-8 (after that, invalid sequences are U+FFFD rather than a switch to windows-1252).
struct TextState {
  TextEncoding encoding = TextEncoding::kUtf8;
  bool saw_utf8 = false;
  bool operator==(const TextState&) const = default;
};

// A part's state, read whole before anything is merged.
struct PartFigures {
  bool last = false;
  bool ended_at_record_start = false;
  bool added_warnings = false;
  uint64_t config = 0;  // the reader's config_fingerprint
  // The part's first line (begin_part's, maybe relative) and the line where it ended; every line
  // below lies between them (0: none).
  uint64_t start_line = 0, end_line = 0;
  std::vector<std::string> by;
  // How the head had the file read: a part whose head decided otherwise is refused (merge_part).
  uint8_t delimiter = 0, decimal_separator = 0, date_order = 0;
  std::vector<std::string> headers;
  FileSummary counts;
  TextState start, end;
  uint64_t replaced = 0, first_replaced_offset = 0;
  uint64_t stray_quotes = 0, first_stray_quote_line = 0;
  uint64_t rejected_total = 0;
  std::vector<std::pair<uint64_t, std::string>> rejected;
  std::array<ValueIssue, kTicketFieldCount> issues{};
};

bool read_part(StateReader& in, PartFigures& p, size_t max_rejected_listed) {
  uint32_t magic = 0;
  if (!in.read_u32(magic)) return false;
  if (magic != kPartMagic) return in.fail();
  if (!read_flag(in, p.last) || !read_flag(in, p.ended_at_record_start) ||
      !read_flag(in, p.added_warnings) || !in.read_u64(p.config)) {
    return false;
  }
  if (!in.read_varint(p.start_line) || !in.read_varint(p.end_line)) return false;
  if (p.start_line == 0 || p.end_line < p.start_line) return in.fail();
  const auto in_part = [&p](uint64_t line) {
    return line == 0 || (line >= p.start_line && line <= p.end_line);
  };
  uint64_t count = 0;
  if (!in.read_count(count, 1)) return false;
  p.by.resize(static_cast<size_t>(count));
  for (std::string& name : p.by) {
    if (!in.read_string(name)) return false;
  }
  if (!in.read_u8(p.delimiter) || !in.read_u8(p.decimal_separator) || !in.read_u8(p.date_order) ||
      !in.read_count(count, 1)) {
    return false;
  }
  // A part's file had its date order decided (the head holds the inference's rows).
  if (p.date_order != static_cast<uint8_t>(DateOrder::kMonthFirst) &&
      p.date_order != static_cast<uint8_t>(DateOrder::kDayFirst)) {
    return in.fail();
  }
  p.headers.resize(static_cast<size_t>(count));
  for (std::string& name : p.headers) {
    if (!in.read_string(name)) return false;
  }
  FileSummary& c = p.counts;
  for (uint64_t* value : {&c.bytes, &c.records, &c.rows_used, &c.rows_filtered, &c.rows_rejected,
                          &c.ragged_rows, &c.first_ragged_line}) {
    if (!in.read_varint(*value)) return false;
  }
  if (!in_part(c.first_ragged_line)) return in.fail();
  if (!read_encoding(in, p.start.encoding) || !read_flag(in, p.start.saw_utf8) ||
      !read_encoding(in, p.end.encoding) || !read_flag(in, p.end.saw_utf8)) {
    return false;
  }
  for (uint64_t* value : {&p.replaced, &p.first_replaced_offset, &p.stray_quotes,
                          &p.first_stray_quote_line, &p.rejected_total}) {
    if (!in.read_varint(*value)) return false;
  }
  if (!in_part(p.first_stray_quote_line)) return in.fail();
  if (!in.read_count(count, 2)) return false;
  if (count > p.rejected_total || count > max_rejected_listed) return in.fail();
  p.rejected.resize(static_cast<size_t>(count));
  for (auto& [line, reason] : p.rejected) {
    if (!in.read_varint(line) || !in.read_string(reason)) return false;
    if (line == 0 || !in_part(line)) return in.fail();
  }
  if (!in.read_varint(count)) return false;
  if (count != kTicketFieldCount) return in.fail();
  for (ValueIssue& issue : p.issues) {
    if (!in.read_varint(issue.count) || !in.read_string(issue.example) ||
        !in.read_string(issue.reason) || !in.read_count(count, 1)) {
      return false;
    }
    if (count > kValueIssueLines || count > issue.count) return in.fail();
    issue.lines.resize(static_cast<size_t>(count));
    for (uint64_t& line : issue.lines) {
      if (!in.read_varint(line)) return false;
      if (line == 0 || !in_part(line)) return in.fail();
    }
  }
  return true;
}

// "(other)" takes the values first seen past max_segments: an order parts read apart do not keep.
constexpr const char* kLumpedRefusal = "a breakdown has more values than max_segments";

}  // namespace

std::string TicketDataset::part_refusal() const {
  return refusal().why;
}

bool TicketDataset::head_too_short() const {
  return refusal().head_too_short;
}

TicketDataset::PartRefusal TicketDataset::refusal() const {
  if (!in_file_) return {"no file is being read"};
  const FileSummary& file = files_.back();
  if (config_failed_ || skipping_file_ || file.error) return {"the file cannot be read"};
  if (json_) return {"JSON and NDJSON files are read sequentially"};
  // The first bytes are held until there are enough to judge (check_start), then the CSV decoder
  // holds them until it has sniffed the delimiter: a head shorter than either has nothing decoded.
  // Past both, the first record is the header (blank lines are skipped): not seen yet, it is still
  // open. These four go away with a longer head.
  if (!start_checked_) {
    return {"the head is shorter than the bytes the start check reads (" +
                std::to_string(kStartWindow >> 10) + " KiB)",
            true};
  }
  if (!json_ && decoder_ && decoder_->delimiter() == 0) {
    return {"the head is shorter than the bytes the delimiter is sniffed from (" +
                std::to_string(CsvOptions{}.sniff_bytes >> 10) + " KiB)",
            true};
  }
  if (!header_seen_) return {"the head ends inside the header row", true};
  if (!inference_done_) {
    return {"the head holds fewer rows than the date-order inference reads", true};
  }
  if (file.kind != DatasetKind::kTickets) {
    return {"survey and customer-success files are read sequentially"};
  }
  if (first_survey_seen_) return {"survey answers wait for ticket rows: read sequentially"};
  if (customers_->notes_tickets()) {
    return {"ticket rows join the customer-success files' customers: read sequentially"};
  }
  if (!text_ || !text_->can_jump()) return {"UTF-16 text is read sequentially"};
  if (!decoder_ || !decoder_->at_record_start()) {
    return {"the rows read so far do not end at a record start"};
  }
  if (aggregate_.lumped_segment_rows > 0) return {kLumpedRefusal};
  return {};
}

bool TicketDataset::begin_part(uint64_t offset, uint64_t line) {
  if (!part_refusal().empty() || parts_.reading) return false;
  // The head's rows are the merging dataset's: this one keeps only what follows.
  FileSummary& file = files_.back();
  file.bytes = file.records = file.rows_used = file.rows_filtered = file.rows_rejected = 0;
  file.ragged_rows = file.first_ragged_line = 0;
  rejected_.clear();
  rejected_total_ = 0;
  value_issues_ = {};
  aggregate_ = TicketAggregate(config_.by.size(), config_.max_segments);
  parts_.reading = true;
  parts_.start_line = line;
  parts_.warnings_at_start = warnings_.size();
  parts_.stray_quotes_at_start = decoder_->stray_quotes();
  parts_.replaced_at_start = text_->replaced();
  parts_.start_encoding = text_->encoding();
  parts_.start_saw_utf8 = text_->saw_utf8_multibyte();
  decoder_->restart_at_line(line);
  text_->jump_to(offset);
  return true;
}

size_t TicketDataset::guess_record_start(std::string_view bytes, char previous_byte) const {
  if (!in_file_ || !decoder_ || !header_seen_) return std::string_view::npos;
  return kpilens::guess_record_start(bytes, previous_byte, decoder_->delimiter(),
                                     files_.back().headers.size());
}

void TicketDataset::write_part(StateWriter& out, bool last, bool clean) const {
  const FileSummary& file = files_.back();
  out.write_u32(kPartMagic);
  out.write_u8(last ? 1 : 0);
  out.write_u8(clean ? 1 : 0);
  out.write_u8(warnings_.size() != parts_.warnings_at_start || skipping_file_ ? 1 : 0);
  out.write_u64(config_fingerprint_);
  out.write_varint(parts_.start_line);
  out.write_varint(std::max(parts_.start_line, decoder_->line()));
  out.write_varint(config_.by.size());
  for (const std::string& name : config_.by) out.write_string(name);
  out.write_u8(static_cast<uint8_t>(file.delimiter));
  out.write_u8(static_cast<uint8_t>(file.decimal_separator));
  out.write_u8(static_cast<uint8_t>(file.date_order));
  out.write_varint(file.headers.size());
  for (const std::string& name : file.headers) out.write_string(name);
  for (uint64_t value : {file.bytes, file.records, file.rows_used, file.rows_filtered,
                         file.rows_rejected, file.ragged_rows, file.first_ragged_line}) {
    out.write_varint(value);
  }
  out.write_u8(static_cast<uint8_t>(parts_.start_encoding));
  out.write_u8(parts_.start_saw_utf8 ? 1 : 0);
  out.write_u8(static_cast<uint8_t>(text_->encoding()));
  out.write_u8(text_->saw_utf8_multibyte() ? 1 : 0);
  // The head's own invalid sequences and stray quotes are the merging dataset's: only this
  // part's are sent, with their first place when the head had none (else the head's comes first).
  const uint64_t replaced = text_->replaced() - parts_.replaced_at_start;
  out.write_varint(replaced);
  out.write_varint(replaced > 0 && parts_.replaced_at_start == 0 ? text_->first_replaced_offset()
                                                                 : 0);
  const uint64_t stray = decoder_->stray_quotes() - parts_.stray_quotes_at_start;
  out.write_varint(stray);
  out.write_varint(
      stray > 0 && parts_.stray_quotes_at_start == 0 ? decoder_->first_stray_quote_line() : 0);
  out.write_varint(rejected_total_);
  out.write_varint(rejected_.size());
  for (const RejectedRow& row : rejected_) {
    out.write_varint(row.line);
    out.write_string(row.reason);
  }
  out.write_varint(value_issues_.size());
  for (const ValueIssue& issue : value_issues_) {
    out.write_varint(issue.count);
    out.write_string(issue.example);
    out.write_string(issue.reason);
    out.write_varint(issue.lines.size());
    for (uint64_t line : issue.lines) out.write_varint(line);
  }
  aggregate_.save(out);
}

std::optional<bool> TicketDataset::end_part(bool last) {
  if (!parts_.reading) return std::nullopt;
  if (last) finish_decoders();
  // The part's total, built once here rather than by each of save_part's two passes (a sketch
  // of every value past the cap: ~6 ms for half of scripts/bench's file).
  aggregate_.settle_total();
  return last || (text_->can_jump() && decoder_->at_record_start());
}

std::vector<uint8_t> TicketDataset::save_part(bool last) {
  const std::optional<bool> clean = end_part(last);
  if (!clean) return {};
  // Counted first, then written into one allocation of that size (StateWriter::counter).
  StateWriter counter = StateWriter::counter();
  write_part(counter, last, *clean);
  StateWriter out;
  out.reserve(counter.size());
  write_part(out, last, *clean);
  return out.take();
}

void TicketDataset::save_part(bool last, size_t piece_bytes, const PartSink& sink) {
  const std::optional<bool> clean = end_part(last);
  if (!clean) return;
  // Counted first, so that the sink knows the whole size with the first piece.
  StateWriter counter = StateWriter::counter();
  write_part(counter, last, *clean);
  const size_t total = counter.size();
  StateWriter out = StateWriter::streaming(
      piece_bytes, [&](std::span<const uint8_t> piece) { sink(piece, total); });
  write_part(out, last, *clean);
  out.finish();
}

void TicketDataset::prepare_merge() {
  aggregate_.settle_total();
}

TicketDataset::PartMerge TicketDataset::merge_part(std::span<const uint8_t> state,
                                                   std::string& why) {
  // Lending: the part's exact ticks are merged straight from `state` (which outlives the part's
  // aggregate), not copied into that aggregate first.
  StateReader in = StateReader::lending(state);
  return merge_part(in, why);
}

TicketDataset::PartMerge TicketDataset::merge_part(const StateSource& source,
                                                   std::span<uint8_t> window, std::string& why) {
  StateReader in = StateReader::pulling(source, window);
  return merge_part(in, why);
}

TicketDataset::PartMerge TicketDataset::merge_part(StateReader& in, std::string& why) {
  why.clear();
  PartFigures p;
  TicketAggregate part_aggregate(config_.by.size(), config_.max_segments);
  if (!read_part(in, p, config_.max_rejected_listed)) {
    why = "malformed part state";
    return PartMerge::kCorrupt;
  }
  if (p.config != config_fingerprint_) {
    // A driver's mistake (a helper handed another config): its rows would be filtered, bucketed
    // or read otherwise.
    why = "a part was read with another config";
    return PartMerge::kSequential;
  }
  if (p.by != config_.by) {
    // (Checked before the aggregate, whose column count follows config_.by.)
    why = "the part's breakdowns differ from the file's (optional segments decided elsewhere)";
    return PartMerge::kSequential;
  }
  if (!part_aggregate.load(in) || !in.at_end()) {
    why = "malformed part state";
    return PartMerge::kCorrupt;
  }
  if (std::string refusal = part_refusal(); !refusal.empty()) {
    why = refusal;
    return PartMerge::kSequential;
  }
  FileSummary& file = files_.back();  // (a file is being read: part_refusal says so)
  if (p.delimiter != static_cast<uint8_t>(file.delimiter) ||
      p.decimal_separator != static_cast<uint8_t>(file.decimal_separator) ||
      p.date_order != static_cast<uint8_t>(file.date_order) || p.headers != file.headers) {
    // Every part replays the file's head (begin_part) and should decide what the merging dataset
    // decided; one that did not (a driver that gave it another head, or another file's) would
    // count its rows otherwise.
    why =
        "a part was read after another head (its header, delimiter, decimal separator or date "
        "order differ from the file's)";
    return PartMerge::kSequential;
  }
  if (!p.last && !p.ended_at_record_start) {
    // Quote parity is not the decoder's state machine when a quote sits inside an unquoted field
    // (`a"b`): the boundary found by the pre-pass was then no record start.
    why = "a part did not end at a record start (irregular quotes)";
    return PartMerge::kSequential;
  }
  if (p.added_warnings) {
    why = "a part found a problem the whole file reports";
    return PartMerge::kSequential;
  }
  // The encoding: every part started from the head's state. While the file so far has settled
  // nothing more than that, the part read as a sequential reader would have; once an earlier part
  // settled it (its first non-ASCII bytes), a later part agrees only if it saw no non-ASCII at all
  // or settled it the same way.
  TextState file_state{text_->encoding(), text_->saw_utf8_multibyte()};
  if (file_state == p.start) {
    file_state = p.end;
  } else if (!(p.end == p.start || p.end == file_state)) {
    why = "the parts read the text in different encodings";
    return PartMerge::kSequential;
  }

  // The part's lines, after the lines before it: the head's, then the parts merged so far. A part
  // read without knowing its first line counted from 1 (begin_part).
  if (parts_.next_line == 0) parts_.next_line = decoder_->line();
  const uint64_t first_line = parts_.next_line;
  const auto placed = [&](uint64_t line) {
    return line == 0 ? 0 : line - p.start_line + first_line;
  };
  parts_.next_line = first_line + (p.end_line - p.start_line);

  const size_t file_index = files_.size() - 1;
  if (file.ragged_rows == 0) file.first_ragged_line = placed(p.counts.first_ragged_line);
  file.bytes += p.counts.bytes;
  file.records += p.counts.records;
  file.rows_used += p.counts.rows_used;
  file.rows_filtered += p.counts.rows_filtered;
  file.rows_rejected += p.counts.rows_rejected;
  file.ragged_rows += p.counts.ragged_rows;
  text_->adopt(file_state.encoding, file_state.saw_utf8);
  text_->add_replaced(p.replaced, p.first_replaced_offset);
  if (decoder_->stray_quotes() + parts_.stray_quotes == 0) {
    parts_.first_stray_quote_line = placed(p.first_stray_quote_line);
  }
  parts_.stray_quotes += p.stray_quotes;
  rejected_total_ += p.rejected_total;
  for (auto& [line, reason] : p.rejected) {
    if (rejected_.size() >= config_.max_rejected_listed) break;
    rejected_.push_back(RejectedRow{file_index, placed(line), std::move(reason)});
  }
  for (size_t f = 0; f < value_issues_.size(); ++f) {
    ValueIssue& mine = value_issues_[f];
    ValueIssue& theirs = p.issues[f];
    if (theirs.count == 0) continue;
    if (mine.count == 0) {
      mine.example = std::move(theirs.example);
      mine.reason = std::move(theirs.reason);
    }
    mine.count += theirs.count;
    for (uint64_t line : theirs.lines) {
      if (mine.lines.size() >= kValueIssueLines) break;
      mine.lines.push_back(placed(line));
      mine.files.push_back(file_index);
    }
  }
  aggregate_.merge(part_aggregate);
  if (aggregate_.lumped_segment_rows > 0) {
    // "(other)" takes the values first seen past max_segments: an order the merge does not keep.
    why = kLumpedRefusal;
    return PartMerge::kSequential;
  }
  return PartMerge::kMerged;
}

}  // namespace kpilens
