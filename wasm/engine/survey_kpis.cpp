// survey_kpis: formulas and their sources are in docs/kpis.md (CSAT, NPS, CES sections).
#include "survey_kpis.h"

#include <cmath>

#include "field_parse.h"

namespace kpilens {

std::optional<Rating> parse_rating(std::string_view text, char decimal_separator) {
  std::string_view s = trim(text);
  if (s.empty()) return Rating{};
  if (auto number = parse_number(s, decimal_separator)) return Rating{RatingKind::kScore, *number};
  struct Word {
    std::string_view text;
    RatingKind kind;
    double score;
  };
  static constexpr Word kWords[] = {
      {"good", RatingKind::kGood, 0},
      {"good, i'm satisfied", RatingKind::kGood, 0},
      {"bad", RatingKind::kBad, 0},
      {"bad, i'm unsatisfied", RatingKind::kBad, 0},
      {"offered", RatingKind::kOffered, 0},
      {"not offered", RatingKind::kNotOffered, 0},
      {"unoffered", RatingKind::kNotOffered, 0},
      {"very satisfied", RatingKind::kScore, 5},
      {"satisfied", RatingKind::kScore, 4},
      {"neutral", RatingKind::kScore, 3},
      {"neither satisfied nor dissatisfied", RatingKind::kScore, 3},
      {"dissatisfied", RatingKind::kScore, 2},
      {"unsatisfied", RatingKind::kScore, 2},
      {"very dissatisfied", RatingKind::kScore, 1},
      {"very unsatisfied", RatingKind::kScore, 1},
      {"great", RatingKind::kScore, 5},  // Help Scout: Great / Okay / Not Good
      {"okay", RatingKind::kScore, 3},
      {"not good", RatingKind::kScore, 1},
  };
  for (const Word& word : kWords) {
    if (iequals(s, word.text)) return Rating{word.kind, word.score};
  }
  return std::nullopt;
}

bool CsatAccumulator::feed_rated(const Rating& rating, const CsatSettings& settings) {
  switch (rating.kind) {
    case RatingKind::kNone:
      return true;
    case RatingKind::kNotOffered:
      ++offer_markers_;
      return true;
    case RatingKind::kOffered:
      ++offer_markers_;
      ++offered_only_;
      return true;
    case RatingKind::kGood:
      ++offer_markers_;
      ++responses_;
      ++satisfied_;
      return true;
    case RatingKind::kBad:
      ++offer_markers_;
      ++responses_;
      ++dissatisfied_;
      return true;
    case RatingKind::kScore:
      if (!(rating.score >= settings.scale_min && rating.score <= settings.scale_max)) return false;
      ++responses_;
      ++scored_;
      satisfied_ += rating.score >= settings.threshold;
      // The mirror of the top-2-box: 1–2 on 1–5, "Not Good" (1) on Help Scout's scale.
      dissatisfied_ += rating.score <= settings.scale_min + settings.scale_max - settings.threshold;
      score_sum_.add(rating.score);
      return true;
  }
  return true;
}

void CsatAccumulator::merge(const CsatAccumulator& other) {
  satisfied_ += other.satisfied_;
  dissatisfied_ += other.dissatisfied_;
  responses_ += other.responses_;
  scored_ += other.scored_;
  offered_only_ += other.offered_only_;
  offer_markers_ += other.offer_markers_;
  score_sum_.merge(other.score_sum_);
}

CsatFigures CsatAccumulator::finish(const CsatSettings& settings) const {
  CsatFigures f;
  f.satisfied = satisfied_;
  f.dissatisfied = dissatisfied_;
  f.responses = responses_;
  f.scored = scored_;
  f.has_offer_info = offer_markers_ > 0;
  f.offered = offered_only_ + responses_;
  if (responses_ > 0) {
    f.top2box_percent = 100.0 * static_cast<double>(satisfied_) / static_cast<double>(responses_);
    // Integer numerator first, as for NPS.
    f.net_percent = (static_cast<double>(satisfied_) - static_cast<double>(dissatisfied_)) * 100.0 /
                    static_cast<double>(responses_);
  }
  if (scored_ > 0) {
    double sum = score_sum_.value();
    f.mean_score = sum / static_cast<double>(scored_);
    f.mean_score_percent = sum * 100.0 / (static_cast<double>(scored_) * settings.scale_max);
  }
  return f;
}

bool NpsAccumulator::feed(double score, const NpsSettings& settings) {
  if (!(score >= 0 && score <= 10) || !is_whole(score)) return false;
  if (score >= settings.promoter_min) {
    ++promoters_;
  } else if (score <= settings.detractor_max) {
    ++detractors_;
  } else {
    ++passives_;
  }
  return true;
}

void NpsAccumulator::merge(const NpsAccumulator& other) {
  promoters_ += other.promoters_;
  passives_ += other.passives_;
  detractors_ += other.detractors_;
}

NpsFigures NpsAccumulator::finish() const {
  NpsFigures f;
  f.promoters = promoters_;
  f.passives = passives_;
  f.detractors = detractors_;
  f.n = promoters_ + passives_ + detractors_;
  if (f.n == 0) return f;
  double n = static_cast<double>(f.n);
  // Integer numerator first: (P − D) × 100 ÷ n is exact to one rounding.
  double difference = static_cast<double>(promoters_) - static_cast<double>(detractors_);
  f.nps = difference * 100.0 / n;
  double p = static_cast<double>(promoters_) / n;
  double d = static_cast<double>(detractors_) / n;
  double variance = (p + d - (p - d) * (p - d)) / n;
  f.margin_95 = 1.96 * 100.0 * std::sqrt(variance > 0 ? variance : 0.0);
  return f;
}

bool CesAccumulator::feed(double score, const CesSettings& settings) {
  if (!(score >= settings.scale_min && score <= settings.scale_max)) return false;
  ++n_;
  sum_.add(score);
  easy_ += settings.higher_is_easier ? score >= settings.easy_threshold
                                     : score <= settings.easy_threshold;
  return true;
}

void CesAccumulator::merge(const CesAccumulator& other) {
  n_ += other.n_;
  easy_ += other.easy_;
  sum_.merge(other.sum_);
}

CesFigures CesAccumulator::finish() const {
  CesFigures f;
  f.n = n_;
  f.easy = easy_;
  if (n_ > 0) {
    f.mean = sum_.value() / static_cast<double>(n_);
    f.easy_percent = 100.0 * static_cast<double>(easy_) / static_cast<double>(n_);
  }
  return f;
}

}  // namespace kpilens
