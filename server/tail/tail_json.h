// The messages of the tail WebSocket, one JSON text message per batch, as Loki writes them.
//
// /loki/api/v1/tail (Loki's loghttp.TailResponse; both keys are omitted when empty, and each
// entry is a stream of its own, as Loki's querier builds them):
//   {"streams":[{"stream":{"app":"api"},"values":[["1700000000000000000","line"]]}],
//    "dropped_entries":[{"timestamp":"1700000000000000000","labels":{"app":"api"}}]}
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
                            std::span<const DroppedEntry> dropped);
std::string LegacyTailMessageJson(std::span<const TailEntry> entries,
                                  std::span<const DroppedEntry> dropped);

}  // namespace sawmill::server
