// csv_scanner tests: the block masks of every compiled kernel against a byte-by-byte model written
// here (random inputs over a small alphabet, every length 0–200 at every alignment, long runs), and
// the parallel reader's primitives against naive counts.
#include "csv_scanner.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstring>
#include <random>
#include <string>
#include <string_view>
#include <vector>

using kpilens::BlockScanner;
using kpilens::compiled_scan_kernels;
using kpilens::count_quotes_and_line_breaks;
using kpilens::find_record_start;
using kpilens::guess_record_start;
using kpilens::prefix_xor;
using kpilens::QuoteLineCount;
using kpilens::ScanKernel;
using kpilens::ScannedBlock;

namespace {

// The masks of a whole input, one entry per 64-byte block, as a kernel computes them.
struct Masks {
  std::vector<uint64_t> quote, delimiter, cr, lf, in_quotes, line_breaks, field_ends, escapes,
      irregular;
  bool operator==(const Masks&) const = default;
};

void push(Masks& m, const ScannedBlock& b) {
  m.quote.push_back(b.raw.quote);
  m.delimiter.push_back(b.raw.delimiter);
  m.cr.push_back(b.raw.cr);
  m.lf.push_back(b.raw.lf);
  m.in_quotes.push_back(b.in_quotes);
  m.line_breaks.push_back(b.line_breaks);
  m.field_ends.push_back(b.field_ends);
  m.escapes.push_back(b.escapes);
  m.irregular.push_back(b.irregular);
}

Masks scan_with(ScanKernel kernel, std::string_view bytes, char delimiter) {
  Masks m;
  auto visit = [&](const ScannedBlock& b, size_t) { push(m, b); };
  if (kernel == ScanKernel::kScalar) {
    kpilens::scan_blocks<ScanKernel::kScalar>(bytes, delimiter, visit);
  } else {
    REQUIRE(kernel == kpilens::kBestScanKernel);
    kpilens::scan_blocks<kpilens::kBestScanKernel>(bytes, delimiter, visit);
  }
  return m;
}

// The same masks from a byte-by-byte reading of their definitions (csv_scanner.h), written without
// any bit trick: a quote toggles "inside quotes" and is itself inside when it opens; a line break
// is a CR, or an LF not right after a CR; an escape is an opening quote right after a closing one;
// an irregular byte is an opening quote right after plain text outside quotes, or plain text
// outside quotes right after a closing quote. The input starts as if after a line break.
Masks model(std::string_view bytes, char delimiter) {
  Masks m;
  const size_t blocks = (bytes.size() + 63) / 64;
  for (auto* v : {&m.quote, &m.delimiter, &m.cr, &m.lf, &m.in_quotes, &m.line_breaks, &m.field_ends,
                  &m.escapes, &m.irregular}) {
    v->assign(blocks, 0);
  }
  bool inside = false;
  bool prev_cr = false, prev_closing = false, prev_plain = false;
  for (size_t i = 0; i < bytes.size(); ++i) {
    const char c = bytes[i];
    const bool quote = c == '"';
    if (quote) inside = !inside;
    const bool opening = quote && inside;
    const bool closing = quote && !inside;
    const bool special = quote || c == delimiter || c == '\r' || c == '\n';
    const bool plain_outside = !inside && !special;
    const bool line_break = c == '\r' || (c == '\n' && !prev_cr);
    auto set = [&](std::vector<uint64_t>& v, bool on) {
      if (on) v[i / 64] |= uint64_t{1} << (i % 64);
    };
    set(m.quote, quote);
    set(m.delimiter, c == delimiter);
    set(m.cr, c == '\r');
    set(m.lf, c == '\n');
    set(m.in_quotes, inside);
    set(m.line_breaks, line_break);
    set(m.field_ends, !inside && (c == delimiter || line_break));
    set(m.escapes, opening && prev_closing);
    set(m.irregular, (opening && prev_plain) || (plain_outside && prev_closing));
    prev_cr = c == '\r';
    prev_closing = closing;
    prev_plain = plain_outside;
  }
  // Past the end of the input (the last block's padding) only in_quotes may be set: it stays as
  // the last byte left it.
  if (inside && bytes.size() % 64 != 0) {
    m.in_quotes.back() |= ~((uint64_t{1} << (bytes.size() % 64)) - 1);
  }
  return m;
}

constexpr std::string_view kAlphabet[] = {"\"", ",", ";", "\t",       "\r",
                                          "\n", "a", "Z", "\xC3\xA9", "\xE2\x82\xAC"};

std::string random_text(std::mt19937& rng, size_t size) {
  std::string text;
  while (text.size() < size) text += kAlphabet[rng() % std::size(kAlphabet)];
  text.resize(size);  // may cut a UTF-8 sequence: the scanner must not care
  return text;
}

// Runs of one piece, each 1–300 long: quote runs of odd and even length, long unquoted text,
// long line-break runs, all crossing block boundaries.
std::string random_runs(std::mt19937& rng, size_t size) {
  std::string text;
  while (text.size() < size) {
    std::string_view piece = kAlphabet[rng() % std::size(kAlphabet)];
    for (size_t n = 1 + rng() % 300; n > 0; --n) text += piece;
  }
  text.resize(size);
  return text;
}

// Text whose blocks are mostly without quotes, as an export's: fields, delimiters, LF or CRLF line
// breaks, and a quoted field now and then (some with "" and line breaks inside, some irregular).
std::string random_export_like(std::mt19937& rng, size_t size, char delimiter) {
  constexpr std::string_view kQuoted[] = {
      "\"a,b\"", "\"say \"\"hi\"\"\"", "\"two\nlines\"", "\"x\"y", "a\"b", "\"\"", "\"\r\n\""};
  std::string text;
  while (text.size() < size) {
    const unsigned pick = rng() % 100;
    if (pick < 3) {
      text += kQuoted[rng() % std::size(kQuoted)];
    } else if (pick < 10) {
      text += rng() % 3 == 0 ? "\r\n" : (rng() % 2 == 0 ? "\n" : "\r");
    } else if (pick < 40) {
      text += delimiter;
    } else {
      text.append(1 + rng() % 12, static_cast<char>('a' + rng() % 26));
    }
  }
  text.resize(size);
  return text;
}

// Scans `bytes` twice, block by block (the last one padded with zeros): with scan() alone, and with
// scan_plain() where it takes a block and scan() where it does not. Where scan_plain() takes one,
// its field ends and line breaks must be scan()'s, and scan() must find no quote in the block;
// where it declines, the block must hold a quote or follow one left open or closing on its last
// byte, and scan() must then give the same block on both scanners (their carried state is the
// same). Returns how many blocks scan_plain() took.
template <ScanKernel Kernel>
size_t check_scan_plain(std::string_view bytes, char delimiter) {
  BlockScanner full(delimiter);
  BlockScanner mixed(delimiter);
  size_t taken = 0;
  bool prev_closing = false;
  for (size_t at = 0; at < bytes.size(); at += 64) {
    char block[64] = {};
    std::memcpy(block, bytes.data() + at, std::min<size_t>(64, bytes.size() - at));
    const bool was_in_quotes = full.in_quotes();
    const ScannedBlock expected = full.scan<Kernel>(block);
    uint64_t ends = 0;
    uint64_t lines = 0;
    INFO("block at " << at);
    if (mixed.scan_plain<Kernel>(block, ends, lines)) {
      ++taken;
      REQUIRE(expected.raw.quote == 0);
      REQUIRE(expected.in_quotes == 0);
      REQUIRE(expected.escapes == 0);
      REQUIRE(expected.irregular == 0);
      REQUIRE(ends == expected.field_ends);
      REQUIRE(lines == expected.line_breaks);
    } else {
      REQUIRE((expected.raw.quote != 0 || was_in_quotes || prev_closing));
      Masks a, b;
      push(a, expected);
      push(b, mixed.scan<Kernel>(block));
      REQUIRE(a == b);
    }
    prev_closing = ((expected.raw.quote & ~expected.in_quotes) >> 63) != 0;
  }
  return taken;
}

char random_delimiter(std::mt19937& rng) {
  return std::string_view(",;\t|")[rng() % 4];
}

// Line breaks as the decoder counts them, one byte at a time.
QuoteLineCount naive_count(std::string_view bytes, char previous_byte) {
  QuoteLineCount count;
  char prev = previous_byte;
  for (char c : bytes) {
    count.quotes += (c == '"');
    count.line_breaks += (c == '\r' || (c == '\n' && prev != '\r'));
    prev = c;
  }
  return count;
}

// The first i at which a record starts: byte i-1 (or the previous byte) is an LF outside quotes,
// or a CR outside quotes that byte i does not pair with; i must lie inside the range.
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

TEST_CASE("Prefix XOR sets the bits from each opening quote up to its closing quote",
          "[csv_scanner]") {
  // Quotes at bits 1 and 4: bits 1, 2, 3 are inside (the opening quote too, not the closing one).
  CHECK(prefix_xor(0b10010) == 0b01110);
  // An odd count leaves every bit from the last quote up inside.
  CHECK(prefix_xor(uint64_t{1} << 60) == ~((uint64_t{1} << 60) - 1));
  CHECK(prefix_xor(0) == 0);
}

TEST_CASE("The scanner marks quotes, field ends, escapes and irregular quotes of a short record",
          "[csv_scanner]") {
  const std::string text = "a,\"b,\"\"c\"\r\nd\"e,\"f\"g";
  // Bytes: 0 a, 1 ',', 2 '"' opens, 3 b, 4 ',' (quoted), 5 '"' closes, 6 '"' reopens right after a
  // closing quote (an escape), 7 c, 8 '"' closes, 9 CR, 10 LF (after a CR: no line break of its
  // own), 11 d, 12 '"' opens right after plain text (irregular), 13 e, 14 ',' (inside, by parity),
  // 15 '"' closes, 16 f right after a closing quote (irregular), 17 '"' opens right after plain
  // text (irregular), 18 g inside; the parity stays inside through the block's padding.
  for (ScanKernel kernel : compiled_scan_kernels()) {
    INFO("kernel " << kpilens::scan_kernel_name(kernel));
    Masks m = scan_with(kernel, text, ',');
    REQUIRE(m.quote.size() == 1);
    auto bits = [](std::initializer_list<int> positions) {
      uint64_t v = 0;
      for (int p : positions) v |= uint64_t{1} << p;
      return v;
    };
    CHECK(m.quote[0] == bits({2, 5, 6, 8, 12, 15, 17}));
    CHECK(m.in_quotes[0] == (bits({2, 3, 4, 6, 7, 12, 13, 14}) | ~((uint64_t{1} << 17) - 1)));
    CHECK(m.line_breaks[0] == bits({9}));
    CHECK(m.field_ends[0] == bits({1, 9}));
    CHECK(m.escapes[0] == bits({6}));
    CHECK(m.irregular[0] == bits({12, 16, 17}));
  }
}

TEST_CASE(
    "Every scan kernel gives the byte model's masks for every length up to 200 at every "
    "alignment",
    "[csv_scanner]") {
  std::mt19937 rng(6001);
  std::string buffer(64 + 200, '\0');
  for (size_t length = 0; length <= 200; ++length) {
    for (size_t align = 0; align < 64; ++align) {
      const std::string text = random_text(rng, length);
      buffer.replace(align, length, text);
      const std::string_view bytes(buffer.data() + align, length);
      const char delimiter = random_delimiter(rng);
      const Masks expected = model(bytes, delimiter);
      for (ScanKernel kernel : compiled_scan_kernels()) {
        INFO("kernel " << kpilens::scan_kernel_name(kernel) << ", length " << length << ", align "
                       << align);
        REQUIRE(scan_with(kernel, bytes, delimiter) == expected);
      }
    }
  }
}

TEST_CASE("Every scan kernel gives the byte model's masks on long inputs of runs",
          "[csv_scanner]") {
  std::mt19937 rng(6002);
  for (int round = 0; round < 40; ++round) {
    const size_t length = 1000 + rng() % 20000;
    const std::string text = round % 2 == 0 ? random_runs(rng, length) : random_text(rng, length);
    const char delimiter = random_delimiter(rng);
    const Masks expected = model(text, delimiter);
    for (ScanKernel kernel : compiled_scan_kernels()) {
      INFO("kernel " << kpilens::scan_kernel_name(kernel) << ", round " << round);
      REQUIRE(scan_with(kernel, text, delimiter) == expected);
    }
  }
}

TEST_CASE("The quick scan of a block without quotes gives the full scan's field ends and state",
          "[csv_scanner]") {
  std::mt19937 rng(6003);
  size_t taken = 0;
  size_t blocks = 0;
  for (int round = 0; round < 300; ++round) {
    const char delimiter = random_delimiter(rng);
    const size_t length = rng() % 5000;
    std::string text;
    switch (round % 3) {
      case 0:
        text = random_export_like(rng, length, delimiter);
        break;
      case 1:
        text = random_text(rng, length);
        break;
      default:
        text = random_runs(rng, length);
        break;
    }
    for (ScanKernel kernel : compiled_scan_kernels()) {
      INFO("kernel " << kpilens::scan_kernel_name(kernel) << ", round " << round);
      taken += kernel == ScanKernel::kScalar
                   ? check_scan_plain<ScanKernel::kScalar>(text, delimiter)
                   : check_scan_plain<kpilens::kBestScanKernel>(text, delimiter);
      blocks += (text.size() + 63) / 64;
    }
  }
  // Both kinds of block were met, many times.
  CHECK(taken > blocks / 4);
  CHECK(taken < blocks * 3 / 4);
}

TEST_CASE("Quotes and line breaks of a range are counted as the decoder counts them",
          "[csv_scanner]") {
  // "a\r\nb\rc\n" + "\"" : CRLF, CR, LF are three line breaks; one quote.
  for (ScanKernel kernel : compiled_scan_kernels()) {
    INFO("kernel " << kpilens::scan_kernel_name(kernel));
    QuoteLineCount count = count_quotes_and_line_breaks("a\r\nb\rc\n\"", 0, kernel);
    CHECK(count.quotes == 1);
    CHECK(count.line_breaks == 3);
    // A range that opens with the LF of a CRLF begun in the range before: that LF is not counted.
    CHECK(count_quotes_and_line_breaks("\nx\n", '\r', kernel).line_breaks == 1);
    CHECK(count_quotes_and_line_breaks("\nx\n", 'a', kernel).line_breaks == 2);
  }
}

TEST_CASE("Quote and line break counts of ranges add up to the whole, wherever the cuts fall",
          "[csv_scanner]") {
  std::mt19937 rng(6003);
  for (int round = 0; round < 300; ++round) {
    const std::string text =
        round % 3 == 0 ? random_runs(rng, rng() % 600) : random_text(rng, rng() % 600);
    const QuoteLineCount whole = naive_count(text, 0);
    for (ScanKernel kernel : compiled_scan_kernels()) {
      INFO("kernel " << kpilens::scan_kernel_name(kernel) << ", round " << round);
      const QuoteLineCount all = count_quotes_and_line_breaks(text, 0, kernel);
      CHECK(all.quotes == whole.quotes);
      CHECK(all.line_breaks == whole.line_breaks);
      // Three ranges, the previous byte handed over at each cut.
      size_t a = text.empty() ? 0 : rng() % (text.size() + 1);
      size_t b = text.empty() ? 0 : rng() % (text.size() + 1);
      if (a > b) std::swap(a, b);
      const std::string_view t = text;
      QuoteLineCount sum;
      size_t from = 0;
      for (size_t to : {a, b, text.size()}) {
        const char previous = from == 0 ? 0 : t[from - 1];
        const QuoteLineCount part =
            count_quotes_and_line_breaks(t.substr(from, to - from), previous, kernel);
        const QuoteLineCount naive = naive_count(t.substr(from, to - from), previous);
        CHECK(part.quotes == naive.quotes);
        CHECK(part.line_breaks == naive.line_breaks);
        sum.quotes += part.quotes;
        sum.line_breaks += part.line_breaks;
        from = to;
      }
      CHECK(sum.quotes == whole.quotes);
      CHECK(sum.line_breaks == whole.line_breaks);
    }
  }
}

TEST_CASE("The first record start of a range lies just past a line break outside quotes",
          "[csv_scanner]") {
  for (ScanKernel kernel : compiled_scan_kernels()) {
    INFO("kernel " << kpilens::scan_kernel_name(kernel));
    // "x\"a\nb\"\nz": the LF at 3 is inside quotes; the one at 6 is not, so the record starts at 7.
    CHECK(find_record_start("x\"a\nb\"\nz", false, 'q', kernel) == 7);
    // The same bytes read as starting inside quotes: the LF at 3 is outside, so 4.
    CHECK(find_record_start("x\"a\nb\"\nz", true, 'q', kernel) == 4);
    // After a CRLF the record starts past the LF, also when the CR ends the range before.
    CHECK(find_record_start("ab\r\ncd", false, 0, kernel) == 4);
    CHECK(find_record_start("\ncd", false, '\r', kernel) == 1);
    CHECK(find_record_start("cd", false, '\r', kernel) == 0);
    CHECK(find_record_start("cd", false, '\n', kernel) == 0);
    CHECK(find_record_start("cd", true, '\n', kernel) == std::string_view::npos);
    // A line break that ends the range starts a record only in the next range.
    CHECK(find_record_start("abc\n", false, 0, kernel) == std::string_view::npos);
    CHECK(find_record_start("abc\r", false, 0, kernel) == std::string_view::npos);
    CHECK(find_record_start("", false, '\n', kernel) == std::string_view::npos);
  }
}

TEST_CASE("The first record start of a range equals a naive search on random ranges",
          "[csv_scanner]") {
  std::mt19937 rng(6004);
  const std::string previous_bytes = std::string("\r\n\"a,") + '\0';
  for (int round = 0; round < 3000; ++round) {
    const size_t length = round < 2000 ? rng() % 200 : rng() % 5000;
    const std::string text = round % 2 == 0 ? random_text(rng, length) : random_runs(rng, length);
    const bool in_quotes = rng() % 2 == 0;
    const char previous = previous_bytes[rng() % previous_bytes.size()];
    const size_t expected = naive_record_start(text, in_quotes, previous);
    for (ScanKernel kernel : compiled_scan_kernels()) {
      INFO("kernel " << kpilens::scan_kernel_name(kernel) << ", round " << round);
      REQUIRE(find_record_start(text, in_quotes, previous, kernel) == expected);
    }
  }
}

TEST_CASE("A guessed record start is the true one when the range begins inside or outside quotes",
          "[scanner]") {
  // Three columns; the cut lands inside a quoted field holding a line break and a comma, so the
  // first line break past it is no record start.
  const std::string inside = "with, a break\nstill quoted\",3\n4,x,5\n6,\"y\",7\n8,z,9\n";
  CHECK(guess_record_start(inside, 'a', ',', 3) == inside.find("4,x"));
  // The same rows cut outside quotes: the next line.
  const std::string outside = "1,2,3\n4,\"x\ny, z\",5\n6,y,7\n8,\"z\",9\n";
  CHECK(guess_record_start(outside.substr(2), '1', ',', 3) == outside.find("4,\"x") - 2);
  // No quote at all: the hypothesis "inside quotes" finds no record start.
  CHECK(guess_record_start("b,c\nd,e,f\n", 'a', ',', 3) == 4);
  // No line break: none.
  CHECK(guess_record_start("abc,def", 'x', ',', 3) == std::string_view::npos);
  // Past a CR of a CRLF (the previous byte): the LF ends that record; the next one starts after it.
  CHECK(guess_record_start("\n1,2,3\r\n", '\r', ',', 3) == 1);
}

TEST_CASE("Guessed record starts in generated quoted exports are the true ones", "[scanner]") {
  // Rows with multi-line quoted fields holding commas and "" escapes: ~half the bytes lie inside
  // quotes. At every 97th byte, the guess over the next 64 KiB must be the record start that an
  // exact quote count from the file's start gives.
  std::mt19937_64 rng(17);
  std::string text = "id,subject,body,score\n";
  for (int i = 0; i < 3000; ++i) {
    text += std::to_string(i) + ",";
    text += (rng() % 2) ? "\"Re: order " + std::to_string(i) + ", again\"" : "plain";
    text += ",\"Hello,\nline two \"\"quoted\"\"";
    for (uint64_t k = rng() % 4; k > 0; --k) text += "\nmore, text";
    text += "\"," + std::to_string(rng() % 5) + "\n";
  }
  int checked = 0;
  for (size_t at = 1; at + 1 < text.size(); at += 97) {
    const bool quoted =
        count_quotes_and_line_breaks(std::string_view(text).substr(0, at), 0).quotes % 2 != 0;
    const std::string_view rest = std::string_view(text).substr(at, 64 << 10);
    const size_t exact = find_record_start(rest, quoted, text[at - 1]);
    if (exact == std::string_view::npos) continue;
    INFO("cut at " << at);
    CHECK(guess_record_start(rest, text[at - 1], ',', 4) == exact);
    ++checked;
  }
  CHECK(checked > 1000);
}
