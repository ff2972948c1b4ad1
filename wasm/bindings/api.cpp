// api: the JS face of the engine, and the only file that includes an Emscripten header. It
// translates and nothing else: a Dataset owns one engine TicketDataset and one reusable chunk
// buffer in wasm memory. JS writes a chunk's bytes into that buffer (HEAPU8.set, or a read straight
// into it) and makes one call per chunk.
#include <emscripten/bind.h>
#include <emscripten/emscripten.h>

#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "code_placement.h"
#include "csv_scanner.h"
#include "health_score.h"
#include "json_writer.h"
#include "state_codec.h"
#include "ticket_dataset.h"
#if KPILENS_REPORT_CSV
#include "report_formats.h"
#endif

namespace {

// A part's state goes to JS in pieces of this size (Dataset::save_part): small enough to stay in
// the core's cache, large enough that the calls into JS are few (a few per MB).
constexpr size_t kStatePieceBytes = size_t{256} << 10;

// Copies a piece of a part's state into Module.partState (an array of `total` bytes, made with the
// first piece, at = 0) at `at`. JS of our own rather than embind's val calls (new Uint8Array, set):
// with those in save_part, which never runs in a sequential read, that read got slower — the
// weekly report's instructions in Node 1,058 → 1,102 M (scripts/instructions) and its time 0.29 →
// 0.45 s — for a reason not found; with this import, neither moved. In Node the array is the start
// of Module.partSpare when that is large enough (an ArrayBuffer an earlier state of the same part
// reader was in: node_part_worker.mjs), else of a new buffer, whose pages are fresh memory faulted
// in as the state is written (a 1.6 MB state took 6 ms that way, 0.1 ms into a spare); a quarter
// larger than the state, so that it also holds the state of a part a little larger (the cuts move
// when a helper holds a spare: node_engine.mjs saveShare); pages never written are never faulted
// in. In the page a helper makes its spare and touches it while it waits for its first task
// (web/worker.js helperIdle), which the spare serves (helpers are started again for every run).
// clang-format off
EM_JS(void, kpilens_state_piece, (const uint8_t* data, size_t size, size_t at, size_t total), {
  if (at === 0) {
    const spare = Module["partSpare"];
    // (A spare sent with an earlier state is detached: its byteLength is 0.)
    const fits = spare && spare.byteLength >= Math.max(total, 1);
    Module["partState"] = new Uint8Array(fits ? spare : new ArrayBuffer(total + Math.ceil(total / 4)), 0, total);
  }
  Module["partState"].set(HEAPU8.subarray(data, data + size), at);
});

// Copies the bytes [offset, offset + size) of Module.mergeState (the part's state being merged, in
// JS memory: parallel_read.mjs) to `to` in wasm memory.
EM_JS(void, kpilens_state_pull, (double offset, double size, uint8_t* to), {
  HEAPU8.set(Module["mergeState"].subarray(offset, offset + size), to);
});
// Module.mergeState's size in bytes (-1: none).
EM_JS(double, kpilens_state_size, (), {
  const state = Module["mergeState"];
  return state instanceof Uint8Array ? state.length : -1;
});
// clang-format on

// Module.mergeState as a StateSource: Dataset::merge_part reads it a window at a time.
class JsMergeState final : public kpilens::StateSource {
 public:
  explicit JsMergeState(size_t size) : size_(size) {}
  size_t size() const override { return size_; }
  void copy(size_t offset, size_t count, uint8_t* to) const override {
    kpilens_state_pull(static_cast<double>(offset), static_cast<double>(count), to);
  }

 private:
  size_t size_;
};

// The window a part's merge reads its state through (Dataset::merge_part): its exact ticks, most of
// its bytes, go from JS memory straight into place, so this holds the rest a piece at a time.
constexpr size_t kMergeWindowBytes = size_t{64} << 10;

// The methods that run once per file, part or report are built for size (KPILENS_RARELY_RUN), as
// are the engine's functions they call: LTO inlines those into them, and inlined code is built the
// way the function it lands in is (the module was 2.3 KB larger without these marks, the page
// 609 bytes gzipped).
class Dataset {
 public:
  KPILENS_RARELY_RUN explicit Dataset(const std::string& config_json) : dataset_(config_json) {}

  // Errors in the config, as a JSON array of strings ("[]" when the config is fine).
  KPILENS_RARELY_RUN std::string config_errors() const {
    kpilens::JsonWriter w;
    w.begin_array();
    for (const auto& e : dataset_.errors()) w.string(e);
    w.end_array();
    return w.take();
  }

  void begin_file(const std::string& name) { dataset_.begin_file(name); }

  // Address of a buffer of at least `size` bytes, reused from call to call (growing memory is slow
  // and detaches JS views, so it only grows while a file is read; merge_part and report give it
  // back). Re-read HEAPU8 after this call.
  double chunk_buffer(double size) {
    size_t wanted = static_cast<size_t>(size);
    if (buffer_.size() < wanted) buffer_.resize(wanted);
    return static_cast<double>(reinterpret_cast<uintptr_t>(buffer_.data()));
  }

