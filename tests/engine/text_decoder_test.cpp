// text_decoder tests: each encoding whole and in every chunk size, BOMs split across chunks and
// short files, the switch to windows-1252 and its table, U+FFFD and its offset, UTF-16 surrogates,
// BOM-less UTF-16 against binary look-alikes, the zero-copy UTF-8 path, and a seeded fuzz checked
// against simdjson's UTF-8 validator. UTF-16 inputs are made here by a small encoder of the test's
// own, never by the decoder under test.
#include "text_decoder.h"

#include <simdjson.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <random>
#include <string>
#include <string_view>
#include <vector>

using kpilens::encoding_name;
using kpilens::TextDecoder;
using kpilens::TextEncoding;
using namespace std::string_literals;

namespace {

// Everything the decoder said, copied out of the sink calls (the views die with the call).
struct Decoded {
  std::string text;
  std::vector<std::string> pieces;  // one per sink call
  TextEncoding encoding = TextEncoding::kUtf8;
  uint64_t replaced = 0;
  uint64_t first_replaced_offset = 0;
  uint64_t bytes_in = 0;
};

// Feeds `input` in pieces of `chunk` bytes (0: all at once), then finishes.
Decoded decode(std::string_view input, size_t chunk = 0) {
  Decoded result;
  TextDecoder decoder;
  auto sink = [&result](std::string_view utf8) {
    result.text.append(utf8);
    result.pieces.emplace_back(utf8);
  };
  if (chunk == 0) chunk = std::max<size_t>(input.size(), 1);
  for (size_t at = 0; at < input.size(); at += chunk) decoder.decode(input.substr(at, chunk), sink);
  decoder.finish(sink);
  result.encoding = decoder.encoding();
  result.replaced = decoder.replaced();
  result.first_replaced_offset = decoder.first_replaced_offset();
  result.bytes_in = decoder.bytes_in();
  return result;
}

// Code points of valid UTF-8 (test input only, so no validation).
std::u32string code_points(std::string_view utf8) {
  std::u32string result;
  for (size_t i = 0; i < utf8.size();) {
    const auto lead = static_cast<unsigned char>(utf8[i]);
    const size_t length = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
    char32_t code_point = length == 1 ? lead : lead & (0x7F >> length);
    for (size_t k = 1; k < length; ++k) code_point = (code_point << 6) | (utf8[i + k] & 0x3F);
    result.push_back(code_point);
    i += length;
  }
  return result;
}

enum class Order { kLittle, kBig };

std::string utf16_units(std::u16string_view units, Order order) {
  std::string bytes;
  for (char16_t unit : units) {
    const char high = static_cast<char>(unit >> 8);
    const char low = static_cast<char>(unit & 0xFF);
    bytes += order == Order::kLittle ? std::string{low, high} : std::string{high, low};
  }
  return bytes;
}

// UTF-16 bytes of valid UTF-8 text, with surrogate pairs above U+FFFF.
std::string utf16(std::string_view utf8, Order order, bool bom) {
  std::u16string units;
  if (bom) units.push_back(0xFEFF);
  for (char32_t code_point : code_points(utf8)) {
    if (code_point >= 0x10000) {
      code_point -= 0x10000;
      units.push_back(static_cast<char16_t>(0xD800 + (code_point >> 10)));
      units.push_back(static_cast<char16_t>(0xDC00 + (code_point & 0x3FF)));
    } else {
      units.push_back(static_cast<char16_t>(code_point));
    }
  }
  return utf16_units(units, order);
}

bool valid_utf8(std::string_view text) {
  return simdjson::validate_utf8(text.data(), text.size());
}

// Accents, the euro sign, CJK and an emoji (a surrogate pair in UTF-16).
const std::string kText = "Zoë;Müller;café;€5;日本;😀\r\nAnaïs;Ødegård;crème brûlée;—;\t😀😀\r\nend";
// Latin-1 only in its first 32 characters, as BOM-less UTF-16 needs for its window.
const std::string kHeaderFirstText =
    "id;name;city;note\r\n1;Zoë;Müller;café\r\n2;€5;日本;😀\r\n3;Ødegård;—;😀😀\r\n";
const std::string kReplacement = "\xEF\xBF\xBD";  // U+FFFD
const std::string kUtf8Bom = "\xEF\xBB\xBF";      // U+FEFF

}  // namespace

