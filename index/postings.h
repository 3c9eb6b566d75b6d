// Postings: sorted, duplicate-free lists of stream ids, and the set operations the index
// answers selectors with. Intersection gallops (exponential then binary search) through the
// longer list when the lengths differ a lot, so `small ∩ huge` costs O(small · log huge).
//
// PostingsList is the mutable form kept in the index: ids arrive in any order, so new ids go
// to a short unsorted tail that is merged into the sorted part once it has kMaxPending ids;
// an insert costs O(n / kMaxPending) amortised instead of O(n).
//
// Thread-safety: the free functions are pure. PostingsList is not thread-safe; the index
// guards it with its own lock (const methods may run concurrently).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace sawmill::index {

using Postings = std::vector<uint64_t>;
using PostingsView = std::span<const uint64_t>;

// REQUIRES: every input sorted and without duplicates. Outputs are the same.
Postings Intersect(PostingsView a, PostingsView b);
Postings Union(PostingsView a, PostingsView b);
// Union of many lists (a heap merge when there are more than two).
Postings UnionAll(std::span<const PostingsView> lists);
// Ids of `a` not in `b`.
Postings Subtract(PostingsView a, PostingsView b);

class PostingsList {
 public:
  static constexpr size_t kMaxPending = 256;

  // REQUIRES: id is not already in the list.
  void Add(uint64_t id);
  size_t size() const { return sorted_.size() + pending_.size(); }
  bool empty() const { return size() == 0; }
  // The sorted ids. Points into the list when nothing is pending, else into *scratch.
  // Valid until the list or *scratch changes.
  PostingsView View(Postings* scratch) const;
  // Appends one or two disjoint sorted views whose union is the list, without copying.
  // Valid until the list changes.
  void AppendViews(std::vector<PostingsView>* out) const;

 private:
  void MergePending();

  Postings sorted_;
  Postings pending_;  // sorted, disjoint from sorted_
};

}  // namespace sawmill::index
