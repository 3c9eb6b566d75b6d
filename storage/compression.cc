#include "storage/compression.h"

#include <lz4.h>
#include <snappy.h>
#include <zstd.h>

#include <climits>
#include <cstring>
#include <memory>

#include "storage/snappy_decompress.h"

namespace sawmill::storage {
namespace {

// zstd contexts are reused per thread: creating one costs more than compressing a small block.
struct ZstdCCtxDeleter {
  void operator()(ZSTD_CCtx* c) const { ZSTD_freeCCtx(c); }
};
struct ZstdDCtxDeleter {
  void operator()(ZSTD_DCtx* d) const { ZSTD_freeDCtx(d); }
};

ZSTD_CCtx* ThreadCCtx() {
  thread_local std::unique_ptr<ZSTD_CCtx, ZstdCCtxDeleter> ctx(ZSTD_createCCtx());
  return ctx.get();
}
ZSTD_DCtx* ThreadDCtx() {
  thread_local std::unique_ptr<ZSTD_DCtx, ZstdDCtxDeleter> ctx(ZSTD_createDCtx());
  return ctx.get();
}

Status SizeMismatch(Encoding e, size_t got, size_t want) {
  return Status::Corruption(std::string(EncodingName(e)) + " block decompresses to " +
                            std::to_string(got) + " bytes, expected " + std::to_string(want));
}

}  // namespace

std::string_view EncodingName(Encoding e) {
  switch (e) {
    case Encoding::kNone:
      return "none";
    case Encoding::kSnappy:
      return "snappy";
    case Encoding::kZstd:
      return "zstd";
    case Encoding::kLz4:
      return "lz4";
  }
  return "unknown";
}

Result<Encoding> ParseEncoding(std::string_view name) {
  for (Encoding e : {Encoding::kNone, Encoding::kSnappy, Encoding::kZstd, Encoding::kLz4}) {
    if (name == EncodingName(e)) return e;
  }
  return Status::InvalidArgument("unknown encoding \"" + std::string(name) +
                                 "\" (want none, snappy, zstd or lz4)");
}

Status Compress(Encoding e, std::string_view input, std::string* out, int level) {
  const size_t old_size = out->size();
  switch (e) {
    case Encoding::kNone:
      out->append(input);
      return Status::OK();
    case Encoding::kSnappy: {
      // Into a buffer this thread keeps, then appended: growing *out to the worst case first
      // zero-filled ~1.17x the input for every block a flush compresses.
      thread_local std::unique_ptr<char[]> scratch;
      thread_local size_t scratch_size = 0;
      const size_t bound = snappy::MaxCompressedLength(input.size());
      if (scratch_size < bound) {
        scratch = std::make_unique_for_overwrite<char[]>(bound);
        scratch_size = bound;
      }
      size_t n = 0;
      snappy::RawCompress(input.data(), input.size(), scratch.get(), &n);
      out->append(scratch.get(), n);
      if (scratch_size > (4u << 20)) {  // a rare huge input: do not keep its buffer
        scratch.reset();
        scratch_size = 0;
      }
      return Status::OK();
    }
    case Encoding::kZstd: {
      if (level < ZSTD_minCLevel() || level > ZSTD_maxCLevel()) {
        return Status::InvalidArgument("zstd level " + std::to_string(level) + " out of range [" +
                                       std::to_string(ZSTD_minCLevel()) + ", " +
                                       std::to_string(ZSTD_maxCLevel()) + "]");
      }
      ZSTD_CCtx* cctx = ThreadCCtx();
      if (cctx == nullptr) return Status::ResourceExhausted("cannot create a zstd context");
      out->resize(old_size + ZSTD_compressBound(input.size()));
      size_t n = ZSTD_compressCCtx(cctx, out->data() + old_size, out->size() - old_size,
                                   input.data(), input.size(), level);
      if (ZSTD_isError(n)) {
        out->resize(old_size);
        return Status::Internal(std::string("zstd compression failed: ") + ZSTD_getErrorName(n));
      }
      out->resize(old_size + n);
      return Status::OK();
    }
    case Encoding::kLz4: {
      if (input.size() > LZ4_MAX_INPUT_SIZE) {
        return Status::InvalidArgument("input too large for lz4: " + std::to_string(input.size()) +
                                       " bytes");
      }
      const int src_size = static_cast<int>(input.size());
      const int bound = LZ4_compressBound(src_size);
      out->resize(old_size + bound);
      int n = LZ4_compress_default(input.data(), out->data() + old_size, src_size, bound);
      if (n <= 0 && src_size > 0) {
        out->resize(old_size);
        return Status::Internal("lz4 compression failed");
      }
      out->resize(old_size + n);
      return Status::OK();
    }
  }
  return Status::InvalidArgument("unknown encoding " + std::to_string(static_cast<int>(e)));
}

Status DecompressTo(Encoding e, std::string_view input, char* dst, size_t size) {
  switch (e) {
    case Encoding::kNone:
      if (input.size() != size) return SizeMismatch(e, input.size(), size);
      if (size > 0) std::memcpy(dst, input.data(), size);
      return Status::OK();
    case Encoding::kSnappy: {
      size_t n = 0;
      if (!SnappyUncompressedLength(input, &n)) {
        return Status::Corruption("bad snappy block header");
      }
      if (n != size) return SizeMismatch(e, n, size);
      // Our decoder rather than snappy::RawUncompress: the same inputs accepted, the same
      // output, 1.35-1.5x faster on log text with the packaged libsnappy (snappy_decompress.h).
      if (!SnappyDecompress(input, dst, size)) {
        return Status::Corruption("corrupt snappy block");
      }
      return Status::OK();
    }
    case Encoding::kZstd: {
      ZSTD_DCtx* dctx = ThreadDCtx();
      if (dctx == nullptr) return Status::ResourceExhausted("cannot create a zstd context");
      size_t n = ZSTD_decompressDCtx(dctx, dst, size, input.data(), input.size());
      if (ZSTD_isError(n)) {
        return Status::Corruption(std::string("corrupt zstd block: ") + ZSTD_getErrorName(n));
      }
      if (n != size) return SizeMismatch(e, n, size);
      return Status::OK();
    }
    case Encoding::kLz4: {
      if (input.size() > INT_MAX || size > INT_MAX) {
        return Status::Corruption("lz4 block too large");
      }
      int n = LZ4_decompress_safe(input.data(), dst, static_cast<int>(input.size()),
                                  static_cast<int>(size));
      if (n < 0) return Status::Corruption("corrupt lz4 block");
      if (static_cast<size_t>(n) != size) return SizeMismatch(e, n, size);
      return Status::OK();
    }
  }
  return Status::Corruption("unknown encoding " + std::to_string(static_cast<int>(e)));
}

Status Decompress(Encoding e, std::string_view input, size_t expected_size, std::string* out) {
  out->clear();
  // No encoding expands its input more than this (snappy: a 3-byte copy element makes at most
  // 64 bytes; lz4: ~255 bytes per extra length byte; zstd: a 4-byte RLE block makes 128 KiB),
  // so a size no input this short could decompress to is refused before it is allocated:
  // damaged or crafted data cannot make a reader allocate gigabytes.
  const size_t max_ratio = e == Encoding::kSnappy ? 22 : e == Encoding::kLz4 ? 256 : 32768;
  if (e != Encoding::kNone && expected_size / max_ratio > input.size() + 16) {
    return Status::Corruption(std::string(EncodingName(e)) + " block of " +
                              std::to_string(input.size()) + " bytes cannot decompress to " +
                              std::to_string(expected_size));
  }
  // Reject what the input itself says is the wrong size before allocating anything.
  if (e == Encoding::kNone && input.size() != expected_size) {
    return SizeMismatch(e, input.size(), expected_size);
  }
  if (e == Encoding::kSnappy) {
    size_t n = 0;
    if (!snappy::GetUncompressedLength(input.data(), input.size(), &n)) {
      return Status::Corruption("bad snappy block header");
    }
    if (n != expected_size) return SizeMismatch(e, n, expected_size);
  }
  if (e == Encoding::kZstd) {
    unsigned long long n = ZSTD_getFrameContentSize(input.data(), input.size());
    if (n == ZSTD_CONTENTSIZE_ERROR) return Status::Corruption("bad zstd frame header");
    if (n != ZSTD_CONTENTSIZE_UNKNOWN && n != expected_size) {
      return SizeMismatch(e, n, expected_size);
    }
  }
  out->resize(expected_size);
  Status s = DecompressTo(e, input, out->data(), expected_size);
  if (!s.ok()) out->clear();
  return s;
}

}  // namespace sawmill::storage