TEST_CASE("encoding_name names every encoding", "[text_decoder]") {
  CHECK(encoding_name(TextEncoding::kUtf8) == "utf-8");
  CHECK(encoding_name(TextEncoding::kUtf8Bom) == "utf-8-bom");
  CHECK(encoding_name(TextEncoding::kUtf16Le) == "utf-16le");
  CHECK(encoding_name(TextEncoding::kUtf16Be) == "utf-16be");
  CHECK(encoding_name(TextEncoding::kWindows1252) == "windows-1252");
}

TEST_CASE("UTF-8 decodes to itself whole and in every chunk size from 1 to 17", "[text_decoder]") {
  for (size_t chunk = 0; chunk <= 17; ++chunk) {
    INFO("chunk " << chunk);
    const Decoded decoded = decode(kText, chunk);
    CHECK(decoded.text == kText);
    CHECK(decoded.encoding == TextEncoding::kUtf8);
    CHECK(decoded.replaced == 0);
    CHECK(decoded.bytes_in == kText.size());
  }
}

TEST_CASE("UTF-8 with a BOM loses the BOM whole and in every chunk size", "[text_decoder]") {
  const std::string input = kUtf8Bom + kText;
  for (size_t chunk = 0; chunk <= 17; ++chunk) {
    INFO("chunk " << chunk);
    const Decoded decoded = decode(input, chunk);
    CHECK(decoded.text == kText);
    CHECK(decoded.encoding == TextEncoding::kUtf8Bom);
    CHECK(decoded.replaced == 0);
  }
}

TEST_CASE("The test's UTF-16 encoder writes surrogate pairs", "[text_decoder]") {
  // U+00E9 is E9 00; U+1F600 is D83D DE00, so 3D D8 00 DE in little-endian order.
  CHECK(utf16("é😀", Order::kLittle, false) == "\xE9\x00\x3D\xD8\x00\xDE"s);
  CHECK(utf16("é😀", Order::kBig, true) == "\xFE\xFF\x00\xE9\xD8\x3D\xDE\x00"s);
}

TEST_CASE("UTF-16LE with a BOM becomes UTF-8 whole and in every chunk size", "[text_decoder]") {
  const std::string input = utf16(kText, Order::kLittle, true);
  for (size_t chunk = 0; chunk <= 17; ++chunk) {
    INFO("chunk " << chunk);
    const Decoded decoded = decode(input, chunk);
    CHECK(decoded.text == kText);
    CHECK(decoded.encoding == TextEncoding::kUtf16Le);
    CHECK(decoded.replaced == 0);
    CHECK(decoded.bytes_in == input.size());
  }
}

TEST_CASE("UTF-16BE with a BOM becomes UTF-8 whole and in every chunk size", "[text_decoder]") {
  const std::string input = utf16(kText, Order::kBig, true);
  for (size_t chunk = 0; chunk <= 17; ++chunk) {
    INFO("chunk " << chunk);
    const Decoded decoded = decode(input, chunk);
    CHECK(decoded.text == kText);
    CHECK(decoded.encoding == TextEncoding::kUtf16Be);
    CHECK(decoded.replaced == 0);
  }
}

TEST_CASE("UTF-16LE without a BOM is recognised by its NUL pattern in every chunk size",
          "[text_decoder]") {
  const std::string input = utf16(kHeaderFirstText, Order::kLittle, false);
  for (size_t chunk = 0; chunk <= 17; ++chunk) {
    INFO("chunk " << chunk);
    const Decoded decoded = decode(input, chunk);
    CHECK(decoded.text == kHeaderFirstText);
    CHECK(decoded.encoding == TextEncoding::kUtf16Le);
    CHECK(decoded.replaced == 0);
  }
}

TEST_CASE("UTF-16BE without a BOM is recognised by its NUL pattern in every chunk size",
          "[text_decoder]") {
  const std::string input = utf16(kHeaderFirstText, Order::kBig, false);
  for (size_t chunk = 0; chunk <= 17; ++chunk) {
    INFO("chunk " << chunk);
    const Decoded decoded = decode(input, chunk);
    CHECK(decoded.text == kHeaderFirstText);
    CHECK(decoded.encoding == TextEncoding::kUtf16Be);
    CHECK(decoded.replaced == 0);
  }
}

