// csv_scanner: the kernel list and the range primitives of a parallel reader. The block arithmetic
// lives in the header so that the decoder's loop inlines it.
#include "csv_scanner.h"

#include <array>

namespace kpilens {

namespace {

#ifdef KPILENS_SCAN_SIMD_KERNEL
constexpr std::array<ScanKernel, 2> kCompiledKernels{ScanKernel::kScalar, kBestScanKernel};
#else
constexpr std::array<ScanKernel, 1> kCompiledKernels{ScanKernel::kScalar};
#endif

// Calls body.template operator()<Kernel>() with `kernel` as a template argument; a kernel that is
// not compiled in falls back to the scalar one.
template <class Body>
auto with_kernel(ScanKernel kernel, Body&& body) {
#ifdef KPILENS_SCAN_SIMD_KERNEL
  if (kernel == kBestScanKernel) return body.template operator()<kBestScanKernel>();
#endif
  (void)kernel;
  return body.template operator()<ScanKernel::kScalar>();
}

template <ScanKernel Kernel>
QuoteLineCount count_quotes_and_line_breaks_with(std::string_view bytes, char previous_byte) {
  QuoteLineCount count;
  BlockScanner scanner(',', false, previous_byte);
  size_t at = 0;
  for (; at + kScanBlockBytes <= bytes.size(); at += kScanBlockBytes) {
    const ScannedBlock block = scan_block<Kernel>(scanner, bytes.data() + at);
    count.quotes += static_cast<uint64_t>(__builtin_popcountll(block.raw.quote));
    count.line_breaks += static_cast<uint64_t>(__builtin_popcountll(block.line_breaks));
  }
  if (at < bytes.size()) {
    const ScannedBlock block = scanner.scan_tail<Kernel>(bytes.data() + at, bytes.size() - at);
    count.quotes += static_cast<uint64_t>(__builtin_popcountll(block.raw.quote));
    count.line_breaks += static_cast<uint64_t>(__builtin_popcountll(block.line_breaks));
  }
  return count;
}

template <ScanKernel Kernel>
size_t find_record_start_with(std::string_view bytes, bool in_quotes_at_start, char previous_byte) {
  BlockScanner scanner(',', in_quotes_at_start, previous_byte);
  // A record starts at byte i when byte i-1 is an LF outside quotes, or a CR outside quotes that
  // byte i does not pair with (an LF).
  uint64_t after_lf = (!in_quotes_at_start && previous_byte == '\n') ? 1 : 0;
  uint64_t after_cr = (!in_quotes_at_start && previous_byte == '\r') ? 1 : 0;
  for (size_t at = 0; at < bytes.size(); at += kScanBlockBytes) {
    const size_t size = std::min(kScanBlockBytes, bytes.size() - at);
    const ScannedBlock block = size == kScanBlockBytes
                                   ? scan_block<Kernel>(scanner, bytes.data() + at)
                                   : scanner.scan_tail<Kernel>(bytes.data() + at, size);
    const uint64_t lf_outside = block.raw.lf & ~block.in_quotes;
    const uint64_t cr_outside = block.raw.cr & ~block.in_quotes;
    uint64_t starts =
        ((lf_outside << 1) | after_lf) | (((cr_outside << 1) | after_cr) & ~block.raw.lf);
    if (size < kScanBlockBytes) starts &= (uint64_t{1} << size) - 1;
    if (starts != 0) return at + static_cast<size_t>(__builtin_ctzll(starts));
    after_lf = lf_outside >> 63;
    after_cr = cr_outside >> 63;
  }
  return std::string_view::npos;
}

// How many of the first kGuessRecords records from `start` (a record start) have `fields` fields;
// only records that end inside `bytes` count.
constexpr int kGuessRecords = 8;

int records_with_field_count(std::string_view bytes, size_t start, char delimiter, size_t fields) {
  int matching = 0;
  int seen = 0;
  bool quoted = false;
  size_t delimiters = 0;
  for (size_t at = start; at < bytes.size() && seen < kGuessRecords; ++at) {
    const char c = bytes[at];
    if (c == '"') {
      quoted = !quoted;
    } else if (quoted) {
      continue;
    } else if (c == delimiter) {
      ++delimiters;
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && at + 1 < bytes.size() && bytes[at + 1] == '\n') ++at;
      ++seen;
      if (delimiters + 1 == fields) ++matching;
      delimiters = 0;
    }
  }
  return matching;
}

}  // namespace

template <ScanKernel Kernel>
[[gnu::noinline]] ScannedBlock scan_block(BlockScanner& scanner, const char* block) {
  return scanner.scan<Kernel>(block);
}

template ScannedBlock scan_block<ScanKernel::kScalar>(BlockScanner&, const char*);
#ifdef KPILENS_SCAN_SIMD_KERNEL
template ScannedBlock scan_block<kBestScanKernel>(BlockScanner&, const char*);
#endif

std::span<const ScanKernel> compiled_scan_kernels() {
  return kCompiledKernels;
}

std::string_view scan_kernel_name(ScanKernel kernel) {
  switch (kernel) {
    case ScanKernel::kScalar:
      return "scalar";
    case ScanKernel::kSse2:
      return "sse2";
    case ScanKernel::kWasmSimd128:
      return "wasm-simd128";
  }
  return "unknown";
}

QuoteLineCount count_quotes_and_line_breaks(std::string_view bytes, char previous_byte,
                                            ScanKernel kernel) {
  return with_kernel(kernel, [&]<ScanKernel K>() {
    return count_quotes_and_line_breaks_with<K>(bytes, previous_byte);
  });
}

size_t find_record_start(std::string_view bytes, bool in_quotes_at_start, char previous_byte,
                         ScanKernel kernel) {
  return with_kernel(kernel, [&]<ScanKernel K>() {
    return find_record_start_with<K>(bytes, in_quotes_at_start, previous_byte);
  });
}

size_t guess_record_start(std::string_view bytes, char previous_byte, char delimiter,
                          size_t fields) {
  const size_t outside = find_record_start(bytes, false, previous_byte);
  const size_t inside = find_record_start(bytes, true, previous_byte);
  if (outside == std::string_view::npos || inside == std::string_view::npos) {
    return outside == std::string_view::npos ? inside : outside;
  }
  return records_with_field_count(bytes, inside, delimiter, fields) >
                 records_with_field_count(bytes, outside, delimiter, fields)
             ? inside
             : outside;
}

}  // namespace kpilens
