// customer_dataset: the customer-success half of the dataset. The façade (TicketDataset) decodes
// every file and hands this class the header of each file (claim_file decides whether it is a
// customer-success file and maps it) and then each row of a claimed file (feed_row); rejected rows
// are counted by the façade, value issues here. At the end, finish() builds the section's periods,
// figures per group, cohorts and the CRM snapshot (docs/kpis.md "Customer success"), which
// customer_report writes. Per-customer state only: ids, change points (mrr_ledger), renewal terms,
// and per customer its segment values, signup day and snapshot record.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "cohort_table.h"
#include "crm_snapshot.h"
#include "customer_activity.h"
#include "customer_figures.h"
#include "customer_mapping.h"
#include "engine_config.h"
#include "health_score.h"
#include "mrr_figures.h"
#include "mrr_ledger.h"
#include "renewal_terms.h"
#include "subscription_period.h"
#include "ticket_kpis.h"
#include "timestamp.h"
#include "value_issue.h"

namespace kpilens {

// What claim_file decided about a file.
struct CustomerClaim {
  bool claimed = false;
  DatasetKind kind = DatasetKind::kTickets;
  CustomerMapping mapping;
  std::optional<std::string> error;  // the file cannot be read (a mapping error)
  bool preset_dropped = false;       // a detected survey preset that maps no rating lost to it
};

enum class RowOutcome : uint8_t { kUsed, kFiltered, kRejected };
struct RowResult {
  RowOutcome outcome = RowOutcome::kUsed;
  std::string reason;  // for a rejected row
};

// The finished section (read by customer_report).
struct CustomerResults {
  bool has_state = false;  // a subscriptions, invoices or MRR file gave rows (period figures)
  bool has_snapshot = false;
  Grain grain = Grain::kMonth;
  std::optional<int64_t> as_of;
  std::vector<int64_t> periods;    // the axis: period indices at the grain, consecutive
  std::vector<int64_t> eval_days;  // per axis period
  size_t first_listed = 0;         // the listed periods are [first_listed, periods.size())
  // Section segment columns, in config order, with their values as listed (byte order; bands in
  // band order) and, per listed value, its group index in `groups[column]` / `snapshot_groups`.
  struct Segment {
    std::string name;
    size_t column = 0;            // index into groups / snapshot_groups
    bool from_rows = false;       // a subscriptions, invoices or MRR file has the column
    bool from_customers = false;  // a customers file has it (or it is a band it can derive)
    std::vector<std::string> values;
    std::vector<uint32_t> value_ids;
  };
  std::vector<Segment> segments;
  GroupFigures overall;
  std::vector<std::vector<GroupFigures>> groups;  // [segment][value id]
  std::optional<CohortTable> cohorts;
  CohortBasis cohort_basis = CohortBasis::kFirstPaid;
  SnapshotFigures snapshot;
  std::vector<std::vector<SnapshotFigures>> snapshot_groups;  // [segment][value id]
  ValueScale tenure_unit = ValueScale::kMonths;               // as read (snapshot)
  // Customer figures: all customers, per axis period (start cohort), per [segment][value id] of a
  // customer's column (empty for row columns).
  CustomerFigures customer_overall;
  std::vector<CustomerFigures> customer_cohorts;
  std::vector<std::vector<CustomerFigures>> customer_groups;
  std::vector<uint64_t> funnel;  // customers who reached each step; empty without a funnel
};

struct CustomerCounts {
  uint64_t subscriptions = 0;
  uint64_t invoices = 0;
  uint64_t mrr_rows = 0;
  uint64_t customer_rows = 0;
  uint64_t trialing = 0;
  uint64_t incomplete = 0;
  uint64_t never_active = 0;
  uint64_t zero_mrr_rows = 0;
  uint64_t one_off_invoices = 0;
  uint64_t void_invoices = 0;
  uint64_t orders = 0;
  uint64_t events = 0;
  uint64_t customers_with_orders = 0;
  uint64_t customers_with_events = 0;
};

class CustomerDataset {
 public:
  explicit CustomerDataset(const EngineConfig& config);
  ~CustomerDataset();
  CustomerDataset(const CustomerDataset&) = delete;
  CustomerDataset& operator=(const CustomerDataset&) = delete;

