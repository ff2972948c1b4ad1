// presets: the exports below are described in docs/exports.md and, header by header, with their
// sources in tests/fixtures/presets/README.md. Patterns are normalised headers (normalise_header):
// "First reply time in minutes" is "first reply time in minutes", "Conversation started at
// (America/New_York)" is "conversation started at", "via.channel" is "via channel".
#include "presets.h"

#include <algorithm>
#include <cmath>

#include "column_mapping.h"
#include "customer_presets.h"

namespace kpilens {

namespace {

using namespace std::string_view_literals;
using F = TicketField;
using U = DurationUnit;

// A pattern list per field: `P(x)` keeps the arrays short to write.
#define KPILENS_PATTERNS(name, ...) constexpr std::string_view name[] = {__VA_ARGS__}
constexpr std::span<const std::string_view> kNone{};

// ---- Zendesk: ticket view / data export (CSV) ----
KPILENS_PATTERNS(
    kZendeskDistinctive, "summation column"sv, "requester domain"sv, "requester external id"sv,
    "group stations"sv, "assignee stations"sv, "satisfaction score"sv, "via"sv, "reopens"sv,
    "initially assigned at"sv, "first reply time in minutes"sv,
    "first reply time in minutes within business hours"sv, "first resolution time in minutes"sv,
    "first resolution time in minutes within business hours"sv, "full resolution time in minutes"sv,
    "full resolution time in minutes within business hours"sv, "agent wait time in minutes"sv,
    "agent wait time in minutes within business hours"sv, "requester wait time in minutes"sv,
    "requester wait time in minutes within business hours"sv, "on hold time in minutes"sv,
    "on hold time in minutes within business hours"sv, "resolution time whole hours"sv);
KPILENS_PATTERNS(kZendeskCommon, "id"sv, "requester"sv, "requester id"sv, "requester email"sv,
                 "submitter"sv, "assignee"sv, "group"sv, "subject"sv, "tags"sv, "status"sv,
                 "priority"sv, "ticket type"sv, "created at"sv, "updated at"sv, "assigned at"sv,
                 "organization"sv, "due date"sv, "solved at"sv, "replies"sv);
KPILENS_PATTERNS(kZdId, "id"sv);
KPILENS_PATTERNS(kZdCreated, "created at"sv);
KPILENS_PATTERNS(kZdSolved, "solved at"sv);
KPILENS_PATTERNS(kZdStatus, "status"sv);
KPILENS_PATTERNS(kZdVia, "via"sv);
KPILENS_PATTERNS(kZdAssignee, "assignee"sv);
KPILENS_PATTERNS(kZdGroup, "group"sv);
KPILENS_PATTERNS(kZdPriority, "priority"sv);
KPILENS_PATTERNS(kZdRequester, "requester"sv, "requester email"sv, "requester id"sv);
KPILENS_PATTERNS(kZdReplies, "replies"sv);
KPILENS_PATTERNS(kZdReopens, "reopens"sv);
KPILENS_PATTERNS(kZdSatisfaction, "satisfaction score"sv);
KPILENS_PATTERNS(kZdFirstReply, "first reply time in minutes"sv);
KPILENS_PATTERNS(kZdFullResolution, "full resolution time in minutes"sv);
const PresetColumn kZendeskColumns[] = {
    {F::kId, kZdId},
    {F::kCreatedAt, kZdCreated},
    {F::kSolvedAt, kZdSolved},
    {F::kStatus, kZdStatus},
    {F::kChannel, kZdVia},
    {F::kAgent, kZdAssignee},
    {F::kTeam, kZdGroup},
    {F::kPriority, kZdPriority},
    {F::kCustomer, kZdRequester},
    {F::kReplies, kZdReplies},
    {F::kReopens, kZdReopens},
    {F::kCsat, kZdSatisfaction},
    // Calendar time, as Zendesk's own reports default to; the business-hours twins stay unmapped.
    {F::kFirstResponseDuration, kZdFirstReply, U::kMinutes},
    {F::kResolutionDuration, kZdFullResolution, U::kMinutes},
};

// ---- Zendesk: API / incremental export JSON, tickets with their metric_set ----
KPILENS_PATTERNS(kZendeskApiDistinctive, "via channel"sv, "satisfaction rating score"sv,
                 "metric set reply time in minutes calendar"sv,
                 "metric set full resolution time in minutes calendar"sv, "metric set reopens"sv,
                 "metric set replies"sv, "requester id"sv, "submitter id"sv, "assignee id"sv,
                 "group id"sv, "organization id"sv, "brand id"sv, "ticket form id"sv,
                 "raw subject"sv, "has incidents"sv, "is public"sv, "allow channelback"sv,
                 "generated timestamp"sv, "satisfaction rating id"sv, "metric set solved at"sv);
KPILENS_PATTERNS(kZendeskApiCommon, "id"sv, "url"sv, "external id"sv, "created at"sv,
                 "updated at"sv, "type"sv, "subject"sv, "description"sv, "priority"sv, "status"sv,
                 "tags"sv, "due at"sv);
KPILENS_PATTERNS(kZaSolved, "metric set solved at"sv);
KPILENS_PATTERNS(kZaVia, "via channel"sv);
KPILENS_PATTERNS(kZaAssignee, "assignee id"sv);
KPILENS_PATTERNS(kZaGroup, "group id"sv);
KPILENS_PATTERNS(kZaRequester, "requester id"sv);
KPILENS_PATTERNS(kZaReplies, "metric set replies"sv);
KPILENS_PATTERNS(kZaReopens, "metric set reopens"sv);
KPILENS_PATTERNS(kZaSatisfaction, "satisfaction rating score"sv);
KPILENS_PATTERNS(kZaFirstReply, "metric set reply time in minutes calendar"sv);
KPILENS_PATTERNS(kZaFullResolution, "metric set full resolution time in minutes calendar"sv);
const PresetColumn kZendeskApiColumns[] = {
    {F::kId, kZdId},
    {F::kCreatedAt, kZdCreated},
    {F::kSolvedAt, kZaSolved},
    {F::kStatus, kZdStatus},
    {F::kChannel, kZaVia},
    {F::kAgent, kZaAssignee},
    {F::kTeam, kZaGroup},
    {F::kPriority, kZdPriority},
    {F::kCustomer, kZaRequester},
    {F::kReplies, kZaReplies},
    {F::kReopens, kZaReopens},
    {F::kCsat, kZaSatisfaction},
    {F::kFirstResponseDuration, kZaFirstReply, U::kMinutes},
    {F::kResolutionDuration, kZaFullResolution, U::kMinutes},
};

// ---- Freshdesk (and Freshservice, which capitalises differently: same normalised names) ----
KPILENS_PATTERNS(kFreshdeskDistinctive, "due by time"sv, "resolved time"sv, "closed time"sv,
                 "last update time"sv, "initial response time"sv, "time tracked"sv,
                 "first response time in hrs"sv, "resolution time in hrs"sv, "agent interactions"sv,
                 "customer interactions"sv, "resolution status"sv, "first response status"sv,
                 "survey results"sv, "created time"sv);
KPILENS_PATTERNS(kFreshdeskCommon, "ticket id"sv, "subject"sv, "description"sv, "status"sv,
                 "priority"sv, "source"sv, "type"sv, "agent"sv, "group"sv, "tags"sv, "product"sv,
                 "full name"sv, "contact id"sv, "email"sv, "company name"sv);
KPILENS_PATTERNS(kFdId, "ticket id"sv);
KPILENS_PATTERNS(kFdCreated, "created time"sv);
KPILENS_PATTERNS(kFdInitial, "initial response time"sv);
KPILENS_PATTERNS(kFdResolved, "resolved time"sv, "closed time"sv);
KPILENS_PATTERNS(kFdSource, "source"sv);
KPILENS_PATTERNS(kFdAgent, "agent"sv);
KPILENS_PATTERNS(kFdCustomer, "email"sv, "full name"sv, "contact id"sv, "company name"sv);
KPILENS_PATTERNS(kFdReplies, "agent interactions"sv);
KPILENS_PATTERNS(kFdSurvey, "survey results"sv);
KPILENS_PATTERNS(kFdFirstResponse, "first response time in hrs"sv);
KPILENS_PATTERNS(kFdResolution, "resolution time in hrs"sv);
const PresetColumn kFreshdeskColumns[] = {
    {F::kId, kFdId},
    {F::kCreatedAt, kFdCreated},
    {F::kFirstResponseAt, kFdInitial},
    {F::kSolvedAt, kFdResolved},
    {F::kStatus, kZdStatus},
    {F::kChannel, kFdSource},
    {F::kAgent, kFdAgent},
    {F::kTeam, kZdGroup},
    {F::kPriority, kZdPriority},
    {F::kCustomer, kFdCustomer},
    {F::kReplies, kFdReplies},
    {F::kCsat, kFdSurvey},
    // Freshdesk's own figures: business-hours durations written HH:MM:SS.
    {F::kFirstResponseDuration, kFdFirstResponse, U::kHours},
    {F::kResolutionDuration, kFdResolution, U::kHours},
};

// ---- Intercom: conversation export ----
KPILENS_PATTERNS(kIntercomDistinctive, "conversation started at"sv, "conversation created at"sv,
                 "conversation first replied at"sv, "conversation first closed at"sv,
                 "conversation last closed at"sv, "teammate currently assigned"sv,
                 "team currently assigned"sv, "current conversation state"sv, "conversation tag"sv,
                 "last teammate rating"sv, "first response time seconds"sv,
                 "first response time only within office hours seconds"sv,
                 "time to close seconds"sv, "time to first close seconds"sv,
                 "handling time seconds"sv, "number of reassignments"sv,
                 "replies to close a conversation"sv, "resolved on first contact"sv);
KPILENS_PATTERNS(kIntercomCommon, "conversation id"sv, "channel"sv, "topics"sv, "company name"sv,
                 "user email"sv, "user id"sv, "user name"sv);
KPILENS_PATTERNS(kIcId, "conversation id"sv);
KPILENS_PATTERNS(kIcStarted, "conversation started at"sv, "conversation created at"sv);
KPILENS_PATTERNS(kIcFirstReplied, "conversation first replied at"sv);
KPILENS_PATTERNS(kIcLastClosed, "conversation last closed at"sv);
KPILENS_PATTERNS(kIcState, "current conversation state"sv);
KPILENS_PATTERNS(kIcChannel, "channel"sv);
KPILENS_PATTERNS(kIcTeammate, "teammate currently assigned"sv);
KPILENS_PATTERNS(kIcTeam, "team currently assigned"sv);
KPILENS_PATTERNS(kIcUser, "user email"sv, "user id"sv, "company name"sv);
KPILENS_PATTERNS(kIcReplies, "replies to close a conversation"sv);
KPILENS_PATTERNS(kIcRating, "last teammate rating"sv);
KPILENS_PATTERNS(kIcFirstResponse, "first response time seconds"sv);
KPILENS_PATTERNS(kIcTimeToClose, "time to close seconds"sv);
KPILENS_PATTERNS(kIcFcr, "resolved on first contact"sv);
const PresetColumn kIntercomColumns[] = {
    {F::kId, kIcId},
    {F::kCreatedAt, kIcStarted},
    {F::kFirstResponseAt, kIcFirstReplied},
    {F::kSolvedAt, kIcLastClosed},
    {F::kStatus, kIcState},
    {F::kChannel, kIcChannel},
    {F::kAgent, kIcTeammate},
    {F::kTeam, kIcTeam},
    {F::kCustomer, kIcUser},
    {F::kReplies, kIcReplies},
    {F::kCsat, kIcRating},
    {F::kFirstResponseDuration, kIcFirstResponse, U::kSeconds},
    {F::kResolutionDuration, kIcTimeToClose, U::kSeconds},
    {F::kFirstContactResolved, kIcFcr},
};

// ---- Intercom: the separate CSAT export (survey answers keyed by conversation) ----
KPILENS_PATTERNS(kIntercomCsatDistinctive, "conversation rating"sv, "conversation rating remark"sv,
                 "agent rated type"sv);
KPILENS_PATTERNS(kIntercomCsatCommon, "conversation id"sv, "updated at"sv, "user name"sv,
                 "company name"sv, "user email"sv);
KPILENS_PATTERNS(kIcsUpdated, "updated at"sv);
KPILENS_PATTERNS(kIcsRating, "conversation rating"sv);
KPILENS_PATTERNS(kIcsRemark, "conversation rating remark"sv);
const PresetColumn kIntercomCsatColumns[] = {
    {F::kId, kIcId},
    {F::kCreatedAt, kIcsUpdated},
    {F::kCsat, kIcsRating},
    {F::kComment, kIcsRemark},
};

// ---- HubSpot tickets: internal property names and their English labels ----
KPILENS_PATTERNS(kHubspotDistinctive, "hs object id"sv, "hs pipeline"sv, "hs pipeline stage"sv,
                 "hs ticket priority"sv, "source type"sv, "hubspot owner id"sv,
                 "hs ticket category"sv, "createdate"sv, "first agent reply date"sv,
                 "closed date"sv, "time to first agent reply"sv,
                 "hs time to first response in operating hours"sv, "time to close"sv,
                 "hs time to close in operating hours"sv, "hs time to first response sla status"sv,
                 "hs time to close sla status"sv, "ticket name"sv, "ticket owner"sv,
                 "ticket status"sv, "pipeline stage"sv, "create date"sv, "close date"sv);
KPILENS_PATTERNS(kHubspotCommon, "subject"sv, "pipeline"sv, "priority"sv, "source"sv, "ticket id"sv,
                 "category"sv, "last modified date"sv, "hs lastmodifieddate"sv);
KPILENS_PATTERNS(kHsId, "hs object id"sv, "ticket id"sv);
KPILENS_PATTERNS(kHsCreated, "createdate"sv, "create date"sv);
KPILENS_PATTERNS(kHsFirstReply, "first agent reply date"sv);
KPILENS_PATTERNS(kHsClosed, "closed date"sv, "close date"sv);
KPILENS_PATTERNS(kHsStage, "hs pipeline stage"sv, "ticket status"sv, "pipeline stage"sv);
KPILENS_PATTERNS(kHsSource, "source type"sv, "source"sv);
KPILENS_PATTERNS(kHsOwner, "hubspot owner id"sv, "ticket owner"sv);
KPILENS_PATTERNS(kHsPriority, "hs ticket priority"sv, "priority"sv);
KPILENS_PATTERNS(kHsTimeToReply, "time to first agent reply"sv);
KPILENS_PATTERNS(kHsTimeToClose, "time to close"sv);
const PresetColumn kHubspotColumns[] = {
    {F::kId, kHsId},
    {F::kCreatedAt, kHsCreated},
    {F::kFirstResponseAt, kHsFirstReply},
    {F::kSolvedAt, kHsClosed},
    {F::kStatus, kHsStage},
    {F::kChannel, kHsSource},
    {F::kAgent, kHsOwner},
    {F::kPriority, kHsPriority},
    // Calendar durations in milliseconds; the "in operating hours" twins stay unmapped.
    {F::kFirstResponseDuration, kHsTimeToReply, U::kMilliseconds},
    {F::kResolutionDuration, kHsTimeToClose, U::kMilliseconds},
};

// ---- Help Scout: conversations export ----
KPILENS_PATTERNS(kHelpScoutDistinctive, "happiness rating"sv, "rating comment"sv, "mailbox"sv,
                 "assigned to"sv, "waiting since"sv, "closed by"sv, "customer name"sv);
KPILENS_PATTERNS(kHelpScoutCommon, "conversation id"sv, "number"sv, "subject"sv, "status"sv,
                 "type"sv, "customer email"sv, "tags"sv, "created at"sv, "closed at"sv,
                 "last updated"sv);
KPILENS_PATTERNS(kHsoId, "conversation id"sv, "number"sv);
KPILENS_PATTERNS(kHsoClosed, "closed at"sv);
KPILENS_PATTERNS(kHsoType, "type"sv);
KPILENS_PATTERNS(kHsoAssigned, "assigned to"sv);
KPILENS_PATTERNS(kHsoMailbox, "mailbox"sv);
KPILENS_PATTERNS(kHsoCustomer, "customer email"sv, "customer name"sv);
KPILENS_PATTERNS(kHsoRating, "happiness rating"sv);
KPILENS_PATTERNS(kHsoComment, "rating comment"sv);
const PresetColumn kHelpScoutColumns[] = {
    {F::kId, kHsoId},           {F::kCreatedAt, kZdCreated},  {F::kSolvedAt, kHsoClosed},
    {F::kStatus, kZdStatus},    {F::kChannel, kHsoType},      {F::kAgent, kHsoAssigned},
    {F::kTeam, kHsoMailbox},    {F::kCustomer, kHsoCustomer}, {F::kCsat, kHsoRating},
    {F::kComment, kHsoComment},
};

// ---- Jira Service Management: issue CSV ----
KPILENS_PATTERNS(kJiraDistinctive, "issue key"sv, "issue id"sv, "issue type"sv, "status category"sv,
                 "custom field satisfaction date"sv, "custom field request type"sv,
                 "custom field time to first response"sv, "custom field time to resolution"sv,
                 "satisfaction rating"sv, "reporter"sv, "project key"sv, "project name"sv,
                 "resolution"sv);
KPILENS_PATTERNS(kJiraCommon, "summary"sv, "status"sv, "priority"sv, "assignee"sv, "created"sv,
                 "updated"sv, "resolved"sv, "labels"sv);
KPILENS_PATTERNS(kJiKey, "issue key"sv);
KPILENS_PATTERNS(kJiCreated, "created"sv);
KPILENS_PATTERNS(kJiResolved, "resolved"sv);
KPILENS_PATTERNS(kJiReporter, "reporter"sv);
KPILENS_PATTERNS(kJiRating, "satisfaction rating"sv, "custom field satisfaction"sv);
const PresetColumn kJiraColumns[] = {
    {F::kId, kJiKey},
    {F::kCreatedAt, kJiCreated},
    {F::kSolvedAt, kJiResolved},
    {F::kStatus, kZdStatus},
    {F::kAgent, kZdAssignee},
    {F::kPriority, kZdPriority},
    {F::kCustomer, kJiReporter},
    {F::kCsat, kJiRating},
    // The SLA cells hold the time left on the clock (negative when breached), not the time taken.
    {F::kFirstResponseDuration, kNone},
    {F::kResolutionDuration, kNone},
    {F::kChannel, kNone},
};

// ---- Chatwoot: CSAT report export (one row per survey answer) ----
KPILENS_PATTERNS(kChatwootDistinctive, "agent name"sv, "feedback comment"sv, "contact name"sv,
                 "contact email address"sv, "contact phone number"sv, "link to the conversation"sv,
                 "recorded date"sv);
KPILENS_PATTERNS(kChatwootCommon, "rating"sv);
KPILENS_PATTERNS(kCwRecorded, "recorded date"sv);
KPILENS_PATTERNS(kCwAgent, "agent name"sv);
KPILENS_PATTERNS(kCwContact, "contact email address"sv, "contact name"sv);
KPILENS_PATTERNS(kCwRating, "rating"sv);
KPILENS_PATTERNS(kCwComment, "feedback comment"sv);
const PresetColumn kChatwootColumns[] = {
    {F::kCreatedAt, kCwRecorded}, {F::kAgent, kCwAgent},     {F::kCustomer, kCwContact},
    {F::kCsat, kCwRating},        {F::kComment, kCwComment},
};

// ---- Zammad: ticket export ----
KPILENS_PATTERNS(kZammadDistinctive, "create channel"sv, "close escalation at"sv, "close in min"sv,
                 "close diff in min"sv, "first response escalation at"sv, "first response in min"sv,
                 "first response diff in min"sv, "update escalation at"sv, "update in min"sv,
                 "update diff in min"sv, "last contact agent at"sv, "last contact customer at"sv,
                 "article count"sv, "time units total"sv, "escalation at"sv, "last contact at"sv,
                 "=#"sv);
KPILENS_PATTERNS(kZammadCommon, "title"sv, "state"sv, "priority"sv, "group"sv, "owner"sv,
                 "customer"sv, "organization"sv, "sender"sv, "tags"sv, "created at"sv,
                 "updated at"sv, "closed at"sv, "first response at"sv, "number"sv);
KPILENS_PATTERNS(kZmId, "=#"sv, "number"sv);
KPILENS_PATTERNS(kZmFirstResponse, "first response at"sv);
KPILENS_PATTERNS(kZmClosed, "closed at"sv);
KPILENS_PATTERNS(kZmState, "state"sv);
KPILENS_PATTERNS(kZmChannel, "create channel"sv);
KPILENS_PATTERNS(kZmOwner, "owner"sv);
KPILENS_PATTERNS(kZmCustomer, "customer"sv);
const PresetColumn kZammadColumns[] = {
    {F::kId, kZmId},
    {F::kCreatedAt, kZdCreated},
    {F::kFirstResponseAt, kZmFirstResponse},
    {F::kSolvedAt, kZmClosed},
    {F::kStatus, kZmState},
    {F::kChannel, kZmChannel},
    {F::kAgent, kZmOwner},
    {F::kTeam, kZdGroup},
    {F::kPriority, kZdPriority},
    {F::kCustomer, kZmCustomer},
    // "… In Min" and "… Diff In Min" are SLA figures on the business-hours calendar.
    {F::kFirstResponseDuration, kNone},
    {F::kResolutionDuration, kNone},
};

// ---- Survey tools (SurveyMonkey, Typeform, Google Forms…): question columns ----
KPILENS_PATTERNS(kSurveyDistinctive, "~likely recommend"sv, "~satisf"sv, "~easy"sv, "~effort"sv,
                 "respondent id"sv, "response id"sv, "collector id"sv, "submitted at"sv,
                 "submit date"sv, "timestamp"sv, "start date"sv, "end date"sv, "ip address"sv,
                 "network id"sv, "email address"sv);
KPILENS_PATTERNS(kSurveyCommon, "ticket id"sv, "email"sv, "~anything else"sv, "~comment"sv,
                 "~feedback"sv, "~why"sv, "=#"sv);
KPILENS_PATTERNS(kSvTicket, "ticket id"sv, "ticket number"sv, "ticket"sv, "conversation id"sv,
                 "case number"sv, "case id"sv);
KPILENS_PATTERNS(kSvSubmitted, "submitted at"sv, "submit date"sv, "date submitted"sv, "timestamp"sv,
                 "end date"sv, "completed at"sv, "response date"sv);
KPILENS_PATTERNS(kSvEmail, "email"sv, "email address"sv, "respondent email"sv);
KPILENS_PATTERNS(kSvNps, "~likely recommend"sv);
KPILENS_PATTERNS(kSvCsat, "~satisf"sv);
KPILENS_PATTERNS(kSvCes, "~easy"sv, "~effort"sv);
KPILENS_PATTERNS(kSvComment, "~anything else"sv, "~comment"sv, "~feedback"sv, "~why"sv,
                 "~tell us"sv);
const PresetColumn kSurveyColumns[] = {
    {F::kId, kSvTicket},       {F::kCreatedAt, kSvSubmitted}, {F::kCustomer, kSvEmail},
    {F::kNps, kSvNps},         {F::kCsat, kSvCsat},           {F::kCes, kSvCes},
    {F::kComment, kSvComment},
};

#undef KPILENS_PATTERNS

std::vector<std::string_view> split_words(std::string_view text) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && text[i] == ' ') ++i;
    size_t start = i;
    while (i < text.size() && text[i] != ' ') ++i;
    if (i > start) out.push_back(text.substr(start, i - start));
  }
  return out;
}

}  // namespace

