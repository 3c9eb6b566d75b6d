// A bump allocator for the bytes one log entry produces while it crosses the pipeline
// (unescaped parser values, sanitised names, formatted lines). Everything is released at once
// by Reset() before the next entry, so per-line work does not touch the heap once warm.
// Not thread-safe: one per StreamPipeline.
#pragma once

#include <cstring>
#include <memory>
#include <string_view>
#include <vector>

namespace sawmill::query::log {

class Arena {
 public:
  Arena() = default;
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;

  // Copies `s`; the view stays valid until Reset().
  std::string_view Copy(std::string_view s) {
    if (s.empty()) return {};
    char* p = Allocate(s.size());
    std::memcpy(p, s.data(), s.size());
    return {p, s.size()};
  }

  // Releases everything but keeps the first block for reuse.
  void Reset() {
    if (blocks_.size() > 1) blocks_.resize(1);
    pos_ = 0;
  }

 private:
  static constexpr size_t kBlockSize = 16 << 10;

  char* Allocate(size_t n) {
    if (blocks_.empty() || pos_ + n > blocks_.back().size) {
      size_t size = n > kBlockSize ? n : kBlockSize;
      blocks_.push_back(Block{std::make_unique<char[]>(size), size});
      pos_ = 0;
    }
    char* p = blocks_.back().data.get() + pos_;
    pos_ += n;
    return p;
  }

  struct Block {
    std::unique_ptr<char[]> data;
    size_t size;
  };
  std::vector<Block> blocks_;
  size_t pos_ = 0;
};

}  // namespace sawmill::query::log
