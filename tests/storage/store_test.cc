#include "storage/store.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <set>
#include <thread>
#include <tuple>

#include "storage/coding.h"
#include "storage/head_log.h"
#include "storage/keys.h"
#include "storage/kv_store.h"
#include "storage/metadata.h"
#include "storage/store_impl.h"
#include "tests/storage/store_test_util.h"

namespace sawmill::storage {
namespace {

using testing::Got;
using testing::InChild;
using testing::ReadAll;
using testing::TempDir;
using testing::TestOptions;

constexpr int64_t kSec = 1000000000;
constexpr int64_t kDay = 86400 * kSec;
// 2026-11-20T00:00:00Z
constexpr int64_t kBase = 1795132800LL * kSec;

Status WriteOne(Store* s, std::string_view tenant, uint64_t stream, int64_t ts,
                std::string_view line, WriteResult* r = nullptr) {
  WriteResult local;
  StreamWrite w{stream, {{ts, line, {}}}};
  return s->Write(tenant, std::span<const StreamWrite>(&w, 1), r ? r : &local);
}

std::unique_ptr<Store> OpenStore(const StoreOptions& o) {
  auto s = Store::Open(o);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return s.ok() ? std::move(s).value() : nullptr;
}

// One Write() of one entry for each of several streams: one head record.
struct OneEntry {
  uint64_t stream;
  int64_t ts;
  std::string line;
};
Status WriteStreams(Store* s, std::string_view tenant, const std::vector<OneEntry>& entries) {
  std::vector<StreamWrite> w;
  for (const OneEntry& e : entries) w.push_back({e.stream, {{e.ts, e.line, {}}}});
  WriteResult r;
  SAW_RETURN_IF_ERROR(s->Write(tenant, w, &r));
  if (!r.rejected.empty()) return Status::InvalidArgument("rejected");
  return Status::OK();
}

// The head records in kHead: tenant, seq, and (stream id, entries) per part.
struct HeadRecordRow {
  std::string tenant;
  uint64_t seq;
  std::vector<std::pair<uint64_t, size_t>> parts;
  bool operator==(const HeadRecordRow&) const = default;
};
std::ostream& operator<<(std::ostream& os, const HeadRecordRow& r) {
  os << r.tenant << "/" << r.seq << ":";
  for (auto& [id, n] : r.parts) os << " " << id << "x" << n;
  return os;
}
// The head records on disk, in kHead (stores made before the head log) and in the head log
// (dead ones too, until their segment is removed), in (tenant, seq) order.
std::vector<HeadRecordRow> HeadRecords(Store* store, const std::string& dir) {
  std::vector<HeadRecordRow> rows;
  auto it = store->kv()->NewIterator(Column::kHead, CutListKeysEnd(), std::string(64, '\xff'));
  std::string scratch;
  std::vector<RecordPart> parts;
  std::vector<EntryRef> entries;
  for (; it->Valid(); it->Next()) {
    std::string_view tenant;
    uint64_t id, seq;
    int layout = 0;
    EXPECT_TRUE(DecodeHeadKey(it->key(), &tenant, &id, &seq, &layout));
    EXPECT_EQ(layout, 3);
    HeadRecordRow row{std::string(tenant), seq, {}};
    EXPECT_TRUE(DecodeWriteRecord(it->value(), &scratch, &parts, &entries).ok());
    for (const RecordPart& p : parts) row.parts.push_back({p.stream_id, p.end - p.begin});
    rows.push_back(std::move(row));
  }
  const SourceDecoder decoder = testing::DecodeTestSource;
  DecodedSource decoded;
  auto log = HeadLog::Open(dir + "/headlog", 1 << 20);  // reads only: nothing is appended
  EXPECT_TRUE(log.ok()) << log.status().ToString();
  uint64_t torn = 0;
  EXPECT_TRUE((*log)
                  ->Replay(
                      [&](uint64_t, uint64_t seq, std::string_view tenant, std::string_view rec) {
                        HeadRecordRow row{std::string(tenant), seq, {}};
                        SAW_RETURN_IF_ERROR(
                            DecodeWriteRecord(rec, &decoder, &decoded, &scratch, &parts, &entries));
                        for (const RecordPart& p : parts) {
                          row.parts.push_back({p.stream_id, p.end - p.begin});
                        }
                        rows.push_back(std::move(row));
                        return Status::OK();
                      },
                      &torn)
                  .ok());
  EXPECT_EQ(torn, 0u);
  std::sort(rows.begin(), rows.end(), [](const HeadRecordRow& a, const HeadRecordRow& b) {
    return std::tie(a.tenant, a.seq) < std::tie(b.tenant, b.seq);
  });
  return rows;
}
std::vector<uint64_t> CutListIds(Store* store) {
  std::vector<uint64_t> ids;
  auto it = store->kv()->NewIterator(Column::kHead, std::string_view(), CutListKeysEnd());
  for (; it->Valid(); it->Next()) {
    uint64_t id;
    EXPECT_TRUE(DecodeCutListKey(it->key(), &id));
    ids.push_back(id);
  }
  return ids;
}
size_t CutLists(Store* store) { return CutListIds(store).size(); }

// Flushes every head and checks that no head record or cut list is left on disk.
void FlushAllLeavesNoRecords(Store* store, const std::string& dir) {
  ASSERT_TRUE(store->FlushAll().ok());
  EXPECT_TRUE(HeadRecords(store, dir).empty());
  EXPECT_EQ(CutLists(store), 0u);
}

// Entries through the sample path, which does not drop repeats.
size_t CountSamples(Store* store, std::string_view tenant, std::vector<uint64_t> streams) {
  size_t n = 0;
  for (uint64_t id : streams) {
    auto it = store->ReadSamples(tenant, id, INT64_MIN, INT64_MAX, Direction::kForward);
    EXPECT_TRUE(it.ok());
    if (!it.ok()) return 0;
    while ((*it)->Next()) ++n;
  }
  return n;
}

TEST(StoreTest, ReadsHeadAndChunksMergedInOrder) {
  TempDir dir;
  auto store = OpenStore(TestOptions(dir.path()));
  std::vector<Got> want;
  for (int i = 0; i < 100; ++i) {
    int64_t ts = kBase + i * kSec;
    std::string line = "line " + std::to_string(i);
    ASSERT_TRUE(WriteOne(store.get(), "t", 1, ts, line).ok());
    want.push_back({ts, line, ""});
    if (i == 40 || i == 70) {
      ASSERT_TRUE(store->FlushAll().ok());  // chunks + a head
    }
  }
  EXPECT_EQ(ReadAll(store.get(), "t", 1), want);
  std::vector<Got> back = ReadAll(store.get(), "t", 1, INT64_MIN, INT64_MAX, Direction::kBackward);
  std::reverse(back.begin(), back.end());
  EXPECT_EQ(back, want);
  // [from, to) is half-open on both sources.
  auto mid = ReadAll(store.get(), "t", 1, kBase + 30 * kSec, kBase + 80 * kSec);
  ASSERT_EQ(mid.size(), 50u);
  EXPECT_EQ(mid.front().ts, kBase + 30 * kSec);
  EXPECT_EQ(mid.back().ts, kBase + 79 * kSec);
  EXPECT_EQ(store->Stats().chunks_flushed, 2u);
}

TEST(StoreTest, SampleIteratorMatchesEntries) {
  TempDir dir;
  auto store = OpenStore(TestOptions(dir.path()));
  for (int i = 0; i < 50; ++i) {
    ASSERT_TRUE(WriteOne(store.get(), "t", 9, kBase + i, std::string(i + 1, 'x')).ok());
    if (i == 25) {
      ASSERT_TRUE(store->FlushAll().ok());
    }
  }
  auto it = store->ReadSamples("t", 9, kBase, kBase + 100, Direction::kBackward);
  ASSERT_TRUE(it.ok());
  int n = 50;
  while ((*it)->Next()) {
    --n;
    EXPECT_EQ((*it)->ts_ns(), kBase + n);
    EXPECT_EQ((*it)->line_size(), static_cast<uint32_t>(n + 1));
  }
  EXPECT_EQ(n, 0);
}

TEST(StoreTest, AcceptsOutOfOrderWithinWindowAndRejectsOlder) {
  TempDir dir;
  StoreOptions o = TestOptions(dir.path());
  o.out_of_order_window = std::chrono::hours(1);
  auto store = OpenStore(o);
  ASSERT_TRUE(WriteOne(store.get(), "t", 1, kBase, "newest").ok());
  StreamWrite w{1,
                {{kBase - 30 * 60 * kSec, "30m behind", {}},
                 {kBase - 2 * 3600 * kSec, "2h behind", {}},
                 {kBase - 1, "just behind", {}}}};
  WriteResult r;
  ASSERT_TRUE(store->Write("t", std::span<const StreamWrite>(&w, 1), &r).ok());
  EXPECT_EQ(r.accepted, 2u);
  ASSERT_EQ(r.rejected.size(), 1u);
  EXPECT_EQ(r.rejected[0].entry_index, 1u);
  EXPECT_TRUE(r.rejected[0].reason.IsInvalidArgument());
  EXPECT_NE(r.rejected[0].reason.message().find("entry too far behind"), std::string::npos);
  auto got = ReadAll(store.get(), "t", 1);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].line, "30m behind");
  EXPECT_EQ(got[1].line, "just behind");
  EXPECT_EQ(got[2].line, "newest");
}

