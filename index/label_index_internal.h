// The in-memory structures of LabelIndex, shared by its two source files:
//   label_index.cc       opening and loading, key layout, GetOrCreateStream (the write path)
//   label_index_read.cc  Select, LabelNames, LabelValues, Series (the read path)
// Guarded by LabelIndex::mu_.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "index/label_index.h"

namespace sawmill::index {

// value -> the streams of one bucket having that value.
using ValueMap = std::map<std::string, PostingsList, std::less<>>;

struct LabelIndex::Bucket {
  std::map<std::string, ValueMap, std::less<>> postings;  // label name -> values
};

struct StreamEntry {
  std::shared_ptr<const LabelSet> labels;
  std::vector<uint32_t> buckets;  // sorted: the buckets the stream is present in
  bool InBucket(uint32_t bucket) const;
};

struct LabelIndex::Tenant {
  std::unordered_map<uint64_t, StreamEntry> streams;  // id -> stream
  std::map<uint32_t, Bucket> buckets;
  // The id given to `labels`, probing from its fingerprint past colliding label sets, or
  // nullptr when the tenant does not have the stream; then *free_id is the id it would get.
  const StreamEntry* Find(const LabelSet& labels, uint64_t fingerprint, uint64_t* id) const;
};

}  // namespace sawmill::index
