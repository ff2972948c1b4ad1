// field_parse: text cells → typed values (numbers, booleans, durations). Errors are values: nullopt
// means "not understood"; an empty or blank cell is "missing", which callers tell apart with
// is_blank().
#pragma once

#include <optional>
#include <string_view>

namespace kpilens {

enum class DurationUnit { kMilliseconds, kSeconds, kMinutes, kHours, kDays };

std::string_view trim(std::string_view text);
bool is_blank(std::string_view text);
// ASCII case-insensitive equality.
bool iequals(std::string_view a, std::string_view b);

// Decimal numbers: optional sign, digits with optional thousands grouping (',' or ' ' or '.' when
// the decimal separator is ','), a fraction, an exponent; a leading currency sign ($ € £) or a
// trailing % is allowed and ignored. `decimal_separator` is '.' or ','. Rejects NaN, infinities,
// hex.
std::optional<double> parse_number(std::string_view text, char decimal_separator = '.');

// yes/no, true/false, y/n, 1/0, t/f (any case).
std::optional<bool> parse_bool(std::string_view text);

// A duration cell in minutes: a number in `unit`, or [-]H:MM[:SS[.fff]] (whatever the unit).
std::optional<double> parse_duration_minutes(std::string_view text, DurationUnit unit,
                                             char decimal_separator = '.');

double minutes_per(DurationUnit unit);
std::string_view unit_name(DurationUnit unit);

}  // namespace kpilens
