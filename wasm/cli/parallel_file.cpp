// parallel_file: see parallel_file.h. Each thread opens the file itself; nothing is shared between
// threads but the results they hand back after join().
#include "parallel_file.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <memory>
#include <thread>
#include <vector>

#include "csv_scanner.h"

namespace kpilens::cli {

namespace {

constexpr uint64_t kChunkBytes = kFeedBytes;
constexpr uint64_t kHeadBytes = uint64_t{256} << 10;
constexpr uint64_t kMaxHeadBytes = uint64_t{32} << 20;
constexpr uint64_t kSearchBytes = uint64_t{64} << 10;
constexpr uint64_t kMaxGuessBytes = uint64_t{64} << 20;
// A helper thread's time beyond reading its part, as a share of that time: saving its state. The
// first part (this thread's) is larger by as much and by the head, which each helper replays.
// The same rule as wasm/bindings/parallel_read.mjs (partCuts).
constexpr double kSaveShare = 1.0 / 12;

// A file opened by one thread.
class Source {
 public:
  explicit Source(const std::string& path) : file_(std::fopen(path.c_str(), "rb")) {
    if (file_ != nullptr && std::fseek(file_, 0, SEEK_END) == 0) {
      const long end = std::ftell(file_);
      size_ = end < 0 ? 0 : static_cast<uint64_t>(end);
    }
  }
  ~Source() {
    if (file_ != nullptr) std::fclose(file_);
  }
  Source(const Source&) = delete;
  Source& operator=(const Source&) = delete;

  bool ok() const { return file_ != nullptr && !failed_; }
  uint64_t size() const { return size_; }

  // The bytes [start, end) (clipped to the file), into `out`.
  std::string_view read(uint64_t start, uint64_t end, std::vector<char>& out) {
    if (end > size_) end = size_;
    if (start >= end || file_ == nullptr) return {};
    out.resize(static_cast<size_t>(end - start));
    if (std::fseek(file_, static_cast<long>(start), SEEK_SET) != 0) {
      failed_ = true;
      return {};
    }
    const size_t got = std::fread(out.data(), 1, out.size(), file_);
    if (got != out.size()) failed_ = true;
    return std::string_view(out.data(), got);
  }

  char byte_before(uint64_t at, std::vector<char>& scratch) {
    if (at == 0) return 0;
    std::string_view b = read(at - 1, at, scratch);
    return b.empty() ? 0 : b[0];
  }

 private:
  std::FILE* file_;
  uint64_t size_ = 0;
  bool failed_ = false;
};

struct Counts {
  bool odd = false;
  uint64_t lines = 0;
};

Counts count_range(Source& source, uint64_t start, uint64_t end) {
  std::vector<char> buffer;
  char previous = source.byte_before(start, buffer);
  Counts counts;
  for (uint64_t at = start; at < end;) {
    const std::string_view bytes = source.read(at, std::min(end, at + kChunkBytes), buffer);
    if (bytes.empty()) break;
    const QuoteLineCount c = count_quotes_and_line_breaks(bytes, previous);
    counts.odd ^= (c.quotes & 1) != 0;
    counts.lines += c.line_breaks;
    previous = bytes.back();
    at += bytes.size();
  }
  return counts;
}

struct Place {
  uint64_t at = 0;  // a byte offset, then the record start found at or after it
  bool in_quotes = false;
  uint64_t line = 1;
};

// The first record start at or after `from.at`, and its line.
Place record_start_from(Source& source, Place from) {
  std::vector<char> buffer;
  char previous = source.byte_before(from.at, buffer);
  for (uint64_t at = from.at; at < source.size();) {
    const std::string_view bytes = source.read(at, at + kSearchBytes, buffer);
    if (bytes.empty()) break;
    const size_t found = find_record_start(bytes, from.in_quotes, previous);
    if (found != std::string_view::npos) {
      from.line += count_quotes_and_line_breaks(bytes.substr(0, found), previous).line_breaks;
      return {at + found, false, from.line};
    }
    const QuoteLineCount c = count_quotes_and_line_breaks(bytes, previous);
    from.in_quotes ^= (c.quotes & 1) != 0;
    from.line += c.line_breaks;
    previous = bytes.back();
    at += bytes.size();
  }
  return {source.size(), false, from.line};
}

// Feeds the bytes [start, end) to the dataset, kChunkBytes at a time; after each read,
// `after_read(at)` (the bytes fed so far end at `at`) may lower `end`, never below `at` (this
// thread's own part, rebalanced at its end).
template <class AfterRead>
void feed_until(TicketDataset& dataset, Source& source, uint64_t start, uint64_t& end,
                AfterRead after_read) {
  std::vector<char> buffer;
  for (uint64_t at = start; at < end;) {
    const std::string_view bytes = source.read(at, std::min(end, at + kChunkBytes), buffer);
    if (bytes.empty()) break;
    dataset.feed(bytes);
    at += bytes.size();
    after_read(at);
  }
}

void feed_range(TicketDataset& dataset, Source& source, uint64_t start, uint64_t end) {
  feed_until(dataset, source, start, end, [](uint64_t) {});
}

// The first record start at or after the cut `at`, the quote state there unknown: guessed by the
// dataset (fed the head) over a window that grows until it finds one; the file's size when none.
// The threads on both sides of a cut find the same offset.
uint64_t guess_record_start(const TicketDataset& dataset, Source& source, uint64_t at) {
  std::vector<char> buffer;
  const char previous = source.byte_before(at, buffer);
  for (uint64_t window = kSearchBytes; at < source.size() && window <= kMaxGuessBytes;
       window *= 4) {
    const std::string_view bytes = source.read(at, at + window, buffer);
    if (bytes.empty()) break;
    const size_t found = dataset.guess_record_start(bytes, previous);
    if (found != std::string_view::npos) return at + found;
    if (at + bytes.size() >= source.size()) break;
  }
  return source.size();
}

struct Part {
  uint64_t from = 0, to = 0;
  std::vector<uint8_t> state;  // empty: no record starts in the range
  bool failed = false;
  std::string error;
  // On its thread's clock: reading its bytes, and the whole task (the head replayed, the guesses,
  // the state saved too). What the rebalancing weighs.
  double read_ms = 0, ms = 0;
};

double ms_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
      .count();
}

}  // namespace

