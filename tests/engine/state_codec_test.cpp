// state_codec tests: the encodings worked out by hand, malformed input refused, and the saved
// states of ExactSum, DDSketch and DurationQuantiles: loaded and merged, they give what merging the
// originals gives; truncated or corrupted, they are refused or load as a usable state.
#include "state_codec.h"

#include <algorithm>
#include <bit>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "exact_sum.h"
#include "quantiles.h"

using kpilens::DDSketch;
using kpilens::DurationQuantiles;
using kpilens::ExactSum;
using kpilens::LentBytes;
using kpilens::SpanSource;
using kpilens::StateReader;
using kpilens::StateWriter;

namespace {

using Bytes = std::vector<uint8_t>;

template <class T>
Bytes saved(const T& state) {
  StateWriter out;
  state.save(out);
  return out.take();
}

// Loads the whole of `bytes` (nothing may be left over).
template <class T>
bool load_all(T& state, const Bytes& bytes) {
  StateReader in(bytes);
  return state.load(in) && in.at_end();
}

template <class T>
T reloaded(const T& state) {
  T copy;
  REQUIRE(load_all(copy, saved(state)));
  return copy;
}

uint64_t bits(double x) {
  return std::bit_cast<uint64_t>(x);
}

std::vector<double> durations(uint32_t seed, size_t count) {
  std::mt19937 random(seed);
  std::lognormal_distribution<double> duration(2.0, 1.8);
  std::vector<double> values;
  for (size_t i = 0; i < count; ++i) values.push_back(duration(random));
  return values;
}

// Everything a report reads from a DurationQuantiles, as bits.
std::vector<uint64_t> figures(const DurationQuantiles& q) {
  std::vector<uint64_t> f{q.count(), q.approximate(), bits(q.mean().value_or(-1))};
  for (double p : {0.0, 0.1, 0.5, 0.9, 0.99, 1.0}) f.push_back(bits(q.quantile(p).value_or(-1)));
  for (double limit : {1.0, 5.0, 24.0, 60.0, 1440.0}) f.push_back(q.count_below(limit));
  return f;
}

// Loads `bytes` into a T; when that succeeds, the state must be usable and save canonically.
template <class T, class Use>
void load_and_use(const Bytes& bytes, Use&& use) {
  T state;
  if (!load_all(state, bytes)) return;
  use(state);
  const Bytes again = saved(state);
  T second;
  REQUIRE(load_all(second, again));
  CHECK(saved(second) == again);
}

// Every strict prefix is refused; every byte changed (three ways) is refused or gives a usable
// state.
template <class T, class Use>
void check_damaged(const Bytes& bytes, Use&& use) {
  for (size_t length = 0; length < bytes.size(); ++length) {
    T state;
    StateReader in(std::span<const uint8_t>(bytes.data(), length));
    INFO("prefix of " << length << " of " << bytes.size() << " bytes");
    CHECK_FALSE(state.load(in));
    CHECK(in.failed());
  }
  for (size_t i = 0; i < bytes.size(); ++i) {
    for (uint8_t flip : {uint8_t{0x01}, uint8_t{0x80}, uint8_t{0xFF}}) {
      Bytes damaged = bytes;
      damaged[i] ^= flip;
      load_and_use<T>(damaged, use);
    }
  }
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

TEST_CASE("StateWriter::counter counts the bytes a writer writes, and keeps none",
          "[state_codec]") {
  // Every encoding at the lengths where a varint gains a byte, and the bulk writes.
  const auto write = [](StateWriter& out) {
    out.write_u8(7);
    out.write_u32(0xFFFFFFFF);
    out.write_u64(0);
    for (uint64_t v : {uint64_t{0}, uint64_t{127}, uint64_t{128}, uint64_t{16383}, uint64_t{16384},
                       uint64_t{1} << 63, std::numeric_limits<uint64_t>::max()}) {
      out.write_varint(v);
    }
    for (int64_t v : {int64_t{0}, int64_t{-64}, int64_t{64}, std::numeric_limits<int64_t>::min()}) {
      out.write_svarint(v);
    }
    out.write_f64(-0.0);
    const std::vector<double> doubles{1.5, 2.5, 3.5};
    const std::vector<uint32_t> ticks{1, 2, 3, 4, 5};
    out.write_f64s(doubles);
    out.write_u32s(ticks);
    out.write_u32s({});
    out.write_string("");
    out.write_string(std::string(200, 'x'));  // a two-byte length
    out.write_bytes(Bytes{1, 2, 3});
  };
  StateWriter counter = StateWriter::counter();
  write(counter);
  StateWriter out;
  write(out);
  CHECK(counter.bytes().empty());
  CHECK(counter.size() == out.bytes().size());
  CHECK(out.size() == out.bytes().size());
  // 1 + 4 + 8, varints 1+1+2+2+3+10+10, svarints 1+1+2+10, 8, 24 + 20, 1, 2 + 200, 1 + 3
  CHECK(counter.size() == 13 + 29 + 14 + 8 + 44 + 1 + 202 + 4);
}

TEST_CASE("StateWriter::streaming hands over the same bytes in pieces of its size",
          "[state_codec]") {
  // Every kind of write, bulk ones longer than a piece (they are split), short ones that cross a
  // piece's end (a piece may end a few bytes past its size: a write is never split but a bulk one).
  std::mt19937_64 rng(11);
  std::vector<uint32_t> ticks(1000);
  for (uint32_t& t : ticks) t = static_cast<uint32_t>(rng());
  std::vector<double> doubles(300);
  for (double& d : doubles) d = static_cast<double>(rng() % 100000) / 7.0;
  std::string text(777, 'x');
  for (char& c : text) c = static_cast<char>('a' + rng() % 26);
  const auto write = [&](StateWriter& out) {
    for (int round = 0; round < 3; ++round) {
      out.write_u8(static_cast<uint8_t>(round));
      out.write_u32(0xA1B2C3D4);
      out.write_u64(std::numeric_limits<uint64_t>::max() - static_cast<uint64_t>(round));
      out.write_varint(std::numeric_limits<uint64_t>::max());
      out.write_svarint(-12345);
      out.write_f64(-0.0);
      out.write_u32s(ticks);
      out.write_f64s(doubles);
      out.write_u32s({});
      out.write_string(text);
      out.write_string("");
      out.write_bytes(Bytes{9, 8, 7});
    }
  };
  StateWriter whole;
  write(whole);
  for (size_t piece : {size_t{1}, size_t{3}, size_t{64}, size_t{1000}, size_t{4096},
                       whole.bytes().size(), whole.bytes().size() + 1, size_t{1} << 20}) {
    CAPTURE(piece);
    std::vector<Bytes> pieces;
    StateWriter out = StateWriter::streaming(piece, [&](std::span<const uint8_t> bytes) {
      pieces.emplace_back(bytes.begin(), bytes.end());
    });
    write(out);
    out.finish();
    out.finish();  // nothing left: no empty piece
    Bytes joined;
    for (size_t k = 0; k < pieces.size(); ++k) {
      CAPTURE(k);
      CHECK_FALSE(pieces[k].empty());
      CHECK(pieces[k].size() < piece + 10);  // one write past the piece's end at most (a varint)
      if (k + 1 < pieces.size()) CHECK(pieces[k].size() >= piece);
      joined.insert(joined.end(), pieces[k].begin(), pieces[k].end());
    }
    CHECK(joined == whole.bytes());
    CHECK(out.size() == whole.bytes().size());
  }
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
  // A reader of the bytes in memory, and pulling readers through windows from one byte (every
  // read straddles a refill or outgrows the window) to more than the whole.
  const SpanSource source(bytes);
  std::vector<size_t> windows{0};
  for (size_t w = 1; w <= 20; ++w) windows.push_back(w);
  windows.push_back(bytes.size() + 5);
  for (size_t window_size : windows) {
    INFO("window " << window_size);
    Bytes window(window_size);
    StateReader in = window_size == 0 ? StateReader(bytes) : StateReader::pulling(source, window);
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
    CHECK_FALSE(in.read_u8(u8));
  }
}

TEST_CASE("A pulling reader lends ranges of its source and reads what follows them",
          "[state_codec]") {
  StateWriter out;
  std::vector<uint32_t> ticks(3000);
  for (size_t i = 0; i < ticks.size(); ++i) ticks[i] = static_cast<uint32_t>(i * 2654435761u);
  std::vector<double> values{1.5, -2.25, 1e300};
  out.write_varint(300);
  out.write_u32s(ticks);
  out.write_string("after");
  out.write_f64s(values);
  out.write_u8(7);
  const Bytes bytes = out.take();
  // Counts what the reader copies out of its source.
  struct Counting final : kpilens::StateSource {
    explicit Counting(const Bytes& bytes) : inner(bytes) {}
    size_t size() const override { return inner.size(); }
    void copy(size_t offset, size_t count, uint8_t* to) const override {
      REQUIRE(offset + count <= inner.size());
      copied += count;
      inner.copy(offset, count, to);
    }
    SpanSource inner;
    mutable size_t copied = 0;
  };
  for (size_t window_size :
       {size_t{0}, size_t{1}, size_t{9}, size_t{64}, size_t{4096}, size_t{20000}}) {
    INFO("window " << window_size);
    const Counting source(bytes);
    Bytes window(window_size);
    StateReader in = StateReader::pulling(source, window);
    CHECK(in.lends());
    uint64_t count = 0;
    REQUIRE(in.read_varint(count));
    CHECK(in.remaining() == bytes.size() - 2);
    LentBytes lent;
    REQUIRE(in.lend(4 * ticks.size(), lent));
    CHECK(lent.source == &source);
    std::string text;
    REQUIRE(in.read_string(text));
    CHECK(text == "after");
    std::vector<double> read_values(values.size());
    REQUIRE(in.read_f64s(read_values));
    CHECK(read_values == values);
    uint8_t u8 = 0;
    REQUIRE(in.read_u8(u8));
    CHECK(u8 == 7);
    CHECK(in.at_end());
    // The lent ticks were not copied (a small window's refills copy a few bytes besides what was
    // read: the start of the ticks, the end of one refill when a long read goes around it).
    if (window_size <= 64) {
      CHECK(source.copied <= bytes.size() - 4 * ticks.size() + 3 * window_size);
    }
    // The lent bytes, copied out later in any pieces, are the ticks.
    std::vector<uint32_t> copied(ticks.size());
    for (size_t at = 0; at < 4 * ticks.size(); at += 1000) {
      const size_t n = std::min<size_t>(1000, 4 * ticks.size() - at);
      lent.copy(at, n, reinterpret_cast<uint8_t*>(copied.data()) + at);
    }
    CHECK(copied == ticks);
    // Past the end, or lending more than is left, fails.
    CHECK_FALSE(in.read_u8(u8));
  }
  const SpanSource source(bytes);
  Bytes window(16);
  StateReader in = StateReader::pulling(source, window);
  uint64_t count = 0;
  REQUIRE(in.read_varint(count));
  LentBytes lent;
  CHECK_FALSE(in.lend(bytes.size(), lent));
  CHECK(in.failed());
  // Failed, it stays failed.
  CHECK_FALSE(in.read_varint(count));
  CHECK_FALSE(in.lend(0, lent));
  CHECK(in.remaining() == 0);
  CHECK_FALSE(in.at_end());
  // A plain reader does not lend.
  StateReader plain(bytes);
  CHECK_FALSE(plain.lend(1, lent));
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

TEST_CASE("A saved ExactSum, loaded and merged, equals merging the original", "[state_codec]") {
  std::mt19937_64 rng(8);
  std::uniform_real_distribution<double> mantissa(-1.0, 1.0);
  std::uniform_int_distribution<int> exponent(-1074, 1000);
  for (int round = 0; round < 50; ++round) {
    ExactSum a, b;
    for (int i = 0; i < 3000; ++i) {
      (i % 3 ? a : b)
          .add(std::ldexp(mantissa(rng), round % 2 ? exponent(rng) : exponent(rng) / 40));
    }
    ExactSum direct = a;
    direct.merge(b);
    ExactSum via_bytes = a;
    via_bytes.merge(reloaded(b));
    INFO("round " << round);
    CHECK(bits(via_bytes.value()) == bits(direct.value()));
    CHECK(bits(reloaded(direct).value()) == bits(direct.value()));
    CHECK(saved(reloaded(direct)) == saved(direct));
  }
}

TEST_CASE("ExactSum saves one form per value, signs of zero and specials included",
          "[state_codec]") {
  ExactSum three, one_two, cancelled;
  three.add(3.0);
  one_two.add(0.5);
  one_two.add(2.5);
  CHECK(saved(three) == saved(one_two));
  cancelled.add(1e300);
  cancelled.add(-1e300);
  ExactSum plus_zero;
  plus_zero.add(0.0);
  CHECK(saved(cancelled) == saved(plus_zero));

  ExactSum negative_zero, infinite, not_a_number, negative;
  negative_zero.add(-0.0);
  infinite.add(-INFINITY);
  not_a_number.add(INFINITY);
  not_a_number.add(-INFINITY);
  negative.add(-2.75e-310);
  negative.add(-1e17);
  CHECK(std::signbit(reloaded(negative_zero).value()));
  CHECK(reloaded(infinite).value() == -INFINITY);
  CHECK(std::isnan(reloaded(not_a_number).value()));
  CHECK(bits(reloaded(negative).value()) == bits(negative.value()));
  CHECK_FALSE(std::signbit(reloaded(ExactSum{}).value()));
  CHECK(saved(ExactSum{}) == Bytes{'S', 0});
}

TEST_CASE("A saved DDSketch, loaded and merged, equals merging the original", "[state_codec]") {
  const std::vector<double> values = durations(3, 20000);
  DDSketch a, b;
  for (size_t i = 0; i < values.size(); ++i) (i % 4 ? a : b).add(i % 97 ? values[i] : 0.0);
  DDSketch direct = a;
  direct.merge(b);
  DDSketch via_bytes = a;
  via_bytes.merge(reloaded(b));
  REQUIRE(via_bytes.count() == direct.count());
  for (uint64_t rank = 0; rank < direct.count(); rank += 997) {
    CHECK(bits(via_bytes.value_at_rank(rank)) == bits(direct.value_at_rank(rank)));
  }
  for (double limit : {0.5, 1.0, 7.0, 100.0}) {
    CHECK(via_bytes.count_below(limit) == direct.count_below(limit));
  }
  CHECK(saved(via_bytes) == saved(direct));
}

TEST_CASE("A saved DurationQuantiles, loaded and merged, equals merging the original",
          "[state_codec]") {
  // Hours with fractions of a second (kept as doubles), and the same rounded to whole seconds
  // (kept as ticks, 1/3600 h); in the other part, or only in the merge, a value that is no tick.
  const std::vector<double> values = durations(4, 3000);
  std::vector<double> whole_seconds;
  for (double v : values) whole_seconds.push_back(std::round(v * 3600.0) / 3600.0);
  std::vector<double> mixed = whole_seconds;
  mixed.back() = 1e-5;
  const std::vector<const std::vector<double>*> sets = {&values, &whole_seconds, &mixed};
  for (const std::vector<double>* set : sets) {
    // Caps that keep both parts exact, make only the merge pass it, and make one part a sketch.
    for (uint64_t cap : {uint64_t{5000}, uint64_t{2000}, uint64_t{500}}) {
      DurationQuantiles a(cap), b(cap);
      for (size_t i = 0; i < set->size(); ++i) (i < 1400 ? a : b).feed((*set)[i]);
      CHECK(a.quantile(0.5).has_value());  // reorders a's values: the bytes must not care
      DurationQuantiles direct = a;
      direct.merge(b);
      DurationQuantiles via_bytes = reloaded(a);
      via_bytes.merge(reloaded(b));
      INFO("set " << (set == &values  ? "fractions"
                      : set == &mixed ? "mixed"
                                      : "ticks")
                  << ", cap " << cap);
      CHECK(figures(via_bytes) == figures(direct));
      CHECK(figures(reloaded(direct)) == figures(direct));
      CHECK(saved(reloaded(direct)) == saved(direct));
    }
  }
  // Exact values take 4 bytes each as ticks, 8 as doubles (plus a few bytes of count and sum).
  DurationQuantiles ticks, doubles;
  for (size_t i = 0; i < 1000; ++i) {
    ticks.feed(whole_seconds[i]);
    doubles.feed(values[i]);
  }
  CHECK(saved(ticks).size() > 4000);
  CHECK(saved(ticks).size() < 4100);
  CHECK(saved(doubles).size() > 8000);
  CHECK(saved(doubles).size() < 8100);
  DurationQuantiles empty;
  CHECK(figures(reloaded(empty)) == figures(empty));
}

TEST_CASE("DurationQuantiles loaded from a lending or pulling reader merge as if loaded by copy",
          "[state_codec]") {
  // Whole seconds (kept as ticks, which a lending reader leaves in its input), 1,600 of them in the
  // part: more than one block of the lent ticks' decoding.
  std::vector<double> whole_seconds;
  for (double v : durations(5, 3000)) whole_seconds.push_back(std::round(v * 3600.0) / 3600.0);
  // The merge keeps ticks, turns them into doubles (the other side has a value that is no tick),
  // or passes the cap (the lent ticks go into a sketch); at 500 the part is a sketch itself.
  for (bool other_wide : {false, true}) {
    for (uint64_t cap : {uint64_t{5000}, uint64_t{2000}, uint64_t{500}}) {
      DurationQuantiles a(cap), part(cap);
      for (size_t i = 0; i < whole_seconds.size(); ++i) {
        (i < 1400 ? a : part).feed(whole_seconds[i]);
      }
      if (other_wide) a.feed(1e-5);
      const Bytes bytes = saved(part);
      DurationQuantiles copied, lent;
      StateReader copying(bytes);
      REQUIRE(copied.load(copying));
      StateReader lending = StateReader::lending(bytes);
      REQUIRE(lending.lends());
      REQUIRE(lent.load(lending));
      CHECK(lending.at_end());
      // And from a pulling reader (the bindings' merge): the ticks stay in its source.
      const SpanSource source(bytes);
      Bytes window(100);
      DurationQuantiles pulled;
      StateReader pulling = StateReader::pulling(source, window);
      REQUIRE(pulled.load(pulling));
      CHECK(pulling.at_end());
      DurationQuantiles via_copy = a, via_lent = a, via_pulled = a;
      via_copy.merge(copied);
      via_lent.merge(lent);
      via_pulled.merge(pulled);
      INFO("cap " << cap << (other_wide ? ", doubles" : ", ticks"));
      CHECK(saved(via_lent) == saved(via_copy));
      CHECK(saved(via_pulled) == saved(via_copy));
      CHECK(figures(via_lent) == figures(via_copy));
      CHECK(figures(via_pulled) == figures(via_copy));
      CHECK(figures(via_lent) == figures(reloaded(via_copy)));
      // A lent object changed itself (merged into, fed, told of merges to come) first takes its
      // ticks as its own: its count no longer says how many are lent.
      for (const DurationQuantiles* loaned : {&lent, &pulled}) {
        DurationQuantiles into = *loaned, fed = *loaned, told = *loaned;
        DurationQuantiles into_copy = copied, fed_copy = copied, told_copy = copied;
        into.merge(a);
        into_copy.merge(a);
        CHECK(saved(into) == saved(into_copy));
        for (double v : {2.0, 1e-5, 3.0}) {
          fed.feed(v);
          fed_copy.feed(v);
        }
        CHECK(saved(fed) == saved(fed_copy));
        told.expect_merges(told.count() + 2000);
        told_copy.expect_merges(told_copy.count() + 2000);
        told.merge(part);
        told_copy.merge(part);
        CHECK(saved(told) == saved(told_copy));
        CHECK(figures(told) == figures(told_copy));
      }
    }
  }
}

TEST_CASE("States saved one after another load one after another", "[state_codec]") {
  ExactSum sum;
  sum.add(2.5);
  DDSketch sketch;
  sketch.add(3.0);
  DurationQuantiles quantiles;
  quantiles.feed(4.0);
  StateWriter out;
  sum.save(out);
  sketch.save(out);
  quantiles.save(out);
  const Bytes bytes = out.take();
  StateReader in(bytes);
  ExactSum sum2;
  DDSketch sketch2;
  DurationQuantiles quantiles2;
  REQUIRE(sum2.load(in));
  REQUIRE(sketch2.load(in));
  REQUIRE(quantiles2.load(in));
  CHECK(in.at_end());
  CHECK(sum2.value() == 2.5);
  CHECK(sketch2.value_at_rank(0) == 3.0);
  CHECK(quantiles2.quantile(0.5) == 4.0);
  // A state read as another kind is refused by its tag.
  StateReader wrong(bytes);
  CHECK_FALSE(sketch2.load(wrong));
  CHECK(sketch2.count() == 0);
}

TEST_CASE("Truncated or corrupted ExactSum bytes are refused or load as a usable sum",
          "[state_codec]") {
  ExactSum sum;
  for (double v : {1e-300, -3.5, 7e12, 0x1p-1074, -1e200}) sum.add(v);
  check_damaged<ExactSum>(saved(sum), [](const ExactSum& s) { (void)s.value(); });
}

TEST_CASE("Truncated or corrupted DDSketch bytes are refused or load as a usable sketch",
          "[state_codec]") {
  DDSketch sketch;
  for (double v : {0.0, 0.5, 3.0, 3.01, 700.0, 1e6}) sketch.add(v);
  check_damaged<DDSketch>(saved(sketch), [](const DDSketch& s) {
    for (uint64_t rank = 0; rank < s.count() && rank < 100; ++rank) (void)s.value_at_rank(rank);
    (void)s.count_below(3.0);
  });
}

TEST_CASE("Truncated or corrupted DurationQuantiles bytes are refused or load usably",
          "[state_codec]") {
  auto use = [](const DurationQuantiles& q) { (void)figures(q); };
  DurationQuantiles exact(10), wide(10), sketched(3);
  for (double v : {4.0, 0.25, 9.5, 1.0}) {
    exact.feed(v);  // whole ticks
    wide.feed(v + 1e-5);
    sketched.feed(v);
  }
  REQUIRE(sketched.approximate());
  check_damaged<DurationQuantiles>(saved(exact), use);
  check_damaged<DurationQuantiles>(saved(wide), use);
  check_damaged<DurationQuantiles>(saved(sketched), use);
}

TEST_CASE("Doubles written and read many at once are the bytes of one at a time", "[state_codec]") {
  std::mt19937_64 rng(23);
  std::vector<double> values(1000);
  for (double& v : values) v = std::ldexp(static_cast<double>(rng() >> 11), -20) - 3000.0;
  values[7] = std::numeric_limits<double>::denorm_min();
  StateWriter one, many;
  for (double v : values) one.write_f64(v);
  many.write_f64s(values);
  many.write_f64s({});
  CHECK(many.take() == one.take());

  StateWriter again;
  again.write_f64s(values);
  const std::vector<uint8_t> bytes = again.take();
  StateReader in(bytes);
  std::vector<double> read(values.size());
  REQUIRE(in.read_f64s(read));
  CHECK(in.at_end());
  CHECK(read == values);
  StateReader short_input(std::span<const uint8_t>(bytes).first(bytes.size() - 1));
  CHECK_FALSE(short_input.read_f64s(read));
}

TEST_CASE("uint32s written and read many at once are the bytes of one at a time", "[state_codec]") {
  std::mt19937 rng(29);
  std::vector<uint32_t> values(1000);
  for (uint32_t& v : values) v = static_cast<uint32_t>(rng());
  values[3] = 0;
  values[4] = UINT32_MAX;
  StateWriter one, many;
  for (uint32_t v : values) one.write_u32(v);
  many.write_u32s(values);
  many.write_u32s({});
  const std::vector<uint8_t> bytes = many.take();
  CHECK(bytes == one.take());
  CHECK(bytes[12] == 0);  // values[3]: little-endian, 4 bytes each
  CHECK(bytes[16] == 0xFF);

  StateReader in(bytes);
  std::vector<uint32_t> read(values.size());
  REQUIRE(in.read_u32s(read));
  CHECK(in.at_end());
  CHECK(read == values);
  StateReader short_input(std::span<const uint8_t>(bytes).first(bytes.size() - 1));
  CHECK_FALSE(short_input.read_u32s(read));
  CHECK(short_input.failed());
}
