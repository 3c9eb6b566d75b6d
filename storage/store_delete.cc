// Removing entries for delete requests: each chunk that holds an entry to remove is read
// whole and written again without it, in one atomic batch that deletes the old chunk's
// values (index part, every block section, chunk index row) and puts the new chunk's. The
// new chunk keeps the old one's bucket and sequence number (unique per stream and bucket)
// and takes its first kept timestamp as min_ts, so its key is unique; when min_ts does not
// change it is the same key, and the batch's later Put wins over its Delete. A crash leaves
// each chunk old or new; a second run finds nothing more to remove.
#include <algorithm>
#include <limits>
#include <unordered_set>

#include "storage/keys.h"
#include "storage/store_impl.h"

namespace sawmill::storage {
namespace {

// Fetches a chunk's block sections from the latest state of the database. The rewrite
// holds the store's rewrite lock, and flushes never write an existing chunk key, so the
// chunk cannot change under it.
class LatestSectionSource final : public SectionSource {
 public:
  LatestSectionSource(KvStore* kv, std::string key) : kv_(kv), key_(std::move(key)) {}

  Status Load(uint32_t block, bool text, std::string_view* out) override {
    auto got = kv_->Get(Column::kChunks, ChunkSectionKey(key_, block, text));
    if (!got.ok()) {
      if (!got.status().IsNotFound()) return got.status();
      return Status::Corruption("chunk block " + std::to_string(block) + " is missing");
    }
    std::unique_ptr<KvValue>& held = text ? text_ : ts_;
    held = std::move(got).value();
    *out = held->data();
    return Status::OK();
  }

