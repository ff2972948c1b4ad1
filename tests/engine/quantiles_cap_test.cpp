// The exact cap of DurationQuantiles and the DDSketch behind it (quantiles.h).
#include <algorithm>
#include <bit>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "quantiles.h"
#include "state_codec.h"

using kpilens::DDSketch;
using kpilens::DurationQuantiles;

namespace {

// The exact order statistic of rank ⌊(n − 1) q⌋, which the sketch estimates.
double exact_at(std::vector<double> values, double q) {
  std::sort(values.begin(), values.end());
  return values[static_cast<size_t>(std::floor((values.size() - 1) * q))];
}

std::vector<double> lognormal_durations(uint32_t seed, size_t count) {
  std::mt19937 random(seed);
  std::lognormal_distribution<double> duration(3.0, 1.5);
  std::vector<double> values;
  for (size_t i = 0; i < count; ++i) values.push_back(duration(random));
  return values;
}

}  // namespace

TEST_CASE("Quantiles stay exact up to the cap and say so", "[quantiles][cap]") {
  DurationQuantiles q(10);
  for (int i = 1; i <= 10; ++i) q.feed(i);
  q.finish();
  CHECK_FALSE(q.approximate());
  // Type 7 on 1..10: h = 9 × 0.5 = 4.5 → 5 + 0.5 × (6 − 5) = 5.5.
  CHECK(*q.quantile(0.5) == 5.5);
}

TEST_CASE("Past the cap quantiles come from the sketch within 1 %", "[quantiles][cap]") {
  DurationQuantiles q(1000);
  std::vector<double> values = lognormal_durations(7, 20000);
  for (double v : values) q.feed(v);
  q.finish();
  REQUIRE(q.approximate());
  for (double p : {0.0, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 0.999, 1.0}) {
    INFO("q = " << p);
    const double exact = exact_at(values, p);
    CHECK(std::fabs(*q.quantile(p) - exact) <= 0.01 * exact);
  }
}

TEST_CASE("The sketch's lowest and highest ranks are the exact minimum and maximum",
          "[quantiles][cap]") {
  // Estimates are clamped to the extremes, which the sketch keeps exactly.
  DurationQuantiles q(3);
  for (double v : {7.3, 2.0001, 55.5, 3.3, 1000.1}) q.feed(v);
  REQUIRE(q.approximate());
  CHECK(*q.quantile(0.0) == 2.0001);
  CHECK(*q.quantile(1.0) == 1000.1);
}

TEST_CASE("The mean stays exact past the cap", "[quantiles][cap]") {
  DurationQuantiles q(4);
  for (int i = 1; i <= 100; ++i) q.feed(i);
  q.finish();
  REQUIRE(q.approximate());
  CHECK(*q.mean() == 50.5);  // (1 + 100) ÷ 2
}

TEST_CASE("Zero durations count as zero in the sketch", "[quantiles][cap]") {
  DurationQuantiles q(2);
  for (int i = 0; i < 6; ++i) q.feed(0.0);
  q.feed(-0.0);
  q.feed(10.0);
  q.finish();
  REQUIRE(q.approximate());
  // 7 zeros and 10: ranks 0–6 are zeros; the median's rank is ⌊7 × 0.5⌋ = 3.
  CHECK(*q.quantile(0.5) == 0.0);
  CHECK_FALSE(std::signbit(*q.quantile(0.5)));
  CHECK(q.count_below(1.0) == 7);
  CHECK(q.count_below(0.0) == 0);
  CHECK(*q.quantile(1.0) == 10.0);
}

TEST_CASE("Merging halves past the cap equals one pass", "[quantiles][cap]") {
  DurationQuantiles whole(50), left(50), right(50);
  for (int i = 0; i < 80; ++i) {
    double v = 1.0 + i * 0.37;
    whole.feed(v);
    (i < 40 ? left : right).feed(v);
  }
  // Neither half passes the cap; together they do.
  REQUIRE_FALSE(left.approximate());
  left.merge(right);
  whole.finish();
  left.finish();
  REQUIRE(left.approximate());
  REQUIRE(whole.approximate());
  for (double p : {0.1, 0.5, 0.9}) CHECK(*left.quantile(p) == *whole.quantile(p));
  CHECK(left.count_below(10.0) == whole.count_below(10.0));
  CHECK(*left.mean() == *whole.mean());
}

