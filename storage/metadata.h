// Structured metadata of one log entry (Loki's string key/value pairs attached to a line,
// not indexed). Encoded as: varint count, then count x (length-prefixed key,
// length-prefixed value). The empty string encodes "no metadata".
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sawmill::storage {

using MetadataPairs = std::vector<std::pair<std::string, std::string>>;

std::string EncodeMetadata(const MetadataPairs& pairs);

// Returns false when `encoded` is malformed.
bool DecodeMetadata(std::string_view encoded,
                    std::vector<std::pair<std::string_view, std::string_view>>* out);

}  // namespace sawmill::storage
