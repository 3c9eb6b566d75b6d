#include "storage/chunk_block.h"

#include <string>

#include "storage/crc32c.h"

namespace sawmill::storage {
namespace {

// Set when the calling thread's cache is destroyed (thread exit); trivially destructible, so
// it can still be read by a SectionBuffer destroyed after that: such buffers are just freed.
thread_local bool buffer_cache_gone = false;

// The section buffers a thread has released, for its next SectionBuffer::Reserve.
class BufferCache {
 public:
  BufferCache() = default;
  ~BufferCache() { buffer_cache_gone = true; }

  static constexpr size_t kSlots = 4;
  static constexpr size_t kMaxBytes = size_t{1} << 20;

  // The smallest cached buffer of at least n bytes (capacity in *cap), or null.
  std::unique_ptr<char[]> Take(size_t n, size_t* cap) {
    size_t best = kSlots;
    for (size_t i = 0; i < kSlots; ++i) {
      if (buf_[i] != nullptr && cap_[i] >= n && (best == kSlots || cap_[i] < cap_[best])) best = i;
    }
    if (best == kSlots) return nullptr;
    *cap = cap_[best];
    return std::move(buf_[best]);
  }

  // Keeps the buffer in a free slot, else in place of a smaller one (which is freed); frees a
  // buffer it does not keep.
  void Give(std::unique_ptr<char[]> buf, size_t cap) {
    if (buf == nullptr || cap > kMaxBytes) return;
    size_t slot = kSlots;
    for (size_t i = 0; i < kSlots; ++i) {
      if (buf_[i] == nullptr) {
        slot = i;
        break;
      }
      if (cap_[i] < cap && (slot == kSlots || cap_[i] < cap_[slot])) slot = i;
    }
    if (slot == kSlots) return;
    buf_[slot] = std::move(buf);
    cap_[slot] = cap;
  }

 private:
  std::unique_ptr<char[]> buf_[kSlots];
  size_t cap_[kSlots] = {};
};

thread_local BufferCache buffer_cache;

Status LoadSection(Encoding e, const BlockLocation& b, std::string_view compressed, uint32_t crc,
                   uint32_t raw, const char* name, SectionBuffer* buf, std::string_view* out) {
  if (crc32c::Value(compressed) != crc) {
    return BlockCorruption(b, std::string(name) + " section checksum mismatch");
  }
  if (e == Encoding::kNone) {
    // Stored as is: hand out views of the chunk itself.
    if (compressed.size() != raw) return BlockCorruption(b, "stored section size mismatch");
    *out = compressed;
    return Status::OK();
  }
  char* dst = buf->Reserve(raw);
  Status s = DecompressTo(e, compressed, dst, raw);
  if (!s.ok()) return BlockCorruption(b, std::string(name) + " section: " + s.message());
  *out = std::string_view(dst, raw);
  return Status::OK();
}

}  // namespace

SectionBuffer::~SectionBuffer() {
  if (!buffer_cache_gone) buffer_cache.Give(std::move(buf_), capacity_);
}

void SectionBuffer::Grow(size_t n) {
  size_t cap = 0;
  if (!buffer_cache_gone) {
    buffer_cache.Give(std::move(buf_), capacity_);
    buf_ = buffer_cache.Take(n, &cap);
  }
  if (buf_ == nullptr || cap < n) {
    cap = n < 4096 ? 4096 : n;
    buf_.reset(new char[cap]);
  }
  capacity_ = cap;
}

Status BlockCorruption(const BlockLocation& b, std::string_view what) {
  return Status::Corruption("chunk block " + std::to_string(b.block) + ": " + std::string(what));
}

Status LoadTsSection(Encoding e, const BlockLocation& b, SectionBuffer* buf,
                     std::string_view* out) {
  return LoadSection(e, b, b.ts_compressed, b.ts_crc, b.ts_raw, "ts", buf, out);
}

Status LoadTextSection(Encoding e, const BlockLocation& b, SectionBuffer* buf,
                       std::string_view* out) {
  return LoadSection(e, b, b.text_compressed, b.text_crc, b.text_raw, "text", buf, out);
}

bool TsCursor::Init(std::string_view section, const BlockLocation& b) {
  uint64_t ts_bytes, len_bytes;
  if (!GetVarint64(&section, &ts_bytes) || !GetVarint64(&section, &len_bytes) ||
      !GetVarint64(&section, &unit_) || unit_ == 0) {
    return false;
  }
  if (ts_bytes > section.size() || len_bytes > section.size() - ts_bytes) return false;
  ts_p_ = section.data();
  ts_end_ = ts_p_ + ts_bytes;
  len_p_ = ts_end_;
  len_end_ = len_p_ + len_bytes;
  meta_p_ = len_end_;
  meta_end_ = section.data() + section.size();
  meta_stream_ = meta_p_ != meta_end_;
  remaining_ = b.num_entries;
  max_ts_ = b.max_ts;
  line_bytes_ = 0;
  first_ = true;
  uint64_t first;
  if (!ReadVarint(&ts_p_, ts_end_, &first)) return false;
  ts_ = ZigZagDecode(first);
  return ts_ == b.min_ts && remaining_ > 0;
}

bool TsCursor::Finish(const BlockLocation& b, bool metadata_read) const {
  if (remaining_ != 0 || ts_p_ != ts_end_ || len_p_ != len_end_ || ts_ != b.max_ts) return false;
  if (metadata_read && meta_p_ != meta_end_) return false;
  // Without metadata the lines are the whole text; with it they are part of it.
  return meta_stream_ ? line_bytes_ <= b.text_raw : line_bytes_ == b.text_raw;
}

}  // namespace sawmill::storage
