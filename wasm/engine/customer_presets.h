// customer_presets: customer-success exports recognised from their headers (Stripe subscriptions
// and invoices, the IBM Telco and bank churn samples). They join the helpdesk presets in presets(),
// so detection, `preset` in the config and the report's preset entry work alike. Sources per header
// are in tests/fixtures/presets/README.md.
#pragma once

#include <span>

#include "presets.h"

namespace kpilens {

std::span<const Preset> customer_presets();

}  // namespace kpilens
