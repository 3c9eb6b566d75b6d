// Chunks stored as an index part plus one value per block section: reads fetch only the
// blocks they need (counted in StoreStats), a damaged or missing block value is a Corruption
// error, and a data directory of the older one-value-per-chunk layout is refused.
#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <map>
#include <string>
#include <vector>

#include "storage/chunk_builder.h"
#include "storage/chunk_reader.h"
#include "storage/keys.h"
#include "storage/kv_store.h"
#include "storage/store.h"
#include "tests/storage/store_test_util.h"

namespace sawmill::storage {
namespace {

using testing::Got;
using testing::ReadAll;
using testing::TempDir;
using testing::TestOptions;

constexpr int64_t kSec = 1000000000;
// 2026-11-20T00:00:00Z
constexpr int64_t kBase = 1795132800LL * kSec;
constexpr int kEntries = 2000;

StoreOptions SmallBlocks(const std::string& dir) {
  StoreOptions o = TestOptions(dir);
  o.chunk.block_target_bytes = 4096;  // ~40 entries per block, ~50 blocks per chunk
  return o;
}

std::string Line(int i) {
  return "entry " + std::to_string(i) + " level=info msg=\"something happened\" " +
         std::string(static_cast<size_t>(40 + i % 50), 'a' + static_cast<char>(i % 26));
}

// One stream of kEntries one second apart, flushed into a single chunk of many blocks.
std::unique_ptr<Store> OpenFilled(const StoreOptions& o, std::vector<Got>* want) {
  auto s = Store::Open(o);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  if (!s.ok()) return nullptr;
  std::unique_ptr<Store> store = std::move(s).value();
  std::vector<std::string> lines;
  for (int i = 0; i < kEntries; ++i) lines.push_back(Line(i));
  StreamWrite w{7, {}};
  for (int i = 0; i < kEntries; ++i) {
    w.entries.push_back({kBase + i * kSec, lines[i], {}});
    want->push_back({kBase + i * kSec, lines[i], ""});
  }
  WriteResult r;
  EXPECT_TRUE(store->Write("t", std::span<const StreamWrite>(&w, 1), &r).ok());
  EXPECT_TRUE(store->FlushAll().ok());
  EXPECT_EQ(store->Stats().chunks_flushed, 1u);
  return store;
}

struct Fetched {
  uint64_t blocks, texts, bytes;
};
Fetched Delta(const StoreStats& before, const StoreStats& after) {
  return {after.chunk_blocks_read - before.chunk_blocks_read,
          after.chunk_text_sections_read - before.chunk_text_sections_read,
          after.chunk_bytes_read - before.chunk_bytes_read};
}

// The key of the only chunk of the store.
std::string OnlyChunkKey(Store* store) {
  auto it =
      store->kv()->NewIterator(Column::kChunkIndex, std::string_view(), std::string(64, '\xff'));
  it->Seek(std::string_view());
  EXPECT_TRUE(it->Valid());
  return it->Valid() ? std::string(it->key()) : std::string();
}

TEST(StoreBlocksTest, ReadsOnlyTheBlocksItNeeds) {
  TempDir dir;
  std::vector<Got> want;
  auto store = OpenFilled(SmallBlocks(dir.path()), &want);
  ASSERT_NE(store, nullptr);

  // A whole read touches every block once.
  StoreStats s0 = store->Stats();
  EXPECT_EQ(ReadAll(store.get(), "t", 7), want);
  Fetched all = Delta(s0, store->Stats());
  EXPECT_GT(all.blocks, 20u);
  EXPECT_EQ(all.texts, all.blocks);

  // The newest entry, backward: one block (its ts and text sections), a small part of the
  // bytes of the chunk.
  s0 = store->Stats();
  {
    auto it = store->Read("t", 7, INT64_MIN, INT64_MAX, Direction::kBackward);
    ASSERT_TRUE(it.ok());
    ASSERT_TRUE((*it)->Next());
    EXPECT_EQ((*it)->entry().ts_ns, want.back().ts);
    EXPECT_EQ((*it)->entry().line, want.back().line);
  }
  Fetched newest = Delta(s0, store->Stats());
  EXPECT_EQ(newest.blocks, 1u);
  EXPECT_EQ(newest.texts, 1u);
  EXPECT_LT(newest.bytes * 10, all.bytes);

  // The oldest entry, forward: one block too.
  s0 = store->Stats();
  {
    auto it = store->Read("t", 7, INT64_MIN, INT64_MAX, Direction::kForward);
    ASSERT_TRUE(it.ok());
    ASSERT_TRUE((*it)->Next());
    EXPECT_EQ((*it)->entry().ts_ns, want.front().ts);
  }
  EXPECT_EQ(Delta(s0, store->Stats()).blocks, 1u);

  // A range in the middle: only the blocks that overlap it, both directions.
  const int64_t from = kBase + 1000 * kSec, to = kBase + 1010 * kSec;
  std::vector<Got> mid(want.begin() + 1000, want.begin() + 1010);
  for (Direction d : {Direction::kForward, Direction::kBackward}) {
    s0 = store->Stats();
    std::vector<Got> got = ReadAll(store.get(), "t", 7, from, to, d);
    if (d == Direction::kBackward) std::reverse(got.begin(), got.end());
    EXPECT_EQ(got, mid);
    Fetched f = Delta(s0, store->Stats());
    EXPECT_GE(f.blocks, 1u);
    EXPECT_LE(f.blocks, 2u);
  }

  // Samples fetch ts sections only.
  s0 = store->Stats();
  auto samples = store->ReadSamples("t", 7, INT64_MIN, INT64_MAX, Direction::kBackward);
  ASSERT_TRUE(samples.ok());
  size_t n = 0;
  while ((*samples)->Next()) ++n;
  EXPECT_TRUE((*samples)->status().ok());
  EXPECT_EQ(n, want.size());
  Fetched f = Delta(s0, store->Stats());
  EXPECT_EQ(f.blocks, all.blocks);
  EXPECT_EQ(f.texts, 0u);
  EXPECT_LT(f.bytes * 4, all.bytes);
}

// Reads every way; returns the first non-OK status (OK when all reads were clean).
Status ReadStatus(Store* store, int64_t from, int64_t to) {
  for (Direction d : {Direction::kForward, Direction::kBackward}) {
    auto it = store->Read("t", 7, from, to, d);
    if (!it.ok()) return it.status();
    while ((*it)->Next()) {
    }
    if (!(*it)->status().ok()) return (*it)->status();
  }
  return Status::OK();
}

Status SampleStatus(Store* store) {
  auto it = store->ReadSamples("t", 7, INT64_MIN, INT64_MAX, Direction::kForward);
  if (!it.ok()) return it.status();
  while ((*it)->Next()) {
  }
  return (*it)->status();
}

TEST(StoreBlocksTest, DamagedBlockValueIsCorruption) {
  TempDir dir;
  std::vector<Got> want;
  auto store = OpenFilled(SmallBlocks(dir.path()), &want);
  ASSERT_NE(store, nullptr);
  const std::string key = OnlyChunkKey(store.get());
  KvStore* kv = store->kv();
  const std::string text3 = ChunkSectionKey(key, 3, true);
  auto value = kv->Get(Column::kChunks, text3);
  ASSERT_TRUE(value.ok());
  const std::string original((*value)->data());
  value->reset();

  auto put = [&](const std::string& k, const std::string& v) {
    auto b = kv->NewBatch();
    b->Put(Column::kChunks, k, v);
    ASSERT_TRUE(kv->Write(b.get(), false).ok());
  };

  // One flipped byte in block 3's text: whole reads fail with Corruption; reads of the newest
  // entries and sample reads (no text) still work.
  std::string damaged = original;
  damaged[damaged.size() / 2] ^= 0x20;
  put(text3, damaged);
  Status st = ReadStatus(store.get(), INT64_MIN, INT64_MAX);
  EXPECT_TRUE(st.IsCorruption()) << st.ToString();
  EXPECT_NE(st.ToString().find("block 3"), std::string::npos) << st.ToString();
  EXPECT_TRUE(ReadStatus(store.get(), kBase + 1900 * kSec, INT64_MAX).ok());
  EXPECT_TRUE(SampleStatus(store.get()).ok());

  // A section of another size than the index records.
  put(text3, original.substr(0, original.size() - 1));
  st = ReadStatus(store.get(), INT64_MIN, INT64_MAX);
  EXPECT_TRUE(st.IsCorruption()) << st.ToString();

  // A missing section.
  {
    auto b = kv->NewBatch();
    b->Delete(Column::kChunks, text3);
    ASSERT_TRUE(kv->Write(b.get(), false).ok());
  }
  st = ReadStatus(store.get(), INT64_MIN, INT64_MAX);
  EXPECT_TRUE(st.IsCorruption()) << st.ToString();

  // Restored: clean again. Then a damaged ts section fails sample reads too.
  put(text3, original);
  EXPECT_TRUE(ReadStatus(store.get(), INT64_MIN, INT64_MAX).ok());
  const std::string ts5 = ChunkSectionKey(key, 5, false);
  value = kv->Get(Column::kChunks, ts5);
  ASSERT_TRUE(value.ok());
  std::string ts_damaged((*value)->data());
  value->reset();
  ts_damaged[0] ^= 1;
  put(ts5, ts_damaged);
  st = SampleStatus(store.get());
  EXPECT_TRUE(st.IsCorruption()) << st.ToString();

  // A damaged index part.
  value = kv->Get(Column::kChunks, key);
  ASSERT_TRUE(value.ok());
  std::string index((*value)->data());
  value->reset();
  index[9] ^= 4;
  put(key, index);
  st = ReadStatus(store.get(), INT64_MIN, INT64_MAX);
  EXPECT_TRUE(st.IsCorruption()) << st.ToString();
}

TEST(StoreBlocksTest, RetentionRemovesEveryBlockValue) {
  TempDir dir;
  std::vector<Got> want;
  StoreOptions o = SmallBlocks(dir.path());
  o.retention = std::chrono::hours(24);
  auto store = OpenFilled(o, &want);
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store
                  ->ApplyRetention(std::chrono::system_clock::time_point(
                      std::chrono::nanoseconds(kBase + 10 * 86400 * kSec)))
                  .ok());
  auto it = store->kv()->NewIterator(Column::kChunks, std::string_view(), std::string(64, '\xff'));
  it->Seek(std::string_view());
  EXPECT_FALSE(it->Valid());
  EXPECT_TRUE(ReadAll(store.get(), "t", 7).empty());
}

TEST(StoreBlocksTest, RefusesADirectoryOfTheOldLayout) {
  TempDir dir;
  {
    auto s = Store::Open(TestOptions(dir.path()));
    ASSERT_TRUE(s.ok());
    auto b = (*s)->kv()->NewBatch();
    b->Delete(Column::kMeta, "chunk_layout");  // as a store made before layouts were kept
    ASSERT_TRUE((*s)->kv()->Write(b.get(), true).ok());
    ASSERT_TRUE((*s)->Close().ok());
  }
  auto s = Store::Open(TestOptions(dir.path()));
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().ToString().find("older Sawmill"), std::string::npos)
      << s.status().ToString();
  // Reopening a store of the current layout works.
  TempDir other;
  { ASSERT_TRUE(Store::Open(TestOptions(other.path())).ok()); }
  EXPECT_TRUE(Store::Open(TestOptions(other.path())).ok());
}

