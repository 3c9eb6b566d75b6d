// Decodes the body of a protobuf push (`Content-Type: application/x-protobuf`): Snappy block
// compression (not the framed format) around Loki's logproto.PushRequest, what Promtail,
// Alloy, Fluent Bit and winston-loki send by default. A reader of our own, no libprotobuf.
//
// Messages and field numbers (grafana/loki pkg/push/push.proto):
//   message PushRequest      { repeated StreamAdapter streams = 1; string format = 2; }
//   message StreamAdapter    { string labels = 1; repeated EntryAdapter entries = 2;
//                              uint64 hash = 3; }
//   message EntryAdapter     { google.protobuf.Timestamp timestamp = 1; string line = 2;
//                              repeated LabelPairAdapter structuredMetadata = 3; }
//   message LabelPairAdapter { string name = 1; string value = 2; }
//   message Timestamp        { int64 seconds = 1; int32 nanos = 2; }
// Unknown fields (format, hash, and anything newer) are skipped.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "ingest/push_request.h"
#include "storage/status.h"

namespace sawmill::ingest {

// Cap on the uncompressed size of a push body, checked before decompressing.
inline constexpr size_t kDefaultMaxUncompressedPush = size_t{64} << 20;

// Decompresses and decodes `snappy_body` into *out (replacing its contents). Returns
// ResourceExhausted when the body announces more than `max_uncompressed` bytes or holds more
// than `max_items` items, and InvalidArgument for bad Snappy or a malformed message. On error
// *out is unspecified. Memory: the uncompressed bytes plus ~50 bytes per item.
Status DecodeProtobufPush(std::string_view snappy_body, PushRequest* out,
                          size_t max_uncompressed = kDefaultMaxUncompressedPush,
                          size_t max_items = kDefaultMaxPushItems);

// Decodes an uncompressed logproto.PushRequest, taking ownership of its bytes.
Status DecodeLogprotoPush(std::string wire, PushRequest* out,
                          size_t max_items = kDefaultMaxPushItems);

// Encodes `req` as an uncompressed logproto.PushRequest (for tests, benchmarks and load
// generators; the timestamps are split into seconds and nanos as Go clients do).
std::string EncodeLogprotoPush(const PushRequest& req);

}  // namespace sawmill::ingest
