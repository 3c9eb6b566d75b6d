#include "storage/chunk_builder.h"

#include <gtest/gtest.h>

#include <string>

#include "storage/chunk_format.h"
#include "storage/chunk_reader.h"
#include "storage/coding.h"
#include "storage/crc32c.h"
#include "tests/storage/chunk_test_util.h"

namespace sawmill::storage {
namespace {

TEST(ChunkBuilderTest, RejectsDecreasingTimestamps) {
  ChunkBuilder b(ChunkOptions{});
  ASSERT_TRUE(b.Append(100, "a").ok());
  ASSERT_TRUE(b.Append(100, "b").ok());  // equal is fine
  Status s = b.Append(99, "c");
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_EQ(b.num_entries(), 2u);
  ASSERT_TRUE(b.Append(101, "d").ok());  // a rejected entry leaves the builder usable
  Result<std::string> chunk = b.Finish();
  ASSERT_TRUE(chunk.ok());
  Result<ChunkReader> r = ChunkReader::Open(*chunk);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->num_entries(), 3u);
}

TEST(ChunkBuilderTest, AcceptsNegativeAndExtremeTimestamps) {
  std::vector<testing::TestEntry> entries = {
      {INT64_MIN, "min", ""}, {-5, "neg", ""}, {0, "zero", ""}, {INT64_MAX, "max", ""}};
  for (Encoding e : testing::kAllEncodings) {
    ChunkOptions o;
    o.encoding = e;
    o.block_target_bytes = 1;  // one entry per block
    std::string chunk = testing::BuildChunk(entries, o);
    Result<ChunkReader> r = ChunkReader::Open(chunk);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->blocks().size(), 4u);
    EXPECT_EQ(r->min_ts(), INT64_MIN);
    EXPECT_EQ(r->max_ts(), INT64_MAX);
    Status s;
    // INT64_MAX itself is outside every [from, to).
    auto got = testing::ReadEntries(*r, INT64_MIN, INT64_MAX, Direction::kForward, &s);
    ASSERT_TRUE(s.ok()) << s.ToString();
    EXPECT_EQ(got, std::vector<testing::TestEntry>(entries.begin(), entries.end() - 1));
  }
}

TEST(ChunkBuilderTest, FinishContract) {
  ChunkBuilder empty(ChunkOptions{});
  EXPECT_TRUE(empty.Finish().status().IsInvalidArgument());

  ChunkBuilder b(ChunkOptions{});
  ASSERT_TRUE(b.Append(1, "x", EncodeMetadata({{"k", "v"}})).ok());
  EXPECT_EQ(b.num_entries(), 1u);
  EXPECT_EQ(b.uncompressed_bytes(), 1 + EncodeMetadata({{"k", "v"}}).size());
  ASSERT_TRUE(b.Finish().ok());
  EXPECT_TRUE(b.Append(2, "y").IsInvalidArgument());
  EXPECT_TRUE(b.Finish().status().IsInvalidArgument());
}

TEST(ChunkBuilderTest, RejectsBadOptionsAndHugeEntries) {
  ChunkOptions o;
  o.encoding = Encoding::kZstd;
  o.zstd_level = 99;
  ChunkBuilder bad_level(o);
  EXPECT_TRUE(bad_level.Append(1, "x").IsInvalidArgument());

  o = ChunkOptions{};
  o.zstd_level = 99;  // snappy text, but the ts sections are zstd by default
  ChunkBuilder bad_ts_level(o);
  EXPECT_TRUE(bad_ts_level.Append(1, "x").IsInvalidArgument());
  o.ts_encoding = Encoding::kLz4;  // no zstd anywhere: the level is unused
  ChunkBuilder unused_level(o);
  EXPECT_TRUE(unused_level.Append(1, "x").ok());

  o = ChunkOptions{};
  o.encoding = static_cast<Encoding>(42);
  ChunkBuilder bad_encoding(o);
  EXPECT_TRUE(bad_encoding.Append(1, "x").IsInvalidArgument());

  o = ChunkOptions{};
  o.ts_encoding = static_cast<Encoding>(42);
  ChunkBuilder bad_ts_encoding(o);
  EXPECT_TRUE(bad_ts_encoding.Append(1, "x").IsInvalidArgument());

  ChunkBuilder b(ChunkOptions{});
  std::string huge(kMaxEntryBytes + 1, 'x');
  EXPECT_TRUE(b.Append(1, huge).IsInvalidArgument());
  EXPECT_EQ(b.num_entries(), 0u);
}

TEST(ChunkBuilderTest, SplitsBlocksAtTarget) {
  ChunkOptions o;
  o.block_target_bytes = 1000;
  ChunkBuilder b(o);
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(b.Append(i, std::string(98, 'a' + i % 26)).ok());
  Result<std::string> chunk = b.Finish();
  ASSERT_TRUE(chunk.ok());
  Result<ChunkReader> r = ChunkReader::Open(*chunk);
  ASSERT_TRUE(r.ok());
  // 98 line bytes + 2 ts/len bytes per entry: ten entries per block.
  ASSERT_EQ(r->blocks().size(), 10u);
  for (size_t i = 0; i < r->blocks().size(); ++i) {
    const BlockInfo& info = r->blocks()[i];
    EXPECT_EQ(info.num_entries, 10u);
    EXPECT_EQ(info.text_bytes, 980u);
    EXPECT_EQ(info.min_ts, static_cast<int64_t>(i * 10));
    EXPECT_EQ(info.max_ts, static_cast<int64_t>(i * 10 + 9));
  }
}

