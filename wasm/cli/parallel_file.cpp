// parallel_file: see parallel_file.h. Each thread opens the file itself. Shared between threads:
// where each helper's part ends while it is read (PartControl), which a thread done first may move
// back; the Parts, added under a mutex and read after join() (a helper's first one also once it
// says it is done); the done flags and the count of bytes passed on.
#include "parallel_file.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
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

// A helper's part while it is read: where it ends now, which a thread done first may move back (it
// then reads the end itself), and how far the helper has read. Under `mutex`.
struct PartControl {
  std::mutex mutex;
  // kNotYet from when the slot is given a task until its thread first reads a part (its head
  // replayed, its guesses made); kReading while it reads one; kOver between parts, after its last,
  // and for a slot given no task.
  enum class Phase { kNotYet, kReading, kOver } phase = Phase::kOver;
  uint64_t from = 0, end = 0;
  uint64_t end_cut = 0;  // the cut `end` was guessed from (the file's size: its end)
  uint64_t read_to = 0;  // read, or being read: the end never moves before it
  std::chrono::steady_clock::time_point since;
  bool passed_on = false;  // (tests: Rebalancing::hold_last_helper) another helper took its end
};

// Feeds the part [from, to) to `part` a read at a time, each up to where `control` says the part
// ends by then; returns where it ended. `end_cut`: the cut `to` was guessed from. `after_first()`
// runs after the first read (tests).
template <class AfterFirst>
uint64_t feed_part(TicketDataset& part, Source& source, uint64_t from, uint64_t to,
                   uint64_t end_cut, PartControl& control, AfterFirst after_first) {
  {
    std::lock_guard<std::mutex> lock(control.mutex);
    control.phase = PartControl::Phase::kReading;
    control.from = control.read_to = from;
    control.end = to;
    control.end_cut = end_cut;
    control.since = std::chrono::steady_clock::now();
  }
  std::vector<char> buffer;
  for (uint64_t at = from;;) {
    uint64_t until = 0;
    {
      std::lock_guard<std::mutex> lock(control.mutex);
      if (at >= control.end) {
        control.phase = PartControl::Phase::kOver;
        return control.end;
      }
      until = std::min(control.end, at + kChunkBytes);
      control.read_to = until;
    }
    const std::string_view bytes = source.read(at, until, buffer);
    if (bytes.size() != until - at) {  // a read error: the source says so
      std::lock_guard<std::mutex> lock(control.mutex);
      control.phase = PartControl::Phase::kOver;
      return at;
    }
    part.feed(bytes);
    if (at == from) after_first();
    at = until;
  }
}

// Where a part read at `own_rate` from `at` and another read at `other_rate` after `overhead_ms`
// from the cut to `end` both end together: (cut − at) / own_rate = overhead_ms + (end − cut) /
// other_rate (wasm/bindings/parallel_read.mjs handoverCut).
double handover_cut(uint64_t at, uint64_t end, double own_rate, double other_rate,
                    double overhead_ms) {
  return (overhead_ms + static_cast<double>(end) / other_rate +
          static_cast<double>(at) / own_rate) /
         (1 / own_rate + 1 / other_rate);
}

double ms_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
      .count();
}

// The end of a part another thread took over: it reads [end, was) as a task from `cut` to
// `end_cut` (the same guesses as the part's reader).
struct Taken {
  uint64_t cut = 0, end = 0, was = 0, end_cut = 0;
};

enum class Asked {
  kNo,     // not reading a part, or it would not end later than the taker by enough
  kLater,  // not reading a part yet (its first read not begun): no rate to go by
  kTaken,
};

