// Helpers shared by the chunk tests: loghub lines, synthetic entries, building a chunk,
// reading everything back, and locating block sections by decoding the index exactly as
// chunk_format.h documents it (so the tests also hold the documented layout to account).
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "storage/chunk_builder.h"
#include "storage/chunk_format.h"
#include "storage/chunk_reader.h"
#include "storage/coding.h"
#include "storage/crc32c.h"
#include "storage/metadata.h"

namespace sawmill::storage::testing {

inline constexpr Encoding kAllEncodings[] = {Encoding::kNone, Encoding::kSnappy, Encoding::kZstd,
                                             Encoding::kLz4};

struct TestEntry {
  int64_t ts = 0;
  std::string line;
  std::string metadata;
  bool operator==(const TestEntry&) const = default;
};

inline std::ostream& operator<<(std::ostream& os, const TestEntry& e) {
  return os << "{" << e.ts << ", \"" << e.line.substr(0, 60) << "\", meta " << e.metadata.size()
            << "B}";
}

// The *_2k.log files of the loghub sample, sorted by name.
inline std::vector<std::filesystem::path> LoghubFiles() {
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(SAW_LOGHUB_DIR)) {
    if (e.path().filename().string().ends_with("_2k.log")) files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

inline std::vector<std::string> ReadLines(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  return lines;
}

// One entry per line, timestamps increasing by random steps with some equal neighbours;
// with_metadata gives every third entry structured metadata.
inline std::vector<TestEntry> MakeEntries(const std::vector<std::string>& lines, bool with_metadata,
                                          uint32_t seed = 1) {
  std::mt19937_64 rng(seed);
  std::vector<TestEntry> out;
  out.reserve(lines.size());
  int64_t ts = 1'700'000'000'000'000'000;
  for (size_t i = 0; i < lines.size(); ++i) {
    ts += rng() % 4 == 0 ? 0 : static_cast<int64_t>(rng() % 1'000'000);
    TestEntry e{ts, lines[i], ""};
    if (with_metadata && i % 3 == 0) {
      e.metadata = EncodeMetadata(
          {{"trace_id", std::to_string(rng())}, {"pod", "api-" + std::to_string(i % 7)}});
    }
    out.push_back(std::move(e));
  }
  return out;
}

inline std::string BuildChunk(const std::vector<TestEntry>& entries, const ChunkOptions& options) {
  ChunkBuilder builder(options);
  for (const TestEntry& e : entries) {
    Status s = builder.Append(e.ts, e.line, e.metadata);
    EXPECT_TRUE(s.ok()) << s.ToString();
  }
  Result<std::string> chunk = builder.Finish();
  EXPECT_TRUE(chunk.ok()) << chunk.status().ToString();
  return chunk.ok() ? std::move(chunk).value() : std::string();
}

inline std::vector<TestEntry> ReadEntries(const ChunkReader& reader, int64_t from, int64_t to,
                                          Direction dir, Status* status) {
  std::vector<TestEntry> out;
  auto it = reader.NewIterator(from, to, dir);
  while (it->Next()) {
    const EntryView& e = it->entry();
    out.push_back({e.ts_ns, std::string(e.line), std::string(e.metadata)});
  }
  *status = it->status();
  return out;
}

// (ts, line size) pairs.
inline std::vector<std::pair<int64_t, uint32_t>> ReadSamples(const ChunkReader& reader,
                                                             int64_t from, int64_t to,
                                                             Direction dir, Status* status) {
  std::vector<std::pair<int64_t, uint32_t>> out;
  auto it = reader.NewSampleIterator(from, to, dir);
  while (it->Next()) out.emplace_back(it->ts_ns(), it->line_size());
  *status = it->status();
  return out;
}

inline std::vector<TestEntry> InRange(const std::vector<TestEntry>& all, int64_t from, int64_t to,
                                      Direction dir) {
  std::vector<TestEntry> out;
  for (const TestEntry& e : all) {
    if (e.ts >= from && e.ts < to) out.push_back(e);
  }
  if (dir == Direction::kBackward) std::reverse(out.begin(), out.end());
  return out;
}

inline std::vector<std::pair<int64_t, uint32_t>> Samples(const std::vector<TestEntry>& entries) {
  std::vector<std::pair<int64_t, uint32_t>> out;
  for (const TestEntry& e : entries) out.emplace_back(e.ts, static_cast<uint32_t>(e.line.size()));
  return out;
}

// Where a block's sections and CRC fields are, decoded from the index per chunk_format.h.
struct BlockSpan {
  size_t ts_offset = 0, ts_size = 0, text_offset = 0, text_size = 0;
  size_t ts_crc_pos = 0, text_crc_pos = 0;  // positions of the CRC fields in the chunk
};
struct ChunkLayout {
  size_t index_offset = 0, index_size = 0;
  std::vector<BlockSpan> blocks;
};

inline ChunkLayout DecodeLayout(std::string_view chunk) {
  ChunkLayout layout;
  layout.index_size = DecodeFixed32(chunk.data() + chunk.size() - kTrailerSize);
  layout.index_offset = chunk.size() - kTrailerSize - layout.index_size;
  std::string_view in = chunk.substr(layout.index_offset, layout.index_size);
  uint64_t n = 0;
  EXPECT_TRUE(GetVarint64(&in, &n));
  size_t offset = kHeaderSize;
  for (uint64_t i = 0; i < n; ++i) {
    uint64_t f[7];
    for (uint64_t& x : f) EXPECT_TRUE(GetVarint64(&in, &x));
    BlockSpan b;
    b.ts_offset = offset;
    b.ts_size = f[3];
    b.text_offset = offset + f[3];
    b.text_size = f[5];
    b.ts_crc_pos = in.data() - chunk.data();
    b.text_crc_pos = b.ts_crc_pos + 4;
    in.remove_prefix(8);
    offset += f[3] + f[5];
    layout.blocks.push_back(b);
  }
  EXPECT_TRUE(in.empty());
  EXPECT_EQ(offset, layout.index_offset);
  return layout;
}

// Recomputes every CRC of `chunk` (blocks per `layout`, then header+index), so that a
// deliberately damaged chunk gets past the checksums and exercises the decoders.
inline void FixCrcs(std::string* chunk, const ChunkLayout& layout) {
  for (const BlockSpan& b : layout.blocks) {
    if (b.text_crc_pos + 4 > chunk->size() || b.text_offset + b.text_size > chunk->size()) {
      continue;
    }
    EncodeFixed32(chunk->data() + b.ts_crc_pos,
                  crc32c::Value(chunk->data() + b.ts_offset, b.ts_size));
    EncodeFixed32(chunk->data() + b.text_crc_pos,
                  crc32c::Value(chunk->data() + b.text_offset, b.text_size));
  }
  const char* p = chunk->data();
  uint32_t crc =
      crc32c::Extend(crc32c::Value(p, kHeaderSize), p + layout.index_offset, layout.index_size);
  EncodeFixed32(chunk->data() + chunk->size() - 8, crc);
}

}  // namespace sawmill::storage::testing
