// What a delete request's query selects, for query-time filtering and for the deletion pass
// (server/delete_service.h). Loki's semantics (pkg/compactor/deletion): the query is a log
// selector with optional stages; an entry of a stream the selector matches, whose timestamp
// is within [start, end] (inclusive, milliseconds), is deleted when the query has no filter
// (no line or label filter: Loki's HasFilter) or when the whole pipeline keeps the line.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "index/labels.h"
#include "index/matcher.h"
#include "query/log/pipeline.h"
#include "storage/chunk_reader.h"
#include "storage/result.h"

namespace sawmill::query::engine {

// A delete request's query, compiled once. Immutable; thread-safe.
class DeleteQuery {
 public:
  // Loki's parseDeletionQuery: InvalidArgument "invalid query expression: <parse error>" for
  // anything but a valid log selector whose pipeline builds.
  static Result<std::shared_ptr<const DeleteQuery>> Compile(std::string_view query);

  std::span<const index::Matcher> matchers() const { return matchers_; }
  // Some stage is a line or label filter: entries are checked one by one.
  bool has_filter() const { return has_filter_; }
  bool MatchesStream(const index::LabelSet& labels) const;
  // REQUIRES: has_filter(); `labels` outlives the result.
  std::unique_ptr<log::StreamPipeline> ForStream(const index::LabelSet& labels) const;

 private:
  std::vector<index::Matcher> matchers_;
  std::unique_ptr<log::Pipeline> pipeline_;
  bool has_filter_ = false;
};

// The delete requests that apply to one stream. Not thread-safe (it runs pipelines).
class StreamDeleteFilter {
 public:
  explicit StreamDeleteFilter(std::shared_ptr<const index::LabelSet> labels)
      : labels_(std::move(labels)) {}

  // Adds a request covering from_ns <= ts < to_ns, for a stream its query matches.
  void Add(const DeleteQuery& query, int64_t from_ns, int64_t to_ns);
  bool empty() const { return rules_.empty(); }
  // No rule looks at the line: ts alone decides (samples can be filtered without text).
  bool TimeOnly() const;
  bool Deleted(int64_t ts_ns, std::string_view line, std::string_view metadata);

 private:
  struct Rule {
    int64_t from_ns = 0, to_ns = 0;
    std::unique_ptr<log::StreamPipeline> pipeline;  // null: every line in range goes
  };
  const std::shared_ptr<const index::LabelSet> labels_;
  std::vector<Rule> rules_;
  log::LineResult scratch_;
};

// Entries of `in` that `filter` does not delete.
std::unique_ptr<storage::EntryIterator> FilterDeletedEntries(
    std::unique_ptr<storage::EntryIterator> in, std::unique_ptr<StreamDeleteFilter> filter);
// Samples of `in` that `filter` does not delete. REQUIRES: filter->TimeOnly().
std::unique_ptr<storage::SampleIterator> FilterDeletedSamples(
    std::unique_ptr<storage::SampleIterator> in, std::unique_ptr<StreamDeleteFilter> filter);

}  // namespace sawmill::query::engine
