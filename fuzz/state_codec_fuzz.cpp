// state_codec_fuzz: any bytes as the saved state of an ExactSum, a DDSketch or a DurationQuantiles
// (the first byte picks which), as a worker would receive them. load() must never crash; a state it
// accepts must answer every query, merge with a state fed here, and save to bytes that load again
// and save to the same bytes.
#include <cstdint>
#include <span>
#include <vector>

#include "exact_sum.h"
#include "fuzz_input.h"
#include "quantiles.h"
#include "state_codec.h"

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
  switch (kind % 3) {
    case 0:
      fuzz_state<kpilens::ExactSum>(bytes);
      break;
    case 1:
      fuzz_state<kpilens::DDSketch>(bytes);
      break;
    default:
      fuzz_state<kpilens::DurationQuantiles>(bytes);
      break;
  }
  return 0;
}
