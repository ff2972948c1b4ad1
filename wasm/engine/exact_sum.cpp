// exact_sum: a windowed superaccumulator (see exact_sum.h). The idea of fixed-point limbs with
// deferred carries is Neal's, "Fast exact summation using small and large superaccumulators"
// (arXiv:1505.05571, 2015); the rounding is IEEE 754 round to nearest, ties to even.
#include "exact_sum.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <limits>

#include "state_codec.h"

namespace kpilens {

namespace {

// std::bit_cast is missing from Emscripten 3.1.6's libc++.
double double_of(uint64_t bits) {
  double x = 0;
  std::memcpy(&x, &bits, sizeof x);
  return x;
}

constexpr uint64_t kFractionMask = (uint64_t{1} << 52) - 1;
constexpr uint64_t kNegativeZeroBits = uint64_t{1} << 63;
constexpr int64_t kDigitMask = 0xFFFFFFFF;

// The highest digit a genuine sum reaches: fewer than 2^64 values, each below 2^1024 = 2^2098
// units, sum to less than 2^2162 units, whose top digit is 2162 / 32 = 67.
constexpr int32_t kHighestDigit = 67;

// Flag bits of the saved form.
enum : uint8_t {
  kFlagAny = 1,
  kFlagOnlyNegativeZeros = 2,
  kFlagNan = 4,
  kFlagPositiveInfinity = 8,
  kFlagNegativeInfinity = 16,
  kFlagNegative = 32,
  kFlagNonZero = 64,
  kFlagsKnown = 127,
};

constexpr uint8_t kExactSumTag = 'S';

// 64 bits of the magnitude (digits[i] is digit first + i) from bit `position` (≥ 0) up.
uint64_t bits_at(const std::vector<uint32_t>& digits, int32_t first, int64_t position) {
  uint64_t window = 0;
  const int64_t digit = position >> 5;
  const int offset = static_cast<int>(position & 31);
  for (int part = 0; part < 3; ++part) {
    const int64_t index = digit + part - first;
    if (index < 0 || index >= static_cast<int64_t>(digits.size())) continue;
    const uint64_t value = digits[static_cast<size_t>(index)];
    const int shift = 32 * part - offset;  // where the digit's bit 0 lands in the window
    if (shift < 0) {
      window |= value >> -shift;
    } else if (shift < 64) {
      window |= value << shift;
    }
  }
  return window;
}

// Whether any bit of the magnitude below bit `position` is set.
bool bits_below(const std::vector<uint32_t>& digits, int32_t first, int64_t position) {
  const int64_t digit = position >> 5;
  for (int64_t d = first; d < digit && d - first < static_cast<int64_t>(digits.size()); ++d) {
    if (digits[static_cast<size_t>(d - first)] != 0) return true;
  }
  const int64_t index = digit - first;
  if (index < 0 || index >= static_cast<int64_t>(digits.size())) return false;
  const uint32_t low_bits = (uint32_t{1} << (position & 31)) - 1;
  return (digits[static_cast<size_t>(index)] & low_bits) != 0;
}

void carry_limbs(std::vector<int64_t>& limbs) {
  for (size_t k = 0; k + 1 < limbs.size(); ++k) {
    const int64_t carry = limbs[k] >> 32;  // floor division: C++20 shifts are arithmetic
    limbs[k] &= kDigitMask;
    limbs[k + 1] += carry;
  }
}

}  // namespace

void ExactSum::add_unusual(uint64_t bits) {
  const uint32_t biased_exponent = static_cast<uint32_t>(bits >> 52) & 0x7FF;
  const uint64_t significand = bits & kFractionMask;
  const bool negative = (bits >> 63) != 0;
  if (bits == kNegativeZeroBits) {
    if (state_ == kEmpty) state_ = kOnlyNegativeZeros;
    return;
  }
  state_ = kOther;
  if (biased_exponent == 0x7FF) {
    if (significand != 0) {
      nan_ = true;
    } else if (negative) {
      negative_infinity_ = true;
    } else {
      positive_infinity_ = true;
    }
    return;
  }
  if (significand == 0) return;  // +0
  // A subnormal: significand × 2^-1074, so digit 0, from bit 0; 52 bits fit one limb.
  const int64_t value = static_cast<int64_t>(significand);
  add_at(0, negative ? -value : value, 0);
}

void ExactSum::add_outside(int32_t digit, int64_t low, int64_t high) {
  cover(digit, digit + 1 + kHeadroom);
  add_at(digit, low, high);
}

void ExactSum::cover(int32_t first_digit, int32_t last_digit) {
  if (limbs_.empty()) {
    base_ = first_digit;
    limbs_.assign(static_cast<size_t>(last_digit - first_digit + 1), 0);
    return;
  }
  const int32_t end = base_ + static_cast<int32_t>(limbs_.size());
  const int32_t new_base = std::min(base_, first_digit);
  const int32_t new_end = std::max(end, last_digit + 1);
  if (new_base == base_ && new_end == end) return;
  std::vector<int64_t> grown(static_cast<size_t>(new_end - new_base), 0);
  std::copy(limbs_.begin(), limbs_.end(), grown.begin() + (base_ - new_base));
  limbs_.swap(grown);
  base_ = new_base;
}

void ExactSum::carry() {
  carry_limbs(limbs_);
  adds_since_carry_ = 0;
}

KPILENS_RARELY_RUN void ExactSum::merge(const ExactSum& other) {
  if (other.state_ == kEmpty) return;
  if (state_ == kEmpty || other.state_ == kOther) state_ = other.state_;
  nan_ = nan_ || other.nan_;
  positive_infinity_ = positive_infinity_ || other.positive_infinity_;
  negative_infinity_ = negative_infinity_ || other.negative_infinity_;
  if (other.limbs_.empty()) return;
  // Limb by limb, the bounds add up: |limb| < 2^32 + (a + b + 1) × 2^52 for a and b pending adds.
  if (adds_since_carry_ + other.adds_since_carry_ + 1 >= kAddsBetweenCarries) carry();
  cover(other.base_, other.base_ + static_cast<int32_t>(other.limbs_.size()) - 1);
  int64_t* limb = limbs_.data() + (other.base_ - base_);
  for (size_t k = 0; k < other.limbs_.size(); ++k) limb[k] += other.limbs_[k];
  adds_since_carry_ += other.adds_since_carry_ + 1;
  if (adds_since_carry_ >= kAddsBetweenCarries) carry();
}

bool ExactSum::magnitude(std::vector<uint32_t>& digits, int32_t& first_digit) const {
  digits.clear();
  first_digit = 0;
  if (limbs_.empty()) return false;
  std::vector<int64_t> limbs = limbs_;
  carry_limbs(limbs);
  const bool negative = limbs.back() < 0;
  if (negative) {
    for (int64_t& limb : limbs) limb = -limb;
    carry_limbs(limbs);
  }
  // Every limb is now a digit in [0, 2^32) but the top one, which is ≥ 0 and < 2^63: two digits.
  for (size_t k = 0; k + 1 < limbs.size(); ++k) digits.push_back(static_cast<uint32_t>(limbs[k]));
  digits.push_back(static_cast<uint32_t>(limbs.back() & kDigitMask));
  digits.push_back(static_cast<uint32_t>(limbs.back() >> 32));
  first_digit = base_;
  while (!digits.empty() && digits.back() == 0) digits.pop_back();
  size_t zeros = 0;
  while (zeros < digits.size() && digits[zeros] == 0) ++zeros;
  digits.erase(digits.begin(), digits.begin() + static_cast<std::ptrdiff_t>(zeros));
  first_digit += static_cast<int32_t>(zeros);
  return negative && !digits.empty();
}

double ExactSum::value() const {
  if (nan_ || (positive_infinity_ && negative_infinity_)) {
    return std::numeric_limits<double>::quiet_NaN();
  }
  if (positive_infinity_) return std::numeric_limits<double>::infinity();
  if (negative_infinity_) return -std::numeric_limits<double>::infinity();

  std::vector<uint32_t> digits;
  int32_t first = 0;
  const bool negative = magnitude(digits, first);
  if (digits.empty()) return state_ == kOnlyNegativeZeros ? -0.0 : 0.0;

  // The magnitude M is an integer in units of 2^-1074, `length` bits long. A double's bit pattern,
  // read as an integer, is M itself when M < 2^53 (subnormals, and normals of exponent −1022), and
  // otherwise (shift << 52) + the top 53 bits of M rounded, for shift = length − 53: a significand
  // rounded up to 2^53 carries into the exponent field, and one past the largest exponent gives
  // exactly the bits of infinity.
  const int64_t length =
      32 * int64_t{first + static_cast<int32_t>(digits.size()) - 1} + std::bit_width(digits.back());
  const int64_t position = std::max<int64_t>(length - 64, 0);
  const uint64_t window = bits_at(digits, first, position);
  uint64_t result = window;
  if (length > 53) {
    const int64_t shift = length - 53;
    const int low_bits = static_cast<int>(length - 53 - position);  // 1 … 11
    uint64_t significand = window >> low_bits;
    const bool half = ((window >> (low_bits - 1)) & 1) != 0;
    const bool beyond_half = (window & ((uint64_t{1} << (low_bits - 1)) - 1)) != 0 ||
                             bits_below(digits, first, position);
    if (half && (beyond_half || (significand & 1) != 0)) ++significand;
    if (shift >= 2047 - 1) {
      result = uint64_t{0x7FF} << 52;  // the biased exponent would be shift + 1 ≥ 2047
    } else {
      result = (static_cast<uint64_t>(shift) << 52) + significand;
    }
  }
  if (negative) result |= uint64_t{1} << 63;
  return double_of(result);
}

// Saved form: tag 'S', flags (u8), then when the magnitude is not 0 (flag kFlagNonZero): the index
// of its lowest non-zero digit (varint), the number of digits up to its highest non-zero one
// (varint), and the digits (u32 each, lowest first).
KPILENS_RARELY_RUN void ExactSum::save(StateWriter& out) const {
  std::vector<uint32_t> digits;
  int32_t first = 0;
  const bool negative = magnitude(digits, first);
  uint8_t flags = 0;
  if (state_ != kEmpty) flags |= kFlagAny;
  if (state_ == kOnlyNegativeZeros) flags |= kFlagOnlyNegativeZeros;
  if (nan_) flags |= kFlagNan;
  if (positive_infinity_) flags |= kFlagPositiveInfinity;
  if (negative_infinity_) flags |= kFlagNegativeInfinity;
  if (negative) flags |= kFlagNegative;
  if (!digits.empty()) flags |= kFlagNonZero;
  out.write_u8(kExactSumTag);
  out.write_u8(flags);
  if (digits.empty()) return;
  out.write_varint(static_cast<uint64_t>(first));
  out.write_varint(digits.size());
  for (uint32_t digit : digits) out.write_u32(digit);
}

KPILENS_RARELY_RUN bool ExactSum::load(StateReader& in) {
  *this = ExactSum{};
  uint8_t tag = 0;
  uint8_t flags = 0;
  if (!in.read_u8(tag) || !in.read_u8(flags)) return false;
  if (tag != kExactSumTag || (flags & ~kFlagsKnown) != 0) return in.fail();
  const bool any = (flags & kFlagAny) != 0;
  const bool non_zero = (flags & kFlagNonZero) != 0;
  const bool specials = (flags & (kFlagNan | kFlagPositiveInfinity | kFlagNegativeInfinity)) != 0;
  // Combinations no sequence of adds and merges makes: flags without an add, a sign without a
  // magnitude, "only −0 was added" with anything else.
  if (!any && flags != 0) return in.fail();
  if ((flags & kFlagNegative) != 0 && !non_zero) return in.fail();
  if ((flags & kFlagOnlyNegativeZeros) != 0 && (specials || non_zero)) return in.fail();

  if (non_zero) {
    uint64_t first = 0;
    uint64_t count = 0;
    if (!in.read_varint(first) || !in.read_count(count, 4)) return false;
    if (count == 0 || first > kHighestDigit || count > kHighestDigit + 1 - first) {
      return in.fail();
    }
    std::vector<uint32_t> digits(static_cast<size_t>(count));
    for (uint32_t& digit : digits) {
      if (!in.read_u32(digit)) return false;
    }
    // Canonical: the lowest and the highest digit are not 0 (so one value has one form).
    if (digits.front() == 0 || digits.back() == 0) return in.fail();
    base_ = static_cast<int32_t>(first);
    limbs_.assign(digits.size() + kHeadroom, 0);
    const bool negative = (flags & kFlagNegative) != 0;
    for (size_t k = 0; k < digits.size(); ++k) {
      limbs_[k] = negative ? -int64_t{digits[k]} : int64_t{digits[k]};
    }
  }
  state_ = !any ? kEmpty : (flags & kFlagOnlyNegativeZeros) != 0 ? kOnlyNegativeZeros : kOther;
  nan_ = (flags & kFlagNan) != 0;
  positive_infinity_ = (flags & kFlagPositiveInfinity) != 0;
  negative_infinity_ = (flags & kFlagNegativeInfinity) != 0;
  return true;
}

}  // namespace kpilens
