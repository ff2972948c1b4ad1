// config_fuzz: any bytes as the config JSON. parse_config must never crash; it must refuse as
// malformed JSON what simdjson's DOM parser refuses, save the exceptions below (parse_config reads
// with On-Demand, which checks only what it reads, so it reads the whole document first); a config
// it accepts must drive a dataset over a small fixed export to a valid report.
#include <simdjson.h>

#include <algorithm>
#include <cstdint>
#include <string_view>

#include "engine_config.h"
#include "field_parse.h"
#include "fuzz_input.h"
#include "json_error.h"
#include "report_check.h"
#include "ticket_dataset.h"

namespace {

// Every kind of column a config can name (dates, statuses, segments, ratings, durations, cost), and
// a row to reject.
constexpr std::string_view kExport =
    "Id,Created at,Solved at,Status,Channel,Assignee,Group,Priority,Satisfaction Score,NPS,CES,"
    "Replies,Reopens,First reply time in minutes,Cost\n"
    "1,2024-03-04 09:00:00,2024-03-04 11:00:00,Solved,Email,Kim,Support,High,5,10,7,1,0,30,12.5\n"
    "2,2024-03-05 10:00:00,,Open,Chat,Lou,Billing,Low,2,3,2,2,1,90,3\n"
    "3,05/03/2024 14:00,06/03/2024 10:00,Closed,=cmd,Kim,Support,,Good,7,,1,0,,\n"
    "4,2024-04-01T08:00:00+02:00,2024-04-02T08:00:00Z,Resolved,Phone,,,Urgent,4,9,5,3,0,5,1.5\n"
    "5,not a date,,Pending,Email,Kim,Support,Normal,Bad,11,,x,,,\"1,5\",extra\n";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view json(reinterpret_cast<const char*>(data), size);
  kpilens::ConfigResult parsed = kpilens::parse_config(json);

  // Malformed as the DOM parser finds it, with three exceptions: blank text is no config (no
  // error); a document that is not an object or an array is refused as not an object, well-formed
  // or not; parse_config refuses nesting of 1,024 levels as too deep (On-Demand's limit), which the
  // DOM parser took. Whatever the DOM parser refuses as too deep, parse_config must refuse too.
  simdjson::dom::parser dom;
  const simdjson::error_code dom_error = dom.parse(simdjson::padded_string(json)).error();
  // (A prefix: a setting's error quotes the config's text, which may hold these words.)
  const std::string malformed = "config is not valid JSON: ";
  const auto starts = [&](const std::string& text) {
    return std::any_of(parsed.errors.begin(), parsed.errors.end(),
                       [&](const std::string& e) { return e.rfind(text, 0) == 0; });
  };
  const bool refused = starts(malformed);
  const size_t first = json.find_first_not_of(" \t\n\r");
  const bool scalar = first != std::string_view::npos && json[first] != '{' && json[first] != '[';
  if (!kpilens::is_blank(json) && !scalar &&
      !starts(malformed + kpilens::json_error_reason(simdjson::DEPTH_ERROR))) {
    KPILENS_FUZZ_CHECK(refused == (dom_error != simdjson::SUCCESS));
  }
  if (refused) KPILENS_FUZZ_CHECK(parsed.errors.size() == 1);
  if (!parsed.errors.empty()) return 0;

  kpilens::TicketDataset dataset(json);  // as the bindings and the CLI make one: from the text
  KPILENS_FUZZ_CHECK(dataset.errors().empty());
  dataset.begin_file("tickets.csv");
  dataset.feed(kExport.substr(0, 100));
  dataset.feed(kExport.substr(100));
  dataset.end_file();
  kpilens::fuzz::check_report(dataset, true);
  return 0;
}
