// vector_source: a StateSource over bytes in memory, for tests of StateReader::pulling (the
// bindings' source is the JS array a part's state arrived in: wasm/bindings/api.cpp).
#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

#include "state_codec.h"

namespace kpilens {

class VectorSource final : public StateSource {
 public:
  explicit VectorSource(std::span<const uint8_t> bytes) : bytes_(bytes.begin(), bytes.end()) {}
  size_t size() const override { return bytes_.size(); }
  void copy(size_t offset, size_t count, uint8_t* to) const override {
    ++copies;
    if (count > 0) std::memcpy(to, bytes_.data() + offset, count);
  }
  mutable size_t copies = 0;

 private:
  std::vector<uint8_t> bytes_;
};

}  // namespace kpilens
