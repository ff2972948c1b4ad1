// json_writer: see json_writer.h. snprintf/strtod are correctly rounded in glibc and musl, so the
// shortest round-trip search picks the same digits natively and in wasm.
#include "json_writer.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace kpilens {

std::string format_number(double value) {
  if (!std::isfinite(value)) return "null";
  if (value == 0) return "0";  // also -0
  if (std::fabs(value) < 9007199254740992.0 && value == std::trunc(value)) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.0f", value);
    return buffer;
  }
  // The fewest significant digits that read back as the same double, by binary search over 1..17:
  // 4-5 snprintf/strtod pairs instead of up to 17 (ratios such as 83.333... need 16 or 17 digits
  // and a report holds thousands of them). A correctly rounded decimal with one more digit is never
  // further from the value, so "reads back" is monotone in the precision except, in rare cases,
  // just above a power of two (where the gap below is half the gap above); there the search may
  // keep one digit more than needed. Still exact, and the same in every build (the search is
  // deterministic).
  char buffer[40];
  int low = 1;
  int high = 17;  // 17 significant digits always read back (IEEE 754 binary64)
  while (low < high) {
    const int middle = low + (high - low) / 2;
    std::snprintf(buffer, sizeof buffer, "%.*g", middle, value);
    if (std::strtod(buffer, nullptr) == value) {
      high = middle;
    } else {
      low = middle + 1;
    }
  }
  std::snprintf(buffer, sizeof buffer, "%.*g", low, value);
  return buffer;
}

void JsonWriter::separator() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (!first_.empty()) {
    if (!first_.back()) out_.push_back(',');
    first_.back() = false;
  }
}

void JsonWriter::begin_object() {
  separator();
  out_.push_back('{');
  first_.push_back(true);
}

void JsonWriter::end_object() {
  out_.push_back('}');
  first_.pop_back();
}

void JsonWriter::begin_array() {
  separator();
  out_.push_back('[');
  first_.push_back(true);
}

void JsonWriter::end_array() {
  out_.push_back(']');
  first_.pop_back();
}

void JsonWriter::key(std::string_view name) {
  string(name);
  out_.push_back(':');
  after_key_ = true;
}

void JsonWriter::string(std::string_view text) {
  separator();
  static constexpr char kHex[] = "0123456789abcdef";
  out_.push_back('"');
  size_t i = 0;
  while (i < text.size()) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      switch (c) {
        case '"':
          out_ += "\\\"";
          break;
        case '\\':
          out_ += "\\\\";
          break;
        case '\n':
          out_ += "\\n";
          break;
        case '\r':
          out_ += "\\r";
          break;
        case '\t':
          out_ += "\\t";
          break;
        default:
          if (c < 0x20 || c == 0x7f) {
            out_ += "\\u00";
            out_.push_back(kHex[c >> 4]);
            out_.push_back(kHex[c & 15]);
          } else {
            out_.push_back(static_cast<char>(c));
          }
      }
      ++i;
      continue;
    }
    // Validate one UTF-8 sequence (no overlongs, no surrogates, ≤ U+10FFFF).
    size_t length = 0;
    uint32_t min = 0;
    uint32_t code = 0;
    if (c >= 0xC2 && c <= 0xDF) {
      length = 2;
      code = c & 0x1F;
      min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
      length = 3;
      code = c & 0x0F;
      min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
      length = 4;
      code = c & 0x07;
      min = 0x10000;
    }
    bool valid = length > 0 && i + length <= text.size();
    for (size_t k = 1; valid && k < length; ++k) {
      unsigned char next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) {
        valid = false;
      } else {
        code = (code << 6) | (next & 0x3F);
      }
    }
    if (valid && (code < min || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF))) {
      valid = false;
    }
    if (valid) {
      out_.append(text.substr(i, length));
      i += length;
    } else {
      out_ += "\xEF\xBF\xBD";
      ++i;
    }
  }
  out_.push_back('"');
}

void JsonWriter::number(double value) {
  separator();
  out_ += format_number(value);
}

void JsonWriter::number(std::optional<double> value) {
  if (value) {
    number(*value);
  } else {
    null();
  }
}

void JsonWriter::integer(int64_t value) {
  separator();
  out_ += std::to_string(value);
}

void JsonWriter::integer(uint64_t value) {
  separator();
  out_ += std::to_string(value);
}

void JsonWriter::boolean(bool value) {
  separator();
  out_ += value ? "true" : "false";
}

void JsonWriter::null() {
  separator();
  out_ += "null";
}

}  // namespace kpilens
