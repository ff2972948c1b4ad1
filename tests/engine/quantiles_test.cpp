// quantiles tests: type-7 interpolation worked out by hand, edge sizes, merge, the exact mean, and
// selection against a full sort.
#include "quantiles.h"
#include "state_codec.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <initializer_list>
#include <optional>
#include <random>
#include <vector>

using kpilens::DurationQuantiles;

namespace {

DurationQuantiles finished(std::initializer_list<double> values) {
  DurationQuantiles q;
  for (double v : values) q.feed(v);
  q.finish();
  return q;
}

}  // namespace

// Type 7: h = (n − 1) × q; result = x[⌊h⌋] + (h − ⌊h⌋) × (x[⌊h⌋ + 1] − x[⌊h⌋]) over sorted x,
// 0-based.

TEST_CASE("Quantiles give the middle value as the median of an odd count", "[quantiles]") {
  // Sorted 1 2 3 5 8; h = 4 × 0.5 = 2 → x[2] = 3.
  CHECK(finished({8, 1, 3, 5, 2}).quantile(0.5) == 3.0);
}

TEST_CASE("Quantiles interpolate the median of an even count", "[quantiles]") {
  // Sorted 1 2 3 4; h = 3 × 0.5 = 1.5 → 2 + 0.5 × (3 − 2) = 2.5.
  CHECK(finished({4, 1, 3, 2}).quantile(0.5) == 2.5);
  // Sorted 10 20 40 80; h = 1.5 → 20 + 0.5 × 20 = 30.
  CHECK(finished({80, 10, 40, 20}).quantile(0.5) == 30.0);
}

TEST_CASE("Quantiles give 9.1 as the 90th percentile of 1 to 10", "[quantiles]") {
  // h = 9 × 0.9 = 8.1 → x[8] + 0.1 × (x[9] − x[8]) = 9 + 0.1 × 1 = 9.1.
  // (In doubles 9 × 0.9 is 8.0999999999999996…, and 9 + 0.0999999999999996… rounds to double(9.1).)
  DurationQuantiles q;
  for (int v = 10; v >= 1; --v) q.feed(v);
  q.finish();
  CHECK(q.quantile(0.9) == 9.1);
  // h = 9 × 0.25 = 2.25 → 3 + 0.25 × 1 = 3.25.
  CHECK(q.quantile(0.25) == 3.25);
}

TEST_CASE("Quantiles at 0 and 1 are the minimum and the maximum", "[quantiles]") {
  DurationQuantiles q = finished({5, -2, 7.5, 3});
  CHECK(q.quantile(0.0) == -2.0);
  CHECK(q.quantile(1.0) == 7.5);
}

TEST_CASE("Quantiles of a single value are that value", "[quantiles]") {
  DurationQuantiles q = finished({42});
  CHECK(q.count() == 1);
  for (double p : {0.0, 0.1, 0.5, 0.9, 1.0}) {
    INFO("q = " << p);
    CHECK(q.quantile(p) == 42.0);
  }
  CHECK(q.mean() == 42.0);
}

TEST_CASE("Quantiles and mean of no values are null", "[quantiles]") {
  DurationQuantiles q;
  q.finish();
  CHECK(q.count() == 0);
  CHECK_FALSE(q.quantile(0.5).has_value());
  CHECK_FALSE(q.mean().has_value());
}

TEST_CASE("Quantiles merged from two parts equal one pass", "[quantiles]") {
  DurationQuantiles one_pass, odd, even;
  for (int v = 1; v <= 101; ++v) {
    double value = (v * 37) % 101 + 0.25 * v;  // a scrambled order with fractions
    one_pass.feed(value);
    (v % 2 ? odd : even).feed(value);
  }
  odd.merge(even);
  one_pass.finish();
  odd.finish();
  CHECK(odd.count() == one_pass.count());
  for (double p : {0.0, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 1.0}) {
    INFO("q = " << p);
    CHECK(odd.quantile(p) == one_pass.quantile(p));
  }
  CHECK(odd.mean() == one_pass.mean());
}

TEST_CASE("Quantiles mean is the exact sum over the count", "[quantiles]") {
  // (1 + 2 + 3 + 4) / 4 = 2.5.
  CHECK(finished({1, 2, 3, 4}).mean() == 2.5);
  // Ten 0.1 values sum exactly to 1.0 (see exact_sum_test), so the mean is 1.0 / 10 = 0.1.
  DurationQuantiles tenths;
  for (int i = 0; i < 10; ++i) tenths.feed(0.1);
  tenths.finish();
  CHECK(tenths.mean() == 0.1);
  // 1e16 + 1 + 1 − 1e16 = 2 over 4 values = 0.5 (a naive running sum would give 0).
  CHECK(finished({1e16, 1, 1, -1e16}).mean() == 0.5);
}

