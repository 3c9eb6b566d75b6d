// The read path: the stream's heads are snapshotted and a database snapshot is taken under
// the same lock as the flush that swaps a head for chunks, so a read sees each entry exactly
// once: either in a head or in a chunk. Chunks are listed from the small chunk index and
// opened lazily by the merge, in time order.
#include <type_traits>

#include "storage/keys.h"
#include "storage/merge_iterator.h"
#include "storage/store_impl.h"

namespace sawmill::storage {
namespace {

class ChunkEntrySource final : public EntryIterator {
 public:
  ChunkEntrySource(std::unique_ptr<KvValue> value, std::unique_ptr<ChunkReader> reader,
                   int64_t from, int64_t to, Direction d)
      : value_(std::move(value)),
        reader_(std::move(reader)),
        it_(reader_->NewIterator(from, to, d)) {}
  bool Next() override { return it_->Next(); }
  const EntryView& entry() const override { return it_->entry(); }
  Status status() const override { return it_->status(); }

 private:
  std::unique_ptr<KvValue> value_;
  std::unique_ptr<ChunkReader> reader_;
  std::unique_ptr<EntryIterator> it_;
};

class ChunkSampleSource final : public SampleIterator {
 public:
  ChunkSampleSource(std::unique_ptr<KvValue> value, std::unique_ptr<ChunkReader> reader,
                    int64_t from, int64_t to, Direction d)
      : value_(std::move(value)),
        reader_(std::move(reader)),
        it_(reader_->NewSampleIterator(from, to, d)) {}
  bool Next() override { return it_->Next(); }
  int64_t ts_ns() const override { return it_->ts_ns(); }
  uint32_t line_size() const override { return it_->line_size(); }
  Status status() const override { return it_->status(); }

