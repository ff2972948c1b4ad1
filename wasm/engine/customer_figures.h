// customer_figures: the figures about customers rather than periods (docs/kpis.md "Customer-success
// catalogue": clv, cac, repeat_purchase_rate, time_to_value_*), accumulated per group of customers
// (all of them, a start cohort, a value of a customer's column) with feed / merge. Money stays
// exact (micro-units in ExactSum) until the one division of each figure.
#pragma once

#include <cstdint>
#include <optional>

#include "customer_activity.h"
#include "exact_sum.h"
#include "quantiles.h"

namespace kpilens {

// One customer's inputs to the figures.
struct CustomerFacts {
  const OrderTotals* orders = nullptr;  // nullptr or orders == 0: no order
  std::optional<int64_t> cost;          // acquisition cost, micro-units
  bool ttv_counted = false;             // has a start day on or before as_of (value_event set)
  std::optional<int64_t> ttv_days;      // days to its first value event, when reached
};

class CustomerFigures {
 public:
  void feed(const CustomerFacts& facts);
  void merge(const CustomerFigures& other);

  int64_t buyers = 0;         // customers with an order
  int64_t repeat_buyers = 0;  // … with two or more
  int64_t orders = 0;
  ExactSum revenue;       // Σ order amounts, micro-units
  int64_t span_days = 0;  // Σ per buyer of (last − first order day + 1)
  int32_t first_order_day = kNoActivityDay;
  int32_t last_order_day = kNoActivityDay;
  int64_t with_cost = 0;
  ExactSum cost;  // micro-units
  DurationQuantiles ttv;
  int64_t reached = 0;
  int64_t not_reached = 0;
};

}  // namespace kpilens