TEST_CASE("Merges announced with expect_merges give what one pass gives", "[quantiles][cap]") {
  // Three parts of 30 values, together past the cap of 50: announced, straight to the sketch.
  DurationQuantiles whole(50), announced(50);
  std::vector<DurationQuantiles> parts(3, DurationQuantiles(50));
  for (int i = 0; i < 90; ++i) {
    const double v = 0.5 + i * 1.7;
    whole.feed(v);
    parts[static_cast<size_t>(i / 30)].feed(v);
  }
  announced.expect_merges(90);
  REQUIRE(announced.approximate());  // past the cap: the sketch from the start
  for (const DurationQuantiles& part : parts) announced.merge(part);
  for (double p : {0.1, 0.5, 0.9}) CHECK(*announced.quantile(p) == *whole.quantile(p));
  CHECK(announced.count_below(40.0) == whole.count_below(40.0));
  CHECK(*announced.mean() == *whole.mean());
  CHECK(announced.count() == 90);
}

TEST_CASE("expect_merges under the cap keeps the values exact", "[quantiles][cap]") {
  DurationQuantiles a(50), b(50), announced(50);
  for (int i = 1; i <= 20; ++i) (i <= 10 ? a : b).feed(i);
  announced.expect_merges(20);
  announced.merge(a);
  announced.merge(b);
  REQUIRE_FALSE(announced.approximate());
  CHECK(*announced.quantile(0.5) == 10.5);  // type 7: halfway between the 10th and 11th of 1…20
  CHECK(*announced.quantile(0.9) == 18.1);  // rank 0.9 × 19 = 17.1: 18 + 0.1 × (19 − 18)
}

TEST_CASE("Sketches merged in any order give the same quantiles to the bit", "[quantiles][cap]") {
  std::vector<double> values = lognormal_durations(11, 30000);
  std::vector<DDSketch> parts(5);
  DDSketch one_pass;
  for (size_t i = 0; i < values.size(); ++i) {
    one_pass.add(values[i]);
    parts[(i * 7) % parts.size()].add(values[i]);
  }
  DDSketch forward, backward;
  for (const DDSketch& part : parts) forward.merge(part);
  for (auto it = parts.rbegin(); it != parts.rend(); ++it) backward.merge(*it);
  REQUIRE(forward.count() == values.size());
  for (uint64_t rank :
       {uint64_t{0}, uint64_t{1}, uint64_t{14999}, uint64_t{27000}, uint64_t{29999}}) {
    INFO("rank " << rank);
    CHECK(std::bit_cast<uint64_t>(forward.value_at_rank(rank)) ==
          std::bit_cast<uint64_t>(one_pass.value_at_rank(rank)));
    CHECK(std::bit_cast<uint64_t>(backward.value_at_rank(rank)) ==
          std::bit_cast<uint64_t>(one_pass.value_at_rank(rank)));
  }
  for (double limit : {1.0, 20.0, 60.0, 1000.0}) {
    CHECK(forward.count_below(limit) == one_pass.count_below(limit));
  }
}

TEST_CASE("A sketch bucket's estimate is within 1 % of every value in it", "[quantiles][cap]") {
  // Values at and just below bucket edges (the worst cases), and ordinary ones, over the range.
  std::vector<double> values{
      1e-300,   1e-6, 0.001, 0.5, 0.999,       1.0,   1.0099,
      3.14159,  59.9, 60.0,  1e6, 123456789.0, 1e300, std::numeric_limits<double>::max(),
      0x1p-1022};
  for (double edge = 1.0; edge < 2.0; edge += 1.0 / 64) {
    values.push_back(edge);
    values.push_back(std::nextafter(edge + 1.0 / 64, 0.0));
    values.push_back(std::ldexp(edge, -700));
    values.push_back(std::ldexp(std::nextafter(edge + 1.0 / 64, 0.0), 900));
  }
  for (double v : values) {
    INFO("v = " << v);
    const double estimate = DDSketch::bucket_estimate(DDSketch::bucket_of(v));
    // The bound proved in quantiles.h: 1/129 (+ one rounding), under 0.78 %.
    CHECK(std::fabs(estimate - v) <= v / 128.9);
  }
}

