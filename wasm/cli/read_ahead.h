// read_ahead: a file read one slice ahead on a thread of its own, so that the next slice is read
// while the engine decodes this one (as the Node driver does with fs.read: node_engine.mjs
// feedFile; docs/architecture.md, "Reading while decoding"). The engine still runs on the
// caller's thread alone.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdio>
#include <memory>
#include <mutex>
#include <string_view>
#include <thread>

namespace kpilens::cli {

class ReadAhead {
 public:
  // Starts reading `file` (left open: the caller closes it, after this is gone) in slices of
  // `slice_bytes`.
  ReadAhead(std::FILE* file, size_t slice_bytes);
  ~ReadAhead();
  ReadAhead(const ReadAhead&) = delete;
  ReadAhead& operator=(const ReadAhead&) = delete;

  // The next slice, empty at the end of the file or at a read error (std::ferror says which once
  // this is gone); valid until the next call.
  std::string_view next();

 private:
  void run();

  std::FILE* file_;
  size_t slice_bytes_;
  // Not zero-filled: a page is first touched by the read that fills it, so a small file costs few.
  std::unique_ptr<char[]> buffers_[2];
  std::mutex mutex_;
  std::condition_variable changed_;
  int wanted_ = 0;  // the buffer the reader is to fill next (-1: none asked for)
  bool filled_[2] = {false, false};
  size_t got_[2] = {0, 0};
  int current_ = 0;  // the buffer next() returns next
  bool stop_ = false;
  std::thread reader_;  // last: it starts once the rest is ready
};

}  // namespace kpilens::cli
