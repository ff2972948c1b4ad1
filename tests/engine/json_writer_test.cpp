// json_writer tests: shortest round-trip numbers, string escaping, UTF-8 repair, and separators in
// nested containers. Output is also read back with simdjson to prove it is valid JSON.
#include "json_writer.h"

#include <simdjson.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <optional>
#include <string>

using kpilens::format_number;
using kpilens::JsonWriter;

namespace {

std::string written_string(std::string_view text) {
  JsonWriter w;
  w.string(text);
  return w.take();
}

// Parses `json` (a single JSON string) with simdjson and returns its value.
std::string read_back_string(const std::string& json) {
  simdjson::dom::parser parser;
  std::string_view value;
  auto error = parser.parse(json).get(value);
  REQUIRE(error == simdjson::SUCCESS);
  return std::string(value);
}

}  // namespace

TEST_CASE("format_number prints the shortest decimal that reads back to the same double",
          "[json_writer]") {
  CHECK(format_number(0.1) == "0.1");
  CHECK(format_number(0.1 + 0.2) == "0.30000000000000004");  // 17 digits are needed
  CHECK(format_number(1.0 / 3.0) == "0.3333333333333333");   // 16 digits suffice
  CHECK(format_number(-2.5) == "-2.5");
  CHECK(format_number(1e21) == "1e+21");
  CHECK(format_number(1.5e300) == "1.5e+300");
  CHECK(format_number(123.456) == "123.456");
}

// xorshift64: the next state's bits as a double (arbitrary bit patterns, every exponent, NaNs and
// infinities included).
double next_double(std::uint64_t& state) {
  state ^= state << 13;
  state ^= state >> 7;
  state ^= state << 17;
  double value;
  std::memcpy(&value, &state, sizeof value);
  return value;
}

// The reference: try every precision from 1 up and keep the first that reads back.
std::string shortest_by_trying_each_precision(double value) {
  char buffer[40];
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buffer, sizeof buffer, "%.*g", precision, value);
    if (std::strtod(buffer, nullptr) == value) break;
  }
  return buffer;
}

TEST_CASE("format_number finds the same digits as trying each precision on report-like values",
          "[json_writer]") {
  // Shares, means and hours as reports hold them: a / b and their percentages, and the same scaled
  // by powers of ten, for a and b up to 300.
  for (int b = 1; b <= 300; ++b) {
    for (int a = 1; a <= 300; ++a) {
      const double ratio = static_cast<double>(a) / b;
      for (double value : {ratio, ratio * 100, ratio / 3600, ratio * 1e-7}) {
        if (value == std::trunc(value)) continue;  // integers take the other branch
        REQUIRE(format_number(value) == shortest_by_trying_each_precision(value));
      }
    }
  }
}

TEST_CASE("format_number finds the same digits as trying each precision on arbitrary doubles",
          "[json_writer]") {
  // Arbitrary bit patterns (every exponent), and the doubles at and around powers of two and of
  // ten, where the decimals that read back are lopsided or change their spacing: near 1, and over
  // the whole range, where format_number works from the exact decimal digits (below 1e-10 and
  // above 1e44, decimal.h: subnormals, the largest doubles, integers past 2^53).
  std::uint64_t state = 0x2545F4914F6CDD1Du;
  for (int i = 0; i < 40000; ++i) {
    const double value = next_double(state);
    const double two = std::ldexp(1.0, static_cast<int>(state % 400) - 200);
    const double ten = std::pow(10.0, static_cast<int>(state % 60) - 30);
    const double any_two = std::ldexp(1.0, static_cast<int>(state % 2098) - 1074);
    const double any_ten = std::pow(10.0, static_cast<int>(state % 630) - 320);
    for (double v :
         {value, two, std::nextafter(two, 0.0), std::nextafter(two, 1e300), ten,
          std::nextafter(ten, 0.0), std::nextafter(ten, 1e300), value * 1e-290, value * 1e280,
          any_two, std::nextafter(any_two, 0.0), std::nextafter(any_two, 1e308), -any_ten,
          std::nextafter(any_ten, 0.0), std::nextafter(any_ten, 1e308)}) {
      // Integers below 2^53 are printed whole, not as "%g" would.
      if (!std::isfinite(v) || (v == std::trunc(v) && std::fabs(v) < 9007199254740992.0)) continue;
      INFO(v);
      REQUIRE(format_number(v) == shortest_by_trying_each_precision(v));
    }
  }
  CHECK(format_number(5e-324) == "5e-324");  // the least subnormal: one digit reads back
  CHECK(format_number(1.7976931348623157e308) == "1.7976931348623157e+308");
  CHECK(format_number(1e300) == "1e+300");
  CHECK(format_number(-2.5e-200) == "-2.5e-200");
}

TEST_CASE("format_number output always reads back to the same double", "[json_writer]") {
  std::uint64_t state = 0x9E3779B97F4A7C15u;
  for (int i = 0; i < 200000; ++i) {
    const double value = next_double(state);
    if (!std::isfinite(value)) continue;
    const std::string text = format_number(value);
    REQUIRE(std::strtod(text.c_str(), nullptr) == value);
  }
}

TEST_CASE("format_number prints integers without a fraction or exponent", "[json_writer]") {
  CHECK(format_number(5) == "5");
  CHECK(format_number(-17) == "-17");
  CHECK(format_number(100) == "100");
  CHECK(format_number(123456789012.0) == "123456789012");
  CHECK(format_number(9007199254740991.0) == "9007199254740991");  // 2^53 − 1
  CHECK(format_number(9007199254740992.0) == "9007199254740992");  // 2^53: 16 significant digits
}

