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
// Entries of a block whose lines one FilterLines call decides (~60 KiB of loghub text).
constexpr size_t kFilterWindow = 512;
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

// What the two ways of reading a stream share: counting what was read, the guard checks,
// the cut-off, and keeping an entry the pipeline passed. Not thread-safe (one per stream).
class StreamScan {
 public:
  StreamScan(QueryState* state, StreamHits* hits)
      : p_(state->params), state_(state), hits_(hits), charger_(state->guard) {
    pending_.reserve(kOfferBatch);
  }

  // Counts one entry read. False when the scan must stop here: another stream failed, the
  // guard says so, or the entry (and so every later one) cannot make the answer.
  bool Visit(int64_t ts_ns, size_t bytes) {
    ++stats_.lines_scanned;
    stats_.bytes_scanned += bytes;
    if (stats_.lines_scanned % kCheckEvery == 0) {
      if (state_->failed.load(std::memory_order_relaxed)) return false;
      if (Status s = state_->guard->Check(); !s.ok()) {
        state_->Fail(std::move(s));
        return false;
      }
    }
    return state_->cutoff.Admits(ts_ns);
  }

  // Keeps an entry whose result is `r`, in group `group` (the stream's own labels are group 0
  // when the caller registered them first), or in the group of r's labels when group < 0.
  // False when the scan must stop (the memory budget).
  bool Keep(int64_t ts_ns, const log::LineResult& r, int64_t group) {
    ++stats_.post_filter_lines;
    const uint32_t g = group >= 0 ? static_cast<uint32_t>(group)
                                  : GroupOf(p_.categorize_labels ? *r.stream : *r.labels);
    ResultEntry& out = hits_->entries.emplace_back();
    out.ts_ns = ts_ns;
    out.line.assign(r.line);
    if (p_.categorize_labels) {
      out.structured_metadata.assign(r.structured_metadata.begin(), r.structured_metadata.end());
      out.parsed.assign(r.parsed.begin(), r.parsed.end());
    }
    hits_->group_of.push_back(g);
    uint64_t held = kEntryOverhead + out.line.size();
    for (const index::Label& l : out.structured_metadata) held += l.name.size() + l.value.size();
    for (const index::Label& l : out.parsed) held += l.name.size() + l.value.size();
    if (Status s = charger_.Add(held); !s.ok()) {
      state_->Fail(std::move(s));
      return false;
    }
    pending_.push_back(ts_ns);
    if (pending_.size() == kOfferBatch) {
      state_->cutoff.Offer(pending_);
      pending_.clear();
    }
    return true;
  }

  uint32_t GroupOf(const index::LabelSet& labels) {
    return engine::GroupOf(labels, hits_, &by_fingerprint_);
  }

  // Ends the scan: `read` is the iterator's status.
  void Finish(Status read) {
    if (!read.ok()) state_->Fail(std::move(read));
    if (Status s = charger_.Flush(); !s.ok()) state_->Fail(std::move(s));
    state_->cutoff.Offer(pending_);
    std::lock_guard<std::mutex> lock(state_->mu);
    state_->stats.Add(stats_);
  }

 private:
  const LogQueryParams& p_;
  QueryState* state_;
  StreamHits* hits_;
  MemoryCharger charger_;
  QueryStats stats_;
  std::unordered_map<uint64_t, uint32_t> by_fingerprint_;
  std::vector<int64_t> pending_;
};

