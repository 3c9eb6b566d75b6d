#include "storage/chunk_builder.h"

#include <algorithm>
#include <climits>
#include <numeric>
#include <utility>
#include <vector>

#include "storage/chunk_format.h"
#include "storage/coding.h"
#include "storage/crc32c.h"

namespace sawmill::storage {
namespace {

size_t VarintLength(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

}  // namespace

struct ChunkBuilder::Rep {
  ChunkOptions options;
  size_t block_target = 0;
  Status error;  // sticky: set by bad options or a failed block flush

  std::string chunk;  // header, then every finished block
  std::string index;  // index entries of the finished blocks (without the block count)
  uint64_t num_blocks = 0;
  int64_t prev_block_max_ts = 0;

  // The block being filled: its timestamps (first one and deltas, scaled by their GCD when
  // the block is flushed), the length streams of its ts section, and its text.
  int64_t block_min_ts = 0;
  std::vector<uint64_t> deltas;
  uint64_t delta_gcd = 0;  // GCD of the nonzero deltas, 0 while there are none
  size_t ts_bytes = 0;     // varint bytes of the unscaled timestamps (an upper bound)
  std::string len_stream;
  std::string meta_stream;  // stays empty until an entry of the block has metadata
  bool block_has_metadata = false;
  std::string text;
  uint32_t block_entries = 0;

  std::string ts_stream;  // scratch: the ts stream being assembled
  std::string section;    // scratch: the assembled uncompressed ts section

  size_t num_entries = 0;
  size_t uncompressed_bytes = 0;
  int64_t last_ts = 0;
  bool finished = false;

