// Decoding of one chunk block, shared by the chunk iterators (internal to storage/): checks a
// section's CRC, decompresses it into a buffer reused across blocks, and walks the entries of
// the ts section. See chunk_format.h for the layout. Not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "storage/coding.h"
#include "storage/compression.h"
#include "storage/status.h"

namespace sawmill::storage {

// One block as its index entry describes it, with views of its compressed sections.
struct BlockLocation {
  uint32_t block = 0;  // ordinal in the chunk, for error messages
  int64_t min_ts = 0;
  int64_t max_ts = 0;
  uint32_t num_entries = 0;
  // Views of the compressed sections; empty until fetched when the chunk's blocks are stored
  // apart (ChunkReader::OpenIndex), which must then yield exactly ts_size/text_size bytes.
  std::string_view ts_compressed;
  std::string_view text_compressed;
  uint32_t ts_size = 0;
  uint32_t text_size = 0;
  uint32_t ts_raw = 0;
  uint32_t text_raw = 0;
  uint32_t ts_crc = 0;
  uint32_t text_crc = 0;
};

// A growable byte buffer that is not zero-filled: decompression overwrites it entirely. Its
// memory is taken from, and given back to, a small cache of the calling thread's (at most 4
// buffers of up to 4 MiB each), so the iterators of the many chunks a query opens one after
// another reuse a few warm buffers instead of each allocating (and page-faulting) its own.
class SectionBuffer {
 public:
  SectionBuffer() = default;
  ~SectionBuffer();
  SectionBuffer(const SectionBuffer&) = delete;
  SectionBuffer& operator=(const SectionBuffer&) = delete;

  // At least n writable bytes; the previous contents are not kept.
  char* Reserve(size_t n) {
    if (n > capacity_) Grow(n);
    return buf_.get();
  }

 private:
  void Grow(size_t n);

  std::unique_ptr<char[]> buf_;
  size_t capacity_ = 0;
};

// Verifies the CRC of a block's ts (or text) section and returns its uncompressed bytes in
// `*out`, which points into `*buf` (or into the chunk itself for Encoding::kNone).
Status LoadTsSection(Encoding e, const BlockLocation& b, SectionBuffer* buf, std::string_view* out);
Status LoadTextSection(Encoding e, const BlockLocation& b, SectionBuffer* buf,
                       std::string_view* out);

Status BlockCorruption(const BlockLocation& b, std::string_view what);

// Walks the entries of an uncompressed ts section in order. Every step is bounds-checked and
// timestamps are checked to stay within [min_ts, max_ts] of the block, so a section with a
// valid CRC but inconsistent contents yields an error, never an out-of-range read.
class TsCursor {
 public:
  // Parses the stream boundaries. Returns false when they do not fit in `section` or the
  // first timestamp is not the block's min_ts.
  bool Init(std::string_view section, const BlockLocation& b);

  uint32_t remaining() const { return remaining_; }
  bool has_metadata() const { return meta_stream_; }

  // Decodes the next entry's timestamp and line length. REQUIRES: remaining() > 0.
  [[gnu::always_inline]] bool Next(int64_t* ts, uint32_t* line_len) {
    --remaining_;
    if (first_) {
      first_ = false;
    } else {
      uint64_t scaled, delta;
      if (!ReadVarint(&ts_p_, ts_end_, &scaled)) return false;
      // Keeps ts_ <= max_ts_ (also rules out overflow).
      if (__builtin_mul_overflow(scaled, unit_, &delta) ||
          delta > static_cast<uint64_t>(max_ts_) - static_cast<uint64_t>(ts_)) {
        return false;
      }
      ts_ = static_cast<int64_t>(static_cast<uint64_t>(ts_) + delta);
    }
    uint64_t len;
    if (!ReadVarint(&len_p_, len_end_, &len) || len > UINT32_MAX) return false;
    *ts = ts_;
    *line_len = static_cast<uint32_t>(len);
    line_bytes_ += len;
    return true;
  }
  // The metadata length of the entry Next() just decoded (0 when the block has none).
  [[gnu::always_inline]] bool NextMetadata(uint32_t* meta_len) {
    if (!meta_stream_) {
      *meta_len = 0;
      return true;
    }
    uint64_t len;
    if (!ReadVarint(&meta_p_, meta_end_, &len) || len > UINT32_MAX) return false;
    *meta_len = static_cast<uint32_t>(len);
    return true;
  }

  // After the last entry: true when the streams ended exactly, the last timestamp is max_ts
  // and the line lengths fit the text section. `metadata_read` tells whether NextMetadata()
  // was called for every entry (so the meta stream must be consumed too).
  bool Finish(const BlockLocation& b, bool metadata_read) const;

 private:
  // Timestamp deltas and line lengths are mostly one or two bytes: decode those inline.
  [[gnu::always_inline]] static bool ReadVarint(const char** p, const char* limit, uint64_t* v) {
    const auto* q = reinterpret_cast<const unsigned char*>(*p);
    const ptrdiff_t avail = limit - *p;
    if (avail >= 1 && q[0] < 0x80) {
      *v = q[0];
      *p += 1;
      return true;
    }
    if (avail >= 2 && q[1] < 0x80) {
      *v = (uint64_t{q[0]} & 0x7f) | (uint64_t{q[1]} << 7);
      *p += 2;
      return true;
    }
    const char* next = GetVarint64Ptr(*p, limit, v);
    if (next == nullptr) return false;
    *p = next;
    return true;
  }

  const char* ts_p_ = nullptr;
  const char* ts_end_ = nullptr;
  const char* len_p_ = nullptr;
  const char* len_end_ = nullptr;
  const char* meta_p_ = nullptr;
  const char* meta_end_ = nullptr;
  bool meta_stream_ = false;
  bool first_ = true;
  uint32_t remaining_ = 0;
  int64_t ts_ = 0;
  int64_t max_ts_ = 0;
  uint64_t unit_ = 1;  // deltas are stored divided by this
  uint64_t line_bytes_ = 0;
};

}  // namespace sawmill::storage
