// ticket_dataset: decoding → header → mapping → (a sample of rows to infer the date order) → typed
// tickets → aggregate. Problems are counted with their line numbers and never stop the file, except
// the few that make a file unreadable as a whole (binary data, no header, nothing mappable).
#include "ticket_dataset.h"

#include <algorithm>
#include <functional>
#include <limits>

#include "code_placement.h"
#include "field_parse.h"
#include "json_decoder.h"
#include "period.h"
#include "report_json.h"
#include "survey_kpis.h"
#include "timestamp.h"

namespace kpilens {

namespace {

// The mapping less the columns that no figure asked for reads (TicketReads). The columns every
// report reads stay: the id and customer (joins), created at (periods, the date range), and the
// breakdown and filter columns, which are not fields.
ColumnMapping columns_read(const ColumnMapping& mapping, const TicketReads& reads) {
  ColumnMapping m = mapping;
  const auto drop = [&](bool read, std::initializer_list<TicketField> fields) {
    if (read) return;
    for (TicketField f : fields) m.fields[static_cast<size_t>(f)].column = -1;
  };
  using F = TicketField;
  drop(reads.csat, {F::kCsat});
  drop(reads.nps, {F::kNps});
  drop(reads.ces, {F::kCes});
  drop(reads.cost, {F::kCost});
  drop(reads.contacts, {F::kReplies, F::kReopens, F::kFirstContactResolved});
  drop(reads.solved, {F::kStatus, F::kSolvedAt, F::kResolutionDuration});
  drop(reads.first_response, {F::kFirstResponseAt, F::kFirstResponseDuration});
  return m;
}

std::string quoted_excerpt(std::string_view cell) {
  std::string_view t = trim(cell);
  if (t.size() > 40) return "'" + std::string(t.substr(0, 40)) + "…'";
  return "'" + std::string(t) + "'";
}

// A column asked for twice would become two identical breakdowns under one JSON key.
void keep_first_of_each(std::vector<std::string>& names) {
  std::vector<std::string> unique;
  for (auto& name : names) {
    if (std::find(unique.begin(), unique.end(), name) == unique.end()) unique.push_back(name);
  }
  names = std::move(unique);
}

bool is_timestamp_field(TicketField f) {
  return field_info(f).kind == FieldKind::kTimestamp;
}

constexpr std::string_view kNoTicket = "(no ticket)";

// A row's cell in `column`: empty for an unmapped column (-1) or a ragged row that lacks it. One
// unsigned test for both: a negative column wraps to beyond any row's width (a row of views fills
// less than half the address space).
std::string_view cell_of(std::span<const std::string_view> fields, int column) {
  const auto at = static_cast<size_t>(column);  // -1 → SIZE_MAX
  return at < fields.size() ? fields[at] : std::string_view{};
}

char ascii_lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

// Customers are matched on the trimmed cell, ASCII case folded (emails differ in case). Into
// `key`, whose capacity is reused.
void fold_customer_key(std::string_view cell, std::string& key) {
  key.assign(trim(cell));
  for (char& c : key) c = ascii_lower(c);
}

std::string customer_key(std::string_view cell) {
  std::string key;
  fold_customer_key(cell, key);
  return key;
}

// Generic headers: ratings with nothing that only a ticket has make a survey file.
DatasetKind classify_kind(const ColumnMapping& m) {
  using F = TicketField;
  if (!m.has(F::kCsat) && !m.has(F::kNps) && !m.has(F::kCes)) return DatasetKind::kTickets;
  constexpr F kTicketOnly[] = {F::kStatus,
                               F::kSolvedAt,
                               F::kFirstResponseAt,
                               F::kReplies,
                               F::kReopens,
                               F::kFirstResponseDuration,
                               F::kResolutionDuration,
                               F::kChannel,
                               F::kAgent,
                               F::kTeam,
                               F::kPriority,
                               F::kFirstContactResolved,
                               F::kCost};
  for (F f : kTicketOnly) {
    if (m.has(f)) return DatasetKind::kTickets;
  }
  return DatasetKind::kSurvey;
}

}  // namespace

class TicketDataset::Sink : public CsvRecordSink {
 public:
  explicit Sink(TicketDataset& owner) : owner_(owner) {}
  void on_record(const CsvRecord& record) override { owner_.on_record(record); }
  void on_bad_record(uint64_t line, std::string_view reason) override {
    owner_.on_bad_record(line, reason);
  }

