// csv_scanner: finds the bytes that matter to CSV (quotes, the delimiter, CR, LF) 64 at a time, as
// bitmasks, and which of them lie inside quotes. One interface, several kernels: the byte
// classification is the only step that differs between them (wasm SIMD128, SSE2, a scalar
// reference); the quote parity and everything derived from it is the same bit arithmetic for all,
// so every kernel gives the same bits. Also the two primitives a parallel reader needs to cut a
// file into byte ranges: quotes and line breaks of a range, and the first record start in a range.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>

#include "code_placement.h"

#if defined(__wasm_simd128__)
#include <wasm_simd128.h>
#define KPILENS_SCAN_SIMD_KERNEL ::kpilens::ScanKernel::kWasmSimd128
#elif defined(__SSE2__)
#include <emmintrin.h>
#define KPILENS_SCAN_SIMD_KERNEL ::kpilens::ScanKernel::kSse2
#endif

namespace kpilens {

enum class ScanKernel : uint8_t { kScalar, kSse2, kWasmSimd128 };

#ifdef KPILENS_SCAN_SIMD_KERNEL
inline constexpr ScanKernel kBestScanKernel = KPILENS_SCAN_SIMD_KERNEL;
#else
inline constexpr ScanKernel kBestScanKernel = ScanKernel::kScalar;
#endif

// The kernels compiled into this build: the scalar reference first, then the SIMD one if any.
std::span<const ScanKernel> compiled_scan_kernels();
std::string_view scan_kernel_name(ScanKernel kernel);

inline constexpr size_t kScanBlockBytes = 64;

// Bit i stands for byte i of a 64-byte block.
struct ByteClassMasks {
  uint64_t quote = 0;
  uint64_t delimiter = 0;
  uint64_t cr = 0;
  uint64_t lf = 0;
};

// What the decoder's common block needs, in fewer steps than ByteClassMasks and the parity: the
// bytes that end a field (delimiter, CR, LF) in one mask, LF alone, CR only when it matters, and
// whether the block holds a quote at all. Every kernel gives the same values.
struct PlainMasks {
  uint64_t special = 0;  // the delimiter, CR and LF
  uint64_t lf = 0;
  uint64_t cr = 0;        // the block's when `cr_asked`, else 0
  bool quote = false;     // a quote somewhere in the block
  bool cr_asked = false;  // the block holds a CR, or its CRs were asked for
};

namespace scan_detail {

inline ByteClassMasks classify_scalar(const char* block, char delimiter) {
  ByteClassMasks m;
  for (size_t i = 0; i < kScanBlockBytes; ++i) {
    const uint64_t bit = uint64_t{1} << i;
    const char c = block[i];
    if (c == '"') m.quote |= bit;
    if (c == delimiter) m.delimiter |= bit;
    if (c == '\r') m.cr |= bit;
    if (c == '\n') m.lf |= bit;
  }
  return m;
}

inline PlainMasks classify_plain_scalar(const char* block, char delimiter, bool need_cr) {
  const ByteClassMasks m = classify_scalar(block, delimiter);
  PlainMasks p;
  p.special = m.delimiter | m.cr | m.lf;
  p.lf = m.lf;
  p.quote = m.quote != 0;
  p.cr_asked = need_cr || m.cr != 0;
  if (p.cr_asked) p.cr = m.cr;
  return p;
}

#if defined(__wasm_simd128__)
inline ByteClassMasks classify_simd(const char* block, char delimiter) {
  const v128_t quote = wasm_i8x16_splat('"');
  const v128_t delim = wasm_i8x16_splat(delimiter);
  const v128_t cr = wasm_i8x16_splat('\r');
  const v128_t lf = wasm_i8x16_splat('\n');
  ByteClassMasks m;
  for (unsigned k = 0; k < 4; ++k) {
    const v128_t v = wasm_v128_load(block + 16 * k);
    const unsigned shift = 16 * k;
    m.quote |= uint64_t{wasm_i8x16_bitmask(wasm_i8x16_eq(v, quote))} << shift;
    m.delimiter |= uint64_t{wasm_i8x16_bitmask(wasm_i8x16_eq(v, delim))} << shift;
    m.cr |= uint64_t{wasm_i8x16_bitmask(wasm_i8x16_eq(v, cr))} << shift;
    m.lf |= uint64_t{wasm_i8x16_bitmask(wasm_i8x16_eq(v, lf))} << shift;
  }
  return m;
}

// One bitmask for the three bytes that end a field, one for LF, and a test for quotes and CRs over
// the whole block (any_true of their OR): 8 bitmasks instead of 16 when the block has no CR.
inline PlainMasks classify_plain_simd(const char* block, char delimiter, bool need_cr) {
  const v128_t quote = wasm_i8x16_splat('"');
  const v128_t delim = wasm_i8x16_splat(delimiter);
  const v128_t cr = wasm_i8x16_splat('\r');
  const v128_t lf = wasm_i8x16_splat('\n');
  v128_t v[4];
  v128_t quotes = wasm_i64x2_const(0, 0);
  v128_t crs = wasm_i64x2_const(0, 0);
  PlainMasks m;
  for (unsigned k = 0; k < 4; ++k) {
    v[k] = wasm_v128_load(block + 16 * k);
    const v128_t is_cr = wasm_i8x16_eq(v[k], cr);
    const v128_t ends =
        wasm_v128_or(wasm_v128_or(wasm_i8x16_eq(v[k], delim), is_cr), wasm_i8x16_eq(v[k], lf));
    m.special |= uint64_t{wasm_i8x16_bitmask(ends)} << (16 * k);
    m.lf |= uint64_t{wasm_i8x16_bitmask(wasm_i8x16_eq(v[k], lf))} << (16 * k);
    quotes = wasm_v128_or(quotes, wasm_i8x16_eq(v[k], quote));
    crs = wasm_v128_or(crs, is_cr);
  }
  m.quote = wasm_v128_any_true(quotes);
  m.cr_asked = need_cr || wasm_v128_any_true(crs);
  if (m.cr_asked) {
    for (unsigned k = 0; k < 4; ++k) {
      m.cr |= uint64_t{wasm_i8x16_bitmask(wasm_i8x16_eq(v[k], cr))} << (16 * k);
    }
  }
  return m;
}
#elif defined(__SSE2__)
inline uint64_t movemask_sse2(__m128i eq) {
  return static_cast<uint64_t>(static_cast<uint32_t>(_mm_movemask_epi8(eq)));
}

inline ByteClassMasks classify_simd(const char* block, char delimiter) {
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i delim = _mm_set1_epi8(delimiter);
  const __m128i cr = _mm_set1_epi8('\r');
  const __m128i lf = _mm_set1_epi8('\n');
  ByteClassMasks m;
  for (unsigned k = 0; k < 4; ++k) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(block + 16 * k));
    const unsigned shift = 16 * k;
    m.quote |= movemask_sse2(_mm_cmpeq_epi8(v, quote)) << shift;
    m.delimiter |= movemask_sse2(_mm_cmpeq_epi8(v, delim)) << shift;
    m.cr |= movemask_sse2(_mm_cmpeq_epi8(v, cr)) << shift;
    m.lf |= movemask_sse2(_mm_cmpeq_epi8(v, lf)) << shift;
  }
  return m;
}

