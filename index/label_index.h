// LabelIndex: the inverted index from labels to streams, per tenant and per time bucket
// (one day by default, like Loki's index periods). In each bucket it keeps
// label name -> value -> postings (the streams present in that bucket with that pair), and
// for the tenant stream id -> labels. Selectors are answered by intersecting, merging and
// subtracting postings, never by scanning every stream: `=` and literal alternations are
// direct lookups, other regexes run over the values of their one label, and matchers that
// match the empty string (`!=`, `!~`, ...) subtract from what the others selected.
//
// A stream's id is its label fingerprint (labels.h). When two different label sets share a
// fingerprint, the later one takes the next free id (fingerprint + 1, + 2, ...), and the
// mapping is persisted, so ids never change once given.
//
// Persistence, in the kIndex column family of the KvStore (tenant first, like storage/keys.h):
//   <tenant> 00 | 'S' | stream_id:be64                  -> canonical labels (LabelSet::ToString)
//   <tenant> 00 | 'B' | bucket:be32 | stream_id:be64    -> ""   (the stream is in that bucket)
//   00 | "bucket_width"                                 -> width_ns:be64
// `bucket` is storage::BucketOf(ts, width). A row is written once per new stream and once per
// (stream, bucket), never per push, without fsync: RocksDB's WAL is ordered, so the store's
// later synced write of the stream's entries makes these rows durable too. Open() loads all
// rows into memory.
//
// Thread-safety: all methods are thread-safe (one shared_mutex: lookups share it, a new
// stream or bucket membership takes it alone). GetOrCreateStream for a stream already in the
// bucket takes the shared lock and does two hash lookups and a label comparison, no allocation.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "index/labels.h"
#include "index/matcher.h"
#include "index/postings.h"
#include "storage/kv_store.h"

namespace sawmill::index {

struct IndexOptions {
  int64_t bucket_width_ns = 86400LL * 1000000000LL;
  // Test hook: replaces LabelSet::Fingerprint() to force collisions. Must be deterministic.
  std::function<uint64_t(const LabelSet&)> fingerprint;
};

// A stream found by a lookup. `labels` is shared with the index and immutable.
struct StreamRef {
  uint64_t id = 0;
  std::shared_ptr<const LabelSet> labels;
};

struct IndexStats {
  uint64_t tenants = 0;
  uint64_t streams = 0;
  uint64_t memberships = 0;  // (stream, bucket) pairs
};

// Loki's refusal of selectors whose matchers all match the empty string.
extern const char kEmptyCompatibleMessage[];

class LabelIndex {
 public:
  // Loads every row of the kIndex column. `kv` must outlive the index. A bucket width that
  // differs from the one the rows were written with is InvalidArgument.
  static Result<std::unique_ptr<LabelIndex>> Open(storage::KvStore* kv,
                                                  const IndexOptions& options = {});
  ~LabelIndex();
  LabelIndex(const LabelIndex&) = delete;
  LabelIndex& operator=(const LabelIndex&) = delete;

  // The id of the stream named by `labels`, creating it if needed, and records it as present
  // in the bucket of ts_ns. Fails only on an invalid tenant or a KvStore write error.
  Result<uint64_t> GetOrCreateStream(std::string_view tenant, const LabelSet& labels,
                                     int64_t ts_ns);

  // The id of the stream named by `labels` if the tenant has one (in any bucket), without
  // creating it: what the active-stream limit asks before it lets a stream be created.
  std::optional<uint64_t> FindStream(std::string_view tenant, const LabelSet& labels) const;

  // Streams present in any bucket overlapping [from_ns, to_ns) whose labels match every
  // matcher, sorted by id. InvalidArgument (kEmptyCompatibleMessage) when no matcher refuses
  // the empty string.
  Result<std::vector<StreamRef>> Select(std::string_view tenant, std::span<const Matcher> matchers,
                                        int64_t from_ns, int64_t to_ns) const;
  // Label names of the streams present in [from_ns, to_ns), sorted.
  Result<std::vector<std::string>> LabelNames(std::string_view tenant, int64_t from_ns,
                                              int64_t to_ns) const;
  // Values of `name` in [from_ns, to_ns), sorted; with matchers, only of the streams they
  // select (the empty-matcher rule applies then).
  Result<std::vector<std::string>> LabelValues(std::string_view tenant, std::string_view name,
                                               int64_t from_ns, int64_t to_ns,
                                               std::span<const Matcher> matchers = {}) const;
  // Streams matching any of the selectors, sorted by id, each once.
  Result<std::vector<StreamRef>> Series(std::string_view tenant,
                                        std::span<const std::vector<Matcher>> selectors,
                                        int64_t from_ns, int64_t to_ns) const;
  // The labels of a stream id, or null when the tenant has no such stream.
  std::shared_ptr<const LabelSet> Labels(std::string_view tenant, uint64_t stream_id) const;

  IndexStats Stats() const;
  // The width of the index's time buckets (what storage::BucketOf takes).
  int64_t bucket_width_ns() const { return options_.bucket_width_ns; }

 private:
  struct Tenant;
  struct Bucket;
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };
  using TenantMap =
      std::unordered_map<std::string, std::unique_ptr<Tenant>, StringHash, std::equal_to<>>;

  LabelIndex(storage::KvStore* kv, const IndexOptions& options);

  Status Load();
  uint64_t FingerprintOf(const LabelSet& labels) const;
  // REQUIRES: mu_ held (shared or exclusive).
  const Tenant* FindTenant(std::string_view tenant) const;
  // REQUIRES: mu_ held exclusively. `bucket` must be new for the stream.
  static void AddToBucket(Tenant* t, uint32_t bucket, uint64_t id, const LabelSet& labels);
  // REQUIRES: mu_ held. The ids of one bucket matching all matchers.
  static Postings SelectInBucket(const Bucket& b, std::span<const Matcher> matchers);
  // REQUIRES: mu_ held. Union over the buckets overlapping [from_ns, to_ns).
  Postings SelectIds(const Tenant& t, std::span<const Matcher> matchers, int64_t from_ns,
                     int64_t to_ns) const;
  // [first, last] buckets of [from_ns, to_ns); false when the range is empty.
  bool BucketRange(int64_t from_ns, int64_t to_ns, uint32_t* first, uint32_t* last) const;

  storage::KvStore* const kv_;
  const IndexOptions options_;
  mutable std::shared_mutex mu_;
  TenantMap tenants_;
};

}  // namespace sawmill::index
