// parallel_file: see parallel_file.h. Each thread opens the file itself; nothing is shared between
// threads but the results they hand back after join().
#include "parallel_file.h"

#include <cstdio>
#include <thread>
#include <vector>

#include "csv_scanner.h"

namespace kpilens::cli {

namespace {

constexpr uint64_t kChunkBytes = uint64_t{8} << 20;
constexpr uint64_t kHeadBytes = uint64_t{1} << 20;
constexpr uint64_t kSearchBytes = uint64_t{64} << 10;

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

void feed_range(TicketDataset& dataset, Source& source, uint64_t start, uint64_t end) {
  std::vector<char> buffer;
  for (uint64_t at = start; at < end;) {
    const std::string_view bytes = source.read(at, std::min(end, at + kChunkBytes), buffer);
    if (bytes.empty()) break;
    dataset.feed(bytes);
    at += bytes.size();
  }
}

struct Part {
  std::vector<uint8_t> state;  // empty: no record starts in the range
  bool failed = false;
  std::string error;
};

}  // namespace

ParallelRead read_file_in_parts(TicketDataset& dataset, const EngineConfig& config,
                                const std::string& path, const std::string& name, size_t threads,
                                std::string& why) {
  Source source(path);
  if (!source.ok()) return ParallelRead::kReadError;
  const uint64_t size = source.size();
  dataset.begin_file(name);
  // The head: from the file's start the quote state is known, so its end is an exact record start.
  const uint64_t head_target = std::min(kHeadBytes, size);
  const Counts before = count_range(source, 0, head_target);
  const Place head = record_start_from(source, {head_target, before.odd, 1 + before.lines});
  feed_range(dataset, source, 0, head.at);
  why = head.at >= size ? "the head is the whole file" : dataset.part_refusal();
  if (!why.empty()) {
    feed_range(dataset, source, head.at, size);
    dataset.end_file();
    return source.ok() ? ParallelRead::kDone : ParallelRead::kReadError;
  }
  // The pre-pass, one thread per range.
  std::vector<uint64_t> bounds;
  for (size_t i = 0; i <= threads; ++i) bounds.push_back(head.at + (size - head.at) * i / threads);
  std::vector<Counts> counts(threads);
  {
    std::vector<std::thread> running;
    for (size_t i = 0; i < threads; ++i) {
      running.emplace_back([&, i] {
        Source own(path);
        counts[i] = count_range(own, bounds[i], bounds[i + 1]);
      });
    }
    for (std::thread& t : running) t.join();
  }
  std::vector<Place> starts{{head.at, false, head.line}};
  for (size_t i = 0; i < threads; ++i) {
    starts.push_back(
        {bounds[i + 1], starts[i].in_quotes != counts[i].odd, starts[i].line + counts[i].lines});
  }
  // The parts, one thread each: the head replayed, then the part's own bytes.
  std::vector<Part> parts(threads);
  {
    std::vector<std::thread> running;
    for (size_t i = 0; i < threads; ++i) {
      running.emplace_back([&, i] {
        Source own(path);
        const Place from = record_start_from(own, starts[i]);
        const uint64_t to = i + 1 < threads ? record_start_from(own, starts[i + 1]).at : size;
        if (from.at >= to) return;
        TicketDataset part(config);
        part.begin_file(name);
        feed_range(part, own, 0, head.at);
        if (!part.begin_part(from.at, from.line)) {
          parts[i].failed = true;
          parts[i].error = part.part_refusal();
          return;
        }
        feed_range(part, own, from.at, to);
        parts[i].state = part.save_part(to == size);
        parts[i].failed = !own.ok();
      });
    }
    for (std::thread& t : running) t.join();
  }
  for (Part& part : parts) {
    if (part.failed) {
      why = part.error;
      return part.error.empty() ? ParallelRead::kReadError : ParallelRead::kSequential;
    }
    if (part.state.empty()) continue;
    const TicketDataset::PartMerge merged = dataset.merge_part(part.state, why);
    if (merged != TicketDataset::PartMerge::kMerged) return ParallelRead::kSequential;
  }
  dataset.end_file();
  return ParallelRead::kDone;
}

}  // namespace kpilens::cli
