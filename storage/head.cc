#include "storage/head.h"

#include <algorithm>
#include <cstring>

#include "storage/coding.h"

namespace sawmill::storage {
namespace {

// Arena blocks start small, so a quiet stream costs little, and each new block is a quarter
// of the arena so far (the arena grows by 1.25x: its unused tail is at most a fifth of it),
// between these sizes. With 100,000 streams of a few KB each, blocks doubling from 1 KiB left
// ~30 % of the arena unused. Blocks stop at 64 KiB so a large head's unused tail stays small.
constexpr size_t kMinBlock = 1 << 10;
constexpr size_t kMaxBlock = 64 << 10;

bool TsLess(const Head::Entry& e, int64_t ts) { return e.ts_ns < ts; }
bool TsGreater(int64_t ts, const Head::Entry& e) { return ts < e.ts_ns; }

}  // namespace

char* Head::Allocate(size_t n) {
  if (blocks_.empty() || block_used_ + n > block_size_) {
    size_t size = std::clamp(arena_bytes_ / 4, kMinBlock, kMaxBlock);
    size = std::max(size, n);
    blocks_.push_back(std::make_unique_for_overwrite<char[]>(size));  // no zero-fill
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
  if (entries_.size() == entries_.capacity()) {
    const size_t at = pos - entries_.begin();
    ReserveOne();
    pos = entries_.begin() + at;
  }
  if (pos == entries_.end()) {
    entries_.push_back(e);
  } else {
    entries_.insert(pos, e);
  }
  bytes_ += line.size() + metadata.size();
  return true;
}

void Head::PushBack(int64_t ts_ns, std::string_view line, std::string_view metadata) {
  char* data = Allocate(line.size() + metadata.size());
  if (!line.empty()) std::memcpy(data, line.data(), line.size());
  if (!metadata.empty()) std::memcpy(data + line.size(), metadata.data(), metadata.size());
  if (entries_.size() == entries_.capacity()) ReserveOne();
  entries_.push_back(
      {ts_ns, data, static_cast<uint32_t>(line.size()), static_cast<uint32_t>(metadata.size())});
  bytes_ += line.size() + metadata.size();
}

size_t Head::AppendAll(std::span<const EntryRef> batch) {
  bool sorted = true;
  for (size_t i = 1; i < batch.size() && sorted; ++i) {
    sorted = batch[i - 1].ts_ns <= batch[i].ts_ns;
  }
  if (!sorted || batch.empty() || entries_.empty() || batch.front().ts_ns > max_ts()) {
    size_t stored = 0;
    for (const EntryRef& e : batch) stored += Append(e.ts_ns, e.line, e.metadata) ? 1 : 0;
    return stored;
  }
  // The entries after the first new timestamp (equal ones stay before: they came earlier)
  // come off the table and go back in merged with the new ones; the table stays sorted, so
  // the entries with the timestamp of a new entry are always the last ones.
  auto pos = std::upper_bound(entries_.begin(), entries_.end(), batch.front().ts_ns, TsGreater);
  std::vector<Entry> tail(pos, entries_.end());
  entries_.erase(pos, entries_.end());
  size_t t = 0, stored = 0;
  auto put_back = [&](const Entry& e) {
    if (entries_.size() == entries_.capacity()) ReserveOne();
    entries_.push_back(e);
  };
  for (const EntryRef& e : batch) {
    while (t < tail.size() && tail[t].ts_ns <= e.ts_ns) put_back(tail[t++]);
    bool duplicate = false;
    for (auto it = entries_.rbegin(); it != entries_.rend() && it->ts_ns == e.ts_ns; ++it) {
      if (it->line() == e.line) {
        duplicate = true;
        break;
      }
    }
    if (duplicate) continue;
    PushBack(e.ts_ns, e.line, e.metadata);
    ++stored;
  }
  while (t < tail.size()) put_back(tail[t++]);
  return stored;
}

void Head::ReserveOne() {
  const size_t cap = entries_.capacity();
  entries_.reserve(cap + std::max<size_t>(cap / 2, 4));
}

void Head::AddRecord(uint64_t seq) {
  PutVarint64(&records_, ZigZagEncode(static_cast<int64_t>(seq - last_record_)));
  last_record_ = seq;
  max_record_ = std::max(max_record_, seq);
  min_record_ = num_records_ == 0 ? seq : std::min(min_record_, seq);
  ++num_records_;
}

std::vector<uint64_t> Head::records() const {
  std::vector<uint64_t> out;
  out.reserve(num_records_);
  std::string_view in = records_;
  uint64_t seq = 0, delta;
  while (GetVarint64(&in, &delta)) {
    seq += static_cast<uint64_t>(ZigZagDecode(delta));
    out.push_back(seq);
  }
  return out;
}

size_t Head::memory_bytes() const {
  // Capacity beyond the inline buffer of a short string is on the heap.
  const size_t records = records_.capacity() > 15 ? records_.capacity() + 1 : 0;
  return arena_bytes_ + entries_.capacity() * sizeof(Entry) + records +
         blocks_.capacity() * sizeof(blocks_[0]) + sizeof(Head);
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
