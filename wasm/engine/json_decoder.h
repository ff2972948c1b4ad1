// json_decoder: streams records out of a JSON export fed in chunks of any size, and hands them on
// in the CSV decoder's record shape (a header of column names, then one row per record), so JSON
// and CSV share the mapping, the KPIs and the report.
//
// Shapes: NDJSON (one object per line), a top-level array of objects, or an object holding such an
// array under a known key at any depth up to 3 ({"tickets":[…]}, {"data":{"payload":[…]}}); a file
// holding a single object is one record. Each record is parsed with simdjson on-demand and
// flattened into cells addressed by path: nested objects as `satisfaction_rating.score`, arrays of
// scalars joined with ", ", arrays of {"id", "value"} objects (Zendesk custom fields) as
// `custom_fields[360001]`, other arrays of objects by index up to 5 (`comments[0].author`). The
// columns are the union of the paths seen in the first `schema_records` records, in the order
// first seen; a path first seen later is ignored and counted.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "csv_decoder.h"

namespace kpilens {

enum class JsonShape : uint8_t { kUnknown, kNdjson, kArray, kWrapped, kSingle };

struct JsonOptions {
  size_t schema_records = 1000;               // records read before the columns are fixed
  size_t max_columns = 4096;                  // paths beyond this many are ignored (counted)
  size_t max_record_bytes = size_t{1} << 28;  // 256 MiB: a longer record is rejected
  // An opening object this long in which no list of records has been found is refused.
  size_t max_held_bytes = size_t{64} << 20;
};

// True when the first non-blank bytes open a JSON object or array of objects: `{"`, `{}`, `[{`,
// `[]`, `[` + blank.
bool looks_like_json(std::string_view start);

class JsonDecoder {
 public:
  explicit JsonDecoder(JsonOptions options = {});
  ~JsonDecoder();
  JsonDecoder(const JsonDecoder&) = delete;
  JsonDecoder& operator=(const JsonDecoder&) = delete;

  // Records leave through `sink`: first one header record (the column paths), then the rows. A
  // record that cannot be read (a syntax error inside it, not an object, over the size cap) goes
  // to on_bad_record with its line and the reason, after the header.
  void feed(std::string_view chunk, CsvRecordSink& sink);
  void finish(CsvRecordSink& sink);

  JsonShape shape() const { return shape_; }
  // The key path of the list of records in a wrapped file ("tickets", "data.payload").
  const std::string& records_path() const { return records_path_; }
  uint64_t records() const { return records_; }
  // Paths first seen after the columns were fixed, or beyond max_columns: ignored.
  uint64_t late_paths() const { return late_paths_; }
  const std::string& first_late_path() const { return first_late_path_; }
  // Why the rest of the file could not be read (a syntax error between records, a truncated
  // file); the records before it were kept. Empty when the file was read to its end.
  const std::optional<std::string>& stopped() const { return stopped_; }
  // True when no header was ever emitted because the file held no record at all.
  bool empty() const { return !header_sent_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  JsonShape shape_ = JsonShape::kUnknown;
  std::string records_path_;
  uint64_t records_ = 0;
  uint64_t late_paths_ = 0;
  std::string first_late_path_;
  std::optional<std::string> stopped_;
  bool header_sent_ = false;
};

}  // namespace kpilens
