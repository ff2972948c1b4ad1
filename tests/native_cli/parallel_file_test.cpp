// wasm/cli/parallel_file: a file read by `kpilens report --threads N` gives the one-thread report
// byte for byte, also when a helper done first takes over the end of this thread's part (forced
// here: this thread waits for the helper at its first look and hands over half of what is left),
// when this thread, done first, takes over the end of helpers' parts (forced: each helper waits
// after its first read until this thread has taken what it would, and keeps half of what it has
// left each time), and when a helper done first takes over the end of another helper's part
// (forced: the last helper waits after its first read until one has).
// tests/cli/threads.test.mjs runs the CLI itself on files over the 32 MiB threshold.
#include "parallel_file.h"

#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <tuple>

#include <unistd.h>

#include "engine_config.h"
#include "ticket_dataset.h"

namespace kpilens {
namespace {

// ~4.6 MB of tickets (this thread reads 1 MiB at a time, so its part must span a few reads): a
// quoted subject with a line break in every seventh row, CRLF line ends.
std::string generate_export(size_t rows) {
  std::mt19937_64 rng(7);
  auto pick = [&](size_t n) { return static_cast<size_t>(rng() % n); };
  std::string out = "Id,Created at,Solved at,Status,Via,Assignee,Subject,Satisfaction Score\r\n";
  for (size_t i = 0; i < rows; ++i) {
    const int day = 1 + static_cast<int>(pick(28));
    char row[256];
    std::snprintf(row, sizeof row,
                  "%zu,2024-03-%02d 08:%02zu:00,2024-03-%02d 17:00:00,%s,%s,Agent %zu,", i + 1, day,
                  pick(60), day, pick(5) ? "Solved" : "Open", pick(2) ? "email" : "chat", pick(7));
    out += row;
    out += i % 7 == 0 ? "\"Line one\r\nline two, \"\"quoted\"\"\""
                      : "Subject " + std::to_string(pick(100));
    out += ",";
    if (pick(3) == 0) out += std::to_string(1 + pick(5));
    out += "\r\n";
  }
  return out;
}

// A file of this test's in the temp directory, named for this process (tests of several checkouts
// may run at once).
std::filesystem::path temp_file(const std::string& name) {
  return std::filesystem::temp_directory_path() /
         ("kpilens_" + std::to_string(::getpid()) + "_" + name);
}

std::string sequential_report(const EngineConfig& config, const std::string& bytes) {
  TicketDataset dataset(config);
  dataset.begin_file("tickets.csv");
  for (size_t at = 0; at < bytes.size(); at += 1 << 20) {
    dataset.feed(std::string_view(bytes).substr(at, 1 << 20));
  }
  dataset.end_file();
  return dataset.report_json();
}

TEST_CASE("parallel_file: a helper done first takes over the end of this thread's part") {
  const std::string bytes = generate_export(50000);
  const std::filesystem::path path = temp_file("parallel_file_test.csv");
  std::ofstream(path, std::ios::binary) << bytes;
  EngineConfig config;
  config.by = {"channel", "agent"};
  const std::string expected = sequential_report(config, bytes);
  for (const double share : {0.5, 0.0, 0.9}) {
    for (const size_t threads : {size_t{2}, size_t{3}}) {
      INFO("share " << share << ", " << threads << " threads");
      cli::Rebalancing rebalancing;
      rebalancing.step_bytes = 64 << 10;
      rebalancing.min_bytes = 16 << 10;
      rebalancing.share = share;
      rebalancing.wait_for_a_helper = true;
      TicketDataset dataset(config);
      std::string why;
      cli::Moved moved;
      const cli::ParallelRead read = cli::read_file_in_parts(
          dataset, config, path.string(), "tickets.csv", threads, why, rebalancing, &moved);
      REQUIRE(read == cli::ParallelRead::kDone);
      CHECK(why.empty());
      CHECK(moved.handed >= 16 << 10);
      CHECK(dataset.report_json() == expected);
    }
  }
  // This thread takes over the ends of the helpers' parts: several times from each, as a helper
  // that waits keeps half of what it has left each time, until less than twice min_bytes is left.
  for (const size_t threads : {size_t{2}, size_t{3}}) {
    INFO(threads << " threads, taken over");
    cli::Rebalancing rebalancing;
    // (With 3 threads a helper's part is ~1.2 MB, read 1 MiB at a time: ~60 KB each is left.)
    rebalancing.min_bytes = 16 << 10;
    rebalancing.helper_share = 0.5;
    rebalancing.wait_for_this_thread = true;
    TicketDataset dataset(config);
    std::string why;
    cli::Moved moved{1, 0, 1};
    const cli::ParallelRead read = cli::read_file_in_parts(
        dataset, config, path.string(), "tickets.csv", threads, why, rebalancing, &moved);
    REQUIRE(read == cli::ParallelRead::kDone);
    CHECK(why.empty());
    CHECK(moved.handed == 0);
    CHECK(moved.taken >= 16 << 10);
    CHECK(moved.passed == 0);  // (every helper waits until this thread is done)
    CHECK(dataset.report_json() == expected);
  }
  // A helper done first takes over the end of the last helper's part, which waits for it after its
  // first read (this thread takes over nothing), as its next task; with four threads, either of the
  // other two may. (Four threads on a file twice as long: the last part must outlast a read.)
  const std::string longer = generate_export(100000);
  const std::filesystem::path longer_path = temp_file("parallel_file_test_longer.csv");
  std::ofstream(longer_path, std::ios::binary) << longer;
  for (const auto& [threads, file, report] :
       {std::tuple{size_t{3}, path, expected},
        std::tuple{size_t{4}, longer_path, sequential_report(config, longer)}}) {
    INFO(threads << " threads, passed on");
    cli::Rebalancing rebalancing;
    rebalancing.min_bytes = 16 << 10;
    rebalancing.helper_share = 0.5;
    rebalancing.hold_last_helper = true;
    TicketDataset dataset(config);
    std::string why;
    cli::Moved moved;
    const cli::ParallelRead read = cli::read_file_in_parts(
        dataset, config, file.string(), "tickets.csv", threads, why, rebalancing, &moved);
    REQUIRE(read == cli::ParallelRead::kDone);
    CHECK(why.empty());
    CHECK(moved.taken == 0);
    CHECK(moved.passed >= 16 << 10);
    CHECK(dataset.report_json() == report);
  }
  std::filesystem::remove(longer_path);
  // Off, or with a helper that is never done first by enough: nothing is handed over.
  cli::Rebalancing off;
  off.on = false;
  TicketDataset dataset(config);
  std::string why;
  cli::Moved moved{1, 1, 1};
  REQUIRE(cli::read_file_in_parts(dataset, config, path.string(), "tickets.csv", 3, why, off,
                                  &moved) == cli::ParallelRead::kDone);
  CHECK(moved.handed == 0);
  CHECK(moved.taken == 0);
  CHECK(moved.passed == 0);
  CHECK(dataset.report_json() == expected);
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace kpilens
