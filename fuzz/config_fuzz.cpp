// config_fuzz: any bytes as the config JSON. parse_config must never crash; a config it accepts
// must drive a dataset over a small fixed export to a valid report.
#include <cstdint>
#include <string_view>

#include "engine_config.h"
#include "fuzz_input.h"
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
