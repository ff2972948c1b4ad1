// fuzz_input: reads the leading bytes of a fuzz input as settings (option bytes, then a plan of
// chunk sizes), so that the fuzzer itself chooses the options and where chunk boundaries fall. The
// rest of the input is the payload.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

// An invariant broke: stop so that libFuzzer reports the input as a crash.
#define KPILENS_FUZZ_CHECK(condition)   \
  do {                                  \
    if (!(condition)) __builtin_trap(); \
  } while (0)

namespace kpilens::fuzz {

class FuzzInput {
 public:
  FuzzInput(const uint8_t* data, size_t size) : rest_(reinterpret_cast<const char*>(data), size) {}

  // One option byte (0 once the input is used up).
  uint8_t byte() {
    if (rest_.empty()) return 0;
    uint8_t b = static_cast<uint8_t>(rest_[0]);
    rest_.remove_prefix(1);
    return b;
  }

  // A chunk plan: one byte giving its length (0–7), then that many sizes. A size byte of 0 is an
  // empty chunk, 255 the whole remainder, anything else that many bytes; the sizes repeat in turn.
  std::vector<uint8_t> chunk_plan() {
    std::vector<uint8_t> sizes(byte() & 7);
    for (uint8_t& s : sizes) s = byte();
    return sizes;
  }

  std::string_view rest() const { return rest_; }

 private:
  std::string_view rest_;
};

// Calls feed(chunk) for the chunks of `bytes` cut by `plan` (one chunk when the plan is empty). A
// plan of nothing but empty chunks feeds the remainder after one turn of them, so this always ends.
template <class Feed>
void for_each_chunk(std::string_view bytes, const std::vector<uint8_t>& plan, Feed&& feed) {
  if (plan.empty()) {
    feed(bytes);
    return;
  }
  size_t next = 0;
  size_t empties = 0;  // empty chunks in a row
  while (!bytes.empty()) {
    const uint8_t size = plan[next];
    next = (next + 1) % plan.size();
    size_t n = size == 255 ? bytes.size() : std::min<size_t>(size, bytes.size());
    if (n == 0 && ++empties > plan.size()) n = bytes.size();
    if (n > 0) empties = 0;
    feed(bytes.substr(0, n));
    bytes.remove_prefix(n);
  }
}

}  // namespace kpilens::fuzz
