// Heap allocations on the ticket row path, counted by a replaced global operator new. This is an
// executable of its own (not in the engine tests' glob) so the replacement touches no other test.
//
// The claim: once a file's header, its first rows (the date-order sample) and its periods and
// segment values have been seen, a ticket row allocates nothing — not when it joins a waiting
// survey answer, offers itself to a customer's answers, is rejected past the listed few, or has a
// value issue past the first. Vectors that grow geometrically (the exact quantiles' values, an
// exact sum's partials) still allocate now and then, so the test allows far fewer allocations than
// rows.
#include <catch2/catch.hpp>
#include <cstdint>
#include <cstdlib>
#include <new>
#include <string>
#include <string_view>

#include "ticket_dataset.h"

namespace {

uint64_t allocations = 0;

}  // namespace

// Every plain, array and nothrow form, so that each delete meets the new it belongs with (and
// AddressSanitizer sees malloc and free in pairs).
namespace {

void* counted(std::size_t size) noexcept {
  ++allocations;
  return std::malloc(size == 0 ? 1 : size);
}

}  // namespace

void* operator new(std::size_t size) {
  if (void* p = counted(size)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t size) {
  if (void* p = counted(size)) return p;
  throw std::bad_alloc();
}
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  return counted(size);
}
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept {
  return counted(size);
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete[](void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::size_t) noexcept {
  std::free(p);
}
void operator delete(void* p, const std::nothrow_t&) noexcept {
  std::free(p);
}
void operator delete[](void* p, const std::nothrow_t&) noexcept {
  std::free(p);
}

namespace kpilens {
namespace {

constexpr std::string_view kChannels[] = {"email", "chat", "phone", "web"};
constexpr std::string_view kAgents[] = {"Alice Martin", "Bruno Costa", "Chen Wei", "Dana Levi"};
constexpr std::string_view kStatuses[] = {"Solved", "CLOSED", "open", "Pending", "resolved"};

// Ticket rows over the days 2024-03-04 … 2024-03-08 (one ISO week). Every 7th row has an unreadable
// created_at (rejected), every 11th an unreadable reply count (a value issue). Ids 1 … 1000 have a
// survey answer waiting; no ticket's customer matches an answer's. Every cost has 22 digits.
std::string ticket_rows(int first, int count) {
  std::string csv;
  for (int i = first; i < first + count; ++i) {
    const int day = 4 + i % 5;
    const std::string date = "2024-03-0" + std::to_string(day);
    csv += std::to_string(i) + ",";
    csv += i % 7 == 3 ? "someday" : date + " 09:" + std::to_string(10 + i % 50) + ":00";
    csv += "," + date + "T1" + std::to_string(i % 10) + ":30:00Z";  // solved
    csv += "," + date + " 09:5" + std::to_string(i % 10) + ":00";   // first response
    csv += "," + std::string(kStatuses[i % 5]) + "," + std::string(kChannels[i % 4]) + "," +
           std::string(kAgents[i % 4 == 0 ? 1 : i % 4]);
    csv += i % 11 == 5 ? ",two" : "," + std::to_string(i % 4);
    csv += "," + std::to_string(i % 3) + "," + (i % 2 ? std::to_string(1 + i % 5) : "");
    csv += ",customer" + std::to_string(i % 500) + "@example.com";
    // A cost with more digits than the exact fast path takes: read by read_decimal (decimal.h).
    csv += ",12.5000000000000000000" + std::to_string(i % 10) + "\n";
  }
  return csv;
}

TEST_CASE("Ticket rows in steady state allocate nothing", "[allocation]") {
  TicketDataset d(R"({"grain": "week", "by": ["channel", "agent", "status"]})");
  // Survey answers first: by ticket id (1 … 1000), and by customer with no ticket id (nobody's).
  std::string survey = "ticket id,score,email\n";
  for (int i = 1; i <= 1000; ++i)
    survey += std::to_string(i) + "," + std::to_string(1 + i % 5) + ",\n";
  for (int i = 0; i < 50; ++i)
    survey += "," + std::to_string(1 + i % 5) + ",x" + std::to_string(i) + "@example.org\n";
  d.begin_file("survey.csv");
  d.feed(survey);
  d.end_file();

  const std::string header =
      "id,created_at,solved_at,first_response_at,status,channel,agent,replies,reopens,csat,"
      "customer,cost\n";
  const std::string warm_up = header + ticket_rows(1, 5000);
  constexpr int kRows = 20000;
  const std::string measured = ticket_rows(5001, kRows);
  d.begin_file("tickets.csv");
  d.feed(warm_up);
  const uint64_t before = allocations;
  // In pieces of 64 KiB, as a driver would feed them.
  for (size_t at = 0; at < measured.size(); at += 65536) {
    d.feed(std::string_view(measured).substr(at, 65536));
  }
  const uint64_t during = allocations - before;
  d.end_file();

  INFO(during << " allocations for " << kRows << " rows");
  // Groups: total, 1 period, 4 channels, 4 agents, 5 statuses = 15, each with two duration
  // vectors that double two or three times over these rows, and exact-sum partials: about a
  // hundred allocations. One per row would be 20,000.
  CHECK(during < kRows / 100);
  // The rows were read as intended. Rejected: every 7th row (i % 7 == 3) of 25,000, 3,572 — far
  // past the 100 listed. Joined: ids 1 … 1000 but the 143 rejected among them (3, 10, … 997); the
  // measured rows' ids find no answer, but each is looked up.
  CHECK(d.rejected_total() == 3572);
  CHECK(d.join().joined == 857);
  // Every cost was read (none a value issue), to 12.5 each: the mean cost per ticket is 12.5.
  CHECK(d.value_issues()[static_cast<size_t>(TicketField::kCost)].count == 0);
  const std::string report = d.report_json();
  const size_t cost = report.find(R"("variant":"mean_of_cost_column")");
  REQUIRE(cost != std::string::npos);
  CHECK(report.compare(report.find(R"("value":)", cost), 13, R"("value":12.5,)") == 0);
}

}  // namespace
}  // namespace kpilens
