// text_decoder_fuzz: any bytes, in fuzzer-chosen chunks, must come out as valid UTF-8, and exactly
// as one decode of the whole input (same text, encoding, replacement count and offset).
#include <simdjson.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_input.h"
#include "text_decoder.h"

namespace {

struct Decoded {
  std::string text;
  int encoding = 0;
  uint64_t replaced = 0;
  uint64_t first_replaced = 0;
};

template <class Feed>
Decoded decode(Feed&& feed_all) {
  kpilens::TextDecoder decoder;
  Decoded d;
  auto sink = [&](std::string_view utf8) {
    // Every piece handed on is complete UTF-8 on its own.
    KPILENS_FUZZ_CHECK(simdjson::validate_utf8(utf8.data(), utf8.size()));
    d.text.append(utf8);
  };
  feed_all(decoder, sink);
  decoder.finish(sink);
  d.encoding = static_cast<int>(decoder.encoding());
  d.replaced = decoder.replaced();
  d.first_replaced = decoder.replaced() ? decoder.first_replaced_offset() : 0;
  return d;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  kpilens::fuzz::FuzzInput input(data, size);
  const std::vector<uint8_t> plan = input.chunk_plan();
  const std::string_view bytes = input.rest();

  Decoded chunked = decode([&](kpilens::TextDecoder& decoder, auto& sink) {
    kpilens::fuzz::for_each_chunk(bytes, plan,
                                  [&](std::string_view chunk) { decoder.decode(chunk, sink); });
  });
  Decoded whole =
      decode([&](kpilens::TextDecoder& decoder, auto& sink) { decoder.decode(bytes, sink); });
  KPILENS_FUZZ_CHECK(chunked.text == whole.text);
  KPILENS_FUZZ_CHECK(chunked.encoding == whole.encoding);
  KPILENS_FUZZ_CHECK(chunked.replaced == whole.replaced);
  KPILENS_FUZZ_CHECK(chunked.first_replaced == whole.first_replaced);
  KPILENS_FUZZ_CHECK(simdjson::validate_utf8(whole.text.data(), whole.text.size()));
  return 0;
}