bool header_matches(std::string_view normalised, std::string_view pattern) {
  if (pattern.empty()) return false;
  if (pattern[0] == '=') return false;  // raw headers: see detect_preset / map_columns
  if (pattern[0] != '~') return normalised == pattern;
  std::vector<std::string_view> words = split_words(normalised);
  for (std::string_view wanted : split_words(pattern.substr(1))) {
    bool found = std::any_of(words.begin(), words.end(),
                             [&](std::string_view w) { return w.starts_with(wanted); });
    if (!found) return false;
  }
  return true;
}

const std::vector<Preset>& presets() {
  static const std::vector<Preset> all = [] {
    std::vector<Preset> list = {
        {"zendesk", "Zendesk ticket export", DatasetKind::kTickets, kZendeskDistinctive,
         kZendeskCommon, 2, kZendeskColumns},
        {"zendesk_api", "Zendesk API tickets (JSON)", DatasetKind::kTickets, kZendeskApiDistinctive,
         kZendeskApiCommon, 3, kZendeskApiColumns},
        {"freshdesk", "Freshdesk ticket export", DatasetKind::kTickets, kFreshdeskDistinctive,
         kFreshdeskCommon, 2, kFreshdeskColumns},
        {"intercom", "Intercom conversation export", DatasetKind::kTickets, kIntercomDistinctive,
         kIntercomCommon, 2, kIntercomColumns},
        {"intercom_csat", "Intercom CSAT export", DatasetKind::kSurvey, kIntercomCsatDistinctive,
         kIntercomCsatCommon, 1, kIntercomCsatColumns},
        {"hubspot", "HubSpot tickets export", DatasetKind::kTickets, kHubspotDistinctive,
         kHubspotCommon, 2, kHubspotColumns},
        {"helpscout", "Help Scout conversations export", DatasetKind::kTickets,
         kHelpScoutDistinctive, kHelpScoutCommon, 2, kHelpScoutColumns},
        {"jira_sm", "Jira Service Management issues", DatasetKind::kTickets, kJiraDistinctive,
         kJiraCommon, 2, kJiraColumns},
        {"chatwoot", "Chatwoot CSAT report", DatasetKind::kSurvey, kChatwootDistinctive,
         kChatwootCommon, 2, kChatwootColumns},
        {"zammad", "Zammad ticket export", DatasetKind::kTickets, kZammadDistinctive, kZammadCommon,
         2, kZammadColumns},
        {"survey", "Survey responses", DatasetKind::kSurvey, kSurveyDistinctive, kSurveyCommon, 2,
         kSurveyColumns},
    };
    // Customer-success exports (customer_presets.cpp) after the helpdesks: ties go to the first.
    for (const Preset& p : customer_presets()) list.push_back(p);
    return list;
  }();
  return all;
}