namespace {

// Type 7 by sorting a copy: the reference for the selection DurationQuantiles uses.
double type7_by_sorting(std::vector<double> values, double q) {
  std::sort(values.begin(), values.end());
  const double h = (values.size() - 1) * q;
  const size_t low = static_cast<size_t>(std::floor(h));
  if (low + 1 >= values.size()) return values.back();
  return values[low] + (h - std::floor(h)) * (values[low + 1] - values[low]);
}

}  // namespace

TEST_CASE("Quantiles selected in any order equal those of a full sort", "[quantiles]") {
  std::mt19937 rng(5);
  std::uniform_int_distribution<int> seconds(0, 400000);
  for (size_t n : {size_t{1}, size_t{2}, size_t{3}, size_t{10}, size_t{999}, size_t{20000}}) {
    std::vector<double> values;
    for (size_t i = 0; i < n; ++i) values.push_back(seconds(rng) / 3600.0);  // many ties
    std::vector<double> qs{0.5, 0.9, 0.1, 0.0, 1.0, 0.25, 0.75, 0.95, 0.99, 0.5, 0.333};
    for (int round = 0; round < 3; ++round) {
      DurationQuantiles q;
      for (double v : values) q.feed(v);
      q.finish();
      std::shuffle(qs.begin(), qs.end(), rng);
      for (double p : qs) {
        INFO("n = " << n << ", q = " << p << ", round " << round);
        CHECK(*q.quantile(p) == type7_by_sorting(values, p));
      }
    }
  }
}

TEST_CASE("Quantiles asked, then more values fed, reflect every value", "[quantiles]") {
  // Selection reorders the kept values; feeding or merging after a quantile forgets that order.
  DurationQuantiles q, more;
  for (double v : {9.0, 1.0, 5.0, 3.0}) q.feed(v);
  CHECK(*q.quantile(0.5) == 4.0);  // 1 3 5 9: h = 1.5 → 3 + 0.5 × 2
  q.feed(0.5);
  q.feed(0.25);
  // 0.25 0.5 1 3 5 9: h = 2.5 → 1 + 0.5 × 2 = 2.
  CHECK(*q.quantile(0.5) == 2.0);
  for (double v : {100.0, 200.0}) more.feed(v);
  q.merge(more);
  // 0.25 0.5 1 3 5 9 100 200: h = 3.5 → 3 + 0.5 × 2 = 4; p90: h = 6.3 → 100 + 0.3 × 100 = 130.
  CHECK(*q.quantile(0.5) == 4.0);
  CHECK(*q.quantile(0.9) == Approx(130.0).epsilon(1e-12));
  CHECK(q.count_below(3.0) == 3);
}

TEST_CASE("Values kept as whole ticks or as doubles give the same quantiles", "[quantiles]") {
  // Hours of whole seconds, minutes of whole seconds and whole days are kept as ticks (1/3600 of
  // the unit); a fraction of a second, or minutes past 828 days, makes the group keep doubles.
  // Whichever value comes first, last, or through a merge, every figure is the one a full sort
  // gives.
  std::mt19937 rng(11);
  std::uniform_int_distribution<int> seconds(0, 400000);
  std::vector<double> whole;
  for (int i = 0; i < 3001; ++i) whole.push_back(seconds(rng) / (i % 2 ? 3600.0 : 60.0));
  whole.push_back(42);  // 42 days (or hours)
  for (double odd :
       {1.25 / 3600.0, 2e6, 1e-5}) {  // 1.25 s in hours; 2 × 10^6 minutes; 36 ms in hours
    for (size_t at : {size_t{0}, size_t{1500}, whole.size()}) {
      std::vector<double> values = whole;
      values.insert(values.begin() + static_cast<std::ptrdiff_t>(at), odd);
      DurationQuantiles fed, left, right;
      for (double v : values) fed.feed(v);
      for (size_t k = 0; k < values.size(); ++k) (k < 1000 ? left : right).feed(values[k]);
      left.merge(right);
      for (const DurationQuantiles* q : {&fed, &left}) {
        INFO("odd value " << odd << " at " << at);
        for (double p : {0.0, 0.1, 0.5, 0.9, 0.99, 1.0}) {
          CHECK(*q->quantile(p) == type7_by_sorting(values, p));
        }
        const auto below = static_cast<uint64_t>(
            std::count_if(values.begin(), values.end(), [](double v) { return v < 24.0; }));
        CHECK(q->count_below(24.0) == below);
      }
    }
  }
}

