// json_decoder: a byte scanner finds where each record starts and ends (string and escape aware,
// bracket depth, keys of the shallow objects that may wrap the records); each record is then
// parsed on its own with simdjson on-demand. Parsing record by record, rather than with
// iterate_many over a batch, is what lets a malformed record be rejected with its line while every
// other record is kept: a document stream stops at its first error.
#include "json_decoder.h"

#include <simdjson.h>

#include <algorithm>
#include <cstring>
#include <functional>
#include <unordered_map>

#include "json_error.h"

namespace kpilens {

namespace {

using simdjson::error_code;
using simdjson::SUCCESS;
namespace od = simdjson::ondemand;

// Keys under which exports and APIs put their list of records.
constexpr std::string_view kRecordKeys[] = {"tickets",   "conversations",
                                            "results",   "data",
                                            "items",     "records",
                                            "rows",      "entries",
                                            "requests",  "issues",
                                            "payload",   "objects",
                                            "responses", "survey_responses",
                                            "surveys",   "satisfaction_ratings",
                                            "ratings",   "ticket_metrics",
                                            "customers", "subscriptions",
                                            "invoices",  "orders",
                                            "events",    "users",
                                            "hits",      "value"};

constexpr size_t kMaxDepth = 1000;
constexpr size_t kKeyDepth = 4;           // keys are tracked in objects this shallow
constexpr int kMaxFlattenDepth = 16;      // deeper values are left out
constexpr size_t kIndexedElements = 5;    // arrays of objects: the first elements get [i] paths
constexpr size_t kMaxWrapperMembers = 5;  // an object this small may wrap an unknown list

bool is_ws(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

void append_index(std::string& out, std::string_view index) {
  out.push_back('[');
  out.append(index);
  out.push_back(']');
}

// "256 MiB", or "48 bytes" for a limit that is not a whole number of MiB.
std::string size_text(size_t bytes) {
  if (bytes >= (size_t{1} << 20) && bytes % (size_t{1} << 20) == 0) {
    return std::to_string(bytes >> 20) + " MiB";
  }
  return std::to_string(bytes) + " bytes";
}

bool is_record_key(std::string_view key) {
  return std::find(std::begin(kRecordKeys), std::end(kRecordKeys), key) != std::end(kRecordKeys);
}

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

// One flattened cell: its path and its text, both held in the record's arena.
struct Cell {
  size_t path_at, path_size, value_at, value_size;
};

struct Pending {
  uint64_t line = 0;
  std::string reason;  // non-empty: a bad record
  std::string arena;
  std::vector<Cell> cells;
};

}  // namespace

bool looks_like_json(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && is_ws(s[i])) ++i;
  if (i >= s.size() || (s[i] != '{' && s[i] != '[')) return false;
  char open = s[i++];
  while (i < s.size() && is_ws(s[i])) ++i;
  if (i >= s.size()) return true;  // a lone bracket: JSON, cut short
  char next = s[i];
  return open == '{' ? (next == '"' || next == '}') : (next == '{' || next == ']');
}

namespace {

// Zeroes the SIMDJSON_PADDING bytes at `at` and puts them back when it goes.
class PaddingGuard {
 public:
  explicit PaddingGuard(char* at) : at_(at) {
    std::memcpy(saved_, at_, sizeof saved_);
    std::memset(at_, 0, sizeof saved_);
  }
  ~PaddingGuard() { std::memcpy(at_, saved_, sizeof saved_); }
  PaddingGuard(const PaddingGuard&) = delete;
  PaddingGuard& operator=(const PaddingGuard&) = delete;

 private:
  char* at_;
  char saved_[simdjson::SIMDJSON_PADDING];
};

}  // namespace

struct JsonDecoder::Impl {
  enum class Mode : uint8_t { kStart, kScan, kLines, kDone };

  JsonDecoder& owner;
  JsonOptions options;

