// kpilens CLI: parses flags, streams each file through the engine in 1 MiB chunks (constant memory
// whatever the file size), prints the report. Exit codes: 0 ok, 1 bad input, 2 usage.
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "column_mapping.h"
#include "customer_schema.h"
#include "engine_config.h"
#include "health_score.h"
#include "parallel_file.h"
#include "read_ahead.h"
#include "report_formats.h"
#include "ticket_dataset.h"

namespace {

constexpr const char* kUsage =
    "usage: kpilens report [options] FILE...\n"
    "\n"
    "Reads helpdesk ticket exports, survey answers, and subscription, invoice, MRR and customer\n"
    "exports (CSV/TSV/JSON; '-' is standard input) and prints their support and customer-success\n"
    "KPIs.\n"
    "\n"
    "options:\n"
    "  --config FILE        JSON config (docs/report.md); flags below override it\n"
    "  --grain G            day | week | month | quarter | year | all (default: week)\n"
    "  --week-start DAY     monday (ISO, default) | sunday\n"
    "  --utc-offset OFF     bucket periods on this clock, e.g. +02:00 (default: +00:00)\n"
    "  --by COLUMN          a breakdown by this column or field (repeatable)\n"
    "  --map FIELD=HEADER   feed FIELD from the column HEADER (repeatable); FIELD= unmaps it\n"
    "  --filter COL=V1,V2   keep rows whose COL is one of the values (repeatable)\n"
    "  --from DATE          keep tickets created on or after DATE (YYYY-MM-DD)\n"
    "  --to DATE            keep tickets created on or before DATE\n"
    "  --figures ID,ID      only these ticket figures (ids as in docs/kpis.md, e.g. csat,nps);\n"
    "                       the columns no such figure needs are not read\n"
    "  --format F           json (default) | csv | text | health-csv (every customer's health "
    "score)\n"
    "  --threads N          read each ticket CSV of 32 MiB or more with N threads (default 1); "
    "the\n"
    "                       report is the same, byte for byte\n"
    "  --version            print the version\n"
    "  --help               print this help\n";

int usage_error(const std::string& message) {
  std::fprintf(stderr, "kpilens: %s\n%s", message.c_str(), kUsage);
  return 2;
}

bool read_text_file(const std::string& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream buffer;
  buffer << in.rdbuf();
  out = buffer.str();
  return true;
}

// Files this large are read in parts with --threads (smaller ones: starting threads costs more).
constexpr uint64_t kParallelBytes = uint64_t{32} << 20;

uint64_t file_bytes(const std::string& path) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) return 0;
  uint64_t size = 0;
  if (std::fseek(file, 0, SEEK_END) == 0) {
    const long end = std::ftell(file);
    size = end < 0 ? 0 : static_cast<uint64_t>(end);
  }
  std::fclose(file);
  return size;
}

