// The engine's Querier (query/engine/querier.h) over the real store and label index. With a
// DeleteService, the entries of pending delete requests are left out of what streams yield.
//
// Thread-safety: as Querier; the store and index it points to are thread-safe.
#pragma once

#include "index/label_index.h"
#include "query/engine/querier.h"
#include "server/delete_service.h"
#include "storage/store.h"

namespace sawmill::server {

class StoreQuerier final : public query::engine::Querier {
 public:
  // All must outlive the querier; `deletes` may be null (nothing filtered).
  StoreQuerier(storage::Store* store, const index::LabelIndex* index,
               DeleteService* deletes = nullptr)
      : store_(store), index_(index), deletes_(deletes) {}

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
  storage::Store* const store_;
  const index::LabelIndex* const index_;
  DeleteService* const deletes_;
};

}  // namespace sawmill::server
