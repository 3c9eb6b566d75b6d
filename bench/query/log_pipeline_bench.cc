// Per-stage throughput of the log pipeline (query/log) over the loghub sample lines, one
// thread, through StreamPipeline::Process as the engine calls it: bytes of input line text per
// second. Parsers run on lines in their format (JSON and logfmt renderings of the loghub
// lines, so the text is the same), filters and formatters on the raw lines.
//
//   build/bench/query/log_pipeline_bench --benchmark_min_time=0.5
#include <benchmark/benchmark.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "query/log/drop_keep.h"
#include "query/log/json_parser.h"
#include "query/log/label_filter.h"
#include "query/log/line_filter.h"
#include "query/log/line_format.h"
#include "query/log/logfmt_decoder.h"
#include "query/log/logfmt_parser.h"
#include "query/log/regexp_parser.h"
#include "query/log/stage_pipeline.h"

namespace sawmill::query::log {
namespace {

struct Corpus {
  std::vector<std::string> raw, json, logfmt;
};

std::string JsonEscape(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    if (static_cast<unsigned char>(c) < 0x20) {
      out += ' ';
      continue;
    }
    out.push_back(c);
  }
  return out;
}

const Corpus& Lines() {
  static const Corpus* corpus = [] {
    auto* c = new Corpus;
    std::vector<std::filesystem::path> files;
    for (const auto& e : std::filesystem::directory_iterator(SAW_LOGHUB_DIR)) {
      if (e.path().extension() == ".log") files.push_back(e.path());
    }
    std::sort(files.begin(), files.end());
    const char* levels[] = {"info", "warn", "error", "debug"};
    size_t i = 0;
    for (const auto& p : files) {
      std::ifstream in(p);
      std::string line;
      while (std::getline(in, line)) {
        c->raw.push_back(line);
        std::string lvl = levels[i % 4];
        std::string dur = std::to_string(i % 2000) + "ms";
        c->json.push_back(R"({"ts":"2026-11-20T00:00:00Z","level":")" + lvl + R"(","duration":")" +
                          dur + R"(","ctx":{"host":"h)" + std::to_string(i % 7) + R"(","pid":)" +
                          std::to_string(i) + R"(},"msg":")" + JsonEscape(line) + "\"}");
        c->logfmt.push_back("ts=2026-11-20T00:00:00Z level=" + lvl + " duration=" + dur +
                            " host=h" + std::to_string(i % 7) + " msg=\"" + JsonEscape(line) +
                            "\"");
        ++i;
      }
    }
    return c;
  }();
  return *corpus;
}

void Run(benchmark::State& state, std::vector<StagePtr> stages,
         const std::vector<std::string>& lines) {
  auto labels = index::LabelSet::Parse(R"({app="bench", env="prod"})");
  auto pipeline = NewStagePipeline(std::move(stages));
  auto sp = pipeline->ForStream(*labels);
  size_t bytes = 0;
  for (const std::string& l : lines) bytes += l.size();
  size_t kept = 0;
  LineResult r;
  for (auto _ : state) {
    for (const std::string& l : lines) kept += sp->Process(1, l, "", &r);
  }
  benchmark::DoNotOptimize(kept);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
  state.counters["lines/s"] = benchmark::Counter(
      static_cast<double>(state.iterations() * lines.size()), benchmark::Counter::kIsRate);
}

template <typename... S>
std::vector<StagePtr> Stages(S&&... s) {
  std::vector<StagePtr> v;
  (v.push_back(std::move(s)), ...);
  return v;
}

index::Matcher Eq(std::string name, std::string value) {
  return std::move(
             index::Matcher::Make(index::MatchType::kEqual, std::move(name), std::move(value)))
      .value();
}

void BM_Json(benchmark::State& state) { Run(state, Stages(JsonParserStage()), Lines().json); }
BENCHMARK(BM_Json);

void BM_JsonLevelError(benchmark::State& state) {
  Run(state, Stages(JsonParserStage(), StringLabelFilter(Eq("level", "error"))), Lines().json);
}
BENCHMARK(BM_JsonLevelError);

void BM_JsonExpression(benchmark::State& state) {
  Run(state,
      Stages(
          std::move(JsonExpressionParserStage({{"lvl", "level"}, {"host", "ctx.host"}})).value()),
      Lines().json);
}
BENCHMARK(BM_JsonExpression);

void BM_Logfmt(benchmark::State& state) { Run(state, Stages(LogfmtParserStage()), Lines().logfmt); }
BENCHMARK(BM_Logfmt);

// The logfmt decoder alone (every pair scanned, nothing copied): what the metric engine's
// `| logfmt | unwrap x` fast path pays per line before looking at the few keys it needs.
void BM_LogfmtDecodeOnly(benchmark::State& state) {
  const std::vector<std::string>& lines = Lines().logfmt;
  size_t bytes = 0;
  for (const std::string& l : lines) bytes += l.size();
  size_t pairs = 0;
  for (auto _ : state) {
    for (const std::string& l : lines) {
      LogfmtDecoder dec(l);
      while (!dec.Eol() && dec.ScanKeyval()) pairs += dec.value().size() > 0;
    }
  }
  benchmark::DoNotOptimize(pairs);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
  state.counters["lines/s"] = benchmark::Counter(
      static_cast<double>(state.iterations() * lines.size()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_LogfmtDecodeOnly);

void BM_LogfmtDurationFilter(benchmark::State& state) {
  Run(state,
      Stages(LogfmtParserStage(), DurationLabelFilter("duration", CompareOp::kGt, 1000000000)),
      Lines().logfmt);
}
BENCHMARK(BM_LogfmtDurationFilter);

void BM_Regexp(benchmark::State& state) {
  Run(state, Stages(std::move(RegexpParserStage(R"((?P<first>\S+) (?P<second>\S+))")).value()),
      Lines().raw);
}
BENCHMARK(BM_Regexp);

void BM_Pattern(benchmark::State& state) {
  Run(state, Stages(std::move(PatternParserStage("<a> <b> <_>")).value()), Lines().raw);
}
BENCHMARK(BM_Pattern);

void BM_LineFormat(benchmark::State& state) {
  Run(state,
      Stages(LogfmtParserStage(),
             std::move(LineFormatStage("{{.level | upper}} {{.host}}: {{.msg}}")).value()),
      Lines().logfmt);
}
BENCHMARK(BM_LineFormat);

void BM_LabelFormatDrop(benchmark::State& state) {
  Run(state,
      Stages(LogfmtParserStage(), std::move(LabelFormatStage({{"lvl", "level", true}})).value(),
             DropLabelsStage({{"msg", {}}, {"ts", {}}})),
      Lines().logfmt);
}
BENCHMARK(BM_LabelFormatDrop);

}  // namespace
}  // namespace sawmill::query::log