TEST(StoreTest, WindowSurvivesFlushAndReopen) {
  TempDir dir;
  {
    auto store = OpenStore(TestOptions(dir.path()));
    ASSERT_TRUE(WriteOne(store.get(), "t", 1, kBase, "newest").ok());
    ASSERT_TRUE(store->Close().ok());
  }
  auto store = OpenStore(TestOptions(dir.path()));
  WriteResult r;
  ASSERT_TRUE(WriteOne(store.get(), "t", 1, kBase - 3 * 3600 * kSec, "too old", &r).ok());
  EXPECT_EQ(r.rejected.size(), 1u);
}

TEST(StoreTest, StoresIdenticalEntriesOnce) {
  TempDir dir;
  auto store = OpenStore(TestOptions(dir.path()));
  WriteResult r;
  ASSERT_TRUE(WriteOne(store.get(), "t", 1, kBase, "same", &r).ok());
  ASSERT_TRUE(WriteOne(store.get(), "t", 1, kBase, "same", &r).ok());
  EXPECT_EQ(r.duplicates, 1u);
  ASSERT_TRUE(WriteOne(store.get(), "t", 1, kBase, "other line, same ts").ok());
  ASSERT_TRUE(store->FlushAll().ok());
  // A re-push after the flush lands in the head; the read still returns it once.
  ASSERT_TRUE(WriteOne(store.get(), "t", 1, kBase, "same").ok());
  auto got = ReadAll(store.get(), "t", 1);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].line, "same");
  EXPECT_EQ(got[1].line, "other line, same ts");
}

TEST(StoreTest, MergeSkipsRepushedEntriesAcrossManySources) {
  TempDir dir;
  StoreOptions o = TestOptions(dir.path());
  o.chunk.block_target_bytes = 64;  // many blocks: a chunk iterator moves between buffers
  auto store = OpenStore(o);
  const std::string big(100, 'b');
  // Three sources (two chunks, one head) with entries at the same timestamps, re-pushed.
  for (int round = 0; round < 2; ++round) {
    StreamWrite w{1, {}};
    std::vector<std::string> lines;
    for (int i = 0; i < 20; ++i) lines.push_back(big + std::to_string(i % 5));
    for (int i = 0; i < 20; ++i) w.entries.push_back({kBase + i / 5, lines[i], {}});
    WriteResult r;
    ASSERT_TRUE(store->Write("t", std::span<const StreamWrite>(&w, 1), &r).ok());
    if (round < 2) {
      ASSERT_TRUE(store->FlushAll().ok());
    }
  }
  for (Direction d : {Direction::kForward, Direction::kBackward}) {
    auto got = ReadAll(store.get(), "t", 1, INT64_MIN, INT64_MAX, d);
    std::set<std::pair<int64_t, std::string>> unique;
    for (const Got& g : got) unique.insert({g.ts, g.line});
    EXPECT_EQ(got.size(), unique.size());
    EXPECT_EQ(got.size(), 20u);  // 4 timestamps x 5 distinct lines
  }
}

TEST(StoreTest, RejectsEntriesOverTheChunkLimitAndKeepsTheRest) {
  TempDir dir;
  auto store = OpenStore(TestOptions(dir.path()));
  std::string huge((16u << 20) + 1, 'h');
  StreamWrite w{1, {{kBase, huge, {}}, {kBase + 1, "fine", {}}}};
  WriteResult r;
  ASSERT_TRUE(store->Write("t", std::span<const StreamWrite>(&w, 1), &r).ok());
  ASSERT_EQ(r.rejected.size(), 1u);
  EXPECT_EQ(r.rejected[0].entry_index, 0u);
  ASSERT_TRUE(store->FlushAll().ok());
  EXPECT_EQ(ReadAll(store.get(), "t", 1).size(), 1u);
}

