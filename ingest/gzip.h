// Decompression of HTTP push bodies with zlib (`Content-Encoding: gzip` and `deflate`),
// bounded: the output never grows past the caller's limit, whatever the input claims.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "storage/status.h"

namespace sawmill::ingest {

// Decompresses `in` into *out (replacing its contents). Concatenated gzip members are
// decoded one after another, as Go's gzip.Reader does. Returns ResourceExhausted as soon as
// the output would exceed `max_out` bytes, and InvalidArgument for input that is not gzip,
// is corrupt (bad checksum included) or is truncated.
Status Gunzip(std::string_view in, size_t max_out, std::string* out);

// `Content-Encoding: deflate`: Loki reads it as raw DEFLATE (RFC 1951, Go's flate.NewReader);
// RFC 9110 means the zlib format (RFC 1950), which some clients send. Both are accepted (a
// zlib header is recognised, its Adler-32 checked). Same errors and bound as Gunzip.
Status Inflate(std::string_view in, size_t max_out, std::string* out);

}  // namespace sawmill::ingest
