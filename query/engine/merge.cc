#include "query/engine/merge.h"

#include <algorithm>
#include <functional>
#include <map>
#include <string_view>

namespace sawmill::query::engine {

Cutoff::Cutoff(size_t limit, Direction direction)
    : limit_(limit),
      backward_(direction == Direction::kBackward),
      cut_(backward_ ? std::numeric_limits<int64_t>::min() : std::numeric_limits<int64_t>::max()) {
  if (limit_ == 0)
    cut_.store(backward_ ? std::numeric_limits<int64_t>::max()
                         : std::numeric_limits<int64_t>::min());
}

void Cutoff::Offer(std::span<const int64_t> ts) {
  if (limit_ == 0 || ts.empty()) return;
  std::lock_guard<std::mutex> lock(mu_);
  // "Worst on top": backward keeps the largest timestamps (min-heap), forward the smallest.
  auto push = [&](int64_t t) {
    if (backward_) {
      heap_.push_back(t);
      std::push_heap(heap_.begin(), heap_.end(), std::greater<int64_t>());
    } else {
      heap_.push_back(t);
      std::push_heap(heap_.begin(), heap_.end(), std::less<int64_t>());
    }
  };
  auto pop = [&] {
    if (backward_) {
      std::pop_heap(heap_.begin(), heap_.end(), std::greater<int64_t>());
    } else {
      std::pop_heap(heap_.begin(), heap_.end(), std::less<int64_t>());
    }
    heap_.pop_back();
  };
  for (int64_t t : ts) {
    if (heap_.size() < limit_) {
      push(t);
    } else if (backward_ ? t > heap_.front() : t < heap_.front()) {
      pop();
      push(t);
    }
  }
  if (heap_.size() == limit_) cut_.store(heap_.front(), std::memory_order_relaxed);
}

std::vector<ResultStream> MergeHits(std::span<StreamHits> hits, Direction direction, size_t limit,
                                    uint64_t* duplicates) {
  struct Ref {
    int64_t ts;
    const std::string* key;
    uint32_t stream;
    uint32_t index;
  };
  std::vector<Ref> refs;
  size_t total = 0;
  for (const StreamHits& h : hits) total += h.entries.size();
  refs.reserve(total);
  for (size_t s = 0; s < hits.size(); ++s) {
    const StreamHits& h = hits[s];
    for (size_t i = 0; i < h.entries.size(); ++i) {
      refs.push_back({h.entries[i].ts_ns, &h.groups[h.group_of[i]].key, static_cast<uint32_t>(s),
                      static_cast<uint32_t>(i)});
    }
  }
  const bool backward = direction == Direction::kBackward;
  auto better = [backward](const Ref& a, const Ref& b) {
    if (a.ts != b.ts) return backward ? a.ts > b.ts : a.ts < b.ts;
    if (int c = a.key->compare(*b.key); c != 0) return c < 0;
    if (a.stream != b.stream) return a.stream < b.stream;
    return a.index < b.index;
  };
  // Only the best `limit` (plus duplicates, which are rare) need ordering.
  const size_t keep = std::min(refs.size(), limit);
  std::sort(refs.begin(), refs.end(), better);

  std::map<std::string_view, ResultStream> streams;
  size_t taken = 0;
  for (size_t r = 0; r < refs.size() && taken < keep; ++r) {
    const Ref& ref = refs[r];
    ResultEntry& e = hits[ref.stream].entries[ref.index];
    auto it = streams.find(*ref.key);
    if (it == streams.end()) {
      const StreamHits& h = hits[ref.stream];
      ResultStream rs;
      rs.labels = h.groups[h.group_of[ref.index]].labels;
      it = streams.emplace(std::string_view(*ref.key), std::move(rs)).first;
    }
    // Entries of one (ts, labels) run are contiguous at the end of their result stream.
    std::vector<ResultEntry>& out = it->second.entries;
    bool dup = false;
    for (auto p = out.rbegin(); p != out.rend() && p->ts_ns == e.ts_ns && !dup; ++p) {
      dup = p->line == e.line;
    }
    if (dup) {
      ++*duplicates;
      continue;
    }
    out.push_back(std::move(e));
    ++taken;
  }
  std::vector<ResultStream> out;
  out.reserve(streams.size());
  for (auto& [key, rs] : streams) out.push_back(std::move(rs));
  return out;
}

}  // namespace sawmill::query::engine
