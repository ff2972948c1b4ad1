// quantiles: order statistics of a group's durations. Exact (every value kept) up to a cap per
// group; past it, a DDSketch whose quantiles are within 1 % (relative) of the exact order
// statistic. Memory is then bounded by the number of groups, not the number of rows. The mean stays
// exact either way (ExactSum).
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "exact_sum.h"
#include "state_codec.h"

namespace kpilens {

// Values kept exactly per group before switching to the sketch (4 bytes each while they are whole
// ticks, else 8: see DurationQuantiles).
inline constexpr uint64_t kExactQuantileCap = 100000;

// DDSketch (Masson, Rim & Lee, "DDSketch: A Fast and Fully-Mergeable Quantile Sketch with
// Relative-Error Guarantees", VLDB 2019) with relative accuracy α = 1 %, for values ≥ 0.
//
// Mapping: the linearly interpolated one. A positive normal double is x = (1 + f) × 2^e with
// f = fraction / 2^52 in [0, 1); its bucket is ⌊c × (e + f)⌋ = c e + ⌊c × fraction / 2^52⌋ with
// c = 64 buckets per power of two, that is c e + (fraction >> 46): integers from the double's bits,
// so native and wasm put every value in the same bucket, with no logarithm. Bucket i = c e + j
// (0 ≤ j < c) holds exactly the values in [lo, hi) = [2^e (1 + j/c), 2^e (1 + (j+1)/c)).
//
// Why c = 64 meets α = 1 %: DDSketch's guarantee needs every bucket to satisfy
// hi / lo ≤ γ = (1 + α) / (1 − α) = 101/99 = 1.0202. Here hi / lo = (c + 1 + j) / (c + j) ≤ 1 +
// 1/c, which needs c ≥ 1 / (γ − 1) = 49.5; c = 64 gives 65/64 = 1.0156. A bucket is read as v = 2
// lo hi / (lo + hi), whose relative distance to any x in [lo, hi) is at most (hi − lo) / (hi + lo)
// = 1 / (2c + 1 + 2j) ≤ 1/129 = 0.78 %; computing v = 2^e × 2 (c + j)(c + 1 + j) / (c (2c + 1 +
// 2j)) rounds once (≤ 2^-53 relative): under 1 %. Why 64 rather than the smallest c = 50: with 64,
// every whole number up to 128, and every bound of the report's duration ranges (5, 15, 30, 60,
// 240, 480, 1440 minutes; 1, 4, 8, 24, 48, 72, 168 hours), is a bucket boundary, so counts below
// those bounds stay exact past the cap — durations of exactly 5 minutes are common, and with c = 50
// they would share a bucket with 4.97 minutes. It costs 28 % more buckets (the logarithmic mapping
// would need 35 per power of two for 1 %).
//
// Storage: bucket counts in one contiguous vector from the lowest bucket seen to the highest,
// grown at either end as values arrive; values ≤ 0 and positive values below 2^-1022 (the
// subnormals) are counted as zeros. Buckets span e = −1022 … 1023, at most 130,944 of them, so a
// sketch holds at most about 1 MB however far apart its values are; real durations take a few
// thousand buckets at most (64 per doubling: 1,600 from one second to a year in seconds).
//
// Estimates: the value at rank r (0-based, of the sorted values) is the exact minimum or maximum
// (kept alongside) for the first and the last rank; otherwise 0 when r falls among the zeros, else
// v of the bucket holding the value of rank r, clamped to [minimum, maximum] (which only brings it
// closer). Merging adds counts bucket by bucket: the result is the sketch of all the values,
// whatever the order of feeding and merging.
class DDSketch {
 public:
  static constexpr int32_t kBucketsPerOctave = 64;
  static constexpr int32_t kMinBucket = -1022 * kBucketsPerOctave;
  static constexpr int32_t kMaxBucket = 1024 * kBucketsPerOctave - 1;

  void add(double value);
  // add(counts[k] / unit) for every k (unit > 0), without a call per value: a group's exact
  // values kept as ticks, into its sketch.
  void add_quotients(std::span<const uint32_t> counts, double unit);
  void merge(const DDSketch& other);

  uint64_t count() const { return count_; }
  // The estimate of the value at 0-based rank `rank` (< count()).
  double value_at_rank(uint64_t rank) const;
  // How many values are < limit, counting a bucket's values as its estimate v: exact when `limit`
  // is a bucket boundary or outside [min, max], else a value within 1 % of `limit` may be counted
  // on the wrong side.
  uint64_t count_below(double limit) const;

  // The bucket of a value ≥ 2^-1022 (+infinity goes to the last bucket), and the estimate v of a
  // bucket.
  static int32_t bucket_of(double value);
  static double bucket_estimate(int32_t bucket);

  // The state as bytes (state_codec.h): save() writes a canonical form; load() replaces this
  // sketch, or returns false (the reader fails) on malformed input and leaves it empty.
  void save(StateWriter& out) const;
  bool load(StateReader& in);

 private:
  void cover(int32_t first_bucket, int32_t last_bucket);

