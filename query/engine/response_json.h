// Loki's JSON answers for the query API, written byte for byte as Loki writes them (key
// order included: Grafana's streaming parser needs `encodingFlags` before `result` and
// `stats` after it):
//
//   {"status":"success","data":{"resultType":"streams","result":[
//     {"stream":{"job":"x"},"values":[["1700000000000000000","line"],...]}],"stats":{...}}}
//
// With the categorize-labels encoding, `"encodingFlags":["categorize-labels"]` comes before
// `result`, `stream` holds the stream labels only, and every value has a third element
// `{"structuredMetadata":{...},"parsed":{...}}` (empty parts left out, so `{}` is possible).
//
// Strings are escaped as Loki's encoder does (", \, \n, \r, \t, other control bytes as \u00XX);
// invalid UTF-8 becomes U+FFFD so the answer is always valid JSON.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "index/labels.h"
#include "query/engine/log_query.h"
#include "query/engine/stats.h"

namespace sawmill::query::engine {

// Go's time.RFC3339Nano (how Go's encoding/json writes a time.Time): the fraction loses its
// trailing zeros, and its dot when it is zero.
std::string GoRfc3339Nano(int64_t ts_ns);

// Appends `s` as a JSON string, quotes included.
void AppendJsonString(std::string* out, std::string_view s);
// Appends {"name":"value",...} in the labels' order.
void AppendJsonLabels(std::string* out, std::span<const index::Label> labels);

// One log value, `["<ts ns>","<line>"]`, with the categorize-labels third element
// `{"structuredMetadata":{...},"parsed":{...}}` (empty parts left out) when `categorize_labels`.
// Shared by query answers and tail messages.
void AppendJsonLogValue(std::string* out, int64_t ts_ns, std::string_view line,
                        std::span<const index::Label> structured_metadata,
                        std::span<const index::Label> parsed, bool categorize_labels);

// The `stats` object (Loki 2.8's layout: summary, querier.store, ingester, cache).
void AppendStatsJson(std::string* out, const QueryStats& stats);

// The whole answer of a log query.
std::string StreamsResponseJson(const LogQueryResult& result, bool categorize_labels);

// {"status":"success","data":["a","b"]}
std::string StringListResponseJson(std::span<const std::string> values);
// {"status":"success","data":[{"a":"x"},...]}
std::string SeriesResponseJson(std::span<const SelectedStream> series);

// The legacy /api/prom/query answer: {"streams":[{"labels":"{a=\"x\"}","entries":
// [{"ts":"2026-11-20T00:00:00.5Z","line":"..."}]}],"stats":{...}}
std::string LegacyStreamsResponseJson(const LogQueryResult& result);
// The legacy /api/prom/label answers: {"values":["a","b"]}
std::string LegacyValuesResponseJson(std::span<const std::string> values);

}  // namespace sawmill::query::engine
