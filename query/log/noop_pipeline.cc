#include "query/log/pipeline.h"
#include "query/log/stage_pipeline.h"

#include <algorithm>

namespace sawmill::query::log {

void Pipeline::FilterLines(std::string_view, std::span<const storage::BatchEntry> entries,
                           uint8_t* keep) const {
  std::fill(keep, keep + entries.size(), 1);
}

// A stage pipeline without stages: lines pass unchanged, and an entry's structured metadata
// still joins its labels (and the categorize-labels answer), as in Loki.
std::unique_ptr<Pipeline> NoopPipeline() { return NewStagePipeline({}); }

}  // namespace sawmill::query::log
