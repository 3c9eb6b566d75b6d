#include "query/log/pipeline.h"

namespace sawmill::query::log {
namespace {

class NoopStreamPipeline final : public StreamPipeline {
 public:
  explicit NoopStreamPipeline(const index::LabelSet* labels) : labels_(labels) {}
  bool Process(int64_t, std::string_view line, std::string_view, LineResult* out) override {
    out->line = line;
    out->labels = labels_;
    out->stream = labels_;
    out->structured_metadata = {};
    out->parsed = {};
    return true;
  }

 private:
  const index::LabelSet* labels_;
};

class Noop final : public Pipeline {
 public:
  std::unique_ptr<StreamPipeline> ForStream(const index::LabelSet& labels) const override {
    return std::make_unique<NoopStreamPipeline>(&labels);
  }
  bool IsLineFilterOnly() const override { return true; }
};

}  // namespace

std::unique_ptr<Pipeline> NoopPipeline() { return std::make_unique<Noop>(); }

}  // namespace sawmill::query::log
