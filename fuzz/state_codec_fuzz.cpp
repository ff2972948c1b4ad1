// state_codec_fuzz: any bytes as the saved state of an ExactSum, a DDSketch, a DurationQuantiles, a
// TicketAggregate or a part of a ticket file (TicketDataset::merge_part) — the first byte picks
// which — as a worker would receive them. load() must never crash; a state it accepts must answer
// every query, merge with a state fed here, and save to bytes that load again and save to the same
// bytes. A part state merged into a dataset must leave a dataset that writes its report.
#include <cstdint>
#include <span>
#include <vector>

#include "engine_config.h"
#include "exact_sum.h"
#include "fuzz_input.h"
#include "quantiles.h"
#include "state_codec.h"
#include "ticket_aggregate.h"
#include "ticket_dataset.h"

namespace {

using Bytes = std::vector<uint8_t>;

template <class T>
Bytes saved(const T& state) {
  kpilens::StateWriter out;
  state.save(out);
  return out.take();
}

// Loads `bytes` whole into a T; false when refused or when bytes are left over.
template <class T>
bool load_all(T& state, std::span<const uint8_t> bytes) {
  kpilens::StateReader in(bytes);
  const bool loaded = state.load(in);
  KPILENS_FUZZ_CHECK(loaded != in.failed());
  return loaded && in.at_end();
}

// save(load(save(x))) == save(x) for an accepted x.
template <class T>
void check_saves_again(const T& state) {
  const Bytes first = saved(state);
  T again;
  KPILENS_FUZZ_CHECK(load_all(again, first));
  KPILENS_FUZZ_CHECK(saved(again) == first);
}

void use(const kpilens::ExactSum& sum) {
  (void)sum.value();
  kpilens::ExactSum merged;
  merged.add(1.5);
  merged.merge(sum);
  (void)merged.value();
}

void use(const kpilens::DDSketch& sketch) {
  for (uint64_t rank = 0; rank < sketch.count() && rank < 64; ++rank) {
    (void)sketch.value_at_rank(rank);
  }
  if (sketch.count() > 0) (void)sketch.value_at_rank(sketch.count() - 1);
  for (double limit : {0.0, 1.0, 5.0, 1e300}) (void)sketch.count_below(limit);
  kpilens::DDSketch merged;
  merged.add(2.0);
  merged.merge(sketch);
  KPILENS_FUZZ_CHECK(merged.count() == sketch.count() + 1);
  (void)merged.value_at_rank(merged.count() / 2);
}

void use(const kpilens::DurationQuantiles& quantiles) {
  for (double q : {0.0, 0.5, 0.9, 1.0}) (void)quantiles.quantile(q);
  (void)quantiles.mean();
  for (double limit : {1.0, 60.0}) (void)quantiles.count_below(limit);
  kpilens::DurationQuantiles merged(4);
  for (double v : {3.0, 0.5}) merged.feed(v);
  merged.merge(quantiles);
  KPILENS_FUZZ_CHECK(merged.count() == quantiles.count() + 2);
  (void)merged.quantile(0.5);
}

void use(const kpilens::TicketAggregate& aggregate) {
  (void)aggregate.periods();
  for (size_t column = 0; column < aggregate.segment_columns(); ++column) {
    (void)aggregate.segments_in_order(column);
  }
  kpilens::TicketAggregate merged(2, 3);
  merged.merge(aggregate);
  merged.finish();
}

// (The aggregate's shape, two segment columns and max_segments 3, is the loader's, not the
// state's.)
void fuzz_aggregate(std::span<const uint8_t> bytes) {
  kpilens::TicketAggregate state(2, 3);
  kpilens::StateReader in(bytes);
  const bool loaded = state.load(in);
  KPILENS_FUZZ_CHECK(loaded != in.failed());
  if (!loaded || !in.at_end()) return;
  use(state);
  const Bytes first = saved(state);
  kpilens::TicketAggregate again(2, 3);
  kpilens::StateReader reread(first);
  KPILENS_FUZZ_CHECK(again.load(reread) && reread.at_end());
  KPILENS_FUZZ_CHECK(saved(again) == first);
}

// The engine's SpanSource, checking that the reader asks only for bytes there are.
class CheckedSource final : public kpilens::StateSource {
 public:
  explicit CheckedSource(std::span<const uint8_t> bytes) : bytes_(bytes), source_(bytes) {}
  size_t size() const override { return bytes_.size(); }
  void copy(size_t offset, size_t count, uint8_t* to) const override {
    KPILENS_FUZZ_CHECK(offset <= bytes_.size() && count <= bytes_.size() - offset);
    source_.copy(offset, count, to);
  }

