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
// A single pass over an owned copy of the body with JsonReader (json_reader.h): strings
// without escapes are views into the copy, escaped strings are unescaped in place. Nesting of
// ignored values is limited to kMaxJsonDepth (json_reader.h); the decoded form takes ~50 bytes
// per item (push_request.h: kDefaultMaxPushItems) besides the body copy.
#pragma once

#include <string>
#include <string_view>

#include "ingest/push_request.h"
#include "storage/status.h"

namespace sawmill::ingest {

// Decodes `body` into *out (replacing its contents; *out keeps a copy of the bytes it needs).
// Malformed JSON or a body that does not follow the format is an InvalidArgument whose
// message names the place ("streams[2].values[5][0]") or the byte offset; more than
// `max_items` streams + entries + metadata pairs is ResourceExhausted. On error *out is
// unspecified.
Status DecodeJsonPush(std::string_view body, PushRequest* out,
                      size_t max_items = kDefaultMaxPushItems);

// Same, taking ownership of the body to avoid a copy (e.g. after Gunzip).
Status DecodeJsonPushOwned(std::string body, PushRequest* out,
                           size_t max_items = kDefaultMaxPushItems);

// The legacy JSON format of `/api/prom/push` (Loki's pkg/util/unmarshal/legacy):
//
//   {"streams": [{"labels": "{app=\"web\"}",
//                 "entries": [{"ts": "2019-09-13T18:32:22.380001319Z", "line": "a line",
//                              "structuredMetadata": {"trace_id": "abc"}}]}]}
//
// "labels" is kept as sent; "ts" is an RFC 3339 string (Go's time.Time JSON form: optional
// fraction of up to 9 digits, `Z` or a `+hh:mm` offset). Same errors and lifetime as above.
Status DecodeLegacyJsonPush(std::string_view body, PushRequest* out,
                            size_t max_items = kDefaultMaxPushItems);
Status DecodeLegacyJsonPushOwned(std::string body, PushRequest* out,
                                 size_t max_items = kDefaultMaxPushItems);

}  // namespace sawmill::ingest
