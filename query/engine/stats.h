// What a query did, for the `stats` object of Loki's query responses (response_json.h) and
// for the logs. Counters are summed over the streams a query read.
#pragma once

#include <cstdint>

namespace sawmill::query::engine {

struct QueryStats {
  uint64_t streams = 0;            // streams the selector matched
  uint64_t lines_scanned = 0;      // entries read from the store, before any filter
  uint64_t bytes_scanned = 0;      // their line + structured metadata bytes
  uint64_t post_filter_lines = 0;  // entries the pipeline kept
  uint64_t entries_returned = 0;   // entries in the answer
  uint64_t duplicates = 0;         // identical entries merged away
  double exec_seconds = 0;         // wall time of the execution

  void Add(const QueryStats& o) {
    streams += o.streams;
    lines_scanned += o.lines_scanned;
    bytes_scanned += o.bytes_scanned;
    post_filter_lines += o.post_filter_lines;
    entries_returned += o.entries_returned;
    duplicates += o.duplicates;
  }
};

}  // namespace sawmill::query::engine