  // Unconsumed bytes; data.size() >= len + SIMDJSON_PADDING so records parse in place.
  std::vector<char> data;
  size_t len = 0;
  uint64_t base = 0;  // file offset of data[0]
  size_t pos = 0;     // next byte to scan
  uint64_t line = 1;  // line of data[pos]

  Mode mode = Mode::kStart;
  // Scanner state.
  std::vector<char> stack;
  std::vector<std::string> keys;  // the last key read at each depth (up to kKeyDepth)
  bool in_string = false;
  bool escape = false;
  bool expect_key = false;
  bool capturing_key = false;
  size_t key_start = 0;
  bool array_pending = false;  // a '[' under a key was just opened: is it a list of objects?
  std::string pending_path;
  size_t records_depth = 0;  // stack size inside the list of records; 0 until found
  bool in_record = false;
  bool scalar_record = false;
  size_t record_start = 0;
  uint64_t record_line = 0;
  // Until the first top-level object is understood (wrapper or NDJSON), it is held whole.
  bool probing = false;
  bool probe_closed = false;
  size_t probe_start = 0;
  uint64_t probe_line = 1;
  std::string candidate_path;  // a list of objects under an unknown key, at depth 1
  size_t candidate_lists = 0;  // how many such lists the first object has
  size_t top_members = 0;      // members of the first object (its commas + 1)
  std::string target_path;     // when re-scanning a lone object for that list
  bool skipping_line = false;  // NDJSON: the rest of an over-long line is skipped

  // Records.
  od::parser parser;
  std::string path;
  std::string arena;
  std::vector<Cell> cells;
  std::string joined;  // scalars of one array
  bool schema_fixed = false;
  std::vector<Pending> pending;
  std::vector<std::string> header;
  std::unordered_map<std::string, size_t, StringHash, std::equal_to<>> columns;
  std::vector<std::string_view> row;
  uint64_t first_bad_line = 0;
  std::string first_bad_reason;
  uint64_t good_records = 0;

  Impl(JsonDecoder& o, JsonOptions opts) : owner(o), options(opts) {}

  uint64_t offset_of(size_t i) const { return base + i; }

  void stop(std::string reason) {
    owner.stopped_ = std::move(reason);
    mode = Mode::kDone;
  }

  std::string where(size_t i) const {
    return "byte " + std::to_string(offset_of(i)) + ", line " + std::to_string(line);
  }

  void append(std::string_view chunk) {
    size_t need = len + chunk.size() + simdjson::SIMDJSON_PADDING;
    if (data.size() < need) data.resize(std::max(need, data.size() * 2));
    std::memcpy(data.data() + len, chunk.data(), chunk.size());
    len += chunk.size();
  }

  // Drops the bytes no later step needs.
  void compact() {
    size_t keep = pos;
    if (probing) keep = std::min(keep, probe_start);
    if (in_record) keep = std::min(keep, record_start);
    if (capturing_key) keep = std::min(keep, key_start);
    if (keep == 0) return;
    std::memmove(data.data(), data.data() + keep, len - keep);
    len -= keep;
    base += keep;
    pos -= keep;
    if (probing) probe_start -= keep;
    if (in_record) record_start -= keep;
    if (capturing_key) key_start -= keep;
  }

  void reset_scanner() {
    stack.clear();
    keys.clear();
    in_string = escape = expect_key = capturing_key = array_pending = false;
    records_depth = 0;
    in_record = scalar_record = false;
  }

  // ---- records ----

  void add_cell(std::string_view value) {
    Cell c{arena.size(), path.size(), 0, value.size()};
    arena.append(path);
    c.value_at = arena.size();
    arena.append(value);
    cells.push_back(c);
  }

  error_code flatten_object(od::object object, int depth) {
    for (auto field_result : object) {
      od::field field;
      if (auto e = std::move(field_result).get(field)) return e;
      std::string_view key;
      if (auto e = field.unescaped_key(false).get(key)) return e;
      size_t mark = path.size();
      if (!path.empty()) path.push_back('.');
      path.append(key);
      error_code e = flatten_value(field.value(), depth);
      path.resize(mark);
      if (e) return e;
    }
    return SUCCESS;
  }

