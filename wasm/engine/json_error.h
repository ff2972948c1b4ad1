// json_error: why a JSON export's record or the config is not valid JSON, in the report's words.
#pragma once

#include <simdjson.h>

namespace kpilens {

// What is wrong with the text, for a reader of the report: "a string without its closing quote".
// Not simdjson::error_message, whose messages name its error codes and its API ("TAPE_ERROR: The
// JSON document has an improper structure: …", "SCALAR_DOCUMENT_AS_VALUE: …"), and whose table of
// all of them weighed 2.1 KB of the page's module (1 KB gzipped).
const char* json_error_reason(simdjson::error_code error);

}  // namespace kpilens