// ChunkReader on its own: a split chunk read through a SectionSource gives what the whole
// chunk gives, and an index part whose blocks were left in is refused.
class MapSource final : public SectionSource {
 public:
  explicit MapSource(const std::vector<BlockSections>* blocks) : blocks_(blocks) {}
  Status Load(uint32_t block, bool text, std::string_view* out) override {
    if (block >= blocks_->size()) return Status::Corruption("no such block");
    *out = text ? (*blocks_)[block].text : (*blocks_)[block].ts;
    ++loads;
    return Status::OK();
  }
  int loads = 0;

 private:
  const std::vector<BlockSections>* blocks_;
};

TEST(StoreBlocksTest, SplitChunkReadsAsTheWholeChunk) {
  ChunkBuilder builder(ChunkOptions{.block_target_bytes = 1024});
  for (int i = 0; i < 500; ++i) ASSERT_TRUE(builder.Append(kBase + i, Line(i), "").ok());
  auto chunk = builder.Finish();
  ASSERT_TRUE(chunk.ok());
  std::string index;
  std::vector<BlockSections> blocks;
  ASSERT_TRUE(ChunkReader::Split(*chunk, &index, &blocks).ok());
  ASSERT_GT(blocks.size(), 10u);
  auto whole = ChunkReader::Open(*chunk);
  auto split = ChunkReader::OpenIndex(index);
  ASSERT_TRUE(whole.ok() && split.ok());
  EXPECT_EQ(split->num_entries(), 500u);
  EXPECT_FALSE(ChunkReader::OpenIndex(*chunk).ok());
  for (Direction d : {Direction::kForward, Direction::kBackward}) {
    auto a = whole->NewIterator(kBase + 100, kBase + 400, d);
    auto src = std::make_unique<MapSource>(&blocks);
    MapSource* counted = src.get();
    auto b = split->NewIterator(kBase + 100, kBase + 400, d, std::move(src));
    size_t n = 0;
    while (a->Next()) {
      ASSERT_TRUE(b->Next());
      EXPECT_EQ(a->entry().ts_ns, b->entry().ts_ns);
      EXPECT_EQ(a->entry().line, b->entry().line);
      ++n;
    }
    EXPECT_FALSE(b->Next());
    EXPECT_TRUE(a->status().ok() && b->status().ok());
    EXPECT_EQ(n, 300u);
    EXPECT_LT(counted->loads, static_cast<int>(2 * blocks.size()));
  }
  // Without a source, reads fail instead of crashing.
  auto none = split->NewIterator(INT64_MIN, INT64_MAX, Direction::kForward);
  EXPECT_FALSE(none->Next());
  EXPECT_FALSE(none->status().ok());
  // Every flipped bit of the index part is caught when opening it.
  for (size_t i = 0; i < index.size(); ++i) {
    std::string bad = index;
    bad[i] ^= 0x10;
    EXPECT_FALSE(ChunkReader::OpenIndex(bad).ok()) << i;
  }
}