inline PlainMasks classify_plain_simd(const char* block, char delimiter, bool need_cr) {
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i delim = _mm_set1_epi8(delimiter);
  const __m128i cr = _mm_set1_epi8('\r');
  const __m128i lf = _mm_set1_epi8('\n');
  __m128i v[4];
  __m128i quotes = _mm_setzero_si128();
  __m128i crs = _mm_setzero_si128();
  PlainMasks m;
  for (unsigned k = 0; k < 4; ++k) {
    v[k] = _mm_loadu_si128(reinterpret_cast<const __m128i*>(block + 16 * k));
    const __m128i is_cr = _mm_cmpeq_epi8(v[k], cr);
    const __m128i ends =
        _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v[k], delim), is_cr), _mm_cmpeq_epi8(v[k], lf));
    m.special |= movemask_sse2(ends) << (16 * k);
    m.lf |= movemask_sse2(_mm_cmpeq_epi8(v[k], lf)) << (16 * k);
    quotes = _mm_or_si128(quotes, _mm_cmpeq_epi8(v[k], quote));
    crs = _mm_or_si128(crs, is_cr);
  }
  m.quote = _mm_movemask_epi8(quotes) != 0;
  m.cr_asked = need_cr || _mm_movemask_epi8(crs) != 0;
  if (m.cr_asked) {
    for (unsigned k = 0; k < 4; ++k) m.cr |= movemask_sse2(_mm_cmpeq_epi8(v[k], cr)) << (16 * k);
  }
  return m;
}
#endif

}  // namespace scan_detail

