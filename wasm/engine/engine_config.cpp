// engine_config: parsed with simdjson's On-Demand API through error codes (the wasm build has no
// exceptions). The page's module reads JSON exports with On-Demand too (json_decoder.cpp), and the
// config was the page's only user of simdjson's DOM parser: without it, the DOM's stage 2 (11.8 KB
// of wasm) and its element code are out of the page. On-Demand checks only what it reads, so the
// whole document is read once first (`check`): malformed JSON anywhere, under a key no setting
// reads too, is refused as such and no setting is taken from it, as the DOM parser refused it.
#include "engine_config.h"

#include <simdjson.h>

#include <algorithm>
#include <cmath>
#include <type_traits>

#include "code_placement.h"
#include "decimal.h"
#include "field_parse.h"
#include "health_score.h"
#include "json_error.h"
#include "presets.h"

namespace kpilens {

namespace {

namespace od = simdjson::ondemand;
using simdjson::error_code;
using simdjson::SUCCESS;

// Nesting this deep is refused (On-Demand's default limit; the DOM parser took one level more), and
// the check's recursion stays bounded.
constexpr size_t kMaxDepth = simdjson::DEFAULT_MAX_DEPTH;

class Object;
class Array;

// A value of the checked document, read as the settings want it: get() says SUCCESS when the value
// has that type (and sets it), an error when not, and then leaves the value to be read as another
// type. Holds the result rather than the value: were a step to fail all the same, every get() says
// so instead of reading through an iterator that has none.
class Value {
 public:
  explicit Value(simdjson::simdjson_result<od::value> value) : value_(std::move(value)) {}
  explicit Value(od::value value) : value_(std::move(value)) {}
  error_code get(std::string_view& out) { return value_.get_string().get(out); }
  // With the DOM parser's number parser (get_double's refuses a few numbers it takes, such as an
  // exponent of twenty digits), which refuses an integer beyond 64 bits as it did.
  error_code get(double& out) {
    od::number number;
    if (auto e = value_.get_number().get(number)) return e;
    out = number.as_double();
    return SUCCESS;
  }
  error_code get(int64_t& out) { return value_.get_int64().get(out); }
  error_code get(bool& out) { return value_.get_bool().get(out); }
  error_code get(Object& out);
  error_code get(Array& out);
  error_code type(od::json_type& out) { return value_.type().get(out); }
  bool is_null() {
    bool null = false;
    return value_.is_null().get(null) == SUCCESS && null;
  }

 private:
  simdjson::simdjson_result<od::value> value_;
};

// An object's fields, in the document's order (duplicates included), as (unescaped key, Value).
class Object {
 public:
  class Iterator {
   public:
    explicit Iterator(simdjson::simdjson_result<od::object_iterator> it) : it_(std::move(it)) {}
    std::pair<std::string_view, Value> operator*() {
      simdjson::simdjson_result<od::field> field = *it_;
      std::string_view key;
      if (auto e = field.unescaped_key(false).get(key)) return {key, Value(e)};
      return {key, Value(field.value())};
    }
    Iterator& operator++() {
      ++it_;
      return *this;
    }
    bool operator!=(const Iterator& other) const { return it_ != other.it_; }

   private:
    simdjson::simdjson_result<od::object_iterator> it_;
  };
  Object() = default;
  explicit Object(od::object object) : object_(object) {}
  Iterator begin() { return Iterator(object_.begin()); }
  Iterator end() { return Iterator(object_.end()); }

 private:
  od::object object_;
};

class Array {
 public:
  class Iterator {
   public:
    explicit Iterator(simdjson::simdjson_result<od::array_iterator> it) : it_(std::move(it)) {}
    Value operator*() { return Value(*it_); }
    Iterator& operator++() {
      ++it_;
      return *this;
    }
    bool operator!=(const Iterator& other) const { return it_ != other.it_; }

   private:
    simdjson::simdjson_result<od::array_iterator> it_;
  };
  Array() = default;
  explicit Array(od::array array) : array_(array) {}
  Iterator begin() { return Iterator(array_.begin()); }
  Iterator end() { return Iterator(array_.end()); }