// A thread done first (reading at `taker_rate` bytes a ms, spending `overhead_ms` on a part beside
// reading) asks for the end of the part under `control`: the part, read so far at its own rate,
// and the taker should both end together, the taker taken to read those bytes no faster than the
// part's reader does (its own part's rows may have cost less a byte: so it takes at most half of
// what is left, less its costs); `share` ≥ 0 (tests): the fraction of what is left the part
// keeps. When at least `min_bytes` would move, the part now ends at the record start guessed there
// (with `guesser`, a dataset fed the head, and the taker's own `source`), never before what its
// reader has read or is reading. The guess is made without the lock (the reader reads on
// meanwhile), then checked: when the part moved on or ended meanwhile, the taker asks again.
Asked take_end(PartControl& control, double taker_rate, double overhead_ms, double share,
               uint64_t min_bytes, const TicketDataset& guesser, Source& source, Taken& taken) {
  for (;;) {
    uint64_t from = 0, at = 0, end = 0, end_cut = 0;
    double rate = 0;
    {
      std::lock_guard<std::mutex> lock(control.mutex);
      if (control.phase == PartControl::Phase::kNotYet) return Asked::kLater;
      if (control.phase == PartControl::Phase::kOver) return Asked::kNo;
      from = control.from;
      at = control.read_to;
      end = control.end;
      end_cut = control.end_cut;
      if (at <= from) return Asked::kLater;
      rate = static_cast<double>(at - from) / std::max(1e-3, ms_since(control.since));
    }
    const double cut = share >= 0
                           ? static_cast<double>(at) + share * static_cast<double>(end - at)
                           : handover_cut(at, end, rate, std::min(taker_rate, rate), overhead_ms);
    if (!(cut >= static_cast<double>(at) &&
          static_cast<double>(end) - cut >= static_cast<double>(min_bytes))) {
      return Asked::kNo;
    }
    const auto cut_at = static_cast<uint64_t>(cut);
    const uint64_t guess = guess_record_start(guesser, source, cut_at);
    if (guess >= end) return Asked::kNo;  // no record start between the cut and the part's end
    std::lock_guard<std::mutex> lock(control.mutex);
    if (control.phase != PartControl::Phase::kReading || control.from != from ||
        control.end != end || control.read_to > guess) {
      continue;  // another taker, the part's end, or its reader past the guess: look again
    }
    control.end = guess;
    control.end_cut = cut_at;
    taken = {cut_at, guess, end, end_cut};
    return Asked::kTaken;
  }
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

}  // namespace

