// Parse time of typical LogQL queries (query/logql): what every query request pays before
// any data is read, and what /format_query pays per call (parse + String()).
#include <benchmark/benchmark.h>

#include <string>

#include "query/logql/parser.h"

namespace {

using sawmill::query::logql::ParseExpr;

const char* const kQueries[] = {
    // 0: a selector
    R"({job="apache", env="prod"})",
    // 1: the Grafana Explore log query shape
    R"({job=~"apache|nginx", env="prod"} |= "error" != "timeout" | json | level="error" | line_format "{{.msg}}")",
    // 2: logfmt with label filters
    R"({app="api"} | logfmt | duration > 1s and status >= 500 or method="POST", path=~"/api/.*")",
    // 3: a dashboard metric query
    R"(sum by (job) (rate({job=~".+"} |= "error" [5m])) / ignoring (job) group_left sum(rate({job=~".+"}[5m])))",
    // 4: unwrap and quantile
    R"(quantile_over_time(0.99, {app="api"} | regexp `took (?P<took>\d+)ms` | unwrap took | __error__="" [5m]) by (path))",
};

void BM_Parse(benchmark::State& state) {
  const std::string q = kQueries[state.range(0)];
  for (auto _ : state) {
    auto e = ParseExpr(q);
    if (!e.ok()) state.SkipWithError(e.status().message().c_str());
    benchmark::DoNotOptimize(e);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * q.size()));
}
BENCHMARK(BM_Parse)->DenseRange(0, 4);

void BM_ParseAndPrint(benchmark::State& state) {
  const std::string q = kQueries[state.range(0)];
  for (auto _ : state) {
    auto e = ParseExpr(q);
    std::string s = (*e)->String();
    benchmark::DoNotOptimize(s);
  }
}
BENCHMARK(BM_ParseAndPrint)->DenseRange(0, 4);

void BM_ParseError(benchmark::State& state) {
  const std::string q =
      R"(sum by (job) (rate({job="apache"} |= "x" | json | level > "notice" [5m])))";
  for (auto _ : state) {
    auto e = ParseExpr(q);
    benchmark::DoNotOptimize(e);
  }
}
BENCHMARK(BM_ParseError);

}  // namespace