 private:
  std::span<const uint8_t> bytes_;
  kpilens::SpanSource source_;
};

// A dataset that read a small head (its header and the rows the date order needs), as the merging
// worker has; the bytes as the next part's state, merged from memory and, into another such
// dataset, through a pulling reader's window of `window` bytes (the bindings' way): the two must
// agree on the outcome and on the report. The state's config fingerprint (bytes 7 to 14, after the
// magic and three flags) is overwritten with this config's, so that the seeds and their mutations
// get past that first check however the config's defaults change.
void fuzz_part(std::span<const uint8_t> input, size_t window) {
  kpilens::EngineConfig config;
  config.by = {"channel"};
  config.delimiter = ',';
  config.inference_rows = 2;
  std::vector<uint8_t> state(input.begin(), input.end());
  if (state.size() >= 15) {
    const uint64_t fingerprint = kpilens::config_fingerprint(config);
    for (size_t i = 0; i < 8; ++i) state[7 + i] = static_cast<uint8_t>(fingerprint >> (8 * i));
  }
  const std::span<const uint8_t> bytes(state);
  std::string head = "Id,Created at,Solved at,Status,Via,Replies\n";
  while (head.size() < 9000) head += "1,2024-01-02 10:00:00,2024-01-03 10:00:00,Solved,email,2\n";
  const CheckedSource source(bytes);
  std::vector<uint8_t> window_bytes(window);
  std::string reports[2];
  kpilens::TicketDataset::PartMerge results[2];
  for (int pulling = 0; pulling < 2; ++pulling) {
    kpilens::TicketDataset dataset(config);
    dataset.begin_file("input.csv");
    dataset.feed(head);
    KPILENS_FUZZ_CHECK(dataset.part_refusal().empty());
    std::string why;
    results[pulling] =
        pulling ? dataset.merge_part(source, window_bytes, why) : dataset.merge_part(bytes, why);
    if (results[pulling] != kpilens::TicketDataset::PartMerge::kCorrupt) {
      reports[pulling] = dataset.report_json();
    }
  }
  KPILENS_FUZZ_CHECK(results[0] == results[1]);
  KPILENS_FUZZ_CHECK(reports[0] == reports[1]);
}

template <class T>
void fuzz_state(std::span<const uint8_t> bytes) {
  T state;
  if (!load_all(state, bytes)) return;
  use(state);
  check_saves_again(state);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  kpilens::fuzz::FuzzInput input(data, size);
  const uint8_t kind = input.byte();
  const auto rest = input.rest();
  const std::span<const uint8_t> bytes(reinterpret_cast<const uint8_t*>(rest.data()), rest.size());
  switch (kind % 5) {
    case 0:
      fuzz_state<kpilens::ExactSum>(bytes);
      break;
    case 1:
      fuzz_state<kpilens::DDSketch>(bytes);
      break;
    case 3:
      fuzz_aggregate(bytes);
      break;
    case 4:
      fuzz_part(bytes, 1 + kind / 5);
      break;
    default:
      fuzz_state<kpilens::DurationQuantiles>(bytes);
      break;
  }
  return 0;
}