// The report names a file by its base name: paths can say more about a machine than a report
// should. `files.<name>` in the config is keyed by it too.
std::string file_name(const std::string& path) {
  if (path == "-") return "stdin";
  const size_t slash = path.find_last_of("/\\");
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// Streams one file into the dataset, the next chunk read while the engine decodes this one
// (read_ahead.h). Returns an error message, or "" when the file was read.
std::string stream_file(kpilens::TicketDataset& dataset, const std::string& path) {
  std::FILE* file = path == "-" ? stdin : std::fopen(path.c_str(), "rb");
  if (file == nullptr) return path + ": " + std::strerror(errno);
  dataset.begin_file(file_name(path));
  {
    kpilens::cli::ReadAhead chunks(file, kpilens::kFeedBytes);
    for (std::string_view bytes = chunks.next(); !bytes.empty(); bytes = chunks.next()) {
      dataset.feed(bytes);
    }
  }
  bool failed = std::ferror(file) != 0;
  if (file != stdin) std::fclose(file);
  dataset.end_file();
  return failed ? path + ": read error" : "";
}

// A file's kind from its first 64 KiB (standard input cannot be read twice: tickets).
kpilens::DatasetKind probe_kind(const kpilens::TicketDataset& dataset, const std::string& path,
                                std::vector<char>& chunk) {
  if (path == "-") return kpilens::DatasetKind::kTickets;
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) return kpilens::DatasetKind::kTickets;  // stream_file reports it
  size_t got = std::fread(chunk.data(), 1, chunk.size(), file);
  std::fclose(file);
  return dataset.probe(file_name(path), std::string_view(chunk.data(), got)).kind;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) return usage_error("no command");
  if (args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::fputs(kUsage, stdout);
    return 0;
  }
  if (args[0] == "--version") {
    std::printf("kpilens %s\n", KPILENS_VERSION);
    return 0;
  }
  if (args[0] != "report") return usage_error("unknown command '" + args[0] + "'");

  std::string config_path, format = "json";
  size_t threads = 1;
  std::vector<std::string> files;
  std::vector<std::pair<std::string, std::string>> flags;  // applied after the config file
  for (size_t i = 1; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&](std::string& out) {
      if (i + 1 >= args.size()) return false;
      out = args[++i];
      return true;
    };
    std::string v;
    if (a == "--help" || a == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    } else if (a == "--config") {
      if (!value(config_path)) return usage_error("--config needs a file");
    } else if (a == "--format") {
      if (!value(format)) return usage_error("--format needs json, csv, text or health-csv");
      if (format != "json" && format != "csv" && format != "text" && format != "health-csv") {
        return usage_error("--format must be json, csv, text or health-csv");
      }
    } else if (a == "--threads") {
      if (!value(v)) return usage_error("--threads needs a number");
      char* end = nullptr;
      const unsigned long n = std::strtoul(v.c_str(), &end, 10);
      if (end == v.c_str() || *end != '\0' || n < 1 || n > 64) {
        return usage_error("--threads must be a whole number from 1 to 64");
      }
      threads = static_cast<size_t>(n);
    } else if (a == "--grain" || a == "--by" || a == "--map" || a == "--utc-offset" ||
               a == "--week-start" || a == "--filter" || a == "--from" || a == "--to" ||
               a == "--figures") {
      if (!value(v)) return usage_error(a + " needs a value");
      flags.emplace_back(a, v);
    } else if (a.size() > 1 && a[0] == '-' && a != "-") {
      return usage_error("unknown option '" + a + "'");
    } else {
      files.push_back(a);
    }
  }
  if (files.empty()) return usage_error("no input file");

  std::string config_json;
  if (!config_path.empty() && !read_text_file(config_path, config_json)) {
    std::fprintf(stderr, "kpilens: %s: cannot read the config file\n", config_path.c_str());
    return 1;
  }
  kpilens::ConfigResult parsed = kpilens::parse_config(config_json);
  if (!parsed.errors.empty()) {
    std::fprintf(stderr, "kpilens: %s: %s\n", config_path.c_str(), parsed.errors[0].c_str());
    return 1;
  }
  kpilens::EngineConfig config = parsed.config;
  for (const auto& [flag, v] : flags) {
    if (flag == "--grain") {
      auto grain = kpilens::parse_grain(v);
      if (!grain) return usage_error("--grain must be day, week, month, quarter, year or all");
      config.period.grain = *grain;
    } else if (flag == "--week-start") {
      if (v != "monday" && v != "sunday")
        return usage_error("--week-start must be monday or sunday");
      config.period.week_starts_sunday = v == "sunday";
    } else if (flag == "--utc-offset") {
      auto minutes = kpilens::parse_utc_offset(v);
      if (!minutes) return usage_error("--utc-offset must look like +02:00");
      config.period.utc_offset_minutes = *minutes;
    } else if (flag == "--by") {
      config.by.push_back(v);
    } else if (flag == "--map") {
      size_t eq = v.find('=');
      if (eq == std::string::npos || eq == 0) return usage_error("--map needs FIELD=HEADER");
      std::string field = v.substr(0, eq), header = v.substr(eq + 1);
      if (!kpilens::field_from_name(field) && !kpilens::customer_field_from_name(field))
        return usage_error("--map: unknown field '" + field + "'");
      if (header.empty()) {
        config.mapping.columns.emplace_back(field, std::nullopt);
      } else {
        config.mapping.columns.emplace_back(field, header);
      }
    } else if (flag == "--filter") {
      size_t eq = v.find('=');
      if (eq == std::string::npos || eq == 0) return usage_error("--filter needs COLUMN=V1,V2");
      kpilens::FilterSpec filter{v.substr(0, eq), {}};
      std::string rest = v.substr(eq + 1);
      size_t start = 0;
      while (start <= rest.size()) {
        size_t comma = rest.find(',', start);
        if (comma == std::string::npos) comma = rest.size();
        filter.values.push_back(rest.substr(start, comma - start));
        start = comma + 1;
      }
      config.filters.push_back(std::move(filter));
    } else if (flag == "--figures") {
      std::vector<std::string> ids;
      for (size_t start = 0; start <= v.size();) {
        size_t comma = v.find(',', start);
        if (comma == std::string::npos) comma = v.size();
        if (comma > start) ids.push_back(v.substr(start, comma - start));
        start = comma + 1;
      }
      const std::string error = kpilens::select_figures(config, ids);
      if (!error.empty()) return usage_error("--" + error);
    } else if (flag == "--from" || flag == "--to") {
      std::string json =
          "{\"" + std::string(flag == "--from" ? "date_from" : "date_to") + "\":\"" + v + "\"}";
      auto day = kpilens::parse_config(json);
      if (!day.errors.empty()) return usage_error(flag + " must be a date like 2024-01-31");
      if (flag == "--from") {
        config.date_from = day.config.date_from;
      } else {
        config.date_to = day.config.date_to;
      }
    }
  }

  auto dataset = std::make_unique<kpilens::TicketDataset>(config);
  std::vector<char> chunk(size_t{64} << 10);  // a file's first bytes, for its kind
  int status = 0;
  // Survey answers first (they wait for the tickets they join to), then customer-success files (a
  // ticket's requester is noted for the health score only once the dataset has customer-success
  // input), then tickets; stable otherwise (wasm/bindings/read_order.mjs does the same).
  std::vector<int> ranks;
  for (const std::string& path : files) {
    const kpilens::DatasetKind kind = probe_kind(*dataset, path, chunk);
    ranks.push_back(kind == kpilens::DatasetKind::kSurvey    ? 0
                    : kind == kpilens::DatasetKind::kTickets ? 2
                                                             : 1);
  }
  std::vector<size_t> order(files.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return ranks[a] < ranks[b]; });
  std::vector<std::string> ordered;
  for (size_t i : order) ordered.push_back(files[i]);
  files = std::move(ordered);
  for (size_t k = 0; k < files.size(); ++k) {
    const std::string& path = files[k];
    std::string error;
    if (threads > 1 && path != "-" && file_bytes(path) >= kParallelBytes) {
      std::string why;
      const auto read =
          kpilens::cli::read_file_in_parts(*dataset, config, path, file_name(path), threads, why);
      if (read == kpilens::cli::ParallelRead::kReadError) error = path + ": read error";
      if (read == kpilens::cli::ParallelRead::kSequential) {
        // The parts cannot give the sequential report (docs/architecture.md, "Parallel
        // reading"): everything again, one thread.
        dataset = std::make_unique<kpilens::TicketDataset>(config);
        threads = 1;
        k = static_cast<size_t>(-1);
        continue;
      }
    } else {
      error = stream_file(*dataset, path);
    }
    if (!error.empty()) {
      std::fprintf(stderr, "kpilens: %s\n", error.c_str());
      return 1;
    }
  }
  kpilens::TicketDataset& finished = *dataset;
  std::string report = finished.report_json();
  for (const std::string& error : finished.errors()) {
    std::fprintf(stderr, "kpilens: %s\n", error.c_str());
    status = 1;
  }
  if (finished.failed()) return 1;
  if (format == "json") {
    std::fwrite(report.data(), 1, report.size(), stdout);
    std::fputc('\n', stdout);
  } else if (format == "health-csv") {
    std::string csv = kpilens::health_csv(finished.customers(), finished.failed());
    std::fwrite(csv.data(), 1, csv.size(), stdout);
  } else {
    auto rendered =
        format == "csv" ? kpilens::report_to_csv(report) : kpilens::report_to_text(report);
    if (!rendered) {
      std::fprintf(stderr, "kpilens: internal error: the report could not be rendered\n");
      return 1;
    }
    std::fwrite(rendered->data(), 1, rendered->size(), stdout);
  }
  return status;
}
