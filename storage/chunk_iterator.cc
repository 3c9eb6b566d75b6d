// The iterators of ChunkReader. Forward iteration decodes a block's ts section lazily, one
// entry per Next(), handing out views into the decompressed text; backward iteration decodes
// the whole ts section of a block into a small vector of offsets, then walks it in reverse.
// Section buffers are reused from block to block, so iterating allocates nothing per entry
// (and nothing per block once the buffers have grown to the largest block).
#include <algorithm>
#include <memory>
#include <utility>
#include <vector>

#include "storage/chunk_block.h"
#include "storage/chunk_reader.h"

namespace sawmill::storage {

namespace {

// One decoded entry of a block walked backwards; the metadata is what lies between the end
// of the line and the start of the next entry.
struct Slot {
  int64_t ts;
  uint32_t offset;  // of the line in the text section
  uint32_t line_len;
};

// Fetches a section of `b` from `source` (when the chunk's blocks are stored apart) and
// checks that it has the size the index records; its CRC is checked when it is loaded.
Status FetchSection(SectionSource* source, BlockLocation* b, bool text) {
  if (source == nullptr) return Status::OK();
  std::string_view v;
  SAW_RETURN_IF_ERROR(source->Load(b->block, text, &v));
  if (v.size() != (text ? b->text_size : b->ts_size)) {
    return BlockCorruption(*b, text ? "text section size differs from the index"
                                    : "ts section size differs from the index");
  }
  (text ? b->text_compressed : b->ts_compressed) = v;
  return Status::OK();
}

}  // namespace

class ChunkEntryIterator final : public EntryIterator {
 public:
  ChunkEntryIterator(Encoding ts_encoding, Encoding encoding, std::vector<BlockLocation> blocks,
                     std::unique_ptr<SectionSource> source, int64_t from_ns, int64_t to_ns,
                     Direction direction)
      : ts_encoding_(ts_encoding),
        encoding_(encoding),
        blocks_(std::move(blocks)),
        source_(std::move(source)),
        from_(from_ns),
        to_(to_ns),
        backward_(direction == Direction::kBackward) {}

  bool Next() override { return backward_ ? NextBackward() : NextForward(); }
  const EntryView& entry() const override { return entry_; }
  Status status() const override { return status_; }

 private:
  bool Fail(Status s) {
    status_ = std::move(s);
    done_ = true;
    return false;
  }
  bool FailBlock(std::string_view what) { return Fail(BlockCorruption(*block_, what)); }
  bool End() {
    done_ = true;
    return false;
  }

  bool NextForward();
  bool NextBackward();
  bool OpenBlockForward(BlockLocation& b);
  bool OpenBlockBackward(BlockLocation& b);

  const Encoding ts_encoding_;
  const Encoding encoding_;                // of the text sections
  std::vector<BlockLocation> blocks_;      // the ones intersecting [from_, to_), in order
  std::unique_ptr<SectionSource> source_;  // null when the sections are in the chunk
  const int64_t from_;
  const int64_t to_;
  const bool backward_;
  size_t blocks_done_ = 0;
  BlockLocation* block_ = nullptr;  // the open block
  bool done_ = false;
  Status status_;
  EntryView entry_;

