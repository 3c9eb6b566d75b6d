// Shared by the engine tests: the engine's Querier over a real store and label index in a
// temp dir, and a fixture that pushes streams into them.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "index/label_index.h"
#include "query/engine/querier.h"
#include "storage/store.h"
#include "tests/storage/store_test_util.h"

namespace sawmill::query::engine::testing {

class TestQuerier final : public Querier {
 public:
  TestQuerier(storage::Store* store, index::LabelIndex* index) : store_(store), index_(index) {}
  Result<std::vector<SelectedStream>> SelectStreams(std::string_view tenant,
                                                    std::span<const index::Matcher> matchers,
                                                    int64_t from, int64_t to) override {
    SAW_ASSIGN_OR_RETURN(auto refs, index_->Select(tenant, matchers, from, to));
    std::vector<SelectedStream> out;
    for (auto& r : refs) out.push_back({r.id, r.labels});
    return out;
  }
  Result<std::unique_ptr<EntryIterator>> OpenStream(std::string_view tenant, uint64_t id,
                                                    int64_t from, int64_t to,
                                                    Direction d) override {
    open_stream_calls.fetch_add(1);
    return store_->Read(tenant, id, from, to, d);
  }
  Result<StreamSpan> Span(std::string_view tenant, uint64_t id, int64_t from, int64_t to) override {
    if (!use_spans) return Querier::Span(tenant, id, from, to);
    SAW_ASSIGN_OR_RETURN(storage::StreamSpan s, store_->Span(tenant, id, from, to));
    return StreamSpan{s.empty, s.min_ts, s.max_ts};
  }
  Result<std::unique_ptr<SampleIterator>> OpenSamples(std::string_view tenant, uint64_t id,
                                                      int64_t from, int64_t to,
                                                      Direction d) override {
    open_samples_calls.fetch_add(1);
    return store_->ReadSamples(tenant, id, from, to, d);
  }
  Result<std::unique_ptr<BatchIterator>> OpenBatches(std::string_view tenant, uint64_t id,
                                                     int64_t from, int64_t to,
                                                     bool with_text) override {
    (with_text ? open_batches_calls : open_samples_calls).fetch_add(1);
    return store_->ReadBatches(tenant, id, from, to, with_text);
  }
  Result<std::unique_ptr<BatchIterator>> OpenBatchesBackward(std::string_view tenant, uint64_t id,
                                                             int64_t from, int64_t to) override {
    if (!use_batches_backward) return Querier::OpenBatchesBackward(tenant, id, from, to);
    SAW_ASSIGN_OR_RETURN(std::unique_ptr<BatchIterator> it,
                         store_->ReadBatchesBackward(tenant, id, from, to));
    if (it != nullptr) open_batches_backward_calls.fetch_add(1);
    return it;
  }
  Result<std::vector<std::string>> LabelNames(std::string_view tenant, int64_t from,
                                              int64_t to) override {
    return index_->LabelNames(tenant, from, to);
  }
  Result<std::vector<std::string>> LabelValues(std::string_view tenant, std::string_view name,
                                               int64_t from, int64_t to,
                                               std::span<const index::Matcher> matchers) override {
    return index_->LabelValues(tenant, name, from, to, matchers);
  }
  Result<std::vector<SelectedStream>> Series(std::string_view tenant,
                                             std::span<const std::vector<index::Matcher>> selectors,
                                             int64_t from, int64_t to) override {
    SAW_ASSIGN_OR_RETURN(auto refs, index_->Series(tenant, selectors, from, to));
    std::vector<SelectedStream> out;
    for (auto& r : refs) out.push_back({r.id, r.labels});
    return out;
  }

 public:
  // How the engine read: full entries, or timestamps and sizes only (OpenSamples, or
  // OpenBatches without text).
  std::atomic<int> open_stream_calls{0};
  std::atomic<int> open_samples_calls{0};
  // Whether Span answers from the store (true) or knows nothing (Querier's default).
  bool use_spans = true;
  std::atomic<int> open_batches_calls{0};           // entries a block at a time, with their text
  std::atomic<int> open_batches_backward_calls{0};  // non-null OpenBatchesBackward answers
  // Whether OpenBatchesBackward answers from the store (true) or always null (the default).
  bool use_batches_backward = true;

 private:
  storage::Store* store_;
  index::LabelIndex* index_;
};

class StoreFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = storage::Store::Open(storage::testing::TestOptions(dir_.path()));
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
    auto idx = index::LabelIndex::Open(store_->kv());
    ASSERT_TRUE(idx.ok()) << idx.status().ToString();
    index_ = std::move(idx).value();
    querier_ = std::make_unique<TestQuerier>(store_.get(), index_.get());
  }
  void TearDown() override {
    querier_.reset();
    index_.reset();
    ASSERT_TRUE(store_->Close().ok());
  }

  void Push(const std::string& labels, std::vector<std::pair<int64_t, std::string>> entries,
            const std::string& tenant = "t") {
    auto ls = index::LabelSet::Parse(labels);
    ASSERT_TRUE(ls.ok()) << ls.status().ToString();
    auto id = index_->GetOrCreateStream(tenant, *ls, entries.front().first);
    ASSERT_TRUE(id.ok());
    storage::StreamWrite w;
    w.stream_id = *id;
    for (auto& [ts, line] : entries) w.entries.push_back({ts, line, {}});
    storage::WriteResult r;
    ASSERT_TRUE(store_->Write(tenant, std::span(&w, 1), &r).ok());
    ASSERT_TRUE(r.rejected.empty());
  }

  // Entries with structured metadata (storage/metadata.h encoding; empty for none).
  struct MetaEntry {
    int64_t ts_ns;
    std::string line;
    std::string metadata;
  };
  void PushWithMetadata(const std::string& labels, const std::vector<MetaEntry>& entries,
                        const std::string& tenant = "t") {
    auto ls = index::LabelSet::Parse(labels);
    ASSERT_TRUE(ls.ok()) << ls.status().ToString();
    auto id = index_->GetOrCreateStream(tenant, *ls, entries.front().ts_ns);
    ASSERT_TRUE(id.ok());
    storage::StreamWrite w;
    w.stream_id = *id;
    for (const MetaEntry& e : entries) w.entries.push_back({e.ts_ns, e.line, e.metadata});
    storage::WriteResult r;
    ASSERT_TRUE(store_->Write(tenant, std::span(&w, 1), &r).ok());
    ASSERT_TRUE(r.rejected.empty());
  }

  storage::testing::TempDir dir_;
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<index::LabelIndex> index_;
  std::unique_ptr<TestQuerier> querier_;
};

}  // namespace sawmill::query::engine::testing
