// ticket_dataset: the engine's façade for ticket exports. Files are fed as byte chunks; each file
// is decoded, its header mapped, its rows typed and filtered, and every ticket fed to one shared
// aggregate. Nothing here knows about JavaScript: the bindings and the CLI both drive this class.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "column_mapping.h"
#include "csv_decoder.h"
#include "customer_dataset.h"
#include "engine_config.h"
#include "json_decoder.h"
#include "period.h"
#include "presets.h"
#include "text_decoder.h"
#include "ticket_aggregate.h"
#include "timestamp.h"
#include "value_issue.h"

namespace kpilens {

class StateReader;
class StateSource;

// The bytes a driver gives the engine per feed call (the CLI, the Node and page drivers): large
// enough that a call costs nothing next to the work it brings, small enough that the buffer they
// are read into stays in the core's cache between the read and the decoding, and that a run
// touches little fresh memory. A first touch of a page is a page fault: 10 µs each on the
// benchmark's VM (touching 32 MiB took 85 ms there, rewriting it 1.5 ms), so an 8 MiB buffer cost
// up to 20 ms per reader before its first row.
inline constexpr size_t kFeedBytes = size_t{1} << 20;

struct RejectedRow {
  size_t file = 0;  // index into files()
  uint64_t line = 0;
  std::string reason;
};

struct FileSummary {
  std::string name;
  std::string format = "csv";  // "csv", "json" or "ndjson"
  char delimiter = 0;
  char decimal_separator = '.';
  TextEncoding encoding = TextEncoding::kUtf8;
  uint64_t replaced_chars = 0;  // invalid text sequences read as U+FFFD
  DatasetKind kind = DatasetKind::kTickets;
  std::optional<PresetMatch> preset;
  bool preset_from_config = false;
  uint64_t bytes = 0;
  uint64_t records = 0;  // data records decoded (header excluded)
  uint64_t rows_used = 0;
  uint64_t rows_filtered = 0;
  uint64_t rows_rejected = 0;
  uint64_t ragged_rows = 0;  // fewer fields than the header (kept, missing cells empty)
  uint64_t first_ragged_line = 0;
  std::optional<std::string> error;  // the file could not be read at all
  std::vector<std::string> headers;
  ColumnMapping mapping;
  // What the rows are read through: the mapping less the columns no figure asked for reads
  // (KpiSettings::reads); the mapping itself for a file that is not a ticket export.
  ColumnMapping reading;
  CustomerMapping customer_mapping;  // customer-success kinds (customer_dataset.h)
  DateOrder date_order = DateOrder::kMonthFirst;
  bool date_order_inferred = false;
  std::vector<int> segment_columns;  // per config.by
};

// How survey answers met their tickets (see docs/kpis.md "Survey files and the join").
struct JoinSummary {
  uint64_t answers = 0;              // survey rows with at least one rating
  uint64_t joined = 0;               // found their ticket by ticket id
  uint64_t joined_by_customer = 0;   // no ticket id: took their customer's latest earlier ticket
  uint64_t unmatched = 0;            // had a ticket id that no ticket row carried
  uint64_t without_ticket_id = 0;    // had no ticket id (or no id column)
  uint64_t superseded = 0;           // an older answer for the same ticket, not counted
  uint64_t read_after_tickets = 0;   // came after ticket rows, so could not be joined
  uint64_t dropped_with_ticket = 0;  // their ticket was filtered out
  uint64_t dropped_by_filter = 0;    // not joined, and the filters could not be checked on them
};

class TicketDataset {
 public:
  // Parses the config; its errors are kept and make every later call a no-op (see errors()).
  explicit TicketDataset(std::string_view config_json);
  explicit TicketDataset(EngineConfig config);
  ~TicketDataset();
  TicketDataset(const TicketDataset&) = delete;
  TicketDataset& operator=(const TicketDataset&) = delete;

  // What a file's first bytes (64 KiB is plenty) say it is — format, encoding, columns, preset,
  // kind — read with this dataset's config, without touching the dataset. Drivers read survey
  // files before ticket files so that answers can wait for their tickets.
  FileSummary probe(std::string name, std::string_view first_bytes) const;

