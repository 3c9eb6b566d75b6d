// A decoder of Snappy's raw format (a varint32 uncompressed length, then literal and copy
// tags: https://github.com/google/snappy/blob/main/format_description.txt), used for every
// chunk section read. It accepts exactly the inputs snappy::RawUncompress accepts and
// produces the same bytes (tests/fuzz/snappy_fuzzer.cc compares them), but copies inline:
// the packaged libsnappy 1.1.9 calls memmove through the PLT for every copy tag, which was
// half of its decompression time on log text. Compression still goes through libsnappy.
#pragma once

#include <cstddef>
#include <string_view>

namespace sawmill::storage {

// Parses the uncompressed length at the head of `input` as snappy::GetUncompressedLength
// does (at most 5 bytes, a value below 2^32). False when the header is malformed.
bool SnappyUncompressedLength(std::string_view input, size_t* length);

// Decompresses `input` into dst[0, size). True only when the header says `size`, every tag
// is well formed, no copy reaches before the start of the output and the tags produce
// exactly `size` bytes, consuming the whole input. Never reads outside `input` nor writes
// outside dst[0, size), whatever the input; on false, dst's contents are unspecified.
// Thread-safe.
bool SnappyDecompress(std::string_view input, char* dst, size_t size);

}  // namespace sawmill::storage
