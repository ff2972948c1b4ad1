// quantiles: see quantiles.h for the definitions used and the sketch's error bound.
#include "quantiles.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstring>

#include "code_placement.h"
#include "state_codec.h"

namespace kpilens {

namespace {

// std::bit_cast is missing from Emscripten 3.1.6's libc++.
uint64_t bits_of(double x) {
  uint64_t bits = 0;
  std::memcpy(&bits, &x, sizeof bits);
  return bits;
}

double double_of(uint64_t bits) {
  double x = 0;
  std::memcpy(&x, &bits, sizeof x);
  return x;
}

constexpr double kSmallestNormal = 0x1p-1022;
constexpr uint64_t kFractionMask = (uint64_t{1} << 52) - 1;
constexpr uint8_t kSketchTag = 'D';
constexpr uint8_t kQuantilesTag = 'Q';
enum : uint8_t { kExactValues = 0, kSketched = 1, kExactTicks = 2, kMeanOnly = 3 };

// The largest bucket count one step of growth adds beyond what is needed: geometric growth (so a
// sketch fed in sorted order does not copy its buckets once per new bucket), within the limits.
int32_t growth(size_t size) {
  return static_cast<int32_t>(std::clamp<size_t>(size, 32, 4096));
}

}  // namespace

int32_t DDSketch::bucket_of(double value) {
  const uint64_t bits = bits_of(value);
  const int32_t biased_exponent = static_cast<int32_t>((bits >> 52) & 0x7FF);
  if (biased_exponent == 0x7FF) return kMaxBucket;
  // ⌊c × fraction / 2^52⌋ in integers: c × fraction < 2^58 (for c = 64, fraction >> 46).
  const int32_t sub = static_cast<int32_t>(((bits & kFractionMask) * kBucketsPerOctave) >> 52);
  return (biased_exponent - 1023) * kBucketsPerOctave + sub;
}

double DDSketch::bucket_estimate(int32_t bucket) {
  int32_t exponent = bucket / kBucketsPerOctave;
  int32_t sub = bucket % kBucketsPerOctave;
  if (sub < 0) {
    sub += kBucketsPerOctave;
    exponent -= 1;
  }
  // v / 2^e = 2 (1 + j/c)(1 + (j+1)/c) / (2 + (2j+1)/c) = 2 (c + j)(c + 1 + j) / (c (2c + 1 + 2j)),
  // in [1, 2): both integers are exact in doubles and the division rounds once, the same way on
  // every IEEE 754 platform. Scaling by 2^e adds e to the exponent field (e = −1022 … 1023 keeps
  // it in the normal range), so it is exact.
  constexpr int64_t c = kBucketsPerOctave;
  const double ratio = static_cast<double>(2 * (c + sub) * (c + 1 + sub)) /
                       static_cast<double>(c * (2 * c + 1 + 2 * sub));
  const int64_t bits =
      static_cast<int64_t>(bits_of(ratio)) + int64_t{exponent} * (int64_t{1} << 52);
  return double_of(static_cast<uint64_t>(bits));
}

void DDSketch::cover(int32_t first_bucket, int32_t last_bucket) {
  const int32_t size = static_cast<int32_t>(counts_.size());
  if (counts_.empty()) {
    first_bucket_ = first_bucket;
    counts_.assign(static_cast<size_t>(last_bucket - first_bucket + 1), 0);
    return;
  }
  const int32_t end = first_bucket_ + size;
  int32_t new_first = first_bucket_;
  int32_t new_end = end;
  if (first_bucket < first_bucket_) {
    new_first = std::max(kMinBucket, first_bucket - growth(counts_.size()));
  }
  if (last_bucket >= end)
    new_end = std::min(kMaxBucket + 1, last_bucket + 1 + growth(counts_.size()));
  if (new_first == first_bucket_ && new_end == end) return;
  std::vector<uint64_t> grown(static_cast<size_t>(new_end - new_first), 0);
  std::copy(counts_.begin(), counts_.end(), grown.begin() + (first_bucket_ - new_first));
  counts_.swap(grown);
  first_bucket_ = new_first;
}

void DDSketch::add(double value) {
  if (count_ == 0) {
    min_ = value;
    max_ = value;
  } else if (value < min_) {
    min_ = value;
  } else if (value > max_) {
    max_ = value;
  }
  ++count_;
  if (!(value >= kSmallestNormal)) {
    ++zeros_;
    return;
  }
  const int32_t bucket = bucket_of(value);
  if (bucket < first_bucket_ || bucket - first_bucket_ >= static_cast<int32_t>(counts_.size())) {
    cover(bucket, bucket);
  }
  ++counts_[static_cast<size_t>(bucket - first_bucket_)];
}

void DDSketch::add_quotients(std::span<const uint32_t> counts, double unit) {
  // A whole unit from 1 to 2^32 (the ticks' 3600) is multiplied by its reciprocal rounded up
  // (below); any other unit's quotients go to add() one by one.
  if (!(unit >= 1 && unit <= 0x1p32 && unit == std::floor(unit))) {
    for (uint32_t c : counts) add(static_cast<double>(c) / unit);
    return;
  }
  if (counts.empty()) return;
  // The extremes first (the quotient grows with the count), so the buckets are covered once and
  // the loop only multiplies and counts. Three reductions the compilers turn into vector code: the
  // lowest count > 0 is one more than the lowest count − 1, where 0 wraps round to the largest.
  uint32_t lowest = UINT32_MAX;
  uint32_t highest = 0;
  uint32_t below_lowest_positive = UINT32_MAX;
  for (uint32_t c : counts) {
    lowest = std::min(lowest, c);
    highest = std::max(highest, c);
    below_lowest_positive = std::min(below_lowest_positive, c - 1);
  }
  const double low = static_cast<double>(lowest) / unit;
  const double high = static_cast<double>(highest) / unit;
  if (count_ == 0) {
    min_ = low;
    max_ = high;
  } else {
    min_ = std::min(min_, low);
    max_ = std::max(max_, high);
  }
  count_ += counts.size();
  if (highest == 0) {
    zeros_ += counts.size();
    return;
  }
  // (A count > 0 over a whole unit ≤ 2^32 is ≥ 2^-32: a normal double, never add()'s zero.)
  const int32_t first = bucket_of(static_cast<double>(below_lowest_positive + 1) / unit);
  const int32_t last = bucket_of(high);
  if (counts_.empty() || first < first_bucket_ ||
      last - first_bucket_ >= static_cast<int32_t>(counts_.size())) {
    cover(first, last);
  }
  // Why the product gives the quotient's bucket, for counts c < 2^32 and a whole unit u ≤ 2^32:
  // q = c / u is ≥ 2^-32, in a normal double's range. A bucket's lower bound b = 2^e (64 + j) / 64
  // is a double; if q ≠ b, |q − b| ≥ q × 2^-40 (|64 c − u 2^e (64 + j)| ≥ 1 for e ≥ 0, and
  // |64 c 2^-e − u (64 + j)| ≥ 1 with c 2^-e < 4 u for e < 0). r, the double after 1/u rounded,
  // is ≥ 1/u and within a relative 2^-51 of it, so c × r lies in [q, q (1 + 2^-51)]: rounded to a
  // double (monotone, and the bounds are doubles) it stays at or above the bound at or below q, and
  // below the next, which is more than q × 2^-40 above q, far more than half a unit in the last
  // place. Division rounds q the same way, into the same bucket. The bucket of a positive
  // normal double is its bits >> 46 less 1023 × 64 (bucket_of), here less first_bucket_ as well.
  uint64_t* buckets = counts_.data();
  uint64_t zeros = 0;
  const double reciprocal = std::nextafter(1 / unit, 2.0);
  const uint32_t offset = static_cast<uint32_t>(1023 * kBucketsPerOctave + first_bucket_);
  for (uint32_t c : counts) {
    if (c == 0) [[unlikely]] {
      ++zeros;
      continue;
    }
    ++buckets[static_cast<uint32_t>(bits_of(static_cast<double>(c) * reciprocal) >> 46) - offset];
  }
  zeros_ += zeros;
}

KPILENS_RARELY_RUN void DDSketch::merge(const DDSketch& other) {
  if (other.count_ == 0) return;
  if (count_ == 0) {
    min_ = other.min_;
    max_ = other.max_;
  } else {
    min_ = std::min(min_, other.min_);
    max_ = std::max(max_, other.max_);
  }
  count_ += other.count_;
  zeros_ += other.zeros_;
  // Only the other's non-empty range: its vector may have room grown at either end.
  size_t first = 0;
  size_t end = other.counts_.size();
  while (first < end && other.counts_[first] == 0) ++first;
  while (end > first && other.counts_[end - 1] == 0) --end;
  if (first == end) return;
  const int32_t first_bucket = other.first_bucket_ + static_cast<int32_t>(first);
  const int32_t last_bucket = other.first_bucket_ + static_cast<int32_t>(end) - 1;
  if (counts_.empty() || first_bucket < first_bucket_ ||
      last_bucket - first_bucket_ >= static_cast<int32_t>(counts_.size())) {
    cover(first_bucket, last_bucket);
  }
  for (size_t k = first; k < end; ++k) {
    counts_[static_cast<size_t>(other.first_bucket_ + static_cast<int32_t>(k) - first_bucket_)] +=
        other.counts_[k];
  }
}

double DDSketch::value_at_rank(uint64_t rank) const {
  if (rank == 0) return min_;
  if (rank + 1 >= count_) return max_;
  double estimate = max_;
  if (rank < zeros_) {
    estimate = 0.0;
  } else {
    uint64_t seen = zeros_;
    for (size_t k = 0; k < counts_.size(); ++k) {
      seen += counts_[k];
      if (rank < seen) {
        estimate = bucket_estimate(first_bucket_ + static_cast<int32_t>(k));
        break;
      }
    }
  }
  return std::clamp(estimate, min_, max_);
}

uint64_t DDSketch::count_below(double limit) const {
  if (count_ == 0 || !(limit > min_)) return 0;
  if (limit > max_) return count_;
  uint64_t below = limit > 0 ? zeros_ : 0;
  if (!(limit >= kSmallestNormal)) return below;
  // Buckets below the limit's own are below it (their upper bound is at most the limit); the
  // limit's bucket counts when its estimate is below the limit.
  const int32_t limit_bucket = bucket_of(limit);
  for (size_t k = 0; k < counts_.size(); ++k) {
    const int32_t bucket = first_bucket_ + static_cast<int32_t>(k);
    if (bucket > limit_bucket) break;
    if (bucket == limit_bucket && bucket_estimate(bucket) >= limit) break;
    below += counts_[k];
  }
  return below;
}

// Saved form: tag 'D', count, zeros (varints); when count > 0 the minimum and maximum (f64); when
// some value is in a bucket, the lowest such bucket (svarint), the number of buckets up to the
// highest non-empty one (varint) and their counts (varints).
KPILENS_RARELY_RUN void DDSketch::save(StateWriter& out) const {
  out.write_u8(kSketchTag);
  out.write_varint(count_);
  out.write_varint(zeros_);
  if (count_ == 0) return;
  out.write_f64(min_);
  out.write_f64(max_);
  if (count_ == zeros_) return;
  size_t first = 0;
  size_t end = counts_.size();
  while (first < end && counts_[first] == 0) ++first;
  while (end > first && counts_[end - 1] == 0) --end;
  out.write_svarint(first_bucket_ + static_cast<int64_t>(first));
  out.write_varint(end - first);
  for (size_t k = first; k < end; ++k) out.write_varint(counts_[k]);
}

KPILENS_RARELY_RUN bool DDSketch::load(StateReader& in) {
  *this = DDSketch{};
  uint8_t tag = 0;
  uint64_t count = 0;
  uint64_t zeros = 0;
  if (!in.read_u8(tag) || !in.read_varint(count) || !in.read_varint(zeros)) return false;
  if (tag != kSketchTag || zeros > count) return in.fail();
  if (count == 0) return true;
  double min = 0;
  double max = 0;
  if (!in.read_f64(min) || !in.read_f64(max)) return false;
  // What add() can make: finite (the NaN test included), ordered; zeros are below 2^-1022.
  if (!std::isfinite(min) || !std::isfinite(max) || !(min <= max)) return in.fail();
  if (zeros > 0 && !(min < kSmallestNormal)) return in.fail();
  DDSketch loaded;
  loaded.count_ = count;
  loaded.zeros_ = zeros;
  loaded.min_ = min;
  loaded.max_ = max;
  if (count > zeros) {
    int64_t first = 0;
    uint64_t buckets = 0;
    if (!in.read_svarint(first) || !in.read_count(buckets, 1)) return false;
    if (buckets == 0 || first < kMinBucket || first > kMaxBucket ||
        buckets > static_cast<uint64_t>(kMaxBucket - first + 1)) {
      return in.fail();
    }
    loaded.first_bucket_ = static_cast<int32_t>(first);
    loaded.counts_.resize(static_cast<size_t>(buckets));
    uint64_t total = zeros;
    for (uint64_t& c : loaded.counts_) {
      if (!in.read_varint(c)) return false;
      if (c > count - total) return in.fail();  // more values than the count
      total += c;
    }
    const int32_t last = loaded.first_bucket_ + static_cast<int32_t>(buckets) - 1;
    // Canonical (no empty bucket at either end), every value counted, and the minimum and the
    // maximum in the buckets that hold them.
    if (total != count || loaded.counts_.front() == 0 || loaded.counts_.back() == 0 ||
        !(max >= kSmallestNormal) || bucket_of(max) != last ||
        (zeros == 0 && bucket_of(min) != loaded.first_bucket_)) {
      return in.fail();
    }
  } else if (!(max < kSmallestNormal)) {
    return in.fail();
  }
  *this = std::move(loaded);
  return true;
}

TickBlocks::TickBlocks(const TickBlocks& other) {
  const size_t n = other.size();
  if (n == 0) return;
  size_t at = 0;
  append(n, [&](std::span<uint32_t> to) {
    other.for_each_block([&](std::span<const uint32_t> block) {
      std::copy(block.begin(), block.end(), to.begin() + static_cast<std::ptrdiff_t>(at));
      at += block.size();
    });
  });
}

TickBlocks& TickBlocks::operator=(const TickBlocks& other) {
  if (this != &other) *this = TickBlocks(other);
  return *this;
}

TickBlocks& TickBlocks::operator=(TickBlocks&& other) noexcept {
  blocks_ = std::move(other.blocks_);  // the blocks stay where they are: next_ and end_ hold
  full_ = other.full_;
  next_ = other.next_;
  end_ = other.end_;
  other.blocks_.clear();
  other.full_ = 0;
  other.next_ = other.end_ = nullptr;
  return *this;
}

void TickBlocks::append(std::span<const uint32_t> ticks) {
  append(ticks.size(), [&](std::span<uint32_t> to) {
    std::copy_n(ticks.begin(), to.size(), to.begin());
    ticks = ticks.subspan(to.size());
  });
}

size_t TickBlocks::capacity() const {
  size_t slots = 0;
  for (const Block& block : blocks_) slots += block.capacity;
  return slots;
}

void TickBlocks::clear() {
  std::vector<Block>().swap(blocks_);
  full_ = 0;
  next_ = end_ = nullptr;
}

void TickBlocks::add_block(size_t at_least) {
  const size_t full = size();
  const size_t capacity = std::max(at_least, std::clamp(full, kFirstBlock, kLargestBlock));
  // Not value-initialised: every slot is written before it is read.
  blocks_.push_back(Block{std::unique_ptr<uint32_t[]>(new uint32_t[capacity]), capacity});
  full_ = full;  // (once nothing can throw)
  next_ = blocks_.back().data.get();
  end_ = next_ + capacity;
}

namespace {

constexpr double kTicksPerUnit = 3600;

// The tick count that stands for `value` exactly (see DurationQuantiles), or false.
bool to_ticks(double value, uint32_t& ticks) {
  const double scaled = value * kTicksPerUnit;
  if (!(scaled >= 0 && scaled < 4294967295.5)) return false;  // NaN fails too
  ticks = static_cast<uint32_t>(scaled + 0.5);
  return static_cast<double>(ticks) / kTicksPerUnit == value;
}

double from_ticks(uint32_t ticks) {
  return static_cast<double>(ticks) / kTicksPerUnit;
}

// The quantiles the reports give (medians and p90s): the first order statistic asked of a group
// selects theirs too, in the same passes.
constexpr double kReportedQuantiles[] = {0.5, 0.9};

// The values of ranks `ranks` (ascending, distinct, each < ticks.size(), at most kMaxRanks of
// them) among `ticks`, into `out`: a radix select, in place. One pass finds the largest tick, one
// counts the ticks by their 11 highest significant bits (2,048 buckets), one moves the ticks of the
// buckets that hold the ranks to the front (std::partition), grouped by bucket; each rank is then
// selected within its bucket's stretch. Three passes for every rank asked at once, where
// std::nth_element partitions around each rank in turn with a comparison per element moved: about
// half the time in wasm for a report's four ranks (median and p90 with their neighbours). The
// ticks are a copy (selection_copy), so nothing is allocated per call. A small group is sorted
// instead.
constexpr size_t kMaxRanks = 8;
void select_ticks(std::span<uint32_t> ticks, std::span<const size_t> ranks,
                  std::span<uint32_t> out) {
  constexpr size_t kSmall = 512;
  constexpr unsigned kBucketBits = 11;
  if (ticks.size() <= kSmall) {
    std::sort(ticks.begin(), ticks.end());
    for (size_t k = 0; k < ranks.size(); ++k) out[k] = ticks[ranks[k]];
    return;
  }
  uint32_t highest = 0;
  for (uint32_t t : ticks) highest = std::max(highest, t);
  const auto width = static_cast<unsigned>(32 - __builtin_clz(highest | 1));
  const unsigned shift = width > kBucketBits ? width - kBucketBits : 0;
  std::array<uint32_t, size_t{1} << kBucketBits> counts{};
  for (uint32_t t : ticks) ++counts[t >> shift];
  // Each rank's bucket and the count below it (ranks ascend, so one sweep); the buckets asked for
  // get slots 1, 2, … in ascending order, each a stretch of the front as long as its count.
  std::array<uint8_t, size_t{1} << kBucketBits> slot_of{};  // 0: not asked for
  std::array<size_t, kMaxRanks> below_bucket{};
  std::array<size_t, kMaxRanks> slot_of_rank{};
  std::array<size_t, kMaxRanks + 1> slot_start{};
  size_t slots = 0;
  uint32_t bucket = 0;
  size_t below = 0;
  for (size_t k = 0; k < ranks.size(); ++k) {
    while (below + counts[bucket] <= ranks[k]) below += counts[bucket++];
    below_bucket[k] = below;
    if (slot_of[bucket] == 0) {
      slot_start[slots + 1] = slot_start[slots] + counts[bucket];
      slot_of[bucket] = static_cast<uint8_t>(++slots);
    }
    slot_of_rank[k] = slot_of[bucket] - 1u;
  }
  const auto slot_of_tick = [&](uint32_t t) { return slot_of[t >> shift]; };
  const auto at = [&](size_t offset) {
    return ticks.begin() + static_cast<std::ptrdiff_t>(offset);
  };
  std::partition(ticks.begin(), ticks.end(), [&](uint32_t t) { return slot_of_tick(t) != 0; });
  for (size_t slot = 1; slot < slots; ++slot) {
    std::partition(at(slot_start[slot - 1]), at(slot_start[slots]),
                   [&](uint32_t t) { return slot_of_tick(t) == slot; });
  }
  for (size_t k = 0; k < ranks.size(); ++k) {
    const auto first = at(slot_start[slot_of_rank[k]]);
    const auto last = at(slot_start[slot_of_rank[k] + 1]);
    const auto nth = first + static_cast<std::ptrdiff_t>(ranks[k] - below_bucket[k]);
    std::nth_element(first, nth, last);
    out[k] = *nth;
  }
}

// A group's ticks copied for selection to reorder: one buffer, reused by every group (wasm memory
// never shrinks, so a passing copy per group could leave holes for good); it keeps the size of the
// largest group selected, at most 4 bytes × the cap (400 KB).
std::span<uint32_t> selection_copy(const TickBlocks& ticks) {
  static thread_local uint32_t* copy = nullptr;  // (never freed: one per thread that selects)
  static thread_local size_t room = 0;
  if (room < ticks.size()) {
    delete[] copy;  // (given back first: the larger one may take its place)
    room = ticks.size();
    copy = new uint32_t[room];
  }
  uint32_t* to = copy;
  ticks.for_each_block(
      [&](std::span<const uint32_t> block) { to = std::copy(block.begin(), block.end(), to); });
  return std::span<uint32_t>(copy, ticks.size());
}

// Copies the lent ticks from byte `from` on into `to` (as many as it holds): straight from the
// state's bytes, whose encoding is this machine's on x86 and wasm (state_codec.h); else the
// little-endian bytes decoded in place.
void copy_lent_ticks(const LentBytes& lent, size_t from, std::span<uint32_t> to) {
  auto* bytes = reinterpret_cast<uint8_t*>(to.data());
  lent.copy(from, 4 * to.size(), bytes);
  if constexpr (std::endian::native != std::endian::little) {
    for (size_t k = 0; k < to.size(); ++k) {
      uint8_t p[4];
      std::memcpy(p, bytes + 4 * k, 4);
      to[k] = uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24;
    }
  }
}

}  // namespace

template <class F>
void DurationQuantiles::for_lent_ticks(size_t size, F f) const {
  std::array<uint32_t, 1024> block;
  for (size_t at = 0; at < size; at += 4 * block.size()) {
    const size_t n = std::min(block.size(), (size - at) / 4);
    copy_lent_ticks(lent_ticks_, at, std::span<uint32_t>(block.data(), n));
    f(std::span<const uint32_t>(block.data(), n));
  }
}

void DurationQuantiles::add_kept_to(DDSketch& sketch) const {
  for (double v : values_) sketch.add(v);
  ticks_.for_each_block([&](std::span<const uint32_t> ticks) {
    sketch.add_quotients(ticks, kTicksPerUnit);  // from_ticks of each
  });
  for_lent_ticks(lent_bytes(), [&](std::span<const uint32_t> ticks) {
    sketch.add_quotients(ticks, kTicksPerUnit);
  });
}

KPILENS_RARELY_RUN void DurationQuantiles::append_kept_to(std::vector<double>& values) const {
  values.insert(values.end(), values_.begin(), values_.end());
  ticks_.for_each_block([&](std::span<const uint32_t> ticks) {
    for (uint32_t t : ticks) values.push_back(from_ticks(t));
  });
  for_lent_ticks(lent_bytes(), [&](std::span<const uint32_t> ticks) {
    for (uint32_t t : ticks) values.push_back(from_ticks(t));
  });
}

KPILENS_RARELY_RUN void DurationQuantiles::widen() {
  if (wide_) return;
  values_.reserve(ticks_.size() + 1);
  ticks_.for_each_block([&](std::span<const uint32_t> ticks) {
    for (uint32_t t : ticks) values_.push_back(from_ticks(t));
  });
  ticks_.clear();
  settled_.clear();  // the ranks known from the ticks: values_ is not partitioned around them
  wide_ = true;
}

void DurationQuantiles::spill() {
  sketch_.emplace();
  add_kept_to(*sketch_);
  std::vector<double>().swap(values_);
  ticks_.clear();
  std::vector<size_t>().swap(settled_);
}

KPILENS_ROW_PATH_INLINE void DurationQuantiles::feed(double value) {
  if (value == 0)
    value = 0.0;  // −0 as +0: selection cannot tell them apart, so neither may the report
  ++count_;
  sum_.add(value);
  if (sketch_) {
    sketch_->add(value);
    return;
  }
  uint32_t ticks = 0;
  const bool as_ticks = !wide_ && to_ticks(value, ticks);  // (before `ticks` is read)
  if (as_ticks && has_room_for_tick()) [[likely]] {
    ticks_.push_unchecked(ticks);
    return;
  }
  keep(value, as_ticks, ticks);
}

DurationQuantiles::Prepared::Prepared(double value)
    : value_(value == 0 ? 0.0 : value),  // as feed(double)
      addend_(value_),
      whole_ticks_(to_ticks(value_, ticks_)) {}

void DurationQuantiles::feed(const Prepared& value) {
  ++count_;
  sum_.add(value.addend_);
  // Nearly every feed: one more tick where there is room for it. A new block and the rest are a
  // call away, so that this path keeps its few values in registers (the growth code inlined here
  // had a feed save and restore six of them, natively).
  if (!sketch_ && !wide_ && value.whole_ticks_ && has_room_for_tick()) [[likely]] {
    ticks_.push_unchecked(value.ticks_);
    return;
  }
  feed_slowly(value);
}

__attribute__((noinline)) void DurationQuantiles::feed_slowly(const Prepared& value) {
  if (mean_only_) return;  // (kept no more: counted and summed)
  if (sketch_) {
    sketch_->add(value.value_);
    return;
  }
  keep(value.value_, !wide_ && value.whole_ticks_, value.ticks_);
}

KPILENS_ROW_PATH_INLINE void DurationQuantiles::feed_mean_only(double value) {
  ++count_;
  sum_.add(value == 0 ? 0.0 : value);
  if (!mean_only_) [[unlikely]]
    drop_values();
}

void DurationQuantiles::feed_mean_only(const Prepared& value) {
  ++count_;
  sum_.add(value.addend_);
  if (!mean_only_) [[unlikely]]
    drop_values();
}

KPILENS_RARELY_RUN void DurationQuantiles::drop_values() {
  mean_only_ = true;
  wide_ = false;
  sketch_.reset();
  lent_ticks_ = {};
  std::vector<double>().swap(values_);
  ticks_.clear();
  std::vector<size_t>().swap(settled_);
  std::vector<uint32_t>().swap(selected_);
}

void DurationQuantiles::keep(double value, bool as_ticks, uint32_t ticks) {
  // A mean-only object has no room for a tick (its blocks were released), so every feed of one
  // comes here, past its counting and summing: nothing more to do.
  if (mean_only_) return;
  // (This value is counted already: the lent ticks are the ones counted before it.)
  if (!lent_ticks_.empty()) [[unlikely]]
    own_lent_ticks(lent_bytes() / 4 - 1);
  if (as_ticks) [[likely]] {
    ticks_.push(ticks);
  } else {
    widen();
    values_.push_back(value);
  }
  if (!settled_.empty()) settled_.clear();
  if (count_ > cap_) spill();
}

KPILENS_RARELY_RUN void DurationQuantiles::expect_merges(uint64_t count) {
  if (!lent_ticks_.empty()) own_lent_ticks(lent_bytes() / 4);
  if (sketch_ || mean_only_) return;
  if (count > cap_) {
    spill();
  } else if (wide_ && count > kept()) {
    values_.reserve(static_cast<size_t>(count));
  }
}

KPILENS_RARELY_RUN void DurationQuantiles::own_lent_ticks(size_t ticks) {
  append_lent_ticks_of(*this, ticks);
  lent_ticks_ = {};
}

void DurationQuantiles::append_lent_ticks_of(const DurationQuantiles& other, size_t ticks) {
  size_t at = 0;  // bytes of the loan copied so far
  ticks_.append(ticks, [&](std::span<uint32_t> to) {
    copy_lent_ticks(other.lent_ticks_, at, to);  // straight into place
    at += 4 * to.size();
  });
}

KPILENS_RARELY_RUN void DurationQuantiles::merge(const DurationQuantiles& other) {
  if (!lent_ticks_.empty()) own_lent_ticks(lent_bytes() / 4);
  count_ += other.count_;
  sum_.merge(other.sum_);
  settled_.clear();
  if (mean_only_ || other.mean_only_) {
    if (!mean_only_) drop_values();
    return;
  }
  // The result depends only on the combined count, as if every value had been fed to one group.
  if (!sketch_ && (other.sketch_ || count_ > cap_)) spill();
  if (sketch_) {
    other.add_kept_to(*sketch_);
    if (other.sketch_) sketch_->merge(*other.sketch_);
  } else if (!wide_ && !other.wide_) {
    other.ticks_.for_each_block([&](std::span<const uint32_t> ticks) { ticks_.append(ticks); });
    if (!other.lent_ticks_.empty()) append_lent_ticks_of(other, other.lent_bytes() / 4);
  } else {
    widen();
    other.append_kept_to(values_);
  }
}

double DurationQuantiles::order_statistic(size_t rank) const {
  auto next = std::lower_bound(settled_.begin(), settled_.end(), rank);
  const bool settled = next != settled_.end() && *next == rank;
  if (!wide_) {
    if (!settled) {
      // This rank and the reported quantiles', each with its neighbour (type 7 interpolates).
      settled_.reserve(kMaxRanks);  // allocated once per group, at its final size
      selected_.reserve(kMaxRanks);
      settled_.assign(1, rank);
      if (rank + 1 < ticks_.size()) settled_.push_back(rank + 1);
      for (double q : kReportedQuantiles) {
        const auto low =
            static_cast<size_t>(std::floor(static_cast<double>(ticks_.size() - 1) * q));
        settled_.push_back(low);
        if (low + 1 < ticks_.size()) settled_.push_back(low + 1);
      }
      std::sort(settled_.begin(), settled_.end());
      settled_.erase(std::unique(settled_.begin(), settled_.end()), settled_.end());
      selected_.resize(settled_.size());
      select_ticks(selection_copy(ticks_), settled_, selected_);
      next = std::lower_bound(settled_.begin(), settled_.end(), rank);
    }
    return from_ticks(selected_[static_cast<size_t>(next - settled_.begin())]);
  }
  if (!settled) {
    // Only the stretch between the settled ranks around `rank` can hold its value.
    const size_t low = next == settled_.begin() ? 0 : *(next - 1) + 1;
    const size_t high = next == settled_.end() ? values_.size() : *next;
    const auto begin = values_.begin();
    std::nth_element(begin + static_cast<std::ptrdiff_t>(low),
                     begin + static_cast<std::ptrdiff_t>(rank),
                     begin + static_cast<std::ptrdiff_t>(high));
    settled_.insert(next, rank);
  }
  return values_[rank];
}

std::optional<double> DurationQuantiles::mean() const {
  if (count_ == 0) return std::nullopt;
  return sum_.value() / static_cast<double>(count_);
}

std::optional<double> DurationQuantiles::quantile(double q) const {
  if (count_ == 0 || mean_only_) return std::nullopt;
  q = std::clamp(q, 0.0, 1.0);
  double h = static_cast<double>(count_ - 1) * q;
  double below = std::floor(h);
  if (sketch_) return sketch_->value_at_rank(static_cast<uint64_t>(below));
  size_t index = static_cast<size_t>(below);
  if (index + 1 >= kept()) return order_statistic(kept() - 1);
  double low = order_statistic(index);
  double fraction = h - below;
  if (fraction == 0.0) return low;
  double high = order_statistic(index + 1);
  return low + (high - low) * fraction;
}

uint64_t DurationQuantiles::count_below(double limit) const {
  if (sketch_) return sketch_->count_below(limit);
  uint64_t below = 0;
  for (double v : values_) below += v < limit;
  ticks_.for_each_block([&](std::span<const uint32_t> ticks) {
    for (uint32_t t : ticks) below += from_ticks(t) < limit;
  });
  return below;
}

// Saved form: tag 'Q', the cap and the count (varints), then either 2, the exact sum and the kept
// values as ticks (u32 each, `count` of them, in the order kept), or 0, the exact sum and the
// kept values (f64 each: a group with a value that is no whole tick), or 1, the exact sum and the
// sketch, or 3 and the exact sum alone (mean only: feed_mean_only). Ticks halve a part's state (and
// copy in and out as they are: no conversion either way). The sum of kept values is written rather
// than added up again on load: a part's merge (parallel reading) would otherwise redo one exact
// addition per value, on the path every part waits for.
KPILENS_RARELY_RUN void DurationQuantiles::save(StateWriter& out) const {
  out.write_u8(kQuantilesTag);
  out.write_varint(cap_);
  out.write_varint(count_);
  if (mean_only_) {
    out.write_u8(kMeanOnly);
    sum_.save(out);
    return;
  }
  if (sketch_) {
    out.write_u8(kSketched);
    sum_.save(out);
    sketch_->save(out);
    return;
  }
  out.write_u8(wide_ ? kExactValues : kExactTicks);
  sum_.save(out);
  if (wide_) {
    out.write_f64s(values_);
  } else {
    ticks_.for_each_block([&](std::span<const uint32_t> ticks) { out.write_u32s(ticks); });
  }
}

KPILENS_RARELY_RUN bool DurationQuantiles::load(StateReader& in) {
  *this = DurationQuantiles(cap_);
  uint8_t tag = 0;
  uint64_t cap = 0;
  uint64_t count = 0;
  uint8_t mode = 0;
  if (!in.read_u8(tag) || !in.read_varint(cap) || !in.read_varint(count) || !in.read_u8(mode)) {
    return false;
  }
  if (tag != kQuantilesTag) return in.fail();
  DurationQuantiles loaded(cap);
  loaded.count_ = count;
  if (mode == kExactValues) {
    if (count > cap || !loaded.sum_.load(in) || count > in.remaining() / 8) return in.fail();
    loaded.values_.resize(static_cast<size_t>(count));
    if (!in.read_f64s(loaded.values_)) return false;
    for (double v : loaded.values_) {
      // What feed() keeps: finite values (selection needs an order), and never −0.
      if (!std::isfinite(v) || bits_of(v) == uint64_t{1} << 63) return in.fail();
    }
    // Kept as doubles even if every one is a whole tick (a save writes doubles only for a group
    // with a value that is not): the form never changes a figure.
    loaded.wide_ = true;
  } else if (mode == kExactTicks) {
    // Every count stands for a finite, non-negative value (never −0) that is its own tick form.
    if (count > cap || !loaded.sum_.load(in) || count > in.remaining() / 4) return in.fail();
    if (in.lends()) {
      if (!in.lend(static_cast<size_t>(count) * 4, loaded.lent_ticks_)) return false;
    } else {
      bool read = true;
      loaded.ticks_.append(static_cast<size_t>(count),
                           [&](std::span<uint32_t> to) { read = read && in.read_u32s(to); });
      if (!read) return false;
    }
  } else if (mode == kMeanOnly) {
    if (!loaded.sum_.load(in)) return false;
    loaded.mean_only_ = true;
  } else if (mode == kSketched) {
    if (count <= cap) return in.fail();
    loaded.sketch_.emplace();
    if (!loaded.sum_.load(in) || !loaded.sketch_->load(in)) return false;
    if (loaded.sketch_->count() != count) return in.fail();
  } else {
    return in.fail();
  }
  *this = std::move(loaded);
  return true;
}

}  // namespace kpilens
