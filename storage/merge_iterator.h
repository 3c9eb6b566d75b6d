// Merges several time-ordered iterators of one stream (its chunks and heads) into one, in
// timestamp order, opening each source only when the merge reaches its time range: a query
// that stops at a limit never touches later chunks, and memory stays bounded by the sources
// that overlap the current position. An entry identical (ts, line) to one already returned
// from another source is skipped (a re-push of an already flushed entry).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "storage/chunk_reader.h"

namespace sawmill::storage {

template <typename Iter>
struct LazySource {
  // Forward: the smallest ts the source can yield; backward: the largest.
  int64_t first_ts = 0;
  std::function<Result<std::unique_ptr<Iter>>()> open;
};

std::unique_ptr<EntryIterator> NewMergingIterator(std::vector<LazySource<EntryIterator>> sources,
                                                  Direction direction);
std::unique_ptr<SampleIterator> NewMergingSampleIterator(
    std::vector<LazySource<SampleIterator>> sources, Direction direction);

}  // namespace sawmill::storage
