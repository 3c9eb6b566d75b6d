// The per-line half of a LogQL log query: the stages after the stream selector
// (`|= "x" | json | level="error" | line_format "{{.msg}}"`), compiled once per query into a
// Pipeline, then instantiated once per stream. The engine (query/engine/) feeds every entry
// of a stream through its StreamPipeline and keeps what comes out.
//
// This header is the contract between query/log/ (which implements it) and query/engine/
// (which only uses it). Semantics are Loki's (pkg/logql/log):
//   - line filters drop lines; they see the line as it is at their place in the pipeline;
//   - parsers add labels (sanitised names; a name that clashes with an existing label gets
//     the suffix "_extracted"); a parse failure sets __error__ (and __error_details__)
//     instead of dropping the line;
//   - label filters drop lines; a conversion failure sets __error__ on the line;
//   - line_format rewrites the line, label_format/drop/keep rewrite labels;
//   - labels changed by stages regroup lines into new streams, identified by the resulting
//     label set.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

#include "index/labels.h"
#include "storage/chunk_reader.h"

namespace sawmill::query::log {

// What one entry became. Views are valid until the next Process() call on the same
// StreamPipeline.
struct LineResult {
  std::string_view line;  // the line after line_format (the input line when unchanged)
  // The entry's final labels: stream labels + structured metadata + parsed labels, after
  // label_format/drop/keep, sorted. Its Fingerprint() groups lines into result streams.
  const index::LabelSet* labels = nullptr;
  // For the categorize-labels response encoding: the stream labels alone (as changed by the
  // stages), the structured metadata labels, and the labels that parsers/formatters added.
  const index::LabelSet* stream = nullptr;
  std::span<const index::Label> structured_metadata;
  std::span<const index::Label> parsed;
};

// The pipeline of one stream. Not thread-safe; the StreamPipelines of different streams may
// run on different threads at once.
class StreamPipeline {
 public:
  virtual ~StreamPipeline() = default;
  // Runs every stage on one entry. Returns false when a filter drops it.
  // `metadata` is the entry's structured metadata in storage/metadata.h encoding.
  virtual bool Process(int64_t ts_ns, std::string_view line, std::string_view metadata,
                       LineResult* out) = 0;
};

// A compiled pipeline. Immutable after construction; thread-safe.
class Pipeline {
 public:
  virtual ~Pipeline() = default;
  // REQUIRES: `stream_labels` outlives the returned object.
  virtual std::unique_ptr<StreamPipeline> ForStream(const index::LabelSet& stream_labels) const = 0;
  // True when the pipeline only has line filters (or nothing): lines are never rewritten
  // and every result keeps its stream's labels, so the engine may skip LineResult labels.
  virtual bool IsLineFilterOnly() const = 0;
  // For a pipeline with IsLineFilterOnly(): sets keep[i] to whether Process would keep the
  // line of entries[i] (a storage::BatchIterator batch: line i is
  // text.substr(entries[i].offset, entries[i].line_len)), deciding a whole batch at once (see
  // LineMatcher::MatchLines). The labels Process would give a kept entry are its stream's
  // plus its structured metadata, as Process says.
  // The default keeps every line (right for a pipeline without stages).
  virtual void FilterLines(std::string_view text, std::span<const storage::BatchEntry> entries,
                           uint8_t* keep) const;
};

// The pipeline with no stages: every line passes unchanged with its stream's labels and its
// structured metadata.
std::unique_ptr<Pipeline> NoopPipeline();

}  // namespace sawmill::query::log