// Classifies 64 readable bytes at `block`.
template <ScanKernel Kernel>
inline ByteClassMasks classify_block(const char* block, char delimiter) {
#ifdef KPILENS_SCAN_SIMD_KERNEL
  if constexpr (Kernel == KPILENS_SCAN_SIMD_KERNEL) {
    return scan_detail::classify_simd(block, delimiter);
  }
#endif
  static_assert(Kernel == ScanKernel::kScalar || Kernel == kBestScanKernel,
                "this kernel is not compiled into this build");
  return scan_detail::classify_scalar(block, delimiter);
}

// The same for PlainMasks: `need_cr` asks for cr even when the block has no CR.
template <ScanKernel Kernel>
KPILENS_ROW_PATH_INLINE PlainMasks classify_plain(const char* block, char delimiter, bool need_cr) {
#ifdef KPILENS_SCAN_SIMD_KERNEL
  if constexpr (Kernel == KPILENS_SCAN_SIMD_KERNEL) {
    return scan_detail::classify_plain_simd(block, delimiter, need_cr);
  }
#endif
  static_assert(Kernel == ScanKernel::kScalar || Kernel == kBestScanKernel,
                "this kernel is not compiled into this build");
  return scan_detail::classify_plain_scalar(block, delimiter, need_cr);
}

// Bit i of the result is the XOR of bits 0..i: with the quote mask, "inside quotes" (the opening
// quote included, the closing one not). A shift-XOR cascade rather than a carry-less multiply,
// which WebAssembly lacks, so that every kernel computes it the same way.
constexpr uint64_t prefix_xor(uint64_t bits) {
  bits ^= bits << 1;
  bits ^= bits << 2;
  bits ^= bits << 4;
  bits ^= bits << 8;
  bits ^= bits << 16;
  bits ^= bits << 32;
  return bits;
}

// One block seen in the context of the blocks before it.
struct ScannedBlock {
  ByteClassMasks raw;
  uint64_t in_quotes = 0;    // opening quote and what follows it, up to (not including) its closing
                             // quote
  uint64_t line_breaks = 0;  // one bit per physical line break, in or out of quotes: CR, and LF
                             // when not right after a CR (CRLF counts once, at its CR)
  uint64_t field_ends = 0;   // outside quotes: the delimiter, CR, LF not right after a CR
  uint64_t escapes = 0;      // the second quote of a "" pair inside a quoted field
  // Quotes that prefix-XOR parity reads differently from the decoder's state machine: a quote
  // inside an unquoted field (`a"b`, data to the state machine) and text after a closing quote
  // (`"a"b`, kept leniently). From the first such bit on, the parity says nothing about the record.
  uint64_t irregular = 0;
};

// Scans consecutive blocks, carrying the quote parity and the last byte's classes across them.
// Starts as if just after a line break outside quotes (a record start).
class BlockScanner {
 public:
  explicit BlockScanner(char delimiter) : delimiter_(delimiter) {}

