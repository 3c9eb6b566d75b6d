// Store ingest throughput and head memory, on loghub lines.
//
// BM_StoreIngest: writers push batches of ~1 MiB spread over 100 or 10,000 streams (what an
//   agent's push looks like) through Store::Write, with the store's background flusher
//   turning heads into chunks meanwhile. Bytes are line bytes. Args: sync policy (0 = fsync,
//   1 = group commit), streams; threads via ->Threads(). Stream ids are spread over 64 bits
//   as the index's fingerprints are, so head record keys land all over the key space. With
//   10,000 streams a batch holds ~0.8 entries per stream: the per-stream cost of a write.
// BM_HeadMemoryPerStream: resident bytes per active stream head after a few lines each.
// BM_StoreReadNewest: 100 streams of one flushed ~1.5 MiB chunk each; one iteration reads the
//   newest entry of every stream backward (what a limit query over many streams starts
//   with). Counters: chunk blocks and compressed bytes fetched per iteration.
// BM_StoreSpan: Store::Span of the same 100 streams (what a limit query asks before it opens
//   any stream: no chunk is read).
#include <benchmark/benchmark.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "storage/store.h"

namespace sawmill::storage {
namespace {

const std::vector<std::string>& LoghubLines() {
  static const std::vector<std::string> lines = [] {
    std::vector<std::string> out;
    for (const auto& f : std::filesystem::directory_iterator(SAW_LOGHUB_DIR)) {
      if (f.path().extension() != ".log") continue;
      std::ifstream in(f.path());
      std::string line;
      while (std::getline(in, line)) out.push_back(line);
    }
    return out;
  }();
  return lines;
}

std::string BenchDir(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() / ("sawmill-bench-" + name);
  std::filesystem::remove_all(dir);
  return dir.string();
}

int64_t RssBytes() {
  std::ifstream in("/proc/self/statm");
  int64_t pages = 0, rss = 0;
  in >> pages >> rss;
  return rss * 4096;
}

constexpr int kStreams = 100;
constexpr size_t kBatchBytes = 1 << 20;

// Stream ids like the label index's: fingerprints, spread over 64 bits.
uint64_t StreamId(int s) { return (static_cast<uint64_t>(s) + 1) * 0x9E3779B97F4A7C15ull; }

struct IngestState {
  std::mutex mu;
  std::unique_ptr<Store> store;
  std::string dir;
  std::atomic<int64_t> next_ts{1795132800LL * 1000000000};
  std::atomic<size_t> next_line{0};
};
IngestState g_ingest;

void BM_StoreIngest(benchmark::State& state) {
  const auto& lines = LoghubLines();
  if (state.thread_index() == 0) {
    StoreOptions o;
    g_ingest.dir = BenchDir("ingest");
    o.data_dir = g_ingest.dir;
    o.sync = state.range(0) == 0 ? SyncPolicy::kFsync : SyncPolicy::kGroupCommit;
    auto s = Store::Open(o);
    if (!s.ok()) {
      state.SkipWithError(s.status().ToString().c_str());
      return;
    }
    g_ingest.store = std::move(s).value();
  }
  // Google Benchmark starts the timed loop of all threads together, after thread 0's setup.
  int64_t bytes = 0, entries = 0;
  const int num_streams = static_cast<int>(state.range(1));
  std::vector<StreamWrite> batch(num_streams);
  for (auto _ : state) {
    batch.resize(num_streams);  // the previous batch dropped its empty streams
    for (int s = 0; s < num_streams; ++s) {
      batch[s].stream_id = StreamId(s);
      batch[s].entries.clear();
    }
    size_t batch_bytes = 0;
    int64_t ts = g_ingest.next_ts.fetch_add(1000000);
    size_t li = g_ingest.next_line.fetch_add(8192);
    for (int i = 0; batch_bytes < kBatchBytes; ++i) {
      const std::string& line = lines[(li + i) % lines.size()];
      batch[i % num_streams].entries.push_back({ts + i, line, {}});
      batch_bytes += line.size();
    }
    std::erase_if(batch, [](const StreamWrite& w) { return w.entries.empty(); });
    WriteResult r;
    Status st = g_ingest.store->Write("bench", batch, &r);
    if (!st.ok()) {
      state.SkipWithError(st.ToString().c_str());
      break;
    }
    bytes += batch_bytes;
    entries += r.accepted + r.duplicates;
  }
  state.SetBytesProcessed(bytes);
  state.SetItemsProcessed(entries);
  if (state.thread_index() == 0) {
    StoreStats st = g_ingest.store->Stats();
    state.counters["syncs"] = static_cast<double>(st.syncs);
    state.counters["chunks"] = static_cast<double>(st.chunks_flushed);
    (void)g_ingest.store->Close();
    state.counters["disk_ratio"] =
        static_cast<double>(g_ingest.store->DiskBytes()) / static_cast<double>(bytes);
    g_ingest.store.reset();
    std::filesystem::remove_all(g_ingest.dir);
  }
}
BENCHMARK(BM_StoreIngest)
    ->ArgsProduct({{0, 1}, {100, 10000}})
    ->Threads(1)
    ->Threads(2)
    ->UseRealTime()
    ->MinTime(3);

void BM_HeadMemoryPerStream(benchmark::State& state) {
  const auto& lines = LoghubLines();
  const int streams = static_cast<int>(state.range(0));
  const int per_stream = static_cast<int>(state.range(1));
  for (auto _ : state) {
    StoreOptions o;
    o.data_dir = BenchDir("memory");
    o.background_threads = false;
    o.block_cache_bytes = 8 << 20;
    auto s = Store::Open(o);
    if (!s.ok()) {
      state.SkipWithError(s.status().ToString().c_str());
      return;
    }
    std::unique_ptr<Store> store = std::move(s).value();
    int64_t rss_before = RssBytes();
    size_t line_bytes = 0, li = 0;
    std::vector<StreamWrite> batch(1000);
    for (int base = 0; base < streams; base += 1000) {
      for (int k = 0; k < 1000; ++k) {
        batch[k].stream_id = base + k;
        batch[k].entries.clear();
        for (int i = 0; i < per_stream; ++i) {
          const std::string& line = lines[li++ % lines.size()];
          batch[k].entries.push_back({1795132800LL * 1000000000 + i, line, {}});
          line_bytes += line.size();
        }
      }
      WriteResult r;
      if (!store->Write("bench", batch, &r).ok()) state.SkipWithError("write failed");
    }
    StoreStats st = store->Stats();
    int64_t rss_after = RssBytes();
    state.counters["head_mem_per_stream"] = static_cast<double>(st.head_memory) / streams;
    state.counters["line_bytes_per_stream"] = static_cast<double>(line_bytes) / streams;
    state.counters["rss_per_stream"] = static_cast<double>(rss_after - rss_before) / streams;
    (void)store->Close();
    std::filesystem::remove_all(o.data_dir);
  }
}
BENCHMARK(BM_HeadMemoryPerStream)
    ->Args({10000, 1})
    ->Args({10000, 10})
    ->Args({10000, 100})
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);

// On-disk bytes of entries pushed but not yet flushed into chunks (the WAL and the head
// column family), per byte of line text: Loki keeps a full raw copy in its WAL (1.06 x).
void BM_UnflushedDiskFootprint(benchmark::State& state) {
  const auto& lines = LoghubLines();
  const size_t total = static_cast<size_t>(state.range(0)) << 20;
  for (auto _ : state) {
    StoreOptions o;
    o.data_dir = BenchDir("footprint");
    o.background_threads = false;  // nothing is flushed into chunks
    auto s = Store::Open(o);
    if (!s.ok()) {
      state.SkipWithError(s.status().ToString().c_str());
      return;
    }
    std::unique_ptr<Store> store = std::move(s).value();
    size_t pushed = 0, li = 0;
    int64_t ts = 1795132800LL * 1000000000;
    std::vector<StreamWrite> batch(kStreams);
    while (pushed < total) {
      for (int k = 0; k < kStreams; ++k) {
        batch[k].stream_id = k;
        batch[k].entries.clear();
      }
      for (size_t b = 0; b < kBatchBytes; ++li) {
        const std::string& line = lines[li % lines.size()];
        batch[li % kStreams].entries.push_back({ts++, line, {}});
        b += line.size();
        pushed += line.size();
      }
      WriteResult r;
      if (!store->Write("bench", batch, &r).ok()) state.SkipWithError("write failed");
    }
    state.counters["pushed_MiB"] = static_cast<double>(pushed) / (1 << 20);
    state.counters["disk_ratio"] =
        static_cast<double>(store->DiskBytes()) / static_cast<double>(pushed);
    state.counters["head_mem_ratio"] =
        static_cast<double>(store->Stats().head_memory) / static_cast<double>(pushed);
    (void)store->Close();
    std::filesystem::remove_all(o.data_dir);
  }
}
BENCHMARK(BM_UnflushedDiskFootprint)->Arg(128)->Iterations(1)->Unit(benchmark::kMillisecond);

// 100 streams of one flushed ~1.5 MiB loghub chunk each, in a fresh store under `dir`.
Result<std::unique_ptr<Store>> OpenFlushedStreams(const std::string& dir) {
  StoreOptions o;
  o.data_dir = dir;
  o.background_threads = false;
  SAW_ASSIGN_OR_RETURN(std::unique_ptr<Store> store, Store::Open(o));
  const auto& lines = LoghubLines();
  size_t next = 0;
  const int64_t base = 1795132800LL * 1000000000;
  for (int s = 0; s < kStreams; ++s) {
    StreamWrite w{static_cast<uint64_t>(s + 1), {}};
    size_t bytes = 0;
    for (int64_t i = 0; bytes < o.chunk_target_bytes - 4096; ++i) {
      const std::string& line = lines[next++ % lines.size()];
      w.entries.push_back({base + i * 1000000, line, {}});
      bytes += line.size();
    }
    WriteResult r;
    SAW_RETURN_IF_ERROR(store->Write("bench", std::span<const StreamWrite>(&w, 1), &r));
  }
  SAW_RETURN_IF_ERROR(store->FlushAll());
  return store;
}

void BM_StoreReadNewest(benchmark::State& state) {
  const std::string dir = BenchDir("read");
  auto opened = OpenFlushedStreams(dir);
  if (!opened.ok()) {
    state.SkipWithError(opened.status().ToString().c_str());
    return;
  }
  std::unique_ptr<Store> store = std::move(opened).value();
  const StoreStats before = store->Stats();
  for (auto _ : state) {
    for (int s = 0; s < kStreams; ++s) {
      auto it = store->Read("bench", static_cast<uint64_t>(s + 1), INT64_MIN, INT64_MAX,
                            Direction::kBackward);
      if (!it.ok() || !(*it)->Next()) {
        state.SkipWithError("read failed");
        return;
      }
      benchmark::DoNotOptimize((*it)->entry().line.data());
    }
  }
  const StoreStats after = store->Stats();
  const double n = static_cast<double>(state.iterations());
  state.counters["blocks/iter"] = (after.chunk_blocks_read - before.chunk_blocks_read) / n;
  state.counters["KB/iter"] = (after.chunk_bytes_read - before.chunk_bytes_read) / n / 1024;
  state.counters["chunks"] = static_cast<double>(after.chunks_flushed);
  store.reset();
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_StoreReadNewest)->Unit(benchmark::kMillisecond)->MinTime(2);

// What a log query with a limit asks of every selected stream before opening any: its span
// (chunk index rows and heads, no chunk read). Same 100 streams as BM_StoreReadNewest.
void BM_StoreSpan(benchmark::State& state) {
  const std::string dir = BenchDir("span");
  auto opened = OpenFlushedStreams(dir);
  if (!opened.ok()) {
    state.SkipWithError(opened.status().ToString().c_str());
    return;
  }
  std::unique_ptr<Store> store = std::move(opened).value();
  const StoreStats before = store->Stats();
  for (auto _ : state) {
    for (int s = 0; s < kStreams; ++s) {
      auto span = store->Span("bench", static_cast<uint64_t>(s + 1), INT64_MIN, INT64_MAX);
      if (!span.ok() || span->empty) {
        state.SkipWithError("span failed");
        return;
      }
      benchmark::DoNotOptimize(span->max_ts);
    }
  }
  const StoreStats after = store->Stats();
  state.counters["blocks_read"] =
      static_cast<double>(after.chunk_blocks_read - before.chunk_blocks_read);
  store.reset();
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_StoreSpan)->Unit(benchmark::kMicrosecond)->MinTime(2);

}  // namespace
}  // namespace sawmill::storage
