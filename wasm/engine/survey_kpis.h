// survey_kpis: CSAT, NPS and CES accumulators. Each is fed one answer at a time, merges with
// another of its kind, and finishes into figures; "no answers" finishes as null, never 0 or NaN.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "exact_sum.h"

namespace kpilens {

class StateReader;
class StateWriter;

// What a satisfaction cell said. Zendesk writes Offered / Not Offered / Good / Bad instead of a
// score.
enum class RatingKind : uint8_t { kNone, kNotOffered, kOffered, kScore, kGood, kBad };

struct Rating {
  RatingKind kind = RatingKind::kNone;
  double score = 0;  // kScore only
};

struct CsatSettings {
  double scale_min = 1;
  double scale_max = 5;
  double threshold = 4;  // top-2-box on 1–5: 4 and 5 are satisfied
};

struct NpsSettings {
  double promoter_min = 9;
  double detractor_max = 6;
};

struct CesSettings {
  double scale_min = 1;
  double scale_max = 7;
  bool higher_is_easier = true;  // CES 2.0 (1–7 agreement); the older CES is 1–5, lower is easier
  double easy_threshold = 5;     // "easy" answers: ≥ threshold (or ≤ when lower is easier)
};

// An answer to the survey (a score, Good or Bad), as opposed to blank, Offered or Not Offered.
inline bool is_response(const Rating& rating) {
  return rating.kind == RatingKind::kScore || rating.kind == RatingKind::kGood ||
         rating.kind == RatingKind::kBad;
}

// Reads a satisfaction cell: numbers, Good/Bad/Offered/Not Offered (Zendesk), and the words of
// five-point verbal scales (very satisfied … very dissatisfied). nullopt: not understood.
std::optional<Rating> parse_rating(std::string_view text, char decimal_separator);

struct CsatFigures {
  std::optional<double> top2box_percent;     // satisfied ÷ responses × 100
  std::optional<double> mean_score_percent;  // Σscore ÷ (n × scale_max) × 100
  std::optional<double> mean_score;
  // (satisfied − dissatisfied) ÷ responses × 100: Help Scout's happiness score.
  std::optional<double> net_percent;
  uint64_t satisfied = 0;
  uint64_t dissatisfied = 0;  // Bad, or a score ≤ scale_min + scale_max − threshold
  uint64_t responses = 0;     // scores + Good + Bad
  uint64_t scored = 0;        // numeric scores only
  uint64_t offered = 0;  // Offered + Good + Bad + scores, when the export says what was offered
  bool has_offer_info = false;
};

class CsatAccumulator {
 public:
  // Returns false for a score outside the scale (not counted). Inline for the usual ticket, which
  // has no rating at all.
  bool feed(const Rating& rating, const CsatSettings& settings) {
    return rating.kind == RatingKind::kNone || feed_rated(rating, settings);
  }
  void merge(const CsatAccumulator& other);
  // The state as bytes (ticket_state.cpp); load() replaces this one, false on malformed input.
  void save(StateWriter& out) const;
  bool load(StateReader& in);
  CsatFigures finish(const CsatSettings& settings) const;

 private:
  bool feed_rated(const Rating& rating, const CsatSettings& settings);

  uint64_t satisfied_ = 0;
  uint64_t dissatisfied_ = 0;
  uint64_t responses_ = 0;
  uint64_t scored_ = 0;
  uint64_t offered_only_ = 0;  // "Offered": a survey was sent, no answer
  uint64_t offer_markers_ =
      0;  // cells that speak of offering at all (Offered / Not Offered / Good / Bad)
  ExactSum score_sum_;
};

struct NpsFigures {
  std::optional<double> nps;        // (promoters − detractors) ÷ n × 100, in −100…100
  std::optional<double> margin_95;  // 1.96 × 100 × √((p + d − (p − d)²) ÷ n)
  uint64_t promoters = 0;
  uint64_t passives = 0;
  uint64_t detractors = 0;
  uint64_t n = 0;
};

class NpsAccumulator {
 public:
  // Returns false for an answer outside 0–10 or not a whole number (not counted).
  bool feed(double score, const NpsSettings& settings);
  void merge(const NpsAccumulator& other);
  // The state as bytes (ticket_state.cpp); load() replaces this one, false on malformed input.
  void save(StateWriter& out) const;
  bool load(StateReader& in);
  NpsFigures finish() const;

 private:
  uint64_t promoters_ = 0;
  uint64_t passives_ = 0;
  uint64_t detractors_ = 0;
};

struct CesFigures {
  std::optional<double> mean;
  std::optional<double> easy_percent;
  uint64_t easy = 0;
  uint64_t n = 0;
};

class CesAccumulator {
 public:
  bool feed(double score, const CesSettings& settings);
  void merge(const CesAccumulator& other);
  // The state as bytes (ticket_state.cpp); load() replaces this one, false on malformed input.
  void save(StateWriter& out) const;
  bool load(StateReader& in);
  CesFigures finish() const;

 private:
  uint64_t n_ = 0;
  uint64_t easy_ = 0;
  ExactSum sum_;
};

}  // namespace kpilens
