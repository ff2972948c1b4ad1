// state_codec: the bytes of an accumulator's mergeable state, as workers send them to each other.
// StateWriter appends; StateReader reads back, checking every bound: malformed input makes a read
// return false and leaves the reader failed (every later read fails too), so a load can read a
// whole record and test once. Nothing read is trusted: a length or an item count is checked
// against the bytes that are left before anything is allocated for it.
//
// Encodings (all little-endian, the same bytes natively and in wasm):
//   u8, u32, u64    fixed width
//   varint          unsigned LEB128, 1–10 bytes; overlong forms (a last byte of 0 after the first)
//                   and values past 2^64 − 1 are refused, so every value has exactly one encoding
//   svarint         a signed value zigzag-mapped (0, −1, 1, −2 … → 0, 1, 2, 3 …), then varint
//   f64             the double's IEEE 754 bit pattern as a u64 (NaN payloads and −0 kept)
//   string, bytes   varint length, then the bytes
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "code_placement.h"

namespace kpilens {

class StateWriter {
 public:
  StateWriter() = default;
  // A writer that keeps nothing and only counts the bytes it would write (size()): a first pass
  // over a large state, so that the second writes it into one allocation of its exact size
  // (reserve) instead of a vector doubled up to it, which touches about twice the memory — and a
  // fresh page is a page fault (10 µs each on the benchmark's VM).
  static StateWriter counter() { return StateWriter(true); }
  // A writer that hands what it wrote to `sink` in pieces of `piece_bytes` to `piece_bytes` + 9
  // (a number is never split; a run of bytes is), the last one possibly shorter (on finish()),
  // holding no more than one piece at a time: a state of many MB is written through one buffer
  // that stays in the cache and touches no fresh memory on the way (the sink copies each piece
  // where it goes: the page's parts, parallel_read.mjs). bytes(), take() and reserve() are for
  // the other writers.
  using Sink = std::function<void(std::span<const uint8_t> piece)>;
  static StateWriter streaming(size_t piece_bytes, Sink sink);

  void write_u8(uint8_t value) {
    if (counting_) {
      ++counted_;
    } else {
      bytes_.push_back(value);
      check_piece();
    }
  }
  void write_u32(uint32_t value);
  void write_u64(uint64_t value);
  void write_varint(uint64_t value);
  void write_svarint(int64_t value);
  void write_f64(double value);
  // Many doubles at once (the same bytes as write_f64 for each): exact quantile values.
  void write_f64s(std::span<const double> values);
  // Many uint32s at once (the same bytes as write_u32 for each): exact quantile values as ticks.
  void write_u32s(std::span<const uint32_t> values);
  void write_string(std::string_view text);
  void write_bytes(std::span<const uint8_t> data);

  // A streaming writer: hands the rest to the sink (nothing when nothing is left). Other writers:
  // nothing.
  void finish() {
    if (sink_ && !bytes_.empty()) hand_over();
  }

  // The bytes written (or counted, or handed over) so far.
  size_t size() const { return counting_ ? counted_ : handed_over_ + bytes_.size(); }
  void reserve(size_t size) { bytes_.reserve(size); }
  const std::vector<uint8_t>& bytes() const { return bytes_; }
  std::vector<uint8_t> take() { return std::move(bytes_); }

 private:
  explicit StateWriter(bool counting) : counting_(counting) {}
  // `count` more bytes when counting: true when nothing is to be stored.
  bool counted(size_t count) {
    counted_ += count;
    return counting_;
  }

  // The bytes write_one would write for each value, in one copy on a little-endian machine.
  template <class T, class WriteOne>
  void write_many(std::span<const T> values, WriteOne write_one);
  // Appends `size` bytes (any length: a streaming writer hands over each piece it fills).
  void append(const uint8_t* data, size_t size);
  // Any write past piece_bytes_: hands the buffer to the sink and empties it (a streaming writer).
  void hand_over();
  // The writes that end with append() check the piece size there; the others after their bytes.
  void check_piece() {
    if (bytes_.size() >= piece_bytes_) [[unlikely]]
      hand_over();
  }

  std::vector<uint8_t> bytes_;
  bool counting_ = false;
  size_t counted_ = 0;
  // A streaming writer's piece size (never reached otherwise), its sink and what it handed over.
  size_t piece_bytes_ = std::numeric_limits<size_t>::max();
  Sink sink_;
  size_t handed_over_ = 0;
};

// Where a pulling reader's bytes are (StateReader::pulling): somewhere it cannot point into (the
// page's and Node's merging worker: the JS array a part's state arrived in), copied out on demand.
class StateSource {
 public:
  virtual ~StateSource() = default;
  virtual size_t size() const = 0;
  // Copies the bytes [offset, offset + count) to `to` (the caller keeps them within size()).
  virtual void copy(size_t offset, size_t count, uint8_t* to) const = 0;
};

// Bytes in memory as a StateSource (tests, fuzzing: the bindings' source is a JS array).
class SpanSource final : public StateSource {
 public:
  explicit SpanSource(std::span<const uint8_t> bytes) : bytes_(bytes) {}
  size_t size() const override { return bytes_.size(); }
  void copy(size_t offset, size_t count, uint8_t* to) const override;

