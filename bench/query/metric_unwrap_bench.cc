// Unwrap range aggregations (query/engine/metric_unwrap.h) over flushed chunks of logfmt lines
// shaped like bench/load/log_gen's `{fmt="logfmt"}` streams: `level=.. duration=NNNms
// msg="<escaped loghub line>"`, through ExecuteMetricQuery as the HTTP handler calls it.
//
// Data: one stream per (job, host), job = each loghub system (16), 8 hosts, ~0.3 MB of text
// per stream (~38 MB, ~0.2 M lines), spread evenly over 3 h and flushed. 3 h rather than
// log_gen's 24 h keeps its density: ~80 samples per group per 1-minute window, as in the
// 1.1 GB, 24 h data set of bench/RESULTS.md's quiet-machine figures.
//
// BM_MetricUnwrap/<query>: the whole 3 h at step 60 s, on a pool of 1 worker + the caller;
//   the time is the process' CPU time, so bytes/s is text scanned per core.
//   query 0: quantile_over_time(0.99, {fmt="logfmt"} | logfmt | unwrap duration(duration) [1m])
//            by (job)                    (issue 5's figure; the logfmt fast path)
//   query 1: the same, by (job, level)   (a grouped label taken from the line)
//   query 2: max by (job) (max_over_time(... | logfmt | drop level, msg | unwrap
//            duration(duration) [1m]))  (the general path: a label set per line)
//   query 3: avg_over_time(... | logfmt | duration > 1s | unwrap duration(duration)
//            [1m]) by (job)              (a label filter between: the general path)
//   query 4: sum by (job) (count_over_time({fmt="logfmt"} |= "ZZneverZZ" [1m])): no unwrap;
//            the cost of reading (decompressing) the same text and searching it once, a
//            ceiling for the others
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "bench/load/log_render.h"
#include "bench/query/store_bench_querier.h"
#include "query/engine/metric_query.h"
#include "query/engine/querier.h"
#include "query/log/logfmt_decoder.h"
#include "query/log/logfmt_picker.h"
#include "query/logql/parser.h"
#include "storage/kv_store.h"
#include "storage/store.h"

