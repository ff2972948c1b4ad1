// json_error: see json_error.h.
#include "json_error.h"

namespace kpilens {

const char* json_error_reason(simdjson::error_code error) {
  switch (error) {
    case simdjson::CAPACITY:
      return "too large to read as one JSON value";
    case simdjson::MEMALLOC:
      return "out of memory";
    case simdjson::DEPTH_ERROR:
      return "nested too deeply";
    case simdjson::STRING_ERROR:
      return "a string with an invalid escape";
    case simdjson::T_ATOM_ERROR:
    case simdjson::F_ATOM_ERROR:
    case simdjson::N_ATOM_ERROR:
      return "a bare word that is not true, false or null";
    case simdjson::NUMBER_ERROR:
      return "a malformed number";
    case simdjson::BIGINT_ERROR:
    case simdjson::NUMBER_OUT_OF_RANGE:
      return "a number out of range";
    case simdjson::UTF8_ERROR:
      return "not valid UTF-8";
    case simdjson::EMPTY:
      return "no JSON value";
    case simdjson::UNESCAPED_CHARS:
      return "a control character inside a string, not escaped";
    case simdjson::UNCLOSED_STRING:
      return "a string without its closing quote";
    case simdjson::INCORRECT_TYPE:
      // On-Demand's answer to a misspelt true, false or null where a value is read whole.
      return "a value that is not a string, number, object, array, true, false or null";
    case simdjson::INCOMPLETE_ARRAY_OR_OBJECT:
      return "it ends inside an object or array";
    case simdjson::TRAILING_CONTENT:
      return "more text after the JSON value";
    case simdjson::TAPE_ERROR:     // simdjson's generic one for a broken structure
    case simdjson::OUT_OF_BOUNDS:  // a value read past the document's end
      return "a comma, colon, brace or bracket missing or out of place";
    default:
      // Not the text's fault: how the engine called simdjson (OUT_OF_ORDER_ITERATION,
      // INSUFFICIENT_PADDING, PARSER_IN_USE, …) or simdjson itself (UNEXPECTED_ERROR).
      return "an error of the engine's JSON reader, not of the text (please report it)";
  }
}

}  // namespace kpilens
