#include "query/engine/delete_filter.h"

#include "query/log/compile.h"
#include "query/logql/parser.h"

namespace sawmill::query::engine {
namespace {

Status InvalidQuery(const Status& cause) {
  return Status::InvalidArgument("invalid query expression: " + cause.message());
}

class FilteredEntries final : public storage::EntryIterator {
 public:
  FilteredEntries(std::unique_ptr<storage::EntryIterator> in,
                  std::unique_ptr<StreamDeleteFilter> filter)
      : in_(std::move(in)), filter_(std::move(filter)) {}
  bool Next() override {
    while (in_->Next()) {
      const storage::EntryView& e = in_->entry();
      if (!filter_->Deleted(e.ts_ns, e.line, e.metadata)) return true;
    }
    return false;
  }
  const storage::EntryView& entry() const override { return in_->entry(); }
  Status status() const override { return in_->status(); }

 private:
  std::unique_ptr<storage::EntryIterator> in_;
  std::unique_ptr<StreamDeleteFilter> filter_;
};

class FilteredSamples final : public storage::SampleIterator {
 public:
  FilteredSamples(std::unique_ptr<storage::SampleIterator> in,
                  std::unique_ptr<StreamDeleteFilter> filter)
      : in_(std::move(in)), filter_(std::move(filter)) {}
  bool Next() override {
    while (in_->Next()) {
      if (!filter_->Deleted(in_->ts_ns(), {}, {})) return true;
    }
    return false;
  }
  int64_t ts_ns() const override { return in_->ts_ns(); }
  uint32_t line_size() const override { return in_->line_size(); }
  Status status() const override { return in_->status(); }

 private:
  std::unique_ptr<storage::SampleIterator> in_;
  std::unique_ptr<StreamDeleteFilter> filter_;
};

}  // namespace

Result<std::shared_ptr<const DeleteQuery>> DeleteQuery::Compile(std::string_view query) {
  auto parsed = logql::ParseLogSelector(query);
  if (!parsed.ok()) return InvalidQuery(parsed.status());
  auto q = std::make_shared<DeleteQuery>();
  q->matchers_ = std::move((*parsed)->matchers);
  q->has_filter_ = (*parsed)->HasFilter();
  // Stages Loki builds only when the query runs (regexes, ip()) are checked now, so that a
  // request that cannot run is refused when it is made, as Loki does.
  auto pipeline = log::CompilePipeline((*parsed)->stages);
  if (!pipeline.ok()) return InvalidQuery(pipeline.status());
  q->pipeline_ = std::move(pipeline).value();
  return std::shared_ptr<const DeleteQuery>(std::move(q));
}

bool DeleteQuery::MatchesStream(const index::LabelSet& labels) const {
  for (const index::Matcher& m : matchers_) {
    if (!m.Matches(labels.Get(m.name()))) return false;
  }
  return true;
}

std::unique_ptr<log::StreamPipeline> DeleteQuery::ForStream(const index::LabelSet& labels) const {
  return pipeline_->ForStream(labels);
}

void StreamDeleteFilter::Add(const DeleteQuery& query, int64_t from_ns, int64_t to_ns) {
  Rule r;
  r.from_ns = from_ns;
  r.to_ns = to_ns;
  if (query.has_filter()) r.pipeline = query.ForStream(*labels_);
  rules_.push_back(std::move(r));
}

bool StreamDeleteFilter::TimeOnly() const {
  for (const Rule& r : rules_) {
    if (r.pipeline != nullptr) return false;
  }
  return true;
}

bool StreamDeleteFilter::Deleted(int64_t ts_ns, std::string_view line, std::string_view metadata) {
  for (Rule& r : rules_) {
    if (ts_ns < r.from_ns || ts_ns >= r.to_ns) continue;
    if (r.pipeline == nullptr || r.pipeline->Process(ts_ns, line, metadata, &scratch_)) {
      return true;
    }
  }
  return false;
}

std::unique_ptr<storage::EntryIterator> FilterDeletedEntries(
    std::unique_ptr<storage::EntryIterator> in, std::unique_ptr<StreamDeleteFilter> filter) {
  return std::make_unique<FilteredEntries>(std::move(in), std::move(filter));
}

std::unique_ptr<storage::SampleIterator> FilterDeletedSamples(
    std::unique_ptr<storage::SampleIterator> in, std::unique_ptr<StreamDeleteFilter> filter) {
  return std::make_unique<FilteredSamples>(std::move(in), std::move(filter));
}

}  // namespace sawmill::query::engine
