// wasm/cli/read_ahead: the slices it gives are the file's bytes in order, whatever the file's size
// against the slice's, from a file and from a pipe (standard input), and the end stays the end; a
// reader stopped before the end is taken down without waiting for the rest.
#include "read_ahead.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdio>
#include <random>
#include <string>
#include <thread>

#include <unistd.h>

namespace kpilens::cli {
namespace {

std::string random_bytes(size_t n) {
  std::mt19937_64 rng(n);
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>(rng());
  return s;
}

// Everything `file` gives through a ReadAhead of `slice` bytes; checks each slice is full but the
// last, and that the end is given again when asked again (CHECK, not REQUIRE: the pipe's writer
// thread must be joined whatever happens here).
std::string read_all(std::FILE* file, size_t slice) {
  ReadAhead reader(file, slice);
  std::string out;
  size_t last = slice;
  for (std::string_view bytes = reader.next(); !bytes.empty(); bytes = reader.next()) {
    CHECK(last == slice);  // only the last slice may be short
    CHECK(bytes.size() <= slice);
    last = bytes.size();
    out.append(bytes);
  }
  CHECK(reader.next().empty());
  return out;
}

TEST_CASE("read_ahead gives a file's bytes in order, whatever its size against the slice's") {
  const size_t slice = 4096;
  for (size_t size :
       {size_t{0}, size_t{1}, slice - 1, slice, slice + 1, 2 * slice, 7 * slice + 3}) {
    const std::string bytes = random_bytes(size);
    std::FILE* file = std::tmpfile();
    REQUIRE(file != nullptr);
    REQUIRE(std::fwrite(bytes.data(), 1, bytes.size(), file) == bytes.size());
    std::rewind(file);
    CHECK(read_all(file, slice) == bytes);
    CHECK(std::ferror(file) == 0);
    std::fclose(file);
  }
}

TEST_CASE("read_ahead reads a pipe written a piece at a time, as standard input comes") {
  int ends[2];
  REQUIRE(pipe(ends) == 0);
  const std::string bytes = random_bytes(300'000);
  bool written = true;  // (Catch2's checks are for the test's own thread)
  std::thread writer([&] {
    for (size_t at = 0; at < bytes.size(); at += 777) {
      const size_t n = std::min<size_t>(777, bytes.size() - at);
      written = written && write(ends[1], bytes.data() + at, n) == static_cast<ssize_t>(n);
    }
    close(ends[1]);
  });
  std::FILE* file = fdopen(ends[0], "rb");
  REQUIRE(file != nullptr);
  CHECK(read_all(file, 65536) == bytes);
  writer.join();
  CHECK(written);
  std::fclose(file);
}

TEST_CASE("read_ahead stopped before the end is taken down, having read one slice ahead at most") {
  const std::string bytes = random_bytes(100'000);
  std::FILE* file = std::tmpfile();
  REQUIRE(file != nullptr);
  REQUIRE(std::fwrite(bytes.data(), 1, bytes.size(), file) == bytes.size());
  std::rewind(file);
  {
    ReadAhead reader(file, 1000);
    CHECK(reader.next() == std::string_view(bytes).substr(0, 1000));
    CHECK(reader.next() == std::string_view(bytes).substr(1000, 1000));
  }
  // The reader read at most one slice ahead (the third, asked for by the second next(), unless it
  // was stopped first): the file goes on from there.
  const long at = std::ftell(file);
  CHECK((at == 2000 || at == 3000));
  std::fclose(file);
}

}  // namespace
}  // namespace kpilens::cli
