// text_decoder: the first bytes choose the encoding (a BOM, else UTF-16's NUL pattern, else UTF-8).
// UTF-8 is validated in place and handed on as the caller's own bytes; its first non-ASCII sequence
// decides between UTF-8 and windows-1252. UTF-16 and windows-1252 are converted into one scratch
// buffer reused across calls. Anything split by a chunk boundary (a BOM, a UTF-8 sequence, an odd
// UTF-16 byte, a surrogate pair) is carried to the next call, so the output never ends
// mid-character.
//
// How much one U+FFFD replaces, in UTF-8: the WHATWG "maximal subpart" rule (the Encoding
// Standard's UTF-8 decoder, also Unicode's "U+FFFD substitution of maximal subparts"): a byte that
// cannot start a sequence is one U+FFFD; otherwise the lead byte plus the continuation bytes that
// were still acceptable are one U+FFFD, and the byte that broke the sequence is read again as a new
// start. So "E0 80" is two U+FFFD (E0 wants A0..BF), "F0 90 80 41" is one U+FFFD and "A", and a
// sequence cut by the end of the file is one U+FFFD.
#include "text_decoder.h"

#include <algorithm>
#include <array>
#include <cstring>

#if defined(__wasm_simd128__)
#include <wasm_simd128.h>
#elif defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace kpilens {

namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD in UTF-8
constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";
constexpr std::string_view kUtf16LeBom = "\xFF\xFE";
constexpr std::string_view kUtf16BeBom = "\xFE\xFF";

// BOM-less UTF-16 is judged on up to this many leading bytes: every byte of that window must fit
// the pattern, so a binary file with a few NULs is never taken for text.
constexpr size_t kStartWindow = 64;
// A file shorter than the window is UTF-16 only when it has at least this many bytes (2 units).
constexpr size_t kMinUtf16Bytes = 4;

constexpr uint64_t kHighBits = 0x8080808080808080u;

// The WHATWG index for windows-1252 bytes 0x80..0x9F (0xA0..0xFF are Latin-1). The five bytes
// Microsoft leaves undefined (81, 8D, 8F, 90, 9D) map to the C1 controls of the same value.
constexpr std::array<char16_t, 32> kWindows1252C1 = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,  // 80..87
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,  // 88..8F
    0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,  // 90..97
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,  // 98..9F
};

char* put_utf8(char* out, uint32_t code_point) {
  if (code_point < 0x80) {
    *out++ = static_cast<char>(code_point);
  } else if (code_point < 0x800) {
    *out++ = static_cast<char>(0xC0 | (code_point >> 6));
    *out++ = static_cast<char>(0x80 | (code_point & 0x3F));
  } else if (code_point < 0x10000) {
    *out++ = static_cast<char>(0xE0 | (code_point >> 12));
    *out++ = static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
    *out++ = static_cast<char>(0x80 | (code_point & 0x3F));
  } else {
    *out++ = static_cast<char>(0xF0 | (code_point >> 18));
    *out++ = static_cast<char>(0x80 | ((code_point >> 12) & 0x3F));
    *out++ = static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
    *out++ = static_cast<char>(0x80 | (code_point & 0x3F));
  }
  return out;
}

char* put_replacement(char* out) {
  std::memcpy(out, kReplacement.data(), kReplacement.size());
  return out + kReplacement.size();
}

// UTF-8 of each windows-1252 byte 0x80..0xFF, built once at compile time.
struct EncodedChar {
  uint8_t length = 0;
  std::array<char, 3> bytes{};
};

constexpr std::array<EncodedChar, 128> make_windows1252_table() {
  std::array<EncodedChar, 128> table{};
  for (uint32_t byte = 0x80; byte <= 0xFF; ++byte) {
    const uint32_t code_point = byte < 0xA0 ? kWindows1252C1[byte - 0x80] : byte;
    EncodedChar& entry = table[byte - 0x80];
    if (code_point < 0x800) {
      entry.length = 2;
      entry.bytes[0] = static_cast<char>(0xC0 | (code_point >> 6));
      entry.bytes[1] = static_cast<char>(0x80 | (code_point & 0x3F));
    } else {
      entry.length = 3;
      entry.bytes[0] = static_cast<char>(0xE0 | (code_point >> 12));
      entry.bytes[1] = static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
      entry.bytes[2] = static_cast<char>(0x80 | (code_point & 0x3F));
    }
  }
  return table;
}