  size_t BlockBytes() const {
    return text.size() + ts_bytes + len_stream.size() + meta_stream.size();
  }
  Status FlushBlock();
  // Compresses `raw` with `e` onto the end of `chunk`; sets the compressed size and its CRC.
  // zstd reuses the thread's compression context (compression.cc): nothing is allocated per
  // block once the chunk buffer has grown.
  Status AppendSection(Encoding e, std::string_view raw, uint32_t* size, uint32_t* crc);
};

Status ChunkBuilder::Rep::AppendSection(Encoding e, std::string_view raw, uint32_t* size,
                                        uint32_t* crc) {
  const size_t start = chunk.size();
  SAW_RETURN_IF_ERROR(Compress(e, raw, &chunk, options.zstd_level));
  const size_t n = chunk.size() - start;
  if (n > UINT32_MAX) return Status::Internal("compressed block section too large");
  *size = static_cast<uint32_t>(n);
  *crc = crc32c::Value(chunk.data() + start, n);
  return Status::OK();
}

Status ChunkBuilder::Rep::FlushBlock() {
  if (block_entries == 0) return Status::OK();
  // Timestamps of ms or us precision have deltas that are multiples of 10^6 or 10^3 ns:
  // storing delta / GCD saves one or two bytes per entry.
  const uint64_t unit = delta_gcd == 0 ? 1 : delta_gcd;
  ts_stream.clear();
  PutVarint64(&ts_stream, ZigZagEncode(block_min_ts));
  if (unit == 1) {
    for (uint64_t d : deltas) PutVarint64(&ts_stream, d);
  } else {
    for (uint64_t d : deltas) PutVarint64(&ts_stream, d / unit);
  }
  section.clear();
  PutVarint64(&section, ts_stream.size());
  PutVarint64(&section, len_stream.size());
  PutVarint64(&section, unit);
  section.append(ts_stream);
  section.append(len_stream);
  section.append(meta_stream);
  if (section.size() > kMaxSectionBytes || text.size() > kMaxSectionBytes) {
    return Status::Internal("block larger than the format allows");
  }

  uint32_t ts_size = 0, ts_crc = 0, text_size = 0, text_crc = 0;
  SAW_RETURN_IF_ERROR(AppendSection(options.ts_encoding, section, &ts_size, &ts_crc));
  SAW_RETURN_IF_ERROR(AppendSection(options.encoding, text, &text_size, &text_crc));

  const uint64_t min_delta = num_blocks == 0 ? ZigZagEncode(block_min_ts)
                                             : static_cast<uint64_t>(block_min_ts) -
                                                   static_cast<uint64_t>(prev_block_max_ts);
  PutVarint64(&index, min_delta);
  PutVarint64(&index, static_cast<uint64_t>(last_ts) - static_cast<uint64_t>(block_min_ts));
  PutVarint32(&index, block_entries);
  PutVarint32(&index, ts_size);
  PutVarint64(&index, section.size());
  PutVarint32(&index, text_size);
  PutVarint64(&index, text.size());
  PutFixed32(&index, ts_crc);
  PutFixed32(&index, text_crc);

  ++num_blocks;
  prev_block_max_ts = last_ts;
  deltas.clear();
  delta_gcd = 0;
  ts_bytes = 0;
  len_stream.clear();
  meta_stream.clear();
  text.clear();
  block_entries = 0;
  block_has_metadata = false;
  return Status::OK();
}

ChunkBuilder::ChunkBuilder(const ChunkOptions& options) : rep_(new Rep) {
  rep_->options = options;
  rep_->block_target = std::clamp<size_t>(options.block_target_bytes, 1, kMaxBlockTargetBytes);
  for (Encoding e : {options.encoding, options.ts_encoding}) {
    if (!rep_->error.ok()) break;
    switch (e) {
      case Encoding::kNone:
      case Encoding::kSnappy:
      case Encoding::kLz4:
        break;
      case Encoding::kZstd: {
        // Surface a bad level now rather than at the first block flush.
        std::string probe;
        rep_->error = Compress(Encoding::kZstd, {}, &probe, options.zstd_level);
        break;
      }
      default:
        rep_->error = Status::InvalidArgument("unknown chunk encoding " +
                                              std::to_string(static_cast<int>(e)));
    }
  }
  std::string& c = rep_->chunk;
  PutFixed32(&c, kChunkMagic);
  c.push_back(static_cast<char>(kChunkVersion));
  c.push_back(static_cast<char>(options.encoding));
  c.push_back(static_cast<char>(options.ts_encoding));
  c.push_back('\0');
  const size_t reserve = std::min(rep_->block_target, size_t{1} << 20);
  rep_->text.reserve(reserve + 1024);
}

ChunkBuilder::~ChunkBuilder() { delete rep_; }

Status ChunkBuilder::Append(int64_t ts_ns, std::string_view line, std::string_view metadata) {
  Rep& r = *rep_;
  if (!r.error.ok()) return r.error;
  if (r.finished) return Status::InvalidArgument("Append after Finish");
  if (r.num_entries > 0 && ts_ns < r.last_ts) {
    return Status::InvalidArgument("entry out of order: ts " + std::to_string(ts_ns) +
                                   " < previous " + std::to_string(r.last_ts));
  }
  if (line.size() + metadata.size() > kMaxEntryBytes) {
    return Status::InvalidArgument(
        "entry too large: " + std::to_string(line.size() + metadata.size()) + " bytes (max " +
        std::to_string(kMaxEntryBytes) + ")");
  }

  if (r.block_entries == 0) {
    r.block_min_ts = ts_ns;
    r.ts_bytes += VarintLength(ZigZagEncode(ts_ns));
  } else {
    const uint64_t delta = static_cast<uint64_t>(ts_ns) - static_cast<uint64_t>(r.last_ts);
    r.deltas.push_back(delta);
    r.ts_bytes += VarintLength(delta);
    if (delta != 0 && r.delta_gcd != 1) r.delta_gcd = std::gcd(r.delta_gcd, delta);
  }
  PutVarint32(&r.len_stream, static_cast<uint32_t>(line.size()));
  if (!metadata.empty() && !r.block_has_metadata) {
    // First entry of the block with metadata: the ones before it had none.
    r.block_has_metadata = true;
    r.meta_stream.assign(r.block_entries, '\0');
  }
  if (r.block_has_metadata) PutVarint32(&r.meta_stream, static_cast<uint32_t>(metadata.size()));
  r.text.append(line);
  r.text.append(metadata);

  ++r.block_entries;
  ++r.num_entries;
  r.uncompressed_bytes += line.size() + metadata.size();
  r.last_ts = ts_ns;

  if (r.BlockBytes() >= r.block_target) {
    r.error = r.FlushBlock();
    return r.error;
  }
  return Status::OK();
}

size_t ChunkBuilder::num_entries() const { return rep_->num_entries; }

size_t ChunkBuilder::uncompressed_bytes() const { return rep_->uncompressed_bytes; }

Result<std::string> ChunkBuilder::Finish() {
  Rep& r = *rep_;
  if (!r.error.ok()) return r.error;
  if (r.finished) return Status::InvalidArgument("Finish called twice");
  if (r.num_entries == 0) return Status::InvalidArgument("cannot finish an empty chunk");
  r.finished = true;
  r.error = r.FlushBlock();
  if (!r.error.ok()) return r.error;

  std::string& c = r.chunk;
  const size_t index_start = c.size();
  PutVarint64(&c, r.num_blocks);
  c.append(r.index);
  const size_t index_size = c.size() - index_start;
  if (index_size > UINT32_MAX) return Status::Internal("chunk index too large");
  const uint32_t crc =
      crc32c::Extend(crc32c::Value(c.data(), kHeaderSize), c.data() + index_start, index_size);
  PutFixed32(&c, static_cast<uint32_t>(index_size));
  PutFixed32(&c, crc);
  PutFixed32(&c, kChunkMagic);
  return std::move(c);
}

}  // namespace sawmill::storage
