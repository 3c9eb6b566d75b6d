#include "server/store_querier.h"

#include <algorithm>
#include <chrono>
#include <set>

#include "storage/keys.h"

namespace sawmill::server {
namespace {

std::vector<query::engine::SelectedStream> ToSelected(std::vector<index::StreamRef> refs) {
  std::vector<query::engine::SelectedStream> out;
  out.reserve(refs.size());
  for (index::StreamRef& r : refs) out.push_back({r.id, std::move(r.labels)});
  return out;
}

bool Contains(const std::vector<uint64_t>& sorted, uint64_t id) {
  return std::binary_search(sorted.begin(), sorted.end(), id);
}

// `name=~".+"`: the streams that have the label.
Result<std::vector<index::Matcher>> HasLabel(std::string_view name) {
  SAW_ASSIGN_OR_RETURN(index::Matcher m, index::Matcher::Make(index::MatchType::kRegexMatch,
                                                              std::string(name), ".+"));
  return std::vector<index::Matcher>{std::move(m)};
}

}  // namespace

int64_t StoreQuerier::Floor(int64_t from_ns) const {
  if (retention_ns_ <= 0) return from_ns;
  const int64_t width = index_->bucket_width_ns();
  const int64_t now_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  // ApplyRetention's keep_from bucket, computed for this instant.
  const int64_t floor =
      storage::BucketStart(storage::BucketOf(now_ns - retention_ns_, width), width);
  return std::max(from_ns, floor);
}

Result<bool> StoreQuerier::HasEntries(std::string_view tenant, uint64_t stream_id, int64_t from_ns,
                                      int64_t to_ns) {
  SAW_ASSIGN_OR_RETURN(
      std::unique_ptr<storage::SampleIterator> it,
      OpenSamples(tenant, stream_id, from_ns, to_ns, storage::Direction::kForward));
  const bool any = it->Next();
  SAW_RETURN_IF_ERROR(it->status());
  return any;
}

Result<std::vector<uint64_t>> StoreQuerier::Emptied(std::string_view tenant, int64_t from_ns,
                                                    int64_t to_ns) {
  std::vector<uint64_t> out;
  if (deletes_ == nullptr) return out;
  SAW_ASSIGN_OR_RETURN(std::vector<uint64_t> touched,
                       deletes_->TouchedStreams(tenant, from_ns, to_ns));
  for (uint64_t id : touched) {
    SAW_ASSIGN_OR_RETURN(bool any, HasEntries(tenant, id, from_ns, to_ns));
    if (!any) out.push_back(id);
  }
  return out;  // sorted, as `touched` is
}

Result<std::vector<query::engine::SelectedStream>> StoreQuerier::SelectStreams(
    std::string_view tenant, std::span<const index::Matcher> matchers, int64_t from_ns,
    int64_t to_ns) {
  from_ns = Floor(from_ns);
  SAW_ASSIGN_OR_RETURN(std::vector<index::StreamRef> refs,
                       index_->Select(tenant, matchers, from_ns, to_ns));
  return ToSelected(std::move(refs));
}

Result<std::unique_ptr<storage::EntryIterator>> StoreQuerier::OpenStream(
    std::string_view tenant, uint64_t stream_id, int64_t from_ns, int64_t to_ns,
    storage::Direction direction) {
  from_ns = Floor(from_ns);
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
  from_ns = Floor(from_ns);
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
  from_ns = Floor(from_ns);
  if (from_ns >= to_ns) return query::engine::StreamSpan{true, from_ns, from_ns};
  // Deletes only take entries away: the store's span stays a correct bound.
  SAW_ASSIGN_OR_RETURN(storage::StreamSpan s, store_->Span(tenant, stream_id, from_ns, to_ns));
  return query::engine::StreamSpan{s.empty, s.min_ts, s.max_ts};
}

Result<std::unique_ptr<storage::BatchIterator>> StoreQuerier::OpenBatches(
    std::string_view tenant, uint64_t stream_id, int64_t from_ns, int64_t to_ns, bool with_text) {
  if (deletes_ != nullptr && deletes_->FilterFor(tenant, stream_id, from_ns, to_ns) != nullptr) {
    // Pending deletes filter entries one by one: batches of the filtered entries.
    return Querier::OpenBatches(tenant, stream_id, from_ns, to_ns, with_text);
  }
  return store_->ReadBatches(tenant, stream_id, from_ns, to_ns, with_text);
}

Result<std::unique_ptr<storage::BatchIterator>> StoreQuerier::OpenBatchesBackward(
    std::string_view tenant, uint64_t stream_id, int64_t from_ns, int64_t to_ns) {
  if (deletes_ != nullptr && deletes_->FilterFor(tenant, stream_id, from_ns, to_ns) != nullptr) {
    return std::unique_ptr<storage::BatchIterator>();  // entries filtered one by one
  }
  return store_->ReadBatchesBackward(tenant, stream_id, from_ns, to_ns);
}

Result<query::engine::StreamUsage> StoreQuerier::Usage(std::string_view tenant, uint64_t stream_id,
                                                       int64_t from_ns, int64_t to_ns) {
  from_ns = Floor(from_ns);
  if (from_ns >= to_ns) return query::engine::StreamUsage{};
  SAW_ASSIGN_OR_RETURN(storage::StreamUsage u, store_->Usage(tenant, stream_id, from_ns, to_ns));
  if (deletes_ == nullptr || u.entries == 0 ||
      deletes_->FilterFor(tenant, stream_id, from_ns, to_ns) == nullptr) {
    return query::engine::StreamUsage{u.chunks, u.entries, u.bytes};
  }
  // A pending request hides some entries: count what is left, exactly.
  SAW_ASSIGN_OR_RETURN(std::unique_ptr<storage::EntryIterator> it,
                       OpenStream(tenant, stream_id, from_ns, to_ns, storage::Direction::kForward));
  query::engine::StreamUsage left;
  while (it->Next()) {
    ++left.entries;
    left.bytes += it->entry().line.size() + it->entry().metadata.size();
  }
  SAW_RETURN_IF_ERROR(it->status());
  left.chunks = left.entries == 0 ? 0 : u.chunks;
  return left;
}

Result<std::vector<std::string>> StoreQuerier::LabelNames(std::string_view tenant, int64_t from_ns,
                                                          int64_t to_ns) {
  from_ns = Floor(from_ns);
  SAW_ASSIGN_OR_RETURN(std::vector<std::string> names, index_->LabelNames(tenant, from_ns, to_ns));
  SAW_ASSIGN_OR_RETURN(std::vector<uint64_t> emptied, Emptied(tenant, from_ns, to_ns));
  if (emptied.empty()) return names;
  // Only the names of emptied streams may go: each stays if another stream has it.
  std::set<std::string, std::less<>> candidates;
  for (uint64_t id : emptied) {
    std::shared_ptr<const index::LabelSet> labels = index_->Labels(tenant, id);
    if (labels == nullptr) continue;
    for (const index::Label& l : labels->labels()) candidates.insert(l.name);
  }
  std::vector<std::string> out;
  for (std::string& name : names) {
    bool keep = candidates.count(name) == 0;
    if (!keep) {
      SAW_ASSIGN_OR_RETURN(std::vector<index::Matcher> has, HasLabel(name));
      SAW_ASSIGN_OR_RETURN(std::vector<index::StreamRef> refs,
                           index_->Select(tenant, has, from_ns, to_ns));
      keep = std::any_of(refs.begin(), refs.end(),
                         [&](const index::StreamRef& r) { return !Contains(emptied, r.id); });
    }
    if (keep) out.push_back(std::move(name));
  }
  return out;
}

Result<std::vector<std::string>> StoreQuerier::LabelValues(
    std::string_view tenant, std::string_view name, int64_t from_ns, int64_t to_ns,
    std::span<const index::Matcher> matchers) {
  from_ns = Floor(from_ns);
  SAW_ASSIGN_OR_RETURN(std::vector<std::string> values,
                       index_->LabelValues(tenant, name, from_ns, to_ns, matchers));
  if (values.empty()) return values;
  SAW_ASSIGN_OR_RETURN(std::vector<uint64_t> emptied, Emptied(tenant, from_ns, to_ns));
  if (emptied.empty()) return values;
  // The values of the streams that are left.
  std::vector<index::Matcher> selector(matchers.begin(), matchers.end());
  SAW_ASSIGN_OR_RETURN(std::vector<index::Matcher> has, HasLabel(name));
  selector.push_back(std::move(has.front()));
  SAW_ASSIGN_OR_RETURN(std::vector<index::StreamRef> refs,
                       index_->Select(tenant, selector, from_ns, to_ns));
  std::set<std::string, std::less<>> left;
  for (const index::StreamRef& r : refs) {
    if (!Contains(emptied, r.id)) left.insert(std::string(r.labels->Get(name)));
  }
  return std::vector<std::string>(left.begin(), left.end());
}

Result<std::vector<query::engine::SelectedStream>> StoreQuerier::Series(
    std::string_view tenant, std::span<const std::vector<index::Matcher>> selectors,
    int64_t from_ns, int64_t to_ns) {
  from_ns = Floor(from_ns);
  SAW_ASSIGN_OR_RETURN(std::vector<index::StreamRef> refs,
                       index_->Series(tenant, selectors, from_ns, to_ns));
  if (!refs.empty()) {
    SAW_ASSIGN_OR_RETURN(std::vector<uint64_t> emptied, Emptied(tenant, from_ns, to_ns));
    if (!emptied.empty()) {
      std::erase_if(refs, [&](const index::StreamRef& r) { return Contains(emptied, r.id); });
    }
  }
  return ToSelected(std::move(refs));
}

}  // namespace sawmill::server
