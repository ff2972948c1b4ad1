// text_decoder: turns a file's bytes, in chunks of any size, into UTF-8 for the CSV and JSON
// decoders. UTF-8 (with or without a byte order mark) passes through without a copy; UTF-16 LE/BE
// (Excel "Unicode text", always with a BOM, or recognised by its NUL pattern) and Windows-1252
// (legacy Excel "CSV") are converted. Windows-1252 is chosen when the first non-ASCII bytes of the
// file are not valid UTF-8: everything before them was ASCII, which both encodings spell alike,
// so switching there loses nothing.
#pragma once

#include <cstddef>
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
  // End of the file: an incomplete sequence left over becomes U+FFFD (counted in replaced()),
  // except in a file with no non-ASCII before it: those bytes are then its first non-ASCII, not
  // valid UTF-8, and make it windows-1252 (a file of just "EF BB" reads as "ï»").
  void finish(const Sink& out);

  // Settled once the first bytes (or the first non-ASCII byte) have been seen; kUtf8 until then.
  TextEncoding encoding() const { return encoding_; }
  // Invalid sequences written as U+FFFD: bad UTF-8 after valid non-ASCII UTF-8 was seen, lone
  // UTF-16 surrogates, a truncated last sequence.
  uint64_t replaced() const { return replaced_; }
  // 0-based byte offset in the input of the first replaced sequence (meaningful when replaced()).
  uint64_t first_replaced_offset() const { return first_replaced_offset_; }
  uint64_t bytes_in() const { return bytes_in_; }
  // A valid multi-byte UTF-8 sequence (or a UTF-8 BOM) was seen: settled as UTF-8.
  bool saw_utf8_multibyte() const { return saw_utf8_multibyte_; }

  // For a reader of one part of a file (ticket_dataset_parts.cpp). can_jump(): the start was
  // judged (BOM, UTF-16), the text is UTF-8 or windows-1252 (one byte per line break) and no
  // sequence is held, so the next bytes may come from further on in the file. jump_to(): the next
  // byte decoded is the file's byte `offset`.
  bool can_jump() const;
  void jump_to(uint64_t offset);
  // The merge of parts: takes the encoding state a later part of the file left, and its invalid
  // sequences (`first_offset`: the first one's file offset, kept only if this decoder had none).
  void adopt(TextEncoding encoding, bool saw_utf8_multibyte);
  void add_replaced(uint64_t count, uint64_t first_offset);

 private:
  void begin(TextEncoding encoding, size_t bom_length);
  void decode_body(std::string_view bytes, const Sink& out);
  void decode_utf8(std::string_view bytes, const Sink& out);
  void decode_utf16(std::string_view bytes, const Sink& out);
  void switch_to_windows1252(std::string_view held, std::string_view bytes, const Sink& out);
  size_t convert_windows1252(std::string_view bytes, size_t used);
  char* put_utf16_unit(char* out, uint32_t unit, uint64_t offset);
  char* reserve_output(size_t used, size_t extra);
  size_t append_output(size_t used, std::string_view bytes);
  void note_replaced(uint64_t offset);

  TextEncoding encoding_ = TextEncoding::kUtf8;
  uint64_t replaced_ = 0;
  uint64_t first_replaced_offset_ = 0;
  uint64_t bytes_in_ = 0;
  bool start_decided_ = false;
  // A valid multi-byte UTF-8 sequence (or a UTF-8 BOM) was seen: the file can no longer turn
  // windows-1252, and invalid sequences become U+FFFD.
  bool saw_utf8_multibyte_ = false;
  uint64_t offset_ = 0;  // input offset of the next byte the chosen decoder will see
  std::string head_;     // the first bytes, held until the encoding is chosen (at most 64)
  std::string held_;     // bytes carried between chunks: a split UTF-8 sequence, an odd UTF-16 byte
  uint16_t pending_high_ = 0;  // a UTF-16 high surrogate waiting for its low half
  uint64_t pending_high_offset_ = 0;
  std::string scratch_;  // converted output of one call (its size only grows: a raw buffer)
};

}  // namespace kpilens
