// Label index lookups and stream resolution over 100,000 streams of one tenant.
//
// The streams look like Kubernetes pods: cluster (4 values), namespace (40), app (400, each in
// one namespace), env (3), pod (unique). Every stream is present in one day bucket.
//
// BM_Select: a 3-matcher selector (arg picks which, see kSelectors) -> stream ids + labels.
// BM_GetOrCreateExisting: GetOrCreateStream for a stream already in today's bucket (the push
//   hot path), round-robin over 10,000 label sets; threads via ->Threads().
// BM_CreateStream: a new stream (fingerprint, RocksDB row, postings inserts).
// BM_Open: loading the 100,000 streams from RocksDB.
#include <benchmark/benchmark.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "index/label_index.h"

namespace sawmill::index {
namespace {

constexpr int kStreams = 100000;
constexpr int64_t kSec = 1000000000;
constexpr int64_t kBase = 1795132800LL * kSec;  // a day bucket start
constexpr int64_t kDay = 86400 * kSec;

LabelSet StreamLabels(int i) {
  int app = i % 400;
  std::vector<Label> labels = {
      {"app", "app-" + std::to_string(app)},
      {"cluster", "c-" + std::to_string(i % 4)},
      {"env", i % 3 == 0 ? "dev" : (i % 3 == 1 ? "prod" : "staging")},
      {"namespace", "ns-" + std::to_string(app % 40)},
      {"pod", "pod-" + std::to_string(i)},
  };
  return std::move(LabelSet::FromLabels(std::move(labels))).value();
}

struct Fixture {
  std::string dir;
  std::unique_ptr<storage::KvStore> kv;
  std::unique_ptr<LabelIndex> index;
  std::vector<LabelSet> labels;
};

std::unique_ptr<storage::KvStore> OpenKv(const std::string& dir) {
  storage::KvOptions o;
  o.path = dir;
  return std::move(storage::KvStore::Open(o)).value();
}

Fixture& Shared() {
  static Fixture* f = [] {
    auto* fx = new Fixture;
    fx->dir = (std::filesystem::temp_directory_path() / "sawmill-bench-index").string();
    std::filesystem::remove_all(fx->dir);
    fx->kv = OpenKv(fx->dir);
    fx->index = std::move(LabelIndex::Open(fx->kv.get())).value();
    for (int i = 0; i < kStreams; ++i) {
      fx->labels.push_back(StreamLabels(i));
      (void)fx->index->GetOrCreateStream("fake", fx->labels.back(), kBase + i * kSec / 10);
    }
    return fx;
  }();
  return *f;
}

Matcher M(MatchType t, std::string name, std::string value) {
  return std::move(Matcher::Make(t, std::move(name), std::move(value))).value();
}

std::vector<Matcher> Selector(int which) {
  using enum MatchType;
  switch (which) {
    case 0:  // equality + literal alternation + negative: 83 streams
      return {M(kEqual, "namespace", "ns-7"), M(kRegexMatch, "app", "app-7|app-47|app-87"),
              M(kNotEqual, "env", "dev")};
    case 1:  // a broad equality, a regex over 40 values, a negative regex: ~8,300 streams
      return {M(kEqual, "cluster", "c-1"), M(kRegexMatch, "namespace", "ns-1.*"),
              M(kRegexNoMatch, "env", "dev|staging")};
    default:  // three broad matchers: ~25,000 streams
      return {M(kRegexMatch, "cluster", "c-[12]"), M(kNotEqual, "env", "staging"),
              M(kRegexMatch, "pod", "pod-.+")};
  }
}

void BM_Select(benchmark::State& state) {
  Fixture& f = Shared();
  std::vector<Matcher> ms = Selector(static_cast<int>(state.range(0)));
  size_t found = 0;
  for (auto _ : state) {
    auto r = f.index->Select("fake", ms, kBase, kBase + kDay);
    found = r->size();
    benchmark::DoNotOptimize(r);
  }
  state.counters["streams"] = static_cast<double>(found);
}
BENCHMARK(BM_Select)->Arg(0)->Arg(1)->Arg(2)->Unit(benchmark::kMicrosecond);

void BM_GetOrCreateExisting(benchmark::State& state) {
  Fixture& f = Shared();
  size_t i = state.thread_index() * 7919;
  for (auto _ : state) {
    auto id = f.index->GetOrCreateStream("fake", f.labels[i % 10000], kBase + kSec);
    benchmark::DoNotOptimize(id);
    ++i;
  }
}
BENCHMARK(BM_GetOrCreateExisting)->Threads(1)->Threads(2);

void BM_CreateStream(benchmark::State& state) {
  Fixture& f = Shared();
  static int next = kStreams;
  std::vector<LabelSet> fresh;
  for (int i = 0; i < 20000; ++i) fresh.push_back(StreamLabels(next++));
  size_t i = 0;
  for (auto _ : state) {
    if (i == fresh.size()) {
      state.PauseTiming();
      for (auto& ls : fresh) ls = StreamLabels(next++);
      i = 0;
      state.ResumeTiming();
    }
    auto id = f.index->GetOrCreateStream("fake", fresh[i++], kBase + 2 * kDay);
    benchmark::DoNotOptimize(id);
  }
}
BENCHMARK(BM_CreateStream)->Iterations(20000);

void BM_Open(benchmark::State& state) {
  Fixture& f = Shared();
  for (auto _ : state) {
    auto index = LabelIndex::Open(f.kv.get());
    benchmark::DoNotOptimize(index);
    state.counters["streams"] = static_cast<double>((*index)->Stats().streams);
  }
}
BENCHMARK(BM_Open)->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace
}  // namespace sawmill::index