TEST_CASE("format_number prints both zeros as 0", "[json_writer]") {
  CHECK(format_number(0.0) == "0");
  CHECK(format_number(-0.0) == "0");
}

TEST_CASE("format_number prints NaN and infinities as null", "[json_writer]") {
  CHECK(format_number(std::numeric_limits<double>::quiet_NaN()) == "null");
  CHECK(format_number(std::numeric_limits<double>::infinity()) == "null");
  CHECK(format_number(-std::numeric_limits<double>::infinity()) == "null");
}

TEST_CASE("format_number output reads back to the same double", "[json_writer]") {
  for (double v : {0.1, 1.0 / 3.0, 2.0 / 3.0, 1e-7, 5e-324, 1.7976931348623157e308, 123.456e-200,
                   -9.87654321e15, 0.000123}) {
    INFO(v);
    CHECK(std::strtod(format_number(v).c_str(), nullptr) == v);
  }
}

TEST_CASE("JsonWriter escapes quotes, backslashes and control characters", "[json_writer]") {
  CHECK(written_string("a\"b\\c") == "\"a\\\"b\\\\c\"");
  CHECK(written_string("line\nfeed\rtab\t") == "\"line\\nfeed\\rtab\\t\"");
  CHECK(written_string(std::string_view("\x00\x01\x1f\x7f", 4)) ==
        "\"\\u0000\\u0001\\u001f\\u007f\"");
  CHECK(written_string("/ stays") == "\"/ stays\"");
  CHECK(read_back_string(written_string("q\"b\\n\n\x01")) == "q\"b\\n\n\x01");
}

TEST_CASE("JsonWriter replaces invalid UTF-8 with U+FFFD", "[json_writer]") {
  const std::string fffd = "\xEF\xBF\xBD";
  CHECK(written_string("a\xFF"
                       "b") == "\"a" + fffd + "b\"");              // never a UTF-8 byte
  CHECK(written_string("\x80") == "\"" + fffd + "\"");             // a lone continuation byte
  CHECK(written_string("\xC0\xAF") == "\"" + fffd + fffd + "\"");  // overlong '/'
  CHECK(written_string("\xED\xA0\x80") == "\"" + fffd + fffd + fffd + "\"");  // a surrogate
  CHECK(written_string("\xF4\x90\x80\x80").find(fffd) != std::string::npos);  // above U+10FFFF
  // A sequence cut short by the end of the string.
  std::string cut = written_string("ok\xE2\x82");
  CHECK(cut.substr(0, 3) == "\"ok");
  CHECK(cut.find(fffd) == 3);
  // Whatever was repaired, the result is valid JSON and valid UTF-8.
  for (std::string_view bad :
       {"\xFF", "\xC0\xAF", "\xED\xA0\x80", "ok\xE2\x82", "\xF8\x88\x80\x80"}) {
    std::string json = written_string(bad);
    CHECK(simdjson::validate_utf8(json.data(), json.size()));
    simdjson::dom::parser parser;
    std::string_view value;
    CHECK(parser.parse(json).get(value) == simdjson::SUCCESS);
  }
}

TEST_CASE("JsonWriter keeps valid multi-byte UTF-8 as it is", "[json_writer]") {
  // é (2 bytes), € (3 bytes), 😀 (4 bytes), and U+10FFFF, the last code point.
  const std::string text = "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80 \xF4\x8F\xBF\xBF";
  CHECK(written_string(text) == "\"" + text + "\"");
  CHECK(read_back_string(written_string(text)) == text);
}

TEST_CASE("JsonWriter separates members and elements of nested containers", "[json_writer]") {
  JsonWriter w;
  w.begin_object();
  w.field("a", 1);
  w.key("b");
  w.begin_array();
  w.integer(int64_t{1});
  w.string("x");
  w.begin_object();
  w.end_object();
  w.begin_array();
  w.end_array();
  w.null();
  w.end_array();
  w.field("c", true);
  w.key("d");
  w.begin_object();
  w.field("e", std::optional<double>{});
  w.field("f", 0.5);
  w.end_object();
  w.end_object();
  CHECK(w.str() == R"({"a":1,"b":[1,"x",{},[],null],"c":true,"d":{"e":null,"f":0.5}})");
}

TEST_CASE("JsonWriter writes every field type", "[json_writer]") {
  JsonWriter w;
  w.begin_object();
  w.field("text", "plain");
  w.field("string", std::string("owned"));
  w.field("view", std::string_view("view"));
  w.field("double", 2.25);
  w.field("some", std::optional<double>{3.0});
  w.field("int", -4);
  w.field("int64", std::numeric_limits<int64_t>::min());
  w.field("uint64", std::numeric_limits<uint64_t>::max());
  w.field("no", false);
  w.end_object();
  CHECK(w.str() ==
        R"({"text":"plain","string":"owned","view":"view","double":2.25,"some":3,"int":-4,)"
        R"("int64":-9223372036854775808,"uint64":18446744073709551615,"no":false})");
}

TEST_CASE("JsonWriter writes top-level arrays of numbers", "[json_writer]") {
  JsonWriter w;
  w.begin_array();
  w.number(0.1);
  w.number(-0.0);
  w.number(std::nan(""));
  w.number(std::optional<double>{});
  w.end_array();
  CHECK(w.take() == "[0.1,0,null,null]");
}