  // Starts mid-file instead: after `previous_byte` (0: none), inside quotes or not. Only the quote
  // parity and line breaks are then exact; escapes and irregular quotes need a record start.
  BlockScanner(char delimiter, bool in_quotes, char previous_byte)
      : delimiter_(delimiter),
        carry_((uint64_t{in_quotes} << kInQuotes) | (uint64_t{previous_byte == '\r'} << kAfterCr)) {
  }

  // The next 64 bytes (all readable).
  template <ScanKernel Kernel>
  KPILENS_ROW_PATH_INLINE ScannedBlock scan(const char* block) {
    return derive(classify_block<Kernel>(block, delimiter_));
  }

  // The next 64 bytes, when they are the usual ones of an export: no quote among them, and the
  // block before ended outside quotes and not on a closing quote. Then scan() would find no
  // quotes, escapes or irregular quotes, and only its field ends and line breaks matter: sets
  // `field_ends` and `line_breaks` to them, carries the state on as scan() would, and returns
  // true, in fewer steps than scan(). Else returns false and changes nothing: scan() must take the
  // block.
  template <ScanKernel Kernel>
  KPILENS_ROW_PATH_INLINE bool scan_plain(const char* block, uint64_t& field_ends,
                                          uint64_t& line_breaks) {
    if ((((carry_ >> kInQuotes) | (carry_ >> kAfterClosing)) & 1) != 0) return false;
    const uint64_t prev_cr = (carry_ >> kAfterCr) & 1;
    const PlainMasks m = classify_plain<Kernel>(block, delimiter_, prev_cr != 0);
    if (m.quote) return false;
    // Outside quotes everywhere, the line breaks are what derive() makes them: an LF right after
    // a CR is not one (the delimiter is never CR or LF, so the classes do not overlap). Written
    // without a branch on cr_asked beyond this one, so that the masks are computed once.
    const uint64_t paired_lf = m.cr_asked ? m.lf & ((m.cr << 1) | prev_cr) : 0;
    field_ends = m.special & ~paired_lf;
    line_breaks = (m.cr | m.lf) & ~paired_lf;
    carry_ = ((m.cr >> 63) << kAfterCr) | ((~m.special >> 63) << kAfterPlain);
    return true;
  }

  // The next `size` (< 64) bytes, the last ones of the input: bits from `size` on are 0, and the
  // carried state is spent (nothing may be scanned after a tail).
  template <ScanKernel Kernel>
  ScannedBlock scan_tail(const char* bytes, size_t size) {
    char padded[kScanBlockBytes] = {};
    if (size > 0) std::memcpy(padded, bytes, size);
    // Zero bytes are neither a quote nor a line break; they could be the delimiter only if the
    // delimiter were NUL, which sniffing and the options never give, but mask them anyway.
    ByteClassMasks raw = classify_block<Kernel>(padded, delimiter_);
    const uint64_t valid = size >= kScanBlockBytes ? ~uint64_t{0} : (uint64_t{1} << size) - 1;
    raw.delimiter &= valid;
    ScannedBlock block = derive(raw);
    block.field_ends &= valid;
    block.irregular &= valid;
    return block;
  }

  // Runs the whole block arithmetic on given classes (the kernels differ only before this).
  ScannedBlock derive(const ByteClassMasks& raw) {
    ScannedBlock b;
    b.raw = raw;
    const uint64_t quote_carry = 0 - ((carry_ >> kInQuotes) & 1);  // all ones inside quotes
    b.in_quotes = prefix_xor(raw.quote) ^ quote_carry;
    const uint64_t outside = ~b.in_quotes;
    const uint64_t opening = raw.quote & b.in_quotes;
    const uint64_t closing = raw.quote & outside;
    const uint64_t special = raw.quote | raw.delimiter | raw.cr | raw.lf;
    const uint64_t plain_outside = outside & ~special;
    const uint64_t after_cr = (raw.cr << 1) | ((carry_ >> kAfterCr) & 1);
    const uint64_t after_closing = (closing << 1) | ((carry_ >> kAfterClosing) & 1);
    const uint64_t after_plain = (plain_outside << 1) | ((carry_ >> kAfterPlain) & 1);
    b.line_breaks = raw.cr | (raw.lf & ~after_cr);
    b.field_ends = (raw.delimiter | b.line_breaks) & outside;
    b.escapes = opening & after_closing;
    b.irregular = (opening & after_plain) | (plain_outside & after_closing);

    carry_ = ((raw.cr >> 63) << kAfterCr) | ((closing >> 63) << kAfterClosing) |
             ((plain_outside >> 63) << kAfterPlain) | ((b.in_quotes >> 63) << kInQuotes);
    return b;
  }