 private:
  od::array array_;
};

error_code Value::get(Object& out) {
  od::object object;
  if (auto e = value_.get_object().get(object)) return e;
  out = Object(object);
  return SUCCESS;
}

error_code Value::get(Array& out) {
  od::array array;
  if (auto e = value_.get_array().get(array)) return e;
  out = Array(array);
  return SUCCESS;
}

// Every value of the document read once, depth first: the first syntax error, or SUCCESS. Read
// through the same wrappers as the settings. An error On-Demand meets between two fields or items
// comes with the next one it is asked for (a Value holding the error), so none goes unseen.
error_code check(Value value, size_t depth) {
  od::json_type type;
  if (auto e = value.type(type)) return e;
  // On-Demand keeps a container's start by its depth, below the parser's limit (its development
  // checks assert so): one that deep is refused before it is opened.
  if ((type == od::json_type::object || type == od::json_type::array) && depth >= kMaxDepth) {
    return simdjson::DEPTH_ERROR;
  }
  switch (type) {
    case od::json_type::object: {
      Object object;
      if (auto e = value.get(object)) return e;
      for (auto [key, item] : object) {
        if (auto e = check(item, depth + 1)) return e;
      }
      return SUCCESS;
    }
    case od::json_type::array: {
      Array array;
      if (auto e = value.get(array)) return e;
      for (Value item : array) {
        if (auto e = check(item, depth + 1)) return e;
      }
      return SUCCESS;
    }
    case od::json_type::string: {
      std::string_view text;
      return value.get(text);
    }
    case od::json_type::number: {
      double number = 0;
      return value.get(number);
    }
    case od::json_type::boolean: {
      bool boolean = false;
      return value.get(boolean);
    }
    case od::json_type::null:
      return value.is_null() ? SUCCESS : simdjson::N_ATOM_ERROR;
  }
  return simdjson::INCORRECT_TYPE;
}

// The whole document when it is an object or an array, its end included. A scalar document is not
// read: parse_config refuses it as not an object, well-formed or not.
error_code check_document(od::document& doc) {
  od::json_type type;
  if (auto e = doc.type().get(type)) return e;
  if (type != od::json_type::object && type != od::json_type::array) return SUCCESS;
  od::value value;
  if (auto e = doc.get_value().get(value)) return e;
  if (auto e = check(Value(value), 1)) return e;
  return doc.at_end() ? SUCCESS : simdjson::TRAILING_CONTENT;
}

struct Reader {
  std::vector<std::string>& errors;

