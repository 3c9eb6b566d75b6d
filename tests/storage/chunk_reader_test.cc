#include "storage/chunk_reader.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "storage/chunk_builder.h"
#include "tests/storage/chunk_test_util.h"

namespace sawmill::storage {
namespace {

using testing::TestEntry;

class ChunkRoundTripTest : public ::testing::TestWithParam<Encoding> {};

// Every loghub file, one entry per line, small blocks so there are many: forward, backward
// and samples give back exactly what went in.
TEST_P(ChunkRoundTripTest, RoundTripsEveryLoghubFile) {
  const auto files = testing::LoghubFiles();
  ASSERT_EQ(files.size(), 16u) << SAW_LOGHUB_DIR;
  for (const auto& file : files) {
    const auto lines = testing::ReadLines(file);
    ASSERT_FALSE(lines.empty());
    for (bool with_metadata : {false, true}) {
      SCOPED_TRACE(file.filename().string() + (with_metadata ? " +metadata" : ""));
      const auto entries = testing::MakeEntries(lines, with_metadata);
      ChunkOptions o;
      o.encoding = GetParam();
      o.block_target_bytes = 16 * 1024;
      const std::string chunk = testing::BuildChunk(entries, o);
      Result<ChunkReader> r = ChunkReader::Open(chunk);
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      EXPECT_EQ(r->encoding(), GetParam());
      EXPECT_GT(r->blocks().size(), 5u);
      EXPECT_EQ(r->num_entries(), entries.size());
      EXPECT_EQ(r->min_ts(), entries.front().ts);
      EXPECT_EQ(r->max_ts(), entries.back().ts);

      for (Direction dir : {Direction::kForward, Direction::kBackward}) {
        Status s;
        auto got = testing::ReadEntries(*r, INT64_MIN, INT64_MAX, dir, &s);
        ASSERT_TRUE(s.ok()) << s.ToString();
        ASSERT_EQ(got, testing::InRange(entries, INT64_MIN, INT64_MAX, dir));
        auto samples = testing::ReadSamples(*r, INT64_MIN, INT64_MAX, dir, &s);
        ASSERT_TRUE(s.ok()) << s.ToString();
        ASSERT_EQ(samples, testing::Samples(got));
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Encodings, ChunkRoundTripTest, ::testing::ValuesIn(testing::kAllEncodings),
                         [](const auto& info) { return std::string(EncodingName(info.param)); });

// Every (ts encoding, text encoding) pair: the reader reports both and gives back exactly
// what went in, entries and samples, both ways.
TEST(ChunkEncodingPairTest, EveryPairRoundTrips) {
  const auto files = testing::LoghubFiles();
  ASSERT_FALSE(files.empty()) << SAW_LOGHUB_DIR;
  const auto entries = testing::MakeEntries(testing::ReadLines(files.front()),
                                            /*with_metadata=*/true);
  for (Encoding ts : testing::kAllEncodings) {
    for (Encoding text : testing::kAllEncodings) {
      SCOPED_TRACE("ts " + std::string(EncodingName(ts)) + ", text " +
                   std::string(EncodingName(text)));
      ChunkOptions o;
      o.encoding = text;
      o.ts_encoding = ts;
      o.block_target_bytes = 16 * 1024;
      const std::string chunk = testing::BuildChunk(entries, o);
      Result<ChunkReader> r = ChunkReader::Open(chunk);
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      EXPECT_EQ(r->encoding(), text);
      EXPECT_EQ(r->ts_encoding(), ts);
      EXPECT_GT(r->blocks().size(), 5u);
      EXPECT_EQ(r->num_entries(), entries.size());
      for (Direction dir : {Direction::kForward, Direction::kBackward}) {
        Status s;
        auto got = testing::ReadEntries(*r, INT64_MIN, INT64_MAX, dir, &s);
        ASSERT_TRUE(s.ok()) << s.ToString();
        ASSERT_EQ(got, testing::InRange(entries, INT64_MIN, INT64_MAX, dir));
        auto samples = testing::ReadSamples(*r, INT64_MIN, INT64_MAX, dir, &s);
        ASSERT_TRUE(s.ok()) << s.ToString();
        ASSERT_EQ(samples, testing::Samples(got));
      }
    }
  }
}

// Entries with runs of equal timestamps, including runs that straddle block boundaries.
std::vector<TestEntry> RangeEntries(int run = 3) {
  std::vector<TestEntry> entries;
  for (int i = 0; i < 300; ++i) {
    entries.push_back({(i / run) * 10, "line " + std::to_string(i), i % 5 == 0 ? "meta" : ""});
  }
  return entries;
}

TEST(ChunkReaderTest, RangesAreHalfOpenAndExact) {
  const auto entries = RangeEntries();
  ChunkOptions o;
  o.block_target_bytes = 64;  // a handful of entries per block
  const std::string chunk = testing::BuildChunk(entries, o);
  Result<ChunkReader> r = ChunkReader::Open(chunk);
  ASSERT_TRUE(r.ok());
  ASSERT_GT(r->blocks().size(), 20u);

  std::vector<int64_t> bounds = {INT64_MIN, -1, 0, 1, 9, 10, 11, 995, 1000, 1001};
  for (size_t i = 0; i < r->blocks().size(); i += 4) {
    const BlockInfo& b = r->blocks()[i];
    for (int64_t d : {-1, 0, 1}) {
      bounds.push_back(b.min_ts + d);
      bounds.push_back(b.max_ts + d);
    }
  }
  bounds.push_back(INT64_MAX);
  for (int64_t from : bounds) {
    for (int64_t to : bounds) {
      for (Direction dir : {Direction::kForward, Direction::kBackward}) {
        SCOPED_TRACE("[" + std::to_string(from) + ", " + std::to_string(to) + ") " +
                     (dir == Direction::kForward ? "forward" : "backward"));
        Status s;
        auto got = testing::ReadEntries(*r, from, to, dir, &s);
        ASSERT_TRUE(s.ok()) << s.ToString();
        auto want = testing::InRange(entries, from, to, dir);
        ASSERT_EQ(got, want);
        auto samples = testing::ReadSamples(*r, from, to, dir, &s);
        ASSERT_TRUE(s.ok()) << s.ToString();
        ASSERT_EQ(samples, testing::Samples(want));
      }
    }
  }
}

TEST(ChunkReaderTest, IteratesBackward) {
  std::vector<TestEntry> entries = {{1, "a", ""}, {2, "b", "m"}, {2, "c", ""}, {5, "d", ""}};
  ChunkOptions o;
  o.block_target_bytes = 4;
  const std::string chunk = testing::BuildChunk(entries, o);
  Result<ChunkReader> r = ChunkReader::Open(chunk);
  ASSERT_TRUE(r.ok());
  auto it = r->NewIterator(2, 6, Direction::kBackward);
  std::string order;
  while (it->Next()) order += std::string(it->entry().line) + std::string(it->entry().metadata);
  EXPECT_TRUE(it->status().ok());
  EXPECT_EQ(order, "dcbm");
}

TEST(ChunkReaderTest, EmptyRangeYieldsNothing) {
  const auto entries = RangeEntries();
  const std::string chunk = testing::BuildChunk(entries, ChunkOptions{});
  Result<ChunkReader> r = ChunkReader::Open(chunk);
  ASSERT_TRUE(r.ok());
  for (auto [from, to] : {std::pair<int64_t, int64_t>{50, 50}, {60, 40}, {2000, 3000}}) {
    EXPECT_FALSE(r->NewIterator(from, to, Direction::kForward)->Next());
    EXPECT_FALSE(r->NewSampleIterator(from, to, Direction::kBackward)->Next());
  }
}

// Blocks outside [from, to) are not read: with every such block's sections damaged, the range
// still reads fine (and the whole chunk does not).
TEST(ChunkReaderTest, SkipsBlocksOutsideRangeWithoutReadingThem) {
  const auto entries = RangeEntries(/*run=*/1);
  for (Encoding e : testing::kAllEncodings) {
    SCOPED_TRACE(EncodingName(e));
    ChunkOptions o;
    o.encoding = e;
    o.block_target_bytes = 64;
    std::string chunk = testing::BuildChunk(entries, o);
    Result<ChunkReader> clean = ChunkReader::Open(chunk);
    ASSERT_TRUE(clean.ok());
    const auto& blocks = clean->blocks();
    const size_t first = 5, last = 12;  // blocks kept intact
    ASSERT_LT(last + 1, blocks.size());
    const int64_t from = blocks[first].min_ts;
    const int64_t to = blocks[last].max_ts + 1;

    const testing::ChunkLayout layout = testing::DecodeLayout(chunk);
    for (size_t i = 0; i < layout.blocks.size(); ++i) {
      if (i >= first && i <= last) continue;
      chunk[layout.blocks[i].ts_offset + layout.blocks[i].ts_size / 2] ^= 0x55;
      chunk[layout.blocks[i].text_offset + layout.blocks[i].text_size / 2] ^= 0x55;
    }
    Result<ChunkReader> r = ChunkReader::Open(chunk);
    ASSERT_TRUE(r.ok());
    for (Direction dir : {Direction::kForward, Direction::kBackward}) {
      Status s;
      auto got = testing::ReadEntries(*r, from, to, dir, &s);
      ASSERT_TRUE(s.ok()) << s.ToString();
      EXPECT_EQ(got, testing::InRange(entries, from, to, dir));
      EXPECT_FALSE(got.empty());
      auto samples = testing::ReadSamples(*r, from, to, dir, &s);
      ASSERT_TRUE(s.ok()) << s.ToString();
      EXPECT_EQ(samples, testing::Samples(got));

      testing::ReadEntries(*r, INT64_MIN, INT64_MAX, dir, &s);
      EXPECT_TRUE(s.IsCorruption()) << s.ToString();
      testing::ReadSamples(*r, INT64_MIN, INT64_MAX, dir, &s);
      EXPECT_TRUE(s.IsCorruption()) << s.ToString();
    }
  }
}

// The sample iterator never reads the text: a damaged text section does not disturb it.
TEST(ChunkReaderTest, SamplesNeverTouchText) {
  const auto entries = RangeEntries();
  std::string chunk = testing::BuildChunk(entries, ChunkOptions{});
  const testing::ChunkLayout layout = testing::DecodeLayout(chunk);
  for (const auto& b : layout.blocks) {
    for (size_t i = 0; i < b.text_size; ++i) chunk[b.text_offset + i] = '\xee';
  }
  Result<ChunkReader> r = ChunkReader::Open(chunk);
  ASSERT_TRUE(r.ok());
  Status s;
  auto samples = testing::ReadSamples(*r, INT64_MIN, INT64_MAX, Direction::kForward, &s);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(samples, testing::Samples(entries));
  testing::ReadEntries(*r, INT64_MIN, INT64_MAX, Direction::kForward, &s);
  EXPECT_TRUE(s.IsCorruption());
}

TEST(ChunkReaderTest, IteratorsOutliveTheReader) {
  const auto entries = RangeEntries();
  const std::string chunk = testing::BuildChunk(entries, ChunkOptions{});
  std::unique_ptr<EntryIterator> it;
  {
    Result<ChunkReader> r = ChunkReader::Open(chunk);
    ASSERT_TRUE(r.ok());
    it = r->NewIterator(INT64_MIN, INT64_MAX, Direction::kForward);
  }
  size_t n = 0;
  while (it->Next()) ++n;
  EXPECT_TRUE(it->status().ok());
  EXPECT_EQ(n, entries.size());
}

// The iterators' decompression buffers come from a per-thread cache (chunk_block.h): chunks
// read one after another reuse them, and iterators alive at the same time never share one.
// Six iterators (more than the cache keeps) over chunks of different files and block sizes
// advance in turn, three rounds, so buffers are given back, taken again and grown.
TEST(ChunkReaderTest, IteratorsAliveTogetherKeepTheirOwnText) {
  const auto files = testing::LoghubFiles();
  ASSERT_GE(files.size(), 6u);
  const size_t block_sizes[] = {2 * 1024, 64 * 1024, 8 * 1024, 256 * 1024, 4 * 1024, 32 * 1024};
  std::vector<std::vector<TestEntry>> entries;
  std::vector<std::string> chunks;
  for (size_t i = 0; i < 6; ++i) {
    entries.push_back(testing::MakeEntries(testing::ReadLines(files[i]), i % 2 == 1));
    ChunkOptions o;
    o.encoding = i % 3 == 2 ? Encoding::kZstd : Encoding::kSnappy;
    o.block_target_bytes = block_sizes[i];
    chunks.push_back(testing::BuildChunk(entries.back(), o));
  }
  std::vector<ChunkReader> readers;
  for (const std::string& c : chunks) {
    Result<ChunkReader> r = ChunkReader::Open(c);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    readers.push_back(std::move(r).value());
  }
  for (int round = 0; round < 3; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    std::vector<std::unique_ptr<BatchIterator>> batches;
    std::vector<std::unique_ptr<EntryIterator>> lines;
    std::vector<std::vector<TestEntry>> got(readers.size());
    std::vector<std::vector<std::vector<TestEntry>>> got_batches(readers.size());
    // Odd rounds read backward and start from the larger blocks' chunks.
    const Direction dir = round % 2 == 1 ? Direction::kBackward : Direction::kForward;
    for (size_t i = 0; i < readers.size(); ++i) {
      const ChunkReader& r = readers[round % 2 == 1 ? readers.size() - 1 - i : i];
      batches.push_back(r.NewBatchIterator(INT64_MIN, INT64_MAX, nullptr, true, dir));
      lines.push_back(r.NewIterator(INT64_MIN, INT64_MAX, dir));
    }
    for (bool more = true; more;) {
      more = false;
      for (size_t i = 0; i < readers.size(); ++i) {
        if (batches[i]->Next()) {
          more = true;
          const std::string_view text = batches[i]->text();
          std::vector<TestEntry>& batch = got_batches[i].emplace_back();
          for (const BatchEntry& e : batches[i]->entries()) {
            batch.push_back({e.ts_ns, std::string(text.substr(e.offset, e.line_len)),
                             std::string(text.substr(e.offset + e.line_len, e.meta_len))});
          }
        }
        // The entry iterators take a few entries per turn: their blocks change at other times.
        for (int k = 0; k < 37 && lines[i]->Next(); ++k) {
          more = true;
          const EntryView& e = lines[i]->entry();
          got[i].push_back({e.ts_ns, std::string(e.line), std::string(e.metadata)});
        }
      }
    }
    for (size_t i = 0; i < readers.size(); ++i) {
      const size_t c = round % 2 == 1 ? readers.size() - 1 - i : i;
      SCOPED_TRACE("chunk " + std::to_string(c));
      ASSERT_TRUE(batches[i]->status().ok()) << batches[i]->status().ToString();
      ASSERT_TRUE(lines[i]->status().ok()) << lines[i]->status().ToString();
      // A batch iterator's blocks come in its direction, each block's entries forward.
      if (dir == Direction::kBackward) std::reverse(got_batches[i].begin(), got_batches[i].end());
      std::vector<TestEntry> batch_got;
      for (const auto& b : got_batches[i]) batch_got.insert(batch_got.end(), b.begin(), b.end());
      EXPECT_GT(got_batches[i].size(), 1u);
      EXPECT_EQ(batch_got, entries[c]);
      EXPECT_EQ(got[i], testing::InRange(entries[c], INT64_MIN, INT64_MAX, dir));
    }
  }
}

}  // namespace
}  // namespace sawmill::storage
