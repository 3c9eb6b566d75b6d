#include "storage/chunk_reader.h"

#include <cstring>
#include <string>

#include "storage/chunk_block.h"
#include "storage/chunk_format.h"
#include "storage/coding.h"
#include "storage/crc32c.h"

namespace sawmill::storage {
namespace {

// Smallest index entry: seven one-byte varints and two fixed32 CRCs.
constexpr size_t kMinIndexEntryBytes = 7 + 8;

// *out = base + delta, false on int64 overflow.
bool AddNonNegative(int64_t base, uint64_t delta, int64_t* out) {
  const uint64_t headroom = static_cast<uint64_t>(INT64_MAX) - static_cast<uint64_t>(base);
  if (delta > headroom) return false;
  *out = static_cast<int64_t>(static_cast<uint64_t>(base) + delta);
  return true;
}

Status IndexCorruption(size_t block, std::string_view what) {
  return Status::Corruption("chunk index, block " + std::to_string(block) + ": " +
                            std::string(what));
}

// Checks the trailer of `chunk` (a whole chunk, or its index part) and returns where the
// index starts.
Result<size_t> IndexStart(std::string_view data) {
  if (data.size() < kHeaderSize + kTrailerSize) {
    return Status::Corruption("chunk too short: " + std::to_string(data.size()) + " bytes");
  }
  const char* p = data.data();
  const char* trailer = p + data.size() - kTrailerSize;
  if (DecodeFixed32(p) != kChunkMagic || DecodeFixed32(trailer + 8) != kChunkMagic) {
    return Status::Corruption("not a chunk (bad magic)");
  }
  const uint32_t index_size = DecodeFixed32(trailer);
  if (index_size > data.size() - kHeaderSize - kTrailerSize) {
    return Status::Corruption("chunk index size out of range");
  }
  const size_t index_start = data.size() - kTrailerSize - index_size;
  const uint32_t crc = crc32c::Extend(crc32c::Value(p, kHeaderSize), p + index_start, index_size);
  if (crc != DecodeFixed32(trailer + 4)) {
    return Status::Corruption("chunk header/index checksum mismatch");
  }
  return index_start;
}

}  // namespace

Result<ChunkReader> ChunkReader::Open(std::string_view data) {
  SAW_ASSIGN_OR_RETURN(size_t index_start, IndexStart(data));
  const size_t index_size = data.size() - kTrailerSize - index_start;
  SAW_ASSIGN_OR_RETURN(
      ChunkReader reader,
      Parse(data.substr(0, kHeaderSize), data.substr(index_start, index_size), index_start));
  reader.data_ = data;
  return reader;
}

Result<ChunkReader> ChunkReader::OpenIndex(std::string_view index) {
  SAW_ASSIGN_OR_RETURN(size_t index_start, IndexStart(index));
  if (index_start != kHeaderSize) return Status::Corruption("chunk index part holds blocks");
  SAW_ASSIGN_OR_RETURN(
      ChunkReader reader,
      Parse(index.substr(0, kHeaderSize),
            index.substr(kHeaderSize, index.size() - kHeaderSize - kTrailerSize), 0));
  reader.split_ = true;
  return reader;
}

Status ChunkReader::Split(std::string_view chunk, std::string* index,
                          std::vector<BlockSections>* blocks) {
  SAW_ASSIGN_OR_RETURN(ChunkReader reader, Open(chunk));
  const size_t index_start = reader.refs_.empty() ? kHeaderSize
                                                  : reader.refs_.back().offset +
                                                        reader.refs_.back().ts_section_size +
                                                        reader.refs_.back().text_section_size;
  index->assign(chunk.substr(0, kHeaderSize));
  index->append(chunk.substr(index_start));
  blocks->clear();
  blocks->reserve(reader.refs_.size());
  for (size_t i = 0; i < reader.refs_.size(); ++i) {
    const BlockLocation b = reader.Locate(i);
    blocks->push_back({b.ts_compressed, b.text_compressed});
  }
  return Status::OK();
}

Result<ChunkReader> ChunkReader::Parse(std::string_view header, std::string_view index,
                                       uint64_t blocks_end) {
  const char* p = header.data();
  const auto version = static_cast<uint8_t>(p[4]);
  if (version != kChunkVersion) {
    return Status::Corruption("unsupported chunk version " + std::to_string(version));
  }
  const auto encoding = static_cast<uint8_t>(p[5]);
  if (encoding > static_cast<uint8_t>(Encoding::kLz4)) {
    return Status::Corruption("unknown chunk encoding " + std::to_string(encoding));
  }
  const auto ts_encoding = static_cast<uint8_t>(p[6]);
  if (ts_encoding > static_cast<uint8_t>(Encoding::kLz4)) {
    return Status::Corruption("unknown chunk ts encoding " + std::to_string(ts_encoding));
  }
  if (p[7] != 0) return Status::Corruption("nonzero reserved chunk header byte");

  ChunkReader reader;
  reader.encoding_ = static_cast<Encoding>(encoding);
  reader.ts_encoding_ = static_cast<Encoding>(ts_encoding);
  std::string_view in = index;
  uint64_t num_blocks = 0;
  if (!GetVarint64(&in, &num_blocks) || num_blocks == 0 ||
      num_blocks > in.size() / kMinIndexEntryBytes) {
    return Status::Corruption("bad chunk block count");
  }
  reader.blocks_.reserve(num_blocks);
  reader.refs_.reserve(num_blocks);
  uint64_t offset = kHeaderSize;
  int64_t prev_max = 0;
  for (size_t i = 0; i < num_blocks; ++i) {
    uint64_t min_delta, span, n, ts_size, ts_raw, text_size, text_raw;
    if (!GetVarint64(&in, &min_delta) || !GetVarint64(&in, &span) || !GetVarint64(&in, &n) ||
        !GetVarint64(&in, &ts_size) || !GetVarint64(&in, &ts_raw) ||
        !GetVarint64(&in, &text_size) || !GetVarint64(&in, &text_raw) || in.size() < 8) {
      return IndexCorruption(i, "truncated");
    }
    BlockInfo info;
    if (i == 0) {
      info.min_ts = ZigZagDecode(min_delta);
    } else if (!AddNonNegative(prev_max, min_delta, &info.min_ts)) {
      return IndexCorruption(i, "min_ts overflows");
    }
    if (!AddNonNegative(info.min_ts, span, &info.max_ts)) {
      return IndexCorruption(i, "max_ts overflows");
    }
    if (ts_raw > kMaxSectionBytes || text_raw > kMaxSectionBytes) {
      return IndexCorruption(i, "section larger than the format allows");
    }
    // Every entry takes at least kMinTsBytesPerEntry after the section's header.
    if (ts_raw < kMinTsSectionHeader || n == 0 ||
        n > (ts_raw - kMinTsSectionHeader) / kMinTsBytesPerEntry) {
      return IndexCorruption(i, "entry count does not fit the ts section");
    }
    // Sections must lie between the header and the index; checking each size first keeps
    // the sum from overflowing. Without the blocks, sizes are bounded by what a section may
    // hold (a compressor's worst case stays well below twice the input).
    const uint64_t limit = blocks_end != 0 ? blocks_end : uint64_t{4} * kMaxSectionBytes;
    if (ts_size > limit || text_size > limit ||
        (blocks_end != 0 && offset + ts_size + text_size > blocks_end)) {
      return IndexCorruption(i, "block extends past the chunk");
    }
    if (info.min_ts > info.max_ts) return IndexCorruption(i, "min_ts > max_ts");
    BlockRef ref;
    ref.offset = offset;
    ref.ts_section_size = static_cast<uint32_t>(ts_size);
    ref.ts_section_raw = static_cast<uint32_t>(ts_raw);
    ref.text_section_size = static_cast<uint32_t>(text_size);
    ref.text_section_raw = static_cast<uint32_t>(text_raw);
    ref.crc = DecodeFixed32(in.data());
    ref.text_crc = DecodeFixed32(in.data() + 4);
    in.remove_prefix(8);
    info.num_entries = static_cast<uint32_t>(n);
    info.text_bytes = static_cast<uint32_t>(text_raw);

    offset += ts_size + text_size;
    prev_max = info.max_ts;
    reader.num_entries_ += n;
    reader.blocks_.push_back(info);
    reader.refs_.push_back(ref);
  }
  if (!in.empty()) return Status::Corruption("trailing bytes in chunk index");
  if (blocks_end != 0 && offset != blocks_end) {
    return Status::Corruption("chunk blocks do not fill the chunk");
  }
  return reader;
}

int64_t ChunkReader::min_ts() const { return blocks_.empty() ? 0 : blocks_.front().min_ts; }

int64_t ChunkReader::max_ts() const { return blocks_.empty() ? 0 : blocks_.back().max_ts; }

uint64_t ChunkReader::num_entries() const { return num_entries_; }

BlockLocation ChunkReader::Locate(size_t i) const {
  const BlockInfo& info = blocks_[i];
  const BlockRef& ref = refs_[i];
  BlockLocation b;
  b.block = static_cast<uint32_t>(i);
  b.min_ts = info.min_ts;
  b.max_ts = info.max_ts;
  b.num_entries = info.num_entries;
  b.ts_size = ref.ts_section_size;
  b.text_size = ref.text_section_size;
  if (!split_) {  // else the iterator fetches them from its SectionSource
    b.ts_compressed = data_.substr(ref.offset, ref.ts_section_size);
    b.text_compressed = data_.substr(ref.offset + ref.ts_section_size, ref.text_section_size);
  }
  b.ts_raw = ref.ts_section_raw;
  b.text_raw = ref.text_section_raw;
  b.ts_crc = ref.crc;
  b.text_crc = ref.text_crc;
  return b;
}

std::vector<BlockLocation> ChunkReader::BlocksIn(int64_t from_ns, int64_t to_ns) const {
  std::vector<BlockLocation> out;
  if (from_ns >= to_ns) return out;
  for (size_t i = 0; i < blocks_.size(); ++i) {
    // Blocks are in time order: the ones that intersect [from, to) are contiguous.
    if (blocks_[i].max_ts < from_ns) continue;
    if (blocks_[i].min_ts >= to_ns) break;
    out.push_back(Locate(i));
  }
  return out;
}

}  // namespace sawmill::storage