TEST(StoreTest, RefusesToOpenWithAnotherBucketWidth) {
  TempDir dir;
  StoreOptions o = TestOptions(dir.path());
  ASSERT_NE(OpenStore(o), nullptr);
  o.bucket = std::chrono::hours(1);
  auto s = Store::Open(o);
  ASSERT_FALSE(s.ok());
  EXPECT_TRUE(s.status().IsInvalidArgument());
}

TEST(StoreTest, KeepsTenantsApart) {
  TempDir dir;
  auto store = OpenStore(TestOptions(dir.path()));
  ASSERT_TRUE(WriteOne(store.get(), "a", 7, kBase, "tenant a").ok());
  ASSERT_TRUE(WriteOne(store.get(), "ab", 7, kBase, "tenant ab").ok());
  ASSERT_TRUE(store->FlushAll().ok());
  ASSERT_TRUE(WriteOne(store.get(), "a", 7, kBase + 1, "tenant a head").ok());
  auto a = ReadAll(store.get(), "a", 7);
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(a[0].line, "tenant a");
  auto ab = ReadAll(store.get(), "ab", 7);
  ASSERT_EQ(ab.size(), 1u);
  EXPECT_EQ(ab[0].line, "tenant ab");
  EXPECT_TRUE(ReadAll(store.get(), "b", 7).empty());
  WriteResult r;
  EXPECT_TRUE(
      WriteOne(store.get(), std::string_view("x\0y", 3), 1, kBase, "bad", &r).IsInvalidArgument());
}

TEST(StoreTest, KeepsMetadataAndSplitsChunksByBucket) {
  TempDir dir;
  auto store = OpenStore(TestOptions(dir.path()));
  std::string meta = EncodeMetadata({{"trace_id", "abc"}});
  StreamWrite w{3, {}};
  const std::string days[] = {"day0", "day1", "day2"};  // EntryRef only points at lines
  for (int d = 0; d < 3; ++d) {
    for (int i = 0; i < 3; ++i) w.entries.push_back({kBase + d * kDay + i, days[d], meta});
  }
  WriteResult r;
  ASSERT_TRUE(store->Write("t", std::span<const StreamWrite>(&w, 1), &r).ok());
  ASSERT_TRUE(store->FlushAll().ok());
  EXPECT_EQ(store->Stats().chunks_flushed, 3u);  // one per day bucket
  auto got = ReadAll(store.get(), "t", 3, kBase + kDay, kBase + 2 * kDay);
  ASSERT_EQ(got.size(), 3u);
  for (const Got& g : got) {
    EXPECT_EQ(g.line, "day1");
    EXPECT_EQ(g.metadata, meta);
  }
}

TEST(StoreTest, RecoversHeadFromWalAfterReopen) {
  TempDir dir;
  StoreOptions o = TestOptions(dir.path());
  {
    auto store = OpenStore(o);
    for (int i = 0; i < 10; ++i)
      ASSERT_TRUE(WriteOne(store.get(), "t", 1, kBase + i, "x" + std::to_string(i)).ok());
    // Close() flushes; reopening must not duplicate what the flush wrote.
    ASSERT_TRUE(store->Close().ok());
  }
  auto store = OpenStore(o);
  EXPECT_EQ(ReadAll(store.get(), "t", 1).size(), 10u);
  EXPECT_EQ(store->Stats().head_entries, 0u);
}

// Head keys are seq first (layout 2) since 2026-11-24; a data directory with records under the
// old layout (stream id first) still opens: they are replayed, rewritten under the new layout
// (so the flush, which deletes new keys, removes them), and their numbers are not reused.
TEST(StoreTest, ReplaysAndRewritesHeadRecordsOfTheOldKeyLayout) {
  TempDir dir;
  StoreOptions o = TestOptions(dir.path());
  {
    auto store = OpenStore(o);  // a store as an older version made it (same meta rows)
    ASSERT_TRUE(store->Close().ok());
  }
  {
    KvOptions ko;
    ko.path = dir.path();
    auto kv = KvStore::Open(ko);
    ASSERT_TRUE(kv.ok()) << kv.status().ToString();
    auto batch = (*kv)->NewBatch();
    auto record = [](int64_t ts, std::string_view line) {
      std::vector<EntryRef> entries = {{ts, line, {}}};
      return EncodeHeadRecord(entries, Encoding::kSnappy);
    };
    batch->Put(Column::kHead, LegacyHeadKey("t", 7, 100), record(kBase + 1, "seven a"));
    batch->Put(Column::kHead, LegacyHeadKey("t", 8, 101), record(kBase + 2, "eight"));
    batch->Put(Column::kHead, LegacyHeadKey("t", 7, 102), record(kBase + 3, "seven b"));
    batch->Put(Column::kHead, HeadKey("u", 9, 103), record(kBase + 4, "nine"));
    ASSERT_TRUE((*kv)->Write(batch.get(), true).ok());
    ASSERT_TRUE((*kv)->Close().ok());
  }
  {
    auto store = OpenStore(o);
    ASSERT_NE(store, nullptr);
    EXPECT_EQ(ReadAll(store.get(), "t", 7),
              (std::vector<Got>{{kBase + 1, "seven a", ""}, {kBase + 3, "seven b", ""}}));
    EXPECT_EQ(ReadAll(store.get(), "t", 8), (std::vector<Got>{{kBase + 2, "eight", ""}}));
    EXPECT_EQ(ReadAll(store.get(), "u", 9), (std::vector<Got>{{kBase + 4, "nine", ""}}));
    // Every record is now a layout-3 record of one stream under its old seq.
    EXPECT_EQ(HeadRecords(store.get(), dir.path()),
              (std::vector<HeadRecordRow>{{"t", 100, {{7, 1}}},
                                          {"t", 101, {{8, 1}}},
                                          {"t", 102, {{7, 1}}},
                                          {"u", 103, {{9, 1}}}}));
    // A new record gets a number past every replayed one.
    ASSERT_TRUE(WriteOne(store.get(), "t", 8, kBase + 5, "eight b").ok());
    auto rows = HeadRecords(store.get(), dir.path());
    ASSERT_EQ(rows.size(), 5u);
    EXPECT_EQ(rows[3], (HeadRecordRow{"t", 104, {{8, 1}}}));  // tenant, then seq order
    // The flushes cut every record, the converted ones included, and then delete them and
    // their cut lists.
    FlushAllLeavesNoRecords(store.get(), dir.path());
    ASSERT_TRUE(store->Close().ok());
  }
  auto store = OpenStore(o);
  EXPECT_EQ(ReadAll(store.get(), "t", 7).size(), 2u);
  EXPECT_EQ(ReadAll(store.get(), "t", 8).size(), 2u);
  EXPECT_EQ(ReadAll(store.get(), "u", 9).size(), 1u);
  EXPECT_EQ(store->Stats().head_entries, 0u);
}

