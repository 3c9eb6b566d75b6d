// The messages of the tail WebSocket, one JSON text message per batch, as Loki writes them.
//
// /loki/api/v1/tail (Loki 3's marshal.EncodeTailResult: "streams" always, dropped_entries
// only when there are some; each entry is a stream of its own, as Loki's querier builds them):
//   {"streams":[{"stream":{"app":"api"},"values":[["1700000000000000000","line"]]}],
//    "dropped_entries":[{"timestamp":"1700000000000000000","labels":{"app":"api"}}]}
// With the categorize-labels encoding (the request's X-Loki-Response-Encoding-Flags), each
// value has a third element with the entry's structured metadata and parsed labels (each key
// only when non-empty), the stream holds the stream labels alone, and the message ends with
// "encodingFlags":["categorize-labels"]:
//   {"streams":[{"stream":{"app":"api"},"values":[["1700000000000000000","line",
//    {"structuredMetadata":{"trace_id":"abc"}}]]}],"encodingFlags":["categorize-labels"]}
//
// /api/prom/tail (the legacy TailResponse, Go's encoding/json of its structs: no omission,
// null for an empty list, RFC 3339 times):
//   {"streams":[{"labels":"{app=\"api\"}","entries":[{"ts":"2023-11-14T22:13:20Z",
//    "line":"line"}]}],"dropped_entries":[{"Timestamp":"2023-11-14T22:13:20Z",
//    "Labels":"{app=\"api\"}"}]}
#pragma once

#include <span>
#include <string>

#include "server/tail/tail_hub.h"

namespace sawmill::server {

std::string TailMessageJson(std::span<const TailEntry> entries,
                            std::span<const DroppedEntry> dropped, bool categorize_labels = false);
std::string LegacyTailMessageJson(std::span<const TailEntry> entries,
                                  std::span<const DroppedEntry> dropped);

}  // namespace sawmill::server
