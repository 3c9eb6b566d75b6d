// The read path: the stream's heads are snapshotted and a database snapshot is taken under
// the same lock as the flush that swaps a head for chunks, so a read sees each entry exactly
// once: either in a head or in a chunk. Chunks are listed from the small chunk index and
// opened lazily by the merge, in time order; opening one reads only its index part, and its
// iterator then fetches the values of the blocks it reaches (in its direction, skipping the
// blocks outside the range), so a read of the newest entries of a chunk fetches one block.
#include <algorithm>
#include <cstdint>
#include <string>
#include <type_traits>

#include "storage/batch_iterators.h"
#include "storage/keys.h"
#include "storage/merge_iterator.h"
#include "storage/store_impl.h"

namespace sawmill::storage {
namespace {

// Fetches a chunk's block sections from their own values (keys.h), from the read's snapshot,
// and counts them in the store's statistics.
class KvSectionSource final : public SectionSource {
 public:
  KvSectionSource(KvStore* kv, std::string key, std::shared_ptr<const KvSnapshot> snapshot,
                  ChunkReadCounters* counters)
      : kv_(kv), key_(std::move(key)), snapshot_(std::move(snapshot)), counters_(counters) {}

  Status Load(uint32_t block, bool text, std::string_view* out) override {
    auto got = kv_->Get(Column::kChunks, ChunkSectionKey(key_, block, text), snapshot_.get());
    if (!got.ok()) {
      if (!got.status().IsNotFound()) return got.status();
      return Status::Corruption("chunk block " + std::to_string(block) + ": " +
                                (text ? "text" : "ts") + " section is missing");
    }
    std::unique_ptr<KvValue>& held = text ? text_ : ts_;
    held = std::move(got).value();
    *out = held->data();
    (text ? counters_->text_sections : counters_->blocks).fetch_add(1, std::memory_order_relaxed);
    counters_->bytes.fetch_add(out->size(), std::memory_order_relaxed);
    return Status::OK();
  }

 private:
  KvStore* const kv_;
  const std::string key_;
  const std::shared_ptr<const KvSnapshot> snapshot_;
  ChunkReadCounters* const counters_;
  std::unique_ptr<KvValue> ts_;
  std::unique_ptr<KvValue> text_;
};

// One chunk as a merge source: its index part, the reader over it, and the iterator. The
// iterator fetches the blocks itself, through a KvSectionSource. (Two small subclasses rather
// than `requires` on virtual functions, which clang refuses.)
template <typename Iter>
class ChunkSourceBase : public Iter {
 public:
  ChunkSourceBase(std::unique_ptr<KvValue> index, ChunkReader reader, std::unique_ptr<Iter> it)
      : index_(std::move(index)), reader_(std::move(reader)), it_(std::move(it)) {}
  bool Next() override { return it_->Next(); }
  Status status() const override { return it_->status(); }

