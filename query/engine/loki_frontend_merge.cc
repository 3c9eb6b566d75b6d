#include "query/engine/loki_frontend_merge.h"

#include <algorithm>
#include <limits>
#include <string>
#include <utility>

namespace sawmill::query::engine {

namespace {

// Floor division: the index of the epoch-aligned interval holding ts.
int64_t IntervalOf(int64_t ts, int64_t interval) {
  int64_t q = ts / interval;
  if (ts % interval != 0 && ts < 0) --q;
  return q;
}

struct Ref {
  int64_t ts;
  uint32_t stream;  // index into the input streams
  uint32_t index;   // entry index in that stream
};

// One result stream inside the heap: its selected entries, in the query's direction.
struct HeapStream {
  uint32_t stream;
  std::vector<uint32_t> entries;
  size_t next = 0;
};

}  // namespace

size_t LokiFrontendCandidates(size_t limit) {
  if (limit > std::numeric_limits<size_t>::max() / 2) return std::numeric_limits<size_t>::max();
  return limit == 0 ? 0 : 2 * limit - 1;
}

std::vector<ResultStream> LokiFrontendMerge(std::vector<ResultStream> best, Direction direction,
                                            size_t limit, int64_t interval_ns) {
  const bool backward = direction == Direction::kBackward;
  std::vector<std::string> keys(best.size());
  std::vector<Ref> refs;
  for (uint32_t s = 0; s < best.size(); ++s) {
    keys[s] = best[s].labels.ToString();
    for (uint32_t i = 0; i < best[s].entries.size(); ++i) {
      refs.push_back({best[s].entries[i].ts_ns, s, i});
    }
  }
  // The engine's order (log_query.h): timestamp in the direction, then label string.
  std::sort(refs.begin(), refs.end(), [&](const Ref& a, const Ref& b) {
    if (a.ts != b.ts) return backward ? a.ts > b.ts : a.ts < b.ts;
    if (a.stream != b.stream) return keys[a.stream] < keys[b.stream];
    return a.index < b.index;
  });

  // Steps 1-2: each interval contributes its best `limit` entries; intervals are taken in
  // order until `limit` entries are reached.
  std::vector<std::vector<uint32_t>> picked(best.size());
  size_t total = 0;
  size_t in_interval = 0;
  bool have_interval = false;
  int64_t interval = 0;
  for (const Ref& r : refs) {
    const int64_t iv = IntervalOf(r.ts, interval_ns);
    if (!have_interval || iv != interval) {
      if (have_interval && total >= limit) break;
      have_interval = true;
      interval = iv;
      in_interval = 0;
    }
    if (in_interval == limit) continue;
    ++in_interval;
    ++total;
    picked[r.stream].push_back(r.index);
  }
  for (std::vector<uint32_t>& p : picked) std::sort(p.begin(), p.end());

  std::vector<ResultStream> out;
  auto emit = [&](const std::vector<std::vector<uint32_t>>& chosen) {
    for (uint32_t s = 0; s < best.size(); ++s) {
      if (chosen[s].empty()) continue;
      ResultStream rs;
      rs.labels = std::move(best[s].labels);
      rs.entries.reserve(chosen[s].size());
      for (uint32_t i : chosen[s]) rs.entries.push_back(std::move(best[s].entries[i]));
      out.push_back(std::move(rs));
    }
  };
  if (total <= limit) {  // step 3's escape hatch: everything taken is returned
    emit(picked);
    return out;
  }

  // Step 3: Loki's priorityqueue over container/heap, reproduced operation for operation.
  std::vector<HeapStream> pq;
  for (uint32_t s = 0; s < best.size(); ++s) {
    if (!picked[s].empty()) pq.push_back({s, std::move(picked[s]), 0});
  }
  std::sort(pq.begin(), pq.end(), [&](const HeapStream& a, const HeapStream& b) {
    return backward ? keys[a.stream] > keys[b.stream] : keys[a.stream] < keys[b.stream];
  });
  auto head = [&](const HeapStream& h) { return best[h.stream].entries[h.entries[h.next]].ts_ns; };
  auto less = [&](size_t i, size_t j) {
    return backward ? head(pq[i]) > head(pq[j]) : head(pq[i]) < head(pq[j]);
  };
  auto down = [&](size_t i, size_t n) {  // container/heap's down()
    for (;;) {
      const size_t j1 = 2 * i + 1;
      if (j1 >= n) break;
      size_t j = j1;
      if (j1 + 1 < n && less(j1 + 1, j1)) j = j1 + 1;
      if (!less(j, i)) break;
      std::swap(pq[i], pq[j]);
      i = j;
    }
  };
  for (size_t i = pq.size() / 2; i-- > 0;) down(i, pq.size());  // heap.Init

  std::vector<std::vector<uint32_t>> chosen(best.size());
  for (size_t taken = 0; taken < limit && !pq.empty(); ++taken) {
    // heap.Pop: swap the root to the end, sift the new root down over the others, then
    // priorityqueue.Pop takes the end's first entry and leaves the rest of that stream at
    // the end, unsifted.
    const size_t n = pq.size() - 1;
    std::swap(pq[0], pq[n]);
    down(0, n);
    HeapStream& h = pq[n];
    chosen[h.stream].push_back(h.entries[h.next]);
    if (++h.next == h.entries.size()) pq.pop_back();
  }
  emit(chosen);
  return out;
}

}  // namespace sawmill::query::engine