TEST_CASE("Windows-1252 decodes alike whole and in every chunk size", "[text_decoder]") {
  const std::string input = "id;name\r\n1;Caf\xe9 \x80 na\xefve \x9c\r\n2;\x8a\x9f\xff\r\n";
  const std::string expected = "id;name\r\n1;Café € naïve œ\r\n2;ŠŸÿ\r\n";
  for (size_t chunk = 0; chunk <= 17; ++chunk) {
    INFO("chunk " << chunk);
    const Decoded decoded = decode(input, chunk);
    CHECK(decoded.text == expected);
    CHECK(decoded.encoding == TextEncoding::kWindows1252);
    CHECK(decoded.replaced == 0);
  }
}

TEST_CASE("Windows-1252 bytes decode with the WHATWG table", "[text_decoder]") {
  CHECK(decode("Caf\xe9 \x80 na\xefve \x9c").text == "Café € naïve œ");
  // 82 ‚  83 ƒ  84 „  85 …  8A Š  8C Œ  8E Ž  91 ‘  92 ’  93 “  94 ”  96 –  97 —  99 ™  9F Ÿ
  CHECK(decode("\x82\x83\x84\x85\x8a\x8c\x8e\x91\x92\x93\x94\x96\x97\x99\x9f").text ==
        "‚ƒ„…ŠŒŽ‘’“”–—™Ÿ");
  // A0..FF are Latin-1: no-break space, ¿, ×, ÷, ÿ.
  CHECK(decode("\xa0\xbf\xd7\xf7\xff").text == "\u00A0¿×÷ÿ");
}

TEST_CASE("The five bytes windows-1252 leaves undefined become C1 controls as WHATWG says",
          "[text_decoder]") {
  const Decoded decoded = decode("x\x81\x8d\x8f\x90\x9d");
  CHECK(decoded.text == "x\u0081\u008D\u008F\u0090\u009D");
  CHECK(decoded.text == "x\xC2\x81\xC2\x8D\xC2\x8F\xC2\x90\xC2\x9D");
  CHECK(decoded.encoding == TextEncoding::kWindows1252);
  CHECK(decoded.replaced == 0);
}

TEST_CASE("The switch to windows-1252 after 100 KiB of ASCII keeps every byte before it",
          "[text_decoder]") {
  std::string ascii;
  while (ascii.size() < 100 * 1024) ascii += "1042;Cafe;closed;2024-03-01T10:00:00Z\r\n";
  const std::string input = ascii + "1043;Caf\xe9;open\r\n";
  for (size_t chunk : {size_t{0}, size_t{7}, size_t{4096}, size_t{65536}}) {
    INFO("chunk " << chunk);
    const Decoded decoded = decode(input, chunk);
    CHECK(decoded.text == ascii + "1043;Café;open\r\n");
    CHECK(decoded.encoding == TextEncoding::kWindows1252);
    CHECK(decoded.replaced == 0);
  }

  TextDecoder decoder;
  std::string text;
  auto sink = [&text](std::string_view utf8) { text.append(utf8); };
  decoder.decode(ascii, sink);
  CHECK(decoder.encoding() == TextEncoding::kUtf8);  // nothing but ASCII yet
  decoder.decode("\xe9", sink);
  decoder.finish(sink);
  CHECK(decoder.encoding() == TextEncoding::kWindows1252);
  CHECK(text == ascii + "é");
}

TEST_CASE("A first non-ASCII sequence that is not UTF-8 makes the file windows-1252",
          "[text_decoder]") {
  struct Case {
    std::string input;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {"a\xC0\xAF", "aÀ¯"},                 // overlong "/"
      {"a\xED\xA0\x80", "aí\u00A0€"},       // a surrogate, U+D800
      {"a\xF4\x90\x80\x80", "aô\u0090€€"},  // U+110000, beyond Unicode
      {"a\xE2\x82;b", "aâ‚;b"},             // "€" cut short by an ASCII byte
      {"a\xE9t\xE9", "aété"},               // Latin-1 letters
  };
  for (const Case& c : cases) {
    for (size_t chunk : {size_t{0}, size_t{1}, size_t{2}}) {
      INFO(c.expected << " chunk " << chunk);
      const Decoded decoded = decode(c.input, chunk);
      CHECK(decoded.text == c.expected);
      CHECK(decoded.encoding == TextEncoding::kWindows1252);
      CHECK(decoded.replaced == 0);
    }
  }
}

