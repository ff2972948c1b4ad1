// csv_scanner_fuzz: every compiled kernel of the CSV scanner against the scalar reference on
// fuzzer-chosen bytes at a fuzzer-chosen alignment: the block masks bit for bit, the quick scan of
// blocks without quotes (scan_plain) against the full scan, and the parallel reader's primitives
// (quote and line-break counts, first record start) against naive loops.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "csv_scanner.h"
#include "fuzz_input.h"

namespace {

using kpilens::ScanKernel;
using kpilens::ScannedBlock;

template <ScanKernel Kernel>
std::vector<uint64_t> masks_of(std::string_view bytes, char delimiter) {
  std::vector<uint64_t> masks;
  kpilens::scan_blocks<Kernel>(bytes, delimiter, [&](const ScannedBlock& b, size_t) {
    for (uint64_t m : {b.raw.quote, b.raw.delimiter, b.raw.cr, b.raw.lf, b.in_quotes, b.line_breaks,
                       b.field_ends, b.escapes, b.irregular}) {
      masks.push_back(m);
    }
  });
  return masks;
}

// Every block of `bytes` (the last one padded with zeros) by scan_plain() where it takes it, beside
// scan() on every block: scan_plain()'s field ends and line breaks are scan()'s, on a block scan()
// finds no quote in; where it declines, scan() gives both scanners the same block.
template <ScanKernel Kernel>
void check_scan_plain(std::string_view bytes, char delimiter) {
  kpilens::BlockScanner full(delimiter);
  kpilens::BlockScanner mixed(delimiter);
  bool prev_closing = false;
  for (size_t at = 0; at < bytes.size(); at += 64) {
    char block[64] = {};
    std::memcpy(block, bytes.data() + at, std::min<size_t>(64, bytes.size() - at));
    const bool was_in_quotes = full.in_quotes();
    const ScannedBlock expected = full.scan<Kernel>(block);
    uint64_t ends = 0;
    uint64_t lines = 0;
    if (mixed.scan_plain<Kernel>(block, ends, lines)) {
      KPILENS_FUZZ_CHECK(expected.raw.quote == 0 && expected.in_quotes == 0);
      KPILENS_FUZZ_CHECK(expected.escapes == 0 && expected.irregular == 0);
      KPILENS_FUZZ_CHECK(ends == expected.field_ends && lines == expected.line_breaks);
    } else {
      KPILENS_FUZZ_CHECK(expected.raw.quote != 0 || was_in_quotes || prev_closing);
      const ScannedBlock again = mixed.scan<Kernel>(block);
      KPILENS_FUZZ_CHECK(std::memcmp(&again, &expected, sizeof again) == 0);
    }
    prev_closing = ((expected.raw.quote & ~expected.in_quotes) >> 63) != 0;
  }
}

kpilens::QuoteLineCount naive_count(std::string_view bytes, char previous_byte) {
  kpilens::QuoteLineCount count;
  char prev = previous_byte;
  for (char c : bytes) {
    count.quotes += (c == '"');
    count.line_breaks += (c == '\r' || (c == '\n' && prev != '\r'));
    prev = c;
  }
  return count;
}

size_t naive_record_start(std::string_view bytes, bool in_quotes, char previous_byte) {
  bool inside = in_quotes;
  char prev = previous_byte;
  bool prev_inside = in_quotes;
  for (size_t i = 0; i < bytes.size(); ++i) {
    const char c = bytes[i];
    if (!prev_inside && (prev == '\n' || (prev == '\r' && c != '\n'))) return i;
    if (c == '"') inside = !inside;
    prev = c;
    prev_inside = inside;
  }
  return std::string_view::npos;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  kpilens::fuzz::FuzzInput input(data, size);
  // Option bytes: the delimiter (one of four), whether the range starts inside quotes (bit 2), the
  // byte before the range (one of six), and the alignment of the copy that is scanned (0–63).
  const uint8_t settings = input.byte();
  const uint8_t alignment = input.byte() & 63;
  const char delimiter = ",;\t|"[settings & 3];
  const bool in_quotes = (settings & 4) != 0;
  const char previous_byte = std::string_view("\0\r\n\"a,", 6)[(settings >> 3) % 6];
  const std::string_view payload = input.rest();

  std::vector<char> buffer(payload.size() + 64);
  if (!payload.empty()) std::memcpy(buffer.data() + alignment, payload.data(), payload.size());
  const std::string_view bytes(buffer.data() + alignment, payload.size());

  const kpilens::QuoteLineCount expected_count = naive_count(bytes, previous_byte);
  const size_t expected_start = naive_record_start(bytes, in_quotes, previous_byte);
  const std::vector<uint64_t> reference = masks_of<ScanKernel::kScalar>(bytes, delimiter);
  KPILENS_FUZZ_CHECK(reference.size() == 9 * ((bytes.size() + 63) / 64));
  KPILENS_FUZZ_CHECK(masks_of<kpilens::kBestScanKernel>(bytes, delimiter) == reference);
  check_scan_plain<ScanKernel::kScalar>(bytes, delimiter);
  check_scan_plain<kpilens::kBestScanKernel>(bytes, delimiter);
  for (ScanKernel kernel : kpilens::compiled_scan_kernels()) {
    const kpilens::QuoteLineCount count =
        kpilens::count_quotes_and_line_breaks(bytes, previous_byte, kernel);
    KPILENS_FUZZ_CHECK(count.quotes == expected_count.quotes);
    KPILENS_FUZZ_CHECK(count.line_breaks == expected_count.line_breaks);
    KPILENS_FUZZ_CHECK(kpilens::find_record_start(bytes, in_quotes, previous_byte, kernel) ==
                       expected_start);
  }
  return 0;
}
