// ticket_schema: the canonical ticket every export is mapped onto, and what each field may be
// called in the wild (normalised header synonyms, in order of preference).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "field_parse.h"

namespace kpilens {

enum class TicketField : uint8_t {
  kId,
  kCreatedAt,
  kFirstResponseAt,
  kSolvedAt,
  kStatus,
  kChannel,
  kAgent,
  kTeam,
  kPriority,
  kCustomer,
  kReplies,
  kReopens,
  kCsat,
  kNps,
  kCes,
  kComment,
  kCost,
  kFirstResponseDuration,  // first response time given as a column (e.g. "First reply time in
                           // minutes")
  kResolutionDuration,     // resolution time given as a column (e.g. "Full resolution time in
                           // minutes")
  kFirstContactResolved,   // a yes/no column (e.g. Intercom "Resolved on first contact")
};
inline constexpr size_t kTicketFieldCount = 20;

enum class FieldKind : uint8_t { kText, kTimestamp, kCount, kRating, kNumber, kDuration, kBool };

struct TicketFieldInfo {
  TicketField field;
  std::string_view name;  // as written in configs and reports: "created_at"
  FieldKind kind;
  // Normalised header names (see normalise_header), best first. Duration synonyms are written
  // without their unit words ("first reply time"), which are read separately (see
  // duration_unit_from_header).
  std::span<const std::string_view> synonyms;
};

const std::array<TicketFieldInfo, kTicketFieldCount>& ticket_fields();
const TicketFieldInfo& field_info(TicketField field);
std::optional<TicketField> field_from_name(std::string_view name);

}  // namespace kpilens
