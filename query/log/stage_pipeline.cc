#include "query/log/stage_pipeline.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "query/log/line_filter.h"

#include "storage/metadata.h"

namespace sawmill::query::log {
namespace {

class StageStreamPipeline final : public StreamPipeline {
 public:
  StageStreamPipeline(const std::vector<StagePtr>* stages, const index::LabelSet* labels,
                      bool line_filter_only)
      : stages_(stages), builder_(labels), line_filter_only_(line_filter_only) {}

  bool Process(int64_t ts_ns, std::string_view line, std::string_view metadata,
               LineResult* out) override {
    if (line_filter_only_) {
      for (const StagePtr& s : *stages_) {
        if (!s->Process(ts_ns, &line, &builder_)) return false;
      }
      const index::LabelSet* base = &builder_.base();
      out->line = line;
      out->labels = base;
      out->stream = base;
      out->parsed = {};
      out->structured_metadata = {};
      if (!metadata.empty()) {
        // Structured metadata is part of every result's labels; take the general path.
        return Finish(line, metadata, out, /*run_stages=*/false, ts_ns);
      }
      return true;
    }
    return Finish(line, metadata, out, /*run_stages=*/true, ts_ns);
  }

 private:
  bool Finish(std::string_view line, std::string_view metadata, LineResult* out, bool run_stages,
              int64_t ts_ns) {
    pairs_.clear();
    if (!metadata.empty() && !storage::DecodeMetadata(metadata, &pairs_)) pairs_.clear();
    builder_.Reset(pairs_);
    if (run_stages) {
      for (const StagePtr& s : *stages_) {
        if (!s->Process(ts_ns, &line, &builder_)) return false;
      }
    }
    const LabelsBuilder::Final& f = builder_.Result();
    out->line = line;
    out->labels = &f.all;
    out->stream = &f.stream;
    out->structured_metadata = f.structured_metadata;
    out->parsed = f.parsed;
    return true;
  }

  const std::vector<StagePtr>* stages_;
  LabelsBuilder builder_;
  bool line_filter_only_;
  std::vector<std::pair<std::string_view, std::string_view>> pairs_;
};

class StagePipeline final : public Pipeline {
 public:
  explicit StagePipeline(std::vector<StagePtr> stages) : stages_(std::move(stages)) {
    for (const StagePtr& s : stages_) line_filter_only_ = line_filter_only_ && s->IsLineFilter();
  }
  std::unique_ptr<StreamPipeline> ForStream(const index::LabelSet& labels) const override {
    return std::make_unique<StageStreamPipeline>(&stages_, &labels, line_filter_only_);
  }
  bool IsLineFilterOnly() const override { return line_filter_only_; }
  void FilterLines(std::string_view text, std::span<const storage::BatchEntry> entries,
                   uint8_t* keep) const override {
    const size_t n = entries.size();
    std::fill(keep, keep + n, 1);
    std::vector<uint8_t> match;  // per batch, not per line
    for (const StagePtr& s : stages_) {
      const LineMatcher* m = s->line_matcher();
      if (m == nullptr) continue;  // REQUIRES says it cannot happen
      match.resize(n);
      m->MatchLines(text, entries, match.data());
      for (size_t i = 0; i < n; ++i) keep[i] &= match[i];
    }
  }

 private:
  std::vector<StagePtr> stages_;
  bool line_filter_only_ = true;
};

}  // namespace

std::unique_ptr<Pipeline> NewStagePipeline(std::vector<StagePtr> stages) {
  return std::make_unique<StagePipeline>(std::move(stages));
}

}  // namespace sawmill::query::log