namespace sawmill::query::engine {
namespace {

constexpr int kHosts = 8;
constexpr size_t kBytesPerStream = 300 * 1000;
constexpr int64_t kSpanNs = int64_t{3} * 3600 * 1'000'000'000;
constexpr int64_t kStartNs = int64_t{1795132800} * 1'000'000'000;

std::string Render(const std::vector<std::string>& lines, size_t i) {
  return bench::RenderLogfmt(lines[i % lines.size()], i);
}

struct Fixture {
  std::string dir;
  std::unique_ptr<storage::Store> store;
  std::unique_ptr<StoreBenchQuerier> querier;
};

Fixture& Data() {
  static Fixture* f = [] {
    auto* f = new Fixture;
    std::vector<std::filesystem::path> files;
    for (const auto& e : std::filesystem::directory_iterator(SAW_LOGHUB_DIR)) {
      if (e.path().string().ends_with("_2k.log")) files.push_back(e.path());
    }
    std::sort(files.begin(), files.end());
    f->dir = (std::filesystem::temp_directory_path() / "sawmill-bench-metric-unwrap").string();
    std::filesystem::remove_all(f->dir);
    storage::StoreOptions o;
    o.data_dir = f->dir;
    o.background_threads = false;
    f->store = std::move(storage::Store::Open(o)).value();
    std::vector<SelectedStream> streams;
    for (const auto& path : files) {
      std::string job = path.filename().string().substr(0, path.filename().string().find('_'));
      for (char& c : job) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      std::ifstream in(path);
      std::vector<std::string> lines;
      for (std::string line; std::getline(in, line);) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (!line.empty()) lines.push_back(line);
      }
      for (int h = 0; h < kHosts; ++h) {
        const uint64_t id = streams.size() + 1;
        std::vector<std::string> rendered;
        size_t bytes = 0;
        for (size_t i = static_cast<size_t>(h) * 131 + 34; bytes < kBytesPerStream; ++i) {
          rendered.push_back(Render(lines, i));
          bytes += rendered.back().size();
        }
        const int64_t step = kSpanNs / static_cast<int64_t>(rendered.size() + 1);
        std::vector<storage::EntryRef> entries;
        for (size_t i = 0; i < rendered.size(); ++i) {
          entries.push_back({kStartNs + static_cast<int64_t>(id) + static_cast<int64_t>(i) * step,
                             rendered[i],
                             {}});
        }
        storage::StreamWrite w;
        w.stream_id = id;
        w.entries = std::move(entries);
        storage::WriteResult r;
        if (!f->store->Write("t", std::span(&w, 1), &r).ok()) std::abort();
        auto labels = index::LabelSet::Parse("{fmt=\"logfmt\", host=\"host-" + std::to_string(h) +
                                             "\", job=\"" + job + "\"}");
        streams.push_back({id, std::make_shared<const index::LabelSet>(std::move(labels).value())});
      }
    }
    if (!f->store->FlushAll().ok()) std::abort();
    // Chunks out of RocksDB's memtable into blob files, where a store's chunks are read from.
    if (!f->store->kv()->FlushMemtables().ok()) std::abort();
    f->querier = std::make_unique<StoreBenchQuerier>(f->store.get(), std::move(streams));
    return f;
  }();
  return *f;
}

void BM_MetricUnwrap(benchmark::State& state) {
  static const char* kQueries[] = {
      R"(quantile_over_time(0.99, {fmt="logfmt"} | logfmt | unwrap duration(duration) [1m]) by (job))",
      R"(quantile_over_time(0.99, {fmt="logfmt"} | logfmt | unwrap duration(duration) [1m]) by (job, level))",
      R"(max by (job) (max_over_time({fmt="logfmt"} | logfmt | drop level, msg | unwrap duration(duration) [1m])))",
      R"(avg_over_time({fmt="logfmt"} | logfmt | duration > 1s | unwrap duration(duration) [1m]) by (job))",
      R"(sum by (job) (count_over_time({fmt="logfmt"} |= "ZZneverZZ" [1m])))",
  };
  Fixture& f = Data();
  auto expr = logql::ParseExpr(kQueries[state.range(0)]);
  if (!expr.ok()) {
    state.SkipWithError(expr.status().ToString().c_str());
    return;
  }
  ThreadPool pool(1);
  MetricQueryParams p;
  p.tenant = "t";
  p.start_ns = kStartNs + 60'000'000'000;
  p.end_ns = kStartNs + kSpanNs;
  p.step_ns = 60'000'000'000;
  p.max_series = 1000;
  uint64_t bytes = 0;
  size_t series = 0;
  for (auto _ : state) {
    auto r = ExecuteMetricQuery(f.querier.get(), &pool, **expr, p);
    if (!r.ok()) {
      state.SkipWithError(r.status().ToString().c_str());
      return;
    }
    bytes += r->stats.bytes_scanned;
    series = r->series.size();
  }
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
  state.counters["series"] = static_cast<double>(series);
}
BENCHMARK(BM_MetricUnwrap)
    ->DenseRange(0, 4)
    ->ArgName("query")
    ->Unit(benchmark::kMillisecond)
    ->MeasureProcessCPUTime();

// BM_LogfmtPick/<scanner>/<file>: the same lines in memory, one pass: scanner 0 LogfmtPicker
// for `duration`, scanner 1 LogfmtDecoder over every key (what the fast path used before);
// file 0 HDFS (no escapes), 1 OpenStack (half the lines escape quotes). bytes/s of line text.
void BM_LogfmtPick(benchmark::State& state) {
  std::vector<std::string> lines;
  {
    static const char* kFiles[] = {"HDFS_2k.log", "OpenStack_2k.log"};
    std::ifstream in(std::filesystem::path(SAW_LOGHUB_DIR) / kFiles[state.range(1)]);
    std::vector<std::string> raw;
    for (std::string line; std::getline(in, line);) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (!line.empty()) raw.push_back(line);
    }
    for (size_t i = 0; i < raw.size(); ++i) lines.push_back(Render(raw, i));
  }
  size_t bytes = 0;
  for (const std::string& l : lines) bytes += l.size();
  const std::vector<std::string> names = {"duration"};
  log::LogfmtPicker picker(names);
  size_t found = 0;
  for (auto _ : state) {
    for (const std::string& l : lines) {
      if (state.range(0) == 0) {
        if (picker.Pick(l)) found += picker.value(0).size();
      } else if (state.range(0) == 2) {
        found += std::memchr(l.data(), 1, l.size()) == nullptr;
      } else {
        log::LogfmtDecoder dec(l);
        while (!dec.Eol() && dec.ScanKeyval()) {
          if (dec.key() == "duration") found += dec.value().size();
        }
      }
    }
  }
  benchmark::DoNotOptimize(found);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
  state.counters["ns_per_line"] =
      benchmark::Counter(static_cast<double>(state.iterations() * lines.size()),
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_LogfmtPick)->ArgsProduct({{0, 1, 2}, {0, 1}})->ArgNames({"scanner", "file"});

}  // namespace
}  // namespace sawmill::query::engine