  SectionBuffer ts_buf_;
  SectionBuffer text_buf_;
  // Forward: the lazily decoded block.
  TsCursor cursor_;
  const char* text_p_ = nullptr;
  const char* text_end_ = nullptr;
  // Backward: the fully decoded block.
  std::vector<Slot> slots_;
  size_t pos_ = 0;
  const char* text_ = nullptr;
  uint32_t text_size_ = 0;
};

bool ChunkEntryIterator::OpenBlockForward(BlockLocation& b) {
  block_ = &b;
  std::string_view ts_section, text;
  Status s = FetchSection(source_.get(), &b, false);
  if (s.ok()) s = LoadTsSection(ts_encoding_, b, &ts_buf_, &ts_section);
  if (!s.ok()) return Fail(std::move(s));
  if (!cursor_.Init(ts_section, b)) return FailBlock("bad ts section");
  s = FetchSection(source_.get(), &b, true);
  if (s.ok()) s = LoadTextSection(encoding_, b, &text_buf_, &text);
  if (!s.ok()) return Fail(std::move(s));
  text_p_ = text.data();
  text_end_ = text.data() + text.size();
  return true;
}

bool ChunkEntryIterator::NextForward() {
  if (done_) return false;
  for (;;) {
    if (cursor_.remaining() > 0) {
      int64_t ts;
      uint32_t line_len, meta_len;
      if (!cursor_.Next(&ts, &line_len) || !cursor_.NextMetadata(&meta_len)) {
        return FailBlock("bad ts section");
      }
      const size_t entry_len = size_t{line_len} + meta_len;
      if (entry_len > static_cast<size_t>(text_end_ - text_p_)) {
        return FailBlock("entry extends past the text section");
      }
      const char* line = text_p_;
      text_p_ += entry_len;
      if (ts < from_) continue;
      if (ts >= to_) return End();
      entry_.ts_ns = ts;
      entry_.line = std::string_view(line, line_len);
      entry_.metadata = std::string_view(line + line_len, meta_len);
      return true;
    }
    if (block_ != nullptr && (!cursor_.Finish(*block_, true) || text_p_ != text_end_)) {
      return FailBlock("block does not end where its index says");
    }
    if (blocks_done_ == blocks_.size()) return End();
    if (!OpenBlockForward(blocks_[blocks_done_++])) return false;
  }
}

bool ChunkEntryIterator::OpenBlockBackward(BlockLocation& b) {
  block_ = &b;
  std::string_view ts_section, text;
  Status s = FetchSection(source_.get(), &b, false);
  if (s.ok()) s = LoadTsSection(ts_encoding_, b, &ts_buf_, &ts_section);
  if (!s.ok()) return Fail(std::move(s));
  if (!cursor_.Init(ts_section, b)) return FailBlock("bad ts section");
  slots_.resize(b.num_entries);
  uint64_t offset = 0;
  for (Slot& slot : slots_) {
    uint32_t meta_len;
    if (!cursor_.Next(&slot.ts, &slot.line_len) || !cursor_.NextMetadata(&meta_len)) {
      return FailBlock("bad ts section");
    }
    slot.offset = static_cast<uint32_t>(offset);  // offset <= text_raw < 2^32, checked below
    offset += uint64_t{slot.line_len} + meta_len;
    if (offset > b.text_raw) return FailBlock("entry extends past the text section");
  }
  if (!cursor_.Finish(b, true) || offset != b.text_raw) {
    return FailBlock("block does not end where its index says");
  }
  s = FetchSection(source_.get(), &b, true);
  if (s.ok()) s = LoadTextSection(encoding_, b, &text_buf_, &text);
  if (!s.ok()) return Fail(std::move(s));
  text_ = text.data();
  text_size_ = static_cast<uint32_t>(text.size());
  pos_ = slots_.size();
  return true;
}

bool ChunkEntryIterator::NextBackward() {
  if (done_) return false;
  for (;;) {
    while (pos_ > 0) {
      const Slot& slot = slots_[--pos_];
      if (slot.ts >= to_) continue;
      if (slot.ts < from_) return End();
      const uint32_t end = pos_ + 1 < slots_.size() ? slots_[pos_ + 1].offset : text_size_;
      const uint32_t meta_start = slot.offset + slot.line_len;
      entry_.ts_ns = slot.ts;
      entry_.line = std::string_view(text_ + slot.offset, slot.line_len);
      entry_.metadata = std::string_view(text_ + meta_start, end - meta_start);
      return true;
    }
    if (blocks_done_ == blocks_.size()) return End();
    ++blocks_done_;
    if (!OpenBlockBackward(blocks_[blocks_.size() - blocks_done_])) return false;
  }
}

class ChunkSampleIterator final : public SampleIterator {
 public:
  // The text sections' encoding is not needed: they are never read.
  ChunkSampleIterator(Encoding ts_encoding, Encoding /*text_encoding*/,
                      std::vector<BlockLocation> blocks, std::unique_ptr<SectionSource> source,
                      int64_t from_ns, int64_t to_ns, Direction direction)
      : ts_encoding_(ts_encoding),
        blocks_(std::move(blocks)),
        source_(std::move(source)),
        from_(from_ns),
        to_(to_ns),
        backward_(direction == Direction::kBackward) {}

  bool Next() override { return backward_ ? NextBackward() : NextForward(); }
  int64_t ts_ns() const override { return ts_; }
  uint32_t line_size() const override { return line_size_; }
  Status status() const override { return status_; }

 private:
  bool Fail(Status s) {
    status_ = std::move(s);
    done_ = true;
    return false;
  }
  bool FailBlock(std::string_view what) { return Fail(BlockCorruption(*block_, what)); }
  bool End() {
    done_ = true;
    return false;
  }
  bool NextForward();
  bool NextBackward();
  // Loads the ts section of `b` into cursor_; the text section is never read.
  bool OpenBlock(BlockLocation& b);