  std::optional<std::string> text(Value value, std::string_view where) {
    std::string_view s;
    if (value.get(s) != SUCCESS) {
      errors.push_back(std::string(where) + " must be a string");
      return std::nullopt;
    }
    return std::string(s);
  }
  std::optional<double> number(Value value, std::string_view where) {
    double d = 0;
    if (value.get(d) != SUCCESS) {
      errors.push_back(std::string(where) + " must be a number");
      return std::nullopt;
    }
    return d;
  }
  // A limit counted in things: 2.5 or -1 is a typo, not a limit; a huge double would not convert.
  std::optional<size_t> count(Value value, std::string_view where, size_t min) {
    auto v = number(value, where);
    if (!v) return std::nullopt;
    if (*v != std::floor(*v) || *v < static_cast<double>(min) || *v > 1e15) {
      errors.push_back(std::string(where) + " must be a whole number from " + std::to_string(min) +
                       " to 10^15");
      return std::nullopt;
    }
    return static_cast<size_t>(*v);
  }
  std::optional<bool> boolean(Value value, std::string_view where) {
    bool b = false;
    if (value.get(b) != SUCCESS) {
      errors.push_back(std::string(where) + " must be true or false");
      return std::nullopt;
    }
    return b;
  }
  std::vector<std::string> strings(Value value, std::string_view where) {
    std::vector<std::string> out;
    Array array;
    if (value.get(array) == SUCCESS) {
      for (Value item : array) {
        if (auto s = text(item, where)) out.push_back(*s);
      }
    } else if (auto s = text(value, where)) {
      out.push_back(*s);
    }
    return out;
  }
};

std::optional<int64_t> parse_day(std::string_view text) {
  auto ts = parse_timestamp(text, DateOrder::kMonthFirst);
  if (!ts) return std::nullopt;
  return static_cast<int64_t>(ts->seconds >= 0 ? ts->seconds / 86400
                                               : (ts->seconds - 86399) / 86400);
}

void read_figures(Reader& r, const std::vector<std::string>& named, EngineConfig& c) {
  std::string error = select_figures(c, named);
  if (!error.empty()) r.errors.push_back(std::move(error));
}

void read_csat(Reader& r, Object obj, CsatSettings& s) {
  for (auto [key, value] : obj) {
    if (key == "scale_min") {
      if (auto v = r.number(value, "csat.scale_min")) s.scale_min = *v;
    } else if (key == "scale_max") {
      if (auto v = r.number(value, "csat.scale_max")) s.scale_max = *v;
    } else if (key == "threshold") {
      if (auto v = r.number(value, "csat.threshold")) s.threshold = *v;
    } else {
      r.errors.push_back("csat: unknown setting '" + std::string(key) + "'");
    }
  }
  if (!(s.scale_min < s.scale_max) || s.threshold < s.scale_min || s.threshold > s.scale_max) {
    r.errors.push_back("csat: need scale_min < scale_max and scale_min ≤ threshold ≤ scale_max");
  }
}

void read_nps(Reader& r, Object obj, NpsSettings& s) {
  for (auto [key, value] : obj) {
    if (key == "promoter_min") {
      if (auto v = r.number(value, "nps.promoter_min")) s.promoter_min = *v;
    } else if (key == "detractor_max") {
      if (auto v = r.number(value, "nps.detractor_max")) s.detractor_max = *v;
    } else {
      r.errors.push_back("nps: unknown setting '" + std::string(key) + "'");
    }
  }
  if (!(s.detractor_max < s.promoter_min))
    r.errors.push_back("nps: need detractor_max < promoter_min");
}

void read_ces(Reader& r, Object obj, CesSettings& s) {
  bool threshold_given = false;
  for (auto [key, value] : obj) {
    if (key == "scale_min") {
      if (auto v = r.number(value, "ces.scale_min")) s.scale_min = *v;
    } else if (key == "scale_max") {
      if (auto v = r.number(value, "ces.scale_max")) s.scale_max = *v;
    } else if (key == "higher_is_easier") {
      if (auto v = r.boolean(value, "ces.higher_is_easier")) s.higher_is_easier = *v;
    } else if (key == "easy_threshold") {
      if (auto v = r.number(value, "ces.easy_threshold")) {
        s.easy_threshold = *v;
        threshold_given = true;
      }
    } else {
      r.errors.push_back("ces: unknown setting '" + std::string(key) + "'");
    }
  }
  if (!threshold_given) {
    // 1–7 higher-is-easier: 5–7 easy. 1–5 lower-is-easier: 1–2 easy.
    s.easy_threshold = s.higher_is_easier ? s.scale_max - 2 : s.scale_min + 1;
  }
  if (!(s.scale_min < s.scale_max)) r.errors.push_back("ces: need scale_min < scale_max");
}

}  // namespace

std::string select_figures(EngineConfig& c, const std::vector<std::string>& named) {
  if (named.empty()) return "figures: name at least one figure id, or leave figures out for all";
  const auto& catalogue = ticket_kpi_catalogue();
  for (const std::string& id : named) {
    if (std::none_of(catalogue.begin(), catalogue.end(),
                     [&](const KpiDefinition& def) { return def.id == id; })) {
      std::string known;
      for (const KpiDefinition& def : catalogue) {
        if (!known.empty()) known += ", ";
        known += def.id;
      }
      return "figures: unknown figure '" + id + "' (known: " + known + ")";
    }
  }
  c.figures.clear();
  for (const KpiDefinition& def : catalogue) {
    if (std::find(named.begin(), named.end(), def.id) != named.end()) {
      c.figures.emplace_back(def.id);
    }
  }
  c.kpis.reads = ticket_reads_for(c.figures);
  return "";
}

const std::vector<std::string>& default_solved_statuses() {
  static const std::vector<std::string> statuses = {"solved",    "closed",   "resolved", "done",
                                                    "completed", "complete", "fixed"};
  return statuses;
}

std::optional<int> parse_utc_offset(std::string_view text) {
  std::string_view s = trim(text);
  if (s == "Z" || s == "z" || iequals(s, "utc")) return 0;
  if (s.size() < 3 || (s[0] != '+' && s[0] != '-')) return std::nullopt;
  int sign = s[0] == '-' ? -1 : 1;
  s.remove_prefix(1);
  if (!is_digit(s[0]) || !is_digit(s[1])) return std::nullopt;
  int hours = (s[0] - '0') * 10 + (s[1] - '0');
  int minutes = 0;
  s.remove_prefix(2);
  if (!s.empty() && s[0] == ':') {
    s.remove_prefix(1);
    if (s.empty()) return std::nullopt;  // "+05:" lost its minutes
  }
  if (!s.empty()) {
    if (s.size() != 2 || !is_digit(s[0]) || !is_digit(s[1])) return std::nullopt;
    minutes = (s[0] - '0') * 10 + (s[1] - '0');
  }
  if (hours > 18 || minutes > 59) return std::nullopt;
  return sign * (hours * 60 + minutes);
}

namespace {

void read_mapping(Reader& r, Value value, MappingOverrides& out, const std::string& where) {
  Object m;
  if (value.get(m) != SUCCESS) {
    r.errors.push_back(where + " must be an object {field: column header or null}");
    return;
  }
  for (auto [field, header] : m) {
    if (header.is_null()) {
      out.columns.emplace_back(std::string(field), std::nullopt);
    } else if (auto s = r.text(header, where + "." + std::string(field))) {
      out.columns.emplace_back(std::string(field), *s);
    }
  }
}

void read_units(Reader& r, Value value, MappingOverrides& out, const std::string& where) {
  Object m;
  if (value.get(m) != SUCCESS) {
    r.errors.push_back(where + " must be an object {field: unit}");
    return;
  }
  for (auto [field, unit] : m) {
    if (auto s = r.text(unit, where + "." + std::string(field))) {
      if (auto u = parse_unit_name(*s)) {
        out.units.emplace_back(std::string(field), *u);
      } else {
        r.errors.push_back(where + "." + std::string(field) + ": unknown unit '" + *s + "'");
      }
    }
  }
}

std::optional<std::string> read_preset(Reader& r, Value value, const std::string& where) {
  auto s = r.text(value, where);
  if (!s) return std::nullopt;
  if (*s != "none" && !find_preset(*s)) {
    std::string known;
    for (const Preset& p : presets()) known += (known.empty() ? "" : ", ") + std::string(p.id);
    r.errors.push_back(where + ": unknown preset '" + *s + "' (known: " + known + ", none)");
    return std::nullopt;
  }
  return s;
}

std::optional<DatasetKind> read_kind(Reader& r, Value value, const std::string& where) {
  auto s = r.text(value, where);
  if (!s) return std::nullopt;
  auto kind = kind_from_name(*s);
  if (!kind) {
    r.errors.push_back(where + ": unknown kind '" + *s +
                       "' (known: tickets, survey, subscriptions, invoices, mrr, customers, "
                       "orders, events)");
    return std::nullopt;
  }
  return kind;
}

// Increasing positive upper bounds of a band segment.
std::vector<double> read_bands(Reader& r, Value value, const std::string& where) {
  std::vector<double> bands;
  Array array;
  if (value.get(array) != SUCCESS) {
    r.errors.push_back(where + " must be an array of increasing numbers above 0");
    return bands;
  }
  for (Value item : array) {
    if (auto v = r.number(item, where)) bands.push_back(*v);
  }
  for (size_t i = 0; i < bands.size(); ++i) {
    if (!(bands[i] > 0) || (i > 0 && !(bands[i] > bands[i - 1]))) {
      r.errors.push_back(where + " must be an array of increasing numbers above 0");
      break;
    }
  }
  return bands;
}

void read_health(Reader& r, Value value, HealthSettings& h) {
  Object obj;
  if (value.get(obj) != SUCCESS) {
    r.errors.push_back("customers.health must be an object");
    return;
  }
  for (auto [key, item] : obj) {
    if (key == "components") {
      Array array;
      if (item.get(array) != SUCCESS) {
        r.errors.push_back("customers.health.components must be an array of objects");
        continue;
      }
      h.components.clear();
      for (Value entry : array) {
        Object c;
        if (entry.get(c) != SUCCESS) {
          r.errors.push_back("customers.health.components must be an array of objects");
          continue;
        }
        HealthComponent component;
        bool has_id = false;
        for (auto [ckey, cvalue] : c) {
          const std::string where = "customers.health.components." + std::string(ckey);
          if (ckey == "id") {
            auto text = r.text(cvalue, where);
            if (!text) continue;
            auto id = health_component_from_name(*text);
            if (!id) {
              r.errors.push_back("customers.health.components: unknown component '" + *text +
                                 "' (known: usage_events, tickets, csat, nps, reopen_rate, "
                                 "payment_failures, tenure, mrr_trend)");
              continue;
            }
            component.id = *id;
            has_id = true;
          } else if (ckey == "weight") {
            if (auto v = r.number(cvalue, where)) {
              if (!(*v > 0) || !std::isfinite(*v)) {
                r.errors.push_back("customers.health.components.weight must be above 0");
              } else {
                component.weight = *v;
              }
            }
          } else if (ckey == "zero") {
            if (auto v = r.number(cvalue, where)) component.zero = *v;
          } else if (ckey == "full") {
            if (auto v = r.number(cvalue, where)) component.full = *v;
          } else if (ckey == "days") {
            if (auto v = r.count(cvalue, where, 1)) {
              if (*v > 3660) {
                r.errors.push_back("customers.health.components.days must be from 1 to 3660");
              } else {
                component.days = static_cast<int64_t>(*v);
              }
            }
          } else if (ckey == "periods") {
            if (auto v = r.count(cvalue, where, 1)) {
              if (*v > 120) {
                r.errors.push_back("customers.health.components.periods must be from 1 to 120");
              } else {
                component.periods = static_cast<int64_t>(*v);
              }
            }
          } else {
            r.errors.push_back("customers.health.components: unknown setting '" +
                               std::string(ckey) + "'");
          }
        }
        if (!has_id) {
          r.errors.push_back("customers.health.components: every component needs an id");
          continue;
        }
        const std::string name(health_component_name(component.id));
        if (component.zero && component.full && *component.zero == *component.full) {
          r.errors.push_back("customers.health.components: " + name +
                             ": zero and full must differ");
        }
        if (component.days && component.id != HealthComponentId::kUsageEvents &&
            component.id != HealthComponentId::kTickets) {
          r.errors.push_back("customers.health.components: " + name + " has no days");
        }
        if (component.periods && component.id != HealthComponentId::kMrrTrend) {
          r.errors.push_back("customers.health.components: " + name + " has no periods");
        }
        for (const HealthComponent& other : h.components) {
          if (other.id == component.id) {
            r.errors.push_back("customers.health.components: " + name + " is listed twice");
          }
        }
        h.components.push_back(component);
      }
      if (h.components.empty()) {
        r.errors.push_back("customers.health.components must list at least one component");
      }
    } else if (key == "model") {
      if (auto v = r.text(item, "customers.health.model")) {
        if (*v == "weighted_mean") {
          h.model = HealthModel::kWeightedMean;
        } else if (*v == "worst_component") {
          h.model = HealthModel::kWorstComponent;
        } else {
          r.errors.push_back(
              "customers.health.model must be one of weighted_mean, worst_component (got '" + *v +
              "')");
        }
      }
    } else if (key == "bands") {
      Object bands;
      if (item.get(bands) != SUCCESS) {
        r.errors.push_back("customers.health.bands must be an object");
        continue;
      }
      for (auto [bkey, bvalue] : bands) {
        if (bkey == "yellow") {
          if (auto v = r.number(bvalue, "customers.health.bands.yellow")) h.yellow = *v;
        } else if (bkey == "green") {
          if (auto v = r.number(bvalue, "customers.health.bands.green")) h.green = *v;
        } else {
          r.errors.push_back("customers.health.bands: unknown setting '" + std::string(bkey) + "'");
        }
      }
      if (!(h.yellow > 0 && h.yellow <= h.green && h.green <= 100)) {
        r.errors.push_back("customers.health.bands: need 0 < yellow ≤ green ≤ 100");
      }
    } else if (key == "max_listed") {
      if (auto v = r.count(item, "customers.health.max_listed", 0)) {
        if (*v > 100000) {
          r.errors.push_back("customers.health.max_listed must be a whole number from 0 to 100000");
        } else {
          h.max_listed = *v;
        }
      }
    } else {
      r.errors.push_back("customers.health: unknown setting '" + std::string(key) + "'");
    }
  }
}

void read_customers(Reader& r, Object obj, CustomerSettings& s) {
  auto choice = [&](Value value, std::string_view where,
                    std::initializer_list<std::string_view> allowed) -> std::optional<std::string> {
    auto text = r.text(value, where);
    if (!text) return std::nullopt;
    for (std::string_view a : allowed) {
      if (*text == a) return text;
    }
    std::string list;
    for (std::string_view a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
    r.errors.push_back(std::string(where) + " must be one of " + list + " (got '" + *text + "')");
    return std::nullopt;
  };
  for (auto [key, value] : obj) {
    if (key == "grain") {
      if (auto g = choice(value, "customers.grain", {"month", "quarter", "year"})) {
        s.grain = *parse_grain(*g);
      }
    } else if (key == "churn_recognition") {
      if (auto v = choice(value, "customers.churn_recognition", {"period_end", "cancellation"})) {
        s.churn_recognition =
            *v == "period_end" ? ChurnRecognition::kPeriodEnd : ChurnRecognition::kCancellation;
      }
    } else if (key == "gross_margin") {
      if (value.is_null()) {
        s.gross_margin.reset();
      } else if (auto v = r.number(value, "customers.gross_margin")) {
        if (!(*v > 0 && *v <= 1)) {
          r.errors.push_back("customers.gross_margin must be above 0 and at most 1 (e.g. 0.8)");
        } else {
          s.gross_margin = *v;
        }
      }
    } else if (key == "amount_unit") {
      if (auto v = choice(value, "customers.amount_unit", {"auto", "units", "cents"})) {
        s.amount_unit = *v == "auto"    ? ValueScale::kDefault
                        : *v == "units" ? ValueScale::kUnits
                                        : ValueScale::kCents;
      }
    } else if (key == "tenure_unit") {
      if (auto v = choice(value, "customers.tenure_unit", {"auto", "months", "years"})) {
        s.tenure_unit = *v == "auto"     ? ValueScale::kDefault
                        : *v == "months" ? ValueScale::kMonths
                                         : ValueScale::kYears;
      }
    } else if (key == "currency") {
      if (value.is_null()) {
        s.currency.reset();
      } else if (auto v = r.text(value, "customers.currency")) {
        std::string code(trim(*v));
        for (char& ch : code) {
          if (ch >= 'a' && ch <= 'z') ch = static_cast<char>(ch - 'a' + 'A');
        }
        if (code.empty()) {
          r.errors.push_back("customers.currency must be a currency code such as \"EUR\"");
        } else {
          s.currency = code;
        }
      }
    } else if (key == "count_trials") {
      if (auto v = r.boolean(value, "customers.count_trials")) s.count_trials = *v;
    } else if (key == "free_is_active") {
      if (auto v = r.boolean(value, "customers.free_is_active")) s.free_is_active = *v;
    } else if (key == "cohort_basis") {
      if (auto v = choice(value, "customers.cohort_basis", {"auto", "signup", "first_paid"})) {
        s.cohort_basis = *v == "auto"     ? CohortBasis::kAuto
                         : *v == "signup" ? CohortBasis::kSignup
                                          : CohortBasis::kFirstPaid;
      }
    } else if (key == "max_cohorts") {
      if (auto v = r.count(value, "customers.max_cohorts", 1)) {
        if (*v > 1200) {
          r.errors.push_back("customers.max_cohorts must be a whole number from 1 to 1200");
        } else {
          s.max_cohorts = *v;
        }
      }
    } else if (key == "as_of") {
      if (value.is_null()) {
        s.as_of.reset();
      } else if (auto text = r.text(value, "customers.as_of")) {
        if (auto day = parse_day(*text)) {
          s.as_of = day;
        } else {
          r.errors.push_back("customers.as_of must be a date like 2024-01-31");
        }
      }
    } else if (key == "tenure_bands") {
      s.tenure_bands = read_bands(r, value, "customers.tenure_bands");
    } else if (key == "age_bands") {
      s.age_bands = read_bands(r, value, "customers.age_bands");
    } else if (key == "lifespan_years") {
      if (value.is_null()) {
        s.lifespan_years.reset();
      } else if (auto v = r.number(value, "customers.lifespan_years")) {
        if (!(*v > 0) || *v > 1000) {
          r.errors.push_back("customers.lifespan_years must be above 0 (years)");
        } else {
          s.lifespan_years = *v;
        }
      }
    } else if (key == "value_event") {
      if (value.is_null()) {
        s.value_event.reset();
      } else if (auto v = r.text(value, "customers.value_event")) {
        if (trim(*v).empty()) {
          r.errors.push_back("customers.value_event must be an event name");
        } else {
          s.value_event = std::string(trim(*v));
        }
      }
    } else if (key == "funnel") {
      s.funnel.clear();
      for (std::string& step : r.strings(value, "customers.funnel")) {
        if (trim(step).empty()) {
          r.errors.push_back("customers.funnel: an event name is empty");
        } else {
          s.funnel.emplace_back(trim(step));
        }
      }
      if (s.funnel.size() > 32) r.errors.push_back("customers.funnel: at most 32 steps");
    } else if (key == "health") {
      read_health(r, value, s.health);
    } else {
      r.errors.push_back("customers: unknown setting '" + std::string(key) + "'");
    }
  }
}

}  // namespace

ConfigResult parse_config(std::string_view json) {
  ConfigResult result;
  EngineConfig& c = result.config;
  std::string_view trimmed = trim(json);
  if (trimmed.empty()) return result;
  Reader r{result.errors};

  od::parser parser;
  simdjson::padded_string padded(json);
  od::document doc;
  error_code error = parser.iterate(padded).get(doc);
  if (!error) error = check_document(doc);
  if (error) {
    result.errors.push_back(std::string("config is not valid JSON: ") + json_error_reason(error));
    return result;
  }
  doc.rewind();
  od::object root;
  if (doc.get_object().get(root) != SUCCESS) {
    result.errors.push_back("config must be a JSON object");
    return result;
  }
  Object obj(root);
  for (auto [key, value] : obj) {
    if (key == "grain") {
      if (auto s = r.text(value, "grain")) {
        if (auto g = parse_grain(*s)) {
          c.period.grain = *g;
        } else {
          r.errors.push_back("grain must be day, week, month, quarter, year or all (got '" + *s +
                             "')");
        }
      }
    } else if (key == "week_start") {
      if (auto s = r.text(value, "week_start")) {
        if (iequals(*s, "monday")) {
          c.period.week_starts_sunday = false;
        } else if (iequals(*s, "sunday")) {
          c.period.week_starts_sunday = true;
        } else {
          r.errors.push_back("week_start must be monday or sunday");
        }
      }
    } else if (key == "utc_offset") {
      int64_t minutes = 0;
      std::string_view s;
      if (value.get(minutes) == SUCCESS) {
        if (minutes < -18 * 60 || minutes > 18 * 60) {
          r.errors.push_back("utc_offset in minutes must be within ±1080");
        } else {
          c.period.utc_offset_minutes = static_cast<int>(minutes);
        }
      } else if (value.get(s) == SUCCESS) {
        if (auto m = parse_utc_offset(s)) {
          c.period.utc_offset_minutes = *m;
        } else {
          r.errors.push_back("utc_offset must look like +02:00 or -0530 (got '" + std::string(s) +
                             "')");
        }
      } else {
        r.errors.push_back("utc_offset must be minutes or a string like +02:00");
      }
    } else if (key == "by") {
      c.by = r.strings(value, "by");
    } else if (key == "by_if_mapped") {
      c.by_if_mapped = r.strings(value, "by_if_mapped");
    } else if (key == "filters") {
      Array array;
      if (value.get(array) != SUCCESS) {
        r.errors.push_back("filters must be an array of {column, values}");
        continue;
      }
      for (Value item : array) {
        Object f;
        if (item.get(f) != SUCCESS) {
          r.errors.push_back("each filter must be an object {column, values}");
          continue;
        }
        FilterSpec spec;
        for (auto [fk, fv] : f) {
          if (fk == "column") {
            if (auto s = r.text(fv, "filters[].column")) spec.column = *s;
          } else if (fk == "values") {
            spec.values = r.strings(fv, "filters[].values");
          } else {
            r.errors.push_back("filters: unknown key '" + std::string(fk) + "'");
          }
        }
        if (spec.column.empty()) {
          r.errors.push_back("filters: each filter needs a column");
        } else {
          c.filters.push_back(std::move(spec));
        }
      }
    } else if (key == "date_from" || key == "date_to") {
      if (auto s = r.text(value, key)) {
        auto day = parse_day(*s);
        if (!day) {
          r.errors.push_back(std::string(key) + " must be a date like 2024-01-31");
        } else if (key == "date_from") {
          c.date_from = day;
        } else {
          c.date_to = day;
        }
      }
    } else if (key == "mapping") {
      read_mapping(r, value, c.mapping, "mapping");
    } else if (key == "units") {
      read_units(r, value, c.mapping, "units");
    } else if (key == "preset") {
      c.preset = read_preset(r, value, "preset");
    } else if (key == "files") {
      Object files;
      if (value.get(files) != SUCCESS) {
        r.errors.push_back("files must be an object {file name: {mapping, units, preset, kind}}");
        continue;
      }
      for (auto [name, entry] : files) {
        FileOverrides file;
        file.name = std::string(name);
        std::string where = "files." + file.name;
        Object fo;
        if (entry.get(fo) != SUCCESS) {
          r.errors.push_back(where + " must be an object {mapping, units, preset, kind}");
          continue;
        }
        for (auto [fk, fv] : fo) {
          if (fk == "mapping") {
            read_mapping(r, fv, file.mapping, where + ".mapping");
          } else if (fk == "units") {
            read_units(r, fv, file.mapping, where + ".units");
          } else if (fk == "preset") {
            file.preset = read_preset(r, fv, where + ".preset");
          } else if (fk == "kind") {
            file.kind = read_kind(r, fv, where + ".kind");
          } else {
            r.errors.push_back(where + ": unknown key '" + std::string(fk) + "'");
          }
        }
        c.files.push_back(std::move(file));
      }
    } else if (key == "date_order") {
      if (auto s = r.text(value, "date_order")) {
        if (*s == "auto") {
          c.date_order = DateOrder::kAuto;
        } else if (*s == "mdy" || *s == "month_first") {
          c.date_order = DateOrder::kMonthFirst;
        } else if (*s == "dmy" || *s == "day_first") {
          c.date_order = DateOrder::kDayFirst;
        } else {
          r.errors.push_back("date_order must be auto, mdy or dmy");
        }
      }
    } else if (key == "delimiter") {
      if (auto s = r.text(value, "delimiter")) {
        if (*s == "auto") {
          c.delimiter = 0;
        } else if (*s == "," || *s == ";" || *s == "\t" || *s == "|" || *s == "tab") {
          c.delimiter = *s == "tab" ? '\t' : (*s)[0];
        } else {
          r.errors.push_back("delimiter must be auto, \",\", \";\", \"\\t\" or \"|\"");
        }
      }
    } else if (key == "decimal_separator") {
      if (auto s = r.text(value, "decimal_separator")) {
        if (*s == "." || *s == ",") {
          c.decimal_separator = (*s)[0];
        } else if (*s != "auto") {
          r.errors.push_back("decimal_separator must be auto, \".\" or \",\"");
        }
      }
    } else if (key == "figures") {
      const size_t errors = r.errors.size();
      std::vector<std::string> named;
      if (!value.is_null()) named = r.strings(value, "figures");
      // (A value of the wrong type is one error, r.strings's.)
      if (!value.is_null() && r.errors.size() == errors) read_figures(r, named, c);
    } else if (key == "solved_statuses") {
      c.solved_statuses = r.strings(value, "solved_statuses");
    } else if (key == "csat") {
      Object o;
      if (value.get(o) == SUCCESS) {
        read_csat(r, o, c.kpis.csat);
      } else {
        r.errors.push_back("csat must be an object");
      }
    } else if (key == "nps") {
      Object o;
      if (value.get(o) == SUCCESS) {
        read_nps(r, o, c.kpis.nps);
      } else {
        r.errors.push_back("nps must be an object");
      }
    } else if (key == "ces") {
      Object o;
      if (value.get(o) == SUCCESS) {
        read_ces(r, o, c.kpis.ces);
      } else {
        r.errors.push_back("ces must be an object");
      }
    } else if (key == "cost") {
      Object o;
      if (value.get(o) != SUCCESS) {
        r.errors.push_back("cost must be an object {total, currency}");
        continue;
      }
      for (auto [ck, cv] : o) {
        if (ck == "total") {
          if (auto v = r.number(cv, "cost.total")) c.kpis.cost_total = *v;
        } else if (ck == "currency") {
          if (auto s = r.text(cv, "cost.currency")) c.kpis.currency = *s;
        } else {
          r.errors.push_back("cost: unknown setting '" + std::string(ck) + "'");
        }
      }
    } else if (key == "max_rejected_listed") {
      if (auto v = r.count(value, "max_rejected_listed", 0)) c.max_rejected_listed = *v;
    } else if (key == "max_segments") {
      if (auto v = r.count(value, "max_segments", 1)) c.max_segments = *v;
    } else if (key == "customers") {
      Object o;
      if (value.get(o) == SUCCESS) {
        read_customers(r, o, c.customers);
      } else {
        r.errors.push_back("customers must be an object");
      }
    } else {
      r.errors.push_back("unknown config key '" + std::string(key) + "'");
    }
  }
  if (c.date_from && c.date_to && *c.date_from > *c.date_to) {
    r.errors.push_back("date_from is after date_to");
  }
  return result;
}

namespace {

// FNV-1a over what the config holds: every number as 8 bytes, strings and lists after their
// length, optionals after a flag, so that no two configs give the same bytes (["a", "bc"] and
// ["ab", "c"] differ). Each settings struct is taken apart by a structured binding that names all
// of its members: a binding must name as many as the struct has, so a member added to one, or taken
// away, fails to compile here until it is hashed (each name bound goes to add_all). A pointer has
// no add (it would otherwise go to add(bool)); a size_t is written as uint64_t{…} (it is no
// uint64_t on wasm32, and would be ambiguous there).
class Fingerprint {
 public:
  void bytes(const void* data, size_t size) {
    for (size_t i = 0; i < size; ++i) {
      hash_ = (hash_ ^ static_cast<const unsigned char*>(data)[i]) * 0x100000001B3;
    }
  }
  void add(uint64_t value) { bytes(&value, sizeof value); }
  void add(int64_t value) { add(static_cast<uint64_t>(value)); }
  void add(int value) { add(static_cast<int64_t>(value)); }
  void add(double value) { bytes(&value, sizeof value); }
  void add(bool value) { add(uint64_t{value ? 1u : 0u}); }
  void add(char value) { add(uint64_t{static_cast<unsigned char>(value)}); }
  template <typename T>
  void add(const T* value) = delete;
  template <typename E>
  requires std::is_enum_v<E>
  void add(E value) { add(static_cast<uint64_t>(value)); }
  void add(const std::string& value) {
    add(uint64_t{value.size()});
    bytes(value.data(), value.size());
  }
  template <typename T>
  void add(const std::vector<T>& values) {
    add(uint64_t{values.size()});
    for (const T& value : values) add(value);
  }
  template <typename T>
  void add(const std::optional<T>& value) {
    add(value.has_value());
    if (value) add(*value);
  }
  template <typename A, typename B>
  void add(const std::pair<A, B>& value) {
    add(value.first);
    add(value.second);
  }
  template <typename... T>
  void add_all(const T&... values) {
    (add(values), ...);
  }

