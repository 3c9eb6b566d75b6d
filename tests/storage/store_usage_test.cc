// Store::Usage: the index stats and volume figures of one stream, from heads (exact) and from
// the chunk index (whole chunks, or in proportion when a chunk only partly overlaps); and
// Store::Span, where a stream's entries in a range lie, from the same sources.
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

TEST(StoreSpanTest, BoundsHeadsAndChunksInsideTheRange) {
  TempDir dir;
  auto store = Store::Open(TestOptions(dir.path()));
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  Store* s = store->get();
  auto none = s->Span("t", 7, kBase, kBase + 10 * kSec);
  ASSERT_TRUE(none.ok()) << none.status().ToString();
  EXPECT_TRUE(none->empty);

  WriteTen(s);  // head: [kBase, kBase + 9 s]
  auto head = s->Span("t", 7, kBase - kSec, kBase + 20 * kSec);
  ASSERT_TRUE(head.ok());
  EXPECT_FALSE(head->empty);
  EXPECT_EQ(head->min_ts, kBase);
  EXPECT_EQ(head->max_ts, kBase + 9 * kSec);
  // Clipped to the range [from, to - 1].
  auto inner = s->Span("t", 7, kBase + 2 * kSec, kBase + 5 * kSec);
  ASSERT_TRUE(inner.ok());
  EXPECT_FALSE(inner->empty);
  EXPECT_EQ(inner->min_ts, kBase + 2 * kSec);
  EXPECT_EQ(inner->max_ts, kBase + 5 * kSec - 1);
  auto after = s->Span("t", 7, kBase + 10 * kSec, kBase + 20 * kSec);
  ASSERT_TRUE(after.ok());
  EXPECT_TRUE(after->empty);
  auto other_tenant = s->Span("u", 7, kBase, kBase + 10 * kSec);
  ASSERT_TRUE(other_tenant.ok());
  EXPECT_TRUE(other_tenant->empty);
  auto empty_range = s->Span("t", 7, kBase + 5 * kSec, kBase + 5 * kSec);
  ASSERT_TRUE(empty_range.ok());
  EXPECT_TRUE(empty_range->empty);

  // Flushed: the same span from the chunk index; then chunk and a newer head together.
  ASSERT_TRUE(s->FlushAll().ok());
  auto chunk = s->Span("t", 7, kBase - kSec, kBase + 20 * kSec);
  ASSERT_TRUE(chunk.ok());
  EXPECT_FALSE(chunk->empty);
  EXPECT_EQ(chunk->min_ts, kBase);
  EXPECT_EQ(chunk->max_ts, kBase + 9 * kSec);
  StreamWrite w{7, {{kBase + 15 * kSec, "abcde", {}}}};
  WriteResult r;
  ASSERT_TRUE(s->Write("t", std::span<const StreamWrite>(&w, 1), &r).ok());
  auto both = s->Span("t", 7, kBase - kSec, kBase + 20 * kSec);
  ASSERT_TRUE(both.ok());
  EXPECT_EQ(both->min_ts, kBase);
  EXPECT_EQ(both->max_ts, kBase + 15 * kSec);
  auto only_head = s->Span("t", 7, kBase + 12 * kSec, kBase + 20 * kSec);
  ASSERT_TRUE(only_head.ok());
  EXPECT_FALSE(only_head->empty);
  EXPECT_EQ(only_head->min_ts, kBase + 15 * kSec);
  EXPECT_EQ(only_head->max_ts, kBase + 15 * kSec);
  ASSERT_TRUE(s->Close().ok());
}

}  // namespace
}  // namespace sawmill::storage