TEST_CASE("A bad byte after valid multi-byte UTF-8 becomes U+FFFD, counted with its offset",
          "[text_decoder]") {
  // "café " is 6 bytes (é is C3 A9), so the FF is at offset 6.
  const std::string input = "café \xFF ok";
  for (size_t chunk = 0; chunk <= 17; ++chunk) {
    INFO("chunk " << chunk);
    const Decoded decoded = decode(input, chunk);
    CHECK(decoded.text == "café " + kReplacement + " ok");
    CHECK(decoded.encoding == TextEncoding::kUtf8);
    CHECK(decoded.replaced == 1);
    CHECK(decoded.first_replaced_offset == 6);
  }
}

TEST_CASE("A bad byte is found at every offset of a long ASCII run", "[text_decoder]") {
  // ASCII is skipped 64 bytes at a time, then 32, then 8, then byte by byte: a bad byte at any of
  // the first 200 offsets after "é" (2 bytes) must be the one replaced, at offset 2 + k.
  for (size_t k = 0; k < 200; ++k) {
    INFO("offset " << k);
    std::string ascii(k, 'a');
    const std::string input = "é" + ascii + "\xFF" + std::string(40, 'b');
    const Decoded decoded = decode(input);
    CHECK(decoded.text == "é" + ascii + kReplacement + std::string(40, 'b'));
    CHECK(decoded.replaced == 1);
    CHECK(decoded.first_replaced_offset == 2 + k);
  }
}

TEST_CASE("One U+FFFD replaces each maximal subpart of bad UTF-8", "[text_decoder]") {
  struct Case {
    std::string bad;
    std::string expected;
    uint64_t replaced;
  };
  const std::string r = kReplacement;
  const std::vector<Case> cases = {
      {"\x80", r, 1},                                  // a lone continuation byte
      {"\xE0\x80", r + r, 2},                          // E0 wants A0..BF: E0 alone, then 80 alone
      {"\xF0\x90\x80\x41", r + "A", 1},                // a 4-byte sequence cut by "A" (0x41)
      {"\xE2\x82\x41", r + "A", 1},                    // a 3-byte sequence cut by "A"
      {"\xED\xA0\x80", r + r + r, 3},                  // a surrogate: ED wants 80..9F
      {"\xF4\x90\x80\x80", r + r + r + r, 4},          // beyond U+10FFFF: F4 wants 80..8F
      {"\xC0\xAF", r + r, 2},                          // C0 never starts a sequence
      {"\xF8\x88\x80\x80\x80", r + r + r + r + r, 5},  // the old 5-byte form
  };
  for (const Case& c : cases) {
    for (size_t chunk = 0; chunk <= 5; ++chunk) {
      INFO("case of " << c.replaced << " chunk " << chunk);
      const Decoded decoded = decode("é" + c.bad + ";", chunk);
      CHECK(decoded.text == "é" + c.expected + ";");
      CHECK(decoded.replaced == c.replaced);
      CHECK(decoded.first_replaced_offset == 2);
    }
  }
}

TEST_CASE("The first replaced offset is the first bad sequence's; later ones are only counted",
          "[text_decoder]") {
  const Decoded decoded = decode("é\xFF" + "ab\xFE"s);
  CHECK(decoded.text == "é" + kReplacement + "ab" + kReplacement);
  CHECK(decoded.replaced == 2);
  CHECK(decoded.first_replaced_offset == 2);
}

TEST_CASE("A UTF-8 sequence cut by the end of the file becomes one U+FFFD", "[text_decoder]") {
  for (size_t chunk = 0; chunk <= 4; ++chunk) {
    INFO("chunk " << chunk);
    const Decoded decoded = decode("é;\xE2\x82", chunk);
    CHECK(decoded.text == "é;" + kReplacement);
    CHECK(decoded.encoding == TextEncoding::kUtf8);
    CHECK(decoded.replaced == 1);
    CHECK(decoded.first_replaced_offset == 3);
  }
}

TEST_CASE("A character split across chunks reaches the sink whole, at most one extra call",
          "[text_decoder]") {
  for (size_t chunk = 1; chunk <= 7; ++chunk) {
    INFO("chunk " << chunk);
    const Decoded decoded = decode(kText, chunk);
    for (const std::string& piece : decoded.pieces) CHECK(valid_utf8(piece));
    const size_t calls = (kText.size() + chunk - 1) / chunk;
    CHECK(decoded.pieces.size() <= 2 * calls);
  }
}

