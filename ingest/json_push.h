// Decodes the body of a JSON push (`Content-Type: application/json`, Loki's v1 format):
//
//   {"streams": [{"stream": {"app": "web", "env": "prod"},
//                 "values": [["1700000000000000000", "a line"],
//                            ["1700000000000000001", "a line", {"trace_id": "abc"}]]}]}
//
// As in Loki (pkg/loghttp/entry.go): a timestamp is a JSON string holding a base-10 int64 of
// Unix nanoseconds (a JSON number is refused); the line is a string; the optional third item is
// an object of string structured-metadata values; unknown object keys are ignored; null for
// "streams", "stream", "values", a line or the metadata object reads as empty.
//
// The "stream" object is rendered to Loki's label string `{app="web", env="prod"}`: sorted by
// name (a repeated name keeps its last value, like Go's map), values quoted with `\\`, `\"`
// and `\n` escaped. Names and values are not validated here.
//
// A hand-written single-pass parser: strings without escapes are views into an owned copy of
// the body, escaped strings are unescaped in place. Nesting of ignored values is limited to
// kMaxJsonDepth; the decoded form takes at most ~8x the body size.
#pragma once

#include <string>
#include <string_view>

#include "ingest/push_request.h"
#include "storage/status.h"

namespace sawmill::ingest {

inline constexpr int kMaxJsonDepth = 64;

// Decodes `body` into *out (replacing its contents; *out keeps a copy of the bytes it needs).
// Malformed JSON or a body that does not follow the format is an InvalidArgument whose
// message names the place ("streams[2].values[5][0]") or the byte offset. On error *out is
// unspecified.
Status DecodeJsonPush(std::string_view body, PushRequest* out);

// Same, taking ownership of the body to avoid a copy (e.g. after Gunzip).
Status DecodeJsonPushOwned(std::string body, PushRequest* out);

}  // namespace sawmill::ingest