  void begin_file(std::string name);
  void feed(std::string_view bytes);
  void end_file();
  // Finishes the aggregate (once) and writes the report (docs/report.md).
  std::string report_json();

  // Parallel reading (ticket_dataset_parts.cpp; docs/architecture.md "Parallel reading"). Once a
  // file's head — its first bytes up to a record start, with the header and the rows that decide
  // the date order — is fed, the rest can be read in parts by other datasets made with the same
  // config: each is fed the same head, begin_part()s at a record start, is fed its part's bytes
  // and save_part()s; this dataset merge_part()s the states in file order, then end_file()s as
  // usual. The report is the sequential one byte for byte, or merge_part says it cannot be (the
  // driver then reads everything sequentially). This dataset may itself be fed the first part
  // after the head (a sequential read so far), and asked part_refusal() again before merging the
  // next parts.
  //
  // Empty when the file being read can be split after what was fed (it ends at a record start,
  // no breakdown lumped values into "(other)", …), else why not.
  std::string part_refusal() const;
  // True when part_refusal() is one that more of the file's head removes (the head is shorter than
  // the start check or the delimiter sniff, ends inside the header, or holds fewer rows than the
  // date-order inference reads): the driver may feed a longer head and ask again.
  bool head_too_short() const;
  // Starts a part at file offset `offset`, 1-based physical line `line`: a record start. False
  // (see part_refusal()) when this file cannot be split. `line` may be relative (1 when the reader
  // does not know how many lines come before): merge_part puts the part's lines after the lines
  // merged before it.
  bool begin_part(uint64_t offset, uint64_t line);
  // For a part's reader that does not know the quote state where its range begins: the first
  // record start in `bytes` (csv_scanner.h guess_record_start, with this file's delimiter and
  // header width), npos when none is found. Only after the head was fed.
  size_t guess_record_start(std::string_view bytes, char previous_byte) const;
  // The part's state; `last`: the part ends at the file's end (its last record may lack a line
  // break, its last quote may be open). Empty when no part was begun.
  std::vector<uint8_t> save_part(bool last);
  // The same bytes, handed to `sink` in pieces of about `piece_bytes` (StateWriter::streaming),
  // each with the whole state's size: the caller copies them where the state goes (wasm: into the
  // JS array sent to the merging worker) while the state itself is never held whole in this
  // dataset's memory — a state of many MB would be that much fresh memory to fault in, on the
  // path the merge waits for. No piece when no part was begun.
  using PartSink = std::function<void(std::span<const uint8_t> piece, size_t total)>;
  void save_part(bool last, size_t piece_bytes, const PartSink& sink);
  enum class PartMerge : uint8_t {
    kMerged,
    kSequential,  // valid, but the merged report would differ from a sequential read
    kCorrupt,     // not a part state of this file (nothing was changed)
  };
  // Optional, before the first merge_part: does now what that merge would do first (builds this
  // dataset's total of the rows so far), so that a driver can do it while the parts are still
  // being read. Rows fed after it cost a little more (each also feeds that total).
  void prepare_merge();
  // Merges the next part's state; `why` says why not when not kMerged. After kSequential this
  // dataset's figures are partly merged: the driver starts over with a sequential read.
  PartMerge merge_part(std::span<const uint8_t> state, std::string& why);
  // The same, the state read from `source` through `window` (StateReader::pulling: its exact
  // ticks go from the source straight into this dataset's groups).
  PartMerge merge_part(const StateSource& source, std::span<uint8_t> window, std::string& why);

  const EngineConfig& config() const { return config_; }
  const std::vector<FileSummary>& files() const { return files_; }
  const std::vector<RejectedRow>& rejected() const { return rejected_; }
  uint64_t rejected_total() const { return rejected_total_; }
  // Data records decoded so far, over all files (for progress displays).
  uint64_t rows_read() const {
    uint64_t rows = 0;
    for (const FileSummary& f : files_) rows += f.records;
    return rows;
  }
  const std::array<ValueIssue, kTicketFieldCount>& value_issues() const { return value_issues_; }
  const std::vector<std::string>& warnings() const { return warnings_; }
  const JoinSummary& join() const { return join_; }
  bool has_survey_files() const;
  const std::vector<std::string>& errors() const { return errors_; }
  // True when nothing usable was read: config errors, or every file failed.
  bool failed() const;
  TicketAggregate& aggregate() { return aggregate_; }
  // The customer-success files' part (subscriptions, invoices, MRR, customers).
  const CustomerDataset& customers() const { return *customers_; }

