// Builds one immutable chunk: the entries of a single stream over a time window, in
// timestamp order, grouped in blocks that are compressed one by one. See chunk_format.h for
// the byte layout. Not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "storage/compression.h"
#include "storage/result.h"

namespace sawmill::storage {

struct ChunkOptions {
  size_t block_target_bytes = 256 * 1024;  // uncompressed bytes per block (lines + metadata)
  Encoding encoding = Encoding::kSnappy;   // of the text sections (lines + metadata)
  // Of the ts sections (timestamps, lengths). zstd whatever `encoding` is: it takes snappy
  // chunks of real logs about 0.005 of raw smaller (bench/RESULTS.md), costing the ts-only scan
  // ~25%.
  Encoding ts_encoding = Encoding::kZstd;
  int zstd_level = 1;  // for every section encoded with zstd
};

class ChunkBuilder {
 public:
  explicit ChunkBuilder(const ChunkOptions& options);
  ~ChunkBuilder();
  ChunkBuilder(const ChunkBuilder&) = delete;
  ChunkBuilder& operator=(const ChunkBuilder&) = delete;

  // Adds one entry. `metadata` is structured metadata in the encoding of metadata.h (empty
  // when the entry has none).
  // REQUIRES: Finish() has not been called; ts_ns >= the previous entry's ts_ns.
  Status Append(int64_t ts_ns, std::string_view line, std::string_view metadata = {});

  size_t num_entries() const;
  // Line and metadata bytes appended so far (what the chunk target size is measured in).
  size_t uncompressed_bytes() const;

  // Returns the finished chunk bytes. The builder is unusable afterwards.
  // REQUIRES: num_entries() > 0.
  Result<std::string> Finish();

 private:
  struct Rep;
  Rep* rep_;
};

}  // namespace sawmill::storage
