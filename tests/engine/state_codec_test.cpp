// state_codec tests: the encodings worked out by hand, and malformed input refused.
#include "state_codec.h"

#include <bit>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

using kpilens::StateReader;
using kpilens::StateWriter;

namespace {

using Bytes = std::vector<uint8_t>;

uint64_t bits(double x) {
  return std::bit_cast<uint64_t>(x);
}

}  // namespace

TEST_CASE("StateWriter writes little-endian integers, LEB128 varints and double bits",
          "[state_codec]") {
  StateWriter out;
  out.write_u32(0x01020304);
  out.write_varint(300);  // 300 = 0b10'0101100 → 0xAC (low 7 bits + continuation), 0x02
  out.write_svarint(-1);  // zigzag: −1 → 1
  out.write_svarint(1);   // 1 → 2
  out.write_f64(1.0);     // 0x3FF0000000000000, low byte first
  out.write_string("ab");
  const Bytes expected{0x04, 0x03, 0x02, 0x01, 0xAC, 0x02, 0x01, 0x02, 0,  0,
                       0,    0,    0,    0,    0xF0, 0x3F, 0x02, 'a',  'b'};
  CHECK(out.bytes() == expected);
}

TEST_CASE("StateReader reads back every encoding at its limits", "[state_codec]") {
  StateWriter out;
  const std::vector<uint64_t> unsigned_values{
      0, 1, 127, 128, 16383, 16384, uint64_t{1} << 63, std::numeric_limits<uint64_t>::max()};
  const std::vector<int64_t> signed_values{
      0, -1, 1, -64, 64, std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max()};
  const std::vector<double> doubles{-0.0, std::numeric_limits<double>::denorm_min(), INFINITY,
                                    std::bit_cast<double>(uint64_t{0x7FF0000000000123})};
  const std::string text("a\0b \xC3\xA9", 6);
  const Bytes blob{1, 2, 3};
  out.write_u8(0xFE);
  out.write_u64(0x0102030405060708);
  for (uint64_t v : unsigned_values) out.write_varint(v);
  for (int64_t v : signed_values) out.write_svarint(v);
  for (double v : doubles) out.write_f64(v);
  out.write_string(text);
  out.write_string("");
  out.write_bytes(blob);

  const Bytes bytes = out.take();
  StateReader in(bytes);
  uint8_t u8 = 0;
  uint64_t u64 = 0;
  REQUIRE(in.read_u8(u8));
  CHECK(u8 == 0xFE);
  REQUIRE(in.read_u64(u64));
  CHECK(u64 == 0x0102030405060708);
  for (uint64_t v : unsigned_values) {
    REQUIRE(in.read_varint(u64));
    CHECK(u64 == v);
  }
  for (int64_t v : signed_values) {
    int64_t s = 0;
    REQUIRE(in.read_svarint(s));
    CHECK(s == v);
  }
  for (double v : doubles) {
    double d = 0;
    REQUIRE(in.read_f64(d));
    CHECK(bits(d) == bits(v));
  }
  std::string read_text;
  REQUIRE(in.read_string(read_text));
  CHECK(read_text == text);
  REQUIRE(in.read_string(read_text));
  CHECK(read_text.empty());
  std::span<const uint8_t> read_blob;
  REQUIRE(in.read_bytes(read_blob));
  CHECK(Bytes(read_blob.begin(), read_blob.end()) == blob);
  CHECK(in.at_end());
}

TEST_CASE("StateReader fails on short input and stays failed", "[state_codec]") {
  const Bytes three{1, 2, 3, 4};
  StateReader in(std::span<const uint8_t>(three.data(), 3));
  uint32_t u32 = 0;
  uint8_t u8 = 0;
  CHECK_FALSE(in.read_u32(u32));
  CHECK(in.failed());
  CHECK_FALSE(in.read_u8(u8));  // the bytes are still there, but the reader is failed
  CHECK(in.remaining() == 0);
  CHECK_FALSE(in.at_end());
}

TEST_CASE("StateReader refuses overlong, oversized and unterminated varints", "[state_codec]") {
  auto reads = [](const Bytes& bytes) {
    StateReader in(bytes);
    uint64_t v = 0;
    return in.read_varint(v);
  };
  CHECK(reads({0x00}));
  CHECK_FALSE(reads({0x80, 0x00}));  // 0 written in two bytes
  CHECK_FALSE(reads({0xFF, 0x00}));  // 127 written in two bytes
  CHECK(reads({0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01}));        // 2^64 − 1
  CHECK_FALSE(reads({0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02}));  // 2^64
  CHECK_FALSE(reads(Bytes(11, 0x80)));
  CHECK_FALSE(reads({0x80}));
}

TEST_CASE("StateReader never trusts a length or a count", "[state_codec]") {
  // A string of 2^40 bytes with three bytes left: refused before anything is allocated.
  StateWriter out;
  out.write_varint(uint64_t{1} << 40);
  out.write_u8('a');
  out.write_u8('b');
  out.write_u8('c');
  const Bytes bytes = out.take();
  {
    StateReader in(bytes);
    std::string text;
    CHECK_FALSE(in.read_string(text));
    CHECK(in.failed());
  }
  {
    // Three items of one byte fit; of two bytes they do not.
    StateWriter three;
    three.write_varint(3);
    three.write_u8(1);
    three.write_u8(2);
    three.write_u8(3);
    const Bytes b = three.take();
    uint64_t count = 0;
    StateReader fits(b);
    CHECK(fits.read_count(count, 1));
    CHECK(count == 3);
    StateReader too_many(b);
    CHECK_FALSE(too_many.read_count(count, 2));
  }
}