  // An array: scalars joined into one cell; {"id", "value"} objects as path[id]; the first few
  // other elements as path[i].
  error_code flatten_array(od::array array, int depth) {
    std::string scalars;
    bool any_scalar = false;
    size_t index = 0;
    for (auto element_result : array) {
      od::value element;
      if (auto e = std::move(element_result).get(element)) return e;
      od::json_type type;
      if (auto e = element.type().get(type)) return e;
      size_t mark = path.size();
      if (type == od::json_type::object) {
        od::object object;
        if (auto e = element.get_object().get(object)) return e;
        if (auto e = flatten_element_object(object, index, depth)) return e;
      } else if (type == od::json_type::array) {
        if (index < kIndexedElements) {
          append_index(path, std::to_string(index));
          error_code e = flatten_value(element, depth);
          path.resize(mark);
          if (e) return e;
        }
      } else {
        std::string text;
        bool has_text = false;
        if (auto e = scalar_text(element, type, text, has_text)) return e;
        if (has_text) {
          if (any_scalar) scalars += ", ";
          scalars += text;
          any_scalar = true;
        }
      }
      ++index;
    }
    if (any_scalar) add_cell(scalars);
    return SUCCESS;
  }

  error_code flatten_element_object(od::object object, size_t index, int depth) {
    // Scalars are held until the whole element is seen: {"id", "value"} pairs are named by id.
    std::vector<std::pair<std::string, std::string>> held;
    size_t mark = path.size();
    std::string prefix;
    append_index(prefix, std::to_string(index));
    for (auto field_result : object) {
      od::field field;
      if (auto e = std::move(field_result).get(field)) return e;
      std::string_view key;
      if (auto e = field.unescaped_key(false).get(key)) return e;
      od::value value = field.value();
      od::json_type type;
      if (auto e = value.type().get(type)) return e;
      if (type == od::json_type::object || type == od::json_type::array) {
        if (index < kIndexedElements) {
          path += prefix;
          path.push_back('.');
          path += key;
          error_code e = flatten_value(value, depth);
          path.resize(mark);
          if (e) return e;
        }
        continue;
      }
      std::string text;
      bool has_text = false;
      std::string owned_key(key);
      if (auto e = scalar_text(value, type, text, has_text)) return e;
      held.emplace_back(std::move(owned_key), has_text ? std::move(text) : std::string());
    }
    const std::string* id = nullptr;
    const std::string* value = nullptr;
    for (const auto& [k, v] : held) {
      if (k == "id") id = &v;
      if (k == "value") value = &v;
    }
    if (id && value && !id->empty()) {
      append_index(path, *id);
      if (!value->empty()) add_cell(*value);
      path.resize(mark);
      return SUCCESS;
    }
    if (index >= kIndexedElements) return SUCCESS;
    for (const auto& [k, v] : held) {
      if (v.empty()) continue;
      path += prefix;
      path.push_back('.');
      path += k;
      add_cell(v);
      path.resize(mark);
    }
    return SUCCESS;
  }

  error_code scalar_text(od::value value, od::json_type type, std::string& out, bool& has) {
    has = false;
    switch (type) {
      case od::json_type::string: {
        std::string_view s;
        if (auto e = value.get_string().get(s)) return e;
        out.assign(s);
        has = true;
        return SUCCESS;
      }
      case od::json_type::number: {
        // The number's own text, as a CSV cell would hold it ("1.50" stays "1.50").
        std::string_view raw = value.raw_json_token();
        while (!raw.empty() && is_ws(raw.back())) raw.remove_suffix(1);
        double check = 0;
        if (auto e = value.get_double().get(check)) {
          // Integers beyond double's range are still numbers: keep the text; others are errors.
          if (e != simdjson::NUMBER_OUT_OF_RANGE && e != simdjson::BIGINT_ERROR) return e;
        }
        out.assign(raw);
        has = true;
        return SUCCESS;
      }
      case od::json_type::boolean: {
        bool b = false;
        if (auto e = value.get_bool().get(b)) return e;
        out = b ? "true" : "false";
        has = true;
        return SUCCESS;
      }
      case od::json_type::null: {
        bool is_null = false;
        if (auto e = value.is_null().get(is_null)) return e;
        if (!is_null) return simdjson::N_ATOM_ERROR;
        return SUCCESS;  // a blank cell
      }
      default:
        return simdjson::INCORRECT_TYPE;
    }
  }

