// Loki 3's detected fields (`/loki/api/v1/detected_fields` and
// `/loki/api/v1/detected_field/<name>/values`), as its querier computes them
// (pkg/querier/querier.go: parseDetectedFields, parseEntry, determineType):
//
//   - the query (a log query, pipeline allowed) runs backward with the categorize-labels
//     encoding and a line limit (`line_limit`, default 1000);
//   - every structured metadata key of a sampled entry is a field with no parser (`null`);
//   - every label the query's own parsers added is a field, and the line is parsed with `json`
//     and, if that fails, with `logfmt`: the labels found are fields and the parser that
//     worked is listed in the field's `parsers`;
//   - a field's type is that of its last value seen: int, float, boolean, duration, bytes, else
//     string (Go's strconv.ParseInt, ParseFloat, ParseBool, time.ParseDuration,
//     humanize.ParseBytes, tried in that order);
//   - cardinality is the exact number of distinct values (Loki estimates it with HyperLogLog);
//   - at most `field_limit` fields (default 1000) are kept, first found first; the answer
//     lists them by name (Loki's order is a Go map's).
//
// Thread-safety: reentrant; the querier and pool are shared as the log query engine does.
#pragma once

#include <chrono>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "query/engine/querier.h"
#include "query/engine/query_guard.h"
#include "query/engine/thread_pool.h"
#include "storage/result.h"

namespace sawmill::query::engine {

struct DetectedFieldsParams {
  std::string tenant;
  std::string query;  // LogQL log query
  int64_t start_ns = 0;
  int64_t end_ns = 0;
  size_t line_limit = 1000;
  size_t field_limit = 1000;
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  // The request's guard (time-out, cancellation, memory budget); `deadline` is used when null.
  QueryGuard* guard = nullptr;
};

struct DetectedField {
  std::string label;
  std::string type;                  // "string", "int", "float", "boolean", "duration", "bytes"
  std::vector<std::string> parsers;  // empty is written as null
  std::set<std::string> values;
};

// Fields sorted by label. Errors: the query's parse error (InvalidArgument with Loki's text),
// a metric query (InvalidArgument), and the log query engine's.
Result<std::vector<DetectedField>> DetectFields(Querier* querier, ThreadPool* pool,
                                                const DetectedFieldsParams& params);

// Loki's type name of one value.
std::string_view DetectFieldType(std::string_view value);

// {"fields":[{"label":"a","type":"int","cardinality":3,"parsers":["logfmt"]}],"limit":1000}
std::string DetectedFieldsJson(const std::vector<DetectedField>& fields, size_t limit);
// {"values":["a","b"]}: the values of the field named `name`, sorted, at most `limit`.
std::string DetectedFieldValuesJson(const std::vector<DetectedField>& fields, std::string_view name,
                                    size_t limit);

}  // namespace sawmill::query::engine
