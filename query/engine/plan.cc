#include "query/engine/plan.h"

#include <string>

#include "query/logql/parser.h"

namespace sawmill::query::engine {

const char kMetricQueriesUnsupported[] =
    "metric queries are not supported yet: only log queries ({...} | ...) can be run";

Result<std::vector<index::Matcher>> ParseSelector(std::string_view selector) {
  return logql::ParseMatchers(selector);
}

Result<QueryPlan> PlanQuery(std::string_view query) {
  SAW_ASSIGN_OR_RETURN(std::unique_ptr<logql::Expr> expr, logql::ParseExpr(query));
  QueryPlan plan;
  if (expr->IsSample()) {
    plan.is_metric = true;
    return plan;
  }
  auto& selector = static_cast<logql::LogSelectorExpr&>(*expr);
  plan.log.matchers = std::move(selector.matchers);
  if (selector.stages.empty()) {
    plan.log.pipeline = log::NoopPipeline();
    return plan;
  }
  return Status::InvalidArgument("log pipelines (|= ..., | json, ...) are not supported yet");
}

}  // namespace sawmill::query::engine