 private:
  PartMerge merge_part(StateReader& in, std::string& why);
  struct PartRefusal {
    std::string why;  // empty: the file can be split
    bool head_too_short = false;
  };
  PartRefusal refusal() const;
  // Bytes check_start looks at, whatever the chunk sizes.
  static constexpr size_t kStartWindow = 8192;
  class Sink;
  friend class Sink;

  void setup();
  void on_record(const CsvRecord& record);
  // on_record for the header, the rows read before the inference and a skipped file's rows: out
  // of line, so that on_record, a call per row, needs no frame for them.
  void on_early_record(const CsvRecord& record);
  void on_bad_record(uint64_t line, std::string_view reason);
  void on_header(std::span<const std::string_view> fields);
  void decide_inference();
  void process_row(std::span<const std::string_view> fields, uint64_t line);
  void process_answer(std::span<const std::string_view> fields, uint64_t line);
  void process_customer_row(std::span<const std::string_view> fields, uint64_t line);
  void read_ratings(TicketRecord& t, std::span<const std::string_view> fields, uint64_t line);
  void feed_unjoined_answers();
  void join_answer(std::string_view id, TicketRecord* t);
  void offer_ticket_to_customer(std::string_view customer, std::optional<double> created,
                                std::optional<int64_t> period);
  bool width_ok(std::span<const std::string_view> fields, uint64_t line);
  void decide_segments(const std::vector<std::string>& candidates,
                       const std::function<bool(const std::string&)>& available);
  void feed_utf8(std::string_view text);
  void reject(uint64_t line, std::string reason);
  // reject() for the row path: `reason()` builds the text only for the rows that are listed.
  template <class Reason>
  void reject_with(uint64_t line, Reason&& reason);
  void value_issue(TicketField field, uint64_t line, std::string_view cell,
                   std::string_view reason);
  std::optional<double> to_utc(std::string_view cell, TicketField field, uint64_t line, bool& bad,
                               DateMemo* memo = nullptr);
  bool is_solved_status(std::string_view status) const;
  void place_short_solved_statuses();
  bool check_start(std::string_view bytes);
  void release_start();
  // The file's first bytes judged (check_start), the decoder chosen, and the bytes fed to it.
  void begin_body(std::string_view bytes);
  void decode(std::string_view bytes);
  // The end of a part that ends the file: the text and CSV decoders' last bytes (end_file's start).
  void finish_decoders();
  // Ends a part for save_part: whether it ended at a record start (always when `last`), or
  // nothing when no part was begun.
  std::optional<bool> end_part(bool last);
  // A part's state (save_part) into `out`.
  void write_part(StateWriter& out, bool last, bool clean) const;
  int resolve_column(std::string_view name) const;

  EngineConfig config_;
  std::vector<std::string> errors_;
  bool config_failed_ = false;  // the config had errors: every file is skipped
  // config_fingerprint(config) as given: a part's state carries its reader's, and a merge refuses
  // a part read with another config.
  uint64_t config_fingerprint_ = 0;
  std::vector<std::string> warnings_;
  std::vector<std::string> solved_statuses_;  // ASCII lower case
  // The solved statuses of 1 to 8 bytes by slot (is_solved_status): pack_short() of each, and its
  // size (0: an empty slot). Each has a slot of its own, its multiplicative hash with
  // solved_multiplier_, moved on by its size (two statuses whose packed words are equal differ in
  // size, "a" and "aaa", and then land that many slots apart). Without such a multiplier (more
  // statuses than the slots can place), short_solved_ is false, the slots are not read, and every
  // status is looked up in the list.
  struct SolvedSlot {
    uint64_t word = 0;
    uint64_t size = 0;
  };
  static constexpr unsigned kSolvedSlotBits = 5;
  std::array<SolvedSlot, size_t{1} << kSolvedSlotBits> solved_slots_{};
  uint64_t solved_multiplier_ = 0;
  bool short_solved_ = false;
  static size_t solved_slot(uint64_t word, uint64_t size, uint64_t multiplier) {
    return static_cast<size_t>((word * multiplier + (size << (64 - kSolvedSlotBits))) >>
                               (64 - kSolvedSlotBits));
  }
  TicketAggregate aggregate_;
  std::unique_ptr<CustomerDataset> customers_;
  std::vector<FileSummary> files_;
  std::vector<RejectedRow> rejected_;
  uint64_t rejected_total_ = 0;
  std::array<ValueIssue, kTicketFieldCount> value_issues_{};
  bool finished_ = false;

