#include "index/postings.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>

namespace sawmill::index {
namespace {

Postings RandomPostings(std::mt19937_64& rng, size_t n, uint64_t range) {
  std::set<uint64_t> s;
  std::uniform_int_distribution<uint64_t> d(0, range);
  while (s.size() < n) s.insert(d(rng));
  return Postings(s.begin(), s.end());
}

TEST(PostingsTest, OperationsMatchStdSetReference) {
  std::mt19937_64 rng(42);
  // Sizes chosen to take both the linear and the galloping paths.
  const size_t sizes[] = {0, 1, 3, 50, 1000, 20000};
  const uint64_t ranges[] = {100, 50000, UINT64_MAX};
  for (size_t na : sizes) {
    for (size_t nb : sizes) {
      for (uint64_t range : ranges) {
        if (range < 50000 && (na > range / 2 || nb > range / 2)) continue;
        SCOPED_TRACE(std::to_string(na) + " x " + std::to_string(nb) + " in " +
                     std::to_string(range));
        Postings a = RandomPostings(rng, na, range), b = RandomPostings(rng, nb, range);
        Postings want_and, want_or, want_sub;
        std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(want_and));
        std::set_union(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(want_or));
        std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(want_sub));
        EXPECT_EQ(Intersect(a, b), want_and);
        EXPECT_EQ(Union(a, b), want_or);
        EXPECT_EQ(Subtract(a, b), want_sub);
      }
    }
  }
}

TEST(PostingsTest, UnionAllMatchesReference) {
  std::mt19937_64 rng(7);
  for (size_t k : {0, 1, 2, 3, 10, 40}) {
    SCOPED_TRACE(k);
    std::vector<Postings> lists;
    std::set<uint64_t> want;
    for (size_t i = 0; i < k; ++i) {
      lists.push_back(RandomPostings(rng, rng() % 500, 5000));
      want.insert(lists.back().begin(), lists.back().end());
    }
    std::vector<PostingsView> views(lists.begin(), lists.end());
    EXPECT_EQ(UnionAll(views), Postings(want.begin(), want.end()));
  }
}

TEST(PostingsTest, ListAcceptsIdsInAnyOrder) {
  std::mt19937_64 rng(3);
  Postings ids = RandomPostings(rng, 5000, UINT64_MAX);
  std::shuffle(ids.begin(), ids.end(), rng);
  PostingsList list;
  std::set<uint64_t> want;
  for (size_t i = 0; i < ids.size(); ++i) {
    list.Add(ids[i]);
    want.insert(ids[i]);
    if (i % 97 == 0 || i + 1 == ids.size()) {
      Postings scratch;
      PostingsView v = list.View(&scratch);
      ASSERT_EQ(Postings(v.begin(), v.end()), Postings(want.begin(), want.end())) << i;
      EXPECT_EQ(list.size(), want.size());
    }
  }
}

}  // namespace
}  // namespace sawmill::index
