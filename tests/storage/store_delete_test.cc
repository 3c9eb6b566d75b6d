// Store::RemoveEntries and CompactChunks: entries picked by a predicate leave the chunks
// (heads included), every other entry and stream stays, a rerun is a no-op, a kill in the
// middle of a pass leaves a store that opens and that a rerun finishes, and the removed
// bytes leave the files on disk.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "storage/keys.h"
#include "storage/kv_store.h"
#include "tests/storage/store_test_util.h"

namespace sawmill::storage {
namespace {

using testing::Got;
using testing::ReadAll;
using testing::TempDir;
using testing::TestOptions;

constexpr int64_t kHour = 3600LL * 1000 * 1000 * 1000;

void Put(Store* store, std::string_view tenant, uint64_t stream,
         const std::vector<std::pair<int64_t, std::string>>& entries) {
  StreamWrite w{stream, {}};
  for (const auto& [ts, line] : entries) w.entries.push_back({ts, line, {}});
  WriteResult result;
  ASSERT_TRUE(store->Write(tenant, {&w, 1}, &result).ok());
  ASSERT_TRUE(result.rejected.empty());
}

bool IsSecret(int64_t, std::string_view line, std::string_view) {
  return line.find("secret") != std::string_view::npos;
}

// Stream 1 of tenant "a": 40 entries over two day buckets, in three flushed heads and one
// unflushed; every 4th line is a secret. Stream 2 and tenant "b" hold secrets too.
struct Fixture {
  std::vector<Got> stream1, stream2, tenant_b;
  void Fill(Store* store) {
    const int64_t base = 1700000000LL * 1000000000;  // some day, 22:13 UTC
    for (int round = 0; round < 4; ++round) {
      std::vector<std::pair<int64_t, std::string>> e1, e2;
      for (int i = 0; i < 10; ++i) {
        const int n = round * 10 + i;
        const int64_t ts = base + n * kHour / 4;
        std::string line = (n % 4 == 0 ? "secret " : "public ") + std::to_string(n);
        e1.push_back({ts, line});
        e2.push_back({ts, "secret other stream " + std::to_string(n)});
      }
      Put(store, "a", 1, e1);
      Put(store, "a", 2, e2);
      Put(store, "b", 1, e1);
      for (auto& [ts, l] : e1) stream1.push_back({ts, l, ""});
      for (auto& [ts, l] : e2) stream2.push_back({ts, l, ""});
      if (round < 3) {
        ASSERT_TRUE(store->FlushAll().ok());
      }
    }
    tenant_b = stream1;
  }
};

std::vector<Got> Without(const std::vector<Got>& in, int64_t from, int64_t to) {
  std::vector<Got> out;
  for (const Got& g : in) {
    if (g.ts >= from && g.ts < to && IsSecret(g.ts, g.line, "")) continue;
    out.push_back(g);
  }
  return out;
}

// Rows of the chunk index for one stream.
size_t ChunkRows(Store* store, std::string_view tenant, uint64_t stream) {
  const std::string p = TenantPrefix(tenant);
  auto it = store->kv()->NewIterator(Column::kChunkIndex, p, PrefixEnd(p));
  size_t n = 0;
  for (; it->Valid(); it->Next()) {
    ChunkKey k;
    EXPECT_TRUE(DecodeChunkKey(tenant, it->key(), &k));
    if (k.stream_id == stream) ++n;
  }
  return n;
}

TEST(StoreDeleteTest, RemovesPickedEntriesOfOneStreamOnly) {
  TempDir dir;
  auto store = Store::Open(TestOptions(dir.path()));
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  Fixture f;
  f.Fill(store->get());

  // A range that cuts through the first bucket's chunks and the unflushed head.
  const int64_t from = f.stream1[5].ts, to = f.stream1[37].ts;
  RemoveStats stats;
  ASSERT_TRUE((*store)->RemoveEntries("a", 1, from, to, IsSecret, &stats).ok());
  EXPECT_EQ(ReadAll(store->get(), "a", 1), Without(f.stream1, from, to));
  EXPECT_EQ(stats.entries_removed, f.stream1.size() - Without(f.stream1, from, to).size());
  EXPECT_GT(stats.chunks_rewritten, 0u);
  EXPECT_EQ(ReadAll(store->get(), "a", 2), f.stream2);
  EXPECT_EQ(ReadAll(store->get(), "b", 1), f.tenant_b);

  // Again: nothing left to remove, nothing rewritten.
  RemoveStats again;
  ASSERT_TRUE((*store)->RemoveEntries("a", 1, from, to, IsSecret, &again).ok());
  EXPECT_EQ(again.entries_removed, 0u);
  EXPECT_EQ(again.chunks_rewritten + again.chunks_dropped, 0u);

  // And after a reopen (the rewritten chunks are durable, the index rows match them).
  ASSERT_TRUE((*store)->Close().ok());
  store->reset();
  store = Store::Open(TestOptions(dir.path()));
  ASSERT_TRUE(store.ok());
  EXPECT_EQ(ReadAll(store->get(), "a", 1), Without(f.stream1, from, to));
  std::vector<Got> in_range;
  for (const Got& g : Without(f.stream1, from, to)) {
    if (g.ts >= from && g.ts < to) in_range.insert(in_range.begin(), g);
  }
  EXPECT_EQ(ReadAll(store->get(), "a", 1, from, to, Direction::kBackward), in_range);
}

TEST(StoreDeleteTest, DropsChunksThatLoseEveryEntry) {
  TempDir dir;
  auto store = Store::Open(TestOptions(dir.path()));
  ASSERT_TRUE(store.ok());
  Fixture f;
  f.Fill(store->get());
  ASSERT_TRUE((*store)->FlushAll().ok());
  const size_t rows_before = ChunkRows(store->get(), "a", 2);
  const size_t other_rows = ChunkRows(store->get(), "a", 1);
  RemoveStats stats;
  // No predicate: every entry in range goes, and covered chunks are dropped unread.
  ASSERT_TRUE((*store)->RemoveEntries("a", 2, INT64_MIN, INT64_MAX, {}, &stats).ok());
  EXPECT_TRUE(ReadAll(store->get(), "a", 2).empty());
  EXPECT_EQ(stats.chunks_rewritten, 0u);
  EXPECT_EQ(stats.chunks_dropped, rows_before);
  EXPECT_EQ(stats.entries_removed, f.stream2.size());
  EXPECT_EQ(ChunkRows(store->get(), "a", 2), 0u);
  EXPECT_EQ(ChunkRows(store->get(), "a", 1), other_rows);
  EXPECT_EQ(ReadAll(store->get(), "a", 1), f.stream1);

  // A predicate that takes everything over part of the range: only that part goes.
  auto all = [](int64_t, std::string_view, std::string_view) { return true; };
  const int64_t from = f.tenant_b[10].ts, to = f.tenant_b[20].ts;
  RemoveStats part;
  ASSERT_TRUE((*store)->RemoveEntries("b", 1, from, to, all, &part).ok());
  std::vector<Got> want = f.tenant_b;
  want.erase(want.begin() + 10, want.begin() + 20);
  EXPECT_EQ(ReadAll(store->get(), "b", 1), want);
  EXPECT_EQ(part.entries_removed, 10u);
}

// The child removes secrets from a store of many chunks and is killed in the middle of
// the pass; the store must open, lose no kept entry, and a rerun must finish the job.
TEST(StoreDeleteTest, KillDuringPassThenRerunFinishes) {
  for (int kill_after : {1, 4, 9}) {
    SCOPED_TRACE(kill_after);
    TempDir dir;
    std::vector<Got> all;
    {
      StoreOptions o = TestOptions(dir.path());
      auto store = Store::Open(o);
      ASSERT_TRUE(store.ok());
      for (int c = 0; c < 12; ++c) {  // 12 chunks of 50 entries
        std::vector<std::pair<int64_t, std::string>> e;
        for (int i = 0; i < 50; ++i) {
          const int n = c * 50 + i;
          e.push_back({1000 + n, (n % 3 == 0 ? "secret " : "kept ") + std::to_string(n)});
        }
        Put(store->get(), "t", 7, e);
        ASSERT_TRUE((*store)->FlushAll().ok());
        for (auto& [ts, l] : e) all.push_back({ts, l, ""});
      }
    }
    int pipefd[2];
    ASSERT_EQ(pipe(pipefd), 0);
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      close(pipefd[0]);
      auto store = Store::Open(TestOptions(dir.path()));
      if (!store.ok()) _exit(2);
      int calls = 0;
      RemoveStats stats;
      auto pred = [&](int64_t ts, std::string_view line, std::string_view m) {
        // 50 calls per chunk: the first call on chunk `kill_after` comes after the batches
        // of the chunks before it were written. From there on the pass crawls until killed.
        if (++calls == kill_after * 50 + 1) {
          char b = 'k';
          (void)!write(pipefd[1], &b, 1);
        }
        if (calls > kill_after * 50) usleep(2000);
        return IsSecret(ts, line, m);
      };
      (void)(*store)->RemoveEntries("t", 7, INT64_MIN, INT64_MAX, pred, &stats);
      _exit(0);
    }
    close(pipefd[1]);
    char b;
    ASSERT_EQ(read(pipefd[0], &b, 1), 1);
    kill(pid, SIGKILL);
    int wstatus = 0;
    waitpid(pid, &wstatus, 0);
    close(pipefd[0]);
    ASSERT_TRUE(WIFSIGNALED(wstatus));

    auto store = Store::Open(TestOptions(dir.path()));
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    std::vector<Got> got = ReadAll(store->get(), "t", 7);
    std::vector<Got> expected = Without(all, INT64_MIN, INT64_MAX);
    // Every kept entry is there once; secrets are there or not, chunk by chunk.
    std::vector<Got> kept_got;
    for (const Got& g : got) {
      if (!IsSecret(g.ts, g.line, "")) kept_got.push_back(g);
    }
    EXPECT_EQ(kept_got, expected);
    EXPECT_LT(got.size(), all.size()) << "the kill came after some chunk was rewritten";

    RemoveStats stats;
    ASSERT_TRUE((*store)->RemoveEntries("t", 7, INT64_MIN, INT64_MAX, IsSecret, &stats).ok());
    EXPECT_EQ(ReadAll(store->get(), "t", 7), expected);
  }
}

std::string SlurpDir(const std::string& dir) {
  std::string all;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (!e.is_regular_file()) continue;
    std::ifstream in(e.path(), std::ios::binary);
    all.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  return all;
}

// With uncompressed chunks and head records, the removed line's bytes are in the files until
// the pass, and in none of them after RemoveEntries + CompactChunks + Close.
TEST(StoreDeleteTest, RemovedBytesLeaveTheDisk) {
  TempDir dir;
  StoreOptions o = TestOptions(dir.path());
  o.chunk.encoding = Encoding::kNone;
  const std::string needle = "needle-4f1c9e-private-data";
  const std::string big = "world " + std::string(3000, 'w');
  {
    auto store = Store::Open(o);
    ASSERT_TRUE(store.ok());
    // Older blob files, so that the one written next is not among the oldest half that
    // blob garbage collection relocates on its own.
    for (int i = 0; i < 6; ++i) {
      Put(store->get(), "z", 1, {{1000 + i, big}});
      ASSERT_TRUE((*store)->FlushAll().ok());
      ASSERT_TRUE((*store)->kv()->FlushMemtables().ok());
    }
    // A 3 KB line makes the text section big enough (>= 1 KiB) to live in a blob file.
    Put(store->get(), "t", 1, {{100, "hello"}, {200, needle}, {300, big}});
    // Another tenant's chunk flushed with it shares its blob file and keeps that file alive
    // after the range compaction: only the blob file rewrite removes the needle from it.
    Put(store->get(), "u", 1, {{100, big}});
    ASSERT_TRUE((*store)->FlushAll().ok());
    Put(store->get(), "t", 1, {{400, needle + " again"}, {500, "bye"}});
    ASSERT_TRUE((*store)->kv()->FlushMemtables().ok());
    ASSERT_NE(SlurpDir(dir.path()).find(needle), std::string::npos) << "test premise";
    bool blob = false;
    for (const auto& e : std::filesystem::directory_iterator(dir.path())) {
      blob = blob || e.path().extension() == ".blob";
    }
    ASSERT_TRUE(blob) << "test premise: the first chunk's text section is in a blob file";
    auto pred = [&](int64_t, std::string_view line, std::string_view) {
      return line.find(needle) != std::string_view::npos;
    };
    RemoveStats stats;
    ASSERT_TRUE((*store)->RemoveEntries("t", 1, 0, 1000, pred, &stats).ok());
    EXPECT_EQ(stats.entries_removed, 2u);
    ASSERT_TRUE((*store)->CompactChunks("t", 0, 1000, /*rewrite_blob_files=*/true).ok());
    EXPECT_EQ(ReadAll(store->get(), "t", 1),
              (std::vector<Got>{{100, "hello", ""}, {300, big, ""}, {500, "bye", ""}}));
    EXPECT_EQ(ReadAll(store->get(), "u", 1), (std::vector<Got>{{100, big, ""}}));
    ASSERT_TRUE((*store)->Close().ok());
  }
  EXPECT_EQ(SlurpDir(dir.path()).find(needle), std::string::npos);
}

// A head record holds every stream of its write: removing a line of one stream flushes the
// other streams of the records that held it, so the record is deleted and its bytes leave the
// disk too, while the other streams keep every entry.
TEST(StoreDeleteTest, RemovedBytesLeaveTheDiskWhenTheirRecordIsShared) {
  TempDir dir;
  StoreOptions o = TestOptions(dir.path());
  o.chunk.encoding = Encoding::kNone;
  const std::string needle = "needle-7d2a0b-shared-record";
  {
    auto store = Store::Open(o);
    ASSERT_TRUE(store.ok());
    const std::string other = "other stream " + std::string(600, 'o');
    std::vector<StreamWrite> w = {{1, {{100, "hello", {}}, {200, needle, {}}}},
                                  {2, {{100, other, {}}}},
                                  {3, {{150, "third", {}}}}};
    WriteResult r;
    ASSERT_TRUE((*store)->Write("t", w, &r).ok());
    ASSERT_TRUE((*store)->kv()->FlushMemtables().ok());
    ASSERT_NE(SlurpDir(dir.path()).find(needle), std::string::npos) << "test premise";
    auto pred = [&](int64_t, std::string_view line, std::string_view) {
      return line.find(needle) != std::string_view::npos;
    };
    RemoveStats stats;
    ASSERT_TRUE((*store)->RemoveEntries("t", 1, 0, 1000, pred, &stats).ok());
    EXPECT_EQ(stats.entries_removed, 1u);
    ASSERT_TRUE((*store)->CompactChunks("t", 0, 1000, /*rewrite_blob_files=*/true).ok());
    EXPECT_EQ(ReadAll(store->get(), "t", 1), (std::vector<Got>{{100, "hello", ""}}));
    EXPECT_EQ(ReadAll(store->get(), "t", 2).size(), 1u);
    EXPECT_EQ(ReadAll(store->get(), "t", 3), (std::vector<Got>{{150, "third", ""}}));
    EXPECT_EQ((*store)->Stats().head_entries, 0u);  // streams 2 and 3 were flushed as well
    ASSERT_TRUE((*store)->Close().ok());
  }
  EXPECT_EQ(SlurpDir(dir.path()).find(needle), std::string::npos);
}

}  // namespace
}  // namespace sawmill::storage