constexpr std::array<EncodedChar, 128> kWindows1252Utf8 = make_windows1252_table();

// The index of the first byte >= 0x80 in p[i..n), or n. With the build's SIMD, sixty-four bytes
// at a time (a byte's top bit is its sign: three ORs and one bitmask per 64 bytes; the block with
// a high byte then gives its place from four bitmasks), then thirty-two; then eight at a time
// (the first step without SIMD), then byte by byte up to the first high one. Measured with
// callgrind on a 100k-row ticket export (142 bytes a row), 32 bytes a step against 8: 145 fewer
// instructions per row in wasm, 76 natively; 64 bytes a step took the weekly figures (300,000
// tickets) from 725.2 to 719.6 M instructions in wasm (docs/architecture.md, "The UTF-8 check, 64
// bytes a step").
size_t skip_ascii(const unsigned char* p, size_t i, size_t n) {
#if defined(__wasm_simd128__)
  for (; i + 64 <= n; i += 64) {
    const v128_t a = wasm_v128_load(p + i);
    const v128_t b = wasm_v128_load(p + i + 16);
    const v128_t c = wasm_v128_load(p + i + 32);
    const v128_t d = wasm_v128_load(p + i + 48);
    if (wasm_i8x16_bitmask(wasm_v128_or(wasm_v128_or(a, b), wasm_v128_or(c, d))) != 0) {
      const uint64_t high = static_cast<uint64_t>(wasm_i8x16_bitmask(a)) |
                            (static_cast<uint64_t>(wasm_i8x16_bitmask(b)) << 16) |
                            (static_cast<uint64_t>(wasm_i8x16_bitmask(c)) << 32) |
                            (static_cast<uint64_t>(wasm_i8x16_bitmask(d)) << 48);
      return i + static_cast<size_t>(__builtin_ctzll(high));
    }
  }
  for (; i + 32 <= n; i += 32) {
    const v128_t a = wasm_v128_load(p + i);
    const v128_t b = wasm_v128_load(p + i + 16);
    if (wasm_i8x16_bitmask(wasm_v128_or(a, b)) != 0) {
      const uint32_t high = wasm_i8x16_bitmask(a) | (wasm_i8x16_bitmask(b) << 16);
      return i + static_cast<size_t>(__builtin_ctz(high));
    }
  }
#elif defined(__SSE2__)
  for (; i + 64 <= n; i += 64) {
    const __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
    const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i + 16));
    const __m128i c = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i + 32));
    const __m128i d = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i + 48));
    if (_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(a, b), _mm_or_si128(c, d))) != 0) {
      const uint64_t high =
          static_cast<uint64_t>(static_cast<uint32_t>(_mm_movemask_epi8(a))) |
          (static_cast<uint64_t>(static_cast<uint32_t>(_mm_movemask_epi8(b))) << 16) |
          (static_cast<uint64_t>(static_cast<uint32_t>(_mm_movemask_epi8(c))) << 32) |
          (static_cast<uint64_t>(static_cast<uint32_t>(_mm_movemask_epi8(d))) << 48);
      return i + static_cast<size_t>(__builtin_ctzll(high));
    }
  }
  for (; i + 32 <= n; i += 32) {
    const __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
    const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i + 16));
    if (_mm_movemask_epi8(_mm_or_si128(a, b)) != 0) {
      const auto high = static_cast<uint32_t>(_mm_movemask_epi8(a)) |
                        (static_cast<uint32_t>(_mm_movemask_epi8(b)) << 16);
      return i + static_cast<size_t>(__builtin_ctz(high));
    }
  }