  bool in_quotes() const { return ((carry_ >> kInQuotes) & 1) != 0; }

 private:
  char delimiter_;
  // What the last byte scanned was, one bit each (at these positions), in one word: the decoder's
  // loop carries it from block to block, and in the wasm build each value it carries is a register
  // V8 may lack (and then stores and loads back every block).
  static constexpr unsigned kAfterCr = 0;       // a CR
  static constexpr unsigned kAfterClosing = 1;  // a closing quote
  static constexpr unsigned kAfterPlain = 2;    // neither special nor inside quotes
  static constexpr unsigned kInQuotes = 3;      // inside quotes
  uint64_t carry_ = 0;
};

// BlockScanner::scan out of line (csv_scanner.cpp): one copy for the readers of a range, run a few
// times a part, for the page's weight. (The decoder inlines scan_plain for its blocks without
// quotes and scan for its runs of blocks with quotes: an export that quotes every cell has nothing
// but those.)
template <ScanKernel Kernel>
ScannedBlock scan_block(BlockScanner& scanner, const char* block);

// Calls visit(const ScannedBlock&, size_t offset) for each 64-byte block of `bytes` (the last one
// partial), scanned in order with one BlockScanner.
template <ScanKernel Kernel, class Visit>
void scan_blocks(std::string_view bytes, char delimiter, Visit&& visit) {
  BlockScanner scanner(delimiter);
  size_t at = 0;
  for (; at + kScanBlockBytes <= bytes.size(); at += kScanBlockBytes) {
    visit(scanner.scan<Kernel>(bytes.data() + at), at);
  }
  if (at < bytes.size()) visit(scanner.scan_tail<Kernel>(bytes.data() + at, bytes.size() - at), at);
}

// For a parallel reader: the quotes and physical line breaks of a byte range (a CRLF counts once;
// `previous_byte` is the byte before the range, or 0 at the file's start, so that a CRLF pair
// straddling two ranges is counted in the first one only).
struct QuoteLineCount {
  uint64_t quotes = 0;
  uint64_t line_breaks = 0;
};
QuoteLineCount count_quotes_and_line_breaks(std::string_view bytes, char previous_byte,
                                            ScanKernel kernel = kBestScanKernel);

// For a parallel reader: the offset in `bytes` of the first record start at or after its beginning
// — the byte just past a line break outside quotes (past the LF of a CRLF) — given whether the
// range begins inside quotes and the byte before it (0 at the file's start). npos when none lies in
// the range: a line break at its very end starts a record in the next range, found there.
size_t find_record_start(std::string_view bytes, bool in_quotes_at_start, char previous_byte,
                         ScanKernel kernel = kBestScanKernel);

// For a parallel reader that does not know the quote state where its range begins (no pre-pass over
// the bytes before it): the first record start in `bytes`, under the quote state that makes the
// records after it look like the file's — `fields` fields separated by `delimiter` — over the first
// few records each hypothesis gives (ties: outside quotes, by far the usual case). npos when
// neither hypothesis finds a record start in `bytes`. A guess: the reader of the range before
// checks it (it must end its range exactly at a record start).
size_t guess_record_start(std::string_view bytes, char previous_byte, char delimiter,
                          size_t fields);

}  // namespace kpilens
