#include "storage/metadata.h"

#include <cstdint>

#include "storage/coding.h"

namespace sawmill::storage {

std::string EncodeMetadata(const MetadataPairs& pairs) {
  std::string out;
  if (pairs.empty()) return out;
  size_t size = 10;
  for (const auto& [key, value] : pairs) size += key.size() + value.size() + 20;
  out.reserve(size);
  PutVarint64(&out, pairs.size());
  for (const auto& [key, value] : pairs) {
    PutLengthPrefixed(&out, key);
    PutLengthPrefixed(&out, value);
  }
  return out;
}

bool DecodeMetadata(std::string_view encoded,
                    std::vector<std::pair<std::string_view, std::string_view>>* out) {
  out->clear();
  if (encoded.empty()) return true;
  uint64_t count = 0;
  if (!GetVarint64(&encoded, &count)) return false;
  // Each pair takes at least two bytes (two empty length prefixes): bounds the reservation.
  if (count > encoded.size() / 2) return false;
  out->reserve(count);
  for (uint64_t i = 0; i < count; ++i) {
    std::string_view key, value;
    if (!GetLengthPrefixed(&encoded, &key) || !GetLengthPrefixed(&encoded, &value)) {
      out->clear();
      return false;
    }
    out->emplace_back(key, value);
  }
  if (!encoded.empty()) {
    out->clear();
    return false;
  }
  return true;
}

}  // namespace sawmill::storage