// One Write() of several streams is one head record. Streams flushed at different times cut
// their own parts only; a crash (the child exits without closing the store) and recovery
// replay exactly the parts not yet in chunks, and the record goes when its last stream is
// flushed.
TEST(StoreTest, SharedRecordReplaysOnlyTheStreamsNotFlushedBeforeACrash) {
  TempDir dir;
  StoreOptions o = TestOptions(dir.path());
  InChild([&] {
    auto store = Store::Open(o);
    if (!store.ok()) return false;
    auto* impl = static_cast<StoreImpl*>(store->get());
    bool ok =
        WriteStreams(impl, "t", {{1, kBase + 1, "a1"}, {2, kBase + 1, "b1"}, {3, kBase + 1, "c1"}})
            .ok();
    ok = ok && impl->FlushStream("t", 1).ok();
    ok = ok && WriteStreams(impl, "t", {{2, kBase + 2, "b2"}, {3, kBase + 2, "c2"}}).ok();
    ok = ok && impl->FlushStream("t", 2).ok();
    // Stream 1 again, in a record of its own, flushed a second time.
    ok = ok && WriteStreams(impl, "t", {{1, kBase + 3, "a3"}, {3, kBase + 3, "c3"}}).ok();
    ok = ok && impl->FlushStream("t", 1).ok();
    ok = ok && WriteStreams(impl, "t", {{1, kBase + 4, "a4"}}).ok();
    (void)store->release();  // no Close(): a crash
    return ok;
  });
  {
    auto store = OpenStore(o);
    ASSERT_NE(store, nullptr);
    EXPECT_EQ(
        ReadAll(store.get(), "t", 1),
        (std::vector<Got>{{kBase + 1, "a1", ""}, {kBase + 3, "a3", ""}, {kBase + 4, "a4", ""}}));
    EXPECT_EQ(ReadAll(store.get(), "t", 2),
              (std::vector<Got>{{kBase + 1, "b1", ""}, {kBase + 2, "b2", ""}}));
    EXPECT_EQ(
        ReadAll(store.get(), "t", 3),
        (std::vector<Got>{{kBase + 1, "c1", ""}, {kBase + 2, "c2", ""}, {kBase + 3, "c3", ""}}));
    EXPECT_EQ(CountSamples(store.get(), "t", {1, 2, 3}), 8u);  // nothing twice
    // In the heads: c1, c2, c3 (stream 3 was never flushed) and a4.
    EXPECT_EQ(store->Stats().head_entries, 4u);
    // Every record is still needed by stream 3 or 1; recovery only counts the parts it replayed.
    auto rows = HeadRecords(store.get(), dir.path());
    ASSERT_EQ(rows.size(), 4u);
    EXPECT_EQ(rows[0].parts, (std::vector<std::pair<uint64_t, size_t>>{{1, 1}, {2, 1}, {3, 1}}));
    EXPECT_GE(CutLists(store.get()), 2u);
    // Stream 3's flush was the last one these records waited for; a4's record goes with 1's.
    ASSERT_TRUE(static_cast<StoreImpl*>(store.get())->FlushStream("t", 3).ok());
    FlushAllLeavesNoRecords(store.get(), dir.path());
    ASSERT_TRUE(store->Close().ok());
  }
  auto store = OpenStore(o);
  EXPECT_EQ(CountSamples(store.get(), "t", {1, 2, 3}), 8u);
  EXPECT_EQ(ReadAll(store.get(), "t", 3).size(), 3u);
  EXPECT_EQ(store->Stats().head_entries, 0u);
}

// Head records may be compressed in the head log (StoreOptions::head_record_encoding): with
// each encoding, a crash and recovery give back exactly what was acknowledged, and records
// big enough to compress are smaller on disk than the raw ones.
TEST(StoreTest, CompressedHeadRecordsReplayAfterACrash) {
  uint64_t raw_bytes = 0;
  for (Encoding e : {Encoding::kNone, Encoding::kSnappy, Encoding::kLz4, Encoding::kZstd}) {
    TempDir dir;
    StoreOptions o = TestOptions(dir.path());
    o.head_record_encoding = e;
    std::vector<Got> want;
    for (int i = 0; i < 200; ++i) {
      want.push_back({kBase + i, "line " + std::to_string(i) + " of a compressible record", ""});
    }
    InChild([&] {
      auto store = Store::Open(o);
      if (!store.ok()) return false;
      std::vector<OneEntry> entries;
      for (const Got& g : want) entries.push_back({1, g.ts, g.line});
      bool ok = WriteStreams(store->get(), "t", entries).ok();
      (void)store->release();  // no Close(): a crash
      return ok;
    });
    auto store = OpenStore(o);
    ASSERT_NE(store, nullptr);
    EXPECT_EQ(ReadAll(store.get(), "t", 1), want) << EncodingName(e);
    const uint64_t bytes = store->Stats().head_log_bytes;
    if (e == Encoding::kNone) {
      raw_bytes = bytes;
    } else {
      EXPECT_LT(bytes * 2, raw_bytes) << EncodingName(e);
    }
    FlushAllLeavesNoRecords(store.get(), dir.path());
  }
}

