#include "query/log/pipeline.h"
#include "query/log/stage_pipeline.h"

namespace sawmill::query::log {

// A stage pipeline without stages: lines pass unchanged, and an entry's structured metadata
// still joins its labels (and the categorize-labels answer), as in Loki.
std::unique_ptr<Pipeline> NoopPipeline() { return NewStagePipeline({}); }

}  // namespace sawmill::query::log