  error_code flatten_value(od::value value, int depth) {
    if (depth >= kMaxFlattenDepth) return SUCCESS;
    od::json_type type;
    if (auto e = value.type().get(type)) return e;
    if (type == od::json_type::object) {
      od::object object;
      if (auto e = value.get_object().get(object)) return e;
      return flatten_object(object, depth + 1);
    }
    if (type == od::json_type::array) {
      od::array array;
      if (auto e = value.get_array().get(array)) return e;
      return flatten_array(array, depth + 1);
    }
    std::string text;
    bool has = false;
    if (auto e = scalar_text(value, type, text, has)) return e;
    if (has) add_cell(text);
    return SUCCESS;
  }

  static std::string type_name(od::json_type type) {
    switch (type) {
      case od::json_type::array:
        return "an array";
      case od::json_type::string:
        return "a string";
      case od::json_type::number:
        return "a number";
      case od::json_type::boolean:
        return "true/false";
      case od::json_type::null:
        return "null";
      default:
        return "an object";
    }
  }

  // Parses data[start, start + size) as one record.
  void record(size_t start, size_t size, uint64_t at_line, CsvRecordSink& sink) {
    ++owner.records_;
    if (size > options.max_record_bytes) {
      bad(at_line, "a record over the " + size_text(options.max_record_bytes) + " limit", sink);
      return;
    }
    const char* begin = data.data() + start;
    size_t capacity = data.size() - start;
    // simdjson may look into the padding after a malformed record; what lies there (the next
    // record's bytes, however much of them has arrived) must not change the outcome, so the
    // padding holds zeros while the record is read, as in simdjson's own padded_string.
    PaddingGuard guard(data.data() + start + size);
    od::document doc;
    path.clear();
    arena.clear();
    cells.clear();
    error_code e = parser.iterate(simdjson::padded_string_view(begin, size, capacity)).get(doc);
    // A record refused before its first token (an unclosed string) leaves `doc` empty: it has no
    // location to ask for (current_location() would read through a null token pointer).
    const bool iterated = !e;
    od::object object;
    if (!e) {
      od::json_type type;
      e = doc.type().get(type);
      if (!e && type != od::json_type::object) {
        bad(at_line, "a record must be an object, this is " + type_name(type), sink);
        return;
      }
    }
    if (!e) e = doc.get_object().get(object);
    if (!e) e = flatten_object(object, 0);
    if (!e && !doc.at_end()) e = simdjson::TRAILING_CONTENT;
    if (e) {
      std::string reason = std::string("not valid JSON: ") + json_error_reason(e);
      const char* location = nullptr;
      if (iterated && !doc.current_location().get(location) && location >= begin &&
          location <= begin + size) {
        reason += " (near byte " + std::to_string(offset_of(start) + (location - begin)) + ")";
      }
      bad(at_line, std::move(reason), sink);
      return;
    }
    ++good_records;
    if (!schema_fixed) {
      Pending p;
      p.line = at_line;
      p.arena = arena;
      p.cells = cells;
      pending.push_back(std::move(p));
      if (good_records >= options.schema_records) fix_schema(sink);
      return;
    }
    emit(arena, cells, at_line, sink);
  }