// A write with a WriteSource that keeps every entry has the source's body as its head record;
// one with a refused entry falls back to the entries it kept. After a crash both replay
// exactly what was acknowledged. Without the decoder, or with one that gives back other
// entries than were written, Open() fails and says why instead of replaying wrong entries.
TEST(StoreTest, SourceRecordsReplayAfterACrash) {
  TempDir dir;
  StoreOptions o = TestOptions(dir.path());
  constexpr int64_t kHour = 3600LL * 1000000000;
  const std::string meta = EncodeMetadata({{"trace_id", "abc"}});
  auto write = [](Store* store, const std::vector<StreamWrite>& w, WriteResult* r) {
    return testing::WriteWithTestSource(store, "t", w, r);
  };
  InChild([&] {
    auto store = Store::Open(o);
    if (!store.ok()) return false;
    WriteResult r;
    bool ok = write(store->get(),
                    {{1, {{kBase + 2 * kHour, "a1", meta}, {kBase + 2 * kHour + 1, "a2", {}}}},
                     {2, {{kBase + 5, "b1", {}}}}},
                    &r)
                  .ok() &&
              r.rejected.empty();
    // Stream 1's first entry is behind its out-of-order window: refused, the rest is kept.
    ok = ok &&
         write(store->get(),
               {{2, {{kBase + 6, "b2", {}}}},
                {1, {{kBase, "too old", {}}, {kBase + 2 * kHour + 2, "a3", {}}}}},
               &r)
             .ok() &&
         r.rejected.size() == 1 && r.rejected[0].stream_index == 1;
    (void)store->release();  // no Close(): a crash
    return ok;
  });
  // The first record is the body, the second the entries kept.
  { EXPECT_EQ(testing::HeadLogRecordKinds(dir.path()), (std::vector<uint8_t>{kSourceRecord, 0})); }
  StoreOptions without = o;
  without.source_decoder = nullptr;
  auto failed = Store::Open(without);
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.status().message().find("no decoder"), std::string::npos)
      << failed.status().ToString();
  StoreOptions wrong = o;
  wrong.source_decoder = [](uint8_t format, std::string_view body, DecodedSource* out) {
    SAW_RETURN_IF_ERROR(testing::DecodeTestSource(format, body, out));
    out->bytes.emplace_back("x2");
    out->streams[1][1].line = out->bytes.back();  // "a2" decodes as "x2"
    return Status::OK();
  };
  failed = Store::Open(wrong);
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.status().message().find("other entries than were written"), std::string::npos)
      << failed.status().ToString();

  auto store = OpenStore(o);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(ReadAll(store.get(), "t", 1), (std::vector<Got>{{kBase + 2 * kHour, "a1", meta},
                                                            {kBase + 2 * kHour + 1, "a2", ""},
                                                            {kBase + 2 * kHour + 2, "a3", ""}}));
  EXPECT_EQ(ReadAll(store.get(), "t", 2),
            (std::vector<Got>{{kBase + 5, "b1", ""}, {kBase + 6, "b2", ""}}));
  EXPECT_EQ(store->Stats().head_entries, 5u);
  FlushAllLeavesNoRecords(store.get(), dir.path());
  ASSERT_TRUE(store->Close().ok());
  store = OpenStore(o);
  EXPECT_EQ(CountSamples(store.get(), "t", {1, 2}), 5u);
}

// A source record whose streams are all in chunks is not decoded at recovery: a store holding
// only such records opens without the decoder, and nothing is replayed twice.
TEST(StoreTest, DeadSourceRecordsAreNotDecodedAtRecovery) {
  TempDir dir;
  StoreOptions o = TestOptions(dir.path());
  InChild([&] {
    auto store = Store::Open(o);
    if (!store.ok()) return false;
    auto* impl = static_cast<StoreImpl*>(store->get());
    const std::vector<StreamWrite> w = {{1, {{kBase + 1, "a1", {}}}}, {2, {{kBase + 2, "b1", {}}}}};
    WriteResult r;
    bool ok = testing::WriteWithTestSource(impl, "t", w, &r).ok();
    ok = ok && impl->FlushStream("t", 1).ok() && impl->FlushStream("t", 2).ok();
    (void)store->release();  // no Close(): a crash
    return ok;
  });
  StoreOptions without = o;
  without.source_decoder = nullptr;
  auto store = OpenStore(without);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(ReadAll(store.get(), "t", 1), (std::vector<Got>{{kBase + 1, "a1", ""}}));
  EXPECT_EQ(ReadAll(store.get(), "t", 2), (std::vector<Got>{{kBase + 2, "b1", ""}}));
  EXPECT_EQ(store->Stats().head_entries, 0u);
}

// A flush whose batch is not written changes no count: its entries go back to the live head
// with their records, the record stays until that stream's next (successful) flush, and
// recovery after a crash in between replays the stream's part.
TEST(StoreTest, FailedFlushKeepsTheSharedRecordForItsStream) {
  TempDir dir;
  StoreOptions o = TestOptions(dir.path());
  InChild([&] {
    auto store = Store::Open(o);
    if (!store.ok()) return false;
    auto* impl = static_cast<StoreImpl*>(store->get());
    bool ok = WriteStreams(impl, "t", {{1, kBase + 1, "a1"}, {2, kBase + 1, "b1"}}).ok();
    impl->FailFlushesForTest(1);
    ok = ok && !impl->FlushStream("t", 1).ok();
    ok = ok && impl->Stats().head_entries == 2;
    ok = ok && impl->FlushStream("t", 2).ok();
    (void)store->release();  // no Close(): a crash
    return ok;
  });
  {
    auto store = OpenStore(o);
    ASSERT_NE(store, nullptr);
    auto* impl = static_cast<StoreImpl*>(store.get());
    EXPECT_EQ(ReadAll(store.get(), "t", 1), (std::vector<Got>{{kBase + 1, "a1", ""}}));
    EXPECT_EQ(ReadAll(store.get(), "t", 2), (std::vector<Got>{{kBase + 1, "b1", ""}}));
    EXPECT_EQ(CountSamples(store.get(), "t", {1, 2}), 2u);
    EXPECT_EQ(store->Stats().head_entries, 1u);  // a1: its flush failed
    ASSERT_EQ(HeadRecords(store.get(), dir.path()).size(), 1u);
    // Once more, in one process: a failed flush, then one that works.
    impl->FailFlushesForTest(1);
    EXPECT_FALSE(impl->FlushStream("t", 1).ok());
    EXPECT_EQ(store->Stats().head_entries, 1u);
    EXPECT_EQ(HeadRecords(store.get(), dir.path()).size(), 1u);
    ASSERT_TRUE(impl->FlushStream("t", 1).ok());
    EXPECT_EQ(store->Stats().head_entries, 0u);
    EXPECT_EQ(CountSamples(store.get(), "t", {1, 2}), 2u);
    FlushAllLeavesNoRecords(store.get(), dir.path());  // writes the deletes
    ASSERT_TRUE(store->Close().ok());
  }
  auto store = OpenStore(o);
  EXPECT_EQ(CountSamples(store.get(), "t", {1, 2}), 2u);
  EXPECT_EQ(store->Stats().head_entries, 0u);
}