  const Encoding ts_encoding_;
  std::vector<BlockLocation> blocks_;
  std::unique_ptr<SectionSource> source_;  // null when the sections are in the chunk
  const int64_t from_;
  const int64_t to_;
  const bool backward_;
  size_t blocks_done_ = 0;
  BlockLocation* block_ = nullptr;
  bool done_ = false;
  Status status_;
  int64_t ts_ = 0;
  uint32_t line_size_ = 0;

  SectionBuffer ts_buf_;
  TsCursor cursor_;
  std::vector<Slot> slots_;  // backward only; offset unused
  size_t pos_ = 0;
};

bool ChunkSampleIterator::OpenBlock(BlockLocation& b) {
  block_ = &b;
  std::string_view ts_section;
  Status s = FetchSection(source_.get(), &b, false);
  if (s.ok()) s = LoadTsSection(ts_encoding_, b, &ts_buf_, &ts_section);
  if (!s.ok()) return Fail(std::move(s));
  if (!cursor_.Init(ts_section, b)) return FailBlock("bad ts section");
  return true;
}

bool ChunkSampleIterator::NextForward() {
  if (done_) return false;
  for (;;) {
    if (cursor_.remaining() > 0) {
      int64_t ts;
      uint32_t line_len;
      if (!cursor_.Next(&ts, &line_len)) return FailBlock("bad ts section");
      if (ts < from_) continue;
      if (ts >= to_) return End();
      ts_ = ts;
      line_size_ = line_len;
      return true;
    }
    if (block_ != nullptr && !cursor_.Finish(*block_, false)) {
      return FailBlock("block does not end where its index says");
    }
    if (blocks_done_ == blocks_.size()) return End();
    if (!OpenBlock(blocks_[blocks_done_++])) return false;
  }
}

bool ChunkSampleIterator::NextBackward() {
  if (done_) return false;
  for (;;) {
    while (pos_ > 0) {
      const Slot& slot = slots_[--pos_];
      if (slot.ts >= to_) continue;
      if (slot.ts < from_) return End();
      ts_ = slot.ts;
      line_size_ = slot.line_len;
      return true;
    }
    if (blocks_done_ == blocks_.size()) return End();
    ++blocks_done_;
    if (!OpenBlock(blocks_[blocks_.size() - blocks_done_])) return false;
    slots_.resize(block_->num_entries);
    for (Slot& slot : slots_) {
      if (!cursor_.Next(&slot.ts, &slot.line_len)) return FailBlock("bad ts section");
    }
    if (!cursor_.Finish(*block_, false)) {
      return FailBlock("block does not end where its index says");
    }
    pos_ = slots_.size();
  }
}

// One batch per block: the whole ts section is decoded into entries_ (reused from block to
// block), then the text section is fetched and decompressed only if an entry is in range
// (without text: only if one of those has structured metadata).
class ChunkBatchIterator final : public BatchIterator {
 public:
  ChunkBatchIterator(Encoding ts_encoding, Encoding encoding, std::vector<BlockLocation> blocks,
                     std::unique_ptr<SectionSource> source, int64_t from_ns, int64_t to_ns,
                     bool with_text)
      : ts_encoding_(ts_encoding),
        encoding_(encoding),
        blocks_(std::move(blocks)),
        source_(std::move(source)),
        from_(from_ns),
        to_(to_ns),
        with_text_(with_text) {}

  bool Next() override;
  std::string_view text() const override { return text_; }
  std::span<const BatchEntry> entries() const override {
    return {entries_buf_.get(), num_entries_};
  }
  Status status() const override { return status_; }

 private:
  bool Fail(Status s) {
    status_ = std::move(s);
    done_ = true;
    return false;
  }
  bool FailBlock(const BlockLocation& b, std::string_view what) {
    return Fail(BlockCorruption(b, what));
  }