  void bad(uint64_t at_line, std::string reason, CsvRecordSink& sink) {
    if (first_bad_line == 0) {
      first_bad_line = at_line;
      first_bad_reason = reason;
    }
    if (!schema_fixed) {
      Pending p;
      p.line = at_line;
      p.reason = std::move(reason);
      pending.push_back(std::move(p));
      return;
    }
    sink.on_bad_record(at_line, reason);
  }

  void fix_schema(CsvRecordSink& sink) {
    schema_fixed = true;
    if (good_records == 0) {
      pending.clear();  // nothing to put under a header: end() says why
      return;
    }
    for (const Pending& p : pending) {
      for (const Cell& c : p.cells) {
        std::string_view name(p.arena.data() + c.path_at, c.path_size);
        if (columns.find(name) != columns.end()) continue;
        if (header.size() >= options.max_columns) continue;
        columns.emplace(std::string(name), header.size());
        header.emplace_back(name);
      }
    }
    std::vector<std::string_view> views(header.begin(), header.end());
    owner.header_sent_ = true;
    sink.on_record(CsvRecord{views, pending.empty() ? 1 : pending.front().line});
    std::vector<Pending> held;
    held.swap(pending);
    for (const Pending& p : held) {
      if (!p.reason.empty()) {
        sink.on_bad_record(p.line, p.reason);
      } else {
        emit(p.arena, p.cells, p.line, sink);
      }
    }
  }

  void emit(const std::string& cell_arena, const std::vector<Cell>& record_cells, uint64_t at_line,
            CsvRecordSink& sink) {
    row.assign(header.size(), std::string_view{});
    for (const Cell& c : record_cells) {
      std::string_view name(cell_arena.data() + c.path_at, c.path_size);
      auto it = columns.find(name);
      if (it == columns.end()) {
        if (owner.late_paths_++ == 0) owner.first_late_path_ = std::string(name);
        continue;
      }
      row[it->second] = std::string_view(cell_arena.data() + c.value_at, c.value_size);
    }
    sink.on_record(CsvRecord{row, at_line});
  }

  // ---- NDJSON: one document per line ----

  void reject_long_line(CsvRecordSink& sink) {
    ++owner.records_;
    bad(line, "a line over the " + size_text(options.max_record_bytes) + " limit", sink);
  }

  void scan_lines(bool final, CsvRecordSink& sink) {
    while (pos < len && mode == Mode::kLines) {
      const char* start = data.data() + pos;
      const void* found = std::memchr(start, '\n', len - pos);
      if (!found) {
        if (!final) {
          // A line already over the cap is rejected now, without holding the rest of it.
          if (!skipping_line && len - pos > options.max_record_bytes) {
            reject_long_line(sink);
            skipping_line = true;
          }
          if (skipping_line) pos = len;
          return;
        }
        found = data.data() + len;
      }
      size_t end = static_cast<size_t>(static_cast<const char*>(found) - data.data());
      if (!skipping_line && end - pos > options.max_record_bytes) {
        reject_long_line(sink);  // the same lines as when they arrive in pieces
        skipping_line = true;
      }
      if (!skipping_line) {
        size_t a = pos, b = end;
        while (a < b && is_ws(data[a])) ++a;
        while (b > a && is_ws(data[b - 1])) --b;
        if (b > a) record(a, b - a, line, sink);
      }
      skipping_line = false;
      pos = std::min(end + 1, len);
      ++line;
    }
  }

  // ---- arrays and wrapped lists: the structural scanner ----

  // The first non-blank byte of a list just opened under a key: a list of objects may be the
  // records.
  void judge_list(char c) {
    array_pending = false;
    if (c != '{' || records_depth != 0) return;
    bool take = target_path.empty() ? is_record_key(keys.empty() ? "" : keys.back())
                                    : pending_path == target_path;
    if (take) {
      records_depth = stack.size();
      owner.records_path_ = pending_path;
      owner.shape_ = JsonShape::kWrapped;
      probing = false;
    } else if (stack.size() == 2) {
      if (candidate_path.empty()) candidate_path = pending_path;
      ++candidate_lists;
    }
  }