// Recovery deletes what nothing needs: a record whose every part a cut list names, cut lists
// whose records are all gone. It keeps a record one stream still needs, and its cut list.
TEST(StoreTest, RecoveryDeletesDeadRecordsAndCutLists) {
  TempDir dir;
  StoreOptions o = TestOptions(dir.path());
  {
    auto store = OpenStore(o);
    ASSERT_TRUE(store->Close().ok());
  }
  {
    KvOptions ko;
    ko.path = dir.path();
    auto kv = KvStore::Open(ko);
    ASSERT_TRUE(kv.ok()) << kv.status().ToString();
    auto batch = (*kv)->NewBatch();
    auto record = [](std::vector<std::pair<uint64_t, std::string>> parts) {
      std::vector<std::vector<EntryRef>> e;
      std::vector<RecordStream> streams;
      for (auto& [id, line] : parts) e.push_back({{kBase + 1, line, {}}});
      for (size_t i = 0; i < parts.size(); ++i) streams.push_back({parts[i].first, e[i]});
      std::string payload, out;
      EncodeWriteRecord(streams, Encoding::kSnappy, &payload, &out);
      return out;
    };
    // Record 10: both streams cut (dead). Record 11: stream 1 cut, stream 2 not.
    batch->Put(Column::kHead, HeadRecordKey("t", 10), record({{1, "dead 1"}, {2, "dead 2"}}));
    batch->Put(Column::kHead, HeadRecordKey("t", 11), record({{1, "cut 1"}, {2, "live 2"}}));
    const std::vector<uint64_t> s10 = {10}, s10_11 = {10, 11}, s5 = {5};
    batch->Put(Column::kHead, CutListKey(20), EncodeCutList(2, s10));
    batch->Put(Column::kHead, CutListKey(21), EncodeCutList(1, s10_11));
    batch->Put(Column::kHead, CutListKey(22), EncodeCutList(1, s5));  // record 5 is gone
    ASSERT_TRUE((*kv)->Write(batch.get(), true).ok());
    ASSERT_TRUE((*kv)->Close().ok());
  }
  {
    auto store = OpenStore(o);
    ASSERT_NE(store, nullptr);
    EXPECT_TRUE(ReadAll(store.get(), "t", 1).empty());
    EXPECT_EQ(ReadAll(store.get(), "t", 2), (std::vector<Got>{{kBase + 1, "live 2", ""}}));
    EXPECT_EQ(HeadRecords(store.get(), dir.path()),
              (std::vector<HeadRecordRow>{{"t", 11, {{1, 1}, {2, 1}}}}));
    EXPECT_EQ(CutListIds(store.get()), (std::vector<uint64_t>{21}));
    // New numbers come after every record and cut list seen.
    ASSERT_TRUE(WriteOne(store.get(), "t", 3, kBase + 2, "new").ok());
    EXPECT_EQ(HeadRecords(store.get(), dir.path()).back().seq, 23u);
    FlushAllLeavesNoRecords(store.get(), dir.path());
  }
  auto store = OpenStore(o);
  EXPECT_EQ(ReadAll(store.get(), "t", 2).size(), 1u);
  EXPECT_TRUE(ReadAll(store.get(), "t", 1).empty());
}

// A quiet stream that took one line of many writes holds all their records; past the record
// budget (kHeadLimitFactor x head_bytes_budget of records) FlushDue flushes the streams that
// hold the oldest records, although their heads are small and young.
TEST(StoreTest, FlushesStreamsHoldingOldRecordsPastTheRecordBudget) {
  TempDir dir;
  StoreOptions o = TestOptions(dir.path());
  o.chunk.encoding = Encoding::kNone;
  o.head_bytes_budget = 16 << 10;  // records: 128 KiB
  auto store = OpenStore(o);
  auto* impl = static_cast<StoreImpl*>(store.get());
  const std::string big(2000, 'b');
  for (int i = 0; i < 100; ++i) {
    ASSERT_TRUE(WriteStreams(impl, "t",
                             {{1, kBase + i, "q" + std::to_string(i)},
                              {2, kBase + i, big + std::to_string(i)}})
                    .ok());
    ASSERT_TRUE(impl->FlushStream("t", 2).ok());
  }
  EXPECT_EQ(store->Stats().head_entries, 100u);  // stream 1's
  EXPECT_EQ(HeadRecords(store.get(), dir.path()).size(), 100u);
  EXPECT_GT(store->Stats().head_log_bytes, 100u * 2000);
  ASSERT_TRUE(store->FlushDue().ok());
  EXPECT_EQ(store->Stats().head_entries, 0u);
  EXPECT_TRUE(HeadRecords(store.get(), dir.path()).empty());
  EXPECT_EQ(store->Stats().head_log_bytes, 0u);  // the segment went with its last record
  EXPECT_EQ(ReadAll(store.get(), "t", 1).size(), 100u);
  EXPECT_EQ(ReadAll(store.get(), "t", 2).size(), 100u);
  // Under the budget nothing is flushed early.
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(
        WriteStreams(impl, "t",
                     {{1, kBase + 200 + i, "r" + std::to_string(i)}, {2, kBase + 200 + i, big}})
            .ok());
    ASSERT_TRUE(impl->FlushStream("t", 2).ok());
  }
  ASSERT_TRUE(store->FlushDue().ok());
  EXPECT_EQ(store->Stats().head_entries, 10u);
}

// The store numbers tenants for its stream table; a tenant whose streams all left memory gives
// its number back, and the tenant that takes it next never sees the other's streams.
TEST(StoreTest, TenantsThatLeaveMemoryGiveTheirNumberToOthers) {
  TempDir dir;
  StoreOptions o = TestOptions(dir.path());
  o.chunk_idle = std::chrono::nanoseconds(0);  // FlushDue drops every flushed stream
  auto store = OpenStore(o);
  const uint64_t ids[] = {1};
  std::vector<bool> active;
  ASSERT_TRUE(WriteOne(store.get(), "a", 1, kBase, "a one").ok());
  EXPECT_EQ(store->ActiveStreams("a", ids, &active), 1u);
  EXPECT_TRUE(active[0]);
  ASSERT_TRUE(store->FlushDue().ok());  // flushes the idle head
  ASSERT_TRUE(store->FlushDue().ok());  // drops the stream, and tenant a's number
  EXPECT_EQ(store->ActiveStreams("a", ids, &active), 0u);
  EXPECT_FALSE(active[0]);
  ASSERT_TRUE(WriteOne(store.get(), "b", 1, kBase + 1, "b one").ok());
  EXPECT_EQ(store->ActiveStreams("a", ids, &active), 0u);
  EXPECT_FALSE(active[0]);
  EXPECT_EQ(store->ActiveStreams("b", ids, &active), 1u);
  EXPECT_TRUE(active[0]);
  ASSERT_TRUE(WriteOne(store.get(), "a", 1, kBase + 2, "a two").ok());
  EXPECT_EQ(store->ActiveStreams("a", ids, &active), 1u);
  EXPECT_EQ(ReadAll(store.get(), "a", 1),
            (std::vector<Got>{{kBase, "a one", ""}, {kBase + 2, "a two", ""}}));
  EXPECT_EQ(ReadAll(store.get(), "b", 1), (std::vector<Got>{{kBase + 1, "b one", ""}}));
  // The window of a dropped stream still holds: its newest timestamp was loaded again.
  WriteResult r;
  ASSERT_TRUE(WriteOne(store.get(), "a", 1, kBase + 2 - 2 * 3600 * kSec, "too old", &r).ok());
  EXPECT_EQ(r.rejected.size(), 1u);
  ASSERT_TRUE(store->FlushAll().ok());
  EXPECT_EQ(store->Stats().head_entries, 0u);
  EXPECT_EQ(ReadAll(store.get(), "b", 1).size(), 1u);
}