  // Feeds the first `size` bytes of the chunk buffer.
  void push_chunk(double size) {
    size_t n = static_cast<size_t>(size);
    if (n > buffer_.size()) n = buffer_.size();
    dataset_.feed(std::string_view(buffer_.data(), n));
  }

  void end_file() { dataset_.end_file(); }

  // What the first `size` bytes of the chunk buffer (a file's start; 64 KiB is plenty) say the
  // file is: {"format", "encoding", "kind", "preset", "columns", "error"}. The dataset is not
  // touched. Drivers read "survey" files first so their answers can join their tickets.
  KPILENS_RARELY_RUN std::string probe_chunk(const std::string& name, double size) const {
    size_t n = static_cast<size_t>(size);
    if (n > buffer_.size()) n = buffer_.size();
    kpilens::FileSummary f = dataset_.probe(name, std::string_view(buffer_.data(), n));
    kpilens::JsonWriter w;
    w.begin_object();
    w.field("format", f.format);
    w.field("encoding", kpilens::encoding_name(f.encoding));
    w.field("kind", kpilens::kind_name(f.kind));
    w.key("preset");
    if (f.preset) {
      w.string(f.preset->preset->id);
    } else {
      w.null();
    }
    w.key("columns");
    w.begin_array();
    for (const auto& h : f.headers) w.string(h);
    w.end_array();
    w.key("error");
    if (f.error) {
      w.string(*f.error);
    } else {
      w.null();
    }
    w.end_object();
    return w.take();
  }

  double rows_read() const { return static_cast<double>(dataset_.rows_read()); }

  // Parallel reading (ticket_dataset.h "Parallel reading", docs/architecture.md). The pre-pass:
  // the first `size` bytes of the chunk buffer, the byte before them `previous_byte` (0: none),
  // give line_breaks × 2 + (quotes mod 2); a CRLF straddling two chunks counts in the first.
  double count_chunk(double size, double previous_byte) const {
    const auto counts = kpilens::count_quotes_and_line_breaks(chunk(size), to_byte(previous_byte));
    return static_cast<double>(counts.line_breaks) * 2 + static_cast<double>(counts.quotes & 1);
  }

  // The offset in the chunk of its first record start (past a line break outside quotes), given
  // whether it begins inside quotes and the byte before it; -1 when none lies in it.
  double record_start(double size, bool in_quotes, double previous_byte) const {
    const size_t found = kpilens::find_record_start(chunk(size), in_quotes, to_byte(previous_byte));
    return found == std::string_view::npos ? -1.0 : static_cast<double>(found);
  }

  // The first record start in the chunk for a part's reader that does not know the quote state
  // where it begins (after the head was fed): TicketDataset::guess_record_start; -1: none in it.
  double guess_record_start(double size, double previous_byte) const {
    const size_t found = dataset_.guess_record_start(chunk(size), to_byte(previous_byte));
    return found == std::string_view::npos ? -1.0 : static_cast<double>(found);
  }

  // Empty when the file being read can be split after what was fed, else why not.
  std::string part_refusal() const { return dataset_.part_refusal(); }
  void prepare_merge() { dataset_.prepare_merge(); }
  // True when that refusal goes away with a longer head (parallel_read.mjs grows the head).
  bool head_too_short() const { return dataset_.head_too_short(); }
  bool begin_part(double offset, double line) {
    return dataset_.begin_part(static_cast<uint64_t>(offset), static_cast<uint64_t>(line));
  }

  // Writes the part's state into a Uint8Array of its own, Module.partState (JS memory, to be
  // transferred to the merging worker: takePartState in parallel_read.mjs; at the start of
  // Module.partSpare when that is large enough: kpilens_state_piece), a piece at a time
  // (kStatePieceBytes) as the engine writes it; returns its size. The state is never whole in wasm
  // memory, where its pages would be fresh ones to fault in (about 10 µs each on the benchmark's
  // VM: a 3.4 MB state took 8–13 ms more to save that way).
  KPILENS_RARELY_RUN double save_part(bool last) {
    size_t size = 0;
    dataset_.save_part(last, kStatePieceBytes, [&](std::span<const uint8_t> piece, size_t total) {
      kpilens_state_piece(piece.data(), piece.size(), size, total);
      size += piece.size();
    });
    if (size == 0) kpilens_state_piece(nullptr, 0, 0, 0);
    return static_cast<double>(size);
  }

