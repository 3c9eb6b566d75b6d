#include "query/engine/plan.h"

#include <string>

#include "query/log/compile.h"
#include "query/log/line_format.h"
#include "query/logql/parser.h"

namespace sawmill::query::engine {

const char kMetricQueriesUnsupported[] =
    "metric queries are not supported yet: only log queries ({...} | ...) can be run";

namespace {

// Loki reports a template that does not parse at build time, naming the stage:
//   parse error : stage '| line_format "{{.a"' : invalid line template: <error>\n
//   parse error : stage '| label_format a="{{.a"' : invalid template for label 'a': <error>\n
// CompilePipeline reports the bare template error; this finds the stage and words it so.
Status TemplateStageError(const std::vector<logql::Stage>& stages, const Status& fallback) {
  for (const logql::Stage& stage : stages) {
    if (const auto* lf = std::get_if<logql::LineFormatStage>(&stage)) {
      Result<log::StagePtr> r = log::LineFormatStage(lf->tmpl);
      if (!r.ok()) {
        return Status::InvalidArgument(logql::StageErrorMessage(
            logql::StageString(stage), "invalid line template: " + r.status().message()));
      }
    } else if (const auto* lb = std::get_if<logql::LabelFormatStage>(&stage)) {
      for (const logql::LabelFormat& f : lb->formats) {
        if (f.rename) continue;
        Result<log::StagePtr> r =
            log::LabelFormatStage({log::LabelFormatSpec{f.name, f.value, false}});
        if (!r.ok()) {
          return Status::InvalidArgument(logql::StageErrorMessage(
              logql::StageString(stage),
              "invalid template for label '" + f.name + "': " + r.status().message()));
        }
      }
    }
  }
  return fallback;
}

}  // namespace

Result<std::vector<index::Matcher>> ParseSelector(std::string_view selector) {
  return logql::ParseMatchers(selector);
}

Result<QueryPlan> PlanQuery(std::string_view query) {
  SAW_ASSIGN_OR_RETURN(std::unique_ptr<logql::Expr> expr, logql::ParseExpr(query));
  QueryPlan plan;
  if (expr->IsSample()) {
    plan.is_metric = true;
    plan.metric = std::move(expr);
    return plan;
  }
  auto& selector = static_cast<logql::LogSelectorExpr&>(*expr);
  plan.log.matchers = std::move(selector.matchers);
  plan.log.has_stages = !selector.stages.empty();
  if (selector.stages.empty()) {
    plan.log.pipeline = log::NoopPipeline();
    return plan;
  }
  Result<std::unique_ptr<log::Pipeline>> pipeline = log::CompilePipeline(selector.stages);
  if (!pipeline.ok()) return TemplateStageError(selector.stages, pipeline.status());
  plan.log.pipeline = std::move(pipeline).value();
  return plan;
}

}  // namespace sawmill::query::engine