TEST(ChunkBuilderTest, EmptyLinesStillFillBlocks) {
  ChunkOptions o;
  o.block_target_bytes = 100;
  ChunkBuilder b(o);
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(b.Append(i, "").ok());
  Result<std::string> chunk = b.Finish();
  ASSERT_TRUE(chunk.ok());
  Result<ChunkReader> r = ChunkReader::Open(*chunk);
  ASSERT_TRUE(r.ok());
  EXPECT_GT(r->blocks().size(), 10u);
  Status s;
  auto got = testing::ReadEntries(*r, INT64_MIN, INT64_MAX, Direction::kBackward, &s);
  ASSERT_TRUE(s.ok());
  ASSERT_EQ(got.size(), 1000u);
  EXPECT_EQ(got.front().ts, 999);
}

// The two entries of the layout tests below, and their sections as chunk_format.h describes
// them. ts section: 2-byte ts stream, 2-byte len stream, unit 5 (the GCD of the deltas), then
// ts stream {zigzag(-3) = 5, delta 5 / 5}, len stream {2, 3}, meta stream {0, 1}.
const std::string kLayoutTsSection = std::string("\x02\x02\x05\x05\x01\x02\x03\x00\x01", 9);
const std::string kLayoutText = "abcdeM";

std::string BuildLayoutChunk(Encoding ts_encoding) {
  ChunkOptions o;
  o.encoding = Encoding::kNone;
  o.ts_encoding = ts_encoding;
  ChunkBuilder b(o);
  EXPECT_TRUE(b.Append(-3, "ab").ok());
  EXPECT_TRUE(b.Append(2, "cde", "M").ok());
  Result<std::string> chunk = b.Finish();
  EXPECT_TRUE(chunk.ok()) << chunk.status().ToString();
  return chunk.ok() ? std::move(chunk).value() : std::string();
}

// The whole chunk for one block whose ts section is stored as `ts_stored`.
std::string LayoutChunk(uint8_t ts_encoding, const std::string& ts_stored) {
  std::string want;
  PutFixed32(&want, kChunkMagic);
  want += "\x02";                  // version 2
  want += std::string("\x00", 1);  // text encoding none
  want += static_cast<char>(ts_encoding);
  want += std::string("\x00", 1);  // reserved
  want += ts_stored + kLayoutText;
  std::string index;
  PutVarint64(&index, 1);                        // blocks
  PutVarint64(&index, ZigZagEncode(-3));         // min_ts
  PutVarint64(&index, 5);                        // max_ts - min_ts
  PutVarint64(&index, 2);                        // entries
  PutVarint64(&index, ts_stored.size());         // ts section, compressed
  PutVarint64(&index, kLayoutTsSection.size());  // ts section, uncompressed
  PutVarint64(&index, kLayoutText.size());       // compressed = raw for kNone
  PutVarint64(&index, kLayoutText.size());
  PutFixed32(&index, crc32c::Value(ts_stored));
  PutFixed32(&index, crc32c::Value(kLayoutText));
  const uint32_t crc =
      crc32c::Extend(crc32c::Value(want.data(), kHeaderSize), index.data(), index.size());
  want += index;
  PutFixed32(&want, static_cast<uint32_t>(index.size()));
  PutFixed32(&want, crc);
  PutFixed32(&want, kChunkMagic);
  return want;
}

// Writes out, byte by byte, the chunk that chunk_format.h describes for two entries stored
// without compression, and checks the builder produces exactly that.
TEST(ChunkBuilderTest, MatchesDocumentedLayout) {
  const std::string chunk = BuildLayoutChunk(Encoding::kNone);
  const std::string want = LayoutChunk(0, kLayoutTsSection);
  EXPECT_EQ(want.substr(0, kHeaderSize), "SAWC" + std::string("\x02\x00\x00\x00", 4));
  EXPECT_EQ(chunk, want);
}

// The same entries with the default ts encoding: header byte 6 says zstd, and the ts section
// is the zstd frame of the same uncompressed bytes; the text stays as it is.
TEST(ChunkBuilderTest, TsSectionHasItsOwnEncoding) {
  EXPECT_EQ(ChunkOptions{}.ts_encoding, Encoding::kZstd);
  const std::string chunk = BuildLayoutChunk(Encoding::kZstd);
  ASSERT_GT(chunk.size(), kHeaderSize);
  EXPECT_EQ(chunk[6], static_cast<char>(Encoding::kZstd));
  const testing::ChunkLayout layout = testing::DecodeLayout(chunk);
  ASSERT_EQ(layout.blocks.size(), 1u);
  const std::string ts_stored = chunk.substr(kHeaderSize, layout.blocks[0].ts_size);
  std::string ts_raw;
  ASSERT_TRUE(Decompress(Encoding::kZstd, ts_stored, kLayoutTsSection.size(), &ts_raw).ok());
  EXPECT_EQ(ts_raw, kLayoutTsSection);
  EXPECT_EQ(chunk, LayoutChunk(static_cast<uint8_t>(Encoding::kZstd), ts_stored));
  Result<ChunkReader> r = ChunkReader::Open(chunk);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->encoding(), Encoding::kNone);
  EXPECT_EQ(r->ts_encoding(), Encoding::kZstd);
}

}  // namespace
}  // namespace sawmill::storage
