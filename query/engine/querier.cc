#include "query/engine/querier.h"

#include "storage/batch_iterators.h"

namespace sawmill::query::engine {
namespace {

// Samples read through a full entry iterator.
class EntrySamples final : public SampleIterator {
 public:
  explicit EntrySamples(std::unique_ptr<EntryIterator> it) : it_(std::move(it)) {}
  bool Next() override { return it_->Next(); }
  int64_t ts_ns() const override { return it_->entry().ts_ns; }
  uint32_t line_size() const override { return static_cast<uint32_t>(it_->entry().line.size()); }
  Status status() const override { return it_->status(); }

 private:
  std::unique_ptr<EntryIterator> it_;
};

}  // namespace

Result<std::unique_ptr<SampleIterator>> Querier::OpenSamples(std::string_view tenant,
                                                             uint64_t stream_id, int64_t from_ns,
                                                             int64_t to_ns, Direction direction) {
  SAW_ASSIGN_OR_RETURN(std::unique_ptr<EntryIterator> it,
                       OpenStream(tenant, stream_id, from_ns, to_ns, direction));
  return std::unique_ptr<SampleIterator>(std::make_unique<EntrySamples>(std::move(it)));
}

Result<std::unique_ptr<BatchIterator>> Querier::OpenBatches(std::string_view tenant,
                                                            uint64_t stream_id, int64_t from_ns,
                                                            int64_t to_ns, bool with_text) {
  SAW_ASSIGN_OR_RETURN(std::unique_ptr<EntryIterator> it,
                       OpenStream(tenant, stream_id, from_ns, to_ns, Direction::kForward));
  return storage::NewEntryBatchIterator(std::move(it), with_text);
}

Result<std::unique_ptr<BatchIterator>> Querier::OpenBatchesBackward(std::string_view, uint64_t,
                                                                    int64_t, int64_t) {
  return std::unique_ptr<BatchIterator>();
}

Result<StreamUsage> Querier::Usage(std::string_view tenant, uint64_t stream_id, int64_t from_ns,
                                   int64_t to_ns) {
  SAW_ASSIGN_OR_RETURN(std::unique_ptr<SampleIterator> it,
                       OpenSamples(tenant, stream_id, from_ns, to_ns, Direction::kForward));
  StreamUsage usage;
  while (it->Next()) {
    ++usage.entries;
    usage.bytes += it->line_size();
  }
  SAW_RETURN_IF_ERROR(it->status());
  return usage;
}

Result<StreamSpan> Querier::Span(std::string_view, uint64_t, int64_t from_ns, int64_t to_ns) {
  if (from_ns >= to_ns) return StreamSpan{true, 0, 0};
  return StreamSpan{false, from_ns, to_ns - 1};
}

}  // namespace sawmill::query::engine