// Every entry of ReadBatches' batches, with the line and metadata cut out of the batch text.
std::vector<Got> ReadAllBatches(Store* store, uint64_t stream, int64_t from, int64_t to,
                                size_t* batches = nullptr) {
  std::vector<Got> out;
  auto it = store->ReadBatches("t", stream, from, to);
  EXPECT_TRUE(it.ok()) << it.status().ToString();
  if (!it.ok()) return out;
  size_t n = 0;
  while ((*it)->Next()) {
    ++n;
    const std::string_view text = (*it)->text();
    EXPECT_FALSE((*it)->entries().empty());
    size_t prev_end = 0;
    for (const BatchEntry& e : (*it)->entries()) {
      EXPECT_GE(e.offset, prev_end);  // in text order, not overlapping
      prev_end = size_t{e.offset} + e.line_len + e.meta_len;
      EXPECT_LE(prev_end, text.size());
      if (prev_end > text.size()) return out;
      out.push_back({e.ts_ns, std::string(text.substr(e.offset, e.line_len)),
                     std::string(text.substr(size_t{e.offset} + e.line_len, e.meta_len))});
    }
  }
  EXPECT_TRUE((*it)->status().ok()) << (*it)->status().ToString();
  if (batches != nullptr) *batches = n;
  return out;
}