 private:
  KvStore* const kv_;
  const std::string key_;
  std::unique_ptr<KvValue> ts_;
  std::unique_ptr<KvValue> text_;
};

constexpr int64_t kMinTs = std::numeric_limits<int64_t>::min();
constexpr int64_t kMaxTs = std::numeric_limits<int64_t>::max();

}  // namespace

Status StoreImpl::RewriteChunk(const ChunkRef& chunk, std::string_view tenant, int64_t from_ns,
                               int64_t to_ns, const EntryPredicate& remove, RemoveStats* stats) {
  auto got = kv_->Get(Column::kChunks, chunk.key);
  if (!got.ok()) return got.status().IsNotFound() ? Status::OK() : got.status();
  std::unique_ptr<KvValue> index = std::move(got).value();
  SAW_ASSIGN_OR_RETURN(ChunkReader reader, ChunkReader::OpenIndex(index->data()));
  ++stats->chunks_read;

  // Pass 1: which entries go (by position in the chunk). Without a predicate, a chunk the
  // range covers goes whole, unread.
  std::vector<bool> gone(reader.num_entries(), false);
  uint64_t removed = 0;
  if (!remove && chunk.min_ts >= from_ns && chunk.max_ts < to_ns) {
    gone.assign(gone.size(), true);
    removed = gone.size();
  } else {
    auto it = reader.NewIterator(kMinTs, kMaxTs, Direction::kForward,
                                 std::make_unique<LatestSectionSource>(kv_.get(), chunk.key));
    for (size_t i = 0; it->Next(); ++i) {
      const EntryView& e = it->entry();
      if (i >= gone.size()) return Status::Corruption("chunk holds more entries than its index");
      if (e.ts_ns >= from_ns && e.ts_ns < to_ns &&
          (!remove || remove(e.ts_ns, e.line, e.metadata))) {
        gone[i] = true;
        ++removed;
      }
    }
    SAW_RETURN_IF_ERROR(it->status());
  }
  if (removed == 0) return Status::OK();

  ChunkKey key;
  if (!DecodeChunkKey(tenant, chunk.key, &key)) return Status::Corruption("bad chunk key");
  std::unique_ptr<KvBatch> batch = kv_->NewBatch();
  batch->Delete(Column::kChunks, chunk.key);
  for (size_t b = 0; b < reader.blocks().size(); ++b) {
    batch->Delete(Column::kChunks, ChunkSectionKey(chunk.key, static_cast<uint32_t>(b), false));
    batch->Delete(Column::kChunks, ChunkSectionKey(chunk.key, static_cast<uint32_t>(b), true));
  }
  batch->Delete(Column::kChunkIndex, chunk.key);

  // Pass 2: the kept entries into a new chunk (same bucket: a subset of one bucket's).
  if (removed < gone.size()) {
    ChunkBuilder builder(options_.chunk);
    ChunkMeta meta;
    bool first = true;
    auto it = reader.NewIterator(kMinTs, kMaxTs, Direction::kForward,
                                 std::make_unique<LatestSectionSource>(kv_.get(), chunk.key));
    for (size_t i = 0; it->Next(); ++i) {
      if (gone[i]) continue;
      const EntryView& e = it->entry();
      if (first) key.min_ts = e.ts_ns;
      first = false;
      SAW_RETURN_IF_ERROR(builder.Append(e.ts_ns, e.line, e.metadata));
      meta.max_ts = e.ts_ns;
      ++meta.num_entries;
      meta.raw_bytes += e.line.size() + e.metadata.size();
    }
    SAW_RETURN_IF_ERROR(it->status());
    SAW_ASSIGN_OR_RETURN(std::string built, builder.Finish());
    meta.stored_bytes = built.size();
    const std::string k = EncodeChunkKey(key);
    std::string index_part;
    std::vector<BlockSections> sections;
    SAW_RETURN_IF_ERROR(ChunkReader::Split(built, &index_part, &sections));
    for (size_t b = 0; b < sections.size(); ++b) {
      batch->Put(Column::kChunks, ChunkSectionKey(k, static_cast<uint32_t>(b), false),
                 sections[b].ts);
      batch->Put(Column::kChunks, ChunkSectionKey(k, static_cast<uint32_t>(b), true),
                 sections[b].text);
    }
    batch->Put(Column::kChunks, k, index_part);
    batch->Put(Column::kChunkIndex, k, EncodeChunkMeta(meta));
    ++stats->chunks_rewritten;
  } else {
    ++stats->chunks_dropped;
  }
  // Readers take their database snapshot under mu_; writing under it keeps the swap of
  // old chunk for new atomic for them as for a flush.
  {
    std::lock_guard<std::mutex> lock(mu_);
    SAW_RETURN_IF_ERROR(kv_->Write(batch.get(), /*sync=*/false));
  }
  stats->entries_removed += removed;
  return Status::OK();
}

Status StoreImpl::FlushStreamsSharingRecords(std::string_view tenant,
                                             std::span<const uint64_t> seqs) {
  std::vector<std::string> keys;
  std::vector<uint64_t> ids;
  {
    std::lock_guard<std::mutex> lock(mu_);
    std::unordered_set<uint64_t> in_log;  // live records of the head log among seqs
    for (uint64_t seq : seqs) {
      auto it = records_.find(seq);
      if (it == records_.end() || it->second.refs == 0) continue;
      if (it->second.segment != 0) {
        in_log.insert(seq);
      } else {
        keys.push_back(it->second.key);
      }
    }
    // The head log is not read back: the streams holding those records are the ones whose
    // heads name them.
    if (!in_log.empty()) {
      const int64_t n = FindTenantNumber(tenant);
      for (const auto& [slot, st] : streams_) {
        if (static_cast<int64_t>(slot.tenant) != n) continue;
        bool holds = false;
        auto check = [&](const std::shared_ptr<Head>& h) {
          if (h == nullptr || holds) return;
          for (uint64_t seq : h->records()) holds = holds || in_log.contains(seq);
        };
        check(st.head);
        for (const auto& h : st.flushing) check(h);
        if (holds) ids.push_back(slot.id);
      }
    }
  }
  std::string scratch;
  std::vector<RecordPart> parts;
  std::vector<EntryRef> entries;
  for (const std::string& key : keys) {
    auto value = kv_->Get(Column::kHead, key);
    if (value.status().IsNotFound()) continue;  // deleted meanwhile
    SAW_RETURN_IF_ERROR(value.status());
    SAW_RETURN_IF_ERROR(DecodeWriteRecord((*value)->data(), &scratch, &parts, &entries));
    for (const RecordPart& p : parts) ids.push_back(p.stream_id);
  }
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  for (uint64_t id : ids) SAW_RETURN_IF_ERROR(FlushStream(tenant, id));
  // The records' segment can go once every other record in it has died too.
  head_log_->Roll();
  return CollectGarbage();
}

Status StoreImpl::RemoveEntries(std::string_view tenant, uint64_t stream_id, int64_t from_ns,
                                int64_t to_ns, const EntryPredicate& remove, RemoveStats* stats) {
  SAW_RETURN_IF_ERROR(ValidateTenant(tenant));
  if (from_ns >= to_ns) return Status::OK();
  std::lock_guard<std::mutex> rewrite(rewrite_mu_);
  // The head records holding the stream's unflushed entries.
  std::vector<uint64_t> held;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (const StreamState* s = FindStream(tenant, stream_id); s != nullptr) {
      if (s->head != nullptr) held = s->head->records();
      for (const auto& h : s->flushing) {
        const std::vector<uint64_t> r = h->records();
        held.insert(held.end(), r.begin(), r.end());
      }
    }
  }
  // The head goes into chunks first. Entries appended meanwhile (or a flush of this stream
  // that was already running) leave a head behind: a few rounds catch those; a stream
  // written without pause can still keep entries written during the pass.
  for (int round = 0; round < 3; ++round) {
    SAW_RETURN_IF_ERROR(FlushStream(tenant, stream_id));
    if (round == 0) SAW_RETURN_IF_ERROR(FlushStreamsSharingRecords(tenant, held));
    std::vector<ChunkRef> chunks;
    SAW_RETURN_IF_ERROR(ListChunks(tenant, stream_id, from_ns, to_ns, nullptr, &chunks));
    for (const ChunkRef& c : chunks) {
      SAW_RETURN_IF_ERROR(RewriteChunk(c, tenant, from_ns, to_ns, remove, stats));
    }
    std::lock_guard<std::mutex> lock(mu_);
    const StreamState* s = FindStream(tenant, stream_id);
    if (s == nullptr || ((s->head == nullptr || s->head->empty()) && s->flushing.empty())) break;
  }
  return kv_->SyncWal();
}

Status StoreImpl::CompactChunks(std::string_view tenant, int64_t from_ns, int64_t to_ns,
                                bool rewrite_blob_files) {
  SAW_RETURN_IF_ERROR(ValidateTenant(tenant));
  if (from_ns >= to_ns) return Status::OK();
  const int64_t width = options_.bucket.count();
  const std::string begin = ChunkBucketPrefix(tenant, BucketOf(from_ns, width));
  const std::string end = PrefixEnd(ChunkBucketPrefix(tenant, BucketOf(to_ns - 1, width)));
  SAW_RETURN_IF_ERROR(kv_->FlushMemtables());
  SAW_RETURN_IF_ERROR(kv_->CompactRange(Column::kChunks, begin, end));
  SAW_RETURN_IF_ERROR(kv_->CompactRange(Column::kChunkIndex, begin, end));
  // The head records of the flushed heads held the same lines (uncompressed when small).
  const std::string prefix = TenantPrefix(tenant);
  SAW_RETURN_IF_ERROR(kv_->CompactRange(Column::kHead, prefix, PrefixEnd(prefix)));
  if (!rewrite_blob_files) return Status::OK();
  return kv_->RewriteBlobFiles(Column::kChunks);
}

}  // namespace sawmill::storage