TEST_CASE("ASCII passes through without a copy, one sink call per chunk", "[text_decoder]") {
  const std::string input = "id,channel,created_at\r\n1,email,2024-03-01\r\n2,chat,2024-03-02\r\n";
  const size_t half = input.size() / 2;
  std::vector<std::string_view> seen;
  auto sink = [&seen](std::string_view utf8) { seen.push_back(utf8); };
  TextDecoder decoder;
  decoder.decode(std::string_view(input).substr(0, half), sink);
  decoder.decode(std::string_view(input).substr(half), sink);
  REQUIRE(seen.size() == 2);
  CHECK(seen[0].data() == input.data());
  CHECK(seen[0].size() == half);
  CHECK(seen[1].data() == input.data() + half);
  CHECK(seen[1].size() == input.size() - half);
}

TEST_CASE("Valid multi-byte UTF-8 passes through without a copy", "[text_decoder]") {
  std::vector<std::string_view> seen;
  auto sink = [&seen](std::string_view utf8) { seen.push_back(utf8); };
  TextDecoder decoder;
  decoder.decode(kText, sink);
  REQUIRE(seen.size() == 1);
  CHECK(seen[0].data() == kText.data());
  CHECK(seen[0].size() == kText.size());
}

TEST_CASE("A BOM split across chunks is still recognised and stripped", "[text_decoder]") {
  struct Case {
    std::string input;
    TextEncoding encoding;
  };
  const std::vector<Case> cases = {
      {kUtf8Bom + "a;é\r\n", TextEncoding::kUtf8Bom},
      {utf16("a;é\r\n", Order::kLittle, true), TextEncoding::kUtf16Le},
      {utf16("a;é\r\n", Order::kBig, true), TextEncoding::kUtf16Be},
  };
  for (const Case& c : cases) {
    for (size_t split = 1; split < 3; ++split) {
      INFO(encoding_name(c.encoding) << " split after " << split);
      std::string text;
      auto sink = [&text](std::string_view utf8) { text.append(utf8); };
      TextDecoder decoder;
      decoder.decode(std::string_view(c.input).substr(0, split), sink);
      decoder.decode(std::string_view(c.input).substr(split), sink);
      decoder.finish(sink);
      CHECK(text == "a;é\r\n");
      CHECK(decoder.encoding() == c.encoding);
    }
  }
}

TEST_CASE("A file that is only a BOM gives no text", "[text_decoder]") {
  struct Case {
    std::string input;
    TextEncoding encoding;
  };
  const std::vector<Case> cases = {{"\xEF\xBB\xBF", TextEncoding::kUtf8Bom},
                                   {"\xFF\xFE", TextEncoding::kUtf16Le},
                                   {"\xFE\xFF", TextEncoding::kUtf16Be}};
  for (const Case& c : cases) {
    for (size_t chunk : {size_t{0}, size_t{1}}) {
      INFO(encoding_name(c.encoding) << " chunk " << chunk);
      const Decoded decoded = decode(c.input, chunk);
      CHECK(decoded.text.empty());
      CHECK(decoded.encoding == c.encoding);
      CHECK(decoded.replaced == 0);
    }
  }
}

TEST_CASE("An empty input gives no sink call and stays utf-8", "[text_decoder]") {
  int calls = 0;
  auto sink = [&calls](std::string_view) { ++calls; };
  TextDecoder decoder;
  decoder.decode("", sink);
  decoder.finish(sink);
  CHECK(calls == 0);
  CHECK(decoder.encoding() == TextEncoding::kUtf8);
  CHECK(decoder.bytes_in() == 0);
  CHECK(decoder.replaced() == 0);
}

TEST_CASE("A 2-byte file EF BB is not a BOM but windows-1252 text", "[text_decoder]") {
  // Too short for a BOM, so its bytes are the file's first non-ASCII: not UTF-8, hence "ï»".
  for (size_t chunk : {size_t{0}, size_t{1}}) {
    INFO("chunk " << chunk);
    const Decoded decoded = decode("\xEF\xBB", chunk);
    CHECK(decoded.text == "ï»");
    CHECK(decoded.encoding == TextEncoding::kWindows1252);
    CHECK(decoded.replaced == 0);
  }
}

