// Reads a chunk written by ChunkBuilder, without copying: iterators hand out string_views
// into the decompressed block they are on (valid until the next call to Next()). Blocks
// outside the requested time range are skipped without being decompressed; every block's
// checksum is verified before use, so a corrupt byte is a Corruption error, never wrong data.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "storage/compression.h"
#include "storage/result.h"

namespace sawmill::storage {

enum class Direction { kForward, kBackward };

struct BlockLocation;  // chunk_block.h, internal

// One entry as iterators hand it out. The views point into a decompressed block.
struct EntryView {
  int64_t ts_ns = 0;
  std::string_view line;
  std::string_view metadata;  // metadata.h encoding; empty when none
};

struct BlockInfo {
  int64_t min_ts = 0;
  int64_t max_ts = 0;
  uint32_t num_entries = 0;
  uint32_t text_bytes = 0;  // uncompressed line + metadata bytes
};

// Iterates entries of one chunk with from <= ts < to, in the chosen direction.
// Usage: while (it->Next()) use(it->entry()); then check it->status().
class EntryIterator {
 public:
  virtual ~EntryIterator() = default;
  // Advances to the next entry; false at the end or on error.
  virtual bool Next() = 0;
  // REQUIRES: the last Next() returned true.
  virtual const EntryView& entry() const = 0;
  virtual Status status() const = 0;
};

// Like EntryIterator but decodes only the timestamp/length section of each block: the
// line text is never decompressed (nor checksummed: only the ts section's CRC is verified).
// For count_over_time, rate and bytes_over_time.
class SampleIterator {
 public:
  virtual ~SampleIterator() = default;
  virtual bool Next() = 0;
  virtual int64_t ts_ns() const = 0;
  virtual uint32_t line_size() const = 0;  // bytes of the line (metadata excluded)
  virtual Status status() const = 0;
};

class ChunkReader {
 public:
  // Parses and checks the chunk's header and block index. `data` must outlive the reader and
  // every iterator it makes. Iterators do not point to the reader: it may go first.
  // Thread-safety: a reader is immutable and may be shared; each iterator is single-threaded.
  static Result<ChunkReader> Open(std::string_view data);

  Encoding encoding() const { return encoding_; }        // of the text sections
  Encoding ts_encoding() const { return ts_encoding_; }  // of the ts sections
  int64_t min_ts() const;
  int64_t max_ts() const;
  uint64_t num_entries() const;
  const std::vector<BlockInfo>& blocks() const { return blocks_; }

  std::unique_ptr<EntryIterator> NewIterator(int64_t from_ns, int64_t to_ns,
                                             Direction direction) const;
  std::unique_ptr<SampleIterator> NewSampleIterator(int64_t from_ns, int64_t to_ns,
                                                    Direction direction) const;

 private:
  struct BlockRef {
    uint64_t offset = 0;
    uint32_t ts_section_size = 0;    // compressed
    uint32_t ts_section_raw = 0;     // uncompressed
    uint32_t text_section_size = 0;  // compressed
    uint32_t text_section_raw = 0;   // uncompressed
    uint32_t crc = 0;                // CRC32C of the compressed ts section
    uint32_t text_crc = 0;           // CRC32C of the compressed text section
  };
  // Block i of the chunk as the iterators see it.
  BlockLocation Locate(size_t i) const;
  std::vector<BlockLocation> BlocksIn(int64_t from_ns, int64_t to_ns) const;

  friend class ChunkEntryIterator;
  friend class ChunkSampleIterator;

  std::string_view data_;
  Encoding encoding_ = Encoding::kSnappy;
  Encoding ts_encoding_ = Encoding::kZstd;
  std::vector<BlockInfo> blocks_;
  std::vector<BlockRef> refs_;
  uint64_t num_entries_ = 0;
};

}  // namespace sawmill::storage