  uint64_t count_ = 0;
  uint64_t zeros_ = 0;
  double min_ = 0;
  double max_ = 0;
  int32_t first_bucket_ = 0;      // the bucket of counts_[0]
  std::vector<uint64_t> counts_;  // buckets first_bucket_ … first_bucket_ + size − 1
};

// A group's exact values as ticks (see DurationQuantiles), in blocks that never move: a new
// block holds as many ticks as the group has so far, 4 at least and 1,024 (4 KiB) at most, or a
// whole run at once (a part's lent ticks merged, a state loaded, the rest of a block appended). So
// a group of n ticks takes at most n + 1,024 slots (and 2n from 4 on) where a doubling vector took
// up to 2n (and 3n while it grew: the old buffer and the new), and its values are written once,
// never copied as it grows. Every block but the last is full. The ticks are a multiset: their order
// means nothing.
class TickBlocks {
 public:
  static constexpr size_t kFirstBlock = 4;
  static constexpr size_t kLargestBlock = 1024;

  TickBlocks() = default;
  TickBlocks(const TickBlocks& other);  // into one block (of the exact size from 4 ticks on)
  TickBlocks& operator=(const TickBlocks& other);
  TickBlocks(TickBlocks&& other) noexcept { *this = std::move(other); }
  TickBlocks& operator=(TickBlocks&& other) noexcept;
  ~TickBlocks() = default;

  size_t size() const {
    return blocks_.empty() ? 0 : full_ + static_cast<size_t>(next_ - blocks_.back().data.get());
  }
  bool has_room() const { return next_ != end_; }
  void push_unchecked(uint32_t tick) { *next_++ = tick; }  // when has_room()
  void push(uint32_t tick) {
    if (next_ == end_) add_block(1);
    *next_++ = tick;
  }
  // Appends `count` ticks: fill(span) writes each stretch of them in turn (the room left in the
  // last block, then one new block for the rest).
  template <class F>
  void append(size_t count, F fill) {
    while (count > 0) {
      if (next_ == end_) add_block(count);
      const size_t here = std::min(count, static_cast<size_t>(end_ - next_));
      fill(std::span<uint32_t>(next_, here));
      next_ += here;
      count -= here;
    }
  }
  void append(std::span<const uint32_t> ticks);
  // The slots of every block: what the ticks take in memory (4 bytes each).
  size_t capacity() const;
  // f(std::span<const uint32_t>) for each block's ticks, in order.
  template <class F>
  void for_each_block(F f) const {
    for (size_t k = 0; k + 1 < blocks_.size(); ++k) {
      f(std::span<const uint32_t>(blocks_[k].data.get(), blocks_[k].capacity));
    }
    if (!blocks_.empty()) {
      const uint32_t* last = blocks_.back().data.get();
      f(std::span<const uint32_t>(last, static_cast<size_t>(next_ - last)));
    }
  }
  void clear();  // releases every block

 private:
  struct Block {
    std::unique_ptr<uint32_t[]> data;
    size_t capacity = 0;
  };
  // A new last block (the last one is full) with room for `at_least` ticks or more.
  void add_block(size_t at_least);

  std::vector<Block> blocks_;
  size_t full_ = 0;  // the ticks in every block but the last
  uint32_t* next_ = nullptr;
  uint32_t* end_ = nullptr;
};

// The exact values are kept as ticks while they can be: a tick is 1/3600 of the value's unit (a
// second of an hours value, 1/60 s of a minutes value), and a value is kept as the count t < 2^32
// when t / 3600.0 gives it back bit for bit — whole seconds of hours (up to 136 years) or minutes
// (up to 828 days), whole days. Then 4 bytes hold what 8 did, and selection counts integers. The
// first value that is not (fractions of a second, a negative from a state) moves them all to
// doubles. The two forms hold the same doubles (t → t / 3600 is exact and increasing), so no figure
// depends on the form, which depends only on the set of values fed and merged, never on their
// order (a state saved as doubles loads as doubles: a save writes doubles only for a group that
// holds a value that is no whole tick).
class DurationQuantiles {
 public:
  // A value worked out once (its tick form, its exact sum's addend) for feeding several groups: a
  // ticket row's duration feeds its period's group and one group per breakdown.
  class Prepared {
   public:
    explicit Prepared(double value);  // a finite value ≥ 0 (−0 is taken as 0)

   private:
    friend class DurationQuantiles;
    double value_;
    ExactSum::Addend addend_;
    uint32_t ticks_ = 0;
    bool whole_ticks_;  // value_ is ticks_ / 3600 (see above)
  };

  explicit DurationQuantiles(uint64_t exact_cap = kExactQuantileCap) : cap_(exact_cap) {}

