// Log queries with line filters (query/engine/log_query.h) over flushed chunks of loghub lines:
// the engine's two ways of reading a stream, alternated in one process.
//
// BM_LogQueryLineFilter/<path>/<query>: 32 streams of ~2 MiB of loghub lines each (a whole
//   2k-line file replayed with shifted timestamps, ~8 blocks of 256 KiB per stream), flushed;
//   ExecuteLogQuery with limit 5000, backward, on a pool of 1 worker + the caller (2 cores).
//   path 0: entry by entry (the pipeline is wrapped so the engine does not see that it only
//   has line filters: OpenStream, one StreamPipeline::Process per line, as before the block
//   path); path 1: whole blocks (OpenBatchesBackward, Pipeline::FilterLines per block).
//   query 0: |= "ZZneverZZ" (matches nothing: the whole data set is scanned; bytes/s is text
//   scanned); query 1: |= "error" (stops once 5000 entries newer than the rest are found);
//   query 2: |~ "(?i)exception" (a regex: per line either way).
#include <benchmark/benchmark.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "bench/query/store_bench_querier.h"
#include "query/engine/log_query.h"
#include "query/engine/querier.h"
#include "query/log/compile.h"
#include "query/logql/parser.h"
#include "storage/store.h"

namespace sawmill::query::engine {
namespace {

constexpr int kStreams = 32;
constexpr int kCopies = 4;  // of the loghub file per stream: ~2 MiB of text

// Hides that a pipeline only has line filters: the engine reads entry by entry.
class EntryPathPipeline final : public log::Pipeline {
 public:
  explicit EntryPathPipeline(const log::Pipeline* inner) : inner_(inner) {}
  std::unique_ptr<log::StreamPipeline> ForStream(const index::LabelSet& labels) const override {
    return inner_->ForStream(labels);
  }
  bool IsLineFilterOnly() const override { return false; }

 private:
  const log::Pipeline* inner_;
};

struct Fixture {
  std::string dir;
  std::unique_ptr<storage::Store> store;
  std::unique_ptr<StoreBenchQuerier> querier;
  int64_t end_ns = 0;
};

Fixture& Data() {
  static Fixture* f = [] {
    auto* f = new Fixture;
    std::vector<std::vector<std::string>> files;
    for (const auto& e : std::filesystem::directory_iterator(SAW_LOGHUB_DIR)) {
      if (e.path().extension() != ".log") continue;
      std::ifstream in(e.path());
      std::vector<std::string> lines;
      for (std::string line; std::getline(in, line);) lines.push_back(line);
      files.push_back(std::move(lines));
    }
    f->dir = (std::filesystem::temp_directory_path() / "sawmill-bench-log-query").string();
    std::filesystem::remove_all(f->dir);
    storage::StoreOptions o;
    o.data_dir = f->dir;
    o.background_threads = false;
    o.chunk_target_bytes = 64 << 20;  // one chunk per stream
    f->store = std::move(storage::Store::Open(o)).value();
    const int64_t start = int64_t{1795132800} * 1'000'000'000;
    for (int s = 0; s < kStreams; ++s) {
      const std::vector<std::string>& lines = files[s % files.size()];
      std::vector<storage::EntryRef> entries;
      int64_t ts = start + s * 7'000'000;  // streams interleave in time
      for (int c = 0; c < kCopies; ++c) {
        for (const std::string& line : lines) {
          entries.push_back({ts, line, {}});
          ts += 100'000'000;
        }
      }
      f->end_ns = std::max(f->end_ns, ts + 1);
      storage::StreamWrite w;
      w.stream_id = static_cast<uint64_t>(s + 1);
      w.entries = std::move(entries);
      storage::WriteResult r;
      if (!f->store->Write("t", std::span(&w, 1), &r).ok()) std::abort();
    }
    if (!f->store->FlushAll().ok()) std::abort();
    std::vector<SelectedStream> streams;
    for (int s = 0; s < kStreams; ++s) {
      auto labels = index::LabelSet::Parse("{job=\"s" + std::to_string(s) + "\"}");
      streams.push_back({static_cast<uint64_t>(s + 1),
                         std::make_shared<const index::LabelSet>(std::move(labels).value())});
    }
    f->querier = std::make_unique<StoreBenchQuerier>(f->store.get(), std::move(streams));
    return f;
  }();
  return *f;
}

void BM_LogQueryLineFilter(benchmark::State& state) {
  static const char* kQueries[] = {R"({job=~".+"} |= "ZZneverZZ")", R"({job=~".+"} |= "error")",
                                   R"({job=~".+"} |~ "(?i)exception")"};
  Fixture& f = Data();
  auto expr = logql::ParseLogSelector(kQueries[state.range(1)]);
  auto compiled = log::CompilePipeline((*expr)->stages);
  EntryPathPipeline entry_path(compiled->get());
  ThreadPool pool(1);
  LogQueryParams p;
  p.tenant = "t";
  p.matchers = (*expr)->matchers;
  p.pipeline =
      state.range(0) == 0 ? static_cast<const log::Pipeline*>(&entry_path) : compiled->get();
  p.start_ns = 0;
  p.end_ns = f.end_ns;
  p.direction = Direction::kBackward;
  p.limit = 5000;
  uint64_t bytes = 0, entries = 0;
  for (auto _ : state) {
    auto r = ExecuteLogQuery(f.querier.get(), &pool, p);
    if (!r.ok()) {
      state.SkipWithError(r.status().ToString().c_str());
      return;
    }
    bytes += r->stats.bytes_scanned;
    entries = r->stats.entries_returned;
  }
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
  state.counters["returned"] = static_cast<double>(entries);
}
BENCHMARK(BM_LogQueryLineFilter)
    ->ArgsProduct({{0, 1}, {0, 1, 2}})
    ->ArgNames({"path", "query"})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
}  // namespace sawmill::query::engine
