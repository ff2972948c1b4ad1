// ticket_dataset: decoding → header → mapping → (a sample of rows to infer the date order) → typed
// tickets → aggregate. Problems are counted with their line numbers and never stop the file, except
// the few that make a file unreadable as a whole (binary data, no header, nothing mappable).
#include "ticket_dataset.h"

#include <algorithm>
#include <cmath>

#include "field_parse.h"
#include "report_json.h"
#include "survey_kpis.h"
#include "timestamp.h"

namespace kpilens {

namespace {

constexpr size_t kIssueLines = 5;
constexpr size_t kStartWindow = 8192;  // bytes check_start looks at, whatever the chunk sizes

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

TicketDataset::TicketDataset(std::string_view config_json) {
  ConfigResult parsed = parse_config(config_json);
  config_ = std::move(parsed.config);
  errors_ = std::move(parsed.errors);
  config_failed_ = !errors_.empty();
  keep_first_of_each(config_.by);
  solved_statuses_ =
      config_.solved_statuses.empty() ? default_solved_statuses() : config_.solved_statuses;
  aggregate_ = TicketAggregate(config_.by.size(), config_.max_segments);
}

TicketDataset::TicketDataset(EngineConfig config) : config_(std::move(config)) {
  keep_first_of_each(config_.by);
  solved_statuses_ =
      config_.solved_statuses.empty() ? default_solved_statuses() : config_.solved_statuses;
  aggregate_ = TicketAggregate(config_.by.size(), config_.max_segments);
}

TicketDataset::~TicketDataset() = default;

bool TicketDataset::failed() const {
  if (config_failed_) return true;
  if (files_.empty()) return false;
  return std::all_of(files_.begin(), files_.end(),
                     [](const FileSummary& f) { return f.error.has_value(); });
}

void TicketDataset::begin_file(std::string name) {
  if (in_file_) end_file();
  FileSummary summary;
  summary.name = std::move(name);
  files_.push_back(std::move(summary));
  CsvOptions options;
  options.delimiter = config_.delimiter;
  decoder_ = std::make_unique<CsvDecoder>(options);
  sink_ = std::make_unique<Sink>(*this);
  in_file_ = true;
  skipping_file_ = config_failed_;
  header_seen_ = false;
  inference_done_ = false;
  start_checked_ = false;
  start_bytes_.clear();
  pending_rows_.clear();
}

// Refuses, from its first bytes, a file that is not delimited text.
bool TicketDataset::check_start(std::string_view bytes) {
  FileSummary& file = files_.back();
  if (bytes.size() >= 3 && static_cast<unsigned char>(bytes[0]) == 0xEF &&
      static_cast<unsigned char>(bytes[1]) == 0xBB &&
      static_cast<unsigned char>(bytes[2]) == 0xBF) {
    file.bom = true;
  }
  if (bytes.size() >= 2 && ((static_cast<unsigned char>(bytes[0]) == 0xFF &&
                             static_cast<unsigned char>(bytes[1]) == 0xFE) ||
                            (static_cast<unsigned char>(bytes[0]) == 0xFE &&
                             static_cast<unsigned char>(bytes[1]) == 0xFF))) {
    file.error = "UTF-16 text is not read yet: save the file as CSV UTF-8";
    return false;
  }
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
  if (!in_file_ || skipping_file_) {
    if (in_file_) files_.back().bytes += bytes.size();
    return;
  }
  files_.back().bytes += bytes.size();
  if (!start_checked_) {
    // The first bytes are judged together, so a BOM or a NUL is seen however small the chunks.
    start_bytes_.append(bytes);
    if (start_bytes_.size() >= kStartWindow) release_start();
    return;
  }
  decoder_->feed(bytes, *sink_);
}

// Judges the held first bytes, then hands them to the decoder (or skips the file).
void TicketDataset::release_start() {
  start_checked_ = true;
  std::string bytes;
  bytes.swap(start_bytes_);
  if (!check_start(bytes)) {
    skipping_file_ = true;
    return;
  }
  decoder_->feed(bytes, *sink_);
}

void TicketDataset::end_file() {
  if (!in_file_) return;
  FileSummary& file = files_.back();
  if (!skipping_file_ && !start_checked_ && !start_bytes_.empty()) release_start();
  if (!skipping_file_) {
    decoder_->finish(*sink_);
    if (!header_seen_ && !file.error) {
      file.error = file.bytes == 0 ? "empty file (0 bytes)" : "no header row (the file is blank)";
    } else if (header_seen_ && !file.error) {
      if (!inference_done_) decide_inference();
      if (file.records == 0 && !file.error) {
        warnings_.push_back(file.name + ": header only, no data rows");
      }
    }
    file.delimiter = decoder_->delimiter();
    if (decoder_->stray_quotes() > 0) {
      warnings_.push_back(file.name + ": " + std::to_string(decoder_->stray_quotes()) +
                          " quoted field(s) had text after the closing quote (first on line " +
                          std::to_string(decoder_->first_stray_quote_line()) +
                          "); the text was kept");
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
  ++files_.back().rows_rejected;
  ++rejected_total_;
  if (rejected_.size() < config_.max_rejected_listed) {
    rejected_.push_back(RejectedRow{files_.size() - 1, line, std::move(reason)});
  }
}

void TicketDataset::value_issue(TicketField field, uint64_t line, std::string_view cell,
                                std::string_view reason) {
  ValueIssue& issue = value_issues_[static_cast<size_t>(field)];
  if (issue.count++ == 0) {
    issue.example = quoted_excerpt(cell);
    issue.reason = std::string(reason);
  }
  if (issue.lines.size() < kIssueLines) {
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

void TicketDataset::on_header(std::span<const std::string_view> fields) {
  FileSummary& file = files_.back();
  file.headers.reserve(fields.size());
  for (std::string_view f : fields) file.headers.emplace_back(trim(f));
  MappingResult mapped = map_columns(file.headers, config_.mapping);
  file.mapping = mapped.mapping;
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
    if (config_.date_from || config_.date_to) {
      warnings_.push_back(file.name +
                          ": date_from/date_to filter on created_at, which this file "
                          "lacks: its rows were not filtered by date");
    }
  }
  filter_columns_.clear();
  for (const FilterSpec& filter : config_.filters) {
    int column = resolve_column(filter.column);
    if (column < 0) {
      file.error = "filter column '" + filter.column + "' is not in this file";
      skipping_file_ = true;
      return;
    }
    filter_columns_.push_back(column);
  }
  if (files_.size() == 1 && !config_.by_if_mapped.empty()) {
    // First file: the optional segments it can feed join the breakdowns (no row has been fed yet).
    for (const std::string& by : config_.by_if_mapped) {
      if (resolve_column(by) >= 0 &&
          std::find(config_.by.begin(), config_.by.end(), by) == config_.by.end()) {
        config_.by.push_back(by);
      }
    }
    aggregate_ = TicketAggregate(config_.by.size(), config_.max_segments);
  }
  file.segment_columns.clear();
  for (const std::string& by : config_.by) {
    int column = resolve_column(by);
    bool optional = std::find(config_.by_if_mapped.begin(), config_.by_if_mapped.end(), by) !=
                    config_.by_if_mapped.end();
    if (column < 0 && optional) {
      file.segment_columns.push_back(-1);  // read as blank
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
  if (skipping_file_) return;
  FileSummary& file = files_.back();
  if (!header_seen_) {
    header_seen_ = true;
    file.delimiter = decoder_->delimiter();
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

void TicketDataset::decide_inference() {
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

std::optional<double> TicketDataset::to_utc(std::string_view cell, TicketField field, uint64_t line,
                                            bool& bad) {
  bad = false;
  if (is_blank(cell)) return std::nullopt;
  auto ts = parse_timestamp(cell, files_.back().date_order);
  if (!ts) {
    bad = true;
    value_issue(field, line, cell, "not a date and time");
    return std::nullopt;
  }
  if (ts->has_offset) return ts->seconds;
  return ts->seconds - config_.period.utc_offset_minutes * 60.0;
}

void TicketDataset::process_row(std::span<const std::string_view> fields, uint64_t line) {
  FileSummary& file = files_.back();
  const size_t width = file.headers.size();
  if (fields.size() > width) {
    for (size_t i = width; i < fields.size(); ++i) {
      if (!is_blank(fields[i])) {
        reject(line, std::to_string(fields.size()) + " fields where the header has " +
                         std::to_string(width) + " (an unquoted delimiter?)");
        return;
      }
    }
  } else if (fields.size() < width) {
    if (file.ragged_rows++ == 0) file.first_ragged_line = line;
  }
  auto cell_at = [&](int column) -> std::string_view {
    return column >= 0 && static_cast<size_t>(column) < fields.size()
               ? fields[static_cast<size_t>(column)]
               : std::string_view{};
  };
  const ColumnMapping& m = file.mapping;
  auto cell = [&](TicketField f) { return cell_at(m[f].column); };

  for (size_t i = 0; i < filter_columns_.size(); ++i) {
    std::string_view value = trim(cell_at(filter_columns_[i]));
    const auto& allowed = config_.filters[i].values;
    if (std::find(allowed.begin(), allowed.end(), value) == allowed.end()) {
      ++file.rows_filtered;
      return;
    }
  }

  TicketRecord t;
  bool bad = false;
  std::optional<int64_t> period;
  if (m.has(TicketField::kCreatedAt)) {
    std::string_view created = cell(TicketField::kCreatedAt);
    if (is_blank(created)) {
      reject(line, "created_at is empty");
      return;
    }
    auto ts = parse_timestamp(created, file.date_order);
    if (!ts) {
      reject(line, "created_at " + quoted_excerpt(created) + " is not a date and time");
      return;
    }
    t.created =
        ts->has_offset ? ts->seconds : ts->seconds - config_.period.utc_offset_minutes * 60.0;
    if (config_.date_from || config_.date_to) {
      double local = *t.created + config_.period.utc_offset_minutes * 60.0;
      auto day = static_cast<int64_t>(std::floor(local / 86400.0));
      if ((config_.date_from && day < *config_.date_from) ||
          (config_.date_to && day > *config_.date_to)) {
        ++file.rows_filtered;
        return;
      }
    }
    period = period_index(*t.created, config_.period);
  }

  // Solved: the status decides when there is one; else a solved time; else a resolution duration.
  t.solved_at = m.has(TicketField::kSolvedAt)
                    ? to_utc(cell(TicketField::kSolvedAt), TicketField::kSolvedAt, line, bad)
                    : std::nullopt;
  std::string_view status = trim(cell(TicketField::kStatus));
  if (m.has(TicketField::kStatus) && !status.empty()) {
    t.solved = std::any_of(solved_statuses_.begin(), solved_statuses_.end(),
                           [&](const std::string& s) { return iequals(status, s); });
  } else if (m.has(TicketField::kSolvedAt)) {
    t.solved = t.solved_at.has_value();
  } else if (m.has(TicketField::kResolutionDuration)) {
    t.solved = !is_blank(cell(TicketField::kResolutionDuration));
  }

  // A duration column's cell in minutes; blank, unreadable and negative cells give nothing (the
  // last two are counted as value issues).
  auto duration_column = [&](TicketField f) -> std::optional<double> {
    std::string_view c = cell(f);
    if (is_blank(c)) return std::nullopt;
    auto minutes = parse_duration_minutes(c, m[f].unit, decimal_);
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
    t.first_response_minutes = duration_column(TicketField::kFirstResponseDuration);
  } else if (m.has(TicketField::kFirstResponseAt) && t.created) {
    auto responded =
        to_utc(cell(TicketField::kFirstResponseAt), TicketField::kFirstResponseAt, line, bad);
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
      if (auto minutes = duration_column(TicketField::kResolutionDuration)) {
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

  auto count_field = [&](TicketField f) -> std::optional<double> {
    if (!m.has(f)) return std::nullopt;
    std::string_view c = cell(f);
    if (is_blank(c)) return std::nullopt;
    auto v = parse_number(c, decimal_);
    if (!v || *v < 0 || *v != std::floor(*v)) {
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
  if (m.has(TicketField::kCsat)) {
    std::string_view c = cell(TicketField::kCsat);
    auto rating = parse_rating(c, decimal_);
    if (!rating) {
      value_issue(TicketField::kCsat, line, c, "not a satisfaction rating");
    } else if (rating->kind == RatingKind::kScore &&
               !(rating->score >= k.csat.scale_min && rating->score <= k.csat.scale_max)) {
      value_issue(TicketField::kCsat, line, c, "outside the CSAT scale");
    } else {
      t.csat = *rating;
    }
  }
  auto scale_field = [&](TicketField f, double lo, double hi, bool whole,
                         std::string_view reason) -> std::optional<double> {
    if (!m.has(f)) return std::nullopt;
    std::string_view c = cell(f);
    if (is_blank(c)) return std::nullopt;
    auto v = parse_number(c, decimal_);
    if (!v || *v < lo || *v > hi || (whole && *v != std::floor(*v))) {
      value_issue(f, line, c, reason);
      return std::nullopt;
    }
    return v;
  };
  t.nps = scale_field(TicketField::kNps, 0, 10, true, "not a whole number from 0 to 10");
  t.ces = scale_field(TicketField::kCes, k.ces.scale_min, k.ces.scale_max, false,
                      "outside the CES scale");
  if (m.has(TicketField::kCost)) {
    std::string_view c = cell(TicketField::kCost);
    if (!is_blank(c)) {
      t.cost = parse_number(c, decimal_);
      if (!t.cost) value_issue(TicketField::kCost, line, c, "not a number");
    }
  }

  std::optional<int64_t> left_period;
  if (t.solved && period) {
    left_period = t.solved_at ? period_index(*t.solved_at, config_.period) : *period;
  }
  for (size_t i = 0; i < file.segment_columns.size(); ++i) {
    std::string_view value = trim(cell_at(file.segment_columns[i]));
    if (value.size() > 200) value = value.substr(0, 200);
    segment_values_[i] = value;
  }
  ++file.rows_used;
  aggregate_.feed(t, period, left_period, segment_values_, k);
}

std::string TicketDataset::report_json() {
  if (in_file_) end_file();
  if (!finished_) {
    aggregate_.finish();
    finished_ = true;
  }
  return write_report(*this);
}

}  // namespace kpilens