  // Merges a part's state, Module.mergeState (`size` bytes, JS memory): {"status": "merged" |
  // "sequential" | "corrupt", "why"}. After "sequential" the driver reads everything again
  // sequentially. The engine reads the state out of JS memory through a window of
  // kMergeWindowBytes and copies its exact ticks from there straight into the groups they join:
  // no wasm memory the size of the state, every page of which would be fresh (a page fault,
  // 10–15 µs each on the benchmark's VM: the weekly report's 1.6 MB state took ~7 ms to copy in
  // whole). The chunk buffer (1 MiB once a file was read) is given back first and the window
  // takes its place, so the groups that grow by the part's ticks reuse its pages rather than
  // fresh ones; a next file's first chunk grows it again.
  KPILENS_RARELY_RUN std::string merge_part(double size) {
    if (buffer_.size() != kMergeWindowBytes) {
      std::vector<char>().swap(buffer_);
      buffer_.resize(kMergeWindowBytes);
    }
    std::string why;
    auto result = kpilens::TicketDataset::PartMerge::kCorrupt;
    if (kpilens_state_size() == size) {
      const JsMergeState source(static_cast<size_t>(size));
      result = dataset_.merge_part(
          source, std::span(reinterpret_cast<uint8_t*>(buffer_.data()), buffer_.size()), why);
    } else {
      why = "Module.mergeState is not the state of the size given";
    }
    kpilens::JsonWriter w;
    w.begin_object();
    w.field("status", result == kpilens::TicketDataset::PartMerge::kMerged       ? "merged"
                      : result == kpilens::TicketDataset::PartMerge::kSequential ? "sequential"
                                                                                 : "corrupt");
    w.field("why", why);
    w.end_object();
    return w.take();
  }

  KPILENS_RARELY_RUN std::string report() {
    if (report_.empty()) {
      report_ = dataset_.report_json();
      std::vector<char>().swap(buffer_);
    }
    return report_;
  }

#if KPILENS_REPORT_CSV
  std::string report_csv() {
    auto csv = kpilens::report_to_csv(report());
    return csv ? *csv : std::string();
  }
#endif

#if KPILENS_PUSH_CHUNK_AT
  // Feeds the `size` bytes at `address`, which lie in the chunk buffer (bytes past its end are
  // not fed). Node's driver reads a file into the two halves of the buffer in turn, the next slice
  // while the engine decodes this one (node_engine.mjs feedFile); the page copies its slices in
  // and has no use for it (page weight).
  void push_chunk_at(double address, double size) {
    const uintptr_t base = reinterpret_cast<uintptr_t>(buffer_.data());
    const uintptr_t at = static_cast<uintptr_t>(address);
    if (at < base || at - base > buffer_.size()) return;
    const size_t offset = at - base;
    const size_t n = std::min(static_cast<size_t>(size), buffer_.size() - offset);
    dataset_.feed(std::string_view(buffer_.data() + offset, n));
  }
#endif

  // Every scored customer's health score (docs/report.md); finishes the report first.
  KPILENS_RARELY_RUN std::string health_csv() {
    report();
    return kpilens::health_csv(dataset_.customers(), dataset_.failed());
  }

 private:
  std::string_view chunk(double size) const {
    size_t n = static_cast<size_t>(size);
    if (n > buffer_.size()) n = buffer_.size();
    return std::string_view(buffer_.data(), n);
  }
  static char to_byte(double value) {
    return static_cast<char>(static_cast<unsigned char>(static_cast<unsigned>(value) & 0xFF));
  }

  kpilens::TicketDataset dataset_;
  std::vector<char> buffer_;
  std::string report_;
};

}  // namespace

EMSCRIPTEN_BINDINGS(kpilens) {
  emscripten::class_<Dataset>("Dataset")
      .constructor<const std::string&>()
      .function("configErrors", &Dataset::config_errors)
      .function("beginFile", &Dataset::begin_file)
      .function("chunkBuffer", &Dataset::chunk_buffer)
      .function("pushChunk", &Dataset::push_chunk)
#if KPILENS_PUSH_CHUNK_AT
      .function("pushChunkAt", &Dataset::push_chunk_at)
#endif
      .function("endFile", &Dataset::end_file)
      .function("probeChunk", &Dataset::probe_chunk)
      .function("rowsRead", &Dataset::rows_read)
      .function("countChunk", &Dataset::count_chunk)
      .function("recordStart", &Dataset::record_start)
      .function("guessRecordStart", &Dataset::guess_record_start)
      .function("partRefusal", &Dataset::part_refusal)
      .function("prepareMerge", &Dataset::prepare_merge)
      .function("headTooShort", &Dataset::head_too_short)
      .function("beginPart", &Dataset::begin_part)
      .function("savePart", &Dataset::save_part)
      .function("mergePart", &Dataset::merge_part)
      .function("report", &Dataset::report)
#if KPILENS_REPORT_CSV
      .function("reportCsv", &Dataset::report_csv)
#endif
      .function("healthCsv", &Dataset::health_csv);
  emscripten::function(
      "version", emscripten::optional_override([]() { return std::string(KPILENS_VERSION); }));
  // The top of the heap: emmalloc takes memory from sbrk and never gives it back, so this is the
  // most memory the module has used (its data, stack and heap) since it started; the memory's size
  // is above it by up to a growth step (20 %): two runs an allocation apart can differ by a step.
  emscripten::function("heapTop", emscripten::optional_override([]() {
                         return static_cast<double>(reinterpret_cast<uintptr_t>(sbrk(0)));
                       }));
}
