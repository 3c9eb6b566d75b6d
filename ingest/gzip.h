// Gunzip: decompresses a gzip body (`Content-Encoding: gzip`, RFC 1952) with zlib, bounded:
// the output never grows past the caller's limit, whatever the input claims.
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

}  // namespace sawmill::ingest
