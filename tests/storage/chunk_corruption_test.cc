// A damaged chunk must give a Corruption status (from Open or from the iterator), never
// different entries and never a crash. Also a small fuzz: random and half-valid bytes.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "storage/chunk_builder.h"
#include "storage/chunk_reader.h"
#include "tests/storage/chunk_test_util.h"

namespace sawmill::storage {
namespace {

using testing::TestEntry;

// A few dozen real lines, some with metadata, in about eight blocks.
std::vector<TestEntry> SmallEntries() {
  std::vector<std::string> lines;
  for (const auto& file : testing::LoghubFiles()) {
    auto l = testing::ReadLines(file);
    lines.insert(lines.end(), l.begin(), l.begin() + 3);
  }
  return testing::MakeEntries(lines, /*with_metadata=*/true, /*seed=*/5);
}

// Text and ts encodings of the chunk under test.
struct Encodings {
  Encoding text;
  Encoding ts;
};

std::string SmallChunk(const std::vector<TestEntry>& entries, Encodings e) {
  ChunkOptions o;
  o.encoding = e.text;
  o.ts_encoding = e.ts;
  o.block_target_bytes = 800;
  return testing::BuildChunk(entries, o);
}

bool Same(const EntryView& v, const TestEntry& e) {
  return v.ts_ns == e.ts && v.line == e.line && v.metadata == e.metadata;
}

// Reads `chunk` every way. Whatever is yielded must match `entries` (when given); errors
// must be Corruption. Returns false when some full read reported no error.
bool ReadEveryWay(std::string_view chunk, const std::vector<TestEntry>* entries) {
  Result<ChunkReader> r = ChunkReader::Open(chunk);
  if (!r.ok()) {
    EXPECT_TRUE(r.status().IsCorruption()) << r.status().ToString();
    return true;
  }
  bool all_failed = true;
  for (Direction dir : {Direction::kForward, Direction::kBackward}) {
    auto it = r->NewIterator(INT64_MIN, INT64_MAX, dir);
    size_t n = 0;
    while (it->Next()) {
      if (entries != nullptr) {
        const size_t k = dir == Direction::kForward ? n : entries->size() - 1 - n;
        if (n >= entries->size() || !Same(it->entry(), (*entries)[k])) {
          ADD_FAILURE() << "yielded a wrong entry at " << n;
          return false;
        }
      }
      ++n;
    }
    EXPECT_TRUE(it->status().ok() || it->status().IsCorruption()) << it->status().ToString();
    all_failed = all_failed && !it->status().ok();

    auto samples = r->NewSampleIterator(INT64_MIN, INT64_MAX, dir);
    n = 0;
    while (samples->Next()) {
      if (entries != nullptr) {
        const size_t k = dir == Direction::kForward ? n : entries->size() - 1 - n;
        if (n >= entries->size() || samples->ts_ns() != (*entries)[k].ts ||
            samples->line_size() != (*entries)[k].line.size()) {
          ADD_FAILURE() << "yielded a wrong sample at " << n;
          return false;
        }
      }
      ++n;
    }
    EXPECT_TRUE(samples->status().ok() || samples->status().IsCorruption());
  }
  return all_failed;
}

class ChunkCorruptionTest : public ::testing::TestWithParam<Encodings> {};

TEST_P(ChunkCorruptionTest, EveryFlippedByteIsDetected) {
  const auto entries = SmallEntries();
  const std::string chunk = SmallChunk(entries, GetParam());
  ASSERT_GE(ChunkReader::Open(chunk)->blocks().size(), 4u);
  ASSERT_TRUE(ReadEveryWay(chunk, &entries) == false);  // the intact chunk reads fine
  std::string damaged = chunk;
  for (size_t pos = 0; pos < chunk.size(); ++pos) {
    for (uint8_t mask : {static_cast<uint8_t>(1u << (pos % 8)), uint8_t{0xff}}) {
      SCOPED_TRACE("byte " + std::to_string(pos) + " of " + std::to_string(chunk.size()) + " ^ " +
                   std::to_string(mask));
      damaged[pos] = static_cast<char>(chunk[pos] ^ mask);
      ASSERT_TRUE(ReadEveryWay(damaged, &entries)) << "a full read reported no error";
      damaged[pos] = chunk[pos];
    }
  }
}

TEST_P(ChunkCorruptionTest, TruncationsAndExtensionsAreDetected) {
  const auto entries = SmallEntries();
  const std::string chunk = SmallChunk(entries, GetParam());
  for (size_t n = 0; n < chunk.size(); ++n) {
    SCOPED_TRACE("truncated to " + std::to_string(n));
    ASSERT_TRUE(ReadEveryWay(std::string_view(chunk).substr(0, n), &entries));
    ASSERT_TRUE(ReadEveryWay(std::string_view(chunk).substr(n + 1), &entries));
  }
  ASSERT_TRUE(ReadEveryWay(chunk + "x", &entries));
  ASSERT_TRUE(ReadEveryWay(chunk + chunk, &entries));
}

// Damage with the CRCs recomputed, so the decompressors and decoders see the bad bytes.
TEST_P(ChunkCorruptionTest, ForgedChecksumsNeverCrash) {
  const auto entries = SmallEntries();
  const std::string chunk = SmallChunk(entries, GetParam());
  const testing::ChunkLayout layout = testing::DecodeLayout(chunk);
  std::mt19937 rng(11);
  for (int round = 0; round < 3000; ++round) {
    std::string damaged = chunk;
    const int edits = 1 + static_cast<int>(rng() % 3);
    const bool in_index = round % 3 == 0;
    for (int k = 0; k < edits; ++k) {
      const size_t pos = in_index ? layout.index_offset + rng() % layout.index_size
                                  : kHeaderSize + rng() % (layout.index_offset - kHeaderSize);
      damaged[pos] = static_cast<char>(rng() % 4 == 0 ? damaged[pos] ^ 1 : rng());
    }
    testing::FixCrcs(&damaged, layout);
    ReadEveryWay(damaged, nullptr);
    if (HasFatalFailure() || HasFailure()) FAIL() << "round " << round;
  }
}

// Each text encoding with the default zstd ts sections, plus stored ts sections (so that
// forged bytes reach the ts decoder without a decompressor in the way) and a snappy/lz4 mix.
INSTANTIATE_TEST_SUITE_P(Encodings, ChunkCorruptionTest,
                         ::testing::Values(Encodings{Encoding::kNone, Encoding::kZstd},
                                           Encodings{Encoding::kSnappy, Encoding::kZstd},
                                           Encodings{Encoding::kZstd, Encoding::kZstd},
                                           Encodings{Encoding::kLz4, Encoding::kZstd},
                                           Encodings{Encoding::kNone, Encoding::kNone},
                                           Encodings{Encoding::kSnappy, Encoding::kLz4}),
                         [](const auto& info) {
                           return std::string(EncodingName(info.param.text)) + "_ts_" +
                                  std::string(EncodingName(info.param.ts));
                         });

TEST(ChunkFuzzTest, RandomBytesNeverCrash) {
  std::mt19937 rng(42);
  for (int round = 0; round < 20000; ++round) {
    std::string data(rng() % 400, '\0');
    for (char& c : data) c = static_cast<char>(rng());
    if (round % 2 == 1 && data.size() >= kHeaderSize + kTrailerSize) {
      // Plausible frame: magics, version, known encodings, an index size that fits and a
      // correct header+index CRC, so the index parser sees random input.
      EncodeFixed32(data.data(), kChunkMagic);
      data[4] = static_cast<char>(kChunkVersion);
      data[5] = static_cast<char>(rng() % 4);
      data[6] = static_cast<char>(rng() % 4);
      data[7] = 0;
      const size_t body = data.size() - kHeaderSize - kTrailerSize;
      const size_t index_size = body == 0 ? 0 : rng() % (body + 1);
      char* trailer = data.data() + data.size() - kTrailerSize;
      EncodeFixed32(trailer, static_cast<uint32_t>(index_size));
      EncodeFixed32(trailer + 8, kChunkMagic);
      testing::ChunkLayout layout;
      layout.index_offset = data.size() - kTrailerSize - index_size;
      layout.index_size = index_size;
      testing::FixCrcs(&data, layout);
    }
    ReadEveryWay(data, nullptr);
    if (HasFailure()) FAIL() << "round " << round;
  }
}

}  // namespace
}  // namespace sawmill::storage