TEST_CASE("Whole ticks of every size give the quantiles of a full sort, asked again after more",
          "[quantiles]") {
  // The first order statistic asked selects the reported quantiles' too (a radix select by the
  // ticks' 11 highest significant bits, or a sort under 513 values); values fed or merged after
  // that must be selected among again. Counts up to 2^32 − 1 ticks (1,193,046 hours of whole
  // seconds), groups on either side of the sort's limit.
  std::mt19937 rng(17);
  for (uint32_t largest : {uint32_t{2000}, uint32_t{1} << 21, uint32_t{1} << 22, UINT32_MAX}) {
    std::uniform_int_distribution<uint32_t> ticks(0, largest);
    for (size_t n : {size_t{255}, size_t{512}, size_t{513}, size_t{5000}}) {
      INFO("n = " << n << ", ticks up to " << largest);
      std::vector<double> values;
      for (size_t i = 0; i < n; ++i) values.push_back(ticks(rng) / 3600.0);
      values.push_back(largest / 3600.0);
      DurationQuantiles q;
      for (double v : values) q.feed(v);
      for (double p : {0.5, 0.9, 0.0, 1.0, 0.37})
        CHECK(*q.quantile(p) == type7_by_sorting(values, p));
      // More values (fed, then merged) after the sort.
      for (int i = 0; i < 300; ++i) {
        values.push_back(ticks(rng) / 3600.0);
        q.feed(values.back());
      }
      CHECK(*q.quantile(0.5) == type7_by_sorting(values, 0.5));
      DurationQuantiles more;
      for (int i = 0; i < 700; ++i) {
        values.push_back(ticks(rng) / 3600.0);
        more.feed(values.back());
      }
      CHECK(*more.quantile(0.1) == type7_by_sorting({values.end() - 700, values.end()}, 0.1));
      q.merge(more);
      for (double p : {0.1, 0.5, 0.9, 0.99}) CHECK(*q.quantile(p) == type7_by_sorting(values, p));
    }
  }
}

TEST_CASE("A prepared value feeds a group as the value itself does", "[quantiles]") {
  // A ticket row with breakdowns prepares each duration once for all its groups: whole ticks,
  // other doubles, −0, subnormals and values past the cap give the same figures either way.
  std::vector<double> values{-0.0, 0.0, 1.5, 1.25 / 3600.0, 0x1p-1074, 1e-300, 42.0, 7e5};
  for (int i = 0; i < 300; ++i) values.push_back(i * 0.25);
  for (uint64_t cap : {uint64_t{1000}, uint64_t{100}}) {
    DurationQuantiles plain(cap), prepared(cap);
    for (double v : values) {
      plain.feed(v);
      prepared.feed(DurationQuantiles::Prepared(v));
    }
    INFO("cap " << cap);
    CHECK(prepared.count() == plain.count());
    CHECK(prepared.approximate() == plain.approximate());
    CHECK(*prepared.mean() == *plain.mean());
    for (double p : {0.0, 0.1, 0.5, 0.9, 1.0}) CHECK(*prepared.quantile(p) == *plain.quantile(p));
    CHECK(prepared.count_below(1.0) == plain.count_below(1.0));
    CHECK(std::signbit(*prepared.quantile(0.0)) == std::signbit(*plain.quantile(0.0)));
  }
}

TEST_CASE("Whole ticks crowded into one bucket by an outlier still give exact quantiles",
          "[quantiles]") {
  // One value of 2^32 − 1 ticks puts the 11-bit buckets 2^21 ticks wide: every other value (all
  // under 2^21) lands in the first bucket, which holds every rank asked.
  std::mt19937 rng(23);
  std::uniform_int_distribution<uint32_t> ticks(0, (uint32_t{1} << 21) - 1);
  std::vector<double> values;
  for (int i = 0; i < 20000; ++i) values.push_back(ticks(rng) / 3600.0);
  values.push_back(UINT32_MAX / 3600.0);
  DurationQuantiles q;
  for (double v : values) q.feed(v);
  for (double p : {0.9, 0.5, 0.999, 1.0, 0.0, 0.25}) {
    CHECK(*q.quantile(p) == type7_by_sorting(values, p));
  }
}

