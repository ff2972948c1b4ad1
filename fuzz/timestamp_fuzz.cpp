// timestamp_fuzz: the date-time readers on fuzzer-chosen cells, one per line of the input, read in
// turn through one memo of each kind as a column's cells are: the fixed-place fast path, where it
// reads a cell, must give the general scanner's value and zone flag bit for bit (it may only
// decline more); each memo must change no read; and parse_timestamp, the two together, must read as
// the scanner. The first byte chooses the date order.
#include <cstdint>
#include <cstring>
#include <optional>
#include <string_view>

#include "fuzz_input.h"
#include "timestamp.h"

namespace {

bool same(const std::optional<kpilens::Timestamp>& a, const std::optional<kpilens::Timestamp>& b) {
  if (a.has_value() != b.has_value()) return false;
  if (!a) return true;
  uint64_t x = 0, y = 0;
  std::memcpy(&x, &a->seconds, sizeof x);
  std::memcpy(&y, &b->seconds, sizeof y);
  return x == y && a->has_offset == b->has_offset;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  kpilens::fuzz::FuzzInput input(data, size);
  const auto order = static_cast<kpilens::DateOrder>(input.byte() % 3);
  kpilens::DateMemo fixed_memo, general_memo, both_memo;
  std::string_view rest = input.rest();
  while (!rest.empty()) {
    const size_t end = std::min(rest.find('\n'), rest.size());
    const std::string_view cell = rest.substr(0, end);
    rest.remove_prefix(std::min(end + 1, rest.size()));

    const auto general = kpilens::parse_timestamp_general(cell, order);
    const auto fixed = kpilens::parse_fixed_timestamp(kpilens::trim(cell));
    if (fixed) KPILENS_FUZZ_CHECK(same(fixed, general));
    KPILENS_FUZZ_CHECK(
        same(kpilens::parse_fixed_timestamp(kpilens::trim(cell), &fixed_memo), fixed));
    KPILENS_FUZZ_CHECK(same(kpilens::parse_timestamp_general(cell, order, &general_memo), general));
    KPILENS_FUZZ_CHECK(same(kpilens::parse_timestamp(cell, order, &both_memo), general));
  }
  return 0;
}
