// dataset_fuzz: the façade end to end, as the page and the CLI drive it: begin_file, feed in
// fuzzer-chosen chunks, end_file (once or twice: a second file from the second half of the input),
// then the report, checked by report_check.h; with the thorough bit, also against the report of the
// same files fed whole.
#include <cstdint>
#include <string_view>
#include <vector>

#include "fuzz_input.h"
#include "report_check.h"
#include "ticket_dataset.h"

namespace {

// A few fixed configs: segments, every grain, both date orders, ';' with decimal commas, filters,
// date bounds, a tiny segment cap and CSAT on another scale.
constexpr std::string_view kConfigs[] = {
    R"({"by": ["channel"], "grain": "week"})",
    R"({"by": ["agent", "priority"], "grain": "day", "utc_offset": "+05:30", "date_order": "dmy"})",
    R"({"grain": "month", "delimiter": ";", "decimal_separator": ",", "week_start": "sunday",
        "by_if_mapped": ["channel", "team"], "max_segments": 2, "max_rejected_listed": 3})",
    R"({"by": ["Status"], "grain": "all", "filters": [{"column": "channel", "values": ["email", "chat"]}],
        "date_from": "2024-01-01", "date_to": "2024-12-31",
        "csat": {"scale_min": 1, "scale_max": 10, "threshold": 8}})",
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  kpilens::fuzz::FuzzInput input(data, size);
  // Option byte: bits 0–1 the config, bit 2 a second file, bit 3 the thorough checks (every form of
  // the report, and the same report when each file is fed in one chunk).
  const uint8_t options = input.byte();
  const std::vector<uint8_t> plan = input.chunk_plan();
  const std::string_view bytes = input.rest();
  const std::string_view config = kConfigs[options & 3];
  const bool thorough = (options & 8) != 0;

  auto read = [&](kpilens::TicketDataset& dataset, const std::vector<uint8_t>& chunks) {
    KPILENS_FUZZ_CHECK(dataset.errors().empty());
    auto read_file = [&](const char* name, std::string_view file) {
      dataset.begin_file(name);
      kpilens::fuzz::for_each_chunk(file, chunks,
                                    [&](std::string_view chunk) { dataset.feed(chunk); });
      dataset.end_file();
    };
    if (options & 4) {
      read_file("first.csv", bytes.substr(0, bytes.size() / 2));
      read_file("second.csv", bytes.substr(bytes.size() / 2));
    } else {
      read_file("tickets.csv", bytes);
    }
  };

  kpilens::TicketDataset dataset(config);
  read(dataset, plan);
  kpilens::fuzz::check_report(dataset, thorough);
  if (thorough && !plan.empty() && bytes.size() < kpilens::CsvOptions{}.sniff_bytes) {
    // Chunk boundaries must not show in the report. (Under the 64 KiB that the decoder sniffs the
    // delimiter from, it sniffs the same bytes however they were cut.)
    kpilens::TicketDataset whole(config);
    read(whole, {});
    KPILENS_FUZZ_CHECK(whole.report_json() == dataset.report_json());
  }
  return 0;
}
