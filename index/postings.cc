#include "index/postings.h"

#include <algorithm>
#include <queue>
#include <tuple>

namespace sawmill::index {
namespace {

// Below this length ratio a linear merge beats galloping.
constexpr size_t kGallopRatio = 16;

// First position in [from, v.size()) whose value is >= x, found by exponential search.
size_t Gallop(PostingsView v, size_t from, uint64_t x) {
  size_t step = 1, lo = from, hi = from;
  while (hi < v.size() && v[hi] < x) {
    lo = hi + 1;
    hi = from + step;
    step <<= 1;
  }
  hi = std::min(hi, v.size());
  return std::lower_bound(v.begin() + lo, v.begin() + hi, x) - v.begin();
}

}  // namespace

Postings Intersect(PostingsView a, PostingsView b) {
  if (a.size() > b.size()) std::swap(a, b);
  Postings out;
  if (a.empty()) return out;
  out.reserve(a.size());
  if (b.size() / a.size() >= kGallopRatio) {
    size_t j = 0;
    for (uint64_t x : a) {
      j = Gallop(b, j, x);
      if (j == b.size()) break;
      if (b[j] == x) out.push_back(x);
    }
    return out;
  }
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    if (a[i] < b[j]) {
      ++i;
    } else if (b[j] < a[i]) {
      ++j;
    } else {
      out.push_back(a[i]);
      ++i, ++j;
    }
  }
  return out;
}

Postings Union(PostingsView a, PostingsView b) {
  Postings out;
  out.reserve(a.size() + b.size());
  std::set_union(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}

Postings UnionAll(std::span<const PostingsView> lists) {
  if (lists.empty()) return {};
  if (lists.size() == 1) return Postings(lists[0].begin(), lists[0].end());
  if (lists.size() == 2) return Union(lists[0], lists[1]);
  size_t total = 0;
  // (value, list index, position); a min-heap on value.
  using Item = std::tuple<uint64_t, size_t, size_t>;
  std::priority_queue<Item, std::vector<Item>, std::greater<Item>> heap;
  for (size_t i = 0; i < lists.size(); ++i) {
    total += lists[i].size();
    if (!lists[i].empty()) heap.emplace(lists[i][0], i, 0);
  }
  Postings out;
  out.reserve(total);
  while (!heap.empty()) {
    auto [v, li, pos] = heap.top();
    heap.pop();
    if (out.empty() || out.back() != v) out.push_back(v);
    if (pos + 1 < lists[li].size()) heap.emplace(lists[li][pos + 1], li, pos + 1);
  }
  return out;
}

Postings Subtract(PostingsView a, PostingsView b) {
  Postings out;
  if (b.empty()) return Postings(a.begin(), a.end());
  out.reserve(a.size());
  if (b.size() / std::max<size_t>(a.size(), 1) >= kGallopRatio) {
    size_t j = 0;
    for (uint64_t x : a) {
      j = Gallop(b, j, x);
      if (j == b.size() || b[j] != x) out.push_back(x);
    }
    return out;
  }
  std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}

void PostingsList::Add(uint64_t id) {
  if (pending_.empty() && (sorted_.empty() || sorted_.back() < id)) {
    sorted_.push_back(id);  // ids loaded in order at open take this path
    return;
  }
  pending_.push_back(id);
  if (pending_.size() >= kMaxPending) MergePending();
}

void PostingsList::MergePending() {
  std::sort(pending_.begin(), pending_.end());
  size_t mid = sorted_.size();
  sorted_.insert(sorted_.end(), pending_.begin(), pending_.end());
  std::inplace_merge(sorted_.begin(), sorted_.begin() + mid, sorted_.end());
  pending_.clear();
}

PostingsView PostingsList::View(Postings* scratch) const {
  if (pending_.empty()) return sorted_;
  Postings tail = pending_;
  std::sort(tail.begin(), tail.end());
  *scratch = Union(sorted_, tail);
  return *scratch;
}

}  // namespace sawmill::index
