// value_issue: the cells of one mapped field that could not be read (the row is kept, the value is
// not), as the report lists them in input.value_issues. Ticket fields and customer fields each keep
// a table of these.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace kpilens {

// How many lines (with their files) a ValueIssue lists.
inline constexpr size_t kValueIssueLines = 5;

struct ValueIssue {
  uint64_t count = 0;
  std::vector<uint64_t> lines;  // the first few (file-local line numbers)
  std::vector<size_t> files;
  std::string example;
  std::string reason;
};

}  // namespace kpilens
