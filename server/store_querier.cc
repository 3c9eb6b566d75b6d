#include "server/store_querier.h"

namespace sawmill::server {
namespace {

std::vector<query::engine::SelectedStream> ToSelected(std::vector<index::StreamRef> refs) {
  std::vector<query::engine::SelectedStream> out;
  out.reserve(refs.size());
  for (index::StreamRef& r : refs) out.push_back({r.id, std::move(r.labels)});
  return out;
}

}  // namespace

Result<std::vector<query::engine::SelectedStream>> StoreQuerier::SelectStreams(
    std::string_view tenant, std::span<const index::Matcher> matchers, int64_t from_ns,
    int64_t to_ns) {
  SAW_ASSIGN_OR_RETURN(std::vector<index::StreamRef> refs,
                       index_->Select(tenant, matchers, from_ns, to_ns));
  return ToSelected(std::move(refs));
}

Result<std::unique_ptr<storage::EntryIterator>> StoreQuerier::OpenStream(
    std::string_view tenant, uint64_t stream_id, int64_t from_ns, int64_t to_ns,
    storage::Direction direction) {
  SAW_ASSIGN_OR_RETURN(std::unique_ptr<storage::EntryIterator> it,
                       store_->Read(tenant, stream_id, from_ns, to_ns, direction));
  if (deletes_ == nullptr) return it;
  auto filter = deletes_->FilterFor(tenant, stream_id, from_ns, to_ns);
  if (filter == nullptr) return it;
  return query::engine::FilterDeletedEntries(std::move(it), std::move(filter));
}

Result<std::unique_ptr<storage::SampleIterator>> StoreQuerier::OpenSamples(
    std::string_view tenant, uint64_t stream_id, int64_t from_ns, int64_t to_ns,
    storage::Direction direction) {
  std::unique_ptr<query::engine::StreamDeleteFilter> filter;
  if (deletes_ != nullptr) filter = deletes_->FilterFor(tenant, stream_id, from_ns, to_ns);
  if (filter != nullptr && !filter->TimeOnly()) {
    // A line filter needs the text: samples come from the filtered entries.
    return Querier::OpenSamples(tenant, stream_id, from_ns, to_ns, direction);
  }
  SAW_ASSIGN_OR_RETURN(std::unique_ptr<storage::SampleIterator> it,
                       store_->ReadSamples(tenant, stream_id, from_ns, to_ns, direction));
  if (filter == nullptr) return it;
  return query::engine::FilterDeletedSamples(std::move(it), std::move(filter));
}

Result<query::engine::StreamSpan> StoreQuerier::Span(std::string_view tenant, uint64_t stream_id,
                                                     int64_t from_ns, int64_t to_ns) {
  // Deletes only take entries away: the store's span stays a correct bound.
  SAW_ASSIGN_OR_RETURN(storage::StreamSpan s, store_->Span(tenant, stream_id, from_ns, to_ns));
  return query::engine::StreamSpan{s.empty, s.min_ts, s.max_ts};
}

Result<query::engine::StreamUsage> StoreQuerier::Usage(std::string_view tenant, uint64_t stream_id,
                                                       int64_t from_ns, int64_t to_ns) {
  SAW_ASSIGN_OR_RETURN(storage::StreamUsage u, store_->Usage(tenant, stream_id, from_ns, to_ns));
  return query::engine::StreamUsage{u.chunks, u.entries, u.bytes};
}

Result<std::vector<std::string>> StoreQuerier::LabelNames(std::string_view tenant, int64_t from_ns,
                                                          int64_t to_ns) {
  return index_->LabelNames(tenant, from_ns, to_ns);
}

Result<std::vector<std::string>> StoreQuerier::LabelValues(
    std::string_view tenant, std::string_view name, int64_t from_ns, int64_t to_ns,
    std::span<const index::Matcher> matchers) {
  return index_->LabelValues(tenant, name, from_ns, to_ns, matchers);
}

Result<std::vector<query::engine::SelectedStream>> StoreQuerier::Series(
    std::string_view tenant, std::span<const std::vector<index::Matcher>> selectors,
    int64_t from_ns, int64_t to_ns) {
  SAW_ASSIGN_OR_RETURN(std::vector<index::StreamRef> refs,
                       index_->Series(tenant, selectors, from_ns, to_ns));
  return ToSelected(std::move(refs));
}

}  // namespace sawmill::server
