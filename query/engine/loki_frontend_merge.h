// Loki 2.8's query frontend behaviour for log queries, reproduced so that answers match Loki's
// entry for entry (the shared conformance suite, recorded from Loki 2.8.0, pins it).
//
// Loki's frontend does not return the exact best `limit` entries of a range log query:
//   1. it splits the range into intervals of `split_queries_by_interval` (30m by default),
//      aligned to multiples of the interval since the epoch (the first and last clipped to
//      the range); each interval is queried on its own with the same limit, so each answers
//      its own best `limit` entries;
//   2. it takes the intervals' answers in the query's direction (newest first for backward)
//      until they hold at least `limit` entries in all, dropping the later ones
//      (queryrange.mergeOrderedNonOverlappingStreams);
//   3. if they hold at most `limit` entries, all are returned (this is the exact answer);
//      otherwise it picks `limit` entries with a heap of result streams keyed by each
//      stream's next entry, whose Pop appends the rest of the popped stream at the end of the
//      heap array without sifting it up (queryrange.priorityqueue). The stream just popped
//      therefore sits out the next pop, so the pick is not the best `limit`: with two
//      streams it alternates strictly between them (limit/2 entries each).
// The streams enter the heap ordered by their label string (descending for backward), then
// heapified as Go's container/heap does; that order decides the pick too.
//
// Every entry Loki can pick lies among the exact best 2*limit-1 entries (the intervals taken
// in step 2 hold at most limit-1 entries before the last one, which holds at most limit), so
// the engine selects those exactly (MergeHits) and LokiFrontendMerge narrows them down.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "query/engine/log_query.h"

namespace sawmill::query::engine {

// Loki 2.8's default split_queries_by_interval.
inline constexpr int64_t kLokiSplitIntervalNs = int64_t{30} * 60 * 1'000'000'000;

// How many of the best entries LokiFrontendMerge needs to see for `limit` (2*limit-1,
// saturating).
size_t LokiFrontendCandidates(size_t limit);

// Narrows `best` (the exact best LokiFrontendCandidates(limit) entries, or all of them if
// fewer, as MergeHits returns them: result streams sorted by label string, entries in the
// query's direction) to the entries Loki 2.8's frontend returns for `limit`, with splits of
// `interval_ns` (> 0). The result keeps MergeHits' shape.
std::vector<ResultStream> LokiFrontendMerge(std::vector<ResultStream> best, Direction direction,
                                            size_t limit, int64_t interval_ns);

}  // namespace sawmill::query::engine