#endif
  for (; i + 8 <= n; i += 8) {
    uint64_t word;
    std::memcpy(&word, p + i, sizeof word);
    if (word & kHighBits) break;
  }
  while (i < n && p[i] < 0x80) ++i;
  return i;
}

enum class SequenceKind : uint8_t { kValid, kInvalid, kIncomplete };

struct Sequence {
  SequenceKind kind;
  uint8_t length;  // kValid: the sequence; kInvalid: its maximal subpart; kIncomplete: all bytes
};

// Reads the UTF-8 sequence starting at p[0] (a byte >= 0x80), n >= 1 bytes being available. The
// ranges are Unicode's table 3-7, which rules out overlongs, surrogates and code points > U+10FFFF.
Sequence read_sequence(const unsigned char* p, size_t n) {
  const unsigned char lead = p[0];
  uint8_t continuations = 0;
  unsigned char lower = 0x80;
  unsigned char upper = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    continuations = 1;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    continuations = 2;
    if (lead == 0xE0) lower = 0xA0;  // below: overlong
    if (lead == 0xED) upper = 0x9F;  // above: surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    continuations = 3;
    if (lead == 0xF0) lower = 0x90;  // below: overlong
    if (lead == 0xF4) upper = 0x8F;  // above: beyond U+10FFFF
  } else {
    return {SequenceKind::kInvalid, 1};
  }
  for (uint8_t k = 1; k <= continuations; ++k) {
    if (k >= n) return {SequenceKind::kIncomplete, static_cast<uint8_t>(n)};
    const unsigned char byte = p[k];
    if (byte < lower || byte > upper) return {SequenceKind::kInvalid, k};
    lower = 0x80;
    upper = 0xBF;
  }
  return {SequenceKind::kValid, static_cast<uint8_t>(continuations + 1)};
}

// A byte that may stand beside a NUL in BOM-less UTF-16: printable ASCII, TAB, LF, CR, or a
// Latin-1 letter or sign (A0..FF: "é" is E9 00 in UTF-16LE). Never NUL, other controls or C1.
bool is_text_byte(unsigned char byte) {
  if (byte >= 0x20 && byte < 0x7F) return true;
  if (byte >= 0xA0) return true;
  return byte == '\t' || byte == '\n' || byte == '\r';
}

struct StartDecision {
  bool decided = false;
  TextEncoding encoding = TextEncoding::kUtf8;
  size_t bom_length = 0;
};

// Chooses the encoding from the file's first bytes, or asks for more. `head` is everything seen so
// far; `at_end` says there is no more (finish). More is asked for only while the bytes could still
// be a BOM or BOM-less UTF-16, and never beyond kStartWindow bytes.
StartDecision detect_start(std::string_view head, bool at_end) {
  struct Bom {
    std::string_view bytes;
    TextEncoding encoding;
  };
  constexpr std::array<Bom, 3> kBoms = {{{kUtf8Bom, TextEncoding::kUtf8Bom},
                                         {kUtf16LeBom, TextEncoding::kUtf16Le},
                                         {kUtf16BeBom, TextEncoding::kUtf16Be}}};
  for (const Bom& bom : kBoms) {
    if (head.starts_with(bom.bytes)) return {true, bom.encoding, bom.bytes.size()};
    if (!at_end && bom.bytes.starts_with(head)) return {};
  }
  // BOM-less UTF-16: "x 00 y 00" (LE) or "00 x 00 y" (BE) over the whole window.
  const size_t window = std::min(head.size(), kStartWindow);
  bool little = true;
  bool big = true;
  for (size_t i = 0; i < window && (little || big); ++i) {
    const auto byte = static_cast<unsigned char>(head[i]);
    const bool even = i % 2 == 0;
    little = little && (even ? is_text_byte(byte) : byte == 0);
    big = big && (even ? byte == 0 : is_text_byte(byte));
  }
  if (!little && !big) return {true, TextEncoding::kUtf8, 0};
  if (window < kStartWindow) {
    if (!at_end) return {};
    if (window < kMinUtf16Bytes) return {true, TextEncoding::kUtf8, 0};
  }
  return {true, little ? TextEncoding::kUtf16Le : TextEncoding::kUtf16Be, 0};
}

}  // namespace

