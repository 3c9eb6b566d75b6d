#include "ingest/head_source.h"

#include <cstddef>
#include <utility>

#include "ingest/protobuf_push.h"
#include "ingest/push_body.h"
#include "storage/metadata.h"

namespace sawmill::ingest {

std::string_view EncodeEntryMetadata(const PushEntry& entry, std::deque<std::string>* owned) {
  if (entry.metadata.empty()) return {};
  storage::MetadataPairs pairs;
  pairs.reserve(entry.metadata.size());
  for (const auto& [k, v] : entry.metadata) pairs.emplace_back(std::string(k), std::string(v));
  return owned->emplace_back(storage::EncodeMetadata(pairs));
}

Status DecodeHeadSource(uint8_t format, std::string_view body, storage::DecodedSource* out) {
  if (format != kSnappyLogprotoSource) {
    return Status::Corruption("unknown head record body format " + std::to_string(format));
  }
  // Under the limits the push handler decoded it with (push_body.h): a body it took fits, and
  // a damaged record allocates no more than a push could.
  const PushBodyLimits limits;
  PushRequest request;
  SAW_RETURN_IF_ERROR(
      DecodeProtobufPush(body, &request, limits.max_decompressed, limits.max_items));
  out->streams.clear();
  out->bytes = std::move(request.storage);  // a deque's move leaves its elements in place
  out->streams.reserve(request.streams.size());
  for (const PushStream& s : request.streams) {
    std::vector<storage::EntryRef>& entries = out->streams.emplace_back();
    entries.reserve(s.entries.size());
    for (const PushEntry& e : s.entries) {
      entries.push_back({e.ts_ns, e.line, EncodeEntryMetadata(e, &out->bytes)});
    }
  }
  return Status::OK();
}

}  // namespace sawmill::ingest
