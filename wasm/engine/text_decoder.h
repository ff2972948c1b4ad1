// text_decoder: turns a file's bytes, in chunks of any size, into UTF-8 for the CSV and JSON
// decoders. UTF-8 (with or without a byte order mark) passes through without a copy; UTF-16 LE/BE
// (Excel "Unicode text", always with a BOM, or recognised by its NUL pattern) and Windows-1252
// (legacy Excel "CSV") are converted. Windows-1252 is chosen when the first non-ASCII bytes of the
// file are not valid UTF-8: everything before them was ASCII, which both encodings spell alike,
// so switching there loses nothing.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace kpilens {

enum class TextEncoding : uint8_t { kUtf8, kUtf8Bom, kUtf16Le, kUtf16Be, kWindows1252 };

// "utf-8", "utf-8-bom", "utf-16le", "utf-16be", "windows-1252".
std::string_view encoding_name(TextEncoding encoding);

class TextDecoder {
 public:
  using Sink = std::function<void(std::string_view utf8)>;

  // Decodes the next bytes of the file. `out` is called zero or more times with UTF-8 text; the
  // views are valid only during the call. A BOM never reaches `out`.
  void decode(std::string_view bytes, const Sink& out);
  // End of the file: an incomplete sequence left over becomes U+FFFD (counted in replaced()).
  void finish(const Sink& out);

  // Settled once the first bytes (or the first non-ASCII byte) have been seen; kUtf8 until then.
  TextEncoding encoding() const { return encoding_; }
  // Invalid sequences written as U+FFFD: bad UTF-8 after valid non-ASCII UTF-8 was seen, lone
  // UTF-16 surrogates, a truncated last sequence.
  uint64_t replaced() const { return replaced_; }
  // 0-based byte offset in the input of the first replaced sequence (meaningful when replaced()).
  uint64_t first_replaced_offset() const { return first_replaced_offset_; }
  uint64_t bytes_in() const { return bytes_in_; }

 private:
  TextEncoding encoding_ = TextEncoding::kUtf8;
  uint64_t replaced_ = 0;
  uint64_t first_replaced_offset_ = 0;
  uint64_t bytes_in_ = 0;
  // Implementation state (the helper that writes text_decoder.cpp may add members here).
  bool start_decided_ = false;
  bool saw_utf8_multibyte_ = false;
  std::string held_;     // bytes carried between chunks (BOM candidates, split sequences)
  std::string scratch_;  // converted output of one call
};

}  // namespace kpilens