std::string_view encoding_name(TextEncoding encoding) {
  switch (encoding) {
    case TextEncoding::kUtf8:
      return "utf-8";
    case TextEncoding::kUtf8Bom:
      return "utf-8-bom";
    case TextEncoding::kUtf16Le:
      return "utf-16le";
    case TextEncoding::kUtf16Be:
      return "utf-16be";
    case TextEncoding::kWindows1252:
      return "windows-1252";
  }
  return "utf-8";
}

void TextDecoder::decode(std::string_view bytes, const Sink& out) {
  bytes_in_ += bytes.size();
  if (bytes.empty()) return;
  if (start_decided_) {
    decode_body(bytes, out);
    return;
  }
  if (head_.empty()) {
    // Usually the first chunk settles it, and its bytes go on without a copy.
    const StartDecision decision = detect_start(bytes, false);
    if (!decision.decided) {
      head_.assign(bytes);
      return;
    }
    begin(decision.encoding, decision.bom_length);
    decode_body(bytes.substr(decision.bom_length), out);
    return;
  }
  // detect_start always decides on kStartWindow bytes, so head_ never grows past it.
  const size_t take = std::min(bytes.size(), kStartWindow - head_.size());
  head_.append(bytes.substr(0, take));
  const StartDecision decision = detect_start(head_, false);
  if (!decision.decided) return;
  begin(decision.encoding, decision.bom_length);
  decode_body(std::string_view(head_).substr(decision.bom_length), out);
  head_.clear();
  decode_body(bytes.substr(take), out);
}

void TextDecoder::finish(const Sink& out) {
  if (!start_decided_) {
    const StartDecision decision = detect_start(head_, true);
    begin(decision.encoding, decision.bom_length);
    decode_body(std::string_view(head_).substr(decision.bom_length), out);
    head_.clear();
  }
  switch (encoding_) {
    case TextEncoding::kUtf8:
    case TextEncoding::kUtf8Bom:
      if (held_.empty()) break;
      if (saw_utf8_multibyte_) {
        note_replaced(offset_ - held_.size());
        out(kReplacement);
      } else {
        // The file's first non-ASCII bytes, cut short by its end: not UTF-8.
        switch_to_windows1252(held_, {}, out);
      }
      held_.clear();
      break;
    case TextEncoding::kUtf16Le:
    case TextEncoding::kUtf16Be:
      if (pending_high_ != 0) {
        note_replaced(pending_high_offset_);
        pending_high_ = 0;
        out(kReplacement);
      }
      if (!held_.empty()) {  // an odd last byte
        note_replaced(offset_ - 1);
        held_.clear();
        out(kReplacement);
      }
      break;
    case TextEncoding::kWindows1252:
      break;
  }
}

bool TextDecoder::can_jump() const {
  return start_decided_ && held_.empty() && pending_high_ == 0 &&
         encoding_ != TextEncoding::kUtf16Le && encoding_ != TextEncoding::kUtf16Be;
}

void TextDecoder::jump_to(uint64_t offset) {
  offset_ = offset;
}

void TextDecoder::adopt(TextEncoding encoding, bool saw_utf8_multibyte) {
  encoding_ = encoding;
  saw_utf8_multibyte_ = saw_utf8_multibyte;
}

void TextDecoder::add_replaced(uint64_t count, uint64_t first_offset) {
  if (count == 0) return;
  if (replaced_ == 0) first_replaced_offset_ = first_offset;
  replaced_ += count;
}

void TextDecoder::begin(TextEncoding encoding, size_t bom_length) {
  start_decided_ = true;
  encoding_ = encoding;
  offset_ = bom_length;
  // A UTF-8 BOM is itself a valid multi-byte sequence: the file has declared itself UTF-8.
  saw_utf8_multibyte_ = encoding == TextEncoding::kUtf8Bom;
}