  const Encoding ts_encoding_;
  const Encoding encoding_;
  std::vector<BlockLocation> blocks_;
  std::unique_ptr<SectionSource> source_;
  const int64_t from_;
  const int64_t to_;
  const bool with_text_;
  size_t blocks_done_ = 0;
  bool done_ = false;
  Status status_;
  SectionBuffer ts_buf_;
  SectionBuffer text_buf_;
  // The current block's entries in range: entries_buf_[0, num_entries_), reused.
  std::unique_ptr<BatchEntry[]> entries_buf_;
  size_t entries_capacity_ = 0;
  size_t num_entries_ = 0;
  std::string_view text_;
};

bool ChunkBatchIterator::Next() {
  if (done_) return false;
  while (blocks_done_ < blocks_.size()) {
    BlockLocation& b = blocks_[blocks_done_++];
    std::string_view ts_section;
    Status s = FetchSection(source_.get(), &b, false);
    if (s.ok()) s = LoadTsSection(ts_encoding_, b, &ts_buf_, &ts_section);
    if (!s.ok()) return Fail(std::move(s));
    // The cursor and the output are locals: as members, every step would store them back
    // (the entries' stores may alias them), which was most of this loop's time.
    TsCursor cursor;
    if (!cursor.Init(ts_section, b)) return FailBlock(b, "bad ts section");
    if (b.num_entries > entries_capacity_) {
      entries_buf_ = std::make_unique_for_overwrite<BatchEntry[]>(b.num_entries);
      entries_capacity_ = b.num_entries;
    }
    BatchEntry* const out = entries_buf_.get();
    size_t n = 0;
    uint64_t offset = 0;
    bool any_metadata = false;  // among the entries in range
    const int64_t from = from_, to = to_;
    for (uint32_t k = 0; k < b.num_entries; ++k) {
      int64_t ts;
      uint32_t line_len, meta_len;
      if (!cursor.Next(&ts, &line_len) || !cursor.NextMetadata(&meta_len)) {
        return FailBlock(b, "bad ts section");
      }
      if (ts >= from && ts < to) {
        out[n++] = {ts, static_cast<uint32_t>(offset), line_len, meta_len};
        any_metadata |= meta_len > 0;
      }
      offset += uint64_t{line_len} + meta_len;
      if (offset > b.text_raw) return FailBlock(b, "entry extends past the text section");
    }
    if (!cursor.Finish(b, true) || offset != b.text_raw) {
      return FailBlock(b, "block does not end where its index says");
    }
    num_entries_ = n;
    if (n == 0) continue;
    if (!with_text_ && !any_metadata) {
      text_ = {};
      return true;
    }
    s = FetchSection(source_.get(), &b, true);
    if (s.ok()) s = LoadTextSection(encoding_, b, &text_buf_, &text_);
    if (!s.ok()) return Fail(std::move(s));
    return true;
  }
  done_ = true;
  return false;
}

namespace {

// The iterator of a reader whose blocks are elsewhere but that was given no source: every
// read is an error rather than a null dereference.
class MissingSource final : public SectionSource {
 public:
  Status Load(uint32_t, bool, std::string_view*) override {
    return Status::InvalidArgument("chunk blocks are stored apart but no source was given");
  }
};

}  // namespace

std::unique_ptr<EntryIterator> ChunkReader::NewIterator(
    int64_t from_ns, int64_t to_ns, Direction direction,
    std::unique_ptr<SectionSource> source) const {
  if (!split_)
    source = nullptr;
  else if (source == nullptr)
    source = std::make_unique<MissingSource>();
  return std::make_unique<ChunkEntryIterator>(ts_encoding_, encoding_, BlocksIn(from_ns, to_ns),
                                              std::move(source), from_ns, to_ns, direction);
}

std::unique_ptr<SampleIterator> ChunkReader::NewSampleIterator(
    int64_t from_ns, int64_t to_ns, Direction direction,
    std::unique_ptr<SectionSource> source) const {
  if (!split_)
    source = nullptr;
  else if (source == nullptr)
    source = std::make_unique<MissingSource>();
  return std::make_unique<ChunkSampleIterator>(ts_encoding_, encoding_, BlocksIn(from_ns, to_ns),
                                               std::move(source), from_ns, to_ns, direction);
}

std::unique_ptr<BatchIterator> ChunkReader::NewBatchIterator(int64_t from_ns, int64_t to_ns,
                                                             std::unique_ptr<SectionSource> source,
                                                             bool with_text,
                                                             Direction direction) const {
  if (!split_)
    source = nullptr;
  else if (source == nullptr)
    source = std::make_unique<MissingSource>();
  std::vector<BlockLocation> blocks = BlocksIn(from_ns, to_ns);
  if (direction == Direction::kBackward) std::reverse(blocks.begin(), blocks.end());
  return std::make_unique<ChunkBatchIterator>(ts_encoding_, encoding_, std::move(blocks),
                                              std::move(source), from_ns, to_ns, with_text);
}

}  // namespace sawmill::storage