TEST_CASE("Values fed for their mean alone give the mean, no quantile, and stay so",
          "[quantiles]") {
  // (0.5 + 1 + 2 + 4) / 4 = 1.875; −0 counts as +0: (0 + 3) / 2 = 1.5.
  DurationQuantiles mean_only;
  for (double v : {0.5, 1.0, 2.0, 4.0}) mean_only.feed_mean_only(v);
  CHECK(mean_only.mean_only());
  CHECK(mean_only.count() == 4);
  CHECK(mean_only.mean() == 1.875);
  CHECK_FALSE(mean_only.quantile(0.5));
  CHECK(mean_only.count_below(10) == 0);
  CHECK_FALSE(mean_only.approximate());
  DurationQuantiles zero;
  zero.feed_mean_only(-0.0);
  zero.feed_mean_only(DurationQuantiles::Prepared(3.0));
  CHECK(zero.mean() == 1.5);

  // Merged either way with kept values (exact or past the cap: a sketch), the result is mean only,
  // with the mean of all: (1.875 × 4 + 6 + 10) / 6 = 23.5 / 6.
  for (uint64_t cap : {uint64_t{100}, uint64_t{1}}) {
    INFO("cap " << cap);
    DurationQuantiles kept(cap);
    kept.feed(6.0);
    kept.feed(10.0);
    DurationQuantiles into_kept = kept;
    into_kept.merge(mean_only);
    DurationQuantiles into_mean = mean_only;
    into_mean.merge(kept);
    for (const DurationQuantiles* q : {&into_kept, &into_mean}) {
      CHECK(q->mean_only());
      CHECK(q->count() == 6);
      CHECK(q->mean() == 23.5 / 6);
      CHECK_FALSE(q->quantile(0.5));
    }
  }
  // A kept value after one fed for its mean alone is not kept either.
  DurationQuantiles mixed;
  mixed.feed(1.0);
  mixed.feed_mean_only(2.0);
  mixed.feed(3.0);
  mixed.feed(DurationQuantiles::Prepared(4.0));
  CHECK(mixed.mean_only());
  CHECK(mixed.mean() == 2.5);
  CHECK_FALSE(mixed.quantile(1.0));
  CHECK(mixed.count_below(10) == 0);
  // Past the cap too: no sketch either.
  DurationQuantiles capped(2);
  capped.feed_mean_only(1.0);
  for (double v : {2.0, 3.0, 4.0}) capped.feed(v);
  CHECK(capped.mean_only());
  CHECK_FALSE(capped.approximate());
  CHECK(capped.mean() == 2.5);
  kpilens::StateWriter saved;
  capped.save(saved);
  CHECK(saved.size() < 40);  // the count and the sum, no values
}

TEST_CASE("A mean-only state saves and loads to the same mean and bytes", "[quantiles]") {
  DurationQuantiles mean_only;
  for (double v : {0.1, 0.2, 7.0}) mean_only.feed_mean_only(v);
  kpilens::StateWriter out;
  mean_only.save(out);
  for (bool lending : {false, true}) {
    INFO("lending " << lending);
    kpilens::StateReader in =
        lending ? kpilens::StateReader::lending(out.bytes()) : kpilens::StateReader(out.bytes());
    DurationQuantiles loaded;
    REQUIRE(loaded.load(in));
    CHECK(in.at_end());
    CHECK(loaded.mean_only());
    CHECK(loaded.count() == 3);
    CHECK(loaded.mean() == mean_only.mean());
    kpilens::StateWriter again;
    loaded.save(again);
    CHECK(again.bytes() == out.bytes());
  }
  // Cut short: refused.
  std::vector<uint8_t> cut(out.bytes().begin(), out.bytes().end() - 1);
  kpilens::StateReader short_in(cut);
  DurationQuantiles refused;
  CHECK_FALSE(refused.load(short_in));
}

