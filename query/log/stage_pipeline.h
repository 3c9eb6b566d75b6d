// The Pipeline (pipeline.h) made of a list of Stages, run in order on each entry.
#pragma once

#include <memory>
#include <vector>

#include "query/log/pipeline.h"
#include "query/log/stage.h"

namespace sawmill::query::log {

// Builds the pipeline running `stages` in order. An empty list behaves as NoopPipeline().
std::unique_ptr<Pipeline> NewStagePipeline(std::vector<StagePtr> stages);

}  // namespace sawmill::query::log
