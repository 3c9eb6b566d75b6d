// From LogQL text to what the engine runs: the stream selector's matchers and the compiled
// pipeline of a log query (query/logql parses, query/log compiles). Metric queries are
// recognised but not run yet (issue 5).
//
// Errors are InvalidArgument whose message is the exact body Loki answers with (HTTP 400):
// "parse error at line 1, col 9: syntax error: ...", or "parse error : queries require at
// least one regexp or equality matcher ..." for a selector every matcher of which matches "".
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "index/matcher.h"
#include "query/log/pipeline.h"
#include "query/logql/ast.h"
#include "storage/result.h"

namespace sawmill::query::engine {

// The answer (HTTP 400) to a metric query until they are implemented.
extern const char kMetricQueriesUnsupported[];

struct LogQueryPlan {
  std::vector<index::Matcher> matchers;
  std::unique_ptr<log::Pipeline> pipeline;
  bool has_stages = false;  // the selector has a pipeline (Loki's "filter" query type)
};

struct QueryPlan {
  bool is_metric = false;  // then `metric` holds the parsed expression and `log` is empty
  std::unique_ptr<logql::Expr> metric;
  LogQueryPlan log;
};

// Parses and validates `query` (log or metric) and compiles a log query's pipeline.
Result<QueryPlan> PlanQuery(std::string_view query);

// Parses a bare stream selector (`{a="b", c=~"d"}`), for match[] and the `query` parameter
// of the label endpoints.
Result<std::vector<index::Matcher>> ParseSelector(std::string_view selector);

}  // namespace sawmill::query::engine