TEST(StoreBlocksTest, BatchesHoldTheEntriesReadReturns) {
  TempDir dir;
  std::vector<Got> want;
  auto store = OpenFilled(SmallBlocks(dir.path()), &want);
  ASSERT_NE(store, nullptr);
  struct Range {
    int64_t from, to;
  };
  const Range ranges[] = {{INT64_MIN, INT64_MAX},
                          {kBase + 100 * kSec, kBase + 101 * kSec},
                          {kBase + 5 * kSec, kBase + 1500 * kSec},
                          {kBase - 10 * kSec, kBase},
                          {kBase + kEntries * kSec, INT64_MAX}};
  for (const Range& r : ranges) {
    SCOPED_TRACE(std::to_string(r.from) + ".." + std::to_string(r.to));
    const StoreStats before = store->Stats();
    size_t batches = 0;
    const std::vector<Got> got = ReadAllBatches(store.get(), 7, r.from, r.to, &batches);
    // One batch per block with entries in range: each block's text section is fetched once,
    // and only for those blocks.
    EXPECT_EQ(Delta(before, store->Stats()).texts, batches);
    EXPECT_EQ(got, ReadAll(store.get(), "t", 7, r.from, r.to));
  }
  size_t batches = 0;
  EXPECT_EQ(ReadAllBatches(store.get(), 7, INT64_MIN, INT64_MAX, &batches), want);
  EXPECT_GT(batches, 10u);
}