  void add(const PeriodSpec& p) {
    const auto& [grain, week_starts_sunday, utc_offset_minutes] = p;
    add_all(grain, week_starts_sunday, utc_offset_minutes);
  }
  void add(const FilterSpec& filter) {
    const auto& [column, values] = filter;
    add_all(column, values);
  }
  void add(const MappingOverrides& m) {
    const auto& [columns, units] = m;
    add_all(columns, units);
  }
  void add(const FileOverrides& file) {
    const auto& [name, mapping, preset, kind] = file;
    add_all(name, mapping, preset, kind);
  }
  void add(const CsatSettings& csat) {
    const auto& [scale_min, scale_max, threshold] = csat;
    add_all(scale_min, scale_max, threshold);
  }
  void add(const NpsSettings& nps) {
    const auto& [promoter_min, detractor_max] = nps;
    add_all(promoter_min, detractor_max);
  }
  void add(const CesSettings& ces) {
    const auto& [scale_min, scale_max, higher_is_easier, easy_threshold] = ces;
    add_all(scale_min, scale_max, higher_is_easier, easy_threshold);
  }
  void add(const TicketReads& r) {
    const auto& [csat, nps, ces, cost, contacts, solved, first_response, first_response_values,
                 resolution_values, backlog_flows] = r;
    add_all(csat, nps, ces, cost, contacts, solved, first_response, first_response_values,
            resolution_values, backlog_flows);
  }
  void add(const KpiSettings& k) {
    const auto& [csat, nps, ces, cost_total, currency, survey_offers_known, reads] = k;
    add_all(csat, nps, ces, cost_total, currency, survey_offers_known, reads);
  }
  void add(const HealthComponent& component) {
    const auto& [id, weight, zero, full, days, periods] = component;
    add_all(id, weight, zero, full, days, periods);
  }
  void add(const HealthSettings& health) {
    const auto& [components, model, yellow, green, max_listed] = health;
    add_all(components, model, yellow, green, uint64_t{max_listed});
  }
  void add(const CustomerSettings& s) {
    const auto& [grain, churn_recognition, gross_margin, amount_unit, tenure_unit, currency,
                 count_trials, free_is_active, cohort_basis, max_cohorts, as_of, tenure_bands,
                 age_bands, lifespan_years, value_event, funnel, health] = s;
    add_all(grain, churn_recognition, gross_margin, amount_unit, tenure_unit, currency,
            count_trials, free_is_active, cohort_basis, uint64_t{max_cohorts}, as_of, tenure_bands,
            age_bands, lifespan_years, value_event, funnel, health);
  }
  void add(const EngineConfig& c) {
    const auto& [period, by, by_if_mapped, filters, date_from, date_to, mapping, preset, files,
                 date_order, delimiter, decimal_separator, solved_statuses, kpis, figures,
                 max_rejected_listed, inference_rows, max_segments, customers] = c;
    add_all(period, by, by_if_mapped, filters, date_from, date_to, mapping, preset, files,
            date_order, delimiter, decimal_separator, solved_statuses, kpis, figures,
            uint64_t{max_rejected_listed}, uint64_t{inference_rows}, uint64_t{max_segments},
            customers);
  }

  uint64_t value() const { return hash_; }

 private:
  uint64_t hash_ = 0xCBF29CE484222325;
};

}  // namespace

KPILENS_RARELY_RUN uint64_t config_fingerprint(const EngineConfig& c) {
  Fingerprint f;
  f.add(c);
  return f.value();
}

}  // namespace kpilens
