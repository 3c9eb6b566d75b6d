// The two halves of a log query's bookkeeping across streams (log_query.h):
//   - Cutoff: the shared bound on the timestamp of the limit-th best entry seen so far, which
//     lets every stream stop reading once its entries can no longer make the answer;
//   - MergeHits: the final k-way selection of the best `limit` entries over every stream's
//     hits, in Loki's order, with duplicates removed, regrouped into result streams.
#pragma once

#include <atomic>
#include <cstdint>
#include <limits>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "index/labels.h"
#include "query/engine/log_query.h"

namespace sawmill::query::engine {

// Thread-safety: Admits() and Offer() may be called from any thread.
class Cutoff {
 public:
  Cutoff(size_t limit, Direction direction);

  // False when an entry at `ts` is strictly worse than `limit` entries already offered, so
  // it (and every later entry of a stream read in the same direction) cannot be returned.
  bool Admits(int64_t ts) const {
    const int64_t c = cut_.load(std::memory_order_relaxed);
    const bool admits = backward_ ? ts >= c : ts <= c;
    if (!admits) refused_.store(true, std::memory_order_relaxed);
    return admits;
  }
  // Records the timestamps of entries that will be candidates for the answer.
  void Offer(std::span<const int64_t> ts);
  // True once Admits() has refused an entry.
  bool Refused() const { return refused_.load(std::memory_order_relaxed); }
  size_t limit() const { return limit_; }

 private:
  const size_t limit_;
  const bool backward_;
  std::atomic<int64_t> cut_;
  mutable std::atomic<bool> refused_{false};
  std::mutex mu_;
  std::vector<int64_t> heap_;  // the best `limit` timestamps, worst on top; guarded by mu_
};

// What scanning one stream produced: entries in the stream's read order, each naming its
// result group (a label set: one per distinct set the pipeline produced for this stream).
struct StreamHits {
  struct Group {
    index::LabelSet labels;
    std::string key;  // labels.ToString(), Loki's tie-break
  };
  std::vector<Group> groups;
  std::vector<uint32_t> group_of;  // parallel to entries
  std::vector<ResultEntry> entries;
};

// Picks the best `limit` entries over all streams' hits and regroups them into result streams
// sorted by label string. Moves the entries out of `hits`. Adds the identical entries it
// merged away to *duplicates.
std::vector<ResultStream> MergeHits(std::span<StreamHits> hits, Direction direction, size_t limit,
                                    uint64_t* duplicates);

}  // namespace sawmill::query::engine
