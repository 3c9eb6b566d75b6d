// How long a delete request takes to process in the store: one stream's day of loghub lines
// (kStreamBytes of line text, flushed into ~1.5 MiB chunks) among kOtherStreams other
// streams of the same day, removed by Store::RemoveEntries, then CompactChunks.
//
// BM_DeleteStreamDay/0: the whole day, no predicate (a selector-only request): every chunk
//   is covered and dropped from its index part, unread.
// BM_DeleteStreamDay/1: lines containing "error" (a request with a line filter): every
//   chunk is read, and rewritten when it holds such a line.
// Counters: seconds in RemoveEntries and in CompactChunks, chunks rewritten/dropped, lines
// removed. One iteration per run: each builds its store first (not timed).
#include <benchmark/benchmark.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "storage/store.h"

namespace sawmill::storage {
namespace {

constexpr size_t kStreamBytes = 128ull << 20;  // line bytes of the deleted stream's day
constexpr int kOtherStreams = 9;
constexpr size_t kOtherBytes = 16ull << 20;               // each
constexpr int64_t kDayStart = 1795132800LL * 1000000000;  // a UTC midnight
constexpr int64_t kDayNs = 86400LL * 1000000000;

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

// Writes `bytes` of lines into `stream`, evenly over the day, in ~1 MiB writes.
void Fill(Store* store, uint64_t stream, size_t bytes) {
  const auto& lines = LoghubLines();
  size_t avg = 0;
  for (const auto& l : lines) avg += l.size();
  avg /= lines.size();
  const size_t count = bytes / avg;
  const int64_t step = kDayNs / static_cast<int64_t>(count + 1);
  StreamWrite w{stream, {}};
  size_t batch_bytes = 0;
  for (size_t i = 0; i < count; ++i) {
    const std::string& line = lines[(i * 7919 + stream) % lines.size()];
    w.entries.push_back({kDayStart + static_cast<int64_t>(i) * step, line, {}});
    batch_bytes += line.size();
    if (batch_bytes >= (1 << 20) || i + 1 == count) {
      WriteResult r;
      if (!store->Write("bench", {&w, 1}, &r).ok()) std::abort();
      if (!store->FlushDue().ok()) std::abort();  // ~1.5 MiB chunks, as the flusher makes
      w.entries.clear();
      batch_bytes = 0;
    }
  }
}

void BM_DeleteStreamDay(benchmark::State& state) {
  const bool line_filter = state.range(0) == 1;
  const std::string dir =
      (std::filesystem::temp_directory_path() / "sawmill-bench-delete").string();
  double remove_s = 0, compact_s = 0;
  RemoveStats stats;
  uint64_t disk_before = 0, disk_after = 0;
  for (auto _ : state) {
    state.PauseTiming();
    std::filesystem::remove_all(dir);
    StoreOptions o;
    o.data_dir = dir;
    o.background_threads = false;
    o.out_of_order_window = std::chrono::nanoseconds(0);
    auto store = Store::Open(o);
    if (!store.ok()) std::abort();
    Fill(store->get(), 1, kStreamBytes);
    for (int s = 0; s < kOtherStreams; ++s) Fill(store->get(), 100 + s, kOtherBytes);
    if (!(*store)->FlushAll().ok()) std::abort();
    disk_before = (*store)->DiskBytes();
    state.ResumeTiming();

    EntryPredicate remove;
    if (line_filter) {
      remove = [](int64_t, std::string_view line, std::string_view) {
        return line.find("error") != std::string_view::npos;
      };
    }
    stats = RemoveStats();
    auto t0 = std::chrono::steady_clock::now();
    if (!(*store)->RemoveEntries("bench", 1, kDayStart, kDayStart + kDayNs, remove, &stats).ok()) {
      std::abort();
    }
    auto t1 = std::chrono::steady_clock::now();
    if (!(*store)->CompactChunks("bench", kDayStart, kDayStart + kDayNs, true).ok()) std::abort();
    auto t2 = std::chrono::steady_clock::now();
    remove_s = std::chrono::duration<double>(t1 - t0).count();
    compact_s = std::chrono::duration<double>(t2 - t1).count();

    state.PauseTiming();
    disk_after = (*store)->DiskBytes();
    (void)(*store)->Close();
    store->reset();
    std::filesystem::remove_all(dir);
    state.ResumeTiming();
  }
  state.counters["remove_s"] = remove_s;
  state.counters["compact_s"] = compact_s;
  state.counters["chunks_read"] = static_cast<double>(stats.chunks_read);
  state.counters["chunks_rewritten"] = static_cast<double>(stats.chunks_rewritten);
  state.counters["chunks_dropped"] = static_cast<double>(stats.chunks_dropped);
  state.counters["lines_removed"] = static_cast<double>(stats.entries_removed);
  state.counters["disk_MB_before"] = static_cast<double>(disk_before) / 1e6;
  state.counters["disk_MB_after"] = static_cast<double>(disk_after) / 1e6;
}
BENCHMARK(BM_DeleteStreamDay)->Arg(0)->Arg(1)->Iterations(1)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace sawmill::storage