void TextDecoder::decode_body(std::string_view bytes, const Sink& out) {
  if (bytes.empty()) return;
  switch (encoding_) {
    case TextEncoding::kUtf8:
    case TextEncoding::kUtf8Bom:
      decode_utf8(bytes, out);
      return;
    case TextEncoding::kUtf16Le:
    case TextEncoding::kUtf16Be:
      decode_utf16(bytes, out);
      return;
    case TextEncoding::kWindows1252: {
      const size_t used = convert_windows1252(bytes, 0);
      offset_ += bytes.size();
      out(std::string_view(scratch_.data(), used));
      return;
    }
  }
}

void TextDecoder::decode_utf8(std::string_view bytes, const Sink& out) {
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  const size_t n = bytes.size();
  const uint64_t base = offset_;
  offset_ += n;
  size_t i = 0;
  if (!held_.empty()) {
    // Complete the sequence held back by the previous call with this call's first bytes.
    std::array<unsigned char, 4> sequence{};
    const size_t held = held_.size();
    std::memcpy(sequence.data(), held_.data(), held);
    const size_t taken = std::min(n, sequence.size() - held);
    std::memcpy(sequence.data() + held, p, taken);
    const Sequence s = read_sequence(sequence.data(), held + taken);
    if (s.kind == SequenceKind::kIncomplete) {  // all of `bytes` was taken and it is still short
      held_.append(bytes);
      return;
    }
    if (s.kind == SequenceKind::kInvalid && !saw_utf8_multibyte_) {
      switch_to_windows1252(held_, bytes, out);
      held_.clear();
      return;
    }
    if (s.kind == SequenceKind::kValid) {
      saw_utf8_multibyte_ = true;
      out(std::string_view(reinterpret_cast<const char*>(sequence.data()), s.length));
    } else {
      note_replaced(base - held);
      out(kReplacement);
    }
    i = s.length - held;  // the held bytes were all acceptable, so s.length >= held
    held_.clear();
  }

  size_t run = i;   // first byte not yet written out
  size_t end = n;   // end of what this call writes (an incomplete tail is held back)
  size_t used = 0;  // bytes in scratch_, once a replacement forced a copy
  bool copying = false;
  while (i < n) {
    i = skip_ascii(p, i, n);
    if (i == n) break;
    const Sequence s = read_sequence(p + i, n - i);
    if (s.kind == SequenceKind::kValid) {
      saw_utf8_multibyte_ = true;
      i += s.length;
      continue;
    }
    if (s.kind == SequenceKind::kIncomplete) {
      held_.assign(bytes.substr(i));
      end = i;
      break;
    }
    if (!saw_utf8_multibyte_) {
      // The file's first non-ASCII sequence is not UTF-8: windows-1252 from here on. Everything
      // before it was ASCII, which both encodings spell alike.
      if (i > run) out(bytes.substr(run, i - run));
      switch_to_windows1252({}, bytes.substr(i), out);
      return;
    }
    copying = true;
    used = append_output(used, bytes.substr(run, i - run));
    used = append_output(used, kReplacement);
    note_replaced(base + i);
    i += s.length;
    run = i;
  }
  if (!copying) {
    if (end > run) out(bytes.substr(run, end - run));
    return;
  }
  used = append_output(used, bytes.substr(run, end - run));
  out(std::string_view(scratch_.data(), used));
}

void TextDecoder::switch_to_windows1252(std::string_view held, std::string_view bytes,
                                        const Sink& out) {
  encoding_ = TextEncoding::kWindows1252;
  size_t used = convert_windows1252(held, 0);
  used = convert_windows1252(bytes, used);
  if (used > 0) out(std::string_view(scratch_.data(), used));
}

