#include "storage/head.h"

#include <algorithm>
#include <cstring>

namespace sawmill::storage {
namespace {

// Arena blocks start small, so a quiet stream costs little, and grow to this size.
constexpr size_t kMinBlock = 1 << 10;
constexpr size_t kMaxBlock = 256 << 10;

bool TsLess(const Head::Entry& e, int64_t ts) { return e.ts_ns < ts; }
bool TsGreater(int64_t ts, const Head::Entry& e) { return ts < e.ts_ns; }

}  // namespace

char* Head::Allocate(size_t n) {
  if (blocks_.empty() || block_used_ + n > block_size_) {
    size_t size = blocks_.empty() ? kMinBlock : std::min(kMaxBlock, block_size_ * 2);
    size = std::max(size, n);
    blocks_.push_back(std::make_unique<char[]>(size));
    block_size_ = size;
    block_used_ = 0;
    arena_bytes_ += size;
  }
  char* p = blocks_.back().get() + block_used_;
  block_used_ += n;
  return p;
}

bool Head::Append(int64_t ts_ns, std::string_view line, std::string_view metadata) {
  auto pos = entries_.end();
  if (!entries_.empty() && ts_ns <= entries_.back().ts_ns) {
    // Not strictly after the newest entry: look for an identical entry, then insert after
    // every entry with the same timestamp (arrival order among ties).
    auto lo = std::lower_bound(entries_.begin(), entries_.end(), ts_ns, TsLess);
    pos = std::upper_bound(lo, entries_.end(), ts_ns, TsGreater);
    for (auto it = lo; it != pos; ++it) {
      if (it->line() == line) return false;
    }
  }
  char* data = Allocate(line.size() + metadata.size());
  if (!line.empty()) std::memcpy(data, line.data(), line.size());
  if (!metadata.empty()) std::memcpy(data + line.size(), metadata.data(), metadata.size());
  Entry e{ts_ns, data, static_cast<uint32_t>(line.size()), static_cast<uint32_t>(metadata.size())};
  if (pos == entries_.end()) {
    entries_.push_back(e);
  } else {
    entries_.insert(pos, e);
  }
  bytes_ += line.size() + metadata.size();
  return true;
}

size_t Head::memory_bytes() const {
  return arena_bytes_ + entries_.capacity() * sizeof(Entry) +
         records_.capacity() * sizeof(uint64_t) + blocks_.capacity() * sizeof(blocks_[0]) +
         sizeof(Head);
}

std::vector<Head::Entry> Head::Range(int64_t from_ns, int64_t to_ns) const {
  auto lo = std::lower_bound(entries_.begin(), entries_.end(), from_ns, TsLess);
  auto hi = std::lower_bound(lo, entries_.end(), to_ns, TsLess);
  return std::vector<Entry>(lo, hi);
}

namespace {

class HeadIterator final : public EntryIterator, public SampleIterator {
 public:
  HeadIterator(std::shared_ptr<const Head> head, std::vector<Head::Entry> entries,
               Direction direction)
      : head_(std::move(head)),
        entries_(std::move(entries)),
        backward_(direction == Direction::kBackward) {}

  bool Next() override {
    if (pos_ >= entries_.size()) return false;
    const Head::Entry& e = entries_[backward_ ? entries_.size() - 1 - pos_ : pos_];
    ++pos_;
    view_.ts_ns = e.ts_ns;
    view_.line = e.line();
    view_.metadata = e.metadata();
    return true;
  }
  const EntryView& entry() const override { return view_; }
  int64_t ts_ns() const override { return view_.ts_ns; }
  uint32_t line_size() const override { return static_cast<uint32_t>(view_.line.size()); }
  Status status() const override { return Status::OK(); }

 private:
  std::shared_ptr<const Head> head_;
  std::vector<Head::Entry> entries_;
  bool backward_;
  size_t pos_ = 0;
  EntryView view_;
};

}  // namespace

std::unique_ptr<EntryIterator> NewHeadIterator(std::shared_ptr<const Head> head,
                                               std::vector<Head::Entry> entries,
                                               Direction direction) {
  return std::make_unique<HeadIterator>(std::move(head), std::move(entries), direction);
}

std::unique_ptr<SampleIterator> NewHeadSampleIterator(std::shared_ptr<const Head> head,
                                                      std::vector<Head::Entry> entries,
                                                      Direction direction) {
  return std::make_unique<HeadIterator>(std::move(head), std::move(entries), direction);
}

}  // namespace sawmill::storage
