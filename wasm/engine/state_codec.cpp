// state_codec: see state_codec.h for the encodings.
#include "state_codec.h"

#include <algorithm>
#include <bit>
#include <cstring>

namespace kpilens {

namespace {

// std::bit_cast is missing from Emscripten 3.1.6's libc++.
uint64_t bits_of(double x) {
  uint64_t bits = 0;
  std::memcpy(&bits, &x, sizeof bits);
  return bits;
}

double double_of(uint64_t bits) {
  double x = 0;
  std::memcpy(&x, &bits, sizeof x);
  return x;
}

}  // namespace

StateWriter StateWriter::streaming(size_t piece_bytes, Sink sink) {
  StateWriter out;
  out.piece_bytes_ = piece_bytes < 1 ? 1 : piece_bytes;
  out.sink_ = std::move(sink);
  // A write is split only when it is a run of bytes (append): a number may end up to 9 bytes
  // past the piece's size (a varint is 10) before the piece is handed over.
  out.bytes_.reserve(out.piece_bytes_ + 16);
  return out;
}

void StateWriter::hand_over() {
  sink_(bytes_);
  handed_over_ += bytes_.size();
  bytes_.clear();  // (its capacity stays: the next piece goes where this one was)
}

void StateWriter::append(const uint8_t* data, size_t size) {
  while (size > 0) {
    const size_t room = bytes_.size() < piece_bytes_ ? piece_bytes_ - bytes_.size() : 0;
    const size_t n = size < room ? size : room;
    const size_t at = bytes_.size();
    bytes_.resize(at + n);
    std::memcpy(bytes_.data() + at, data, n);
    data += n;
    size -= n;
    check_piece();
  }
}

void StateWriter::write_u32(uint32_t value) {
  if (counted(4)) return;
  for (int i = 0; i < 4; ++i) bytes_.push_back(static_cast<uint8_t>(value >> (8 * i)));
  check_piece();
}

void StateWriter::write_u64(uint64_t value) {
  if (counted(8)) return;
  for (int i = 0; i < 8; ++i) bytes_.push_back(static_cast<uint8_t>(value >> (8 * i)));
  check_piece();
}

template <class T, class WriteOne>
void StateWriter::write_many(std::span<const T> values, WriteOne write_one) {
  if (counted(values.size_bytes())) return;
  if constexpr (std::endian::native == std::endian::little) {
    // The encoding is little-endian: on such a machine (x86, wasm) it is the memory itself.
    if (values.empty()) return;
    if (values.size_bytes() <= piece_bytes_ - bytes_.size()) {
      // Room for all of it (always, unless streaming): one copy into place.
      const size_t at = bytes_.size();
      bytes_.resize(at + values.size_bytes());
      std::memcpy(bytes_.data() + at, values.data(), values.size_bytes());
      check_piece();
    } else {
      append(reinterpret_cast<const uint8_t*>(values.data()), values.size_bytes());
    }
  } else {
    for (T value : values) (this->*write_one)(value);
  }
}

void StateWriter::write_f64s(std::span<const double> values) {
  write_many(values, &StateWriter::write_f64);
}

void StateWriter::write_u32s(std::span<const uint32_t> values) {
  write_many(values, &StateWriter::write_u32);
}

void StateWriter::write_varint(uint64_t value) {
  if (counting_) {
    do {
      ++counted_;
      value >>= 7;
    } while (value != 0);
    return;
  }
  while (value >= 0x80) {
    bytes_.push_back(static_cast<uint8_t>(value | 0x80));
    value >>= 7;
  }
  bytes_.push_back(static_cast<uint8_t>(value));
  check_piece();
}

void StateWriter::write_svarint(int64_t value) {
  // Zigzag: the sign moves to bit 0, so small magnitudes of either sign stay short.
  const uint64_t bits = static_cast<uint64_t>(value);
  write_varint((bits << 1) ^ (value < 0 ? ~uint64_t{0} : 0));
}

void StateWriter::write_f64(double value) {
  write_u64(bits_of(value));
}

void StateWriter::write_string(std::string_view text) {
  write_varint(text.size());
  if (counted(text.size())) return;
  append(reinterpret_cast<const uint8_t*>(text.data()), text.size());
}

void StateWriter::write_bytes(std::span<const uint8_t> data) {
  write_varint(data.size());
  if (counted(data.size())) return;
  append(data.data(), data.size());
}

void SpanSource::copy(size_t offset, size_t count, uint8_t* to) const {
  if (count > 0) std::memcpy(to, bytes_.data() + offset, count);
}

void LentBytes::copy(size_t from, size_t count, uint8_t* to) const {
  if (count == 0) return;
  if (source) {
    source->copy(at + from, count, to);
  } else {
    std::memcpy(to, reinterpret_cast<const uint8_t*>(at) + from, count);
  }
}

bool StateReader::take(size_t count, const uint8_t*& start) {
  if (failed_) return false;
  if (count > data_.size() - position_) [[unlikely]] {
    if (!source_ || !pull(count, start)) return fail();
    return true;
  }
  start = data_.data() + position_;
  position_ += count;
  return true;
}

bool StateReader::pull(size_t count, const uint8_t*& start) {
  const size_t at = base_ + position_;
  if (count > total_ - at) return false;
  if (count > window_.size()) {
    overflow_.resize(count);
    start = overflow_.data();
    return take_into(count, overflow_.data());
  }
  const size_t n = std::min(window_.size(), total_ - at);
  source_->copy(at, n, window_.data());
  base_ = at;
  data_ = window_.first(n);
  start = window_.data();
  position_ = count;
  return true;
}

bool StateReader::read_u8(uint8_t& value) {
  const uint8_t* p = nullptr;
  if (!take(1, p)) return false;
  value = p[0];
  return true;
}

bool StateReader::read_u32(uint32_t& value) {
  const uint8_t* p = nullptr;
  if (!take(4, p)) return false;
  value = 0;
  for (int i = 0; i < 4; ++i) value |= uint32_t{p[i]} << (8 * i);
  return true;
}

bool StateReader::read_u64(uint64_t& value) {
  const uint8_t* p = nullptr;
  if (!take(8, p)) return false;
  value = 0;
  for (int i = 0; i < 8; ++i) value |= uint64_t{p[i]} << (8 * i);
  return true;
}

bool StateReader::read_varint(uint64_t& value) {
  value = 0;
  for (int i = 0; i < 10; ++i) {
    uint8_t byte = 0;
    if (!read_u8(byte)) return false;
    // The tenth byte holds bit 63 only.
    if (i == 9 && byte > 1) return fail();
    value |= uint64_t{byte & 0x7Fu} << (7 * i);
    if ((byte & 0x80) == 0) {
      if (byte == 0 && i > 0) return fail();  // overlong: a shorter form exists
      return true;
    }
  }
  return fail();
}

bool StateReader::read_svarint(int64_t& value) {
  uint64_t bits = 0;
  if (!read_varint(bits)) return false;
  value = static_cast<int64_t>((bits >> 1) ^ (~(bits & 1) + 1));
  return true;
}

bool StateReader::read_f64(double& value) {
  uint64_t bits = 0;
  if (!read_u64(bits)) return false;
  value = double_of(bits);
  return true;
}

template <class T, class ReadOne>
bool StateReader::read_many(std::span<T> values, ReadOne read_one) {
  if constexpr (std::endian::native == std::endian::little) {
    if (values.size() > remaining() / sizeof(T)) return fail();
    return take_into(values.size_bytes(), reinterpret_cast<uint8_t*>(values.data()));
  } else {
    for (T& value : values) {
      if (!(this->*read_one)(value)) return false;
    }
    return true;
  }
}

bool StateReader::read_f64s(std::span<double> values) {
  return read_many(values, &StateReader::read_f64);
}

bool StateReader::read_u32s(std::span<uint32_t> values) {
  return read_many(values, &StateReader::read_u32);
}

bool StateReader::read_string(std::string& text) {
  std::span<const uint8_t> data;
  if (!read_bytes(data)) return false;
  text.assign(reinterpret_cast<const char*>(data.data()), data.size());
  return true;
}

bool StateReader::read_bytes(std::span<const uint8_t>& data) {
  uint64_t length = 0;
  if (!read_varint(length)) return false;
  if (length > remaining()) return fail();
  const uint8_t* p = nullptr;
  if (!take(static_cast<size_t>(length), p)) return false;
  data = std::span<const uint8_t>(p, static_cast<size_t>(length));
  return true;
}

bool StateReader::take_into(size_t size, uint8_t* to) {
  if (failed_ || size > remaining()) return fail();
  if (source_ && size > data_.size() - position_) {
    source_->copy(base_ + position_, size, to);
    skip(size);
    return true;
  }
  const uint8_t* p = nullptr;
  if (!take(size, p)) return false;
  if (size > 0) std::memcpy(to, p, size);
  return true;
}

void StateReader::skip(size_t size) {
  if (size <= data_.size() - position_) {
    position_ += size;
  } else {
    base_ += position_ + size;
    data_ = {};
    position_ = 0;
  }
}

bool StateReader::lend(size_t size, LentBytes& lent) {
  if (failed_ || !lends_ || size > remaining()) return fail();
  // A pulling reader's bytes stay in its source (whoever takes them copies them from there).
  lent = LentBytes{
      source_, source_ ? base_ + position_ : reinterpret_cast<uintptr_t>(data_.data() + position_)};
  skip(size);
  return true;
}

bool StateReader::read_count(uint64_t& count, size_t min_bytes_each) {
  if (!read_varint(count)) return false;
  if (min_bytes_each == 0) min_bytes_each = 1;
  if (count > remaining() / min_bytes_each) return fail();
  return true;
}

}  // namespace kpilens
