// Execution of LogQL log queries (`{app="api"} |= "error" | json`): select the streams,
// read each one's entries in the requested direction, run the pipeline, keep the best
// `limit` entries over all streams, regroup them by their result label set.
//
// Ordering is Loki's (pkg/iter heap iterators): forward by timestamp ascending, backward by
// timestamp descending; equal timestamps by the result stream's label string, ascending;
// within one stream, entries of equal timestamp keep their stored order. Identical entries
// (same labels, timestamp and line) coming from different streams are returned once.
// Result streams are sorted by their label string.
//
// Streams are scanned in parallel on a ThreadPool. Memory is bounded by the limit: a shared
// cut-off (the timestamp of the limit-th best entry seen so far) lets each stream stop as
// soon as its next entry cannot make the answer. Streams are read best first by their
// Querier::Span (newest possible entry first, backward), and one whose span cannot make the
// answer is never opened, so a backward limit-100 query over recent data opens about the
// streams its answer comes from.
//
// Thread-safety: ExecuteLogQuery may run concurrently for different queries.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "index/labels.h"
#include "index/matcher.h"
#include "query/engine/querier.h"
#include "query/engine/query_guard.h"
#include "query/engine/stats.h"
#include "query/engine/thread_pool.h"
#include "query/log/pipeline.h"
#include "storage/result.h"

namespace sawmill::query::engine {

struct LogQueryParams {
  std::string tenant;
  std::vector<index::Matcher> matchers;     // the stream selector
  const log::Pipeline* pipeline = nullptr;  // REQUIRES: non-null, outlives the call
  int64_t start_ns = 0;                     // entries with start_ns <= ts < end_ns
  int64_t end_ns = 0;
  Direction direction = Direction::kBackward;
  size_t limit = 100;  // 0 returns nothing (Loki treats limit 0 as invalid earlier)
  // Group results by the stream labels alone and keep each entry's structured metadata and
  // parsed labels apart (the categorize-labels response encoding).
  bool categorize_labels = false;
  // Loki 2.8's query frontend behaviour (loki_frontend_merge.h): the range is split into
  // intervals of this length and the answer is picked as Loki's frontend merge picks it,
  // which is not always the exact best `limit` entries. 0 selects the exact best `limit`.
  // Default: Loki 2.8's split_queries_by_interval, 30m.
  int64_t loki_split_interval_ns = int64_t{30} * 60 * 1'000'000'000;
  // Used when `guard` is null.
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  // The query's deadline, cancellation and memory budget (query_guard.h): the kept lines are
  // charged to it. May be null; must outlive the call.
  QueryGuard* guard = nullptr;
};

struct ResultEntry {
  int64_t ts_ns = 0;
  std::string line;
  // Only with categorize_labels.
  std::vector<index::Label> structured_metadata;
  std::vector<index::Label> parsed;
};

struct ResultStream {
  index::LabelSet labels;
  std::vector<ResultEntry> entries;  // in the query's direction
};

struct LogQueryResult {
  std::vector<ResultStream> streams;  // sorted by labels.ToString()
  QueryStats stats;
};

// Runs the query. Errors: the querier's (InvalidArgument for an all-empty-matching
// selector), the guard's (query_guard.h: time-out, cancellation, memory budget),
// Corruption/IOError from the store.
Result<LogQueryResult> ExecuteLogQuery(Querier* querier, ThreadPool* pool,
                                       const LogQueryParams& params);

}  // namespace sawmill::query::engine
