// StoreBenchQuerier: a Querier over a Store for in-process query benchmarks. It reads streams
// as the server's StoreQuerier does (no deletes, no index): every query selects the given
// streams, and the label endpoints answer nothing.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "query/engine/querier.h"
#include "storage/store.h"

namespace sawmill::query::engine {

class StoreBenchQuerier final : public Querier {
 public:
  StoreBenchQuerier(storage::Store* store, std::vector<SelectedStream> streams)
      : store_(store), streams_(std::move(streams)) {}

  Result<std::vector<SelectedStream>> SelectStreams(std::string_view,
                                                    std::span<const index::Matcher>, int64_t,
                                                    int64_t) override {
    return streams_;
  }
  Result<std::unique_ptr<EntryIterator>> OpenStream(std::string_view tenant, uint64_t id,
                                                    int64_t from, int64_t to,
                                                    Direction d) override {
    return store_->Read(tenant, id, from, to, d);
  }
  Result<std::unique_ptr<BatchIterator>> OpenBatches(std::string_view tenant, uint64_t id,
                                                     int64_t from, int64_t to,
                                                     bool with_text) override {
    return store_->ReadBatches(tenant, id, from, to, with_text);
  }
  Result<std::unique_ptr<BatchIterator>> OpenBatchesBackward(std::string_view tenant, uint64_t id,
                                                             int64_t from, int64_t to) override {
    return store_->ReadBatchesBackward(tenant, id, from, to);
  }
  Result<StreamSpan> Span(std::string_view tenant, uint64_t id, int64_t from, int64_t to) override {
    SAW_ASSIGN_OR_RETURN(storage::StreamSpan s, store_->Span(tenant, id, from, to));
    return StreamSpan{s.empty, s.min_ts, s.max_ts};
  }
  Result<std::vector<std::string>> LabelNames(std::string_view, int64_t, int64_t) override {
    return std::vector<std::string>{};
  }
  Result<std::vector<std::string>> LabelValues(std::string_view, std::string_view, int64_t, int64_t,
                                               std::span<const index::Matcher>) override {
    return std::vector<std::string>{};
  }
  Result<std::vector<SelectedStream>> Series(std::string_view,
                                             std::span<const std::vector<index::Matcher>>, int64_t,
                                             int64_t) override {
    return streams_;
  }

 private:
  storage::Store* store_;
  std::vector<SelectedStream> streams_;
};

}  // namespace sawmill::query::engine
