// PushRequest: one decoded push body, independent of its wire format (Loki's JSON or
// logproto protobuf). The decoders (json_push.h, protobuf_push.h) fill it; validation (label
// syntax, line size, timestamps windows, limits) happens later, on this form.
//
// Lifetime: every string_view in a PushRequest points into bytes owned by its `storage`
// member, never into the caller's body. Storage blocks are heap strings that are never
// resized once views point into them, so a PushRequest can be moved freely (std::deque's
// move keeps its elements in place); it must not be copied (the copy's views would point
// into the original). Views die with the PushRequest.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "storage/status.h"

namespace sawmill::ingest {

// Default cap on the streams + entries + structured metadata pairs a decoder materialises
// for one request (ResourceExhausted past it). An empty protobuf entry is 2 bytes on the wire
// (9 in JSON) but ~50 decoded, so without a cap a 64 MiB body of empty entries would take
// 1.6 GB; with it, items take at most ~200 MB. 4 Mi is ~8x the entries of a 64 MiB body of
// 130-byte lines.
inline constexpr size_t kDefaultMaxPushItems = size_t{4} << 20;

struct PushEntry {
  int64_t ts_ns = 0;  // Unix epoch nanoseconds.
  std::string_view line;
  // Structured metadata, in the order received (not validated, not deduplicated).
  std::vector<std::pair<std::string_view, std::string_view>> metadata;
};

struct PushStream {
  // The stream's label set as Loki's label string, e.g. `{app="web", env="prod"}`. For
  // protobuf bodies it is the client's string as sent (not yet parsed or validated); for JSON
  // bodies the decoder renders it from the "stream" object, sorted by name.
  std::string_view labels;
  std::vector<PushEntry> entries;
};

struct PushRequest {
  PushRequest() = default;
  PushRequest(const PushRequest&) = delete;
  PushRequest& operator=(const PushRequest&) = delete;
  PushRequest(PushRequest&&) = default;
  PushRequest& operator=(PushRequest&&) = default;

  std::vector<PushStream> streams;
  // The body as received when the store may keep it as the push's head record instead of a
  // copy of the entries (storage::WriteSource; ingest/head_source.h): a Snappy protobuf body.
  // Unlike the views above, `source` points into the caller's body, valid while that lives.
  uint8_t source_format = 0;  // 0: none
  std::string_view source;
  // Owns the bytes the views above point into (see the file comment). Blocks are appended,
  // never modified in a way that moves their bytes.
  std::deque<std::string> storage;

  // Moves `bytes` into storage and returns a view of them, valid for the life of *this.
  std::string_view Own(std::string bytes) {
    storage.push_back(std::move(bytes));
    return storage.back();
  }

  size_t EntryCount() const {
    size_t n = 0;
    for (const PushStream& s : streams) n += s.entries.size();
    return n;
  }
};

// Used by the decoders: counts the streams, entries and metadata pairs they allocate against
// the caller's limit.
class PushItemBudget {
 public:
  explicit PushItemBudget(size_t max_items) : left_(max_items), max_(max_items) {}
  Status Take(size_t n = 1) {
    if (left_ < n) {
      return Status::ResourceExhausted("push request has more than " + std::to_string(max_) +
                                       " streams, entries and structured metadata pairs");
    }
    left_ -= n;
    return Status::OK();
  }

 private:
  size_t left_;
  const size_t max_;
};

}  // namespace sawmill::ingest
