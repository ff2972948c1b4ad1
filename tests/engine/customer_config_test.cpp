// engine_config: the customers object and files.<name>.kind (docs/report.md "The config JSON").
#include <catch2/catch.hpp>

#include "engine_config.h"

using namespace kpilens;

namespace {

bool has_error(const ConfigResult& r, std::string_view text) {
  for (const auto& e : r.errors) {
    if (e.find(text) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("The customers object has month, period_end and no margin by default", "[config]") {
  ConfigResult r = parse_config("{}");
  REQUIRE(r.errors.empty());
  const CustomerSettings& s = r.config.customers;
  CHECK(s.grain == Grain::kMonth);
  CHECK(s.churn_recognition == ChurnRecognition::kPeriodEnd);
  CHECK_FALSE(s.gross_margin);
  CHECK(s.free_is_active);
  CHECK_FALSE(s.count_trials);
  CHECK(s.max_cohorts == 36);
  CHECK(s.tenure_bands == std::vector<double>{6, 12, 24, 48});
}

TEST_CASE("Every customers setting is read", "[config]") {
  ConfigResult r = parse_config(R"({"customers": {"grain": "quarter",
      "churn_recognition": "cancellation", "gross_margin": 0.8, "amount_unit": "cents",
      "tenure_unit": "years", "currency": "eur", "count_trials": true, "free_is_active": false,
      "cohort_basis": "signup", "max_cohorts": 12, "as_of": "2024-03-31",
      "tenure_bands": [12, 36], "age_bands": [30, 60]}})");
  REQUIRE(r.errors.empty());
  const CustomerSettings& s = r.config.customers;
  CHECK(s.grain == Grain::kQuarter);
  CHECK(s.churn_recognition == ChurnRecognition::kCancellation);
  CHECK(s.gross_margin == 0.8);
  CHECK(s.amount_unit == ValueScale::kCents);
  CHECK(s.tenure_unit == ValueScale::kYears);
  CHECK(s.currency == "EUR");
  CHECK(s.count_trials);
  CHECK_FALSE(s.free_is_active);
  CHECK(s.cohort_basis == CohortBasis::kSignup);
  CHECK(s.max_cohorts == 12);
  REQUIRE(s.as_of);
  CHECK(s.tenure_bands == std::vector<double>{12, 36});
  CHECK(s.age_bands == std::vector<double>{30, 60});
}

TEST_CASE("An unknown customers setting is an error, like every other key", "[config]") {
  ConfigResult r = parse_config(R"({"customers": {"grian": "month"}})");
  CHECK(has_error(r, "customers: unknown setting 'grian'"));
}

TEST_CASE("Out-of-range customers settings are errors", "[config]") {
  CHECK(has_error(parse_config(R"({"customers": {"grain": "week"}})"),
                  "customers.grain must be one of month, quarter, year"));
  CHECK(has_error(parse_config(R"({"customers": {"gross_margin": 80}})"),
                  "customers.gross_margin must be above 0 and at most 1"));
  CHECK(has_error(parse_config(R"({"customers": {"tenure_bands": [12, 6]}})"),
                  "customers.tenure_bands must be an array of increasing numbers above 0"));
  CHECK(has_error(parse_config(R"({"customers": {"as_of": "soon"}})"),
                  "customers.as_of must be a date"));
  CHECK(has_error(parse_config(R"({"customers": "month"})"), "customers must be an object"));
}

TEST_CASE("files.<name>.kind overrides detection, orders and events included", "[config]") {
  ConfigResult r = parse_config(R"({"files": {"a.csv": {"kind": "subscriptions"}}})");
  REQUIRE(r.errors.empty());
  REQUIRE(r.config.files.size() == 1);
  CHECK(r.config.files[0].kind == DatasetKind::kSubscriptions);
  ConfigResult orders = parse_config(R"({"files": {"a.csv": {"kind": "orders"}}})");
  REQUIRE(orders.errors.empty());
  CHECK(orders.config.files[0].kind == DatasetKind::kOrders);
  CHECK(has_error(parse_config(R"({"files": {"a.csv": {"kind": "sales"}}})"),
                  "unknown kind 'sales'"));
}