TEST(StoreBlocksTest, BatchesOfOverlappingChunksAndHeadsMatchTheMerge) {
  TempDir dir;
  std::vector<Got> want;
  auto store = OpenFilled(SmallBlocks(dir.path()), &want);
  ASSERT_NE(store, nullptr);
  // A re-push of entries already flushed (duplicates the merge drops), entries between the
  // flushed ones, and entries with metadata, first flushed into a second overlapping chunk,
  // then left in the head.
  for (int round = 0; round < 2; ++round) {
    // EntryRef only views its line: the strings must outlive the Write (a deque's elements
    // never move).
    std::deque<std::string> lines;
    StreamWrite w{7, {}};
    for (int i = 10 + round; i < kEntries; i += 97) {
      // The same entry again, then one between two flushed ones.
      w.entries.push_back({kBase + i * kSec, lines.emplace_back(Line(i)), {}});
      w.entries.push_back({kBase + i * kSec + 1, lines.emplace_back("between " + std::to_string(i)),
                           "\x01\x01k\x01v"});
    }
    WriteResult r;
    ASSERT_TRUE(store->Write("t", std::span<const StreamWrite>(&w, 1), &r).ok());
    if (round == 0) {
      ASSERT_TRUE(store->FlushAll().ok());
    }
    const std::vector<Got> merged = ReadAll(store.get(), "t", 7);
    EXPECT_EQ(ReadAllBatches(store.get(), 7, INT64_MIN, INT64_MAX), merged);
    EXPECT_EQ(ReadAllBatches(store.get(), 7, kBase + 50 * kSec, kBase + 400 * kSec),
              ReadAll(store.get(), "t", 7, kBase + 50 * kSec, kBase + 400 * kSec));
  }
  // A later head that does not overlap: batches come from the chunks, then the head.
  StreamWrite w{7, {{kBase + (kEntries + 5) * kSec, "after", {}}}};
  WriteResult r;
  ASSERT_TRUE(store->Write("t", std::span<const StreamWrite>(&w, 1), &r).ok());
  EXPECT_EQ(ReadAllBatches(store.get(), 7, INT64_MIN, INT64_MAX), ReadAll(store.get(), "t", 7));
}

// ReadBatchesBackward's entries, each batch walked from its end; `null` set when it answered
// null (the caller's cue to read entry by entry).
std::vector<Got> ReadAllBatchesBackward(Store* store, uint64_t stream, int64_t from, int64_t to,
                                        bool* null, size_t* batches = nullptr) {
  std::vector<Got> out;
  auto it = store->ReadBatchesBackward("t", stream, from, to);
  EXPECT_TRUE(it.ok()) << it.status().ToString();
  *null = it.ok() && *it == nullptr;
  if (!it.ok() || *null) return out;
  size_t n = 0;
  int64_t newest_of_next = INT64_MAX;  // batches come newest first
  while ((*it)->Next()) {
    ++n;
    const std::string_view text = (*it)->text();
    const std::span<const BatchEntry> entries = (*it)->entries();
    EXPECT_FALSE(entries.empty());
    EXPECT_LE(entries.back().ts_ns, newest_of_next);
    newest_of_next = entries.front().ts_ns;
    for (size_t k = entries.size(); k-- > 0;) {
      const BatchEntry& e = entries[k];
      EXPECT_LE(size_t{e.offset} + e.line_len + e.meta_len, text.size());
      if (size_t{e.offset} + e.line_len + e.meta_len > text.size()) return out;
      out.push_back({e.ts_ns, std::string(text.substr(e.offset, e.line_len)),
                     std::string(text.substr(size_t{e.offset} + e.line_len, e.meta_len))});
    }
  }
  EXPECT_TRUE((*it)->status().ok()) << (*it)->status().ToString();
  if (batches != nullptr) *batches = n;
  return out;
}