  void scan(bool final, CsvRecordSink& sink) {
    while (pos < len && mode == Mode::kScan) {
      if (probing && pos - probe_start >= options.max_held_bytes) {
        // Judged at a byte position, not when a chunk ends, so the outcome never depends on chunks.
        stop("no list of records (tickets, conversations, data…) found in the first " +
             size_text(options.max_held_bytes) + " of this JSON object");
        return;
      }
      char c = data[pos];
      if (c == '\n') ++line;
      if (in_string) {
        if (escape) {
          escape = false;
        } else if (c == '\\') {
          escape = true;
        } else if (c == '"') {
          in_string = false;
          if (capturing_key) {
            capturing_key = false;
            if (keys.size() < stack.size()) keys.resize(stack.size());
            keys[stack.size() - 1].assign(data.data() + key_start, pos - key_start);
          }
        }
        ++pos;
        continue;
      }
      if (is_ws(c)) {
        ++pos;
        continue;
      }
      if (array_pending) judge_list(c);
      if (records_depth != 0 && stack.size() == records_depth && !in_record) {
        // Between records.
        if (c == ',') {
          ++pos;
          continue;
        }
        if (c == ']') {
          stack.pop_back();
          records_depth = 0;
          ++pos;
          mode = Mode::kDone;  // what follows the list (next_page, count…) is not records
          return;
        }
        in_record = true;
        record_start = pos;
        record_line = line;
        scalar_record = c != '{' && c != '[';
      }
      if (in_record && scalar_record && stack.size() == records_depth && (c == ',' || c == ']')) {
        in_record = false;
        ++owner.records_;
        bad(record_line, "a record must be an object, this is a bare value", sink);
        continue;  // the ',' or ']' is read again between records
      }
      switch (c) {
        case '"':
          in_string = true;
          if (expect_key && records_depth == 0 && stack.size() <= kKeyDepth) {
            capturing_key = true;
            key_start = pos + 1;
          }
          break;
        case '{':
        case '[':
          if (stack.size() >= kMaxDepth) {
            stop("JSON nested deeper than " + std::to_string(kMaxDepth) + " levels at " +
                 where(pos));
            return;
          }
          if (c == '[' && !stack.empty() && stack.back() == '{' && stack.size() <= 3 &&
              records_depth == 0 &&
              std::all_of(stack.begin(), stack.end(), [](char s) { return s == '{'; })) {
            array_pending = true;
            pending_path.clear();
            for (size_t i = 0; i < stack.size() && i < keys.size(); ++i) {
              if (i) pending_path.push_back('.');
              pending_path += keys[i];
            }
          }
          stack.push_back(c);
          expect_key = c == '{';
          break;
        case '}':
        case ']': {
          char open = c == '}' ? '{' : '[';
          if (stack.empty() || stack.back() != open) {
            stop(std::string("JSON syntax error at ") + where(pos) + ": unexpected '" + c + "'");
            return;
          }
          stack.pop_back();
          if (keys.size() > stack.size()) keys.resize(stack.size());
          expect_key = false;
          if (in_record && !scalar_record && stack.size() == records_depth) {
            in_record = false;
            record(record_start, pos + 1 - record_start, record_line, sink);
            if (mode != Mode::kScan) return;
          }
          if (stack.empty()) {
            ++pos;
            if (probing) {
              probe_closed = true;
              return;  // the caller decides what the lone object was
            }
            mode = Mode::kDone;
            return;
          }
          break;
        }
        case ',':
          expect_key = !stack.empty() && stack.back() == '{';
          top_members += probing && stack.size() == 1;
          break;
        case ':':
          expect_key = false;
          break;
        default:
          break;
      }
      ++pos;
    }
    (void) final;
  }