ParallelRead read_file_in_parts(TicketDataset& dataset, const EngineConfig& config,
                                const std::string& path, const std::string& name, size_t threads,
                                std::string& why, const Rebalancing& rebalancing, Moved* moved) {
  if (moved != nullptr) *moved = {};
  Source source(path);
  if (!source.ok()) return ParallelRead::kReadError;
  const uint64_t size = source.size();
  dataset.begin_file(name);
  // The head: from the file's start the quote state is known, so its end is an exact record start.
  // It starts at kHeadBytes and doubles while the engine says it is too short (head_too_short()),
  // as in wasm/bindings/parallel_read.mjs: each helper replays it.
  uint64_t head_target = std::min(kHeadBytes, size);
  Place head;
  double head_feed_ms = 0;  // about what a helper's replay of the head takes
  for (;;) {
    // From head.at, a record start, on: outside quotes.
    const Counts before = count_range(source, head.at, head_target);
    const Place next =
        record_start_from(source, {head_target, before.odd, head.line + before.lines});
    const auto feeding = std::chrono::steady_clock::now();
    feed_range(dataset, source, head.at, next.at);
    head_feed_ms += ms_since(feeding);
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
  // Slots 0 … threads − 2: the helpers' first parts; threads − 1: a second task, when one is
  // handed over; after it, the parts a thread took over of a helper's. (A deque: a Part stays where
  // it is while a thread adds one, under parts_mutex; the slots' are reached through slot_parts.)
  std::deque<Part> parts(threads);
  std::mutex parts_mutex;
  std::vector<Part*> slot_parts;
  for (Part& part : parts) slot_parts.push_back(&part);
  auto add_part = [&]() -> Part* {
    std::lock_guard<std::mutex> lock(parts_mutex);
    return &parts.emplace_back();
  };
  // A slot's thread is done: its first part's figures are final, and it reads nothing more.
  const auto done = std::make_unique<std::atomic<bool>[]>(threads);
  const auto controls = std::make_unique<PartControl[]>(threads);
  std::atomic<uint64_t> passed{0};
  std::atomic<bool> own_done{false};
  uint64_t own_end = size;
  {
    // One task into `mine`: replays the head, then reads from the record start guessed at `start`
    // to the one guessed at `end` (the file's end when `end` is the size). A helper's has a control
    // (another thread may end its part earlier); after each part it reads, `next(mine, part, own)`
    // (the part, its dataset and its source, for the guess) may give it another task (the end of a
    // slower helper's part), read the same way into a new Part, with a dataset of its own once this
    // part's is gone.
    auto run_part = [&](Part* mine, PartControl* control, uint64_t start, uint64_t end, auto next) {
      for (;;) {
        const auto started = std::chrono::steady_clock::now();
        Source own(path);
        TicketDataset part(config);
        part.begin_file(name);
        feed_range(part, own, 0, head.at);
        mine->from = guess_record_start(part, own, start);
        mine->to = end < size ? guess_record_start(part, own, end) : size;
        if (mine->from < mine->to) {
          if (part.begin_part(mine->from, 1)) {
            const auto reading = std::chrono::steady_clock::now();
            if (control != nullptr) {
              mine->to = feed_part(part, own, mine->from, mine->to, end, *control, [&] {
                if (rebalancing.wait_for_this_thread) {
                  while (!own_done.load(std::memory_order_acquire)) std::this_thread::yield();
                }
                if (rebalancing.hold_last_helper && control == &controls[threads - 2]) {
                  // Until another helper took the end of this part, or none is left to.
                  for (;;) {
                    {
                      std::lock_guard<std::mutex> lock(control->mutex);
                      if (control->passed_on) break;
                    }
                    bool others_done = true;
                    for (size_t k = 0; k + 2 < threads; ++k) {
                      others_done = others_done && done[k].load(std::memory_order_acquire);
                    }
                    if (others_done) break;
                    std::this_thread::yield();
                  }
                }
              });
            } else {
              feed_range(part, own, mine->from, mine->to);
            }
            mine->read_ms = ms_since(reading);
            mine->state = part.save_part(mine->to == size);
            mine->failed = !own.ok();
          } else {
            mine->failed = true;
            mine->error = part.part_refusal();
          }
        }
        mine->ms = ms_since(started);
        const std::optional<Taken> more = next(*mine, part, own);
        if (!more) return;
        mine = add_part();
        start = more->cut;
        end = more->end_cut;
      }
    };
    auto nothing_more = [](const Part&, const TicketDataset&, Source&) {
      return std::optional<Taken>();
    };
    // A helper done with a part that had rows (its rate known) asks each other helper in turn for
    // the end of its part, as this thread does once done with its own (below), by its own rate and
    // its costs beside reading on that part, and again 2 ms later while one has not begun to read;
    // it reads what it takes as its next task (which another thread may ask for the end of in
    // turn). With three threads or more: docs/architecture.md, "Between helpers".
    auto helper_task = [&](size_t slot, uint64_t start, uint64_t end) {
      {
        std::lock_guard<std::mutex> lock(controls[slot].mutex);
        controls[slot].phase = PartControl::Phase::kNotYet;
      }
      return std::thread([&, slot, start, end] {
        run_part(slot_parts[slot], &controls[slot], start, end,
                 [&, slot](const Part& last, const TicketDataset& guesser,
                           Source& own) -> std::optional<Taken> {
                   if (!rebalancing.on || last.failed || last.state.empty() || last.read_ms <= 0) {
                     return std::nullopt;
                   }
                   const double rate = static_cast<double>(last.to - last.from) / last.read_ms;
                   const double overhead_ms = std::max(0.0, last.ms - last.read_ms);
                   for (;;) {
                     bool later = false;
                     for (size_t j = 0; j < threads; ++j) {
                       if (j == slot) continue;
                       Taken taken;
                       const Asked asked =
                           take_end(controls[j], rate, overhead_ms, rebalancing.helper_share,
                                    rebalancing.min_bytes, guesser, own, taken);
                       later |= asked == Asked::kLater;
                       if (asked != Asked::kTaken) continue;
                       passed.fetch_add(taken.was - taken.end, std::memory_order_relaxed);
                       std::lock_guard<std::mutex> lock(controls[j].mutex);
                       controls[j].passed_on = true;
                       return taken;
                     }
                     if (!later) return std::nullopt;
                     std::this_thread::sleep_for(std::chrono::milliseconds(2));
                   }
                 });
        {
          std::lock_guard<std::mutex> lock(controls[slot].mutex);
          controls[slot].phase = PartControl::Phase::kOver;  // (no part read, or none taken)
        }
        done[slot].store(true, std::memory_order_release);
      });
    };
    std::vector<bool> started_slots(threads, false);  // (this thread's alone)
    std::vector<std::thread> running;
    running.reserve(threads);
    for (size_t i = 1; i < threads; ++i) {
      started_slots[i - 1] = true;
      running.push_back(helper_task(i - 1, cuts[i], cuts[i + 1]));
    }
    const auto guessing = std::chrono::steady_clock::now();
    own_end = guess_record_start(dataset, source, cuts[1]);
    const double guess_ms = ms_since(guessing);
    // This thread's part, rebalanced at its end as wasm/bindings/parallel_read.mjs does
    // (docs/architecture.md, "The end of the first part, rebalanced"): every step_bytes (8 MiB) it
    // looks whether a helper is done (and reads nothing more); if one is and at least min_bytes
    // (4 MiB) would move, it cuts what is left where both should end together and hands the end
    // over, once.
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
        const Part& first = *slot_parts[i];
        if (first.state.empty() || first.read_ms <= 0) continue;
        const double own_rate =
            static_cast<double>(at - head.at) / std::max(1e-3, ms_since(started));
        const double helper_rate = static_cast<double>(first.to - first.from) / first.read_ms;
        const double overhead_ms = std::max(0.0, first.ms - first.read_ms);
        const double cut =
            rebalancing.share >= 0
                ? static_cast<double>(at) + rebalancing.share * static_cast<double>(own_end - at)
                : handover_cut(at, own_end, own_rate, helper_rate, overhead_ms);
        if (!(cut >= static_cast<double>(at) &&
              static_cast<double>(own_end) - cut >= static_cast<double>(rebalancing.min_bytes))) {
          break;
        }
        cut_tried = true;
        const auto cut_at = static_cast<uint64_t>(cut);
        const uint64_t end = guess_record_start(dataset, source, cut_at);
        if (end < own_end) {
          started_slots[threads - 1] = true;
          running.push_back(helper_task(threads - 1, cut_at, cuts[1]));
          if (moved != nullptr) moved->handed = own_end - end;
          own_end = end;
        }
        break;
      }
    });
    const double own_ms = ms_since(started);
    // The other way round (parallel_read.mjs step 2c; docs/architecture.md, "The end of a helper's
    // part, taken over"): done with its part, this thread asks each helper still reading in turn
    // whether it would read for longer than this thread takes to read the end of its part (by both
    // rates, and what this thread spends on a part beside reading: the head replayed, two guesses,
    // the state saved, SAVE_SHARE of the reading; this thread taken to read the helper's bytes no
    // faster than the helper does, as they may cost more a byte than its own did). If so, the
    // helper's part now ends at the record start guessed where both should end together, and this
    // thread reads from there to the helper's old end as a part of its own; then it asks the same
    // helper again. After a round in which it took something it goes round again (a helper passed
    // may have taken another's end since); a helper that has not begun to read a part yet is asked
    // again, 2 ms after the others.
    if (rebalancing.on && !rebalancing.hold_last_helper && own_end < size &&
        dataset.part_refusal().empty()) {
      const double own_rate =
          static_cast<double>(own_end - head.at) / std::max(1e-3, own_ms) / (1 + kSaveShare);
      const double overhead_ms = head_feed_ms + 2 * guess_ms;
      bool later = false;  // a helper not reading a part yet: ask it again
      bool took = false;   // something taken this round: go round again
      for (size_t i = 0;;) {
        if (i == threads) {
          if (!later && !took) break;
          if (!took) std::this_thread::sleep_for(std::chrono::milliseconds(2));
          i = 0;
          later = took = false;
          continue;
        }
        if (!started_slots[i] || done[i].load(std::memory_order_acquire)) {
          ++i;
          continue;
        }
        PartControl& control = controls[i];
        if (rebalancing.wait_for_this_thread) {
          // (Tests: until the helper has read its first bytes, and waits, or is done.)
          for (;;) {
            {
              std::lock_guard<std::mutex> lock(control.mutex);
              if (control.phase == PartControl::Phase::kReading && control.read_to > control.from) {
                break;
              }
            }
            if (done[i].load(std::memory_order_acquire)) break;
            std::this_thread::yield();
          }
        }
        Taken taken;
        const Asked asked = take_end(control, own_rate, overhead_ms, rebalancing.helper_share,
                                     rebalancing.min_bytes, dataset, source, taken);
        later |= asked == Asked::kLater;
        if (asked != Asked::kTaken) {
          ++i;
          continue;
        }
        run_part(add_part(), nullptr, taken.cut, taken.end_cut, nothing_more);
        if (moved != nullptr) moved->taken += taken.was - taken.end;
        took = true;
      }
    }
    own_done.store(true, std::memory_order_release);
    for (std::thread& t : running) t.join();
  }
  if (moved != nullptr) moved->passed = passed.load();
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
  // (The second task's part, in slot threads − 1, lies before the helpers' first parts; a part this
  // thread took over, after the rest of its helper's.)
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
