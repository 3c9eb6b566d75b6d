#include "query/engine/log_query.h"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <unordered_map>

#include "query/engine/loki_frontend_merge.h"
#include "query/engine/merge.h"

namespace sawmill::query::engine {

namespace {

constexpr size_t kOfferBatch = 64;      // hits buffered before they move the shared cut-off
constexpr uint64_t kCheckEvery = 1024;  // entries between two guard checks (clock reads)
// What one kept entry costs beyond its text: the ResultEntry, its group index, slack.
constexpr uint64_t kEntryOverhead = sizeof(ResultEntry) + 16;

// Shared by the stream scans of one query.
struct QueryState {
  QueryState(const LogQueryParams& p, QueryGuard* g, size_t candidates)
      : params(p), guard(g), cutoff(candidates, p.direction) {}
  const LogQueryParams& params;
  QueryGuard* guard;
  Cutoff cutoff;
  std::atomic<bool> failed{false};
  std::mutex mu;
  Status error;      // the first failure, guarded by mu
  QueryStats stats;  // guarded by mu

  void Fail(Status s) {
    std::lock_guard<std::mutex> lock(mu);
    if (error.ok()) error = std::move(s);
    failed.store(true, std::memory_order_relaxed);
  }
};

// Finds or adds the result group of `labels` in *hits.
uint32_t GroupOf(const index::LabelSet& labels, StreamHits* hits,
                 std::unordered_map<uint64_t, uint32_t>* by_fingerprint) {
  auto [it, inserted] = by_fingerprint->try_emplace(labels.Fingerprint(), 0);
  if (!inserted && hits->groups[it->second].labels == labels) return it->second;
  if (!inserted) {  // a fingerprint collision: fall back to a scan
    for (uint32_t g = 0; g < hits->groups.size(); ++g) {
      if (hits->groups[g].labels == labels) return g;
    }
  }
  const uint32_t g = static_cast<uint32_t>(hits->groups.size());
  hits->groups.push_back({labels, labels.ToString()});
  if (inserted) it->second = g;
  return g;
}

// `first_ts`: the stream's best possible timestamp (its span's max_ts backward, min_ts
// forward). A stream whose best entry cannot make the answer is not opened at all.
void ScanStream(const SelectedStream& stream, int64_t first_ts, Querier* querier, QueryState* state,
                StreamHits* hits) {
  const LogQueryParams& p = state->params;
  if (state->failed.load(std::memory_order_relaxed)) return;
  if (!state->cutoff.Admits(first_ts)) return;
  if (Status s = state->guard->Check(); !s.ok()) {
    state->Fail(std::move(s));
    return;
  }
  MemoryCharger charger(state->guard);
  QueryStats stats;
  Result<std::unique_ptr<EntryIterator>> it =
      querier->OpenStream(p.tenant, stream.id, p.start_ns, p.end_ns, p.direction);
  if (!it.ok()) {
    state->Fail(it.status());
    return;
  }
  std::unique_ptr<log::StreamPipeline> pipeline = p.pipeline->ForStream(*stream.labels);
  // Without categorize-labels, an entry's result labels are its stream labels plus its
  // structured metadata plus what the stages parsed (Loki 3: the iterators key entries by
  // LabelsResult.String(), and only the categorize-labels encoding strips the metadata and
  // parsed labels back out), so entries of one stream with different metadata land in
  // different result streams. A line-filter-only pipeline keeps the stream's labels for an
  // entry without metadata: those skip the regrouping.
  const bool same_labels = p.pipeline->IsLineFilterOnly() && !p.categorize_labels;
  std::unordered_map<uint64_t, uint32_t> by_fingerprint;
  if (same_labels) GroupOf(*stream.labels, hits, &by_fingerprint);  // group 0

  std::vector<int64_t> pending;
  pending.reserve(kOfferBatch);
  log::LineResult r;
  EntryIterator& entries = **it;
  while (entries.Next()) {
    const EntryView& e = entries.entry();
    ++stats.lines_scanned;
    stats.bytes_scanned += e.line.size() + e.metadata.size();
    if (stats.lines_scanned % kCheckEvery == 0) {
      if (state->failed.load(std::memory_order_relaxed)) break;
      if (Status s = state->guard->Check(); !s.ok()) {
        state->Fail(std::move(s));
        break;
      }
    }
    if (!state->cutoff.Admits(e.ts_ns)) break;  // every later entry is worse still
    if (!pipeline->Process(e.ts_ns, e.line, e.metadata, &r)) continue;
    ++stats.post_filter_lines;
    uint32_t group = 0;
    if (!same_labels || !e.metadata.empty()) {
      group = GroupOf(p.categorize_labels ? *r.stream : *r.labels, hits, &by_fingerprint);
    }
    ResultEntry& out = hits->entries.emplace_back();
    out.ts_ns = e.ts_ns;
    out.line.assign(r.line);
    if (p.categorize_labels) {
      out.structured_metadata.assign(r.structured_metadata.begin(), r.structured_metadata.end());
      out.parsed.assign(r.parsed.begin(), r.parsed.end());
    }
    hits->group_of.push_back(group);
    uint64_t held = kEntryOverhead + out.line.size();
    for (const index::Label& l : out.structured_metadata) held += l.name.size() + l.value.size();
    for (const index::Label& l : out.parsed) held += l.name.size() + l.value.size();
    if (Status s = charger.Add(held); !s.ok()) {
      state->Fail(std::move(s));
      break;
    }
    pending.push_back(e.ts_ns);
    if (pending.size() == kOfferBatch) {
      state->cutoff.Offer(pending);
      pending.clear();
    }
  }
  if (Status s = entries.status(); !s.ok()) state->Fail(std::move(s));
  if (Status s = charger.Flush(); !s.ok()) state->Fail(std::move(s));
  state->cutoff.Offer(pending);
  std::lock_guard<std::mutex> lock(state->mu);
  state->stats.Add(stats);
}

}  // namespace

Result<LogQueryResult> ExecuteLogQuery(Querier* querier, ThreadPool* pool,
                                       const LogQueryParams& params) {
  const auto started = std::chrono::steady_clock::now();
  SAW_ASSIGN_OR_RETURN(
      std::vector<SelectedStream> streams,
      querier->SelectStreams(params.tenant, params.matchers, params.start_ns, params.end_ns));
  LogQueryResult result;
  result.stats.streams = streams.size();
  if (params.limit == 0 || streams.empty() || params.start_ns >= params.end_ns) return result;

  // With Loki's frontend merge, its pick lies among the best `candidates` entries.
  const bool loki_merge = params.loki_split_interval_ns > 0;
  const size_t candidates = loki_merge ? LokiFrontendCandidates(params.limit) : params.limit;
  QueryGuard local_guard(params.deadline, 0);
  QueryState state(params, params.guard != nullptr ? params.guard : &local_guard, candidates);
  // Where each stream's entries lie, from the chunk index (no chunk opened). Streams are
  // then read best first (newest last entry first, backward; oldest first entry first,
  // forward), so the cut-off fills from the streams that hold the answer, and a stream whose
  // best possible entry is already worse than `candidates` others is never opened: a
  // limit-100 query decompresses about the blocks its answer comes from, not one per stream.
  const bool backward = params.direction == Direction::kBackward;
  std::vector<int64_t> first_ts(streams.size());
  std::vector<char> empty(streams.size(), 0);
  pool->ParallelFor(streams.size(), [&](size_t i) {
    if (state.failed.load(std::memory_order_relaxed)) return;
    Result<StreamSpan> span =
        querier->Span(params.tenant, streams[i].id, params.start_ns, params.end_ns);
    if (!span.ok()) {
      state.Fail(span.status());
      return;
    }
    empty[i] = span->empty;
    first_ts[i] = backward ? span->max_ts : span->min_ts;
  });
  if (!state.error.ok()) return state.error;
  std::vector<uint32_t> order;
  order.reserve(streams.size());
  for (uint32_t i = 0; i < streams.size(); ++i) {
    if (!empty[i]) order.push_back(i);
  }
  std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    return backward ? first_ts[a] > first_ts[b] : first_ts[a] < first_ts[b];
  });
  // hits[i] stays stream i's: MergeHits breaks ties by stream index, as before.
  std::vector<StreamHits> hits(streams.size());
  pool->ParallelFor(order.size(), [&](size_t k) {
    const uint32_t i = order[k];
    ScanStream(streams[i], first_ts[i], querier, &state, &hits[i]);
  });
  if (!state.error.ok()) return state.error;

  uint64_t duplicates = 0;
  result.streams = MergeHits(hits, params.direction, candidates, &duplicates);
  if (loki_merge) {
    result.streams = LokiFrontendMerge(std::move(result.streams), params.direction, params.limit,
                                       params.loki_split_interval_ns);
  }
  const uint64_t selected = result.stats.streams;
  result.stats = state.stats;
  result.stats.streams = selected;
  result.stats.duplicates = duplicates;
  for (const ResultStream& s : result.streams) result.stats.entries_returned += s.entries.size();
  result.stats.exec_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return result;
}

}  // namespace sawmill::query::engine
