#include "storage/head.h"

#include <gtest/gtest.h>

#include <deque>
#include <string>
#include <vector>

namespace sawmill::storage {
namespace {

// Lines of ~140 bytes, like the loghub samples (distinct, so none is a duplicate).
std::string Line(int i) { return "line " + std::to_string(i) + " " + std::string(130, 'x'); }

TEST(HeadTest, KeepsEntriesSortedAndBytesStableWhileItGrows) {
  Head head;
  std::vector<std::string> lines;
  for (int i = 0; i < 5000; ++i) lines.push_back(Line(i));
  // Mostly in order, every 7th one late (inserted in the middle), plus metadata on some.
  for (int i = 0; i < 5000; ++i) {
    const int64_t ts = i % 7 == 0 ? i - 5 : i;
    ASSERT_TRUE(head.Append(ts, lines[i], i % 3 == 0 ? "m" : ""));
  }
  ASSERT_EQ(head.num_entries(), 5000u);
  const auto& entries = head.entries();
  for (size_t i = 1; i < entries.size(); ++i) ASSERT_LE(entries[i - 1].ts_ns, entries[i].ts_ns);
  // Every entry still points at its own bytes after the arena and the table grew.
  size_t found = 0;
  for (const Head::Entry& e : entries) {
    std::string line(e.line());
    int i = std::stoi(line.substr(5));
    EXPECT_EQ(line, lines[i]);
    EXPECT_EQ(e.metadata(), i % 3 == 0 ? "m" : "");
    ++found;
  }
  EXPECT_EQ(found, 5000u);
  EXPECT_FALSE(head.Append(entries[10].ts_ns, std::string(entries[10].line()), ""));
}

// AppendAll must leave the head exactly as Append of each entry in turn: same order (ties in
// arrival order), same duplicates refused. Batches overlap the newest entries as several
// clients pushing to one stream make them, with repeated timestamps and repeated lines.
TEST(HeadTest, AppendAllMatchesAppendingOneByOne) {
  uint64_t x = 88172645463325252ull;
  auto next = [&] {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    return x;
  };
  std::deque<std::string> lines;
  for (int round = 0; round < 200; ++round) {
    SCOPED_TRACE(round);
    Head one, all;
    int64_t base = 0;
    for (int b = 0; b < 30; ++b) {
      std::vector<EntryRef> batch;
      const int n = static_cast<int>(next() % 20);
      int64_t ts = base - static_cast<int64_t>(next() % 40);  // often before the newest
      for (int i = 0; i < n; ++i) {
        ts += static_cast<int64_t>(next() % 3);  // ties
        const std::string& line = lines.emplace_back("l" + std::to_string(next() % 8));
        batch.push_back({ts, line, next() % 4 == 0 ? "m" : ""});
      }
      if (round % 5 == 0 && n > 2) std::swap(batch[0], batch[n - 1]);  // not in order
      base = std::max(base, ts) + 10;
      size_t stored_one = 0;
      for (const EntryRef& e : batch) stored_one += one.Append(e.ts_ns, e.line, e.metadata);
      ASSERT_EQ(all.AppendAll(batch), stored_one);
    }
    ASSERT_EQ(all.num_entries(), one.num_entries());
    ASSERT_EQ(all.bytes(), one.bytes());
    for (size_t i = 0; i < one.num_entries(); ++i) {
      ASSERT_EQ(all.entries()[i].ts_ns, one.entries()[i].ts_ns) << i;
      ASSERT_EQ(all.entries()[i].line(), one.entries()[i].line()) << i;
      ASSERT_EQ(all.entries()[i].metadata(), one.entries()[i].metadata()) << i;
    }
  }
}

TEST(HeadTest, RecordsComeBackInTheOrderAddedWithTheirMaximum) {
  Head head;
  EXPECT_EQ(head.max_record(), 0u);
  EXPECT_EQ(head.min_record(), 0u);
  EXPECT_TRUE(head.records().empty());
  // Increasing with large gaps, then out of order (two writers finish in either order).
  const std::vector<uint64_t> seqs = {7, 107'000, 9'000'000'000ull, 5, 9'000'000'001ull, 300};
  for (uint64_t s : seqs) head.AddRecord(s);
  EXPECT_EQ(head.records(), seqs);
  EXPECT_EQ(head.num_records(), seqs.size());
  EXPECT_EQ(head.max_record(), 9'000'000'001ull);
  EXPECT_EQ(head.min_record(), 5u);
}

// With 100,000 streams each head holds a few KB, about one entry per push and one record per
// entry. Over heads of 5 to 100 such entries, memory must stay close to the line bytes:
// doubling arena blocks from 1 KiB, a doubling entry table and 8-byte records took 1.83
// bytes of memory per line byte here (~1.9 in the 100,000-stream benchmark).
TEST(HeadTest, SmallHeadsTakeLittleMoreMemoryThanTheirLines) {
  size_t memory = 0, bytes = 0;
  for (int n = 5; n <= 100; ++n) {
    Head head;
    uint64_t seq = 1000;
    for (int i = 0; i < n; ++i) {
      ASSERT_TRUE(head.Append(i, Line(i), ""));
      head.AddRecord(seq += 7919);
    }
    memory += head.memory_bytes();
    bytes += head.bytes();
  }
  const double ratio = static_cast<double>(memory) / bytes;
  EXPECT_LT(ratio, 1.5) << memory << " for " << bytes;
}

TEST(HeadTest, ALargeHeadTakesLittleMoreMemoryThanItsLines) {
  Head head;
  for (int i = 0; i < 12'000; ++i) ASSERT_TRUE(head.Append(i, Line(i), ""));
  const double ratio = static_cast<double>(head.memory_bytes()) / head.bytes();
  EXPECT_LT(ratio, 1.3) << head.memory_bytes() << " for " << head.bytes();
}

}  // namespace
}  // namespace sawmill::storage