TEST_CASE("Every whole number up to 128 starts a sketch bucket", "[quantiles][cap]") {
  // So counts below the report's bounds (5, 15, 30, 60 … minutes; 1, 4, 8, 24, 48, 72, 168 hours)
  // are exact: the largest double below n is in another bucket than n.
  for (int n = 1; n <= 128; ++n) {
    INFO("n = " << n);
    CHECK(DDSketch::bucket_of(std::nextafter(n, 0.0)) == DDSketch::bucket_of(n) - 1);
  }
  for (double bound : {240.0, 480.0, 1440.0, 168.0}) {
    CHECK(DDSketch::bucket_of(std::nextafter(bound, 0.0)) == DDSketch::bucket_of(bound) - 1);
  }
}

TEST_CASE("Past the cap counts below the report's bounds are exact", "[quantiles][cap]") {
  // Whole minutes and whole seconds put many durations exactly on a bound; a value equal to the
  // bound is not below it.
  DurationQuantiles q(100);
  std::vector<double> values;
  for (int seconds = 0; seconds <= 100000; seconds += 7) values.push_back(seconds / 60.0);
  for (int i = 0; i < 300; ++i) {
    for (double bound : {5.0, 15.0, 30.0, 60.0, 240.0, 480.0, 1440.0}) values.push_back(bound);
  }
  for (double v : values) q.feed(v);
  REQUIRE(q.approximate());
  for (double bound : {5.0, 15.0, 30.0, 60.0, 240.0, 480.0, 1440.0}) {
    INFO("bound " << bound);
    const auto expected =
        std::count_if(values.begin(), values.end(), [&](double v) { return v < bound; });
    CHECK(q.count_below(bound) == static_cast<uint64_t>(expected));
  }
}

TEST_CASE("The sketch's buckets grow at both ends without losing counts", "[quantiles][cap]") {
  // Fed in falling then rising order, the store grows downwards and upwards many times.
  DDSketch sketch;
  std::vector<double> values;
  for (int i = 0; i < 2000; ++i) values.push_back(std::ldexp(1.0 + i / 2000.0, -i / 40));
  for (int i = 0; i < 2000; ++i) values.push_back(std::ldexp(1.0 + i / 2000.0, i / 40));
  for (double v : values) sketch.add(v);
  REQUIRE(sketch.count() == 4000);
  for (double q : {0.0, 0.2, 0.5, 0.8, 1.0}) {
    const double exact = exact_at(values, q);
    const uint64_t rank = static_cast<uint64_t>(std::floor(3999 * q));
    CHECK(std::fabs(sketch.value_at_rank(rank) - exact) <= 0.01 * exact);
  }
}