const Preset* find_preset(std::string_view id) {
  for (const Preset& p : presets()) {
    if (p.id == id) return &p;
  }
  return nullptr;
}

namespace {

bool raw_or_normalised_match(const std::string& raw, const std::string& normalised,
                             std::string_view pattern) {
  if (!pattern.empty() && pattern[0] == '=') return trim(raw) == pattern.substr(1);
  return header_matches(normalised, pattern);
}

}  // namespace

PresetMatch score_preset(const Preset& preset, std::span<const std::string> headers) {
  PresetMatch match{&preset, 0, 0};
  size_t known = 0;
  for (const std::string& header : headers) {
    std::string normalised = normalise_header(header);
    auto matches = [&](std::span<const std::string_view> patterns) {
      return std::any_of(patterns.begin(), patterns.end(), [&](std::string_view p) {
        return raw_or_normalised_match(header, normalised, p);
      });
    };
    bool is_distinctive = matches(preset.distinctive);
    bool is_known = is_distinctive || matches(preset.common);
    for (const PresetColumn& c : preset.columns) is_known = is_known || matches(c.patterns);
    for (const CustomerPresetColumn& c : preset.customer_columns) {
      is_known = is_known || matches(c.patterns);
    }
    match.distinctive_matched += is_distinctive;
    known += is_known;
  }
  match.known = known;
  if (!headers.empty()) {
    match.confidence =
        std::round(100.0 * static_cast<double>(known) / static_cast<double>(headers.size())) /
        100.0;
  }
  return match;
}

std::optional<PresetMatch> detect_preset(std::span<const std::string> headers) {
  std::optional<PresetMatch> best;
  for (const Preset& preset : presets()) {
    PresetMatch match = score_preset(preset, headers);
    if (match.distinctive_matched < preset.min_distinctive || headers.empty()) continue;
    // More distinctive headers first, then more known columns (exact counts: the file is the
    // same for every preset), then the first in the list.
    if (!best || match.distinctive_matched > best->distinctive_matched ||
        (match.distinctive_matched == best->distinctive_matched && match.known > best->known)) {
      best = match;
    }
  }
  return best;
}

}  // namespace kpilens
