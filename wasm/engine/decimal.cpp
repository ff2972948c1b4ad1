// decimal: see decimal.h.
#include "decimal.h"

#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <vector>

namespace kpilens {

std::optional<double> read_decimal(std::string_view text) {
  // The same number as JSON writes it (no leading zero before another digit, a digit on each side
  // of the point: "007." is "7", ".5" is "0.5"), which is what simdjson reads, with the padding
  // simdjson reads past the end with. One buffer and one parser a thread, kept from number to
  // number: a file whose numbers all come here (with thousands separators, say) allocates nothing
  // per cell once the longest has been read.
  thread_local std::string json;
  thread_local simdjson::ondemand::parser parser;
  json.clear();
  json.reserve(text.size() + 1 + simdjson::SIMDJSON_PADDING);
  size_t i = 0;
  if (i < text.size() && text[i] == '-') json.push_back(text[i++]);
  const size_t whole_start = i;
  while (i < text.size() && is_digit(text[i])) ++i;
  std::string_view whole = text.substr(whole_start, i - whole_start);
  std::string_view fraction;
  if (i < text.size() && text[i] == '.') {
    const size_t fraction_start = ++i;
    while (i < text.size() && is_digit(text[i])) ++i;
    fraction = text.substr(fraction_start, i - fraction_start);
  }
  if (whole.empty() && fraction.empty()) return std::nullopt;
  if (text.size() > kMaxDecimalBytes) return std::nullopt;
  while (whole.size() > 1 && whole.front() == '0') whole.remove_prefix(1);
  json.append(whole.empty() ? std::string_view("0") : whole);
  if (!fraction.empty()) {
    json.push_back('.');
    json.append(fraction);
  }
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    json.push_back('e');
    if (++i < text.size() && (text[i] == '+' || text[i] == '-')) json.push_back(text[i++]);
    const size_t exponent_start = i;
    while (i < text.size() && is_digit(text[i])) json.push_back(text[i++]);
    if (i == exponent_start || i - exponent_start > 18) return std::nullopt;
  }
  if (i != text.size()) return std::nullopt;
  auto document =
      parser.iterate(simdjson::padded_string_view(json.data(), json.size(), json.capacity()));
  double value = 0;
  // simdjson refuses a magnitude beyond the largest double (strtod's infinity).
  if (document.get_double().get(value) != simdjson::SUCCESS) return std::nullopt;
  return value;
}

BinaryDouble binary_of(double value) {
  uint64_t bits;  // std::bit_cast is missing from Emscripten 3.1.6's libc++
  std::memcpy(&bits, &value, sizeof bits);
  const uint64_t fraction = bits & ((uint64_t{1} << 52) - 1);
  const auto biased = static_cast<int>((bits >> 52) & 0x7FF);
  if (biased == 0) return {fraction, -1074};
  return {fraction | (uint64_t{1} << 52), biased - 1075};
}

ExactDecimal exact_decimal(double value) {
  const auto [m, q] = binary_of(value);
  // value = m × 2^q: the integer n = m × 2^q when q ≥ 0, else n = m × 5^−q and value = n × 10^q.
  // n in 32-bit limbs, the lowest first (up to 2^2547: 80 limbs).
  std::vector<uint32_t> n{static_cast<uint32_t>(m), static_cast<uint32_t>(m >> 32)};
  auto multiply = [&n](uint32_t factor) {
    uint64_t carry = 0;
    for (uint32_t& limb : n) {
      const uint64_t product = uint64_t{limb} * factor + carry;
      limb = static_cast<uint32_t>(product);
      carry = product >> 32;
    }
    if (carry != 0) n.push_back(static_cast<uint32_t>(carry));
  };
  int scale = 0;
  if (q >= 0) {
    for (int left = q; left > 0; left -= 31) multiply(uint32_t{1} << std::min(left, 31));
  } else {
    for (int left = -q; left > 0; left -= 13) {
      uint32_t five = 1;  // up to 5^13, the largest power of five below 2^32
      for (int k = std::min(left, 13); k > 0; --k) five *= 5;
      multiply(five);
    }
    scale = q;
  }
  // n's decimal digits, nine at a time from the lowest, by long division.
  std::vector<uint32_t> groups;
  while (!n.empty()) {
    uint64_t rest = 0;
    for (size_t i = n.size(); i-- > 0;) {
      const uint64_t current = (rest << 32) | n[i];
      n[i] = static_cast<uint32_t>(current / 1000000000);
      rest = current % 1000000000;
    }
    groups.push_back(static_cast<uint32_t>(rest));
    while (!n.empty() && n.back() == 0) n.pop_back();
  }
  ExactDecimal d;
  char text[16];
  for (size_t g = groups.size(); g-- > 0;) {
    const auto end = std::to_chars(text, text + sizeof text, groups[g]).ptr;
    const auto length = static_cast<size_t>(end - text);
    if (g + 1 != groups.size()) d.digits.append(9 - length, '0');  // a group inside: nine digits
    d.digits.append(text, length);
  }
  d.exponent = static_cast<int>(d.digits.size()) - 1 + scale;
  return d;
}

char* write_zero_padded(char* out, int64_t value, int width) {
  // The magnitude as unsigned: −2^63 has none as a signed number.
  const uint64_t magnitude =
      value < 0 ? uint64_t{0} - static_cast<uint64_t>(value) : static_cast<uint64_t>(value);
  char text[24];
  const auto end = std::to_chars(text, text + sizeof text, magnitude).ptr;
  const auto length = static_cast<int>(end - text);
  if (value < 0) {
    *out++ = '-';
    --width;
  }
  for (int k = length; k < width; ++k) *out++ = '0';
  std::memcpy(out, text, static_cast<size_t>(length));
  return out + length;
}

}  // namespace kpilens