TEST_CASE("Ticks kept in blocks come back whole, in at most n + 1,024 slots", "[quantiles]") {
  // A group's ticks go into blocks that never move: each new block as large as the group so far
  // (4 to 1,024 ticks), or an appended run at once. Sizes around every block edge.
  constexpr size_t kFirst = kpilens::TickBlocks::kFirstBlock;
  for (size_t n : {size_t{0}, size_t{1}, size_t{4}, size_t{5}, size_t{9}, size_t{17}, size_t{4095},
                   size_t{1024}, size_t{1025}, size_t{4097}, size_t{34000}, size_t{100000}}) {
    INFO("n = " << n);
    kpilens::TickBlocks blocks;
    std::vector<uint32_t> expected;
    for (size_t i = 0; i < n; ++i) {
      expected.push_back(static_cast<uint32_t>(i * 2654435761u));
      blocks.push(expected.back());
    }
    const auto contents = [](const kpilens::TickBlocks& b) {
      std::vector<uint32_t> got;
      b.for_each_block(
          [&](std::span<const uint32_t> t) { got.insert(got.end(), t.begin(), t.end()); });
      return got;
    };
    CHECK(blocks.size() == n);
    CHECK(contents(blocks) == expected);
    CHECK(blocks.capacity() <=
          std::max<size_t>(kFirst * (n > 0),
                           std::min(2 * n, n + kpilens::TickBlocks::kLargestBlock)));
    // A run appended fills the last block's room, then one block of the rest.
    std::vector<uint32_t> run(5000 + n % 7);
    for (size_t i = 0; i < run.size(); ++i) run[i] = static_cast<uint32_t>(7 * i + 1);
    blocks.append(run);
    expected.insert(expected.end(), run.begin(), run.end());
    CHECK(contents(blocks) == expected);
    CHECK(blocks.capacity() <=
          std::max(blocks.size() + kpilens::TickBlocks::kLargestBlock, kFirst));
    blocks.push(99);
    expected.push_back(99);
    CHECK(contents(blocks) == expected);
    // A copy takes one block of the exact size; a move leaves the source empty.
    const kpilens::TickBlocks copy(blocks);
    CHECK(contents(copy) == expected);
    CHECK(copy.capacity() == expected.size());
    kpilens::TickBlocks moved(std::move(blocks));
    CHECK(contents(moved) == expected);
    CHECK(blocks.size() == 0);  // NOLINT(bugprone-use-after-move): moved-from is empty
    blocks.push(5);             // and usable
    CHECK(contents(blocks) == std::vector<uint32_t>{5});
    moved.clear();
    CHECK(moved.size() == 0);
    CHECK(moved.capacity() == 0);
  }
}

TEST_CASE("A group of many blocks saves, loads, lends and merges to the quantiles of a full sort",
          "[quantiles]") {
  // 30,000 whole seconds in hours (blocks of 4 … 1,024), saved and loaded three ways (copied,
  // lent from the bytes, pulled through a small window), merged into a group fed 9,000 values
  // (its last block part full: the lent run fills its room, then a block of its own).
  std::mt19937 rng(23);
  std::uniform_int_distribution<uint32_t> seconds(0, 400000);
  std::vector<double> first, second;
  DurationQuantiles a;
  for (int i = 0; i < 30000; ++i) {
    first.push_back(seconds(rng) / 3600.0);
    a.feed(first.back());
  }
  for (int i = 0; i < 9000; ++i) {
    second.push_back(seconds(rng) / 3600.0);
  }
  std::vector<double> all = first;
  all.insert(all.end(), second.begin(), second.end());
  kpilens::StateWriter saved;
  a.save(saved);
  const kpilens::SpanSource source(saved.bytes());
  std::vector<uint8_t> window(64);
  for (int how = 0; how < 3; ++how) {
    INFO("load " << how);
    kpilens::StateReader in = how == 0   ? kpilens::StateReader(saved.bytes())
                              : how == 1 ? kpilens::StateReader::lending(saved.bytes())
                                         : kpilens::StateReader::pulling(source, window);
    DurationQuantiles loaded;
    REQUIRE(loaded.load(in));
    if (how == 0) {
      for (double p : {0.0, 0.5, 0.9, 1.0})
        CHECK(*loaded.quantile(p) == type7_by_sorting(first, p));
      kpilens::StateWriter again;
      loaded.save(again);
      CHECK(again.bytes() == saved.bytes());
    }
    DurationQuantiles merged;
    for (double v : second) merged.feed(v);
    merged.merge(loaded);
    CHECK(merged.count() == all.size());
    for (double p : {0.0, 0.1, 0.5, 0.9, 1.0})
      CHECK(*merged.quantile(p) == type7_by_sorting(all, p));
    CHECK(merged.count_below(30) == static_cast<uint64_t>(std::count_if(
                                        all.begin(), all.end(), [](double v) { return v < 30; })));
  }
}
