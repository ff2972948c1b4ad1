// kpi_json: see kpi_json.h.
#include "kpi_json.h"

namespace kpilens {

void write_kpi_value(JsonWriter& w, const KpiValue& v, std::span<const std::string_view> extras) {
  w.field("value", v.value);
  w.field("n", v.n);
  // Overall is the largest group: when it is exact, so is every period and segment.
  w.field("approximate", v.approximate);
  w.key("extras");
  w.begin_object();
  for (size_t i = 0; i < extras.size(); ++i) {
    w.field(extras[i], i < v.extras.size() ? v.extras[i] : std::nullopt);
  }
  w.end_object();
}

void write_kpi_columns(JsonWriter& w, const std::vector<KpiValue>& values,
                       std::span<const std::string_view> extras) {
  w.begin_object();
  w.key("value");
  w.begin_array();
  for (const auto& v : values) w.number(v.value);
  w.end_array();
  w.key("n");
  w.begin_array();
  for (const auto& v : values) w.integer(v.n);
  w.end_array();
  w.key("extras");
  w.begin_object();
  for (size_t i = 0; i < extras.size(); ++i) {
    w.key(extras[i]);
    w.begin_array();
    for (const auto& v : values) w.number(i < v.extras.size() ? v.extras[i] : std::nullopt);
    w.end_array();
  }
  w.end_object();
  w.end_object();
}

void write_kpi_trend(JsonWriter& w, std::span<const PeriodLabel> labels,
                     std::span<const KpiValue> values) {
  if (values.size() < 2 || labels.size() < values.size()) {
    w.null();
    return;
  }
  const KpiValue& last = values.back();
  const KpiValue& previous = values[values.size() - 2];
  w.begin_object();
  w.field("period", labels[values.size() - 1].key);
  w.field("previous_period", labels[values.size() - 2].key);
  w.field("value", last.value);
  w.field("previous", previous.value);
  w.key("change");
  if (last.value && previous.value) {
    w.number(*last.value - *previous.value);
  } else {
    w.null();
  }
  w.end_object();
}

}  // namespace kpilens