  // At a file's header: `forced` is the config's files.<name>.kind, `preset` the detected or chosen
  // (`preset_from_config`) preset, nullptr for none, `own` the file's own overrides. Claims
  // customer-success files.
  CustomerClaim claim_file(std::string_view name, size_t file_index,
                           std::span<const std::string> headers, std::optional<DatasetKind> forced,
                           const Preset* preset, bool preset_from_config, const FileOverrides* own);
  // The current file's date columns, to infer its date order from.
  std::vector<int> timestamp_columns() const;
  RowResult feed_row(std::span<const std::string_view> fields, uint64_t line, DateOrder order,
                     char decimal);

  // Once, after the last file: the section (periods, figures, cohorts, snapshot) and its errors.
  void finish();
  bool failed() const { return !errors_.empty(); }
  const std::vector<std::string>& errors() const { return errors_; }
  const std::vector<std::string>& warnings() const { return warnings_; }
  const std::array<ValueIssue, kCustomerFieldCount>& value_issues() const { return issues_; }
  bool any_file() const { return files_claimed_ > 0; }
  const CustomerResults& results() const { return results_; }
  const CustomerCounts& counts() const { return counts_; }
  uint64_t customer_count() const;  // customers with a subscription, invoice or MRR row used
  std::optional<std::string> currency() const;
  const CustomerSettings& settings() const { return settings_; }
  // Whether a file of this kind was read (claimed without a mapping error).
  bool read_kind(DatasetKind kind) const { return (kinds_read_ & kind_bit(kind)) != 0; }

  // Hooks of the ticket row path (docs/kpis.md "Tickets and survey answers of a customer"): a used
  // ticket row with a customer cell, and a survey answer with a customer and no ticket id. They
  // change nothing of the ticket figures.
  void note_ticket(std::string_view requester, const TicketRecord& ticket);
  void note_answer(std::string_view requester, const TicketRecord& answer);
  // Whether ticket rows are noted (note_ticket): once a customer-success file was read. A
  // ticket-only dataset keeps no state per requester; the drivers read customer-success files
  // before tickets (wasm/bindings/read_order.mjs).
  bool notes_tickets() const { return kinds_read_ != 0; }

  // After finish: the health score (health_score.h), each scored customer's raw component values
  // (aligned with health().components), and a customer's id.
  const HealthResults& health() const { return health_; }
  void health_raw(uint32_t customer, std::span<std::optional<double>> raw) const;
  std::string_view customer_id(uint32_t customer) const { return ids_[customer]; }

 private:
  // Distinct values of one segment column ("(other)" past max_segments).
  struct ValueTable {
    std::unordered_map<std::string, uint32_t> ids;
    std::vector<std::string> values;
    uint32_t intern(std::string_view value, size_t max_values);
  };
  struct SegmentColumn {
    std::string name;
    bool band = false;  // tenure_band or age_band: derived from a customers file
    bool from_rows = false;
    bool from_customers = false;
    ValueTable values;
    // One state per customer and value, for a column a row file has.
    SegmentLedger ledger;
  };
  struct CurrencySeen {
    uint64_t rows = 0;
    size_t first_file = 0;
    std::string cell;    // the first cell as written, for the filter to suggest
    std::string column;  // its column's header
  };

  uint32_t customer_index(std::string_view id);
  std::optional<int64_t> day_of(std::string_view cell, CustomerField field, uint64_t line,
                                DateOrder order, bool& bad);
  void issue(CustomerField field, uint64_t line, std::string_view cell, std::string_view reason);
  std::string_view cell(std::span<const std::string_view> fields, CustomerField field) const;
  ValueScale money_scale(CustomerField field) const;
  std::optional<int64_t> amount_micros(std::span<const std::string_view> fields, char decimal,
                                       std::string& rejected) const;
  void note_event_day(int64_t day);
  void add_state(uint32_t customer, std::span<const std::string_view> fields, int64_t start,
                 std::optional<int64_t> end, int64_t micros,
                 std::optional<BillingInterval> renewal_interval);
  RowResult feed_subscription(uint32_t customer, std::span<const std::string_view> fields,
                              uint64_t line, DateOrder order, char decimal);
  RowResult feed_invoice(uint32_t customer, std::span<const std::string_view> fields, uint64_t line,
                         DateOrder order, char decimal);
  RowResult feed_mrr(uint32_t customer, std::span<const std::string_view> fields, uint64_t line,
                     DateOrder order, char decimal);
  void feed_customer(uint32_t customer, std::span<const std::string_view> fields, uint64_t line,
                     DateOrder order, char decimal);
  RowResult feed_order(uint32_t customer, std::span<const std::string_view> fields, uint64_t line,
                       DateOrder order, char decimal);
  RowResult feed_event(uint32_t customer, std::span<const std::string_view> fields, uint64_t line,
                       DateOrder order);
  RequesterState* requester(std::string_view cell);
  void add_payment_failure(uint32_t customer);
  std::optional<int64_t> start_day(uint32_t customer) const;
  void build_customer_figures();
  void build_health();
  void start_row_column(size_t j);
  void build_axis();
  void build_groups();

