#include "storage/head_log.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <tuple>
#include <vector>

#include "tests/storage/store_test_util.h"

namespace sawmill::storage {
namespace {

using testing::TempDir;

struct Frame {
  uint64_t segment;
  uint64_t seq;
  std::string tenant;
  std::string record;
  bool operator==(const Frame&) const = default;
};
std::ostream& operator<<(std::ostream& os, const Frame& f) {
  return os << f.segment << "/" << f.seq << "/" << f.tenant << "/" << f.record.size() << "B";
}

std::vector<Frame> ReplayAll(const std::string& dir, uint64_t* torn) {
  auto log = HeadLog::Open(dir, 1 << 20);
  EXPECT_TRUE(log.ok()) << log.status().ToString();
  std::vector<Frame> out;
  Status st = (*log)->Replay(
      [&](uint64_t segment, uint64_t seq, std::string_view tenant, std::string_view record) {
        out.push_back({segment, seq, std::string(tenant), std::string(record)});
        return Status::OK();
      },
      torn);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return out;
}

std::vector<std::filesystem::path> SegmentFiles(const std::string& dir) {
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(dir)) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  return files;
}

// Frames come back as appended, segment by segment; a segment closes once it holds
// segment_bytes, and the next open appends after every segment there.
TEST(HeadLogTest, AppendsRollAndReplayInOrder) {
  TempDir dir;
  std::vector<Frame> want;
  {
    auto log = HeadLog::Open(dir.path(), 100);
    ASSERT_TRUE(log.ok());
    for (uint64_t i = 0; i < 7; ++i) {
      const std::string record(i * 30, static_cast<char>('a' + i));  // 0..180 bytes
      const std::string tenant = i % 2 ? "tenant-" + std::to_string(i) : "";
      // Some records in two pieces: they come back as one.
      const size_t split = i % 3 == 0 ? record.size() : record.size() / 3;
      auto segment = (*log)->Append(100 + i, tenant, std::string_view(record).substr(0, split),
                                    std::string_view(record).substr(split));
      ASSERT_TRUE(segment.ok()) << segment.status().ToString();
      want.push_back({*segment, 100 + i, tenant, record});
    }
    ASSERT_TRUE((*log)->Sync().ok());
    // Frames of 0, 30, 60 bytes (+ headers) fill segment 1 past 100 bytes, and so on.
    EXPECT_EQ(want.front().segment, 1u);
    EXPECT_GT(want.back().segment, 2u);
    const auto [active, frames] = (*log)->ActiveSegment();
    EXPECT_EQ(active, want.back().segment);
    EXPECT_EQ(frames, 1u);
    uint64_t closed_frames = 0;
    for (const auto& [segment, n] : (*log)->ClosedSegments()) closed_frames += n;
    EXPECT_EQ(closed_frames, 6u);
  }
  uint64_t torn = 99;
  EXPECT_EQ(ReplayAll(dir.path(), &torn), want);
  EXPECT_EQ(torn, 0u);
  auto log = HeadLog::Open(dir.path(), 100);
  ASSERT_TRUE(log.ok());
  auto segment = (*log)->Append(200, "t", "after reopen");
  ASSERT_TRUE(segment.ok());
  EXPECT_EQ(*segment, want.back().segment + 1);
}

// A crash can leave the last frame of a segment cut anywhere: replay keeps every frame
// before it, counts the segment as torn, and still reads the segments after it.
TEST(HeadLogTest, TornOrDamagedFrameEndsItsSegmentOnly) {
  for (int damage = 0; damage < 2; ++damage) {
    TempDir dir;
    {
      auto log = HeadLog::Open(dir.path(), 1 << 20);
      ASSERT_TRUE(log.ok());
      ASSERT_TRUE((*log)->Append(1, "t", "first record").ok());
      ASSERT_TRUE((*log)->Append(2, "t", "second record").ok());
      (*log)->Roll();
      ASSERT_TRUE((*log)->Append(3, "t", "next segment").ok());
    }
    const auto files = SegmentFiles(dir.path());
    ASSERT_EQ(files.size(), 2u);
    std::string bytes;
    {
      std::ifstream in(files[0], std::ios::binary);
      bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    const size_t first_end = bytes.size() / 2;  // the two frames have the same size
    for (size_t cut = first_end; cut < bytes.size(); ++cut) {
      std::string damaged = bytes;
      if (damage == 0) {
        damaged.resize(cut);  // torn write
      } else {
        damaged[cut] ^= 0x20;  // a flipped bit anywhere in the second frame
      }
      {
        std::ofstream out(files[0], std::ios::binary | std::ios::trunc);
        out << damaged;
      }
      uint64_t torn = 0;
      auto frames = ReplayAll(dir.path(), &torn);
      ASSERT_EQ(frames.size(), 2u) << "cut at " << cut << " damage " << damage;
      EXPECT_EQ(frames[0].record, "first record");
      EXPECT_EQ(frames[1].record, "next segment");
      EXPECT_EQ(torn, damage == 0 && cut == first_end ? 0u : 1u) << cut;
    }
  }
}

// Replay counts each segment's frames as Append does, so that the store can tell when every
// record of a segment is dead; Remove deletes a closed segment and refuses the active one.
TEST(HeadLogTest, RemovesClosedSegmentsOnly) {
  TempDir dir;
  {
    auto log = HeadLog::Open(dir.path(), 1 << 20);
    ASSERT_TRUE(log.ok());
    ASSERT_TRUE((*log)->Append(1, "t", "a").ok());
    ASSERT_TRUE((*log)->Append(2, "t", "b").ok());
  }
  auto log = HeadLog::Open(dir.path(), 1 << 20);
  ASSERT_TRUE(log.ok());
  uint64_t torn = 0;
  ASSERT_TRUE((*log)->Replay([](auto...) { return Status::OK(); }, &torn).ok());
  EXPECT_EQ((*log)->ClosedSegments(), (std::vector<std::pair<uint64_t, uint64_t>>{{1, 2}}));
  auto segment = (*log)->Append(3, "t", "c");
  ASSERT_TRUE(segment.ok());
  EXPECT_EQ(*segment, 2u);
  EXPECT_FALSE((*log)->Remove(2).ok());  // active
  EXPECT_GT((*log)->bytes(), 0u);
  ASSERT_TRUE((*log)->Remove(1).ok());
  EXPECT_TRUE((*log)->ClosedSegments().empty());
  (*log)->Roll();
  EXPECT_EQ((*log)->ClosedSegments(), (std::vector<std::pair<uint64_t, uint64_t>>{{2, 1}}));
  ASSERT_TRUE((*log)->Sync().ok());  // syncs (and closes) the rolled segment
  ASSERT_TRUE((*log)->Remove(2).ok());
  EXPECT_TRUE(SegmentFiles(dir.path()).empty());
  EXPECT_EQ((*log)->bytes(), 0u);
}

}  // namespace
}  // namespace sawmill::storage
