// Line filter throughput over the loghub sample lines (16 systems x 2k lines, ~3.7 MB),
// in bytes of line text scanned per second, one thread. Each kind of filter runs through
// the same Stage interface the engine calls, over a vector of string_views (no I/O, no
// decompression). For comparison, BM_StringViewFind is the plain std::string_view::find.
//
//   build/bench/query/line_filter_bench --benchmark_min_time=0.5
#include <benchmark/benchmark.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "query/log/line_filter.h"
#include "query/log/substring.h"

namespace sawmill::query::log {
namespace {

struct Corpus {
  std::vector<std::string> storage;
  std::vector<std::string_view> lines;
  size_t bytes = 0;
};

const Corpus& Lines() {
  static const Corpus* corpus = [] {
    auto* c = new Corpus;
    std::vector<std::filesystem::path> files;
    for (const auto& e : std::filesystem::directory_iterator(SAW_LOGHUB_DIR)) {
      if (e.path().extension() == ".log") files.push_back(e.path());
    }
    std::sort(files.begin(), files.end());
    for (const auto& p : files) {
      std::ifstream in(p);
      std::string line;
      while (std::getline(in, line)) c->storage.push_back(line);
    }
    for (const std::string& s : c->storage) {
      c->lines.push_back(s);
      c->bytes += s.size();
    }
    return c;
  }();
  return *corpus;
}

void RunStage(benchmark::State& state, const Stage& stage) {
  const Corpus& c = Lines();
  index::LabelSet labels;
  LabelsBuilder lbs(&labels);
  size_t kept = 0;
  for (auto _ : state) {
    for (std::string_view line : c.lines) {
      std::string_view l = line;
      kept += stage.Process(0, &l, &lbs);
    }
  }
  benchmark::DoNotOptimize(kept);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * c.bytes));
  state.counters["kept/iter"] = static_cast<double>(kept) / static_cast<double>(state.iterations());
}

void BM_StringViewFind(benchmark::State& state) {
  const Corpus& c = Lines();
  size_t kept = 0;
  for (auto _ : state) {
    for (std::string_view line : c.lines) kept += line.find("error") != std::string_view::npos;
  }
  benchmark::DoNotOptimize(kept);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * c.bytes));
}
BENCHMARK(BM_StringViewFind);

// SubstringSearcher::Find over the whole corpus as one text, restarting after each hit, as
// a block-wide `|=` scan does (line_filter.cc's MatchLines): needle 0 "ZZneverZZ" (no hit,
// the pure scan), 1 "error" (frequent hits); with `folded`, CaseInsensitiveSearcher (the
// `|~ "(?i)..."` literal path).
template <typename Searcher>
void FindInBlock(benchmark::State& state) {
  const Corpus& c = Lines();
  std::string text;
  for (std::string_view line : c.lines) text += line;
  const Searcher searcher(state.range(0) == 0 ? "ZZneverZZ" : "error");
  size_t hits = 0;
  for (auto _ : state) {
    std::string_view rest = text;
    for (;;) {
      const size_t p = searcher.Find(rest);
      if (p == std::string_view::npos) break;
      ++hits;
      rest.remove_prefix(p + 1);
    }
  }
  benchmark::DoNotOptimize(hits);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}
void BM_FindInBlock(benchmark::State& state) { FindInBlock<SubstringSearcher>(state); }
BENCHMARK(BM_FindInBlock)->ArgName("needle")->Arg(0)->Arg(1);
void BM_FindInBlockFolded(benchmark::State& state) { FindInBlock<CaseInsensitiveSearcher>(state); }
BENCHMARK(BM_FindInBlockFolded)->ArgName("needle")->Arg(0)->Arg(1);

void BM_Contains(benchmark::State& state) {
  RunStage(state, *LineFilterStage(ContainsMatcher("error")));
}
BENCHMARK(BM_Contains);

void BM_ContainsLong(benchmark::State& state) {
  RunStage(state, *LineFilterStage(ContainsMatcher("workerEnv in error state")));
}
BENCHMARK(BM_ContainsLong);

void BM_NotContains(benchmark::State& state) {
  RunStage(state, *LineFilterStage(NotMatcher(ContainsMatcher("INFO"))));
}
BENCHMARK(BM_NotContains);

void BM_ContainsFolded(benchmark::State& state) {
  RunStage(state, *LineFilterStage(std::move(RegexMatcher("(?i)error")).value()));
}
BENCHMARK(BM_ContainsFolded);

void BM_RegexAlternation(benchmark::State& state) {
  RunStage(state, *LineFilterStage(std::move(RegexMatcher("error|fail|refused")).value()));
}
BENCHMARK(BM_RegexAlternation);

void BM_RegexPrefiltered(benchmark::State& state) {
  RunStage(state, *LineFilterStage(std::move(RegexMatcher("connection from \\d+\\.\\d+")).value()));
}
BENCHMARK(BM_RegexPrefiltered);

void BM_RegexFull(benchmark::State& state) {
  RunStage(state, *LineFilterStage(std::move(RegexMatcher("\\d{4,}\\s+\\w+ed")).value()));
}
BENCHMARK(BM_RegexFull);

void BM_Pattern(benchmark::State& state) {
  RunStage(state, *LineFilterStage(std::move(PatternLineMatcher("<_> error <_>")).value()));
}
BENCHMARK(BM_Pattern);

void BM_Ip(benchmark::State& state) {
  RunStage(state, *LineFilterStage(std::move(IpLineMatcher("10.100.0.0/16")).value()));
}
BENCHMARK(BM_Ip);

// The same lines laid out as chunk blocks of ~256 KiB (what storage::BatchIterator hands the
// metric engine): MatchLines decides a whole block at once, so a literal is searched across
// the block instead of line by line.
void RunBatches(benchmark::State& state, const LineMatcher& m) {
  const Corpus& c = Lines();
  struct Block {
    std::string text;
    std::vector<storage::BatchEntry> entries;
  };
  std::vector<Block> blocks(1);
  for (std::string_view line : c.lines) {
    if (blocks.back().text.size() >= (256 << 10)) blocks.emplace_back();
    Block& b = blocks.back();
    b.entries.push_back(
        {0, static_cast<uint32_t>(b.text.size()), static_cast<uint32_t>(line.size()), 0});
    b.text.append(line);
  }
  std::vector<uint8_t> match;
  size_t kept = 0;
  for (auto _ : state) {
    for (const Block& b : blocks) {
      match.resize(b.entries.size());
      m.MatchLines(b.text, b.entries, match.data());
      for (uint8_t x : match) kept += x;
    }
  }
  benchmark::DoNotOptimize(kept);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * c.bytes));
  state.counters["kept/iter"] = static_cast<double>(kept) / static_cast<double>(state.iterations());
}

void BM_BatchContains(benchmark::State& state) { RunBatches(state, *ContainsMatcher("error")); }
BENCHMARK(BM_BatchContains);

void BM_BatchContainsLong(benchmark::State& state) {
  RunBatches(state, *ContainsMatcher("workerEnv in error state"));
}
BENCHMARK(BM_BatchContainsLong);

void BM_BatchNotContains(benchmark::State& state) {
  RunBatches(state, *NotMatcher(ContainsMatcher("INFO")));
}
BENCHMARK(BM_BatchNotContains);

}  // namespace
}  // namespace sawmill::query::log