TEST(StoreTest, FlushesHeadAtTargetSizeInBackground) {
  TempDir dir;
  StoreOptions o = TestOptions(dir.path());
  o.background_threads = true;
  o.chunk_target_bytes = 64 << 10;
  auto store = OpenStore(o);
  std::string line(1000, 'a');
  for (int i = 0; i < 200; ++i)
    ASSERT_TRUE(WriteOne(store.get(), "t", 1, kBase + i, line + std::to_string(i)).ok());
  // Wait (bounded) for the flusher; the assertion is on the outcome, not on the time.
  for (int i = 0; i < 500 && store->Stats().chunks_flushed < 2; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_GE(store->Stats().chunks_flushed, 2u);
  EXPECT_EQ(ReadAll(store.get(), "t", 1).size(), 200u);
}

TEST(StoreTest, FlushesHeadsOfABlockOrMoreEarlyPastTheHeadBudget) {
  TempDir dir;
  StoreOptions o = TestOptions(dir.path());
  o.background_threads = true;
  o.chunk_target_bytes = 64 << 20;  // never reached here
  o.chunk.block_target_bytes = 4 << 10;
  o.head_bytes_budget = 64 << 10;
  auto store = OpenStore(o);
  ASSERT_TRUE(WriteOne(store.get(), "t", 2, kBase, "small").ok());  // under a block: stays
  std::string line(1000, 'a');
  for (int i = 0; i < 100; ++i)
    ASSERT_TRUE(WriteOne(store.get(), "t", 1, kBase + i, line + std::to_string(i)).ok());
  // Wait (bounded) for the flusher; the assertion is on the outcome, not on the time.
  for (int i = 0; i < 500 && store->Stats().chunks_flushed < 1; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_GE(store->Stats().chunks_flushed, 1u);
  EXPECT_LT(store->Stats().head_bytes, 64u << 10);
  EXPECT_GE(store->Stats().head_entries, 1u);  // the small stream's entry
  EXPECT_EQ(ReadAll(store.get(), "t", 1).size(), 100u);
  EXPECT_EQ(ReadAll(store.get(), "t", 2).size(), 1u);
}

// Without a flusher thread (as when it cannot keep up), heads queued past the budget would
// only grow; past 1.25x the budget each write cuts one queued head itself.
// Heads under a block stay past the budget, but not past kHeadLimitFactor times it: many small
// streams (100,000 of them held over 1 GiB after 20 s of push_load) get cut into small chunks.
TEST(StoreTest, FlushesSmallHeadsPastTheHardLimit) {
  TempDir dir;
  StoreOptions o = TestOptions(dir.path());
  o.background_threads = false;  // writers cut queued heads themselves: no timing involved
  o.chunk_target_bytes = 64 << 20;
  o.chunk.block_target_bytes = 64 << 10;  // never reached by one stream here
  o.head_bytes_budget = 16 << 10;
  const size_t limit = kHeadLimitFactor * o.head_bytes_budget;
  auto store = OpenStore(o);
  std::string line(200, 'a');
  std::vector<StreamWrite> writes(50);
  size_t max_memory = 0;
  for (int round = 0; round < 40; ++round) {
    for (size_t s = 0; s < writes.size(); ++s) {
      writes[s].stream_id = s + 1;
      writes[s].entries = {{kBase + round, line, {}}};
    }
    WriteResult r;
    ASSERT_TRUE(store->Write("t", writes, &r).ok());
    ASSERT_EQ(r.accepted, writes.size());
    max_memory = std::max<size_t>(max_memory, store->Stats().head_memory);
  }
  // 2,000 entries of 200 bytes: ~400 KB of lines, over three times the limit.
  EXPECT_GE(store->Stats().chunks_flushed, 1u);
  EXPECT_LT(max_memory, 2 * limit);
  for (size_t s = 1; s <= writes.size(); ++s) EXPECT_EQ(ReadAll(store.get(), "t", s).size(), 40u);
  // Under the limit nothing small is cut: a fresh store with a larger budget keeps every head.
  TempDir dir2;
  o.data_dir = dir2.path();
  o.head_bytes_budget = 1 << 20;
  auto roomy = OpenStore(o);
  for (int round = 0; round < 40; ++round) {
    for (size_t s = 0; s < writes.size(); ++s) writes[s].entries = {{kBase + round, line, {}}};
    WriteResult r;
    ASSERT_TRUE(roomy->Write("t", writes, &r).ok());
  }
  EXPECT_EQ(roomy->Stats().chunks_flushed, 0u);
}

TEST(StoreTest, WritersCutQueuedHeadsWhenTheFlusherIsBehind) {
  TempDir dir;
  StoreOptions o = TestOptions(dir.path());
  o.background_threads = false;  // nobody else flushes
  o.chunk_target_bytes = 64 << 20;
  o.chunk.block_target_bytes = 4 << 10;
  o.head_bytes_budget = 64 << 10;
  auto store = OpenStore(o);
  std::string line(1000, 'a');
  for (int i = 0; i < 400; ++i) {
    ASSERT_TRUE(WriteOne(store.get(), "t", 1 + i % 8, kBase + i, line + std::to_string(i)).ok());
  }
  EXPECT_GE(store->Stats().chunks_flushed, 1u);
  // 400 KB of lines were written; the heads hold about the budget and a write's worth.
  EXPECT_LT(store->Stats().head_memory, (64u << 10) * 2);
  size_t read = 0;
  for (uint64_t s = 1; s <= 8; ++s) read += ReadAll(store.get(), "t", s).size();
  EXPECT_EQ(read, 400u);
}

// Writers that help the flusher and FlushAll flush one stream at the same time; whichever
// batch is applied last must not record an older newest timestamp than an earlier one did,
// or a reopened store accepts entries outside the out-of-order window. A stress test of that
// invariant: the bad interleaving (a head sealed first, applied last, and no flush after it)
// is rare, and this test did not hit it in 5 runs of the code before the fix.
TEST(StoreTest, OverlappingFlushesRecordTheNewestTimestamp) {
  constexpr int64_t kMs = 1000000;
  for (int round = 0; round < 2; ++round) {
    TempDir dir;
    StoreOptions o = TestOptions(dir.path());
    o.background_threads = false;
    o.chunk.block_target_bytes = 4 << 10;
    o.head_bytes_budget = 16 << 10;
    int64_t newest = 0;
    {
      auto store = OpenStore(o);
      std::atomic<int> writing{4};
      std::vector<std::thread> threads;
      const std::string line(500, 'x');
      for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
          for (int b = 0; b < 40; ++b) {  // 40 writes of 10 entries
            StreamWrite w{1, {}};
            for (int i = b * 10; i < b * 10 + 10; ++i) {
              w.entries.push_back({kBase + (i * 4 + t) * kMs, line, {}});
            }
            WriteResult r;
            EXPECT_TRUE(store->Write("t", std::span<const StreamWrite>(&w, 1), &r).ok());
          }
          --writing;
        });
      }
      threads.emplace_back([&] {
        while (writing.load() > 0) EXPECT_TRUE(store->FlushAll().ok());
      });
      for (auto& th : threads) th.join();
      newest = kBase + (399 * 4 + 3) * kMs;
      ASSERT_TRUE(store->Close().ok());
    }
    auto store = OpenStore(o);
    WriteResult r;
    const int64_t window = o.out_of_order_window.count();
    ASSERT_TRUE(WriteOne(store.get(), "t", 1, newest - window - 1, "just too old", &r).ok());
    EXPECT_EQ(r.rejected.size(), 1u) << "round " << round;
    ASSERT_TRUE(WriteOne(store.get(), "t", 1, newest - window + 1, "just in", &r).ok());
    EXPECT_EQ(r.rejected.size(), 0u) << "round " << round;
  }
}