  // From the config.
  CustomerSettings settings_;
  PeriodSpec spec_;
  std::vector<FilterSpec> filters_;
  std::optional<int64_t> date_from_, date_to_;
  MappingOverrides dataset_mapping_;
  size_t max_segments_ = 10000;
  size_t window_ = 12;

  // Per file being read.
  DatasetKind kind_ = DatasetKind::kTickets;
  CustomerMapping mapping_;
  size_t file_index_ = 0;
  std::string file_name_;
  std::string currency_column_;       // the current file's currency header
  std::vector<int> filter_columns_;   // -1: the file lacks it (skipped)
  std::vector<int> segment_columns_;  // per segment column, -1 when the file lacks it
  std::vector<uint32_t> row_values_;  // per segment column, for the row being read

  // Over the dataset.
  size_t files_claimed_ = 0;
  bool any_ticket_or_survey_ = false;
  std::vector<bool> filter_resolved_;
  std::vector<bool> mapping_entry_used_;
  std::vector<std::string> file_names_;
  std::unordered_map<std::string, uint32_t> customers_;
  std::vector<bool> has_state_;       // per customer: fed by a subscriptions, invoices or MRR row
  std::vector<uint32_t> attributes_;  // customers × segment columns; kMissing when unknown
  std::vector<int32_t> signup_;       // per customer, kNoDay when unknown
  std::vector<int64_t> acquisition_;  // per customer micro-units, INT64_MIN when unknown
  std::vector<SnapshotRecord> snapshot_;
  bool any_signup_column_ = false;
  bool any_snapshot_file_ = false;
  bool tenure_in_years_ = false;  // the current file's tenure column
  ValueScale snapshot_tenure_unit_ = ValueScale::kMonths;
  std::vector<SegmentColumn> columns_;
  MrrLedger ledger_;  // series = customer
  std::unique_ptr<RenewalTerms> renewals_;
  std::optional<int64_t> latest_event_;
  std::map<std::string, CurrencySeen> currencies_;
  CustomerCounts counts_;
  std::array<ValueIssue, kCustomerFieldCount> issues_{};
  std::vector<std::string> errors_;
  std::vector<std::string> warnings_;
  CustomerResults results_;
  bool finished_ = false;

  // Activity (customer_activity.h): per customer, sized on first use.
  KpiSettings kpis_;                   // the CSAT threshold and NPS classes, for the health score
  std::vector<std::string_view> ids_;  // customer index → id (the map's keys)
  std::vector<int32_t> first_active_;  // per customer, kNoDay when never active
  std::vector<OrderTotals> orders_;
  std::vector<EventState> events_;
  std::vector<uint16_t> payment_failures_;
  EmailIndex emails_;
  RequesterMap requesters_;                                        // by trimmed customer cell
  std::unordered_map<uint32_t, RequesterState> customer_tickets_;  // after finish
  std::optional<int32_t> latest_ticket_day_;
  std::vector<std::string> funnel_;
  int64_t usage_days_ = 0;  // the usage window kept per customer; 0 without usage_events
  uint8_t kinds_read_ = 0;
  bool any_status_file_ = false;  // a subscriptions or invoices file maps status
  bool any_requester_ = false;    // a ticket or answer carried a customer
  // Health inputs computed at the end: MRR at as_of and `periods` periods before, per customer.
  std::vector<int64_t> mrr_now_;
  std::vector<int64_t> mrr_then_;
  std::vector<bool> active_now_;
  HealthResults health_;
};

}  // namespace kpilens