 private:
  std::unique_ptr<KvValue> value_;
  std::unique_ptr<ChunkReader> reader_;
  std::unique_ptr<SampleIterator> it_;
};

Result<std::unique_ptr<ChunkReader>> OpenChunk(KvStore* kv, const std::string& key,
                                               const KvSnapshot* snapshot,
                                               std::unique_ptr<KvValue>* value) {
  auto got = kv->Get(Column::kChunks, key, snapshot);
  if (!got.ok()) {
    if (got.status().IsNotFound()) return Status::Corruption("chunk listed in index is missing");
    return got.status();
  }
  *value = std::move(got).value();
  auto reader = ChunkReader::Open((*value)->data());
  if (!reader.ok()) return reader.status();
  return std::make_unique<ChunkReader>(std::move(reader).value());
}

}  // namespace

Status StoreImpl::SnapshotStream(std::string_view tenant, uint64_t stream_id, int64_t from_ns,
                                 int64_t to_ns, std::vector<HeadSnapshot>* heads,
                                 std::shared_ptr<const KvSnapshot>* db_snapshot) {
  SAW_RETURN_IF_ERROR(ValidateTenant(tenant));
  std::lock_guard<std::mutex> lock(mu_);
  if (closed_) return Status::Unavailable("store is closed");
  if (StreamState* s = FindStream(tenant, stream_id)) {
    auto add = [&](const std::shared_ptr<Head>& h) {
      if (h == nullptr || h->empty()) return;
      std::vector<Head::Entry> entries = h->Range(from_ns, to_ns);
      if (!entries.empty()) heads->push_back({h, std::move(entries)});
    };
    for (const auto& h : s->flushing) add(h);
    add(s->head);
  }
  *db_snapshot = kv_->GetSnapshot();
  return Status::OK();
}

Status StoreImpl::ListChunks(std::string_view tenant, uint64_t stream_id, int64_t from_ns,
                             int64_t to_ns, const KvSnapshot* snapshot,
                             std::vector<ChunkRef>* out) {
  if (from_ns >= to_ns) return Status::OK();
  const int64_t width = options_.bucket.count();
  const uint32_t first = BucketOf(from_ns, width);
  const uint32_t last = BucketOf(to_ns - 1, width);
  auto it = kv_->NewIterator(Column::kChunkIndex, ChunkBucketPrefix(tenant, first),
                             PrefixEnd(ChunkBucketPrefix(tenant, last)), snapshot);
  uint32_t bucket = first;
  while (true) {
    // One seek per bucket that holds anything: empty buckets are jumped over.
    std::string prefix = ChunkStreamPrefix(tenant, bucket, stream_id);
    it->Seek(prefix);
    if (!it->Valid()) break;
    ChunkKey k;
    for (; it->Valid() && it->key().starts_with(prefix); it->Next()) {
      ChunkMeta meta;
      if (!DecodeChunkKey(tenant, it->key(), &k) || !DecodeChunkMeta(it->value(), &meta)) {
        return Status::Corruption("malformed chunk index row");
      }
      if (k.min_ts < to_ns && meta.max_ts >= from_ns) {
        out->push_back({std::string(it->key()), k.min_ts, meta.max_ts});
      }
    }
    if (!it->Valid()) break;
    if (!DecodeChunkKey(tenant, it->key(), &k)) return Status::Corruption("bad chunk key");
    if (k.bucket > last) break;
    bucket = k.bucket > bucket ? k.bucket : bucket + 1;
    if (bucket == 0) break;  // wrapped
  }
  return it->status();
}

template <typename Iter>
Result<std::unique_ptr<Iter>> StoreImpl::ReadMerged(std::string_view tenant, uint64_t stream_id,
                                                    int64_t from_ns, int64_t to_ns,
                                                    Direction direction) {
  std::vector<HeadSnapshot> heads;
  std::shared_ptr<const KvSnapshot> snapshot;
  SAW_RETURN_IF_ERROR(SnapshotStream(tenant, stream_id, from_ns, to_ns, &heads, &snapshot));
  std::vector<ChunkRef> chunks;
  SAW_RETURN_IF_ERROR(ListChunks(tenant, stream_id, from_ns, to_ns, snapshot.get(), &chunks));

  constexpr bool kEntries = std::is_same_v<Iter, EntryIterator>;
  using ChunkSource = std::conditional_t<kEntries, ChunkEntrySource, ChunkSampleSource>;
  const bool backward = direction == Direction::kBackward;
  std::vector<LazySource<Iter>> sources;
  sources.reserve(chunks.size() + heads.size());
  KvStore* kv = kv_.get();
  for (ChunkRef& c : chunks) {
    sources.push_back({backward ? c.max_ts : c.min_ts,
                       [kv, key = std::move(c.key), snapshot, from_ns, to_ns,
                        direction]() -> Result<std::unique_ptr<Iter>> {
                         std::unique_ptr<KvValue> value;
                         SAW_ASSIGN_OR_RETURN(auto reader,
                                              OpenChunk(kv, key, snapshot.get(), &value));
                         return std::unique_ptr<Iter>(std::make_unique<ChunkSource>(
                             std::move(value), std::move(reader), from_ns, to_ns, direction));
                       }});
  }
  for (HeadSnapshot& h : heads) {
    int64_t first = backward ? h.entries.back().ts_ns : h.entries.front().ts_ns;
    sources.push_back(
        {first, [h = std::move(h), direction]() mutable -> Result<std::unique_ptr<Iter>> {
           if constexpr (kEntries) {
             return NewHeadIterator(std::move(h.head), std::move(h.entries), direction);
           } else {
             return NewHeadSampleIterator(std::move(h.head), std::move(h.entries), direction);
           }
         }});
  }
  if constexpr (kEntries) {
    return NewMergingIterator(std::move(sources), direction);
  } else {
    return NewMergingSampleIterator(std::move(sources), direction);
  }
}

Result<std::unique_ptr<EntryIterator>> StoreImpl::Read(std::string_view tenant, uint64_t stream_id,
                                                       int64_t from_ns, int64_t to_ns,
                                                       Direction direction) {
  return ReadMerged<EntryIterator>(tenant, stream_id, from_ns, to_ns, direction);
}

Result<std::unique_ptr<SampleIterator>> StoreImpl::ReadSamples(std::string_view tenant,
                                                               uint64_t stream_id, int64_t from_ns,
                                                               int64_t to_ns, Direction direction) {
  return ReadMerged<SampleIterator>(tenant, stream_id, from_ns, to_ns, direction);
}

}  // namespace sawmill::storage
