// read_ahead: two buffers in turn; the reader fills the one asked for, next() waits for the
// current one and asks for the other (the caller is done with it: it was the last slice given).
#include "read_ahead.h"

namespace kpilens::cli {

ReadAhead::ReadAhead(std::FILE* file, size_t slice_bytes)
    : file_(file),
      slice_bytes_(slice_bytes),
      buffers_{std::make_unique_for_overwrite<char[]>(slice_bytes),
               std::make_unique_for_overwrite<char[]>(slice_bytes)},
      reader_([this] { run(); }) {}

ReadAhead::~ReadAhead() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  changed_.notify_all();
  reader_.join();
}

void ReadAhead::run() {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    changed_.wait(lock, [this] { return stop_ || wanted_ >= 0; });
    if (stop_) return;
    const int b = wanted_;
    wanted_ = -1;
    lock.unlock();
    const size_t got = std::fread(buffers_[b].get(), 1, slice_bytes_, file_);
    lock.lock();
    got_[b] = got;
    filled_[b] = true;
    changed_.notify_all();
  }
}

std::string_view ReadAhead::next() {
  std::unique_lock<std::mutex> lock(mutex_);
  const int b = current_;
  changed_.wait(lock, [&] { return filled_[b]; });
  filled_[b] = false;
  const size_t got = got_[b];
  if (got == 0) {
    filled_[b] = true;  // the end stays the end: a later call returns it again, at once
    return {};
  }
  wanted_ = 1 - b;
  current_ = 1 - b;
  changed_.notify_all();
  return std::string_view(buffers_[b].get(), got);
}

}  // namespace kpilens::cli