  // What follows the first top-level object decides: another object → NDJSON; the end of the file
  // → one object, holding the records or being the only one.
  void after_probe(bool final, CsvRecordSink& sink) {
    size_t i = pos;
    while (i < len && is_ws(data[i])) ++i;
    if (i >= len && !final) return;  // wait for more bytes
    probing = false;
    probe_closed = false;
    if (i < len && data[i] == '{') {
      owner.shape_ = JsonShape::kNdjson;
      mode = Mode::kLines;
      pos = probe_start;
      line = probe_line;
      reset_scanner();
      return;
    }
    if (candidate_lists == 1 && top_members + 1 <= kMaxWrapperMembers && target_path.empty()) {
      // One small object around one list of objects under a key we did not know
      // ({"export": …, "things": [{…}, …]}): that list is the records. A larger object (a
      // ticket with its custom_fields list) is one record.
      target_path = candidate_path;
      reset_scanner();
      pos = probe_start;
      line = probe_line;
      mode = Mode::kScan;
      probing = true;  // until the list is found again
      return;
    }
    owner.shape_ = JsonShape::kSingle;
    record(probe_start, pos - probe_start, probe_line, sink);
    if (i < len) {
      stop("text after the end of the JSON value at " + where(i));
      return;
    }
    mode = Mode::kDone;
  }

  void start(CsvRecordSink& sink, bool final) {
    while (pos < len && is_ws(data[pos])) {
      if (data[pos] == '\n') ++line;
      ++pos;
    }
    if (pos >= len) return;
    (void)sink;
    (void) final;
    char c = data[pos];
    if (c == '[') {
      owner.shape_ = JsonShape::kArray;
      stack.push_back('[');
      records_depth = 1;
      ++pos;
      mode = Mode::kScan;
    } else if (c == '{') {
      probing = true;
      probe_start = pos;
      probe_line = line;
      mode = Mode::kScan;
    } else {
      stop("not JSON: the file starts with '" + std::string(1, c) + "' at " + where(pos));
    }
  }

  void run(bool final, CsvRecordSink& sink) {
    for (int guard = 0; guard < 8; ++guard) {
      Mode before = mode;
      size_t before_pos = pos;
      if (mode == Mode::kStart) start(sink, final);
      if (mode == Mode::kScan) {
        if (!probe_closed) scan(final, sink);
        if (probe_closed) after_probe(final, sink);
      }
      if (mode == Mode::kLines) scan_lines(final, sink);
      if (mode == Mode::kDone) pos = len;
      if (mode == before && pos == before_pos) break;
    }
    compact();
  }

  void end(CsvRecordSink& sink) {
    run(true, sink);
    if (mode == Mode::kScan && !owner.stopped_) {
      if (in_record) {
        ++owner.records_;
        bad(record_line, "the file ends inside this record (truncated?)", sink);
        in_record = false;
      }
      if (probing && !probe_closed) {
        stop("the file ends inside the JSON object that opens on line " +
             std::to_string(probe_line) + " (truncated?)");
      } else if (owner.shape_ != JsonShape::kUnknown) {
        stop("the file ends before its list of records is closed (truncated?)");
      }
    }
    if (!schema_fixed) fix_schema(sink);
    if (good_records == 0 && !owner.stopped_) {
      if (first_bad_line != 0) {
        owner.stopped_ = "no record could be read (line " + std::to_string(first_bad_line) + ": " +
                         first_bad_reason + ")";
      } else if (owner.shape_ == JsonShape::kUnknown) {
        owner.stopped_ = "no JSON value in the file";
      }
    }
  }
};

JsonDecoder::JsonDecoder(JsonOptions options) : impl_(std::make_unique<Impl>(*this, options)) {}

JsonDecoder::~JsonDecoder() = default;

void JsonDecoder::feed(std::string_view chunk, CsvRecordSink& sink) {
  if (impl_->mode == Impl::Mode::kDone) return;
  impl_->append(chunk);
  impl_->run(false, sink);
}

void JsonDecoder::finish(CsvRecordSink& sink) {
  impl_->end(sink);
}

}  // namespace kpilens
