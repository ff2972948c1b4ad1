// report_check: what every report must satisfy, whatever the input: valid UTF-8, valid JSON (an
// object with the whole KPI catalogue); with `all_forms`, also the same bytes when asked twice, and
// CSV and text forms that can be written, with spreadsheet formulas neutralised in every CSV cell
// that carries data. (Those write or parse the report again: most of a run's time.)
#pragma once

#include <simdjson.h>

#include <string>
#include <string_view>

#include "csv_decoder.h"
#include "fuzz_input.h"
#include "report_formats.h"
#include "ticket_dataset.h"
#include "ticket_kpis.h"

namespace kpilens::fuzz {

// Every record of the long CSV form has its 9 columns, and no text cell (period, segment column,
// segment) starts with a character that makes a spreadsheet evaluate it.
class LongCsvChecker : public CsvRecordSink {
 public:
  void on_record(const CsvRecord& record) override {
    KPILENS_FUZZ_CHECK(record.fields.size() == 9);
    for (size_t column : {4, 5, 6}) {
      std::string_view cell = record.fields[column];
      KPILENS_FUZZ_CHECK(cell.empty() || (cell[0] != '=' && cell[0] != '+' && cell[0] != '-' &&
                                          cell[0] != '@' && cell[0] != '\t' && cell[0] != '\r'));
    }
  }
  void on_bad_record(uint64_t, std::string_view) override { __builtin_trap(); }
};

inline void check_report(TicketDataset& dataset, bool all_forms) {
  const std::string json = dataset.report_json();
  KPILENS_FUZZ_CHECK(simdjson::validate_utf8(json.data(), json.size()));
  simdjson::dom::parser parser;
  simdjson::dom::object root;
  KPILENS_FUZZ_CHECK(parser.parse(json).get(root) == simdjson::SUCCESS);
  simdjson::dom::array kpis;
  KPILENS_FUZZ_CHECK(root["kpis"].get(kpis) == simdjson::SUCCESS);
  KPILENS_FUZZ_CHECK(kpis.size() == ticket_kpi_catalogue().size());
  bool ok = false;
  KPILENS_FUZZ_CHECK(root["ok"].get(ok) == simdjson::SUCCESS);
  if (!all_forms) return;
  KPILENS_FUZZ_CHECK(dataset.report_json() == json);

  auto csv = report_to_csv(json);
  KPILENS_FUZZ_CHECK(csv.has_value());
  KPILENS_FUZZ_CHECK(simdjson::validate_utf8(csv->data(), csv->size()));
  CsvOptions options;
  options.delimiter = ',';
  CsvDecoder decoder(options);
  LongCsvChecker checker;
  decoder.feed(*csv, checker);
  decoder.finish(checker);

  auto text = report_to_text(json);
  KPILENS_FUZZ_CHECK(text.has_value());
  KPILENS_FUZZ_CHECK(simdjson::validate_utf8(text->data(), text->size()));
}

}  // namespace kpilens::fuzz
