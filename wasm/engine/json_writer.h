// json_writer: a small streaming JSON writer whose output is the same bytes on every platform:
// numbers in their shortest round-trip form, strings escaped and made valid UTF-8 (bad bytes become
// U+FFFD).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kpilens {

// Shortest "%.{p}g" (p = 1…17) that reads back to the same double (the first p from 1 up);
// integers print without ".0"; NaN and infinities print as null. Computed in integers, as printf
// and strtod would decide it, except out of range (json_writer.cpp).
std::string format_number(double value);

class JsonWriter {
 public:
  void begin_object();
  void end_object();
  void begin_array();
  void end_array();
  void key(std::string_view name);

  void string(std::string_view text);
  void number(double value);
  void number(std::optional<double> value);  // null when empty
  void integer(int64_t value);
  void integer(uint64_t value);
  void boolean(bool value);
  void null();

  // Shorthands for "key": value.
  template <typename T>
  void field(std::string_view name, const T& value) {
    key(name);
    write(value);
  }

  const std::string& str() const { return out_; }
  std::string take() { return std::move(out_); }

 private:
  void separator();
  void write(std::string_view v) { string(v); }
  void write(const std::string& v) { string(v); }
  void write(const char* v) { string(v); }
  void write(double v) { number(v); }
  void write(std::optional<double> v) { number(v); }
  void write(int v) { integer(static_cast<int64_t>(v)); }
  void write(int64_t v) { integer(v); }
  void write(uint64_t v) { integer(v); }
  void write(bool v) { boolean(v); }

  std::string out_;
  std::vector<bool> first_;  // per open container: nothing written in it yet
  bool after_key_ = false;
};

}  // namespace kpilens