ParallelRead read_file_in_parts(TicketDataset& dataset, const EngineConfig& config,
                                const std::string& path, const std::string& name, size_t threads,
                                std::string& why, const Rebalancing& rebalancing,
                                uint64_t* handed_bytes) {
  if (handed_bytes != nullptr) *handed_bytes = 0;
  Source source(path);
  if (!source.ok()) return ParallelRead::kReadError;
  const uint64_t size = source.size();
  dataset.begin_file(name);
  // The head: from the file's start the quote state is known, so its end is an exact record start.
  // It starts at kHeadBytes and doubles while the engine says it is too short (head_too_short()),
  // as in wasm/bindings/parallel_read.mjs: each helper replays it.
  uint64_t head_target = std::min(kHeadBytes, size);
  Place head;
  for (;;) {
    // From head.at, a record start, on: outside quotes.
    const Counts before = count_range(source, head.at, head_target);
    const Place next =
        record_start_from(source, {head_target, before.odd, head.line + before.lines});
    feed_range(dataset, source, head.at, next.at);
    head = next;
    why = head.at >= size ? "the head is the whole file" : dataset.part_refusal();
    if (head.at >= size || head.at >= kMaxHeadBytes || !dataset.head_too_short()) break;
    head_target = std::min(size, std::max(2 * head.at, head.at + kSearchBytes));
  }
  if (!why.empty()) {
    feed_range(dataset, source, head.at, size);
    dataset.end_file();
    return source.ok() ? ParallelRead::kDone : ParallelRead::kReadError;
  }
  // The parts, one thread each. This thread reads the first into `dataset` itself, after the head
  // (a sequential read so far), up to the record start guessed at the first cut. Each other thread
  // replays the head, then reads from the record start guessed at its cut (its lines counted from
  // 1: the merge places them) to the one guessed at the next cut. No pre-pass over the bytes before
  // a cut: merge_part checks each guess (the part before must end there at a record start).
  const double helper_part = static_cast<double>(size > 2 * head.at ? size - 2 * head.at : 0) /
                             (static_cast<double>(threads) + kSaveShare);
  std::vector<uint64_t> cuts{head.at};
  for (size_t i = 1; i < threads; ++i) {
    cuts.push_back(size - static_cast<uint64_t>(helper_part * static_cast<double>(threads - i)));
  }
  cuts.push_back(size);
  // Slots 0 … threads − 2: the helpers' parts; the last: a second task, when one is handed over.
  std::vector<Part> parts(threads);
  const auto done = std::make_unique<std::atomic<bool>[]>(threads);
  uint64_t own_end = size;
  {
    // One helper's task in slot `slot`: replays the head, then reads from the record start guessed
    // at `start` to the one guessed at `end` (the file's end when `end` is the size).
    auto run_part = [&](size_t slot, uint64_t start, uint64_t end) {
      const auto started = std::chrono::steady_clock::now();
      Part& mine = parts[slot];
      Source own(path);
      TicketDataset part(config);
      part.begin_file(name);
      feed_range(part, own, 0, head.at);
      mine.from = guess_record_start(part, own, start);
      mine.to = end < size ? guess_record_start(part, own, end) : size;
      if (mine.from < mine.to) {
        if (part.begin_part(mine.from, 1)) {
          const auto reading = std::chrono::steady_clock::now();
          feed_range(part, own, mine.from, mine.to);
          mine.read_ms = ms_since(reading);
          mine.state = part.save_part(mine.to == size);
          mine.failed = !own.ok();
        } else {
          mine.failed = true;
          mine.error = part.part_refusal();
        }
      }
      mine.ms = ms_since(started);
      done[slot].store(true, std::memory_order_release);
    };
    std::vector<std::thread> running;
    running.reserve(threads);
    for (size_t i = 1; i < threads; ++i) {
      running.emplace_back(run_part, i - 1, cuts[i], cuts[i + 1]);
    }
    own_end = guess_record_start(dataset, source, cuts[1]);
    // This thread's part, rebalanced at its end as wasm/bindings/parallel_read.mjs does
    // (docs/architecture.md, "The end of the first part, rebalanced"): every step_bytes (8 MiB) it
    // looks whether a helper is done; if one is and at least min_bytes (4 MiB) would move, it cuts
    // what is left where both should end together and hands the end over, once.
    const auto started = std::chrono::steady_clock::now();
    uint64_t step = head.at + rebalancing.step_bytes;
    bool cut_tried = !rebalancing.on;
    feed_until(dataset, source, head.at, own_end, [&](uint64_t at) {
      if (cut_tried || at < step || at >= own_end) return;
      step = at + rebalancing.step_bytes;
      if (rebalancing.wait_for_a_helper) {
        // (Tests: a helper done first, whatever the speeds.)
        while (!done[0].load(std::memory_order_acquire)) std::this_thread::yield();
      }
      for (size_t i = 0; i + 1 < threads; ++i) {
        if (!done[i].load(std::memory_order_acquire)) continue;
        const Part& first = parts[i];
        if (first.state.empty() || first.read_ms <= 0) continue;
        const double own_rate =
            static_cast<double>(at - head.at) / std::max(1e-3, ms_since(started));
        const double helper_rate = static_cast<double>(first.to - first.from) / first.read_ms;
        const double overhead_ms = std::max(0.0, first.ms - first.read_ms);
        // Both end together when (cut − at) / own_rate = overhead_ms + (end − cut) / helper_rate.
        const double cut =
            rebalancing.share >= 0
                ? static_cast<double>(at) + rebalancing.share * static_cast<double>(own_end - at)
                : (overhead_ms + static_cast<double>(own_end) / helper_rate +
                   static_cast<double>(at) / own_rate) /
                      (1 / own_rate + 1 / helper_rate);
        if (!(cut >= static_cast<double>(at) &&
              static_cast<double>(own_end) - cut >= static_cast<double>(rebalancing.min_bytes))) {
          break;
        }
        cut_tried = true;
        const auto cut_at = static_cast<uint64_t>(cut);
        const uint64_t end = guess_record_start(dataset, source, cut_at);
        if (end < own_end) {
          running.emplace_back(run_part, threads - 1, cut_at, cuts[1]);
          if (handed_bytes != nullptr) *handed_bytes = own_end - end;
          own_end = end;
        }
        break;
      }
    });
    for (std::thread& t : running) t.join();
  }
  // Not at a record start there (the guess at the first cut was wrong: irregular quotes), or the
  // rows so far decided something the parts cannot repeat: this thread reads on alone.
  if (own_end < size) why = dataset.part_refusal();
  if (!why.empty()) {
    feed_range(dataset, source, own_end, size);
    dataset.end_file();
    return source.ok() ? ParallelRead::kDone : ParallelRead::kReadError;
  }
  if (!source.ok()) return ParallelRead::kReadError;
  // In file order. The parts must follow each other from the first part's end to the file's: a
  // guess past the next cut (no record start near it) can leave a later part starting before an
  // earlier one ended.
  // (The second task's part, in the last slot, lies before the helpers' first parts.)
  std::vector<Part*> in_order;
  for (Part& part : parts) in_order.push_back(&part);
  std::stable_sort(in_order.begin(), in_order.end(),
                   [](const Part* a, const Part* b) { return a->from < b->from; });
  uint64_t next = own_end;
  for (Part* part : in_order) {
    if (part->failed) {
      why = part->error;
      return part->error.empty() ? ParallelRead::kReadError : ParallelRead::kSequential;
    }
    if (part->state.empty()) continue;
    if (part->from != next) {
      why = "the parts did not follow each other (no record start near a cut)";
      return ParallelRead::kSequential;
    }
    next = part->to;
    const TicketDataset::PartMerge merged = dataset.merge_part(part->state, why);
    if (merged != TicketDataset::PartMerge::kMerged) return ParallelRead::kSequential;
  }
  if (next != size) {
    why = "the parts did not reach the end of the file";
    return ParallelRead::kSequential;
  }
  dataset.end_file();
  return ParallelRead::kDone;
}

}  // namespace kpilens::cli
