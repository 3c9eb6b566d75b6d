// StreamCache: what the push path learned about a stream's label string, so that a stream
// seen before costs one hash lookup per push instead of a label parse, a canonical rendering
// and an index lookup. Agents send the same label string for a stream in every push, so the
// cache is keyed by the tenant and that string exactly as received (two spellings of one label
// set are two keys that resolve to the same stream).
//
// An entry holds the parsed, canonical label set and its printed form (made once), the
// stream's id in the label index, and the latest index time bucket (day) the stream is known
// to be recorded in. The label index never forgets a stream or a bucket membership while the
// server runs, so a push whose entries fall in that day needs no index call at all.
//
// Bounded: at most `capacity_bytes` of keys and label text (each entry counted as its key, twice
// its printed labels and a fixed overhead); inserting into a full cache empties it first (a
// burst of re-parsing, never unbounded memory). Failed parses are not cached.
//
// Thread-safety: all methods are thread-safe. Entries are shared (shared_ptr) and immutable
// except their (id, day) hint, kept in atomics: a stale hint costs an index call, never a
// wrong id (a stream's id never changes once the index has given it).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "index/labels.h"

namespace sawmill::ingest {

class StreamCache {
 public:
  static constexpr uint32_t kNoDay = UINT32_MAX;

  struct Entry {
    explicit Entry(index::LabelSet l) : labels(std::move(l)), name(labels.ToString()) {}
    const index::LabelSet labels;
    const std::string name;  // labels.ToString(), for messages

    // The stream's id in the tenant's label index when it is known to be recorded in day
    // bucket `day`; false when not known (then ask the index, and Remember the answer).
    bool Known(uint32_t want_day, uint64_t* stream_id) const {
      if (day_.load(std::memory_order_acquire) != want_day) return false;
      *stream_id = id_.load(std::memory_order_relaxed);
      return true;
    }
    void Remember(uint32_t known_day, uint64_t stream_id) {
      id_.store(stream_id, std::memory_order_relaxed);  // the same for every caller
      day_.store(known_day, std::memory_order_release);
    }

   private:
    std::atomic<uint64_t> id_{0};
    std::atomic<uint32_t> day_{kNoDay};
  };

  // 64 MiB: ~150,000 streams of typical Kubernetes labels.
  explicit StreamCache(size_t capacity_bytes = size_t{64} << 20) : capacity_(capacity_bytes) {}
  StreamCache(const StreamCache&) = delete;
  StreamCache& operator=(const StreamCache&) = delete;

  // The entry for `raw_labels` of `tenant`, or null.
  std::shared_ptr<Entry> Find(std::string_view tenant, std::string_view raw_labels);
  // Remembers `entry` for `raw_labels` of `tenant` (replacing any) and returns it.
  std::shared_ptr<Entry> Insert(std::string_view tenant, std::string_view raw_labels,
                                std::shared_ptr<Entry> entry);

  size_t size();
  // The bytes counted against the capacity.
  size_t bytes();

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };
  // tenant 00 raw_labels (a tenant has no NUL byte).
  static void MakeKey(std::string_view tenant, std::string_view raw, std::string* key);

  static size_t Cost(const std::string& key, const Entry& entry) {
    return key.size() + 2 * entry.name.size() + 256;
  }

  const size_t capacity_;
  std::mutex mu_;
  size_t bytes_ = 0;  // Cost() of every entry in map_
  std::unordered_map<std::string, std::shared_ptr<Entry>, Hash, std::equal_to<>> map_;
};

}  // namespace sawmill::ingest
