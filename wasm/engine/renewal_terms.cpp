// renewal_terms: see renewal_terms.h.
#include "renewal_terms.h"

#include <algorithm>

namespace kpilens {

void RenewalTerms::add(uint32_t customer, int64_t start, std::optional<int64_t> end,
                       BillingInterval interval, std::span<const uint32_t> row_values) {
  if (interval.count < 1 || interval.count > INT16_MAX) return;
  auto day = [](int64_t d) {
    return static_cast<int32_t>(std::clamp<int64_t>(d, INT32_MIN + 1, int64_t{kOpen} - 1));
  };
  terms_.push_back(Term{customer, day(start), end ? day(*end) : kOpen,
                        static_cast<int16_t>(interval.count), static_cast<uint8_t>(interval.unit)});
  for (size_t c = 0; c < row_columns_; ++c) {
    values_.push_back(c < row_values.size() ? row_values[c] : 0);
  }
}

void RenewalTerms::merge(const RenewalTerms& other, std::span<const uint32_t> customer_map,
                         std::span<const std::vector<uint32_t>> value_maps) {
  for (size_t t = 0; t < other.terms_.size(); ++t) {
    Term term = other.terms_[t];
    term.customer = customer_map[term.customer];
    terms_.push_back(term);
    for (size_t c = 0; c < row_columns_; ++c) {
      uint32_t v = other.values_[t * other.row_columns_ + c];
      values_.push_back(c < value_maps.size() && v < value_maps[c].size() ? value_maps[c][v] : v);
    }
  }
}

}  // namespace kpilens
