// Reads a chunk written by ChunkBuilder, without copying: iterators hand out string_views
// into the decompressed block they are on (valid until the next call to Next()). Blocks
// outside the requested time range are skipped without being decompressed; every block's
// checksum is verified before use, so a corrupt byte is a Corruption error, never wrong data.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
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

// One entry of a batch (BatchIterator): where its line and metadata lie in the batch's text.
struct BatchEntry {
  int64_t ts_ns = 0;
  uint32_t offset = 0;  // of the line in the batch's text
  uint32_t line_len = 0;
  uint32_t meta_len = 0;  // the metadata follows the line; 0 when the entry has none
};

// Entries a batch at a time (one decompressed chunk block, or a buffer of copied entries),
// forward only: for scans that look at many lines at once, such as a literal searched across
// a whole block rather than line by line. A batch is never empty; its entries are in
// timestamp order and their lines (with their metadata) lie in text() in that order without
// overlapping; batches follow each other in timestamp order.
// Usage: while (it->Next()) use(it->text(), it->entries()); then check it->status().
// An iterator opened "without text" (timestamps and sizes are what its reader wants) keeps
// only this part of the contract on the text: the line and metadata of each entry whose
// meta_len > 0 lie in text() at its offset; other entries' offsets are meaningless and the
// text of a batch without such entries may be empty. (Structured metadata joins the labels
// of a metric query's series, so even a count needs the entries that carry it.)
class BatchIterator {
 public:
  virtual ~BatchIterator() = default;
  // Advances to the next batch; false at the end or on error. Views of the previous batch
  // become invalid.
  virtual bool Next() = 0;
  // REQUIRES: the last Next() returned true.
  virtual std::string_view text() const = 0;
  virtual std::span<const BatchEntry> entries() const = 0;
  virtual Status status() const = 0;
};

// Supplies the compressed sections of a chunk opened with ChunkReader::OpenIndex, whose blocks
// are stored apart from its index (the store keeps each section in its own RocksDB value, so
// that a read fetches only the blocks it needs). Single-threaded: one per iterator.
class SectionSource {
 public:
  virtual ~SectionSource() = default;
  // Sets *out to the compressed ts section (text == false) or text section of block `block`.
  // The view stays valid until the next Load() with the same `text`, or the source's end.
  virtual Status Load(uint32_t block, bool text, std::string_view* out) = 0;
};

// The compressed sections of one block, as ChunkReader::Split cuts them out of a chunk.
struct BlockSections {
  std::string_view ts;
  std::string_view text;
};

class ChunkReader {
 public:
  // Parses and checks the chunk's header and block index. `data` must outlive the reader and
  // every iterator it makes. Iterators do not point to the reader: it may go first.
  // Thread-safety: a reader is immutable and may be shared; each iterator is single-threaded.
  static Result<ChunkReader> Open(std::string_view data);
  // Opens the index part of a chunk (what Split() returns as `index`: header, block index and
  // trailer, with the same checks as Open() except that the blocks are not there). Iterators
  // of such a reader must be given a SectionSource.
  static Result<ChunkReader> OpenIndex(std::string_view index);
  // Cuts a whole chunk into its index part (a valid input of OpenIndex) and the compressed
  // sections of each block, in order. The views point into `chunk`.
  static Status Split(std::string_view chunk, std::string* index,
                      std::vector<BlockSections>* blocks);

  Encoding encoding() const { return encoding_; }        // of the text sections
  Encoding ts_encoding() const { return ts_encoding_; }  // of the ts sections
  int64_t min_ts() const;
  int64_t max_ts() const;
  uint64_t num_entries() const;
  const std::vector<BlockInfo>& blocks() const { return blocks_; }

  // `source` supplies the block sections of a reader made by OpenIndex (required then, and
  // ignored for a reader made by Open). It is asked for a block's sections only when the
  // iteration reaches that block, in the iteration's direction, and never for blocks outside
  // [from, to); the sample iterator never asks for a text section.
  std::unique_ptr<EntryIterator> NewIterator(int64_t from_ns, int64_t to_ns, Direction direction,
                                             std::unique_ptr<SectionSource> source = nullptr) const;
  std::unique_ptr<SampleIterator> NewSampleIterator(
      int64_t from_ns, int64_t to_ns, Direction direction,
      std::unique_ptr<SectionSource> source = nullptr) const;
  // Forward only: one batch per block with entries in [from, to); a block's text section is
  // fetched only when it has such entries. When `with_text` is false it is fetched only when
  // one of them has structured metadata (meta_len > 0), and the batch's text is empty
  // otherwise: a batch then holds the line and metadata of each of its entries that has
  // metadata (BatchIterator's MetadataOnly contract).
  // With kBackward the blocks come last first (newest batch first), each batch's entries
  // still in ascending order: a backward reader walks each batch from its end. This is not
  // the BatchIterator contract's order, so only readers that asked for it may be given one.
  std::unique_ptr<BatchIterator> NewBatchIterator(int64_t from_ns, int64_t to_ns,
                                                  std::unique_ptr<SectionSource> source = nullptr,
                                                  bool with_text = true,
                                                  Direction direction = Direction::kForward) const;

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
  // Parses the block index; `blocks_end` is where the index starts in a whole chunk (the
  // blocks must fill [kHeaderSize, blocks_end) exactly), or 0 for an index without blocks.
  static Result<ChunkReader> Parse(std::string_view header, std::string_view index,
                                   uint64_t blocks_end);
  std::vector<BlockLocation> BlocksIn(int64_t from_ns, int64_t to_ns) const;

  friend class ChunkEntryIterator;
  friend class ChunkSampleIterator;
  friend class ChunkBatchIterator;

  std::string_view data_;  // the whole chunk; empty for a reader made by OpenIndex
  bool split_ = false;     // made by OpenIndex: sections come from a SectionSource
  Encoding encoding_ = Encoding::kSnappy;
  Encoding ts_encoding_ = Encoding::kZstd;
  std::vector<BlockInfo> blocks_;
  std::vector<BlockRef> refs_;
  uint64_t num_entries_ = 0;
};

}  // namespace sawmill::storage