 private:
  TicketDataset& owner_;
};

KPILENS_RARELY_RUN TicketDataset::TicketDataset(std::string_view config_json) {
  ConfigResult parsed = parse_config(config_json);
  config_ = std::move(parsed.config);
  errors_ = std::move(parsed.errors);
  config_failed_ = !errors_.empty();
  setup();
}

KPILENS_RARELY_RUN TicketDataset::TicketDataset(EngineConfig config) : config_(std::move(config)) {
  setup();
}

KPILENS_RARELY_RUN void TicketDataset::setup() {
  config_fingerprint_ = config_fingerprint(config_);
  keep_first_of_each(config_.by);
  solved_statuses_ =
      config_.solved_statuses.empty() ? default_solved_statuses() : config_.solved_statuses;
  for (std::string& status : solved_statuses_) {
    for (char& c : status) c = ascii_lower(c);
  }
  place_short_solved_statuses();
  aggregate_ = TicketAggregate(config_.by.size(), config_.max_segments);
  answer_segment_names_ = config_.by;
  for (const std::string& name : config_.by_if_mapped) answer_segment_names_.push_back(name);
  keep_first_of_each(answer_segment_names_);
  customers_ = std::make_unique<CustomerDataset>(config_);
}

TicketDataset::~TicketDataset() = default;

bool TicketDataset::failed() const {
  if (config_failed_ || customers_->failed()) return true;
  if (files_.empty()) return false;
  return std::all_of(files_.begin(), files_.end(),
                     [](const FileSummary& f) { return f.error.has_value(); });
}

KPILENS_RARELY_RUN FileSummary TicketDataset::probe(std::string name,
                                                    std::string_view first_bytes) const {
  TicketDataset scratch(config_);
  scratch.begin_file(std::move(name));
  scratch.feed(first_bytes);
  scratch.end_file();
  return scratch.files_.front();
}

KPILENS_RARELY_RUN void TicketDataset::begin_file(std::string name) {
  if (in_file_) end_file();
  FileSummary summary;
  summary.name = std::move(name);
  files_.push_back(std::move(summary));
  CsvOptions options;
  options.delimiter = config_.delimiter;
  decoder_ = std::make_unique<CsvDecoder>(options);
  json_.reset();
  text_ = std::make_unique<TextDecoder>();
  sink_ = std::make_unique<Sink>(*this);
  in_file_ = true;
  skipping_file_ = config_failed_;
  header_seen_ = false;
  inference_done_ = false;
  start_checked_ = false;
  start_bytes_.clear();
  pending_rows_.clear();
  parts_ = PartState{};
}

// Refuses, from its first bytes (already decoded to UTF-8), a file that is not text.
bool TicketDataset::check_start(std::string_view bytes) {
  FileSummary& file = files_.back();
  if (bytes.substr(0, 4) == std::string_view("PK\x03\x04", 4)) {
    file.error = "a ZIP archive (an .xlsx workbook?): export the sheet as CSV";
    return false;
  }
  if (bytes.substr(0, 5) == "%PDF-") {
    file.error = "a PDF document, not a CSV export";
    return false;
  }
  size_t window = std::min<size_t>(bytes.size(), kStartWindow);
  size_t control = 0;
  for (size_t i = 0; i < window; ++i) {
    unsigned char c = static_cast<unsigned char>(bytes[i]);
    if (c == 0) {
      file.error =
          "binary data (a NUL byte at offset " + std::to_string(i) + "): not a CSV or TSV export";
      return false;
    }
    control += (c < 0x20 && c != '\n' && c != '\r' && c != '\t');
  }
  if (window > 0 && control * 10 > window) {
    file.error = "binary data (" + std::to_string(control) + " control bytes in the first " +
                 std::to_string(window) + "): not a CSV or TSV export";
    return false;
  }
  return true;
}

void TicketDataset::feed(std::string_view bytes) {
  if (!in_file_) return;
  files_.back().bytes += bytes.size();
  if (skipping_file_) return;
  text_->decode(bytes, [this](std::string_view utf8) { feed_utf8(utf8); });
}

void TicketDataset::feed_utf8(std::string_view bytes) {
  if (skipping_file_) return;
  if (!start_checked_) {
    // The first bytes are judged together, so a BOM or a NUL is seen however small the chunks. A
    // first chunk that holds them all is judged where it is: copying it (the drivers' chunks are
    // MiBs) would cost a pass over it and as much memory again.
    if (start_bytes_.empty() && bytes.size() >= kStartWindow) {
      start_checked_ = true;
      begin_body(bytes);
      return;
    }
    start_bytes_.append(bytes);
    if (start_bytes_.size() >= kStartWindow) release_start();
    return;
  }
  decode(bytes);
}

void TicketDataset::decode(std::string_view bytes) {
  if (json_) {
    json_->feed(bytes, *sink_);
  } else {
    decoder_->feed(bytes, *sink_);
  }
}

// Judges the held first bytes, picks the JSON or the CSV decoder, then hands them on (or skips
// the file).
void TicketDataset::release_start() {
  start_checked_ = true;
  std::string bytes;
  bytes.swap(start_bytes_);
  begin_body(bytes);
}

void TicketDataset::begin_body(std::string_view bytes) {
  if (!check_start(bytes)) {
    skipping_file_ = true;
    return;
  }
  if (config_.delimiter == 0 && looks_like_json(bytes)) {
    json_ = std::make_unique<JsonDecoder>();
    files_.back().format = "json";
  }
  decode(bytes);
}

void TicketDataset::finish_decoders() {
  if (skipping_file_ || json_) return;
  text_->finish([this](std::string_view utf8) { feed_utf8(utf8); });
  decoder_->finish(*sink_);
}

KPILENS_RARELY_RUN void TicketDataset::end_file() {
  if (!in_file_) return;
  FileSummary& file = files_.back();
  if (!skipping_file_) text_->finish([this](std::string_view utf8) { feed_utf8(utf8); });
  file.encoding = text_->encoding();
  file.replaced_chars = text_->replaced();
  if (!skipping_file_ && !start_checked_ && !start_bytes_.empty()) release_start();
  if (!skipping_file_ && json_) {
    json_->finish(*sink_);
    file.format = json_->shape() == JsonShape::kNdjson ? "ndjson" : "json";
    if (json_->stopped()) {
      if (!header_seen_ && !file.error) {
        file.error = *json_->stopped();
      } else if (header_seen_) {
        warnings_.push_back(file.name + ": " + *json_->stopped() +
                            "; the records before it were kept");
      }
    }
    if (json_->late_paths() > 0) {
      warnings_.push_back(file.name + ": " + std::to_string(json_->late_paths()) +
                          " value(s) under keys first seen after the first records (e.g. '" +
                          json_->first_late_path() + "') were not read");
    }
  }
  if (!skipping_file_) {
    if (!json_) decoder_->finish(*sink_);
    if (!header_seen_ && !file.error) {
      file.error = file.bytes == 0 ? "empty file (0 bytes)" : "no header row (the file is blank)";
    } else if (header_seen_ && !file.error) {
      if (!inference_done_) decide_inference();
      if (file.records == 0 && !file.error) {
        warnings_.push_back(file.name + ": header only, no data rows");
      }
    }
    if (!json_) file.delimiter = decoder_->delimiter();
    // (Parts read by other datasets and merged here add theirs: ticket_dataset_parts.cpp.)
    const uint64_t stray_quotes = json_ ? 0 : decoder_->stray_quotes() + parts_.stray_quotes;
    if (stray_quotes > 0) {
      const uint64_t first_line = decoder_->stray_quotes() > 0 ? decoder_->first_stray_quote_line()
                                                               : parts_.first_stray_quote_line;
      warnings_.push_back(file.name + ": " + std::to_string(stray_quotes) +
                          " quoted field(s) had text after the closing quote (first on line " +
                          std::to_string(first_line) + "); the text was kept");
    }
    if (file.replaced_chars > 0) {
      warnings_.push_back(file.name + ": " + std::to_string(file.replaced_chars) +
                          " invalid UTF-8 sequence(s) were read as U+FFFD (first at byte " +
                          std::to_string(text_->first_replaced_offset()) + ")");
    }
    if (file.ragged_rows > 0) {
      warnings_.push_back(file.name + ": " + std::to_string(file.ragged_rows) +
                          " row(s) had fewer fields than the header (first on line " +
                          std::to_string(file.first_ragged_line) +
                          "); the missing cells were read as empty");
    }
  }
  if (file.error) errors_.push_back(file.name + ": " + *file.error);
  decoder_.reset();
  json_.reset();
  text_.reset();
  sink_.reset();
  pending_rows_.clear();
  in_file_ = false;
  skipping_file_ = false;
}

void TicketDataset::on_bad_record(uint64_t line, std::string_view reason) {
  if (!header_seen_) {
    files_.back().error = std::string("the header row could not be read: ") + std::string(reason);
    return;
  }
  ++files_.back().records;
  reject(line, std::string(reason));
}

void TicketDataset::reject(uint64_t line, std::string reason) {
  reject_with(line, [&] { return std::move(reason); });
}

template <class Reason>
void TicketDataset::reject_with(uint64_t line, Reason&& reason) {
  ++files_.back().rows_rejected;
  ++rejected_total_;
  if (rejected_.size() < config_.max_rejected_listed) {
    rejected_.push_back(RejectedRow{files_.size() - 1, line, reason()});
  }
}

// A multiplier that gives every short solved status a slot of its own: odd multipliers from the
// golden ratio's on, until one does (the six default statuses of up to 8 bytes in 32 slots: about
// three in five do).
KPILENS_RARELY_RUN void TicketDataset::place_short_solved_statuses() {
  short_solved_ = false;
  for (uint64_t multiplier = 0x9E3779B97F4A7C15, tries = 0; tries < 256;
       ++tries, multiplier += 0x5851F42D4C957F2E) {
    solved_slots_ = {};
    bool placed = true;
    for (const std::string& status : solved_statuses_) {
      if (status.empty() || status.size() > 8) continue;
      SolvedSlot& slot = solved_slots_[solved_slot(pack_short(status), status.size(), multiplier)];
      const SolvedSlot mine{pack_short(status), status.size()};
      if (slot.size != 0 && (slot.word != mine.word || slot.size != mine.size)) {
        placed = false;  // two statuses in one slot (the same status twice may share it)
        break;
      }
      slot = mine;
    }
    if (placed) {
      solved_multiplier_ = multiplier;
      short_solved_ = true;
      return;
    }
  }
}

// ASCII case-insensitive, against the folded list (as iequals would, without folding the list
// again for every row). A status of 1 to 8 bytes (nearly every one) is solved exactly when the
// slot it hashes to holds it: a load and one comparison of values, with no branch on which status
// the row has (statuses change from row to row as the data does, and a loop that left at the one
// found was mispredicted on two rows in three).
KPILENS_ROW_PATH_INLINE bool TicketDataset::is_solved_status(std::string_view status) const {
  if (short_solved_ && status.size() - 1 < 8) [[likely]] {  // (1 to 8 bytes: 0 wraps round)
    const uint64_t word = ascii_lower_word(pack_short(status));
    const SolvedSlot& slot = solved_slots_[solved_slot(word, status.size(), solved_multiplier_)];
    return (slot.word == word) & (slot.size == status.size());
  }
  for (const std::string& solved : solved_statuses_) {
    if (solved.size() != status.size()) continue;
    size_t i = 0;
    while (i < status.size() && ascii_lower(status[i]) == solved[i]) ++i;
    if (i == status.size()) return true;
  }
  return false;
}

void TicketDataset::value_issue(TicketField field, uint64_t line, std::string_view cell,
                                std::string_view reason) {
  ValueIssue& issue = value_issues_[static_cast<size_t>(field)];
  if (issue.count++ == 0) {
    issue.example = quoted_excerpt(cell);
    issue.reason = std::string(reason);
  }
  if (issue.lines.size() < kValueIssueLines) {
    issue.lines.push_back(line);
    issue.files.push_back(files_.size() - 1);
  }
}

int TicketDataset::resolve_column(std::string_view name) const {
  const FileSummary& file = files_.back();
  int column = find_column(file.headers, name);
  if (column >= 0) return column;
  if (auto field = field_from_name(name)) return file.mapping[*field].column;
  return -1;
}

KPILENS_RARELY_RUN void TicketDataset::on_header(std::span<const std::string_view> fields) {
  FileSummary& file = files_.back();
  file.headers.reserve(fields.size());
  for (std::string_view f : fields) file.headers.emplace_back(trim(f));

  // Which export this is: the config's choice (this file's, else the dataset's), else detected.
  const FileOverrides* own = nullptr;
  for (const FileOverrides& f : config_.files) {
    if (f.name == file.name) own = &f;
  }
  std::optional<std::string> chosen = own && own->preset ? own->preset : config_.preset;
  const Preset* preset = nullptr;
  if (chosen) {
    if (*chosen != "none") {
      preset = find_preset(*chosen);
      file.preset = score_preset(*preset, file.headers);
      file.preset_from_config = true;
    }
  } else if (auto match = detect_preset(file.headers)) {
    preset = match->preset;
    file.preset = match;
  }
  // Customer-success files (subscriptions, invoices, MRR, customers) are the customer dataset's.
  std::optional<DatasetKind> forced = own ? own->kind : std::nullopt;
  CustomerClaim claim = customers_->claim_file(file.name, files_.size() - 1, file.headers, forced,
                                               preset, file.preset_from_config, own);
  if (claim.claimed) {
    file.kind = claim.kind;
    if (claim.preset_dropped) file.preset.reset();
    file.customer_mapping = claim.mapping;
    if (claim.error) {
      file.error = *claim.error;  // end_file reports it once, as "<file>: <reason>"
      skipping_file_ = true;
    }
    return;
  }
  // What the file holds: the preset's kind, else what its headers map to with this file's own
  // overrides (the dataset-wide mapping names the tickets' columns, so it cannot say).
  if (forced) {
    file.kind = *forced;
  } else if (preset) {
    file.kind = preset->kind;
  } else {
    MappingOverrides own_columns;
    if (own) {
      for (const auto& entry : own->mapping.columns) {
        if (!entry.second || find_column(file.headers, *entry.second) >= 0) {
          own_columns.columns.push_back(entry);
        }
      }
    }
    file.kind = classify_kind(map_columns(file.headers, own_columns).mapping);
  }

  // The dataset's mapping, then this file's. A survey file ignores dataset-wide column choices
  // it has no column for (they name the tickets' columns).
  MappingOverrides overrides;
  for (const auto& entry : config_.mapping.columns) {
    // Entries for customer fields are the customer-success files' (customer_mapping.h).
    if (!field_from_name(entry.first) && customer_field_from_name(entry.first)) continue;
    if (file.kind == DatasetKind::kSurvey && entry.second &&
        find_column(file.headers, *entry.second) < 0) {
      continue;
    }
    overrides.columns.push_back(entry);
  }
  overrides.units = config_.mapping.units;
  if (own) {
    for (const auto& entry : own->mapping.columns) {
      std::erase_if(overrides.columns, [&](const auto& e) { return e.first == entry.first; });
      overrides.columns.push_back(entry);
    }
    for (const auto& entry : own->mapping.units) {
      std::erase_if(overrides.units, [&](const auto& e) { return e.first == entry.first; });
      overrides.units.push_back(entry);
    }
  }
  MappingResult mapped = map_columns(file.headers, overrides, preset);
  file.mapping = mapped.mapping;
  // Customer-success input reads its customers' tickets whole (the health score's ticket
  // components): the figures asked for are the tickets' only.
  file.reading = file.kind == DatasetKind::kTickets && !customers_->notes_tickets()
                     ? columns_read(file.mapping, config_.kpis.reads)
                     : file.mapping;
  if (!mapped.errors.empty()) {
    std::string joined;
    for (const auto& e : mapped.errors) joined += (joined.empty() ? "" : "; ") + e;
    file.error = joined;  // end_file reports it once, as "<file>: <reason>"
    skipping_file_ = true;
    return;
  }
  bool any = std::any_of(file.mapping.fields.begin(), file.mapping.fields.end(),
                         [](const FieldBinding& b) { return b.column >= 0; });
  if (!any) {
    std::string columns;
    for (size_t i = 0; i < file.headers.size() && i < 12; ++i) {
      columns += (i ? ", " : "") + file.headers[i];
    }
    file.error = "no column looks like a ticket field (columns: " + columns +
                 "); map them with --map field=Header or the config's mapping";
    skipping_file_ = true;
    return;
  }
  if (!file.mapping.has(TicketField::kCreatedAt)) {
    warnings_.push_back(file.name +
                        ": no created_at column, so there are no periods: figures cover the "
                        "whole file");
    if ((config_.date_from || config_.date_to) && file.kind == DatasetKind::kTickets) {
      // (A survey answer with no time counts only through the ticket it joins.)
      warnings_.push_back(file.name +
                          ": date_from/date_to filter on created_at, which this file "
                          "lacks: its rows were not filtered by date");
    }
  }
  const bool survey = file.kind == DatasetKind::kSurvey;
  filter_columns_.clear();
  for (const FilterSpec& filter : config_.filters) {
    int column = resolve_column(filter.column);
    if (column < 0 && survey) {
      filter_columns_.push_back(-1);  // decided by the joined ticket
      continue;
    }
    if (column < 0) {
      file.error = "filter column '" + filter.column + "' is not in this file";
      skipping_file_ = true;
      return;
    }
    filter_columns_.push_back(column);
  }
  if (survey && ticket_rows_seen_) {
    warnings_.push_back(file.name +
                        ": survey answers read after ticket rows cannot be joined to them; "
                        "read survey files first (the CLI and the page order files by "
                        "themselves)");
  }
  if (survey) {
    // Answers keep their own cells for every segment the breakdowns may use; which ones are used
    // is known once a ticket file (or the end) decides.
    answer_columns_.clear();
    for (const std::string& name : answer_segment_names_) {
      answer_columns_.push_back(resolve_column(name));
    }
    if (!first_survey_seen_) {
      first_survey_seen_ = true;
      for (const std::string& by : config_.by_if_mapped) {
        if (resolve_column(by) >= 0) first_survey_by_.push_back(by);
      }
    }
    return;
  }
  if (!by_decided_) {
    // First ticket file: the optional segments it can feed join the breakdowns (no row has been
    // fed yet: survey answers wait for the end).
    decide_segments(config_.by_if_mapped,
                    [&](const std::string& by) { return resolve_column(by) >= 0; });
  } else {
    // A later ticket file may feed an optional segment the earlier ones lacked: it joins now, and
    // the tickets already read count as blank in it.
    for (const std::string& by : config_.by_if_mapped) {
      if (resolve_column(by) >= 0 &&
          std::find(config_.by.begin(), config_.by.end(), by) == config_.by.end()) {
        config_.by.push_back(by);
        aggregate_.add_segment_column();
      }
    }
  }
  file.segment_columns.clear();
  for (const std::string& by : config_.by) {
    int column = resolve_column(by);
    bool optional = std::find(config_.by_if_mapped.begin(), config_.by_if_mapped.end(), by) !=
                    config_.by_if_mapped.end();
    if (column < 0 && (optional || survey)) {
      file.segment_columns.push_back(-1);  // read as blank (survey answers: their ticket's)
      continue;
    }
    if (column < 0) {
      file.error = "segment column '" + by + "' is not in this file";
      skipping_file_ = true;
      return;
    }
    file.segment_columns.push_back(column);
  }
  segment_values_.resize(config_.by.size());
}

void TicketDataset::on_record(const CsvRecord& record) {
  if (header_seen_ && inference_done_ && !skipping_file_) [[likely]] {
    ++files_.back().records;
    process_row(record.fields, record.line);
    return;
  }
  on_early_record(record);
}

[[gnu::noinline]] KPILENS_RARELY_RUN void TicketDataset::on_early_record(const CsvRecord& record) {
  if (skipping_file_) return;
  FileSummary& file = files_.back();
  if (!header_seen_) {
    header_seen_ = true;
    if (!json_) file.delimiter = decoder_->delimiter();
    on_header(record.fields);
    return;
  }
  ++file.records;
  if (!inference_done_) {
    std::vector<std::string> copy(record.fields.begin(), record.fields.end());
    pending_rows_.emplace_back(record.line, std::move(copy));
    if (pending_rows_.size() >= config_.inference_rows) decide_inference();
    return;
  }
  process_row(record.fields, record.line);
}

KPILENS_RARELY_RUN void TicketDataset::decide_inference() {
  inference_done_ = true;
  FileSummary& file = files_.back();
  if (skipping_file_) return;
  decimal_ = config_.decimal_separator != 0 ? config_.decimal_separator
             : file.delimiter == ';'        ? ','
                                            : '.';
  file.decimal_separator = decimal_;
  if (config_.date_order != DateOrder::kAuto) {
    file.date_order = config_.date_order;
  } else {
    DateOrderEvidence evidence;
    for (const auto& info : ticket_fields()) {
      if (!is_timestamp_field(info.field) || !file.mapping.has(info.field)) continue;
      size_t column = static_cast<size_t>(file.mapping[info.field].column);
      for (const auto& [line, cells] : pending_rows_) {
        if (column < cells.size()) evidence.observe(cells[column]);
      }
    }
    if (is_customer_kind(file.kind)) {
      for (int column : customers_->timestamp_columns()) {
        for (const auto& [line, cells] : pending_rows_) {
          if (static_cast<size_t>(column) < cells.size()) {
            evidence.observe(cells[static_cast<size_t>(column)]);
          }
        }
      }
    }
    // European exports (';' CSV) write day first when nothing says otherwise.
    DateOrder fallback = file.delimiter == ';' ? DateOrder::kDayFirst : DateOrder::kMonthFirst;
    file.date_order = evidence.decide(fallback);
    file.date_order_inferred = true;
    if (evidence.conflicting()) {
      warnings_.push_back(file.name +
                          ": slash dates are written both day-first and month-first; "
                          "read as " +
                          std::string(file.date_order == DateOrder::kDayFirst ? "DD/MM" : "MM/DD") +
                          " (set date_order to choose)");
    }
  }
  std::vector<std::string_view> views;
  for (const auto& [line, cells] : pending_rows_) {
    views.assign(cells.begin(), cells.end());
    process_row(views, line);
  }
  pending_rows_.clear();
  pending_rows_.shrink_to_fit();
}

KPILENS_ROW_PATH_INLINE std::optional<double> TicketDataset::to_utc(std::string_view cell,
                                                                    TicketField field,
                                                                    uint64_t line, bool& bad,
                                                                    DateMemo* memo) {
  bad = false;
  // Trimmed once here: parse_timestamp's own trim would only scan the same ends again.
  const std::string_view text = trim(cell);
  if (text.empty()) return std::nullopt;
  auto ts = parse_fixed_timestamp(text, memo);
  if (!ts) ts = parse_timestamp_general(text, files_.back().date_order, memo);
  if (!ts) {
    bad = true;
    value_issue(field, line, cell, "not a date and time");
    return std::nullopt;
  }
  if (ts->has_offset) return ts->seconds;
  return ts->seconds - config_.period.utc_offset_minutes * 60.0;
}

bool TicketDataset::width_ok(std::span<const std::string_view> fields, uint64_t line) {
  FileSummary& file = files_.back();
  const size_t width = file.headers.size();
  if (fields.size() > width) {
    for (size_t i = width; i < fields.size(); ++i) {
      if (!is_blank(fields[i])) {
        reject_with(line, [&] {
          return std::to_string(fields.size()) + " fields where the header has " +
                 std::to_string(width) + " (an unquoted delimiter?)";
        });
        return false;
      }
    }
  } else if (fields.size() < width) {
    if (file.ragged_rows++ == 0) file.first_ragged_line = line;
  }
  return true;
}

void TicketDataset::process_row(std::span<const std::string_view> fields, uint64_t line) {
  if (!width_ok(fields, line)) return;
  FileSummary& file = files_.back();
  if (is_customer_kind(file.kind)) {
    process_customer_row(fields, line);
    return;
  }
  if (file.kind == DatasetKind::kSurvey) {
    process_answer(fields, line);
    return;
  }
  ticket_rows_seen_ = true;
  auto cell_at = [&](int column) { return cell_of(fields, column); };
  const ColumnMapping& m = file.reading;
  auto cell = [&](TicketField f) { return cell_at(m[f].column); };

  // An answer waiting for a ticket that is filtered out is not counted either.
  auto drop_answer = [&] {
    if (!answers_.empty() && m.has(TicketField::kId))
      join_answer(trim(cell(TicketField::kId)), nullptr);
  };
  for (size_t i = 0; i < filter_columns_.size(); ++i) {
    std::string_view value = trim(cell_at(filter_columns_[i]));
    const auto& allowed = config_.filters[i].values;
    if (std::find(allowed.begin(), allowed.end(), value) == allowed.end()) {
      ++file.rows_filtered;
      drop_answer();
      return;
    }
  }

  TicketRecord t;
  bool bad = false;
  std::optional<int64_t> period;
  if (m.has(TicketField::kCreatedAt)) {
    std::string_view created = cell(TicketField::kCreatedAt);
    const std::string_view created_text = trim(created);  // (as to_utc: one trim per cell)
    if (created_text.empty()) {
      reject_with(line, [] { return std::string("created_at is empty"); });
      return;
    }
    auto ts = parse_fixed_timestamp(created_text, &created_memo_);
    if (!ts) ts = parse_timestamp_general(created_text, file.date_order, &created_memo_);
    if (!ts) {
      reject_with(line, [&] {
        return "created_at " + quoted_excerpt(created) + " is not a date and time";
      });
      return;
    }
    t.created =
        ts->has_offset ? ts->seconds : ts->seconds - config_.period.utc_offset_minutes * 60.0;
    if (config_.date_from || config_.date_to) {
      const int64_t day = local_day(*t.created, config_.period.utc_offset_minutes);
      if ((config_.date_from && day < *config_.date_from) ||
          (config_.date_to && day > *config_.date_to)) {
        ++file.rows_filtered;
        drop_answer();
        return;
      }
    }
    period = period_index(*t.created, config_.period, created_period_memo_);
  }

  // Solved: the status decides when there is one; else a solved time; else a resolution duration.
  t.solved_at =
      m.has(TicketField::kSolvedAt)
          ? to_utc(cell(TicketField::kSolvedAt), TicketField::kSolvedAt, line, bad, &solved_memo_)
          : std::nullopt;
  std::string_view status = trim(cell(TicketField::kStatus));
  if (m.has(TicketField::kStatus) && !status.empty()) {
    t.solved = is_solved_status(status);
  } else if (m.has(TicketField::kSolvedAt)) {
    t.solved = t.solved_at.has_value();
  } else if (m.has(TicketField::kResolutionDuration)) {
    t.solved = !is_blank(cell(TicketField::kResolutionDuration));
  }

  // A duration column's cell in minutes; blank, unreadable and negative cells give nothing (the
  // last two are counted as value issues). It stays out of line (two calls): it takes the cell
  // rather than capturing `cell`, whose captures would then live in linear memory for the whole
  // row (in the wasm build), as would everything captured by reference here.
  auto duration_column = [this, line](TicketField f, std::string_view c,
                                      DurationUnit unit) -> std::optional<double> {
    if (is_blank(c)) return std::nullopt;
    auto minutes = parse_duration_minutes(c, unit, decimal_);
    if (!minutes) {
      value_issue(f, line, c, "not a duration");
      return std::nullopt;
    }
    if (*minutes < 0) {
      value_issue(f, line, c, "negative duration");
      return std::nullopt;
    }
    return minutes;
  };

  // First response, in minutes.
  if (m.has(TicketField::kFirstResponseDuration)) {
    t.first_response_minutes = duration_column(TicketField::kFirstResponseDuration,
                                               cell(TicketField::kFirstResponseDuration),
                                               m[TicketField::kFirstResponseDuration].unit);
  } else if (m.has(TicketField::kFirstResponseAt) && t.created) {
    auto responded = to_utc(cell(TicketField::kFirstResponseAt), TicketField::kFirstResponseAt,
                            line, bad, &responded_memo_);
    if (responded) {
      double minutes = (*responded - *t.created) / 60.0;
      if (minutes < 0) {
        value_issue(TicketField::kFirstResponseAt, line, cell(TicketField::kFirstResponseAt),
                    "first response before creation");
      } else {
        t.first_response_minutes = minutes;
      }
    }
  }

  // Resolution, in hours, for solved tickets.
  if (t.solved) {
    if (m.has(TicketField::kResolutionDuration)) {
      if (auto minutes = duration_column(TicketField::kResolutionDuration,
                                         cell(TicketField::kResolutionDuration),
                                         m[TicketField::kResolutionDuration].unit)) {
        t.resolution_hours = *minutes / 60.0;
      }
    } else if (t.solved_at && t.created) {
      double seconds = *t.solved_at - *t.created;
      if (seconds < 0) {
        value_issue(TicketField::kSolvedAt, line, cell(TicketField::kSolvedAt),
                    "solved before creation");
      } else {
        t.resolution_hours = seconds / 3600.0;
      }
    }
  }

  auto count_field = [&](TicketField f) KPILENS_ROW_PATH_INLINE -> std::optional<double> {
    if (!m.has(f)) return std::nullopt;
    std::string_view c = cell(f);
    // Nearly every count of an export: whole and ≥ 0 as it is read.
    if (const int small = small_whole(c); small >= 0) return small;
    const std::string_view text = trim(c);
    if (text.empty()) return std::nullopt;
    auto v = parse_number(text, decimal_);
    if (!v || *v < 0 || !is_whole(*v)) {
      value_issue(f, line, c, "not a whole number ≥ 0");
      return std::nullopt;
    }
    return v;
  };
  t.replies = count_field(TicketField::kReplies);
  t.reopens = count_field(TicketField::kReopens);
  if (m.has(TicketField::kFirstContactResolved)) {
    std::string_view c = cell(TicketField::kFirstContactResolved);
    if (!is_blank(c)) {
      t.first_contact_resolved = parse_bool(c);
      if (!t.first_contact_resolved) {
        value_issue(TicketField::kFirstContactResolved, line, c, "not yes/no");
      }
    }
  }

  const KpiSettings& k = config_.kpis;
  read_ratings(t, fields, line);
  if (!answers_.empty() && m.has(TicketField::kId)) join_answer(trim(cell(TicketField::kId)), &t);
  if (m.has(TicketField::kCost)) {
    std::string_view c = cell(TicketField::kCost);
    if (!is_blank(c)) {
      t.cost = parse_number(c, decimal_);
      if (!t.cost) value_issue(TicketField::kCost, line, c, "not a number");
    }
  }

  std::optional<int64_t> left_period;
  if (t.solved && period && config_.kpis.reads.backlog_flows) {
    left_period =
        t.solved_at ? period_index(*t.solved_at, config_.period, solved_period_memo_) : *period;
  }
  for (size_t i = 0; i < file.segment_columns.size(); ++i) {
    std::string_view value = trim(cell_at(file.segment_columns[i]));
    if (value.size() > 200) value = value.substr(0, 200);
    segment_values_[i] = value;
  }
  ++file.rows_used;
  // The health score's join reads the ticket (docs/kpis.md "Tickets and survey answers of a
  // customer") once the dataset has customer-success input; nothing of the ticket's figures
  // changes.
  if (m.has(TicketField::kCustomer) && customers_->notes_tickets()) {
    customers_->note_ticket(cell(TicketField::kCustomer), t);
  }
  if (!customer_index_.empty() && m.has(TicketField::kCustomer)) {
    offer_ticket_to_customer(cell(TicketField::kCustomer), t.created, period);
  }
  aggregate_.feed(t, period, left_period, segment_values_, k);
}

// A used ticket row is a candidate for its customer's waiting answers: each keeps the latest ticket
// created at or before the answer (any ticket, the latest, when the answer has no time).
void TicketDataset::offer_ticket_to_customer(std::string_view customer,
                                             std::optional<double> created,
                                             std::optional<int64_t> period) {
  fold_customer_key(customer, customer_key_);
  if (customer_key_.empty()) return;
  auto [begin, end] = customer_index_.equal_range(std::string_view(customer_key_));
  const double when = created ? *created : -std::numeric_limits<double>::infinity();
  for (auto it = begin; it != end; ++it) {
    Answer& answer = customer_answers_[it->second];
    if (created && answer.responded && *created > *answer.responded) continue;
    if (answer.has_ticket && when < answer.ticket_created) continue;
    answer.has_ticket = true;
    answer.ticket_created = when;
    answer.ticket_period = period;
    answer.ticket_segments.assign(segment_values_.begin(), segment_values_.end());
  }
}

KPILENS_ROW_PATH_INLINE void TicketDataset::read_ratings(TicketRecord& t,
                                                         std::span<const std::string_view> fields,
                                                         uint64_t line) {
  const ColumnMapping& m = files_.back().reading;
  auto cell = [&](TicketField f) { return cell_of(fields, m[f].column); };
  const KpiSettings& k = config_.kpis;
  // A blank cell is no rating (parse_rating would say Rating{}), which t, fresh, already holds.
  if (m.has(TicketField::kCsat) && !is_blank(cell(TicketField::kCsat))) {
    std::string_view c = cell(TicketField::kCsat);
    // A score of one or two digits (most ratings) as parse_rating reads it, without the call.
    const int small = small_whole(c);
    auto rating =
        small >= 0 ? std::optional<Rating>(Rating{RatingKind::kScore, static_cast<double>(small)})
                   : parse_rating(c, decimal_);
    if (!rating) {
      value_issue(TicketField::kCsat, line, c, "not a satisfaction rating");
    } else if (rating->kind == RatingKind::kScore &&
               !(rating->score >= k.csat.scale_min && rating->score <= k.csat.scale_max)) {
      value_issue(TicketField::kCsat, line, c, "outside the CSAT scale");
    } else {
      t.csat = *rating;
    }
  }
  // A rating on a scale, from a cell that is not blank. Most NPS and CES cells of an export are
  // blank (no answer): that is tested inline, as the call costs more than the test in the wasm
  // build's row path (what the caller holds in registers is saved around it).
  auto scale_field = [&](TicketField f, std::string_view c, double lo, double hi, bool whole,
                         std::string_view reason) -> std::optional<double> {
    auto v = parse_number(trim(c), decimal_);
    if (!v || *v < lo || *v > hi || (whole && !is_whole(*v))) {
      value_issue(f, line, c, reason);
      return std::nullopt;
    }
    return v;
  };
  if (std::string_view c = cell(TicketField::kNps); m.has(TicketField::kNps) && !is_blank(c)) {
    t.nps = scale_field(TicketField::kNps, c, 0, 10, true, "not a whole number from 0 to 10");
  }
  if (std::string_view c = cell(TicketField::kCes); m.has(TicketField::kCes) && !is_blank(c)) {
    t.ces = scale_field(TicketField::kCes, c, k.ces.scale_min, k.ces.scale_max, false,
                        "outside the CES scale");
  }
}

// A customer-success row: the customer dataset reads it; the counts stay with the file.
void TicketDataset::process_customer_row(std::span<const std::string_view> fields, uint64_t line) {
  FileSummary& file = files_.back();
  RowResult result = customers_->feed_row(fields, line, file.date_order, decimal_);
  switch (result.outcome) {
    case RowOutcome::kUsed:
      ++file.rows_used;
      break;
    case RowOutcome::kFiltered:
      ++file.rows_filtered;
      break;
    case RowOutcome::kRejected:
      reject(line, std::move(result.reason));
      break;
  }
}

// A survey row: held until the end, when it is known whether its ticket was read.
void TicketDataset::process_answer(std::span<const std::string_view> fields, uint64_t line) {
  FileSummary& file = files_.back();
  const ColumnMapping& m = file.mapping;
  auto cell_at = [&](int column) { return cell_of(fields, column); };
  Answer answer;
  // Filters on columns the survey file has are applied now; the others by the joined ticket.
  for (size_t i = 0; i < filter_columns_.size(); ++i) {
    if (filter_columns_[i] < 0) {
      answer.needs_ticket = true;
      continue;
    }
    std::string_view value = trim(cell_at(filter_columns_[i]));
    const auto& allowed = config_.filters[i].values;
    if (std::find(allowed.begin(), allowed.end(), value) == allowed.end()) {
      ++file.rows_filtered;
      return;
    }
  }
  TicketRecord t;
  read_ratings(t, fields, line);
  ++file.rows_used;
  const bool rated = is_response(t.csat) || t.nps || t.ces;
  if (!rated) return;
  ++join_.answers;
  bool bad = false;
  if (m.has(TicketField::kCreatedAt)) {
    answer.responded =
        to_utc(cell_at(m[TicketField::kCreatedAt].column), TicketField::kCreatedAt, line, bad);
  }
  answer.csat = t.csat;
  answer.nps = t.nps;
  answer.ces = t.ces;
  answer.order = answers_read_++;
  answer.segments.reserve(answer_columns_.size());
  for (int column : answer_columns_) {
    if (column < 0) {
      answer.segments.emplace_back(kNoTicket);
      continue;
    }
    std::string_view value = trim(cell_at(column));
    answer.segments.emplace_back(value.substr(0, std::min<size_t>(value.size(), 200)));
  }
  std::string_view id =
      m.has(TicketField::kId) ? trim(cell_at(m[TicketField::kId].column)) : std::string_view{};
  std::string customer = m.has(TicketField::kCustomer)
                             ? customer_key(cell_at(m[TicketField::kCustomer].column))
                             : std::string();
  if (id.empty() && m.has(TicketField::kCustomer)) {
    customers_->note_answer(cell_at(m[TicketField::kCustomer].column), t);
  }
  if (id.empty() && !customer.empty() && !ticket_rows_seen_) {
    ++join_.without_ticket_id;
    customer_index_.emplace(std::move(customer), customer_answers_.size());
    customer_answers_.push_back(std::move(answer));
    return;
  }
  if (id.empty() || ticket_rows_seen_) {
    ++(id.empty() ? join_.without_ticket_id : join_.read_after_tickets);
    loose_answers_.push_back(std::move(answer));
    return;
  }
  auto [it, inserted] = answers_.try_emplace(std::string(id));
  if (!inserted) {
    ++join_.superseded;
    // The latest answer counts; without both times, the one read last.
    const Answer& held = it->second;
    if (answer.responded && held.responded && *answer.responded < *held.responded) return;
  }
  it->second = std::move(answer);
}

// A ticket row meets its waiting answer: the answer's ratings replace the row's own (t), or, when
// the ticket was filtered out (t == nullptr), the answer is dropped with it.
void TicketDataset::join_answer(std::string_view id, TicketRecord* t) {
  if (id.empty()) return;
  auto it = answers_.find(id);
  if (it == answers_.end() || it->second.joined) return;
  Answer& answer = it->second;
  answer.joined = true;
  if (!t) {
    ++join_.dropped_with_ticket;
    return;
  }
  ++join_.joined;
  if (answer.csat.kind != RatingKind::kNone) t->csat = answer.csat;
  if (answer.nps) t->nps = answer.nps;
  if (answer.ces) t->ces = answer.ces;
}

void TicketDataset::decide_segments(const std::vector<std::string>& candidates,
                                    const std::function<bool(const std::string&)>& available) {
  by_decided_ = true;
  for (const std::string& by : candidates) {
    if (available(by) && std::find(config_.by.begin(), config_.by.end(), by) == config_.by.end()) {
      config_.by.push_back(by);
    }
  }
  aggregate_ = TicketAggregate(config_.by.size(), config_.max_segments);
}

// At the end: answers no ticket row claimed count on their own (their own date and segment
// cells, "(no ticket)" for segments their file lacks).
KPILENS_RARELY_RUN void TicketDataset::feed_unjoined_answers() {
  if (!by_decided_) {
    decide_segments(first_survey_by_, [](const std::string&) { return true; });
  }
  std::vector<const Answer*> waiting;
  for (const auto& [id, answer] : answers_) {
    if (!answer.joined) waiting.push_back(&answer);
  }
  join_.unmatched += waiting.size();
  for (const Answer& answer : loose_answers_) waiting.push_back(&answer);
  for (const Answer& answer : customer_answers_) waiting.push_back(&answer);
  std::sort(waiting.begin(), waiting.end(),
            [](const Answer* a, const Answer* b) { return a->order < b->order; });
  std::vector<std::string_view> segments(config_.by.size());
  for (const Answer* answer : waiting) {
    TicketRecord t;
    t.survey_only = true;
    t.csat = answer->csat;
    t.nps = answer->nps;
    t.ces = answer->ces;
    if (answer->has_ticket) {
      // Its ticket passed the filters when it was read; the answer counts as the ticket's.
      ++join_.joined_by_customer;
      for (size_t i = 0; i < config_.by.size(); ++i) {
        segments[i] = i < answer->ticket_segments.size()
                          ? std::string_view(answer->ticket_segments[i])
                          : std::string_view{};
      }
      aggregate_.feed(t, answer->ticket_period, std::nullopt, segments, config_.kpis);
      continue;
    }
    if (answer->needs_ticket) {
      ++join_.dropped_by_filter;
      continue;
    }
    std::optional<int64_t> period;
    if (answer->responded) {
      const int64_t day = local_day(*answer->responded, config_.period.utc_offset_minutes);
      if ((config_.date_from && day < *config_.date_from) ||
          (config_.date_to && day > *config_.date_to)) {
        ++join_.dropped_by_filter;
        continue;
      }
      period = period_index(*answer->responded, config_.period);
    } else if (config_.date_from || config_.date_to) {
      ++join_.dropped_by_filter;
      continue;
    }
    for (size_t i = 0; i < config_.by.size(); ++i) {
      auto at =
          std::find(answer_segment_names_.begin(), answer_segment_names_.end(), config_.by[i]);
      size_t index = static_cast<size_t>(at - answer_segment_names_.begin());
      segments[i] = at != answer_segment_names_.end() && index < answer->segments.size()
                        ? std::string_view(answer->segments[index])
                        : kNoTicket;
    }
    aggregate_.feed(t, period, std::nullopt, segments, config_.kpis);
  }
  answers_.clear();
  loose_answers_.clear();
  customer_answers_.clear();
  customer_index_.clear();
}

bool TicketDataset::has_survey_files() const {
  return std::any_of(files_.begin(), files_.end(), [](const FileSummary& f) {
    return f.kind == DatasetKind::kSurvey && !f.error;
  });
}

KPILENS_RARELY_RUN std::string TicketDataset::report_json() {
  if (in_file_) end_file();
  if (!finished_) {
    feed_unjoined_answers();
    aggregate_.finish();
    customers_->finish();
    for (const std::string& e : customers_->errors()) errors_.push_back(e);
    for (const std::string& w : customers_->warnings()) warnings_.push_back(w);
    finished_ = true;
  }
  return write_report(*this);
}

}  // namespace kpilens