TEST_CASE("A sketch fed many quotients at once equals one fed each", "[quantiles][cap]") {
  // add_quotients(counts, unit) is add(count / unit) for each count, zeros and extremes included,
  // into an empty sketch or one that already holds values (below, inside and above the new ones):
  // the same bytes when saved, the same estimates.
  std::mt19937 rng(5);
  std::uniform_int_distribution<uint32_t> seconds(0, 4000000);
  std::vector<uint32_t> counts(5000);
  for (uint32_t& c : counts) c = seconds(rng);
  counts[10] = 0;
  counts[11] = UINT32_MAX;
  counts[12] = 1;
  const std::vector<std::vector<uint32_t>> sets = {
      counts, {},        {0, 0, 0},
      {7},    {0, 3600}, std::vector<uint32_t>(counts.begin(), counts.begin() + 9)};
  const std::vector<std::vector<double>> before = {{}, {1e-9, 0.0}, {500.0}, {1e7, 0.5, 2.0}};
  for (const std::vector<uint32_t>& set : sets) {
    for (const std::vector<double>& held : before) {
      // 3600 and 49 are multiplied by their reciprocals; 2.5, not whole, goes value by value.
      for (double unit : {3600.0, 49.0, 2.5}) {
        DDSketch each, many;
        for (double v : held) {
          each.add(v);
          many.add(v);
        }
        for (uint32_t c : set) each.add(static_cast<double>(c) / unit);
        many.add_quotients(set, unit);
        // A unit so large that positive quotients are subnormal: zeros, as add() counts them.
        DDSketch each_huge = each, many_huge = many;
        for (uint32_t c : set) each_huge.add(static_cast<double>(c) / 0x1p1023);
        many_huge.add_quotients(set, 0x1p1023);
        kpilens::StateWriter c, d;
        each_huge.save(c);
        many_huge.save(d);
        CHECK(c.take() == d.take());
        INFO(set.size() << " counts after " << held.size() << " values, unit " << unit);
        kpilens::StateWriter a, b;
        each.save(a);
        many.save(b);
        CHECK(a.take() == b.take());
        REQUIRE(many.count() == each.count());
        for (uint64_t rank = 0; rank < many.count(); rank += 1 + many.count() / 50) {
          CHECK(std::bit_cast<uint64_t>(many.value_at_rank(rank)) ==
                std::bit_cast<uint64_t>(each.value_at_rank(rank)));
        }
      }
    }
  }
}

TEST_CASE("Quotients of every count in a long run land in the buckets add() gives",
          "[quantiles][cap]") {
  // Every count of a long run (so every bucket boundary it crosses, some exactly), counts across
  // the whole 32-bit range and around every power of two, in units of ticks (3600), minutes of
  // ticks (60), odd, random and extreme units: add_quotients writes the bytes add() writes.
  std::vector<uint32_t> counts;
  for (uint32_t c = 0; c <= 1500000; ++c) counts.push_back(c);
  std::mt19937 rng(29);
  std::uniform_int_distribution<uint32_t> any;
  for (int i = 0; i < 300000; ++i) counts.push_back(any(rng));
  for (int shift = 0; shift < 32; ++shift) {
    for (int64_t delta = -3; delta <= 3; ++delta) {  // around every power of two
      const int64_t c = (int64_t{1} << shift) + delta;
      if (c >= 0 && c <= UINT32_MAX) counts.push_back(static_cast<uint32_t>(c));
    }
  }
  // (49 and 103: units whose reciprocal rounded down would put some bounds in the bucket below.)
  std::vector<double> units = {3600.0,  60.0,   1.0,          7.0,       49.0, 103.0,
                               86400.0, 0x1p32, 4294967295.0, 1.0 / 3.0, 2.5,  0x1p33};
  std::uniform_int_distribution<uint32_t> whole(1, 5000000);
  for (int i = 0; i < 6; ++i) units.push_back(whole(rng));
  for (double unit : units) {
    // With a whole unit, add_quotients multiplies by its reciprocal rather than divides: the
    // counts nearest to every bucket bound (u × 2^e × (64 + j) / 64), on it when one is.
    std::vector<uint32_t> near = counts;
    for (int e = -33; e <= 32; ++e) {
      for (int j = 0; j < DDSketch::kBucketsPerOctave; ++j) {
        const double bound =
            std::ldexp(unit * (DDSketch::kBucketsPerOctave + j), e) / DDSketch::kBucketsPerOctave;
        for (double d = -2; d <= 2; ++d) {
          const double c = std::floor(bound) + d;
          if (c >= 0 && c <= UINT32_MAX) near.push_back(static_cast<uint32_t>(c));
        }
      }
    }
    DDSketch each, many;
    for (uint32_t c : near) each.add(static_cast<double>(c) / unit);
    many.add_quotients(near, unit);
    kpilens::StateWriter a, b;
    each.save(a);
    many.save(b);
    INFO("unit " << unit);
    CHECK(a.take() == b.take());
  }
}
