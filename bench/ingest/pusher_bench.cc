// Pusher::Push (ingest/pusher.cc) end to end below HTTP: decoded pushes of ~1 MiB of loghub
// lines over 100 or 10,000 streams (labels `{job="load", stream="sN"}`, as bench/load/push_load
// sends them) validated, resolved in the label index and written to a real store (RocksDB,
// group commit, background flusher on), with the server's default limits.
//
// BM_Push/<streams>: bytes are line bytes. With 10,000 streams a push holds ~0.8 entries per
//   stream, so it measures the per-stream cost of a push (label strings, index, head records).
// BM_PushLabelsOnly/<streams>: the same pushes of one 16-byte line per stream: almost only
//   the per-stream work. Items are streams; a fixed 30 pushes.
// Times are the calling thread's CPU (Google Benchmark's default): the work Push does itself,
// not the WAL fsync it waits for nor the store's flusher (wall time is printed beside it).
// The counter `proc_ms_per_MB` is the whole process's CPU (every thread: the store's flusher,
// RocksDB's memtable flushes and compactions, the group-commit thread) per MB of lines, less
// the time spent building the pushes: the figure that matches a server's CPU per MB.
#include <benchmark/benchmark.h>
#include <sys/resource.h>
#include <time.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "index/label_index.h"
#include "ingest/overrides.h"
#include "ingest/pusher.h"
#include "storage/store.h"

namespace sawmill::ingest {
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

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A store, an index and a pusher on a fresh directory, closed and removed at the end.
class Server {
 public:
  explicit Server(const std::string& name)
      : dir_((std::filesystem::temp_directory_path() / ("sawmill-bench-" + name)).string()) {
    std::filesystem::remove_all(dir_);
    storage::StoreOptions o;
    o.data_dir = dir_;
    auto store = storage::Store::Open(o);
    if (!store.ok()) {
      error_ = store.status().ToString();
      return;
    }
    store_ = std::move(store).value();
    auto index = index::LabelIndex::Open(store_->kv());
    if (!index.ok()) {
      error_ = index.status().ToString();
      return;
    }
    index_ = std::move(index).value();
    pusher_ = std::make_unique<Pusher>(store_.get(), index_.get(), &overrides_);
  }
  ~Server() {
    pusher_.reset();
    index_.reset();
    if (store_ != nullptr) (void)store_->Close();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  const std::string& error() const { return error_; }
  Pusher* pusher() { return pusher_.get(); }

 private:
  std::string dir_;
  std::string error_;
  Overrides overrides_;
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<index::LabelIndex> index_;
  std::unique_ptr<Pusher> pusher_;
};

// One push: `line_bytes` of lines (at least one line per stream when `one_per_stream`), with
// timestamps from *ts on.
PushRequest BuildPush(int streams, size_t line_bytes, bool one_per_stream, size_t* cursor,
                      int64_t* ts, size_t* bytes) {
  const auto& lines = LoghubLines();
  PushRequest req;
  req.streams.resize(streams);
  for (int s = 0; s < streams; ++s) {
    req.streams[s].labels = req.Own("{job=\"load\", stream=\"s" + std::to_string(s) + "\"}");
  }
  *bytes = 0;
  if (one_per_stream) {
    std::string_view line = req.Own(std::string(16, 'x'));
    for (int s = 0; s < streams; ++s) {
      req.streams[s].entries.push_back({(*ts)++, line, {}});
      *bytes += line.size();
    }
  } else {
    for (size_t i = 0; *bytes < line_bytes; ++i) {
      const std::string& l = lines[(*cursor)++ % lines.size()];
      req.streams[*cursor % streams].entries.push_back({(*ts)++, l, {}});
      *bytes += l.size();
    }
    std::erase_if(req.streams, [](const PushStream& s) { return s.entries.empty(); });
  }
  return req;
}

double ProcessCpuSeconds() {
  rusage u;
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

double ThreadCpuSeconds() {
  timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) / 1e9;
}

void RunPushes(benchmark::State& state, bool one_per_stream) {
  const int streams = static_cast<int>(state.range(0));
  Server server("pusher-" + std::to_string(streams));
  if (!server.error().empty()) {
    state.SkipWithError(server.error().c_str());
    return;
  }
  size_t cursor = 0;
  int64_t ts = NowNs() - 60'000'000'000;  // within the default windows
  int64_t bytes = 0, items = 0;
  double build_cpu = 0;
  const double proc_start = ProcessCpuSeconds();
  for (auto _ : state) {
    state.PauseTiming();
    size_t b = 0;
    const double build_start = ThreadCpuSeconds();
    PushRequest req = BuildPush(streams, 1 << 20, one_per_stream, &cursor, &ts, &b);
    build_cpu += ThreadCpuSeconds() - build_start;
    state.ResumeTiming();
    PushOutcome outcome;
    Status st = server.pusher()->Push("bench", req, std::chrono::system_clock::now(), &outcome);
    if (!st.ok() || !outcome.errors.empty()) {
      state.SkipWithError(st.ok() ? outcome.errors.front().c_str() : st.ToString().c_str());
      break;
    }
    bytes += static_cast<int64_t>(b);
    items += one_per_stream ? static_cast<int64_t>(req.streams.size())
                            : static_cast<int64_t>(outcome.accepted_entries);
  }
  const double proc_cpu = ProcessCpuSeconds() - proc_start - build_cpu;
  state.SetBytesProcessed(bytes);
  state.SetItemsProcessed(items);
  if (bytes > 0) state.counters["proc_ms_per_MB"] = proc_cpu * 1e3 / (bytes / 1e6);
}

void BM_Push(benchmark::State& state) { RunPushes(state, false); }
BENCHMARK(BM_Push)->Arg(100)->Arg(10000)->Unit(benchmark::kMillisecond)->MinTime(3);

void BM_PushLabelsOnly(benchmark::State& state) { RunPushes(state, true); }
BENCHMARK(BM_PushLabelsOnly)->Arg(100)->Arg(10000)->Unit(benchmark::kMillisecond)->Iterations(30);

}  // namespace
}  // namespace sawmill::ingest