 protected:
  std::unique_ptr<KvValue> index_;
  ChunkReader reader_;
  std::unique_ptr<Iter> it_;
};

class EntryChunkSource final : public ChunkSourceBase<EntryIterator> {
 public:
  using ChunkSourceBase::ChunkSourceBase;
  const EntryView& entry() const override { return it_->entry(); }
};

class SampleChunkSource final : public ChunkSourceBase<SampleIterator> {
 public:
  using ChunkSourceBase::ChunkSourceBase;
  int64_t ts_ns() const override { return it_->ts_ns(); }
  uint32_t line_size() const override { return it_->line_size(); }
};

class BatchChunkSource final : public ChunkSourceBase<BatchIterator> {
 public:
  using ChunkSourceBase::ChunkSourceBase;
  std::string_view text() const override { return it_->text(); }
  std::span<const BatchEntry> entries() const override { return it_->entries(); }
};

template <typename Iter>
using ChunkSource = std::conditional_t<
    std::is_same_v<Iter, EntryIterator>, EntryChunkSource,
    std::conditional_t<std::is_same_v<Iter, SampleIterator>, SampleChunkSource, BatchChunkSource>>;

template <typename Iter>
Result<std::unique_ptr<Iter>> OpenChunk(KvStore* kv, const std::string& key,
                                        std::shared_ptr<const KvSnapshot> snapshot,
                                        ChunkReadCounters* counters, int64_t from_ns, int64_t to_ns,
                                        Direction direction, bool with_text = true) {
  auto got = kv->Get(Column::kChunks, key, snapshot.get());
  if (!got.ok()) {
    if (got.status().IsNotFound()) return Status::Corruption("chunk listed in index is missing");
    return got.status();
  }
  std::unique_ptr<KvValue> index = std::move(got).value();
  SAW_ASSIGN_OR_RETURN(ChunkReader reader, ChunkReader::OpenIndex(index->data()));
  auto source = std::make_unique<KvSectionSource>(kv, key, std::move(snapshot), counters);
  std::unique_ptr<Iter> it;
  if constexpr (std::is_same_v<Iter, EntryIterator>) {
    it = reader.NewIterator(from_ns, to_ns, direction, std::move(source));
  } else if constexpr (std::is_same_v<Iter, BatchIterator>) {
    it = reader.NewBatchIterator(from_ns, to_ns, std::move(source), with_text, direction);
  } else {
    it = reader.NewSampleIterator(from_ns, to_ns, direction, std::move(source));
  }
  return std::unique_ptr<Iter>(
      std::make_unique<ChunkSource<Iter>>(std::move(index), std::move(reader), std::move(it)));
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
        out->push_back(
            {std::string(it->key()), k.min_ts, meta.max_ts, meta.num_entries, meta.raw_bytes});
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
  const bool backward = direction == Direction::kBackward;
  std::vector<LazySource<Iter>> sources;
  sources.reserve(chunks.size() + heads.size());
  KvStore* kv = kv_.get();
  ChunkReadCounters* counters = &read_counters_;
  for (ChunkRef& c : chunks) {
    sources.push_back({backward ? c.max_ts : c.min_ts,
                       [kv, key = std::move(c.key), snapshot, counters, from_ns, to_ns,
                        direction]() -> Result<std::unique_ptr<Iter>> {
                         return OpenChunk<Iter>(kv, key, snapshot, counters, from_ns, to_ns,
                                                direction);
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

Result<std::unique_ptr<BatchIterator>> StoreImpl::ReadBatches(std::string_view tenant,
                                                              uint64_t stream_id, int64_t from_ns,
                                                              int64_t to_ns, bool with_text) {
  std::vector<HeadSnapshot> heads;
  std::shared_ptr<const KvSnapshot> snapshot;
  SAW_RETURN_IF_ERROR(SnapshotStream(tenant, stream_id, from_ns, to_ns, &heads, &snapshot));
  std::vector<ChunkRef> chunks;
  SAW_RETURN_IF_ERROR(ListChunks(tenant, stream_id, from_ns, to_ns, snapshot.get(), &chunks));

  // Sources read one after the other give the merge's order only when no two of them share
  // a timestamp (equal timestamps could be one entry stored twice, which the merge drops).
  struct Span {
    int64_t lo, hi;
    size_t chunk;  // index into chunks, or SIZE_MAX + head index
    size_t head;
  };
  std::vector<Span> spans;
  spans.reserve(chunks.size() + heads.size());
  for (size_t i = 0; i < chunks.size(); ++i) {
    spans.push_back({chunks[i].min_ts, chunks[i].max_ts, i, SIZE_MAX});
  }
  for (size_t i = 0; i < heads.size(); ++i) {
    spans.push_back({heads[i].entries.front().ts_ns, heads[i].entries.back().ts_ns, SIZE_MAX, i});
  }
  std::sort(spans.begin(), spans.end(), [](const Span& a, const Span& b) {
    return a.lo < b.lo || (a.lo == b.lo && a.hi < b.hi);
  });
  for (size_t i = 1; i < spans.size(); ++i) {
    if (spans[i].lo <= spans[i - 1].hi) {
      SAW_ASSIGN_OR_RETURN(
          std::unique_ptr<EntryIterator> merged,
          ReadMerged<EntryIterator>(tenant, stream_id, from_ns, to_ns, Direction::kForward));
      return NewEntryBatchIterator(std::move(merged), with_text);
    }
  }
  std::vector<BatchSource> sources;
  sources.reserve(spans.size());
  KvStore* kv = kv_.get();
  ChunkReadCounters* counters = &read_counters_;
  for (const Span& sp : spans) {
    if (sp.chunk != SIZE_MAX) {
      sources.push_back([kv, key = std::move(chunks[sp.chunk].key), snapshot, counters, from_ns,
                         to_ns, with_text]() -> Result<std::unique_ptr<BatchIterator>> {
        return OpenChunk<BatchIterator>(kv, key, snapshot, counters, from_ns, to_ns,
                                        Direction::kForward, with_text);
      });
    } else {
      sources.push_back([h = std::move(heads[sp.head]),
                         with_text]() mutable -> Result<std::unique_ptr<BatchIterator>> {
        return NewEntryBatchIterator(
            NewHeadIterator(std::move(h.head), std::move(h.entries), Direction::kForward),
            with_text);
      });
    }
  }
  return NewConcatBatchIterator(std::move(sources));
}

Result<std::unique_ptr<BatchIterator>> StoreImpl::ReadBatchesBackward(std::string_view tenant,
                                                                      uint64_t stream_id,
                                                                      int64_t from_ns,
                                                                      int64_t to_ns) {
  std::vector<HeadSnapshot> heads;
  std::shared_ptr<const KvSnapshot> snapshot;
  SAW_RETURN_IF_ERROR(SnapshotStream(tenant, stream_id, from_ns, to_ns, &heads, &snapshot));
  if (!heads.empty()) return std::unique_ptr<BatchIterator>();
  std::vector<ChunkRef> chunks;
  SAW_RETURN_IF_ERROR(ListChunks(tenant, stream_id, from_ns, to_ns, snapshot.get(), &chunks));
  // Newest chunk first; as in ReadBatches, chunks read one after the other give the merge's
  // order only when no two share a timestamp.
  std::sort(chunks.begin(), chunks.end(), [](const ChunkRef& a, const ChunkRef& b) {
    return a.max_ts > b.max_ts || (a.max_ts == b.max_ts && a.min_ts > b.min_ts);
  });
  for (size_t i = 1; i < chunks.size(); ++i) {
    if (chunks[i].max_ts >= chunks[i - 1].min_ts) return std::unique_ptr<BatchIterator>();
  }
  std::vector<BatchSource> sources;
  sources.reserve(chunks.size());
  KvStore* kv = kv_.get();
  ChunkReadCounters* counters = &read_counters_;
  for (ChunkRef& c : chunks) {
    sources.push_back([kv, key = std::move(c.key), snapshot, counters, from_ns,
                       to_ns]() -> Result<std::unique_ptr<BatchIterator>> {
      return OpenChunk<BatchIterator>(kv, key, snapshot, counters, from_ns, to_ns,
                                      Direction::kBackward, /*with_text=*/true);
    });
  }
  return NewConcatBatchIterator(std::move(sources));
}

}  // namespace sawmill::storage