// A line-filter-only pipeline over whole chunk blocks (batches): the filters decide a block
// at once (Pipeline::FilterLines, one substring search per block rather than one per line)
// and only kept lines are copied. `backward`: batches come newest first and each is walked
// from its end (Querier::OpenBatchesBackward), which gives OpenStream(.., kBackward)'s order.
// Entries with structured metadata go through the stream pipeline for their labels.
void ScanBatches(BatchIterator* batches, bool backward, const SelectedStream& stream,
                 log::StreamPipeline* pipeline, QueryState* state, StreamScan* scan) {
  const LogQueryParams& p = state->params;
  scan->GroupOf(*stream.labels);  // group 0: the labels of every entry without metadata
  log::LineResult r;
  log::LineResult plain;
  std::vector<uint8_t> keep;
  bool stop = false;
  while (!stop && batches->Next()) {
    const std::string_view text = batches->text();
    std::span<const BatchEntry> entries = batches->entries();
    // Only the entries the cut-off admits now can be kept (it only ever narrows): filter
    // just those. Entries are in ascending order in a batch.
    if (backward) {
      auto first = std::partition_point(entries.begin(), entries.end(), [&](const BatchEntry& e) {
        return !state->cutoff.Admits(e.ts_ns);
      });
      entries = entries.subspan(static_cast<size_t>(first - entries.begin()));
    } else {
      auto last = std::partition_point(entries.begin(), entries.end(), [&](const BatchEntry& e) {
        return state->cutoff.Admits(e.ts_ns);
      });
      entries = entries.first(static_cast<size_t>(last - entries.begin()));
    }
    if (entries.empty()) {
      // The batch's best entry cannot make the answer: count it as read, as the entry path
      // does with the entry it stops at.
      const BatchEntry& e = backward ? batches->entries().back() : batches->entries().front();
      scan->Visit(e.ts_ns, size_t{e.line_len} + e.meta_len);
      break;
    }
    // The lines are decided a window at a time, in reading order, so that a scan the cut-off
    // stops early in a block has not searched the rest of it.
    const size_t n = entries.size();
    for (size_t done = 0; done < n && !stop;) {
      const size_t w = std::min(kFilterWindow, n - done);
      const size_t lo = backward ? n - done - w : done;  // the window is entries[lo, lo + w)
      keep.resize(w);
      p.pipeline->FilterLines(text, entries.subspan(lo, w), keep.data());
      for (size_t k = 0; k < w; ++k) {
        const size_t j = backward ? w - 1 - k : k;
        const BatchEntry& e = entries[lo + j];
        if (!scan->Visit(e.ts_ns, size_t{e.line_len} + e.meta_len)) {
          stop = true;
          break;
        }
        if (!keep[j]) continue;
        const std::string_view line = text.substr(e.offset, e.line_len);
        bool ok;
        if (e.meta_len == 0) {
          plain.line = line;  // no metadata, nothing parsed
          ok = scan->Keep(e.ts_ns, plain, /*group=*/0);
        } else {
          const std::string_view meta = text.substr(size_t{e.offset} + e.line_len, e.meta_len);
          if (!pipeline->Process(e.ts_ns, line, meta, &r)) continue;
          ok = scan->Keep(e.ts_ns, r, /*group=*/-1);
        }
        if (!ok) {
          stop = true;
          break;
        }
      }
      done += w;
    }
    // A backward batch was cut to its admitted suffix: the entry before it stops the scan.
    if (!stop && backward && entries.size() < batches->entries().size()) {
      const BatchEntry& e = batches->entries()[batches->entries().size() - n - 1];
      scan->Visit(e.ts_ns, size_t{e.line_len} + e.meta_len);
      stop = true;
    } else if (!stop && !backward && entries.size() < batches->entries().size()) {
      const BatchEntry& e = batches->entries()[n];
      scan->Visit(e.ts_ns, size_t{e.line_len} + e.meta_len);
      stop = true;
    }
  }
  scan->Finish(batches->status());
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
  StreamScan scan(state, hits);
  std::unique_ptr<log::StreamPipeline> pipeline = p.pipeline->ForStream(*stream.labels);
  const bool backward = p.direction == Direction::kBackward;
  if (p.pipeline->IsLineFilterOnly()) {
    Result<std::unique_ptr<BatchIterator>> batches =
        backward ? querier->OpenBatchesBackward(p.tenant, stream.id, p.start_ns, p.end_ns)
                 : querier->OpenBatches(p.tenant, stream.id, p.start_ns, p.end_ns, true);
    if (!batches.ok()) {
      state->Fail(batches.status());
      return;
    }
    if (*batches != nullptr) {
      ScanBatches(batches->get(), backward, stream, pipeline.get(), state, &scan);
      return;
    }
  }
  Result<std::unique_ptr<EntryIterator>> it =
      querier->OpenStream(p.tenant, stream.id, p.start_ns, p.end_ns, p.direction);
  if (!it.ok()) {
    state->Fail(it.status());
    return;
  }
  // Without categorize-labels, an entry's result labels are its stream labels plus its
  // structured metadata plus what the stages parsed (Loki 3: the iterators key entries by
  // LabelsResult.String(), and only the categorize-labels encoding strips the metadata and
  // parsed labels back out), so entries of one stream with different metadata land in
  // different result streams. A line-filter-only pipeline keeps the stream's labels for an
  // entry without metadata: those skip the regrouping.
  const bool same_labels = p.pipeline->IsLineFilterOnly() && !p.categorize_labels;
  if (same_labels) scan.GroupOf(*stream.labels);  // group 0

  log::LineResult r;
  EntryIterator& entries = **it;
  while (entries.Next()) {
    const EntryView& e = entries.entry();
    if (!scan.Visit(e.ts_ns, e.line.size() + e.metadata.size())) break;
    if (!pipeline->Process(e.ts_ns, e.line, e.metadata, &r)) continue;
    const int64_t group = same_labels && e.metadata.empty() ? 0 : -1;
    if (!scan.Keep(e.ts_ns, r, group)) break;
  }
  scan.Finish(entries.status());
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
  QueryGuard* guard = params.guard != nullptr ? params.guard : &local_guard;
  auto state = std::make_unique<QueryState>(params, guard, candidates);
  // Where each stream's entries lie, from the chunk index (no chunk opened). Streams are
  // then read best first (newest last entry first, backward; oldest first entry first,
  // forward), so the cut-off fills from the streams that hold the answer, and a stream whose
  // best possible entry is already worse than `candidates` others is never opened: a
  // limit-100 query decompresses about the blocks its answer comes from, not one per stream.
  const bool backward = params.direction == Direction::kBackward;
  std::vector<int64_t> first_ts(streams.size());
  std::vector<char> empty(streams.size(), 0);
  pool->ParallelFor(streams.size(), [&](size_t i) {
    if (state->failed.load(std::memory_order_relaxed)) return;
    Result<StreamSpan> span =
        querier->Span(params.tenant, streams[i].id, params.start_ns, params.end_ns);
    if (!span.ok()) {
      state->Fail(span.status());
      return;
    }
    empty[i] = span->empty;
    first_ts[i] = backward ? span->max_ts : span->min_ts;
  });
  if (!state->error.ok()) return state->error;
  std::vector<uint32_t> order;
  order.reserve(streams.size());
  for (uint32_t i = 0; i < streams.size(); ++i) {
    if (!empty[i]) order.push_back(i);
  }
  std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    return backward ? first_ts[a] > first_ts[b] : first_ts[a] < first_ts[b];
  });
  // The cut-off counts entries; MergeHits keeps one of identical ones (same labels, time and
  // line: entries of two streams a drop, keep or label_format made alike, lines a line_format
  // or decolorize made equal). When that left the answer short while the cut-off was refusing
  // entries, scan again with room for as many more (rare: only such pipelines produce
  // identical entries; the holdings of an earlier pass stay charged to the memory budget).
  uint64_t duplicates = 0;
  QueryStats scanned;
  for (int pass = 0;; ++pass) {
    // hits[i] stays stream i's: MergeHits breaks ties by stream index, as before.
    std::vector<StreamHits> hits(streams.size());
    pool->ParallelFor(order.size(), [&](size_t k) {
      const uint32_t i = order[k];
      ScanStream(streams[i], first_ts[i], querier, state.get(), &hits[i]);
    });
    if (!state->error.ok()) return state->error;
    scanned.Add(state->stats);
    duplicates = 0;
    result.streams = MergeHits(hits, params.direction, candidates, &duplicates);
    size_t kept = 0;
    for (const ResultStream& s : result.streams) kept += s.entries.size();
    if (duplicates == 0 || kept >= candidates || !state->cutoff.Refused() || pass == 3) break;
    state = std::make_unique<QueryState>(params, guard, state->cutoff.limit() + duplicates);
  }
  if (loki_merge) {
    result.streams = LokiFrontendMerge(std::move(result.streams), params.direction, params.limit,
                                       params.loki_split_interval_ns);
  }
  const uint64_t selected = result.stats.streams;
  result.stats = scanned;
  result.stats.streams = selected;
  result.stats.duplicates = duplicates;
  for (const ResultStream& s : result.streams) result.stats.entries_returned += s.entries.size();
  result.stats.exec_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return result;
}

}  // namespace sawmill::query::engine
