#include "index/postings.h"

#include <algorithm>

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
  // Pairwise merges, level by level: O(n log k) with sequential memory access.
  std::vector<Postings> level;
  level.reserve((lists.size() + 1) / 2);
  for (size_t i = 0; i + 1 < lists.size(); i += 2) level.push_back(Union(lists[i], lists[i + 1]));
  if (lists.size() % 2 == 1) level.emplace_back(lists.back().begin(), lists.back().end());
  while (level.size() > 1) {
    std::vector<Postings> next;
    next.reserve((level.size() + 1) / 2);
    for (size_t i = 0; i + 1 < level.size(); i += 2) next.push_back(Union(level[i], level[i + 1]));
    if (level.size() % 2 == 1) next.push_back(std::move(level.back()));
    level = std::move(next);
  }
  return std::move(level[0]);
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
  pending_.insert(std::upper_bound(pending_.begin(), pending_.end(), id), id);
  if (pending_.size() >= kMaxPending) MergePending();
}

void PostingsList::MergePending() {
  size_t mid = sorted_.size();
  sorted_.insert(sorted_.end(), pending_.begin(), pending_.end());
  std::inplace_merge(sorted_.begin(), sorted_.begin() + mid, sorted_.end());
  pending_.clear();
}

PostingsView PostingsList::View(Postings* scratch) const {
  if (pending_.empty()) return sorted_;
  *scratch = Union(sorted_, pending_);
  return *scratch;
}

void PostingsList::AppendViews(std::vector<PostingsView>* out) const {
  if (!sorted_.empty()) out->push_back(sorted_);
  if (!pending_.empty()) out->push_back(pending_);
}

}  // namespace sawmill::index
