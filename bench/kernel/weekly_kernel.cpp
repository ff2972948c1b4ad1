// The bench's weekly figures, written for the bench's export alone (scripts/gen.mjs: its 16 columns
// in their order, LF line ends, "YYYY-MM-DD HH:MM:SS" times, UTC). Not the engine and not used by
// it: a measuring stick for scripts/bench --steady, which times it beside the engine and
// DuckDB-WASM to show what a row path that knows the layout in advance reaches in wasm on the same
// machine (docs/architecture.md, "A kernel that knows the layout"). It reads what the figures need
// and nothing else: no header mapping, no encoding check, no trimming, no other time formats, no
// value issues or rejected rows (a row it cannot read is counted, and the bench wants none), one
// week grain.
//
// The figures as the engine defines them (docs/kpis.md) for this export: tickets per ISO week of
// their creation; CSAT top-2-box (scores 1–5, satisfied ≥ 4); NPS (0–10: promoters ≥ 9, detractors
// ≤ 6); first contact resolution over solved tickets with a reply count (one reply, never
// reopened); the mean first response in minutes (replies at or after creation); the mean and median
// resolution in hours of solved tickets (solved at or after creation). Solved: a status of Solved
// or Closed; no status, a solved time.
//
// Driven from JavaScript (scripts/lib/bench_engines.mjs) as the engine's Node driver feeds it
// (wasm/bindings/node_engine.mjs feedFile): two buffers in turn, a chunk read into one while the
// other is scanned. For each chunk, its bytes written at kernel_slice(b) and kernel_feed(b, n),
// kernel_feed(b, 0) at the end, then kernel_report(). The chunk boundary's partial record moves in
// front of the other buffer's slice, which a read in flight does not touch.
#include <wasm_simd128.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <vector>