TEST(StoreTest, RetentionDeletesOldBucketsAndFreesDisk) {
  TempDir dir;
  StoreOptions o = TestOptions(dir.path());
  o.retention = std::chrono::hours(24 * 7);
  auto store = OpenStore(o);
  const int64_t now = kBase;
  uint64_t x = 88172645463325252ull;  // xorshift: lines that do not compress away
  for (int d = 10; d >= 0; --d) {
    StreamWrite w{1, {}};
    std::vector<std::string> lines;
    for (int i = 0; i < 2000; ++i) {
      std::string line;
      for (int k = 0; k < 25; ++k) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        line += std::to_string(x % 100000000);
      }
      lines.push_back(std::move(line));
    }
    for (int i = 0; i < 2000; ++i) w.entries.push_back({now - d * kDay + i * kSec, lines[i], {}});
    WriteResult r;
    ASSERT_TRUE(store->Write("t", std::span<const StreamWrite>(&w, 1), &r).ok());
    ASSERT_TRUE(store->FlushAll().ok());
    // Each day's chunks in blob files of their own, as days apart are on a server: what
    // retention frees is those files, which then hold nothing live.
    ASSERT_TRUE(store->kv()->FlushMemtables().ok());
  }
  // Another tenant's old data goes too.
  ASSERT_TRUE(WriteOne(store.get(), "u", 1, now - 9 * kDay, "old").ok());
  ASSERT_TRUE(store->FlushAll().ok());
  ASSERT_TRUE(store->kv()->FlushMemtables().ok());
  ASSERT_EQ(ReadAll(store.get(), "t", 1).size(), 11u * 2000);
  uint64_t before = store->DiskBytes();

  auto now_tp = std::chrono::system_clock::time_point(std::chrono::nanoseconds(now));
  ASSERT_TRUE(store->ApplyRetention(now_tp).ok());
  auto left = ReadAll(store.get(), "t", 1);
  ASSERT_FALSE(left.empty());
  // Cutoff is now - 7d; whole day buckets before the cutoff's bucket are gone.
  for (const Got& g : left) EXPECT_GE(g.ts, now - 7 * kDay);
  EXPECT_EQ(left.size(), 8u * 2000);
  EXPECT_TRUE(ReadAll(store.get(), "u", 1).empty());
  EXPECT_LT(store->DiskBytes(), before);
}

TEST(StoreTest, ConcurrentWritersGroupCommit) {
  TempDir dir;
  StoreOptions o = TestOptions(dir.path());
  o.background_threads = true;
  o.sync = SyncPolicy::kGroupCommit;
  auto store = OpenStore(o);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        EXPECT_TRUE(WriteOne(store.get(), "t", t, kBase + i, "entry").ok());
      }
    });
  }
  for (auto& t : threads) t.join();
  for (int t = 0; t < 4; ++t) EXPECT_EQ(ReadAll(store.get(), "t", t).size(), 200u);
  EXPECT_LT(store->Stats().syncs, 800u);  // writes shared fsyncs
}

// The head column's memtable is an unsorted vector (kv_store.cc): what is read back, from the
// memtable, from flushed files and after a reopen, must still be in key order, with deletes
// applied wherever the deleted key is.
TEST(KvStoreTest, HeadColumnReadsInKeyOrderFromMemtableAndFiles) {
  TempDir dir;
  KvOptions o;
  o.path = dir.path();
  o.block_cache_bytes = 8 << 20;
  o.write_buffer_bytes = 1 << 20;  // the head column's memtable is flushed every ~1 MiB
  auto key = [](uint64_t i) {
    std::string k = "t";
    k.push_back('\0');
    PutBigEndian64(&k, i * 0x9E3779B97F4A7C15ull);  // spread, written out of order
    return k;
  };
  const std::string value(2000, 'v');
  std::set<std::string> want;
  {
    auto kv = KvStore::Open(o);
    ASSERT_TRUE(kv.ok()) << kv.status().ToString();
    for (uint64_t i = 0; i < 3000; ++i) {
      auto batch = (*kv)->NewBatch();
      batch->Put(Column::kHead, key(i), value + std::to_string(i));
      // Delete an earlier key: some are still in the memtable, others in files by now.
      if (i % 3 == 0 && i > 0) batch->Delete(Column::kHead, key(i / 2));
      ASSERT_TRUE((*kv)->Write(batch.get(), false).ok());
      want.insert(key(i));
      if (i % 3 == 0 && i > 0) want.erase(key(i / 2));
    }
    auto check = [&](KvStore* store) {
      auto it = store->NewIterator(Column::kHead, std::string_view(), std::string(64, '\xff'));
      std::vector<std::string> got;
      for (; it->Valid(); it->Next()) got.emplace_back(it->key());
      EXPECT_TRUE(it->status().ok());
      EXPECT_EQ(got, std::vector<std::string>(want.begin(), want.end()));
    };
    check(kv->get());
    ASSERT_TRUE((*kv)->Close().ok());
    auto again = KvStore::Open(o);
    ASSERT_TRUE(again.ok()) << again.status().ToString();
    check(again->get());
    auto v = (*again)->Get(Column::kHead, key(2999));
    ASSERT_TRUE(v.ok());
    EXPECT_EQ((*v)->data(), value + "2999");
  }
}

}  // namespace
}  // namespace sawmill::storage