  // Per file being read.
  std::unique_ptr<CsvDecoder> decoder_;
  std::unique_ptr<JsonDecoder> json_;  // set when the file's first bytes are JSON
  std::unique_ptr<TextDecoder> text_;
  std::unique_ptr<Sink> sink_;
  bool in_file_ = false;
  bool skipping_file_ = false;  // a fatal error in this file: its remaining bytes are ignored
  bool header_seen_ = false;
  bool inference_done_ = false;
  bool start_checked_ = false;
  std::string start_bytes_;  // a file's first bytes, held until check_start can judge them together
  std::vector<std::pair<uint64_t, std::vector<std::string>>> pending_rows_;
  std::vector<int> filter_columns_;
  std::vector<std::string_view> segment_values_;
  // The periods of the created and solved times (config_.period's).
  PeriodMemo created_period_memo_, solved_period_memo_;

  // Survey answers waiting for their ticket, by ticket id (memory: one entry per answer).
  struct Answer {
    Rating csat;
    std::optional<double> nps;
    std::optional<double> ces;
    std::optional<double> responded;  // UTC seconds
    uint64_t order = 0;               // read order, for ties
    bool joined = false;
    bool needs_ticket = false;          // a filter column its file lacks: counts only when joined
    std::vector<std::string> segments;  // own cells per answer_segment_names_, "(no ticket)"
                                        // where the file lacks the column
    // Joined by customer: the customer's latest ticket created at or before the answer.
    bool has_ticket = false;
    double ticket_created = 0;  // -infinity for a ticket without created_at
    std::optional<int64_t> ticket_period;
    std::vector<std::string> ticket_segments;  // per config.by
  };
  // Looked up with a row's cell as it is (a string_view), so ticket rows allocate nothing.
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, Answer, StringHash, std::equal_to<>> answers_;
  std::vector<Answer> loose_answers_;  // no ticket id, or read after ticket rows
  // Answers with no ticket id but a customer (email or id), by normalised customer key.
  std::vector<Answer> customer_answers_;
  std::unordered_multimap<std::string, size_t, StringHash, std::equal_to<>> customer_index_;
  std::string customer_key_;  // offer_ticket_to_customer's key, reused row after row
  std::vector<std::string> answer_segment_names_;  // by + by_if_mapped, as configured
  std::vector<int> answer_columns_;                // per answer_segment_names_, this file
  bool by_decided_ = false;  // by_if_mapped resolved (at the first ticket file, else the end)
  bool first_survey_seen_ = false;
  std::vector<std::string> first_survey_by_;
  uint64_t answers_read_ = 0;
  bool ticket_rows_seen_ = false;
  JoinSummary join_;
  char decimal_ = '.';

  // Parallel reading: a part being read here, or the parts merged into the file being read.
  struct PartState {
    bool reading = false;                // begin_part() was called for this file
    size_t warnings_at_start = 0;        // a part must add none (they are per file, not per part)
    uint64_t stray_quotes_at_start = 0;  // the head's, counted by the merging dataset itself
    uint64_t replaced_at_start = 0;
    TextEncoding start_encoding = TextEncoding::kUtf8;
    bool start_saw_utf8 = false;
    uint64_t start_line = 0;    // a part's: begin_part's line
    uint64_t stray_quotes = 0;  // merged from parts
    uint64_t first_stray_quote_line = 0;
    uint64_t next_line = 0;  // merging: the line where the next part starts (0: the head's end)
  };
  PartState parts_;
  // Per timestamp column of ticket rows (fields created_at, solved_at, first_response_at). Last:
  // 1.5 KB each, they would move the members after them to offsets that take a byte more to
  // encode in every wasm instruction that reads them (the page's weight).
  DateMemo created_memo_, solved_memo_, responded_memo_;
};

}  // namespace kpilens
