// Store::Usage: the index stats and volume figures of one stream, from heads (exact) and from
// the chunk index (whole chunks, or in proportion when a chunk only partly overlaps).
#include <gtest/gtest.h>

#include "storage/store.h"
#include "tests/storage/store_test_util.h"

namespace sawmill::storage {
namespace {

using testing::TempDir;
using testing::TestOptions;

constexpr int64_t kSec = 1000000000;
constexpr int64_t kBase = 1795132800LL * kSec;  // 2026-11-20T00:00:00Z

// Ten 10-byte lines, one per second from kBase, into stream 7 of tenant "t".
void WriteTen(Store* s) {
  StreamWrite w{7, {}};
  static const std::string line = "0123456789";
  for (int i = 0; i < 10; ++i) w.entries.push_back({kBase + i * kSec, line, {}});
  WriteResult r;
  ASSERT_TRUE(s->Write("t", std::span<const StreamWrite>(&w, 1), &r).ok());
  ASSERT_EQ(r.accepted, 10u);
}

TEST(StoreUsageTest, CountsHeadEntriesExactly) {
  TempDir dir;
  auto store = Store::Open(TestOptions(dir.path()));
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  WriteTen(store->get());
  auto all = (*store)->Usage("t", 7, kBase, kBase + 10 * kSec);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  EXPECT_EQ(all->chunks, 1u);  // the head
  EXPECT_EQ(all->entries, 10u);
  EXPECT_EQ(all->bytes, 100u);
  auto part = (*store)->Usage("t", 7, kBase + 2 * kSec, kBase + 5 * kSec);
  ASSERT_TRUE(part.ok());
  EXPECT_EQ(part->entries, 3u);
  EXPECT_EQ(part->bytes, 30u);
  auto other_tenant = (*store)->Usage("u", 7, kBase, kBase + 10 * kSec);
  ASSERT_TRUE(other_tenant.ok());
  EXPECT_EQ(other_tenant->entries, 0u);
  EXPECT_EQ(other_tenant->chunks, 0u);
  ASSERT_TRUE((*store)->Close().ok());
}

TEST(StoreUsageTest, CountsFlushedChunksFromTheIndexAndProratesPartialOverlap) {
  TempDir dir;
  auto store = Store::Open(TestOptions(dir.path()));
  ASSERT_TRUE(store.ok());
  WriteTen(store->get());
  ASSERT_TRUE((*store)->FlushAll().ok());
  auto all = (*store)->Usage("t", 7, kBase - kSec, kBase + 20 * kSec);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  EXPECT_EQ(all->chunks, 1u);
  EXPECT_EQ(all->entries, 10u);
  EXPECT_EQ(all->bytes, 100u);
  // The chunk spans [kBase, kBase + 9 s]: half of it is [kBase + 5 s, ...).
  auto half = (*store)->Usage("t", 7, kBase + 5 * kSec, kBase + 20 * kSec);
  ASSERT_TRUE(half.ok());
  EXPECT_EQ(half->chunks, 1u);
  EXPECT_NEAR(static_cast<double>(half->entries), 4.5, 0.51);
  EXPECT_NEAR(static_cast<double>(half->bytes), 45, 1);
  auto none = (*store)->Usage("t", 7, kBase + 30 * kSec, kBase + 40 * kSec);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->chunks, 0u);
  EXPECT_EQ(none->entries, 0u);
  // Chunk and head together, each entry once.
  StreamWrite w{7, {{kBase + 15 * kSec, "abcde", {}}}};
  WriteResult r;
  ASSERT_TRUE((*store)->Write("t", std::span<const StreamWrite>(&w, 1), &r).ok());
  auto both = (*store)->Usage("t", 7, kBase, kBase + 20 * kSec);
  ASSERT_TRUE(both.ok());
  EXPECT_EQ(both->chunks, 2u);
  EXPECT_EQ(both->entries, 11u);
  EXPECT_EQ(both->bytes, 105u);
  ASSERT_TRUE((*store)->Close().ok());
}

}  // namespace
}  // namespace sawmill::storage
