// Block encodings of chunks. Every chunk records its encoding, so a store holding chunks
// written with different settings reads them all.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "storage/result.h"
#include "storage/status.h"

namespace sawmill::storage {

enum class Encoding : uint8_t {
  kNone = 0,
  kSnappy = 1,  // the default
  kZstd = 2,
  kLz4 = 3,
};

// "none", "snappy", "zstd", "lz4".
std::string_view EncodingName(Encoding e);
Result<Encoding> ParseEncoding(std::string_view name);

// Appends the compressed form of `input` to `*out`. `level` is used by zstd only.
Status Compress(Encoding e, std::string_view input, std::string* out, int level = 1);

// Decompresses `input` into `*out` (replacing its contents). `expected_size` is the
// uncompressed size recorded by the writer; a mismatch is Corruption. Never allocates more
// than `expected_size` bytes, whatever the input says.
Status Decompress(Encoding e, std::string_view input, size_t expected_size, std::string* out);

// Like Decompress, but into a caller-owned buffer dst[0, size): the form readers use to
// reuse one buffer across blocks. Corruption unless the input decompresses to exactly `size`
// bytes; never writes past dst + size. Thread-safe (zstd contexts are per thread).
Status DecompressTo(Encoding e, std::string_view input, char* dst, size_t size);

}  // namespace sawmill::storage