namespace {

constexpr size_t kChunkBytes = size_t{2} << 20;  // as the engine's Node driver reads
constexpr unsigned kColumns = 16;
constexpr char kHeader[] =
    "Id,Created at,First reply at,Solved at,Status,Via,Assignee,Group,Priority,Requester,Replies,"
    "Reopens,Satisfaction Score,NPS,CES,Comment";

struct Week {
  uint32_t tickets = 0;
  uint32_t csat_responses = 0, csat_satisfied = 0;
  uint32_t nps_answers = 0, promoters = 0, detractors = 0;
  uint32_t fcr_known = 0, fcr_first = 0;
  uint32_t first_responses = 0;
  int64_t first_response_seconds = 0;
  int64_t resolution_seconds = 0;
  std::vector<uint32_t> resolutions;  // seconds, for the median
};

struct DateMemo {
  uint64_t head = ~uint64_t{0};
  uint16_t tail = 0;
  int64_t days = 0;
};

struct State {
  std::vector<Week> weeks;  // by ISO week, from first_week
  int64_t first_week = 0;
  int64_t memo_days = INT64_MIN;
  size_t memo_week = 0;
  DateMemo created, replied, solved;
  size_t held = 0;  // a partial record's bytes, just before the next buffer's slice
  bool header_seen = false;
  bool header_ok = false;
  uint64_t rows = 0;
  uint64_t unread = 0;  // rows whose cells this kernel cannot read
};

State state;
// Each: room for a held partial record (up to a chunk), then the slice (a chunk), then padding.
uint8_t buffers[2][2 * kChunkBytes + 128];

uint64_t load8(const uint8_t* p) {
  uint64_t v;
  memcpy(&v, p, 8);
  return v;
}

int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

bool digit(uint8_t c) {
  return static_cast<unsigned>(c - '0') <= 9;
}
unsigned two(const uint8_t* p) {
  return (p[0] - '0') * 10u + (p[1] - '0');
}

// "YYYY-MM-DD HH:MM:SS" as seconds since 1970 (UTC) and its day; false when the cell is not that.
bool parse_time(const uint8_t* p, size_t n, DateMemo& memo, int64_t& seconds, int64_t& days) {
  if (n != 19 || p[10] != ' ' || p[13] != ':' || p[16] != ':') return false;
  uint16_t tail;
  memcpy(&tail, p + 8, 2);
  if (load8(p) == memo.head && tail == memo.tail) {
    days = memo.days;
  } else {
    for (const int i : {0, 1, 2, 3, 5, 6, 8, 9}) {
      if (!digit(p[i])) return false;
    }
    const unsigned month = two(p + 5);
    const unsigned day = two(p + 8);
    if (p[4] != '-' || p[7] != '-' || month < 1 || month > 12 || day < 1) return false;
    const unsigned year = two(p) * 100 + two(p + 2);
    const bool leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    const unsigned month_days = month == 2 ? 28 + leap : 30 + ((month + month / 8) % 2);
    if (day > month_days) return false;
    days = days_from_civil(year, month, day);
    memo = {load8(p), tail, days};
  }
  for (const int i : {11, 12, 14, 15, 17, 18}) {
    if (!digit(p[i])) return false;
  }
  const unsigned h = two(p + 11), m = two(p + 14), s = two(p + 17);
  if (h > 23 || m > 59 || s > 60) return false;
  seconds = days * 86400 + h * 3600 + m * 60 + s;
  return true;
}

// A cell of one or two digits as a number; -1 when blank; -2 otherwise.
int small(const uint8_t* p, size_t n) {
  if (n == 0) return -1;
  if (n == 1 && digit(p[0])) return p[0] - '0';
  if (n == 2 && digit(p[0]) && digit(p[1])) return static_cast<int>(two(p));
  return -2;
}

Week& week_of(int64_t days) {
  if (days != state.memo_days) {
    const int64_t monday_based = days + 3;  // 1970-01-01 was a Thursday
    const int64_t week = (monday_based >= 0 ? monday_based : monday_based - 6) / 7;
    if (state.weeks.empty()) state.first_week = week;
    if (week < state.first_week) {
      state.weeks.insert(state.weeks.begin(), static_cast<size_t>(state.first_week - week), Week{});
      state.first_week = week;
    }
    const auto at = static_cast<size_t>(week - state.first_week);
    if (at >= state.weeks.size()) state.weeks.resize(at + 1);
    state.memo_days = days;
    state.memo_week = at;
  }
  return state.weeks[state.memo_week];
}

// A record: its bytes from `record`, field k from starts[k] to starts[k + 1] − 1 (the delimiter).
void on_record(const uint8_t* record, const uint32_t* starts, unsigned fields) {
  if (!state.header_seen) {
    state.header_seen = true;
    state.header_ok = fields == kColumns && starts[kColumns] - 1 == sizeof kHeader - 1 &&
                      memcmp(record, kHeader, sizeof kHeader - 1) == 0;
    return;
  }
  ++state.rows;
  if (fields != kColumns) {
    ++state.unread;
    return;
  }
  auto cell = [&](unsigned k, const uint8_t*& p, size_t& n) {
    p = record + starts[k];
    n = starts[k + 1] - starts[k] - 1;
  };
  const uint8_t* p;
  size_t n;
  int64_t created, days, at, unused_days;
  cell(1, p, n);
  if (!parse_time(p, n, state.created, created, days)) {
    ++state.unread;
    return;
  }
  bool unread = false;
  Week& w = week_of(days);
  ++w.tickets;

  cell(2, p, n);
  if (n != 0) {
    if (!parse_time(p, n, state.replied, at, unused_days)) {
      unread = true;
    } else if (at >= created) {
      ++w.first_responses;
      w.first_response_seconds += at - created;
    }
  }
  cell(3, p, n);
  bool has_solved_at = false;
  int64_t solved_at = 0;
  if (n != 0) {
    has_solved_at = parse_time(p, n, state.solved, solved_at, unused_days);
    unread = unread || !has_solved_at;
  }
  // The statuses scripts/gen.mjs writes; any other is one this kernel does not know to be solved or
  // not.
  cell(4, p, n);
  const bool solved = n == 0
                          ? has_solved_at
                          : n == 6 && (memcmp(p, "Solved", 6) == 0 || memcmp(p, "Closed", 6) == 0);
  unread = unread || !(n == 0 || solved || (n == 4 && memcmp(p, "Open", 4) == 0) ||
                       (n == 7 && memcmp(p, "Pending", 7) == 0));
  if (solved) {
    if (has_solved_at && solved_at - created > int64_t{UINT32_MAX}) {
      unread = true;  // (kept as 32-bit seconds)
    } else if (has_solved_at && solved_at >= created) {
      w.resolution_seconds += solved_at - created;
      w.resolutions.push_back(static_cast<uint32_t>(solved_at - created));
    }
    cell(10, p, n);
    const int replies = small(p, n);
    cell(11, p, n);
    const int reopens = small(p, n);
    if (replies >= 0) {
      ++w.fcr_known;
      w.fcr_first += replies == 1 && reopens <= 0;
    }
    unread = unread || replies == -2 || reopens == -2;
  }
  cell(12, p, n);
  const int csat = small(p, n);
  if (csat >= 1 && csat <= 5) {
    ++w.csat_responses;
    w.csat_satisfied += csat >= 4;
  } else {
    unread = unread || csat != -1;
  }
  cell(13, p, n);
  const int nps = small(p, n);
  if (nps >= 0 && nps <= 10) {
    ++w.nps_answers;
    w.promoters += nps >= 9;
    w.detractors += nps <= 6;
  } else {
    unread = unread || nps != -1;
  }
  state.unread += unread;
}

// The records that end in [0, n) (n a multiple of 64, the scan starting at a record start outside
// quotes); returns where the last of them ended.
size_t scan(const uint8_t* data, size_t n) {
  const v128_t quote = wasm_i8x16_splat('"');
  const v128_t comma = wasm_i8x16_splat(',');
  const v128_t lf = wasm_i8x16_splat('\n');
  uint64_t inside = 0;  // all ones while inside quotes at a block's end
  size_t record = 0;
  uint32_t starts[kColumns + 1] = {0};
  unsigned field = 0;
  for (size_t at = 0; at < n; at += 64) {
    const uint8_t* block = data + at;
    uint64_t quotes = 0, ends = 0, lines = 0;
    for (unsigned k = 0; k < 4; ++k) {
      const v128_t v = wasm_v128_load(block + 16 * k);
      const v128_t is_lf = wasm_i8x16_eq(v, lf);
      quotes |= uint64_t{wasm_i8x16_bitmask(wasm_i8x16_eq(v, quote))} << (16 * k);
      ends |= uint64_t{wasm_i8x16_bitmask(wasm_v128_or(wasm_i8x16_eq(v, comma), is_lf))}
              << (16 * k);
      lines |= uint64_t{wasm_i8x16_bitmask(is_lf)} << (16 * k);
    }
    if (quotes != 0) {
      // Inside quotes: the prefix XOR of the quote bits, from the state at the block's start.
      uint64_t x = quotes;
      for (unsigned shift = 1; shift < 64; shift *= 2) x ^= x << shift;
      x ^= inside;
      ends &= ~x;
      lines &= ~x;
      inside = static_cast<uint64_t>(static_cast<int64_t>(x) >> 63);
    } else if (inside != 0) {
      continue;
    }
    while (ends != 0) {
      const uint64_t bit = ends & (0 - ends);
      const size_t end = at + static_cast<size_t>(__builtin_ctzll(ends));
      ends ^= bit;
      if (field < kColumns) starts[field + 1] = static_cast<uint32_t>(end + 1 - record);
      ++field;
      if ((lines & bit) != 0) {
        on_record(data + record, starts, field);
        record = end + 1;
        field = 0;
      }
    }
  }
  return record;
}

}  // namespace