TEST_CASE("A cut sequence after a UTF-8 BOM is U+FFFD: the BOM declared UTF-8", "[text_decoder]") {
  const Decoded decoded = decode("\xEF\xBB\xBF\xEF\xBB", 1);
  CHECK(decoded.text == kReplacement);
  CHECK(decoded.encoding == TextEncoding::kUtf8Bom);
  CHECK(decoded.replaced == 1);
  CHECK(decoded.first_replaced_offset == 3);
}

TEST_CASE("UTF-16 surrogate pairs and odd bytes split across chunks are carried over",
          "[text_decoder]") {
  const std::string input = utf16("😀a😀", Order::kLittle, true);
  for (size_t chunk = 1; chunk <= 5; ++chunk) {
    INFO("chunk " << chunk);
    const Decoded decoded = decode(input, chunk);
    CHECK(decoded.text == "😀a😀");
    CHECK(decoded.replaced == 0);
    for (const std::string& piece : decoded.pieces) CHECK(valid_utf8(piece));
  }
}

TEST_CASE("A lone UTF-16 surrogate becomes U+FFFD, counted with its offset", "[text_decoder]") {
  // The BOM takes bytes 0-1, so the first unit after it is at offset 2.
  const std::string high_then_a = utf16_units(
      u"\uFEFF\xD800"
      u"A",
      Order::kLittle);
  const std::string low_alone = utf16_units(
      u"\uFEFFA\xDC00"
      u"B",
      Order::kBig);
  const std::string high_high_low = utf16_units(u"\uFEFF\xD800\xD83D\xDE00", Order::kLittle);
  for (size_t chunk = 0; chunk <= 3; ++chunk) {
    INFO("chunk " << chunk);
    Decoded decoded = decode(high_then_a, chunk);
    CHECK(decoded.text == kReplacement + "A");
    CHECK(decoded.replaced == 1);
    CHECK(decoded.first_replaced_offset == 2);

    decoded = decode(low_alone, chunk);
    CHECK(decoded.text == "A" + kReplacement + "B");
    CHECK(decoded.replaced == 1);
    CHECK(decoded.first_replaced_offset == 4);

    decoded = decode(high_high_low, chunk);
    CHECK(decoded.text == kReplacement + "😀");
    CHECK(decoded.replaced == 1);
    CHECK(decoded.first_replaced_offset == 2);
  }
}

TEST_CASE("A high surrogate at the end of a UTF-16 file becomes U+FFFD", "[text_decoder]") {
  const Decoded decoded = decode(utf16_units(u"\uFEFFA\xD83D", Order::kLittle), 1);
  CHECK(decoded.text == "A" + kReplacement);
  CHECK(decoded.replaced == 1);
  CHECK(decoded.first_replaced_offset == 4);
}

TEST_CASE("An odd last byte of a UTF-16 file becomes U+FFFD", "[text_decoder]") {
  for (size_t chunk : {size_t{0}, size_t{1}, size_t{2}}) {
    INFO("chunk " << chunk);
    const Decoded decoded = decode("\xFF\xFE" + "A\0B"s, chunk);
    CHECK(decoded.text == "A" + kReplacement);
    CHECK(decoded.encoding == TextEncoding::kUtf16Le);
    CHECK(decoded.replaced == 1);
    CHECK(decoded.first_replaced_offset == 4);
  }
}

TEST_CASE("U+FEFF is stripped only at the start of a UTF-16 file", "[text_decoder]") {
  const std::string input = utf16_units(u"\uFEFF\uFEFFA\uFEFF", Order::kLittle);
  const Decoded decoded = decode(input, 1);
  CHECK(decoded.text == kUtf8Bom + "A" + kUtf8Bom);
  CHECK(decoded.encoding == TextEncoding::kUtf16Le);
}

TEST_CASE("A short BOM-less UTF-16 file is recognised at its end from 4 bytes", "[text_decoder]") {
  CHECK(decode("A\0B\0"s, 1).text == "AB");
  CHECK(decode("A\0B\0"s, 1).encoding == TextEncoding::kUtf16Le);
  CHECK(decode("\0A\0B"s).text == "AB");
  CHECK(decode("\0A\0B"s).encoding == TextEncoding::kUtf16Be);
  // Two bytes are too few to tell: they stay bytes.
  CHECK(decode("A\0"s).text == "A\0"s);
  CHECK(decode("A\0"s).encoding == TextEncoding::kUtf8);
}

