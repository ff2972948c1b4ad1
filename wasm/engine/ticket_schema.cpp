// ticket_schema: synonyms gathered from the export headers of Zendesk, Freshdesk/Freshservice,
// Intercom, Jira Service Management, HubSpot, Help Scout, Chatwoot, Zammad and hand-made
// spreadsheets.
#include "ticket_schema.h"

namespace kpilens {

namespace {

using namespace std::string_view_literals;

constexpr std::string_view kId[] = {
    "id"sv,        "ticket id"sv,       "ticket"sv,    "ticket number"sv,
    "ticket no"sv, "conversation id"sv, "issue key"sv, "case number"sv,
    "case id"sv,   "issue id"sv,        "number"sv,    "key"sv,
    "ref"sv};
constexpr std::string_view kCreatedAt[] = {"created at"sv,
                                           "created"sv,
                                           "created time"sv,
                                           "created date"sv,
                                           "created on"sv,
                                           "creation date"sv,
                                           "date created"sv,
                                           "create date"sv,
                                           "createdate"sv,
                                           "created date time"sv,
                                           "conversation started at"sv,
                                           "conversation created at"sv,
                                           "opened at"sv,
                                           "opened"sv,
                                           "submitted at"sv,
                                           "submitted"sv,
                                           "received at"sv,
                                           "ticket created at"sv,
                                           "ticket created"sv,
                                           "open date"sv,
                                           "date opened"sv,
                                           "start time"sv,
                                           "date"sv};
constexpr std::string_view kFirstResponseAt[] = {"first response at"sv,
                                                 "first responded at"sv,
                                                 "first replied at"sv,
                                                 "first reply at"sv,
                                                 "conversation first replied at"sv,
                                                 "initial response time"sv,
                                                 "first response date"sv,
                                                 "first reply date"sv,
                                                 "first agent reply at"sv,
                                                 "responded at"sv};
constexpr std::string_view kSolvedAt[] = {
    "solved at"sv,    "resolved at"sv,   "resolved time"sv,
    "resolved"sv,     "resolved date"sv, "resolution date"sv,
    "solved date"sv,  "solved"sv,        "conversation last closed at"sv,
    "closed at"sv,    "closed time"sv,   "closed date"sv,
    "date closed"sv,  "closed"sv,        "close date"sv,
    "completed at"sv, "done at"sv,       "conversation first closed at"sv};
constexpr std::string_view kStatus[] = {"status"sv,
                                        "ticket status"sv,
                                        "state"sv,
                                        "current conversation state"sv,
                                        "conversation state"sv,
                                        "case status"sv,
                                        "status category"sv};
// Intercom buckets conversations by start date: "started at" ranks before "created at".
constexpr std::string_view kChannel[] = {
    "channel"sv, "via"sv,    "source"sv,      "ticket channel"sv, "contact channel"sv,
    "medium"sv,  "origin"sv, "case origin"sv, "source type"sv,    "inbox"sv};
constexpr std::string_view kAgent[] = {
    "assignee"sv,       "agent"sv,        "assigned to"sv,
    "assignee name"sv,  "agent name"sv,   "teammate currently assigned"sv,
    "owner"sv,          "ticket owner"sv, "handled by"sv,
    "assigned agent"sv, "case owner"sv,   "responsible"sv};
constexpr std::string_view kTeam[] = {
    "group"sv,      "team"sv,  "team currently assigned"sv, "group name"sv, "team name"sv,
    "department"sv, "queue"sv, "assignment group"sv,        "mailbox"sv};
constexpr std::string_view kPriority[] = {"priority"sv, "ticket priority"sv, "urgency"sv,
                                          "severity"sv};
constexpr std::string_view kCustomer[] = {
    "requester"sv,     "customer"sv,     "requester email"sv, "customer email"sv, "customer name"sv,
    "requester id"sv,  "customer id"sv,  "user email"sv,      "user id"sv,        "contact"sv,
    "contact email"sv, "email"sv,        "client"sv,          "reporter"sv,       "organization"sv,
    "company"sv,       "company name"sv, "account"sv};
constexpr std::string_view kReplies[] = {
    "replies"sv,     "agent replies"sv,      "number of replies"sv,
    "reply count"sv, "agent interactions"sv, "replies to close a conversation"sv,
    "responses"sv,   "agent responses"sv,    "number of responses"sv};
constexpr std::string_view kReopens[] = {"reopens"sv,           "reopen count"sv,
                                         "number of reopens"sv, "times reopened"sv,
                                         "reopened count"sv,    "reopened"sv};
constexpr std::string_view kCsat[] = {"satisfaction score"sv,
                                      "satisfaction rating"sv,
                                      "csat"sv,
                                      "csat score"sv,
                                      "csat rating"sv,
                                      "customer satisfaction"sv,
                                      "customer satisfaction score"sv,
                                      "satisfaction"sv,
                                      "last teammate rating"sv,
                                      "conversation rating"sv,
                                      "survey results"sv,
                                      "happiness rating"sv,
                                      "rating"sv,
                                      "survey rating"sv,
                                      "score"sv};
constexpr std::string_view kNps[] = {"nps"sv,
                                     "nps score"sv,
                                     "net promoter score"sv,
                                     "likelihood to recommend"sv,
                                     "recommend score"sv,
                                     "nps rating"sv};
constexpr std::string_view kCes[] = {"ces"sv,          "ces score"sv, "customer effort score"sv,
                                     "effort score"sv, "effort"sv,    "ces rating"sv};
constexpr std::string_view kComment[] = {
    "comment"sv,        "comments"sv,       "satisfaction comment"sv,
    "csat comment"sv,   "feedback"sv,       "conversation rating remark"sv,
    "rating comment"sv, "survey comment"sv, "remark"sv,
    "verbatim"sv};
constexpr std::string_view kCost[] = {"cost"sv, "ticket cost"sv, "cost per ticket"sv,
                                      "handling cost"sv, "support cost"sv};
constexpr std::string_view kFirstResponseDuration[] = {"first reply time"sv,
                                                       "first response time"sv,
                                                       "time to first response"sv,
                                                       "time to first reply"sv,
                                                       "reply time"sv,
                                                       "first response"sv,
                                                       "frt"sv,
                                                       "time to first agent reply"sv,
                                                       "first response duration"sv};
constexpr std::string_view kResolutionDuration[] = {
    "full resolution time"sv, "resolution time"sv,    "time to resolution"sv,
    "time to close"sv,        "time to resolve"sv,    "first resolution time"sv,
    "handle time"sv,          "resolution duration"sv};
constexpr std::string_view kFirstContactResolved[] = {"resolved on first contact"sv,
                                                      "first contact resolution"sv,
                                                      "fcr"sv,
                                                      "first call resolution"sv,
                                                      "one touch"sv,
                                                      "one touch resolution"sv};

constexpr std::array<TicketFieldInfo, kTicketFieldCount> kFields{{
    {TicketField::kId, "id", FieldKind::kText, kId},
    {TicketField::kCreatedAt, "created_at", FieldKind::kTimestamp, kCreatedAt},
    {TicketField::kFirstResponseAt, "first_response_at", FieldKind::kTimestamp, kFirstResponseAt},
    {TicketField::kSolvedAt, "solved_at", FieldKind::kTimestamp, kSolvedAt},
    {TicketField::kStatus, "status", FieldKind::kText, kStatus},
    {TicketField::kChannel, "channel", FieldKind::kText, kChannel},
    {TicketField::kAgent, "agent", FieldKind::kText, kAgent},
    {TicketField::kTeam, "team", FieldKind::kText, kTeam},
    {TicketField::kPriority, "priority", FieldKind::kText, kPriority},
    {TicketField::kCustomer, "customer", FieldKind::kText, kCustomer},
    {TicketField::kReplies, "replies", FieldKind::kCount, kReplies},
    {TicketField::kReopens, "reopens", FieldKind::kCount, kReopens},
    {TicketField::kCsat, "csat", FieldKind::kRating, kCsat},
    {TicketField::kNps, "nps", FieldKind::kRating, kNps},
    {TicketField::kCes, "ces", FieldKind::kRating, kCes},
    {TicketField::kComment, "comment", FieldKind::kText, kComment},
    {TicketField::kCost, "cost", FieldKind::kNumber, kCost},
    {TicketField::kFirstResponseDuration, "first_response_time", FieldKind::kDuration,
     kFirstResponseDuration},
    {TicketField::kResolutionDuration, "resolution_time", FieldKind::kDuration,
     kResolutionDuration},
    {TicketField::kFirstContactResolved, "first_contact_resolved", FieldKind::kBool,
     kFirstContactResolved},
}};

}  // namespace

const std::array<TicketFieldInfo, kTicketFieldCount>& ticket_fields() {
  return kFields;
}

const TicketFieldInfo& field_info(TicketField field) {
  return kFields[static_cast<size_t>(field)];
}

std::optional<TicketField> field_from_name(std::string_view name) {
  for (const auto& info : kFields) {
    if (info.name == name) return info.field;
  }
  return std::nullopt;
}

}  // namespace kpilens