extern "C" {

uint8_t* kernel_slice(unsigned b) {
  return buffers[b & 1] + kChunkBytes;
}
size_t kernel_chunk_bytes() {
  return kChunkBytes;
}

void kernel_reset() {
  state = State{};
}

// `bytes` new bytes (at most kernel_chunk_bytes()) were written at kernel_slice(b); 0 ends the file
// (a record left unended then, inside quotes, is counted unread). Returns false when more than a
// chunk of an unended record is held (a record of over 2 MiB: the kernel gives up).
bool kernel_feed(unsigned b, size_t bytes) {
  uint8_t* const data = buffers[b & 1] + kChunkBytes - state.held;
  size_t n = state.held + bytes;
  if (bytes == 0) {
    if (n != 0 && data[n - 1] != '\n') data[n++] = '\n';
    while (n % 64 != 0) data[n++] = ' ';  // after the last line end: never a record
  }
  const size_t done = scan(data, n - n % 64);
  state.held = n - done;
  if (bytes == 0) {
    // What is left is the padding after the last line end, or a record whose quotes never closed.
    const bool unended = std::any_of(data + done, data + n, [](uint8_t c) { return c != ' '; });
    state.rows += unended;
    state.unread += unended;
    state.held = 0;
    return true;
  }
  if (state.held > kChunkBytes) return false;
  memcpy(buffers[(b + 1) & 1] + kChunkBytes - state.held, data + done, state.held);
  return true;
}

// The weekly figures as text, a line per week from the first to the last with tickets (as the
// engine lists them): the week's Monday, tickets, CSAT, NPS, mean and median resolution hours, mean
// first response minutes, FCR ("null" for none). Then a line "rows R unread U header H". Returns
// the length written into `out`; `room` when the text did not fit.
size_t kernel_report(char* out, size_t room) {
  size_t len = 0;
  auto wrote = [&](int written) {
    if (written > 0) len = std::min(room, len + static_cast<size_t>(written));
  };
  auto figure = [&](bool known, double value) {
    wrote(known ? snprintf(out + len, room - len, " %.17g", value)
                : snprintf(out + len, room - len, " null"));
  };
  for (size_t i = 0; i < state.weeks.size(); ++i) {
    Week& w = state.weeks[i];
    const int64_t monday = (state.first_week + static_cast<int64_t>(i)) * 7 - 3;
    // The civil date of a day count (days_from_civil's inverse).
    const int64_t z = monday + 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const auto doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    const unsigned d = doy - (153 * mp + 2) / 5 + 1;
    const unsigned m = mp < 10 ? mp + 3 : mp - 9;
    const int64_t y = static_cast<int64_t>(yoe) + era * 400 + (m <= 2);
    wrote(snprintf(out + len, room - len, "%04lld-%02u-%02u %u", static_cast<long long>(y), m, d,
                   w.tickets));
    figure(w.csat_responses != 0, 100.0 * w.csat_satisfied / w.csat_responses);
    figure(w.nps_answers != 0,
           100.0 * (static_cast<double>(w.promoters) - w.detractors) / w.nps_answers);
    const size_t count = w.resolutions.size();
    figure(count != 0,
           static_cast<double>(w.resolution_seconds) / 3600.0 / static_cast<double>(count));
    // The median as the engine and DuckDB's median() give it: the two middle values of an even
    // count interpolated, in hours.
    double median = 0;
    if (count != 0) {
      const auto middle = w.resolutions.begin() + static_cast<std::ptrdiff_t>((count - 1) / 2);
      std::nth_element(w.resolutions.begin(), middle, w.resolutions.end());
      median = *middle / 3600.0;
      if (count % 2 == 0) {
        const double high = *std::min_element(middle + 1, w.resolutions.end()) / 3600.0;
        median += (high - median) * 0.5;
      }
    }
    figure(count != 0, median);
    figure(w.first_responses != 0,
           static_cast<double>(w.first_response_seconds) / 60.0 / w.first_responses);
    figure(w.fcr_known != 0, 100.0 * w.fcr_first / w.fcr_known);
    wrote(snprintf(out + len, room - len, "\n"));
  }
  wrote(snprintf(out + len, room - len, "rows %llu unread %llu header %d\n",
                 static_cast<unsigned long long>(state.rows),
                 static_cast<unsigned long long>(state.unread), state.header_ok ? 1 : 0));
  return len;
}

}  // extern "C"