 private:
  std::span<const uint8_t> bytes_;
};

// Bytes a lending reader lent (StateReader::lend): at address `at` (no source: a lending reader's
// input), or from offset `at` of a pulling reader's source. Valid as long as that input or source
// is. Their size is the borrower's to remember (DurationQuantiles: 4 bytes a tick, as many as its
// count): two words, so that the groups that may hold them stay as small as they were.
struct LentBytes {
  const StateSource* source = nullptr;
  uintptr_t at = 0;
  bool empty() const { return source == nullptr && at == 0; }
  // Copies the lent bytes [from, from + count) to `to`.
  [[gnu::noinline]] void copy(size_t from, size_t count, uint8_t* to) const;
};

class StateReader {
 public:
  explicit StateReader(std::span<const uint8_t> data) : data_(data), total_(data.size()) {}
  // A reader whose loads may keep views into its input instead of copies (DurationQuantiles' exact
  // ticks): for an object loaded only to be merged at once, while the input lives. A merge then
  // copies those values once, from the input into the merged object, instead of twice.
  static StateReader lending(std::span<const uint8_t> data) {
    StateReader in(data);
    in.lends_ = true;
    return in;
  }
  // A lending reader of `source`, through `window` (the caller's memory, in use until the reader
  // is done): what it reads is copied into the window as it goes (a window's worth at a time), and
  // what it lends stays in the source, copied out by whoever takes it (LentBytes::copy). The
  // merging worker's part states arrive in JS memory: a part's exact ticks then go from there
  // straight into the groups they are merged into, and the rest through a small window, rather
  // than the whole state through fresh wasm memory first.
  static StateReader pulling(const StateSource& source, std::span<uint8_t> window) {
    StateReader in(std::span<const uint8_t>{});
    in.total_ = source.size();
    in.source_ = &source;
    in.window_ = window;
    in.lends_ = true;
    return in;
  }
  bool lends() const { return lends_; }

  // Each returns false (and leaves `value` unspecified) when the input is short or malformed.
  bool read_u8(uint8_t& value);
  bool read_u32(uint32_t& value);
  bool read_u64(uint64_t& value);
  bool read_varint(uint64_t& value);
  bool read_svarint(int64_t& value);
  bool read_f64(double& value);
  // Fills `values` (sized by the caller) as read_f64 would, one after the other.
  bool read_f64s(std::span<double> values);
  // Fills `values` (sized by the caller) as read_u32 would, one after the other.
  bool read_u32s(std::span<uint32_t> values);
  bool read_string(std::string& text);
  // A view into the reader's input (no copy); valid as long as the input is (a pulling reader's:
  // until its next read).
  bool read_bytes(std::span<const uint8_t>& data);
  // The next `size` bytes (no length before them), lent (a reader that lends()).
  bool lend(size_t size, LentBytes& lent);
  // A count of items that take at least `min_bytes_each` bytes each (≥ 1): refused when that many
  // items cannot fit in what is left, so a caller may reserve `count` items safely.
  bool read_count(uint64_t& count, size_t min_bytes_each);
  // Marks the input malformed (a value out of its range, say); returns false for `return fail();`.
  bool fail() {
    failed_ = true;
    return false;
  }

  bool failed() const { return failed_; }
  size_t remaining() const { return failed_ ? 0 : total_ - base_ - position_; }
  bool at_end() const { return !failed_ && base_ + position_ == total_; }

 private:
  // Each value as read_one would read it, in one copy on a little-endian machine.
  template <class T, class ReadOne>
  bool read_many(std::span<T> values, ReadOne read_one);
  bool take(size_t count, const uint8_t*& start);
  // take() past what the window holds (a pulling reader): the window refilled from the source.
  bool pull(size_t count, const uint8_t*& start);
  // The next `size` bytes copied to `to` (a pulling reader's straight from its source when its
  // window does not hold them).
  bool take_into(size_t size, uint8_t* to);
  // Moves past the next `size` bytes (at most remaining()).
  void skip(size_t size);

  // The bytes at hand (a pulling reader's: what its window holds, from base_ in the source), the
  // position in them, and the size of the whole input.
  std::span<const uint8_t> data_;
  size_t position_ = 0;
  size_t base_ = 0;
  size_t total_ = 0;
  const StateSource* source_ = nullptr;
  std::span<uint8_t> window_;
  std::vector<uint8_t> overflow_;  // a single read longer than the window
  bool failed_ = false;
  bool lends_ = false;
};

}  // namespace kpilens
