// Turns the pipeline stages of a parsed LogQL log query (query/logql/ast.h) into a runnable
// Pipeline (pipeline.h). Called once per query; the result is shared by every stream.
//
// Errors (InvalidArgument) are what a stage refuses at build time that the parser does not
// check: a regex RE2 cannot compile, a bad template, a pattern without captures, an invalid
// ip() pattern. The engine answers them with 400.
#pragma once

#include <memory>
#include <vector>

#include "query/log/pipeline.h"
#include "query/logql/ast.h"
#include "storage/result.h"

namespace sawmill::query::log {

Result<std::unique_ptr<Pipeline>> CompilePipeline(const std::vector<logql::Stage>& stages);

}  // namespace sawmill::query::log
