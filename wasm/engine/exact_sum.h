// exact_sum: a sum of doubles that is exact until the final rounding, so it does not depend on the
// order of feeding or merging: one pass, two workers, or two files give the same bits, natively and
// in wasm. The result is the correctly rounded (to nearest, ties to even) exact sum, as Python's
// math.fsum gives.
//
// How: a superaccumulator. Every finite double is an integer multiple of 2^-1074 (the smallest
// subnormal), below 2^2098 of those units, so the exact sum is one big integer in units of 2^-1074.
// It is held in 32-bit digits, each in an int64 limb: an add puts a value's 53-bit significand into
// two neighbouring limbs (no loop, no branch on magnitudes), and the carries between limbs are
// settled only every few thousand adds (the limbs' spare bits absorb them until then). The limbs
// cover only the digit positions the values have reached (a window that grows as needed), so a sum
// of durations holds a handful of limbs, not the 67 the whole double range would need.
#pragma once

#include <cstdint>
#include <cstring>
#include <vector>

namespace kpilens {

class StateReader;
class StateWriter;

class ExactSum {
 public:
  // Inline: the path of a normal number (not 0, subnormal, infinite or NaN) is a few shifts and two
  // integer adds. Forced: the wasm link left it a call (~8 per ticket row).
  __attribute__((always_inline)) void add(double x) {
    uint64_t bits = 0;
    std::memcpy(&bits, &x, sizeof bits);  // std::bit_cast is missing from Emscripten 3.1.6
    if (!is_normal(bits)) {
      add_unusual(bits);
      return;
    }
    int32_t digit = 0;
    int64_t low = 0;
    int64_t high = 0;
    split(bits, digit, low, high);
    add_at(digit, low, high);
    state_ = kOther;
  }

  // A value taken apart once (its limb and the two words it adds there) for adding it to several
  // sums: a ticket row's duration feeds its period's group and one group per breakdown.
  // add(Addend(x)) is add(x).
  class Addend {
   public:
    __attribute__((always_inline)) explicit Addend(double x) {
      std::memcpy(&bits_, &x, sizeof bits_);
      normal_ = is_normal(bits_);
      if (normal_) split(bits_, digit_, low_, high_);
    }

   private:
    friend class ExactSum;
    uint64_t bits_ = 0;
    int64_t low_ = 0;
    int64_t high_ = 0;
    int32_t digit_ = 0;
    bool normal_ = false;
  };
  __attribute__((always_inline)) void add(const Addend& a) {
    if (!a.normal_) {
      add_unusual(a.bits_);
      return;
    }
    add_at(a.digit_, a.low_, a.high_);
    state_ = kOther;
  }

  void merge(const ExactSum& other);
  // Correctly rounded. Special cases as IEEE 754 addition: a sum that overflows is ±infinity, any
  // NaN or +inf with −inf gives NaN, an exact zero is +0 unless every value added was −0 (and +0
  // when nothing was added).
  double value() const;

  // The state as bytes (state_codec.h) and back. save() writes a canonical form: two sums with the
  // same exact value and flags write the same bytes. load() replaces this sum; on malformed input
  // it returns false (the reader fails) and leaves this sum empty.
  void save(StateWriter& out) const;
  bool load(StateReader& in);

 private:
  // An add puts < 2^32 into one limb and < 2^52 into the next. After a carry every limb but the top
  // one is a digit in [0, 2^32), so after k more adds |limb| < 2^32 + k × 2^52, which stays below
  // 2^63 for k ≤ 2047.
  static constexpr uint32_t kAddsBetweenCarries = 2047;
  // Limbs kept above the highest digit an add has touched. The top limb only ever receives carries;
  // with two limbs of headroom it holds less than n × 2^-12 after n adds, far from overflowing.
  static constexpr int32_t kHeadroom = 2;
  enum State : uint8_t { kEmpty, kOnlyNegativeZeros, kOther };

  // Not 0, subnormal, infinite or NaN: the biased exponent is not 0 or 0x7FF (the subtraction
  // wraps for 0).
  static bool is_normal(uint64_t bits) {
    return (static_cast<uint32_t>(bits >> 52) & 0x7FF) - 1 < 0x7FE;
  }
  // A normal number ±significand × 2^(shift − 1074), for shift = biased exponent − 1: the
  // significand (53 bits) goes to digit shift / 32, shifted by shift % 32, split at bit 32 over two
  // limbs (low and high, signed).
  __attribute__((always_inline)) static void split(uint64_t bits, int32_t& digit, int64_t& low,
                                                   int64_t& high) {
    const uint32_t shift = (static_cast<uint32_t>(bits >> 52) & 0x7FF) - 1;
    const uint64_t significand = (bits & ((uint64_t{1} << 52) - 1)) | uint64_t{1} << 52;
    const int64_t sign = -static_cast<int64_t>(bits >> 63);  // 0 or −1: (v ^ sign) − sign = ±v
    const auto low_bits = static_cast<int64_t>((significand << (shift & 31)) & 0xFFFFFFFF);
    const auto high_bits = static_cast<int64_t>(significand >> (32 - (shift & 31)));
    digit = static_cast<int32_t>(shift >> 5);
    low = (low_bits ^ sign) - sign;
    high = (high_bits ^ sign) - sign;
  }
  __attribute__((always_inline)) void add_at(int32_t digit, int64_t low, int64_t high) {
    // Unsigned, so that a digit below the window also takes the slow way.
    const uint64_t index = static_cast<uint32_t>(digit - base_);
    if (index + 1 + kHeadroom >= limbs_.size()) {
      add_outside(digit, low, high);
      return;
    }
    const size_t at = static_cast<size_t>(index);  // < limbs_.size(): fits size_t in wasm too
    limbs_[at] += low;
    limbs_[at + 1] += high;
    if (++adds_since_carry_ == kAddsBetweenCarries) carry();
  }
  void add_unusual(uint64_t bits);
  // add_at for a digit beyond the limbs: covers it, then adds.
  void add_outside(int32_t digit, int64_t low, int64_t high);
  void cover(int32_t first_digit, int32_t last_digit);
  void carry();
  // The magnitude in base-2^32 digits from digit `first_digit` up, and whether it is negative.
  bool magnitude(std::vector<uint32_t>& digits, int32_t& first_digit) const;

  std::vector<int64_t> limbs_;  // limbs_[k] holds digit base_ + k (digit d is worth 2^(32d − 1074))
  int32_t base_ = 0;
  uint32_t adds_since_carry_ = 0;
  State state_ = kEmpty;  // what has been added, for the sign of a zero sum
  bool nan_ = false;
  bool positive_infinity_ = false;
  bool negative_infinity_ = false;
};

}  // namespace kpilens