TEST_CASE("Binary bytes 00 to FF are not taken for UTF-16", "[text_decoder]") {
  std::string input;
  for (int byte = 0; byte < 256; ++byte) input.push_back(static_cast<char>(byte));
  for (size_t chunk : {size_t{0}, size_t{1}, size_t{3}}) {
    INFO("chunk " << chunk);
    const Decoded decoded = decode(input, chunk);
    CHECK(decoded.encoding != TextEncoding::kUtf16Le);
    CHECK(decoded.encoding != TextEncoding::kUtf16Be);
    // The ASCII half comes through untouched (80 then makes it windows-1252, not UTF-16).
    CHECK(decoded.text.substr(0, 128) == input.substr(0, 128));
  }
}

TEST_CASE("A NUL pattern broken anywhere in the first 64 bytes is not UTF-16", "[text_decoder]") {
  std::string pattern;
  for (int i = 0; i < 31; ++i) pattern += "A\0"s;  // 62 bytes that look like UTF-16LE
  const std::vector<std::string> inputs = {
      pattern + "\x01\0"s + pattern,  // a control byte at offset 62
      pattern + "\0\0"s + pattern,    // a NUL unit
      "A\0B\0C\0\x7F\0"s + pattern,   // DEL at offset 6
  };
  for (const std::string& input : inputs) {
    for (size_t chunk : {size_t{0}, size_t{1}, size_t{5}}) {
      INFO("chunk " << chunk);
      const Decoded decoded = decode(input, chunk);
      CHECK(decoded.encoding == TextEncoding::kUtf8);
      CHECK(decoded.text == input);  // every byte held while deciding comes out
    }
  }
}

TEST_CASE("encoding() stays utf-8 until the first bytes settle it", "[text_decoder]") {
  auto sink = [](std::string_view) {};
  TextDecoder decoder;
  decoder.decode("\xFF", sink);
  CHECK(decoder.encoding() == TextEncoding::kUtf8);
  decoder.decode("\xFE", sink);
  CHECK(decoder.encoding() == TextEncoding::kUtf16Le);
}

TEST_CASE("bytes_in counts every byte fed, the BOM included", "[text_decoder]") {
  const std::string input = utf16("a;b", Order::kBig, true);
  CHECK(decode(input, 1).bytes_in == 8);
  CHECK(decode(kUtf8Bom + "abc", 2).bytes_in == 6);
}

TEST_CASE("2,000 random inputs decode alike in any chunking and always give valid UTF-8",
          "[text_decoder]") {
  const std::vector<std::string> fragments = {"a",        ";",        "\r\n",     "é",
                                              "€",        "日本",     "😀",        "\xFF",
                                              "\x80",     "\xE2\x82", "\xC0\xAF", "\xED\xA0\x80",
                                              "\0"s,      "A\0"s,     "\0A"s,     "\xEF\xBB\xBF",
                                              "\xFF\xFE", "\xFE\xFF", "\x3D\xD8", "\x00\xDC"s,
                                              "\xE9"};
  std::mt19937 random(20240301);
  for (int round = 0; round < 2000; ++round) {
    std::string input;
    const int count = std::uniform_int_distribution<int>(0, 40)(random);
    for (int i = 0; i < count; ++i) {
      input += fragments[std::uniform_int_distribution<size_t>(0, fragments.size() - 1)(random)];
    }
    const Decoded whole = decode(input);
    INFO("round " << round);
    REQUIRE(valid_utf8(whole.text));

    Decoded pieces;
    TextDecoder decoder;
    auto sink = [&pieces](std::string_view utf8) { pieces.text.append(utf8); };
    for (size_t at = 0; at < input.size();) {
      const size_t size = std::uniform_int_distribution<size_t>(0, 9)(random);
      decoder.decode(std::string_view(input).substr(at, size), sink);
      at += size;
    }
    decoder.finish(sink);
    REQUIRE(pieces.text == whole.text);
    REQUIRE(decoder.encoding() == whole.encoding);
    REQUIRE(decoder.replaced() == whole.replaced);
    REQUIRE(decoder.first_replaced_offset() == whole.first_replaced_offset);
  }
}
