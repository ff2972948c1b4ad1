// customer_figures: see customer_figures.h; the formulas are in customer_kpis.cpp.
#include "customer_figures.h"

#include <algorithm>

namespace kpilens {

void CustomerFigures::feed(const CustomerFacts& f) {
  if (f.orders && f.orders->orders > 0) {
    const OrderTotals& o = *f.orders;
    ++buyers;
    repeat_buyers += o.orders >= 2;
    orders += o.orders;
    revenue.add(static_cast<double>(o.micros));
    span_days += int64_t{o.last_day} - o.first_day + 1;
    if (first_order_day == kNoActivityDay || o.first_day < first_order_day) {
      first_order_day = o.first_day;
    }
    if (last_order_day == kNoActivityDay || o.last_day > last_order_day) {
      last_order_day = o.last_day;
    }
  }
  if (f.cost) {
    ++with_cost;
    cost.add(static_cast<double>(*f.cost));
  }
  if (f.ttv_counted) {
    if (f.ttv_days) {
      ++reached;
      ttv.feed(static_cast<double>(*f.ttv_days));
    } else {
      ++not_reached;
    }
  }
}

void CustomerFigures::merge(const CustomerFigures& o) {
  buyers += o.buyers;
  repeat_buyers += o.repeat_buyers;
  orders += o.orders;
  revenue.merge(o.revenue);
  span_days += o.span_days;
  if (o.first_order_day != kNoActivityDay &&
      (first_order_day == kNoActivityDay || o.first_order_day < first_order_day)) {
    first_order_day = o.first_order_day;
  }
  last_order_day = std::max(last_order_day, o.last_order_day);
  with_cost += o.with_cost;
  cost.merge(o.cost);
  ttv.merge(o.ttv);
  reached += o.reached;
  not_reached += o.not_reached;
}

}  // namespace kpilens