TEST(StoreBlocksTest, BackwardBatchesHoldTheEntriesBackwardReadReturns) {
  TempDir dir;
  std::vector<Got> want;
  auto store = OpenFilled(SmallBlocks(dir.path()), &want);
  ASSERT_NE(store, nullptr);
  const std::pair<int64_t, int64_t> ranges[] = {{INT64_MIN, INT64_MAX},
                                                {kBase + 100 * kSec, kBase + 101 * kSec},
                                                {kBase + 5 * kSec, kBase + 1500 * kSec},
                                                {kBase - 10 * kSec, kBase}};
  for (auto [from, to] : ranges) {
    SCOPED_TRACE(std::to_string(from) + ".." + std::to_string(to));
    const StoreStats before = store->Stats();
    bool null = false;
    size_t batches = 0;
    const std::vector<Got> got = ReadAllBatchesBackward(store.get(), 7, from, to, &null, &batches);
    EXPECT_FALSE(null);
    EXPECT_EQ(Delta(before, store->Stats()).texts, batches);  // only blocks in range
    EXPECT_EQ(got, ReadAll(store.get(), "t", 7, from, to, Direction::kBackward));
  }
  // A second chunk after the first, with metadata on some entries: still blocks, newest
  // chunk first.
  std::deque<std::string> lines;
  StreamWrite w{7, {}};
  for (int i = kEntries; i < kEntries + 300; ++i) {
    w.entries.push_back({kBase + i * kSec, lines.emplace_back(Line(i)),
                         i % 7 == 0 ? std::string_view("\x01\x01k\x01v") : std::string_view()});
  }
  WriteResult r;
  ASSERT_TRUE(store->Write("t", std::span<const StreamWrite>(&w, 1), &r).ok());
  bool null = false;
  // In a head: no block path.
  EXPECT_TRUE(ReadAllBatchesBackward(store.get(), 7, INT64_MIN, INT64_MAX, &null).empty());
  EXPECT_TRUE(null);
  // A range that leaves the head out still has one.
  EXPECT_EQ(ReadAllBatchesBackward(store.get(), 7, INT64_MIN, kBase + kEntries * kSec, &null),
            ReadAll(store.get(), "t", 7, INT64_MIN, kBase + kEntries * kSec, Direction::kBackward));
  EXPECT_FALSE(null);
  ASSERT_TRUE(store->FlushAll().ok());
  size_t batches = 0;
  EXPECT_EQ(ReadAllBatchesBackward(store.get(), 7, INT64_MIN, INT64_MAX, &null, &batches),
            ReadAll(store.get(), "t", 7, INT64_MIN, INT64_MAX, Direction::kBackward));
  EXPECT_FALSE(null);
  EXPECT_GT(batches, 40u);
  // A re-push of a flushed entry makes a chunk that overlaps: the merge must dedupe, so null.
  StreamWrite again{7, {{kBase + 10 * kSec, lines.emplace_back(Line(10)), {}}}};
  ASSERT_TRUE(store->Write("t", std::span<const StreamWrite>(&again, 1), &r).ok());
  ASSERT_TRUE(store->FlushAll().ok());
  ReadAllBatchesBackward(store.get(), 7, INT64_MIN, INT64_MAX, &null);
  EXPECT_TRUE(null);
}

}  // namespace
}  // namespace sawmill::storage
