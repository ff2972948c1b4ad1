// dataset_fuzz: the façade end to end, as the page and the CLI drive it: begin_file, feed in
// fuzzer-chosen chunks, end_file (once or twice: a second file from the second half of the input),
// then the report, checked by report_check.h; with the thorough bit, also against the report of the
// same files fed whole.
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine_config.h"
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

// Bit 6 of the option byte: the rows after the header repeat until the file is over 12 KiB, so that
// files pass the 8 KiB that TicketDataset judges before decoding starts, with small fuzz inputs.
std::string repeat_rows(std::string_view file) {
  std::string out(file);
  const size_t header_end = file.find('\n');
  if (header_end == std::string_view::npos || header_end + 1 == file.size()) return out;
  const std::string_view rows = file.substr(header_end + 1);
  while (out.size() <= 12 * 1024) out += rows;
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  kpilens::fuzz::FuzzInput input(data, size);
  // Option byte: bits 0–1 the config, bit 2 a second file (from the second half of the input),
  // bit 3 the thorough checks (every form of the report, and the same report when each file is fed
  // in one chunk), bits 4–5 how many rows decide the date order (1000, 1, 2 or 5), bit 6 rows
  // repeated (repeat_rows).
  const uint8_t options = input.byte();
  const std::vector<uint8_t> plan = input.chunk_plan();
  const std::string_view bytes = input.rest();

  kpilens::ConfigResult parsed = kpilens::parse_config(kConfigs[options & 3]);
  KPILENS_FUZZ_CHECK(parsed.errors.empty());
  constexpr size_t kInferenceRows[] = {1000, 1, 2, 5};
  parsed.config.inference_rows = kInferenceRows[(options >> 4) & 3];
  const bool thorough = (options & 8) != 0;

  std::vector<std::pair<std::string, std::string>> files;
  if (options & 4) {
    files.emplace_back("first.csv", bytes.substr(0, bytes.size() / 2));
    files.emplace_back("second.csv", bytes.substr(bytes.size() / 2));
  } else {
    files.emplace_back("tickets.csv", bytes);
  }
  for (auto& [name, file] : files) {
    if (options & 64) file = repeat_rows(file);
  }

  auto read = [&](kpilens::TicketDataset& dataset, const std::vector<uint8_t>& chunks) {
    for (const auto& [name, file] : files) {
      dataset.begin_file(name);
      kpilens::fuzz::for_each_chunk(file, chunks,
                                    [&](std::string_view chunk) { dataset.feed(chunk); });
      dataset.end_file();
    }
  };

  kpilens::TicketDataset dataset(parsed.config);
  read(dataset, plan);
  kpilens::fuzz::check_report(dataset, thorough);
  if (thorough && !plan.empty()) {
    // Chunk boundaries must not show in the report (the delimiter, too, is sniffed from the same
    // first bytes however they were cut).
    kpilens::TicketDataset whole(parsed.config);
    read(whole, {});
    KPILENS_FUZZ_CHECK(whole.report_json() == dataset.report_json());
  }
  return 0;
}
