// The engine's Querier (query/engine/querier.h) over the real store and label index. With a
// DeleteService, the entries of pending delete requests are left out of what streams yield,
// and deletions are seen everywhere else too:
//   - Usage (index stats, volume): a stream a pending request applies to is counted by reading
//     its entries in the range (exact, the deleted ones left out); once processed, the chunk
//     index rows the pass rewrote count as usual. Loki's index stats come from its index
//     alone, so they drop only after the compactor's pass: Sawmill drops them at once.
//   - LabelNames, LabelValues, Series: the label index keeps a stream after its entries are
//     deleted (before and after the pass), so the streams some delete request selects are
//     checked for an entry left in the range (the first one ends the check) and left out
//     when none is. Other streams are answered from the index alone, as before.
// With a retention period, every read starts no earlier than the retention floor: the start
// of the oldest time bucket that retention keeps at this instant (storage ApplyRetention
// deletes whole buckets before it, at its next pass). So the streams and entries of expired
// buckets leave labels, series, detected labels, index figures and queries at once, and
// they agree with one another: the label index keeps its rows for those buckets, and the
// chunks are deleted only when the pass runs (every 10 minutes).
//
// Thread-safety: as Querier; the store and index it points to are thread-safe.
#pragma once

#include <chrono>

#include "index/label_index.h"
#include "query/engine/querier.h"
#include "server/delete_service.h"
#include "storage/store.h"

namespace sawmill::server {

class StoreQuerier final : public query::engine::Querier {
 public:
  // All must outlive the querier; `deletes` may be null (nothing filtered). `retention`: the
  // store's retention period, 0 = forever (no floor).
  StoreQuerier(storage::Store* store, const index::LabelIndex* index,
               DeleteService* deletes = nullptr,
               std::chrono::nanoseconds retention = std::chrono::nanoseconds(0))
      : store_(store), index_(index), deletes_(deletes), retention_ns_(retention.count()) {}

  Result<std::vector<query::engine::SelectedStream>> SelectStreams(
      std::string_view tenant, std::span<const index::Matcher> matchers, int64_t from_ns,
      int64_t to_ns) override;
  Result<std::unique_ptr<storage::EntryIterator>> OpenStream(std::string_view tenant,
                                                             uint64_t stream_id, int64_t from_ns,
                                                             int64_t to_ns,
                                                             storage::Direction direction) override;
  Result<std::unique_ptr<storage::SampleIterator>> OpenSamples(
      std::string_view tenant, uint64_t stream_id, int64_t from_ns, int64_t to_ns,
      storage::Direction direction) override;
  Result<query::engine::StreamSpan> Span(std::string_view tenant, uint64_t stream_id,
                                         int64_t from_ns, int64_t to_ns) override;
  Result<std::unique_ptr<storage::BatchIterator>> OpenBatches(std::string_view tenant,
                                                              uint64_t stream_id, int64_t from_ns,
                                                              int64_t to_ns,
                                                              bool with_text) override;
  Result<std::unique_ptr<storage::BatchIterator>> OpenBatchesBackward(std::string_view tenant,
                                                                      uint64_t stream_id,
                                                                      int64_t from_ns,
                                                                      int64_t to_ns) override;
  Result<query::engine::StreamUsage> Usage(std::string_view tenant, uint64_t stream_id,
                                           int64_t from_ns, int64_t to_ns) override;
  Result<std::vector<std::string>> LabelNames(std::string_view tenant, int64_t from_ns,
                                              int64_t to_ns) override;
  Result<std::vector<std::string>> LabelValues(std::string_view tenant, std::string_view name,
                                               int64_t from_ns, int64_t to_ns,
                                               std::span<const index::Matcher> matchers) override;
  Result<std::vector<query::engine::SelectedStream>> Series(
      std::string_view tenant, std::span<const std::vector<index::Matcher>> selectors,
      int64_t from_ns, int64_t to_ns) override;

 private:
  // The streams deletions left with no entry in [from_ns, to_ns): of the streams a delete
  // request selects, those without an entry left.
  Result<std::vector<uint64_t>> Emptied(std::string_view tenant, int64_t from_ns, int64_t to_ns);
  // Whether the stream has an entry in [from_ns, to_ns) that no pending request deletes.
  Result<bool> HasEntries(std::string_view tenant, uint64_t stream_id, int64_t from_ns,
                          int64_t to_ns);

  // max(from_ns, the retention floor now).
  int64_t Floor(int64_t from_ns) const;

  storage::Store* const store_;
  const index::LabelIndex* const index_;
  DeleteService* const deletes_;
  const int64_t retention_ns_;
};

}  // namespace sawmill::server
