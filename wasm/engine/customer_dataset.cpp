// customer_dataset: rows → per-customer state (docs/kpis.md "From a row to a customer's state"),
// then, once, the section's axis of periods, its groups and its cohorts.
#include "customer_dataset.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>

#include "customer_presets.h"
#include "field_parse.h"
#include "json_writer.h"

namespace kpilens {

namespace {

using F = CustomerField;

constexpr uint32_t kMissing = std::numeric_limits<uint32_t>::max();
constexpr int32_t kNoDay = std::numeric_limits<int32_t>::min();
constexpr int64_t kNoMoney = std::numeric_limits<int64_t>::min();
constexpr size_t kIssueLines = 5;
constexpr size_t kMaxListedPeriods = 1200;
constexpr std::string_view kBlank = "(blank)";
constexpr std::string_view kOther = "(other)";
constexpr std::string_view kTenureBand = "tenure_band";
constexpr std::string_view kAgeBand = "age_band";

// A band as its column interns it ("<index>", from std::to_string) back to the index.
size_t band_of(std::string_view interned) {
  size_t index = 0;
  std::from_chars(interned.data(), interned.data() + interned.size(), index);
  return index;
}

std::string quoted_excerpt(std::string_view cell) {
  std::string_view t = trim(cell);
  if (t.size() > 40) return "'" + std::string(t.substr(0, 40)) + "…'";
  return "'" + std::string(t) + "'";
}

// An invoice whose payment failed (docs/kpis.md "Components": payment_failures).
bool is_payment_failure_status(std::string_view status) {
  for (std::string_view s : {"uncollectible", "failed", "payment_failed", "past_due", "unpaid"}) {
    if (iequals(status, s)) return true;
  }
  return false;
}

int32_t clamp_day(int64_t day) {
  return static_cast<int32_t>(std::clamp<int64_t>(day, kNoDay + 1, INT32_MAX));
}

int64_t floor_div(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

int64_t day_period(int64_t day, Grain grain) {
  CivilDate d = civil_from_days(day);
  switch (grain) {
    case Grain::kQuarter:
      return d.year * 4 + (d.month - 1) / 3;
    case Grain::kYear:
      return d.year;
    default:
      return d.year * 12 + (d.month - 1);
  }
}

int64_t period_last_day(int64_t period, Grain grain) {
  int64_t year = 0;
  unsigned month = 12;
  switch (grain) {
    case Grain::kQuarter:
      year = floor_div(period, 4);
      month = static_cast<unsigned>(period - year * 4) * 3 + 3;
      break;
    case Grain::kYear:
      year = period;
      break;
    default:
      year = floor_div(period, 12);
      month = static_cast<unsigned>(period - year * 12) + 1;
      break;
  }
  return days_from_civil(year, month, days_in_month(year, month));
}

int64_t period_first_day(int64_t period, Grain grain) {
  switch (grain) {
    case Grain::kQuarter:
      return period_last_day(period - 1, grain) + 1;
    case Grain::kYear:
      return days_from_civil(period, 1, 1);
    default: {
      int64_t year = floor_div(period, 12);
      return days_from_civil(year, static_cast<unsigned>(period - year * 12) + 1, 1);
    }
  }
}

// A segment ledger's series: a customer and a value id.
uint64_t segment_key(uint32_t customer, uint32_t value) {
  return (uint64_t{customer} << 32) | value;
}

// A row's segment cell: trimmed, cut to 200 bytes, "(blank)" when empty.
std::string_view segment_cell(std::string_view cell) {
  std::string_view v = trim(cell);
  if (v.size() > 200) v = v.substr(0, 200);
  return v.empty() ? kBlank : v;
}

std::string upper(std::string_view text) {
  std::string out(trim(text));
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

}  // namespace

uint32_t CustomerDataset::ValueTable::intern(std::string_view value, size_t max_values) {
  auto it = ids.find(std::string(value));
  if (it != ids.end()) return it->second;
  const bool other = value == kOther;
  size_t real = values.size() - (ids.count(std::string(kOther)) ? 1 : 0);
  if (!other && real >= max_values) return intern(kOther, max_values);
  auto id = static_cast<uint32_t>(values.size());
  values.emplace_back(value);
  ids.emplace(std::string(value), id);
  return id;
}

CustomerDataset::CustomerDataset(const EngineConfig& config)
    : settings_(config.customers),
      spec_{config.customers.grain, false, config.period.utc_offset_minutes},
      filters_(config.filters),
      date_from_(config.date_from),
      date_to_(config.date_to),
      dataset_mapping_(config.mapping),
      max_segments_(config.max_segments),
      kpis_(config.kpis) {
  for (const ResolvedComponent& c : resolve_health_components(settings_.health, kpis_.nps)) {
    if (c.id == HealthComponentId::kUsageEvents) usage_days_ = c.days;
  }
  funnel_ = settings_.funnel;
  window_ = settings_.grain == Grain::kQuarter ? 4 : settings_.grain == Grain::kYear ? 1 : 12;
  std::vector<std::string> names = config.by;
  for (const std::string& name : config.by_if_mapped) names.push_back(name);
  for (const std::string& name : names) {
    if (std::any_of(columns_.begin(), columns_.end(),
                    [&](const SegmentColumn& c) { return c.name == name; })) {
      continue;
    }
    SegmentColumn column;
    column.name = name;
    column.band = name == kTenureBand || name == kAgeBand;
    columns_.push_back(std::move(column));
  }
  filter_resolved_.assign(filters_.size(), false);
  mapping_entry_used_.assign(dataset_mapping_.columns.size(), false);
  renewals_ = std::make_unique<RenewalTerms>(columns_.size());
}

CustomerDataset::~CustomerDataset() = default;

CustomerClaim CustomerDataset::claim_file(std::string_view name, size_t file_index,
                                          std::span<const std::string> headers,
                                          std::optional<DatasetKind> forced, const Preset* preset,
                                          bool preset_from_config, const FileOverrides* own) {
  CustomerClaim claim;
  std::optional<DatasetKind> kind;
  const MappingOverrides* own_mapping = own ? &own->mapping : nullptr;
  if (forced) {
    kind = forced;
  } else if (preset && (preset_from_config || is_customer_kind(preset->kind))) {
    kind = preset->kind;
  } else {
    kind = detect_customer_kind(headers, own_mapping, &dataset_mapping_);
    if (kind && preset) {
      // A helpdesk preset wins; so does the survey preset when it finds a rating. Survey tools'
      // "Start Date"/"End Date" columns alone do not make a subscription export a survey.
      bool keeps = preset->kind != DatasetKind::kSurvey;
      if (!keeps) {
        ColumnMapping m = map_columns(headers, MappingOverrides{}, preset).mapping;
        keeps = m.has(TicketField::kCsat) || m.has(TicketField::kNps) || m.has(TicketField::kCes);
      }
      if (keeps) {
        kind.reset();
      } else {
        claim.preset_dropped = true;
        preset = nullptr;
      }
    }
  }
  if (!kind || !is_customer_kind(*kind)) {
    any_ticket_or_survey_ = true;
    return claim;
  }
  claim.claimed = true;
  claim.kind = *kind;
  ++files_claimed_;
  file_names_.emplace_back(name);
  CustomerMappingResult mapped =
      map_customer_columns(headers, *kind, dataset_mapping_, own_mapping,
                           preset && is_customer_kind(preset->kind) ? preset : nullptr);
  claim.mapping = mapped.mapping;
  for (size_t i : mapped.used_dataset_entries) mapping_entry_used_[i] = true;
  if (mapped.errors.empty() && !mapping_serves_kind(mapped.mapping, *kind)) {
    std::string needs = *kind == DatasetKind::kMrr        ? "customer, month and mrr"
                        : *kind == DatasetKind::kInvoices ? "customer, amount, period_start and "
                                                            "period_end"
                        : *kind == DatasetKind::kSubscriptions ? "customer, amount and start"
                        : *kind == DatasetKind::kOrders        ? "customer, ordered_at and amount"
                        : *kind == DatasetKind::kEvents
                            ? "customer, event and event_at"
                            : "customer and one of churned, tenure, monthly_charge, "
                              "acquisition_cost, signup_at";
    mapped.errors.push_back("a " + std::string(kind_name(*kind)) + " file needs columns for " +
                            needs + "; map them with --map field=Header or the config's mapping");
  }
  if (!mapped.errors.empty()) {
    std::string joined;
    for (const auto& e : mapped.errors) joined += (joined.empty() ? "" : "; ") + e;
    claim.error = joined;
    return claim;
  }
  kind_ = *kind;
  mapping_ = mapped.mapping;
  kinds_read_ |= kind_bit(kind_);
  if ((kind_ == DatasetKind::kSubscriptions || kind_ == DatasetKind::kInvoices) &&
      mapping_.has(F::kStatus)) {
    any_status_file_ = true;
  }
  file_index_ = file_index;
  file_name_ = std::string(name);
  currency_column_ = mapping_.has(F::kCurrency)
                         ? headers[static_cast<size_t>(mapping_[F::kCurrency].column)]
                         : std::string();

  auto resolve = [&](std::string_view column_name) -> int {
    int column = find_column(headers, column_name);
    if (column >= 0) return column;
    if (auto field = customer_field_from_name(column_name)) return mapping_[*field].column;
    return -1;
  };
  filter_columns_.clear();
  for (size_t i = 0; i < filters_.size(); ++i) {
    int column = resolve(filters_[i].column);
    filter_columns_.push_back(column);
    if (column >= 0) filter_resolved_[i] = true;
  }
  segment_columns_.clear();
  const bool row_file = kind_ != DatasetKind::kCustomers;
  for (SegmentColumn& column : columns_) {
    int index = -1;
    if (column.band) {
      if (!row_file) {
        const CustomerField source = column.name == kTenureBand ? F::kTenure : F::kAge;
        if (mapping_.has(source)) {
          index = mapping_[source].column;
          column.from_customers = true;
        }
      }
    } else {
      index = resolve(column.name);
      if (index >= 0 && row_file && !column.from_rows) {
        start_row_column(static_cast<size_t>(&column - columns_.data()));
      }
      if (index >= 0 && !row_file) column.from_customers = true;
    }
    segment_columns_.push_back(index);
  }
  row_values_.assign(columns_.size(), kMissing);
  if (kind_ == DatasetKind::kCustomers) {
    if (mapping_.has(F::kSignupAt)) any_signup_column_ = true;
    ValueScale unit = settings_.tenure_unit != ValueScale::kDefault ? settings_.tenure_unit
                                                                    : mapping_[F::kTenure].scale;
    tenure_in_years_ = unit == ValueScale::kYears;
    if (mapping_.has(F::kChurned)) {
      any_snapshot_file_ = true;
      if (mapping_.has(F::kTenure) && tenure_in_years_) snapshot_tenure_unit_ = ValueScale::kYears;
    }
  }
  return claim;
}

// A row file is the first to have segment column j: from now on rows keep one state per value. The
// rows read before had no such cell: their state moves over as "value unknown", which build_groups
// settles with the customer's value, so the order of files does not matter.
void CustomerDataset::start_row_column(size_t j) {
  SegmentColumn& column = columns_[j];
  column.from_rows = true;
  column.ledger.merge(ledger_, [](uint32_t customer) { return segment_key(customer, kMissing); });
}

std::vector<int> CustomerDataset::timestamp_columns() const {
  std::vector<int> columns;
  for (const auto& info : customer_fields()) {
    if (info.value == CustomerValue::kTimestamp && mapping_.has(info.field)) {
      columns.push_back(mapping_[info.field].column);
    }
  }
  return columns;
}

uint32_t CustomerDataset::customer_index(std::string_view id) {
  auto [it, inserted] =
      customers_.try_emplace(std::string(id), static_cast<uint32_t>(customers_.size()));
  if (inserted) {
    ids_.push_back(it->first);
    has_state_.push_back(false);
    attributes_.resize(attributes_.size() + columns_.size(), kMissing);
  }
  return it->second;
}

uint64_t CustomerDataset::customer_count() const {
  return static_cast<uint64_t>(std::count(has_state_.begin(), has_state_.end(), true));
}

void CustomerDataset::issue(CustomerField field, uint64_t line, std::string_view cell,
                            std::string_view reason) {
  ValueIssue& issue = issues_[static_cast<size_t>(field)];
  if (issue.count++ == 0) {
    issue.example = quoted_excerpt(cell);
    issue.reason = std::string(reason);
  }
  if (issue.lines.size() < kIssueLines) {
    issue.lines.push_back(line);
    issue.files.push_back(file_index_);
  }
}

std::string_view CustomerDataset::cell(std::span<const std::string_view> fields,
                                       CustomerField field) const {
  int column = mapping_[field].column;
  return column >= 0 && static_cast<size_t>(column) < fields.size()
             ? fields[static_cast<size_t>(column)]
             : std::string_view{};
}

ValueScale CustomerDataset::money_scale(CustomerField field) const {
  if (settings_.amount_unit != ValueScale::kDefault) return settings_.amount_unit;
  ValueScale scale = mapping_[field].scale;
  return scale == ValueScale::kCents ? ValueScale::kCents : ValueScale::kUnits;
}

// The row's amount in micro-units (subscriptions, invoices, orders), or nullopt with why in
// `rejected`.
std::optional<int64_t> CustomerDataset::amount_micros(std::span<const std::string_view> fields,
                                                      char decimal, std::string& rejected) const {
  std::string_view amount_cell = cell(fields, F::kAmount);
  if (is_blank(amount_cell)) {
    rejected = "amount is empty";
    return std::nullopt;
  }
  auto amount = parse_number(amount_cell, decimal);
  if (!amount || *amount < 0) {
    rejected =
        "amount " + quoted_excerpt(amount_cell) + (amount ? " is negative" : " is not a number");
    return std::nullopt;
  }
  auto micros = to_micros(*amount, money_scale(F::kAmount));
  if (!micros) rejected = "amount too large";
  return micros;
}

// A date cell → its day on the utc_offset clock (as for tickets: a zone-less cell is on that
// clock).
std::optional<int64_t> CustomerDataset::day_of(std::string_view text, CustomerField field,
                                               uint64_t line, DateOrder order, bool& bad) {
  bad = false;
  if (is_blank(text)) return std::nullopt;
  auto ts = parse_timestamp(text, order);
  if (!ts) {
    bad = true;
    if (field != F::kStart && field != F::kPeriodStart && field != F::kPeriodEnd &&
        field != F::kMonth) {
      issue(field, line, text, "not a date and time");
    }
    return std::nullopt;
  }
  double local = ts->has_offset ? ts->seconds + spec_.utc_offset_minutes * 60.0 : ts->seconds;
  return static_cast<int64_t>(std::floor(local / 86400.0));
}

void CustomerDataset::note_event_day(int64_t day) {
  if (!latest_event_ || day > *latest_event_) latest_event_ = day;
}

RowResult CustomerDataset::feed_row(std::span<const std::string_view> fields, uint64_t line,
                                    DateOrder order, char decimal) {
  for (size_t i = 0; i < filters_.size(); ++i) {
    int column = filter_columns_[i];
    if (column < 0) continue;  // a filter column this file lacks is skipped
    std::string_view value = trim(
        static_cast<size_t>(column) < fields.size() ? fields[static_cast<size_t>(column)] : "");
    const auto& allowed = filters_[i].values;
    if (std::find(allowed.begin(), allowed.end(), value) == allowed.end()) {
      return RowResult{RowOutcome::kFiltered, {}};
    }
  }
  std::string_view id = trim(cell(fields, F::kCustomer));
  if (id.empty()) return RowResult{RowOutcome::kRejected, "customer is empty"};
  const uint32_t customer = customer_index(id);

  if (mapping_.has(F::kCurrency)) {
    std::string_view raw = trim(cell(fields, F::kCurrency));
    std::string code = upper(raw);
    if (!code.empty()) {
      auto [it, inserted] = currencies_.try_emplace(code);
      if (inserted) {
        it->second.first_file = file_names_.size() - 1;
        it->second.cell = std::string(raw);
        it->second.column = currency_column_;
      }
      ++it->second.rows;
    }
  }
  for (size_t j = 0; j < columns_.size(); ++j) {
    int column = segment_columns_[j];
    if (column < 0 || columns_[j].band) {
      row_values_[j] = kMissing;
      continue;
    }
    std::string_view value = segment_cell(
        static_cast<size_t>(column) < fields.size() ? fields[static_cast<size_t>(column)] : "");
    row_values_[j] = columns_[j].values.intern(value, max_segments_);
  }
  if (mapping_.has(F::kEmail)) {
    std::string_view email = trim(cell(fields, F::kEmail));
    if (!email.empty()) emails_.add(email, customer, ids_);
  }
  switch (kind_) {
    case DatasetKind::kSubscriptions:
      return feed_subscription(customer, fields, line, order, decimal);
    case DatasetKind::kOrders:
      return feed_order(customer, fields, line, order, decimal);
    case DatasetKind::kEvents:
      return feed_event(customer, fields, line, order);
    case DatasetKind::kInvoices:
      return feed_invoice(customer, fields, line, order, decimal);
    case DatasetKind::kMrr:
      return feed_mrr(customer, fields, line, order, decimal);
    case DatasetKind::kCustomers:
      feed_customer(customer, fields, line, order, decimal);
      return RowResult{};
    default:
      return RowResult{};
  }
}

void CustomerDataset::add_state(uint32_t customer, std::span<const std::string_view> /*fields*/,
                                int64_t start, std::optional<int64_t> end, int64_t micros,
                                std::optional<BillingInterval> renewal_interval) {
  has_state_[customer] = true;
  ledger_.add_span(customer, start, end, micros);
  if (first_active_.size() <= customer) first_active_.resize(customer + size_t{1}, kNoDay);
  const int32_t day = clamp_day(start);
  if (first_active_[customer] == kNoDay || day < first_active_[customer]) {
    first_active_[customer] = day;
  }
  for (size_t j = 0; j < columns_.size(); ++j) {
    SegmentColumn& column = columns_[j];
    if (column.band || !column.from_rows) continue;
    // A row column: every row (of any row file) has a state in it; a row of a file lacking the
    // column waits (kMissing) for its customer's value, settled in build_groups.
    column.ledger.add_span(segment_key(customer, row_values_[j]), start, end, micros);
  }
  if (renewal_interval) renewals_->add(customer, start, end, *renewal_interval, row_values_);
}

RowResult CustomerDataset::feed_subscription(uint32_t customer,
                                             std::span<const std::string_view> fields,
                                             uint64_t line, DateOrder order, char decimal) {
  bool bad = false;
  std::string_view start_cell = cell(fields, F::kStart);
  auto start = day_of(start_cell, F::kStart, line, order, bad);
  if (!start) {
    return RowResult{
        RowOutcome::kRejected,
        bad ? "start " + quoted_excerpt(start_cell) + " is not a date and time" : "start is empty"};
  }
  std::string rejected;
  const std::optional<int64_t> micros = amount_micros(fields, decimal, rejected);
  if (!micros) return RowResult{RowOutcome::kRejected, std::move(rejected)};

  auto whole = [&](CustomerField f, int64_t min) -> int64_t {
    std::string_view c = cell(fields, f);
    if (!mapping_.has(f) || is_blank(c)) return 1;
    auto v = parse_number(c, decimal);
    if (!v || *v < static_cast<double>(min) || *v != std::floor(*v) || *v > 1e9) {
      issue(f, line, c, min == 0 ? "not a whole number ≥ 0" : "not a whole number ≥ 1");
      return 1;
    }
    return static_cast<int64_t>(*v);
  };
  const int64_t quantity = whole(F::kQuantity, 0);
  BillingInterval interval;
  std::string_view interval_cell = cell(fields, F::kInterval);
  if (!is_blank(interval_cell)) {
    auto parsed = parse_interval(interval_cell);
    if (!parsed) {
      return RowResult{RowOutcome::kRejected,
                       "interval " + quoted_excerpt(interval_cell) + " is not a billing interval"};
    }
    interval = *parsed;
  }
  interval.count *= whole(F::kIntervalCount, 1);
  auto monthly = monthly_micros(*micros, quantity, interval);
  if (!monthly) return RowResult{RowOutcome::kRejected, "amount too large"};

  SubscriptionDates dates;
  dates.start = *start;
  auto date = [&](CustomerField f) -> std::optional<int64_t> {
    if (!mapping_.has(f)) return std::nullopt;
    bool unreadable = false;
    return day_of(cell(fields, f), f, line, order, unreadable);
  };
  dates.trial_end = date(F::kTrialEnd);
  dates.canceled_at = date(F::kCanceledAt);
  dates.current_period_end = date(F::kCurrentPeriodEnd);
  dates.ended_at = date(F::kEndedAt);
  if (mapping_.has(F::kCancelAtPeriodEnd)) {
    std::string_view c = cell(fields, F::kCancelAtPeriodEnd);
    if (!is_blank(c)) {
      dates.cancel_at_period_end = parse_bool(c);
      if (!dates.cancel_at_period_end) issue(F::kCancelAtPeriodEnd, line, c, "not yes/no");
    }
  }
  dates.status = trim(cell(fields, F::kStatus));
  if (iequals(dates.status, "past_due") || iequals(dates.status, "unpaid")) {
    add_payment_failure(customer);
  }
  ActiveSpan span = subscription_span(dates, settings_.churn_recognition, settings_.count_trials);
  if (span.outcome == SpanOutcome::kNoEndDate) {
    return RowResult{RowOutcome::kRejected, "canceled with no end date"};
  }
  ++counts_.subscriptions;
  note_event_day(*start);
  if (dates.canceled_at) note_event_day(*dates.canceled_at);
  if (dates.ended_at) note_event_day(*dates.ended_at);
  switch (span.outcome) {
    case SpanOutcome::kTrialing:
      ++counts_.trialing;
      return RowResult{};
    case SpanOutcome::kIncomplete:
      ++counts_.incomplete;
      return RowResult{};
    case SpanOutcome::kNeverActive:
      ++counts_.never_active;
      return RowResult{};
    default:
      break;
  }
  if (*monthly == 0 && !settings_.free_is_active) {
    ++counts_.zero_mrr_rows;
    return RowResult{};
  }
  add_state(customer, fields, span.start, span.end, *monthly, interval);
  return RowResult{};
}

RowResult CustomerDataset::feed_invoice(uint32_t customer, std::span<const std::string_view> fields,
                                        uint64_t line, DateOrder order, char decimal) {
  std::string rejected;
  const std::optional<int64_t> micros = amount_micros(fields, decimal, rejected);
  if (!micros) return RowResult{RowOutcome::kRejected, std::move(rejected)};
  bool bad = false;
  std::string_view start_cell = cell(fields, F::kPeriodStart);
  auto start = day_of(start_cell, F::kPeriodStart, line, order, bad);
  if (!start) {
    return RowResult{RowOutcome::kRejected,
                     bad ? "period_start " + quoted_excerpt(start_cell) + " is not a date and time"
                         : "period_start is empty"};
  }
  std::string_view end_cell = cell(fields, F::kPeriodEnd);
  auto end = day_of(end_cell, F::kPeriodEnd, line, order, bad);
  if (!end) {
    return RowResult{RowOutcome::kRejected,
                     bad ? "period_end " + quoted_excerpt(end_cell) + " is not a date and time"
                         : "period_end is empty"};
  }
  if (*end < *start) return RowResult{RowOutcome::kRejected, "period_end is before period_start"};
  ++counts_.invoices;
  note_event_day(*start);
  if (is_payment_failure_status(trim(cell(fields, F::kStatus)))) add_payment_failure(customer);
  if (is_void_invoice_status(cell(fields, F::kStatus))) {
    ++counts_.void_invoices;
    return RowResult{};
  }
  InvoicePeriod period = invoice_period(*micros, *start, *end);
  if (period.overflow) {
    --counts_.invoices;
    return RowResult{RowOutcome::kRejected, "amount too large"};
  }
  if (!period.monthly) {
    ++counts_.one_off_invoices;
    return RowResult{};
  }
  if (*period.monthly == 0 && !settings_.free_is_active) {
    ++counts_.zero_mrr_rows;
    return RowResult{};
  }
  add_state(customer, fields, period.start, period.end, *period.monthly, std::nullopt);
  return RowResult{};
}

RowResult CustomerDataset::feed_mrr(uint32_t customer, std::span<const std::string_view> fields,
                                    uint64_t line, DateOrder order, char decimal) {
  bool bad = false;
  std::string_view month_cell = cell(fields, F::kMonth);
  auto day = day_of(month_cell, F::kMonth, line, order, bad);
  if (!day) {
    // A bare "2024-03" is a month too.
    std::string with_day = std::string(trim(month_cell)) + "-01";
    if (bad && trim(month_cell).size() == 7) {
      bool still_bad = false;
      day = day_of(with_day, F::kMonth, line, order, still_bad);
    }
    if (!day) {
      return RowResult{
          RowOutcome::kRejected,
          bad ? "month " + quoted_excerpt(month_cell) + " is not a date" : "month is empty"};
    }
  }
  std::string_view mrr_cell = cell(fields, F::kMrr);
  if (is_blank(mrr_cell)) return RowResult{RowOutcome::kRejected, "mrr is empty"};
  auto value = parse_number(mrr_cell, decimal);
  if (!value) {
    return RowResult{RowOutcome::kRejected, "mrr " + quoted_excerpt(mrr_cell) + " is not a number"};
  }
  if (*value < 0) {
    return RowResult{RowOutcome::kRejected, "mrr " + quoted_excerpt(mrr_cell) + " is negative"};
  }
  auto micros = to_micros(*value, money_scale(F::kMrr));
  if (!micros) return RowResult{RowOutcome::kRejected, "amount too large"};
  CivilDate d = civil_from_days(*day);
  const int64_t first = days_from_civil(d.year, d.month, 1);
  const int64_t next = add_months(first, 1);
  ++counts_.mrr_rows;
  note_event_day(next - 1);
  if (*micros == 0) {
    ++counts_.zero_mrr_rows;  // a snapshot cannot tell a free plan from a filled-in zero
    return RowResult{};
  }
  add_state(customer, fields, first, next, *micros, std::nullopt);
  return RowResult{};
}

void CustomerDataset::feed_customer(uint32_t customer, std::span<const std::string_view> fields,
                                    uint64_t line, DateOrder order, char decimal) {
  ++counts_.customer_rows;
  auto number = [&](CustomerField f, std::string_view reason) -> std::optional<double> {
    if (!mapping_.has(f)) return std::nullopt;
    std::string_view c = cell(fields, f);
    if (is_blank(c)) return std::nullopt;
    auto v = parse_number(c, decimal);
    if (!v || *v < 0) {
      issue(f, line, c, reason);
      return std::nullopt;
    }
    return v;
  };
  auto money = [&](CustomerField f) -> std::optional<int64_t> {
    auto v = number(f, "not an amount ≥ 0");
    if (!v) return std::nullopt;
    auto micros = to_micros(*v, money_scale(f));
    if (!micros) issue(f, line, cell(fields, f), "amount too large");
    return micros;
  };
  std::optional<double> tenure = number(F::kTenure, "not a number ≥ 0");
  if (tenure && tenure_in_years_) *tenure *= 12;
  std::optional<double> age = number(F::kAge, "not a number ≥ 0");

  // Segment values: the last row of a customer wins.
  for (size_t j = 0; j < columns_.size(); ++j) {
    SegmentColumn& column = columns_[j];
    int index = segment_columns_[j];
    if (index < 0) continue;
    uint32_t value = 0;
    if (column.band) {
      const bool tenure_band = column.name == kTenureBand;
      std::optional<double> v = tenure_band ? tenure : age;
      std::span<const double> bounds = tenure_band ? std::span<const double>(settings_.tenure_bands)
                                                   : std::span<const double>(settings_.age_bands);
      // Bands are interned as "<index>" and labelled when listed (band order, not byte order).
      value = v ? column.values.intern(std::to_string(band_index(*v, bounds)), max_segments_)
                : column.values.intern(kBlank, max_segments_);
    } else {
      value = row_values_[j];
    }
    attributes_[static_cast<size_t>(customer) * columns_.size() + j] = value;
  }
  if (mapping_.has(F::kSignupAt)) {
    bool bad = false;
    if (auto day = day_of(cell(fields, F::kSignupAt), F::kSignupAt, line, order, bad)) {
      if (signup_.size() <= customer) signup_.resize(static_cast<size_t>(customer) + 1, kNoDay);
      signup_[customer] = static_cast<int32_t>(
          std::clamp<int64_t>(*day, kNoDay + 1, std::numeric_limits<int32_t>::max()));
    }
  }
  if (auto cost = money(F::kAcquisitionCost)) {
    if (acquisition_.size() <= customer) {
      acquisition_.resize(static_cast<size_t>(customer) + 1, kNoMoney);
    }
    acquisition_[customer] = *cost;
  }
  if (!mapping_.has(F::kChurned)) return;
  SnapshotRecord record;
  record.present = true;
  std::string_view churn_cell = cell(fields, F::kChurned);
  if (!is_blank(churn_cell)) {
    if (auto churned = parse_churned(churn_cell)) {
      record.status = *churned ? SnapshotStatus::kChurned : SnapshotStatus::kRetained;
    } else {
      issue(F::kChurned, line, churn_cell, "not a churn flag or status");
    }
  }
  record.charge = money(F::kMonthlyCharge);
  if (tenure) record.tenure_months = *tenure;
  if (age) record.age = *age;
  if (snapshot_.size() <= customer) snapshot_.resize(static_cast<size_t>(customer) + 1);
  snapshot_[customer] = record;
}

void CustomerDataset::add_payment_failure(uint32_t customer) {
  if (payment_failures_.size() <= customer) payment_failures_.resize(customer + size_t{1}, 0);
  if (payment_failures_[customer] < UINT16_MAX) ++payment_failures_[customer];
}

RowResult CustomerDataset::feed_order(uint32_t customer, std::span<const std::string_view> fields,
                                      uint64_t line, DateOrder order, char decimal) {
  bool bad = false;
  std::string_view day_cell = cell(fields, F::kOrderedAt);
  auto day = day_of(day_cell, F::kOrderedAt, line, order, bad);
  if (!day) {
    return RowResult{RowOutcome::kRejected,
                     bad ? "ordered_at " + quoted_excerpt(day_cell) + " is not a date and time"
                         : "ordered_at is empty"};
  }
  std::string rejected;
  const std::optional<int64_t> micros = amount_micros(fields, decimal, rejected);
  if (!micros) return RowResult{RowOutcome::kRejected, std::move(rejected)};
  ++counts_.orders;
  if (settings_.as_of && *day > *settings_.as_of) return RowResult{};  // after as_of: not counted
  note_event_day(*day);
  if (orders_.size() <= customer) orders_.resize(customer + size_t{1});
  orders_[customer].add(clamp_day(*day), *micros);
  return RowResult{};
}

RowResult CustomerDataset::feed_event(uint32_t customer, std::span<const std::string_view> fields,
                                      uint64_t line, DateOrder order) {
  std::string_view name = trim(cell(fields, F::kEvent));
  if (name.empty()) return RowResult{RowOutcome::kRejected, "event is empty"};
  bool bad = false;
  std::string_view day_cell = cell(fields, F::kEventAt);
  auto day = day_of(day_cell, F::kEventAt, line, order, bad);
  if (!day) {
    return RowResult{RowOutcome::kRejected,
                     bad ? "event_at " + quoted_excerpt(day_cell) + " is not a date and time"
                         : "event_at is empty"};
  }
  ++counts_.events;
  if (settings_.as_of && *day > *settings_.as_of) return RowResult{};  // after as_of: not counted
  note_event_day(*day);
  if (events_.size() <= customer) events_.resize(customer + size_t{1});
  EventState& e = events_[customer];
  const int32_t d = clamp_day(*day);
  if (e.first_day == kNoActivityDay || d < e.first_day) e.first_day = d;
  if (settings_.value_event && iequals(name, *settings_.value_event) &&
      (e.value_day == kNoActivityDay || d < e.value_day)) {
    e.value_day = d;
  }
  for (size_t k = 0; k < funnel_.size(); ++k) {
    if (iequals(name, funnel_[k])) e.steps |= 1u << k;
  }
  if (usage_days_ > 0) {
    // Only the window up to the customer's latest event can be inside (as_of − days, as_of]:
    // as_of is never before a counted event (docs/kpis.md "Memory").
    e.recent.add(d);
    e.recent.drop_before(static_cast<int32_t>(*e.recent.latest() - usage_days_ + 1));
  }
  return RowResult{};
}

RequesterState* CustomerDataset::requester(std::string_view cell) {
  std::string_view key = trim(cell);
  if (key.empty()) return nullptr;
  any_requester_ = true;
  auto it = requesters_.find(key);
  if (it == requesters_.end()) it = requesters_.emplace(std::string(key), RequesterState{}).first;
  return &it->second;
}

namespace {

void note_ratings(RequesterState& s, const TicketRecord& t, const KpiSettings& k) {
  if (is_response(t.csat)) {
    ++s.csat_responses;
    s.csat_satisfied += t.csat.kind == RatingKind::kGood ||
                        (t.csat.kind == RatingKind::kScore && t.csat.score >= k.csat.threshold);
  }
  if (t.nps) {
    ++s.nps_answers;
    s.nps_sum += static_cast<int64_t>(*t.nps);
  }
}

}  // namespace

void CustomerDataset::note_ticket(std::string_view cell, const TicketRecord& t) {
  RequesterState* s = requester(cell);
  if (!s) return;
  ++s->tickets;
  if (t.created) {
    const double local = *t.created + spec_.utc_offset_minutes * 60.0;
    const int32_t day = clamp_day(static_cast<int64_t>(std::floor(local / 86400.0)));
    s->ticket_days.add(day);
    if (!latest_ticket_day_ || day > *latest_ticket_day_) latest_ticket_day_ = day;
  }
  if (t.solved && t.reopens) {
    ++s->solved_with_reopens;
    s->reopened += *t.reopens > 0;
  }
  note_ratings(*s, t, kpis_);
}

void CustomerDataset::note_answer(std::string_view cell, const TicketRecord& t) {
  RequesterState* s = requester(cell);
  if (!s) return;
  ++s->answers;
  note_ratings(*s, t, kpis_);
}

// signup_at, else the first active day, else the first order day, else the first event day.
std::optional<int64_t> CustomerDataset::start_day(uint32_t c) const {
  if (c < signup_.size() && signup_[c] != kNoDay) return signup_[c];
  if (c < first_active_.size() && first_active_[c] != kNoDay) return first_active_[c];
  if (c < orders_.size() && orders_[c].orders > 0) return orders_[c].first_day;
  if (c < events_.size() && events_[c].first_day != kNoActivityDay) return events_[c].first_day;
  return std::nullopt;
}

// The customer figures (docs/kpis.md "Customer figures"): every customer with an order, a cost or a
// time to value, overall, by start cohort and by the customer's columns.
void CustomerDataset::build_customer_figures() {
  CustomerResults& r = results_;
  const size_t columns = columns_.size();
  r.customer_cohorts.assign(r.periods.size(), CustomerFigures());
  r.customer_groups.assign(columns, {});
  for (size_t j = 0; j < columns; ++j) {
    if (columns_[j].from_customers) {
      r.customer_groups[j].assign(columns_[j].values.values.size() + 1, CustomerFigures());
    }
  }
  const bool ttv = settings_.value_event && read_kind(DatasetKind::kEvents);
  const int64_t axis_first_day =
      r.periods.empty() ? 0 : period_first_day(r.periods.front(), settings_.grain);
  for (uint32_t c = 0; c < ids_.size(); ++c) {
    CustomerFacts facts;
    if (c < orders_.size() && orders_[c].orders > 0) facts.orders = &orders_[c];
    if (c < acquisition_.size() && acquisition_[c] != kNoMoney) facts.cost = acquisition_[c];
    const std::optional<int64_t> start = start_day(c);
    if (ttv && start && (!r.as_of || *start <= *r.as_of)) {
      facts.ttv_counted = true;
      if (c < events_.size() && events_[c].value_day != kNoActivityDay) {
        facts.ttv_days = std::max<int64_t>(0, int64_t{events_[c].value_day} - *start);
      }
    }
    if (facts.orders) ++counts_.customers_with_orders;
    if (c < events_.size() && events_[c].first_day != kNoActivityDay) {
      ++counts_.customers_with_events;
    }
    if (!facts.orders && !facts.cost && !facts.ttv_counted) continue;
    r.customer_overall.feed(facts);
    if (start && *start >= axis_first_day && !r.eval_days.empty()) {
      auto at = std::lower_bound(r.eval_days.begin(), r.eval_days.end(), *start);
      if (at != r.eval_days.end()) {
        r.customer_cohorts[static_cast<size_t>(at - r.eval_days.begin())].feed(facts);
      }
    }
    for (size_t j = 0; j < columns; ++j) {
      if (!columns_[j].from_customers) continue;
      uint32_t v = attributes_[static_cast<size_t>(c) * columns + j];
      if (v == kMissing) v = columns_[j].values.intern(kBlank, max_segments_);
      if (r.customer_groups[j].size() <= v) r.customer_groups[j].resize(v + size_t{1});
      r.customer_groups[j][v].feed(facts);
    }
  }
  if (!funnel_.empty() && read_kind(DatasetKind::kEvents)) {
    r.funnel.assign(funnel_.size(), 0);
    for (const EventState& e : events_) {
      for (size_t k = 0; k < funnel_.size() && (e.steps >> k & 1u) != 0; ++k) ++r.funnel[k];
    }
  }
}

void CustomerDataset::health_raw(uint32_t c, std::span<std::optional<double>> raw) const {
  const HealthResults& h = health_;
  const RequesterState* tickets = nullptr;
  if (auto it = customer_tickets_.find(c); it != customer_tickets_.end()) tickets = &it->second;
  const std::optional<int64_t> as_of = h.as_of;
  for (size_t i = 0; i < h.components.size() && i < raw.size(); ++i) {
    const ResolvedComponent& comp = h.components[i];
    std::optional<double>& out = raw[i];
    out.reset();
    switch (comp.id) {
      case HealthComponentId::kUsageEvents:
        if (read_kind(DatasetKind::kEvents) && as_of) {
          out =
              c < events_.size()
                  ? static_cast<double>(events_[c].recent.count_in(*as_of - comp.days + 1, *as_of))
                  : 0.0;
        }
        break;
      case HealthComponentId::kTickets: {
        std::optional<int64_t> end = as_of;
        if (!end && latest_ticket_day_) end = *latest_ticket_day_;
        if (any_requester_ && end) {
          out = tickets
                    ? static_cast<double>(tickets->ticket_days.count_in(*end - comp.days + 1, *end))
                    : 0.0;
        }
        break;
      }
      case HealthComponentId::kCsat:
        if (tickets && tickets->csat_responses > 0) {
          out = static_cast<double>(tickets->csat_satisfied) * 100.0 /
                static_cast<double>(tickets->csat_responses);
        }
        break;
      case HealthComponentId::kNps:
        if (tickets && tickets->nps_answers > 0) {
          out = static_cast<double>(tickets->nps_sum) / static_cast<double>(tickets->nps_answers);
        }
        break;
      case HealthComponentId::kReopenRate:
        if (tickets && tickets->solved_with_reopens > 0) {
          out = static_cast<double>(tickets->reopened) * 100.0 /
                static_cast<double>(tickets->solved_with_reopens);
        }
        break;
      case HealthComponentId::kPaymentFailures:
        if (any_status_file_) {
          out = c < payment_failures_.size() ? static_cast<double>(payment_failures_[c]) : 0.0;
        }
        break;
      case HealthComponentId::kTenure: {
        if (c < snapshot_.size() && snapshot_[c].present && snapshot_[c].tenure_months >= 0) {
          out = snapshot_[c].tenure_months;
        } else if (auto start = start_day(c); start && as_of && *start <= *as_of) {
          out = static_cast<double>(*as_of - *start) / 30.4375;
        }
        break;
      }
      case HealthComponentId::kMrrTrend:
        if (c < mrr_then_.size() && mrr_then_[c] > 0) {
          out = static_cast<double>(mrr_now_[c] - mrr_then_[c]) * 100.0 /
                static_cast<double>(mrr_then_[c]);
        }
        break;
    }
  }
}

// The health score (docs/kpis.md "Customer health score"), once, after the groups.
void CustomerDataset::build_health() {
  HealthResults& h = health_;
  CustomerResults& r = results_;
  h.computed = true;
  h.components = resolve_health_components(settings_.health, kpis_.nps);
  h.as_of = r.as_of;
  const size_t customers = ids_.size();

  // Requesters → customers: by id, else by email (the emails column, or an id with an @).
  for (uint32_t c = 0; c < customers; ++c) {
    if (ids_[c].find('@') != std::string_view::npos) emails_.add(ids_[c], c, ids_);
  }
  RequesterJoin& join = h.join;
  join.ambiguous_emails = emails_.ambiguous();
  for (const auto& [cell, state] : requesters_) {
    ++join.requesters;
    join.tickets += state.tickets;
    join.answers += state.answers;
    std::optional<uint32_t> customer;
    if (auto it = customers_.find(cell); it != customers_.end()) {
      customer = it->second;
      ++join.by_id;
    } else if ((customer = emails_.find(lower_ascii(cell)))) {
      ++join.by_email;
    } else {
      ++join.unmatched;
      continue;
    }
    customer_tickets_[*customer].merge(state);
  }

  // MRR at as_of and `periods` periods before it, from the change points.
  const bool state_files = read_kind(DatasetKind::kSubscriptions) ||
                           read_kind(DatasetKind::kInvoices) || read_kind(DatasetKind::kMrr);
  if (state_files && r.as_of) {
    int64_t periods_back = 3;
    for (const ResolvedComponent& c : h.components) {
      if (c.id == HealthComponentId::kMrrTrend) periods_back = c.periods;
    }
    const int64_t then =
        period_last_day(day_period(*r.as_of, settings_.grain) - periods_back, settings_.grain);
    const int64_t days[2] = {then, *r.as_of};
    mrr_now_.assign(customers, 0);
    mrr_then_.assign(customers, 0);
    active_now_.assign(customers, false);
    ledger_.walk(days, [&](uint32_t c, std::span<const SeriesRun> runs) {
      for (const SeriesRun& run : runs) {
        if (run.from == 0) mrr_then_[c] = run.state.active() ? run.state.micros : 0;
        mrr_now_[c] = run.state.micros;
        active_now_[c] = run.state.active();
      }
    });
  }

  // Which customers are scored.
  std::vector<bool> scored(customers, false);
  if (state_files || any_snapshot_file_) {
    for (uint32_t c = 0; c < customers; ++c) {
      scored[c] = (c < active_now_.size() && active_now_[c]) ||
                  (c < snapshot_.size() && snapshot_[c].present &&
                   snapshot_[c].status != SnapshotStatus::kChurned);
    }
  } else {
    scored.assign(customers, true);
  }

  const size_t n = h.components.size();
  h.component_customers.assign(n, 0);
  h.by_segment.assign(columns_.size(), {});
  for (size_t j = 0; j < columns_.size(); ++j) {
    if (columns_[j].from_customers) h.by_segment[j].resize(columns_[j].values.values.size() + 1);
  }
  std::vector<std::optional<double>> raw(n), normalised(n), contribution(n);
  for (uint32_t c = 0; c < customers; ++c) {
    if (!scored[c]) continue;
    health_raw(c, raw);
    std::optional<double> score =
        score_customer(h.components, settings_.health.model, raw, normalised, contribution);
    if (!score) {
      ++h.unscored;
      continue;
    }
    h.entries.push_back(HealthEntry{*score, c});
    for (size_t i = 0; i < n; ++i) h.component_customers[i] += raw[i].has_value();
    const size_t band = health_band(*score, settings_.health);
    ++h.bands[band];
    ++h.histogram[std::min<size_t>(kHealthBins - 1, static_cast<size_t>(*score / 10.0))];
    h.score_sum.add(*score);
    for (size_t j = 0; j < columns_.size(); ++j) {
      if (!columns_[j].from_customers) continue;
      uint32_t v = attributes_[static_cast<size_t>(c) * columns_.size() + j];
      if (v == kMissing) v = columns_[j].values.intern(kBlank, max_segments_);
      if (h.by_segment[j].size() <= v) h.by_segment[j].resize(v + size_t{1});
      ++h.by_segment[j][v][band];
    }
  }
  std::sort(h.entries.begin(), h.entries.end(), [&](const HealthEntry& a, const HealthEntry& b) {
    if (a.score != b.score) return a.score < b.score;
    return ids_[a.customer] < ids_[b.customer];
  });
}

std::optional<std::string> CustomerDataset::currency() const {
  if (currencies_.size() == 1) return currencies_.begin()->first;
  if (currencies_.empty() && settings_.currency) return settings_.currency;
  if (settings_.currency) return settings_.currency;
  return std::nullopt;
}

// The axis: every period from the first day a customer is active to as_of (or date_to), each
// evaluated on its last day or on as_of.
void CustomerDataset::build_axis() {
  CustomerResults& r = results_;
  r.as_of = settings_.as_of ? settings_.as_of : latest_event_;
  std::optional<int64_t> first = ledger_.first_active_day();
  // Orders and events list their periods too (docs/kpis.md "Periods and as_of").
  auto earlier = [&](int32_t day) {
    if (day != kNoActivityDay && (!first || day < *first)) first = day;
  };
  for (const OrderTotals& o : orders_) earlier(o.orders > 0 ? o.first_day : kNoActivityDay);
  for (const EventState& e : events_) earlier(e.first_day);
  if (!r.as_of || !first || *r.as_of < *first) return;
  int64_t end_day = *r.as_of;
  if (date_to_ && *date_to_ < end_day) end_day = *date_to_;
  const Grain grain = settings_.grain;
  const int64_t last_period = day_period(end_day, grain);
  int64_t first_period = day_period(*first, grain);
  int64_t first_listed = first_period;
  if (date_from_) first_listed = std::max(first_listed, day_period(*date_from_, grain));
  if (first_listed > last_period) return;
  if (last_period - first_listed + 1 > static_cast<int64_t>(kMaxListedPeriods)) {
    first_listed = last_period - static_cast<int64_t>(kMaxListedPeriods) + 1;
    warnings_.push_back("customers: more than " + std::to_string(kMaxListedPeriods) +
                        " periods; only the latest are listed (set customers.as_of or date_from)");
  }
  // States before the listed periods are evaluated for the 12-month base and for telling new from
  // reactivated customers; at most one window plus the listed periods.
  first_period = std::max(first_period, first_listed - static_cast<int64_t>(window_) -
                                            static_cast<int64_t>(kMaxListedPeriods));
  for (int64_t p = first_period; p <= last_period; ++p) {
    r.periods.push_back(p);
    r.eval_days.push_back(std::min(period_last_day(p, grain), *r.as_of));
  }
  r.first_listed = static_cast<size_t>(first_listed - first_period);
}

void CustomerDataset::build_groups() {
  CustomerResults& r = results_;
  const size_t columns = columns_.size();
  const size_t periods = r.periods.size();
  auto blank_of = [&](size_t j) { return columns_[j].values.intern(kBlank, max_segments_); };
  auto attribute = [&](uint32_t customer, size_t j) -> uint32_t {
    uint32_t v = attributes_[static_cast<size_t>(customer) * columns + j];
    return v == kMissing ? blank_of(j) : v;
  };

  // Row columns: a row of a file that lacked the column takes its customer's value.
  for (size_t j = 0; j < columns; ++j) {
    SegmentColumn& column = columns_[j];
    if (column.band || !column.from_rows) continue;
    column.ledger.renumber([&](uint64_t key) {
      const auto customer = static_cast<uint32_t>(key >> 32);
      const auto value = static_cast<uint32_t>(key);
      return value == kMissing ? segment_key(customer, attribute(customer, j)) : key;
    });
  }
  ledger_.finish();
  for (SegmentColumn& column : columns_) column.ledger.finish();

  r.groups.assign(columns, {});
  r.snapshot_groups.assign(columns, {});
  if (periods == 0) return;
  r.has_state = true;
  r.overall = GroupFigures(periods, window_);
  for (size_t j = 0; j < columns; ++j) {
    blank_of(j);  // customers without a value are "(blank)"
    r.groups[j].assign(columns_[j].values.values.size(), GroupFigures(periods, window_));
  }

  // Cohorts: the basis, and the listed cohorts (the latest max_cohorts).
  CohortBasis basis = settings_.cohort_basis;
  if (basis == CohortBasis::kAuto) {
    basis = any_signup_column_ ? CohortBasis::kSignup : CohortBasis::kFirstPaid;
  }
  r.cohort_basis = basis;
  const size_t listed = periods - r.first_listed;
  const size_t first_cohort =
      r.first_listed + (listed > settings_.max_cohorts ? listed - settings_.max_cohorts : 0);
  r.cohorts.emplace(periods, first_cohort);
  std::span<const int64_t> eval_days(r.eval_days);
  const int64_t axis_first_day = period_first_day(r.periods.front(), settings_.grain);
  auto axis_index = [&](int64_t day) -> std::optional<size_t> {
    auto at = std::lower_bound(eval_days.begin(), eval_days.end(), day);
    if (at == eval_days.end()) return std::nullopt;
    // A day before the axis's first period belongs to no listed cohort.
    if (day < axis_first_day) return std::nullopt;
    return static_cast<size_t>(at - eval_days.begin());
  };

  ledger_.walk(eval_days, [&](uint32_t customer, std::span<const SeriesRun> runs) {
    r.overall.feed(runs);
    for (size_t j = 0; j < columns; ++j) {
      if (columns_[j].from_rows && !columns_[j].band) continue;
      r.groups[j][attribute(customer, j)].feed(runs);
    }
    if (basis == CohortBasis::kFirstPaid) {
      for (const SeriesRun& run : runs) {
        if (run.state.active() && run.state.micros > 0) {
          r.cohorts->feed(run.from, runs);
          break;
        }
      }
    } else if (customer < signup_.size() && signup_[customer] != kNoDay) {
      if (auto c = axis_index(signup_[customer])) r.cohorts->feed(*c, runs);
    }
  });
  if (basis == CohortBasis::kSignup) {
    // Customers who signed up but have no subscription: in their cohort, never active.
    for (uint32_t c = 0; c < signup_.size(); ++c) {
      if (signup_[c] == kNoDay || (c < has_state_.size() && has_state_[c])) continue;
      if (auto index = axis_index(signup_[c])) r.cohorts->feed(*index, {});
    }
  }
  for (size_t j = 0; j < columns; ++j) {
    SegmentColumn& column = columns_[j];
    if (column.band || !column.from_rows) continue;
    column.ledger.walk(eval_days, [&](uint64_t key, std::span<const SeriesRun> runs) {
      r.groups[j][static_cast<uint32_t>(key)].feed(runs);
    });
  }

  // Renewals due in the axis's periods. A term's due dates come in increasing order, so its period
  // index only moves forward (a binary search per term, not per due date).
  size_t current_term = SIZE_MAX;
  size_t period = 0;
  renewals_->each_due(
      axis_first_day, *r.as_of, ledger_, [&](size_t term, int64_t day, bool renewed) {
        if (term != current_term) {
          current_term = term;
          period = static_cast<size_t>(std::lower_bound(eval_days.begin(), eval_days.end(), day) -
                                       eval_days.begin());
        }
        while (period < eval_days.size() && eval_days[period] < day) ++period;
        if (period >= eval_days.size()) return;
        const size_t index = period;
        r.overall.add_renewal(index, renewed);
        const uint32_t customer = renewals_->customer(term);
        std::span<const uint32_t> values = renewals_->row_values(term);
        for (size_t j = 0; j < columns; ++j) {
          uint32_t v = j < values.size() ? values[j] : kMissing;
          if (!columns_[j].from_rows || columns_[j].band || v == kMissing)
            v = attribute(customer, j);
          if (v < r.groups[j].size()) r.groups[j][v].add_renewal(index, renewed);
        }
      });
  r.overall.finish();
  for (auto& groups : r.groups) {
    for (GroupFigures& g : groups) g.finish();
  }
  r.cohorts->finish();
}

void CustomerDataset::finish() {
  if (finished_) return;
  finished_ = true;
  CustomerResults& r = results_;
  r.grain = settings_.grain;
  r.tenure_unit = snapshot_tenure_unit_;
  if (files_claimed_ == 0) return;

  // One currency per dataset (docs/kpis.md "Currency").
  std::map<std::string, CurrencySeen> seen = currencies_;
  if (settings_.currency && !seen.empty()) seen.try_emplace(*settings_.currency);
  if (seen.size() > 1) {
    std::string list;
    const CurrencySeen* sample = nullptr;
    for (const auto& [code, info] : seen) {
      list += (list.empty() ? "" : "; ") + code + ": ";
      list += info.rows == 0 ? std::string("customers.currency")
                             : std::to_string(info.rows) + (info.rows == 1 ? " row" : " rows") +
                                   ", first in " + file_names_[info.first_file];
      if (!sample && info.rows > 0) sample = &info;
    }
    JsonWriter example;
    example.begin_object();
    example.field("column", sample ? sample->column : std::string("currency"));
    example.key("values");
    example.begin_array();
    example.string(sample ? sample->cell : seen.begin()->first);
    example.end_array();
    example.end_object();
    errors_.push_back("customers: " + std::to_string(seen.size()) + " currencies (" + list +
                      "): amounts are never converted; keep one with the config filters, e.g. " +
                      example.str());
  }
  if (!any_ticket_or_survey_) {
    for (size_t i = 0; i < filters_.size(); ++i) {
      if (!filter_resolved_[i]) {
        errors_.push_back("filter column '" + filters_[i].column + "' is in no file");
      }
    }
  }
  for (size_t i = 0; i < dataset_mapping_.columns.size(); ++i) {
    const auto& [name, header] = dataset_mapping_.columns[i];
    if (mapping_entry_used_[i] || !header || !customer_field_from_name(name) ||
        field_from_name(name)) {
      continue;
    }
    warnings_.push_back("mapping for '" + name +
                        "': no customer-success file has a column named '" + *header + "'");
  }

  build_axis();
  build_groups();

  // The CRM snapshot, overall and per customer column.
  r.has_snapshot = any_snapshot_file_;
  for (size_t j = 0; j < columns_.size(); ++j) {
    r.snapshot_groups[j].resize(columns_[j].values.values.size() +
                                (any_snapshot_file_ && columns_[j].from_customers ? 1 : 0));
  }
  if (any_snapshot_file_) {
    for (uint32_t c = 0; c < snapshot_.size(); ++c) {
      const SnapshotRecord& record = snapshot_[c];
      if (!record.present) continue;
      r.snapshot.feed(record);
      for (size_t j = 0; j < columns_.size(); ++j) {
        if (!columns_[j].from_customers) continue;
        uint32_t v = attributes_[static_cast<size_t>(c) * columns_.size() + j];
        if (v == kMissing) v = columns_[j].values.intern(kBlank, max_segments_);
        if (r.snapshot_groups[j].size() <= v) r.snapshot_groups[j].resize(v + 1);
        r.snapshot_groups[j][v].feed(record);
      }
    }
  }

  build_customer_figures();
  build_health();

  // The section's segments: the columns a customer-success file resolved, with the values that
  // have a group with data, in byte order (bands in band order after "(blank)").
  for (size_t j = 0; j < columns_.size(); ++j) {
    const SegmentColumn& column = columns_[j];
    if (!column.from_rows && !column.from_customers) continue;
    CustomerResults::Segment segment;
    segment.name = column.name;
    segment.column = j;
    segment.from_rows = column.from_rows;
    segment.from_customers = column.from_customers;
    std::vector<uint32_t> ids;
    for (uint32_t v = 0; v < column.values.values.size(); ++v) {
      bool used = false;
      if (v < r.groups[j].size()) {
        const GroupFigures& g = r.groups[j][v];
        for (size_t p = 0; p < g.size() && !used; ++p) {
          const PeriodFigures& f = g.at(p);
          used = f.active > 0 || f.start_active > 0 || f.renewals_due > 0;
        }
      }
      if (v < r.snapshot_groups[j].size() && r.snapshot_groups[j][v].customers > 0) used = true;
      if (v < r.customer_groups[j].size()) {
        const CustomerFigures& f = r.customer_groups[j][v];
        if (f.buyers > 0 || f.with_cost > 0 || f.reached + f.not_reached > 0) used = true;
      }
      if (v < health_.by_segment[j].size()) {
        const auto& bands = health_.by_segment[j][v];
        if (bands[0] + bands[1] + bands[2] > 0) used = true;
      }
      if (used) ids.push_back(v);
    }
    auto band_rank = [&](uint32_t v) -> int64_t {
      const std::string& s = column.values.values[v];
      if (s == kBlank) return -1;
      if (s == kOther) return std::numeric_limits<int64_t>::max();
      return static_cast<int64_t>(band_of(s));
    };
    std::sort(ids.begin(), ids.end(), [&](uint32_t a, uint32_t b) {
      if (column.band) return band_rank(a) < band_rank(b);
      return column.values.values[a] < column.values.values[b];
    });
    for (uint32_t v : ids) {
      const std::string& raw = column.values.values[v];
      if (column.band && raw != kBlank && raw != kOther) {
        const bool tenure_band = column.name == kTenureBand;
        std::span<const double> bounds = tenure_band
                                             ? std::span<const double>(settings_.tenure_bands)
                                             : std::span<const double>(settings_.age_bands);
        segment.values.push_back(band_label(band_of(raw), bounds, tenure_band ? " months" : ""));
      } else {
        segment.values.push_back(raw);
      }
      segment.value_ids.push_back(v);
    }
    r.segments.push_back(std::move(segment));
  }
}

}  // namespace kpilens