  void feed(double value);           // a finite value ≥ 0 (−0 is taken as 0)
  void feed(const Prepared& value);  // feed(value) for the value it was made from
  // Counts and sums the value without keeping it: for a report that asks for the mean alone
  // (EngineConfig::figures). From the first such feed on, the object is "mean only" for good, it
  // keeps no values (nor a sketch), and merging anything into it, or it into anything, gives a mean
  // only object: quantile() is then nullopt and count_below() 0. The mean is the same either way.
  void feed_mean_only(double value);
  void feed_mean_only(const Prepared& value);
  bool mean_only() const { return mean_only_; }
  void merge(const DurationQuantiles& other);
  // Merges are coming that bring the count to `count` in all: past the cap, switch to the sketch
  // now rather than gather exact values only to spill them; else, for values kept as doubles, make
  // room for them at once (ticks need none: their blocks never move). The result is the
  // same either way; what changes is the memory on the way (wasm memory grows by a fifth at a time
  // and never shrinks, so a few MB of passing vectors at the end of a read can leave it 20 %
  // larger).
  void expect_merges(uint64_t count);
  // Nothing is left to do (quantiles select what they need when asked); kept for the accumulator
  // shape feed / merge / finish.
  void finish() {}

  uint64_t count() const { return count_; }
  bool approximate() const { return sketch_.has_value(); }
  std::optional<double> mean() const;
  // Exact: linear interpolation between order statistics (Hyndman & Fan type 7: R's default, Excel
  // PERCENTILE.INC, NumPy's default, DuckDB's quantile_cont / median). Past the cap: the sketch's
  // estimate of the order statistic of rank ⌊(n − 1) q⌋.
  // The order statistics asked for are selected (the doubles partly reordered in place, the ticks
  // in a copy: one buffer per thread, as large as the largest group selected) and remembered
  // (results never depend on which were asked before), so concurrent calls on one object race.
  std::optional<double> quantile(double q) const;
  // How many values are < limit (approximate past the cap: see DDSketch::count_below).
  uint64_t count_below(double limit) const;

  // The state as bytes (state_codec.h): the cap, the count, the exact sum and either the values
  // kept or the sketch. load() replaces this object (cap included), or returns false (the reader
  // fails) on malformed input and leaves it empty. From a lending reader (StateReader::lending,
  // ::pulling) the values kept as ticks stay in the reader's input or source: such an object may
  // only be merged into another, while that input or source lives.
  void save(StateWriter& out) const;
  bool load(StateReader& in);

 private:
  // Calls f(block) for the first `size` bytes of the lent ticks, decoded in blocks (a span of
  // uint32_t each).
  template <class F>
  void for_lent_ticks(size_t size, F f) const;

  // The rest of a feed once the value is counted and summed, if the group keeps exact values:
  // `ticks` (when `as_ticks`) or `value`.
  void keep(double value, bool as_ticks, uint32_t ticks);
  // feed(Prepared) past its counting and summing, but for its common case.
  void feed_slowly(const Prepared& value);
  // A fed value (counted) may go straight to the end of ticks_ (kept as ticks, checked by the
  // caller): under the cap, nothing settled to forget, and room in the last block.
  bool has_room_for_tick() const { return count_ <= cap_ && settled_.empty() && ticks_.has_room(); }
  void spill();
  // Copies the `ticks` lent ticks into ticks_ and forgets the loan: before this object changes (its
  // count then no longer says how many ticks are lent). Merged from, a lent object changes nothing.
  void own_lent_ticks(size_t ticks);
  // Appends the first `ticks` of `other`'s lent ticks (this object's own, or a merged one's).
  void append_lent_ticks_of(const DurationQuantiles& other, size_t ticks);
  // Moves the kept ticks to values_ (from then on every value is kept there).
  void widen();
  // Forgets every kept value (and the sketch): mean only from now on.
  void drop_values();
  size_t kept() const { return wide_ ? values_.size() : ticks_.size(); }
  size_t lent_bytes() const { return lent_ticks_.empty() ? 0 : 4 * static_cast<size_t>(count_); }
  // Every kept value added to `sketch`, or appended to `values`.
  void add_kept_to(DDSketch& sketch) const;
  void append_kept_to(std::vector<double>& values) const;
  // The value of 0-based rank `rank` among the kept values (rank < kept()).
  double order_statistic(size_t rank) const;

  uint64_t cap_;
  uint64_t count_ = 0;
  // The kept values: ticks_ until wide_, then values_. settled_ (ascending) holds the ranks whose
  // values are known: for ticks, in selected_ (same order; selection reorders a copy of the
  // ticks); for doubles, values_ is partitioned around them (the value at a settled rank r is the
  // value of rank r, nothing before it is greater and nothing after it is less). Feeding or merging
  // forgets them.
  TickBlocks ticks_;
  mutable std::vector<double> values_;
  mutable std::vector<size_t> settled_;
  mutable std::vector<uint32_t> selected_;
  bool wide_ = false;
  bool mean_only_ = false;
  // Ticks loaded from a lending reader: 4 bytes each, little-endian, in its input or source (load
  // above), count_ of them (lent_bytes()).
  LentBytes lent_ticks_;
  std::optional<DDSketch> sketch_;
  ExactSum sum_;
};

}  // namespace kpilens