size_t TextDecoder::convert_windows1252(std::string_view bytes, size_t used) {
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  const size_t n = bytes.size();
  // Exact output size first, so scratch_ grows once and the loop below writes without checks.
  size_t size = n;
  for (size_t i = skip_ascii(p, 0, n); i < n; i = skip_ascii(p, i + 1, n)) {
    size += kWindows1252Utf8[p[i] - 0x80].length - 1u;
  }
  char* const start = reserve_output(used, size);
  char* w = start;
  size_t i = 0;
  while (i < n) {
    const size_t ascii_end = skip_ascii(p, i, n);
    std::memcpy(w, p + i, ascii_end - i);
    w += ascii_end - i;
    i = ascii_end;
    if (i == n) break;
    const EncodedChar& encoded = kWindows1252Utf8[p[i] - 0x80];
    std::memcpy(w, encoded.bytes.data(), encoded.length);
    w += encoded.length;
    ++i;
  }
  return used + static_cast<size_t>(w - start);
}

void TextDecoder::decode_utf16(std::string_view bytes, const Sink& out) {
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  const size_t n = bytes.size();
  const uint64_t base = offset_;
  offset_ += n;
  const bool little = encoding_ == TextEncoding::kUtf16Le;
  // At most 3 bytes per unit, plus one U+FFFD for a high surrogate left by the previous call.
  char* const start = reserve_output(0, 3 * (n / 2 + 2));
  char* w = start;
  size_t i = 0;
  if (!held_.empty()) {  // the odd byte the previous call ended on
    const auto first = static_cast<unsigned char>(held_[0]);
    const uint32_t unit = little ? (first | (p[0] << 8)) : ((first << 8) | p[0]);
    w = put_utf16_unit(w, unit, base - 1);
    held_.clear();
    i = 1;
  }
  for (; i + 1 < n; i += 2) {
    const uint32_t unit = little ? (p[i] | (p[i + 1] << 8)) : ((p[i] << 8) | p[i + 1]);
    if (unit < 0x80 && pending_high_ == 0) {
      *w++ = static_cast<char>(unit);
      continue;
    }
    w = put_utf16_unit(w, unit, base + i);
  }
  if (i < n) held_.assign(1, bytes[i]);
  if (w != start) out(std::string_view(start, static_cast<size_t>(w - start)));
}

char* TextDecoder::put_utf16_unit(char* out, uint32_t unit, uint64_t offset) {
  const bool high = unit >= 0xD800 && unit <= 0xDBFF;
  const bool low = unit >= 0xDC00 && unit <= 0xDFFF;
  if (pending_high_ != 0) {
    if (low) {
      const uint32_t code_point = 0x10000 + ((pending_high_ - 0xD800u) << 10) + (unit - 0xDC00);
      pending_high_ = 0;
      return put_utf8(out, code_point);
    }
    note_replaced(pending_high_offset_);
    pending_high_ = 0;
    out = put_replacement(out);
  }
  if (high) {
    pending_high_ = static_cast<uint16_t>(unit);
    pending_high_offset_ = offset;
    return out;
  }
  if (low) {
    note_replaced(offset);
    return put_replacement(out);
  }
  return put_utf8(out, unit);
}

// scratch_ serves as a raw buffer whose size only grows: resize() zero-fills the growth once, not
// on every call, and the views handed out use the bytes actually written. A fresh output (used 0)
// grows to its bound exactly; appends to one grow geometrically.
char* TextDecoder::reserve_output(size_t used, size_t extra) {
  const size_t needed = used + extra;
  if (scratch_.size() < needed) {
    scratch_.resize(used == 0 ? needed : std::max(needed, scratch_.size() * 2));
  }
  return scratch_.data() + used;
}

size_t TextDecoder::append_output(size_t used, std::string_view bytes) {
  if (bytes.empty()) return used;
  std::memcpy(reserve_output(used, bytes.size()), bytes.data(), bytes.size());
  return used + bytes.size();
}

void TextDecoder::note_replaced(uint64_t offset) {
  if (replaced_++ == 0) first_replaced_offset_ = offset;
}

}  // namespace kpilens
