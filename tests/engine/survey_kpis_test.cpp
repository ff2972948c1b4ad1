// survey_kpis: CSAT, NPS and CES accumulators fed directly, every expected figure worked out by
// hand.
#include "survey_kpis.h"

#include <catch2/catch.hpp>
#include <cmath>

namespace kpilens {
namespace {

Rating score(double s) {
  return Rating{RatingKind::kScore, s};
}
Rating kind(RatingKind k) {
  return Rating{k, 0};
}

// ---- CSAT
// ------------------------------------------------------------------------------------------

TEST_CASE("CSAT counts 4 and 5 of 5 as satisfied by default (top-2-box)", "[survey][csat]") {
  // Scores 5, 4, 3, 2, 1, 4, 5, 5: satisfied (≥ 4) = 5, 4, 4, 5, 5 → 5 of 8 = 62.5 %.
  CsatSettings settings;
  CsatAccumulator csat;
  for (double s : {5, 4, 3, 2, 1, 4, 5, 5}) REQUIRE(csat.feed(score(s), settings));
  CsatFigures f = csat.finish(settings);
  CHECK(f.responses == 8);
  CHECK(f.satisfied == 5);
  CHECK(f.scored == 8);
  REQUIRE(f.top2box_percent);
  CHECK(*f.top2box_percent == 62.5);
}

TEST_CASE("CSAT on a 1-10 scale with threshold 8 counts 8, 9 and 10 as satisfied",
          "[survey][csat]") {
  // Scores 10, 9, 8, 7, 3: satisfied = 10, 9, 8 → 3 of 5 = 60 %.
  // Mean score: (10 + 9 + 8 + 7 + 3) = 37 ÷ (5 × 10) × 100 = 74 %.
  CsatSettings settings{1, 10, 8};
  CsatAccumulator csat;
  for (double s : {10, 9, 8, 7, 3}) REQUIRE(csat.feed(score(s), settings));
  CsatFigures f = csat.finish(settings);
  REQUIRE(f.top2box_percent);
  CHECK(*f.top2box_percent == 60);
  REQUIRE(f.mean_score_percent);
  CHECK(*f.mean_score_percent == 74);
}

TEST_CASE("CSAT refuses a score outside the scale and does not count it", "[survey][csat]") {
  CsatSettings settings;
  CsatAccumulator csat;
  CHECK_FALSE(csat.feed(score(6), settings));
  CHECK_FALSE(csat.feed(score(0), settings));
  CHECK(csat.feed(score(5), settings));
  CsatFigures f = csat.finish(settings);
  CHECK(f.responses == 1);
  CHECK(*f.top2box_percent == 100);
}

TEST_CASE("CSAT counts Zendesk Good as satisfied and Bad as unsatisfied", "[survey][csat]") {
  // Good, Good, Good, Bad → 3 of 4 responses = 75 %. No numeric score: the mean-based score is
  // null.
  CsatSettings settings;
  CsatAccumulator csat;
  for (RatingKind k : {RatingKind::kGood, RatingKind::kGood, RatingKind::kBad, RatingKind::kGood}) {
    csat.feed(kind(k), settings);
  }
  CsatFigures f = csat.finish(settings);
  CHECK(f.responses == 4);
  CHECK(f.satisfied == 3);
  CHECK(*f.top2box_percent == 75);
  CHECK(f.scored == 0);
  CHECK_FALSE(f.mean_score_percent.has_value());
  CHECK_FALSE(f.mean_score.has_value());
}

TEST_CASE("CSAT treats Offered as a survey sent without an answer and Not Offered as no survey",
          "[survey][csat]") {
  // Good, Bad, Offered, Offered, Not Offered: responses 2, offered = 2 answered + 2 unanswered = 4.
  CsatSettings settings;
  CsatAccumulator csat;
  for (RatingKind k : {RatingKind::kGood, RatingKind::kBad, RatingKind::kOffered,
                       RatingKind::kOffered, RatingKind::kNotOffered}) {
    csat.feed(kind(k), settings);
  }
  CsatFigures f = csat.finish(settings);
  CHECK(f.responses == 2);
  CHECK(f.offered == 4);
  CHECK(f.has_offer_info);
  CHECK(*f.top2box_percent == 50);
}

TEST_CASE("CSAT without offer markers says it has no offer information", "[survey][csat]") {
  CsatSettings settings;
  CsatAccumulator csat;
  csat.feed(score(4), settings);
  csat.feed(kind(RatingKind::kNone), settings);
  CHECK_FALSE(csat.finish(settings).has_offer_info);
}

TEST_CASE("CSAT mean-based score is the sum over n times the scale maximum", "[survey][csat]") {
  // The seeds' variant: scores 5, 4, 3, 2 → Σ = 14; 14 ÷ (4 × 5) × 100 = 70 %; mean = 3.5.
  CsatSettings settings;
  CsatAccumulator csat;
  for (double s : {5, 4, 3, 2}) csat.feed(score(s), settings);
  CsatFigures f = csat.finish(settings);
  REQUIRE(f.mean_score_percent);
  CHECK(*f.mean_score_percent == 70);
  CHECK(*f.mean_score == 3.5);
  // Top-2-box of the same answers: 5, 4 → 2 of 4 = 50 %.
  CHECK(*f.top2box_percent == 50);
}

TEST_CASE("CSAT with no responses finishes as null, never 0 or NaN", "[survey][csat]") {
  CsatSettings settings;
  CsatAccumulator csat;
  csat.feed(kind(RatingKind::kNone), settings);
  csat.feed(kind(RatingKind::kNotOffered), settings);
  CsatFigures f = csat.finish(settings);
  CHECK(f.responses == 0);
  CHECK_FALSE(f.top2box_percent.has_value());
  CHECK_FALSE(f.mean_score_percent.has_value());
  CHECK_FALSE(f.mean_score.has_value());
}

TEST_CASE("CSAT merged from two halves equals CSAT fed everything", "[survey][csat]") {
  CsatSettings settings;
  CsatAccumulator whole, left, right;
  const Rating answers[] = {score(5),
                            score(2),
                            kind(RatingKind::kGood),
                            kind(RatingKind::kOffered),
                            score(4),
                            kind(RatingKind::kBad),
                            score(3)};
  for (size_t i = 0; i < std::size(answers); ++i) {
    whole.feed(answers[i], settings);
    (i < 3 ? left : right).feed(answers[i], settings);
  }
  left.merge(right);
  CsatFigures a = whole.finish(settings), b = left.finish(settings);
  CHECK(a.top2box_percent == b.top2box_percent);
  CHECK(a.mean_score_percent == b.mean_score_percent);
  CHECK(a.responses == b.responses);
  CHECK(a.offered == b.offered);
  // Hand: responses 5, 2, Good, 4, Bad, 3 = 6; satisfied 5, Good, 4 = 3 → 50 %.
  CHECK(*a.top2box_percent == 50);
}

TEST_CASE("parse_rating reads Zendesk words and verbal scales in any case", "[survey][csat]") {
  CHECK(parse_rating("Good", '.')->kind == RatingKind::kGood);
  CHECK(parse_rating("bad", '.')->kind == RatingKind::kBad);
  CHECK(parse_rating("Not Offered", '.')->kind == RatingKind::kNotOffered);
  CHECK(parse_rating("OFFERED", '.')->kind == RatingKind::kOffered);
  CHECK(parse_rating("unoffered", '.')->kind == RatingKind::kNotOffered);
  CHECK(parse_rating("Very satisfied", '.')->score == 5);
  CHECK(parse_rating("4,5", ',')->score == 4.5);
  CHECK(parse_rating("  ", '.')->kind == RatingKind::kNone);
  CHECK_FALSE(parse_rating("abc", '.').has_value());
}

// ---- NPS
// -------------------------------------------------------------------------------------------

TEST_CASE("NPS counts 0-6 as detractors", "[survey][nps]") {
  NpsSettings settings;
  NpsAccumulator nps;
  for (double s : {0, 1, 2, 3, 4, 5, 6}) REQUIRE(nps.feed(s, settings));
  NpsFigures f = nps.finish();
  CHECK(f.detractors == 7);
  CHECK(f.passives == 0);
  CHECK(f.promoters == 0);
  CHECK(*f.nps == -100);
}

TEST_CASE("NPS counts 7-8 as passives and 9-10 as promoters", "[survey][nps]") {
  NpsSettings settings;
  NpsAccumulator nps;
  for (double s : {7, 8, 9, 10}) nps.feed(s, settings);
  NpsFigures f = nps.finish();
  CHECK(f.passives == 2);
  CHECK(f.promoters == 2);
  CHECK(f.detractors == 0);
  // (2 − 0) ÷ 4 × 100 = 50.
  CHECK(*f.nps == 50);
}

TEST_CASE("NPS refuses answers above 10, below 0 or not whole", "[survey][nps]") {
  NpsSettings settings;
  NpsAccumulator nps;
  CHECK_FALSE(nps.feed(11, settings));
  CHECK_FALSE(nps.feed(-1, settings));
  CHECK_FALSE(nps.feed(7.5, settings));
  CHECK_FALSE(nps.feed(std::nan(""), settings));
  CHECK(nps.finish().n == 0);
}

TEST_CASE("NPS margin of error matches the hand-computed 95 % interval", "[survey][nps]") {
  // Answers 10, 10, 9, 9, 9 (5 promoters), 8, 7, 7 (3 passives), 3, 6 (2 detractors); n = 10.
  // NPS = (5 − 2) ÷ 10 × 100 = 30.
  // p = 0.5, d = 0.2: p + d − (p − d)² = 0.7 − 0.09 = 0.61; ÷ n = 0.061; √0.061 = 0.246981781…
  // margin = 1.96 × 100 × 0.246981781… = 48.408429…
  NpsSettings settings;
  NpsAccumulator nps;
  for (double s : {10, 10, 9, 9, 9, 8, 7, 7, 3, 6}) nps.feed(s, settings);
  NpsFigures f = nps.finish();
  CHECK(f.n == 10);
  CHECK(*f.nps == 30);
  REQUIRE(f.margin_95);
  CHECK(*f.margin_95 == Approx(48.408429018).epsilon(1e-9));
}

TEST_CASE("NPS of all promoters is 100 with a margin of 0", "[survey][nps]") {
  NpsSettings settings;
  NpsAccumulator nps;
  for (int i = 0; i < 4; ++i) nps.feed(10, settings);
  nps.feed(9, settings);
  NpsFigures f = nps.finish();
  CHECK(*f.nps == 100);
  REQUIRE(f.margin_95);
  CHECK(*f.margin_95 == 0);
}

TEST_CASE("NPS with no answers finishes as null", "[survey][nps]") {
  NpsFigures f = NpsAccumulator{}.finish();
  CHECK(f.n == 0);
  CHECK_FALSE(f.nps.has_value());
  CHECK_FALSE(f.margin_95.has_value());
}

TEST_CASE("NPS merged from two halves equals NPS fed everything", "[survey][nps]") {
  NpsSettings settings;
  NpsAccumulator whole, left, right;
  const double answers[] = {10, 0, 8, 9, 6, 7, 10, 2, 9};
  for (size_t i = 0; i < std::size(answers); ++i) {
    whole.feed(answers[i], settings);
    (i % 2 ? left : right).feed(answers[i], settings);
  }
  left.merge(right);
  NpsFigures a = whole.finish(), b = left.finish();
  CHECK(a.nps == b.nps);
  CHECK(a.margin_95 == b.margin_95);
  // Promoters 10, 9, 10, 9 = 4; detractors 0, 6, 2 = 3; n = 9 → 100 ÷ 9.
  CHECK(a.promoters == 4);
  CHECK(a.detractors == 3);
  CHECK(*a.nps == Approx(100.0 / 9).epsilon(1e-12));
}

// ---- CES
// -------------------------------------------------------------------------------------------

TEST_CASE("CES on 1-7 gives the mean and the share answering 5-7", "[survey][ces]") {
  // 7, 6, 5, 4, 2, 1, 7, 3 → Σ = 35, mean = 35 ÷ 8 = 4.375; easy (≥ 5) = 7, 6, 5, 7 → 4 of 8 = 50
  // %.
  CesSettings settings;  // 1–7, higher is easier, easy ≥ 5
  CesAccumulator ces;
  for (double s : {7, 6, 5, 4, 2, 1, 7, 3}) REQUIRE(ces.feed(s, settings));
  CesFigures f = ces.finish();
  CHECK(f.n == 8);
  CHECK(*f.mean == 4.375);
  CHECK(f.easy == 4);
  CHECK(*f.easy_percent == 50);
}

TEST_CASE("CES on 1-5 where lower is easier counts 1-2 as easy", "[survey][ces]") {
  // 1, 2, 3, 5 → mean = 11 ÷ 4 = 2.75; easy (≤ 2) = 1, 2 → 50 %.
  CesSettings settings{1, 5, false, 2};
  CesAccumulator ces;
  for (double s : {1, 2, 3, 5}) REQUIRE(ces.feed(s, settings));
  CHECK_FALSE(ces.feed(6, settings));
  CesFigures f = ces.finish();
  CHECK(f.n == 4);
  CHECK(*f.mean == 2.75);
  CHECK(*f.easy_percent == 50);
}

TEST_CASE("CES with no answers finishes as null", "[survey][ces]") {
  CesSettings settings;
  CesAccumulator ces;
  CHECK_FALSE(ces.feed(0, settings));
  CesFigures f = ces.finish();
  CHECK(f.n == 0);
  CHECK_FALSE(f.mean.has_value());
  CHECK_FALSE(f.easy_percent.has_value());
}

}  // namespace
}  // namespace kpilens
