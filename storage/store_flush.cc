// Heads into chunks, and retention.
//
// A flush seals the stream's head (new writes go to a fresh head at once), builds the
// chunks without holding the store lock, then in one atomic RocksDB batch writes the chunks
// and their index rows, a cut list naming exactly the head records the sealed head held (the
// stream's entries of those records are in chunks now), and the stream's newest timestamp. A
// chunk is stored as its index part plus one value per block section (keys.h), all in that
// batch. The batch is applied and the sealed head dropped under the store lock, so a reader
// sees the entries either in the head or in the chunks, never both or neither. A crash before
// the batch leaves the records without the cut list: recovery replays the stream's entries.
//
// A head record holds the entries of every stream of one Write(), so it is deleted only once
// each of those streams has been flushed (LiveRecord::refs), in a later batch than every cut
// list naming it; a cut list is deleted once every record it names is gone, in the same batch
// as the last of those deletes or a later one. So after a crash at any point, each entry is in
// a chunk or in a record no cut list names for its stream, never both.
#include <algorithm>

#include "storage/coding.h"
#include "storage/keys.h"
#include "storage/store_impl.h"

namespace sawmill::storage {

Status StoreImpl::BuildChunks(const StreamState& stream, const Head& head, KvBatch* batch,
                              uint64_t* stored_bytes, uint64_t* num_chunks) {
  const int64_t width = options_.bucket.count();
  const auto& entries = head.entries();
  const uint64_t seq = head.max_record();
  size_t begin = 0;
  while (begin < entries.size()) {
    // One chunk per time bucket, so that retention and reads work on whole buckets.
    const uint32_t bucket = BucketOf(entries[begin].ts_ns, width);
    const int64_t bucket_end = BucketStart(bucket, width) + width;
    ChunkBuilder builder(options_.chunk);
    ChunkMeta meta;
    size_t i = begin;
    for (; i < entries.size() && entries[i].ts_ns < bucket_end; ++i) {
      const Head::Entry& e = entries[i];
      SAW_RETURN_IF_ERROR(builder.Append(e.ts_ns, e.line(), e.metadata()));
      meta.raw_bytes += e.line_size + e.metadata_size;
    }
    meta.num_entries = i - begin;
    meta.max_ts = entries[i - 1].ts_ns;
    SAW_ASSIGN_OR_RETURN(std::string chunk, builder.Finish());
    meta.stored_bytes = chunk.size();
    *stored_bytes += chunk.size();
    ChunkKey key{stream.tenant, bucket, stream.id, entries[begin].ts_ns, seq};
    std::string k = EncodeChunkKey(key);
    // The index part and every block section in values of their own, so that a read fetches
    // only the blocks it needs (all in this batch: a chunk is there whole or not at all).
    std::string index;
    std::vector<BlockSections> sections;
    SAW_RETURN_IF_ERROR(ChunkReader::Split(chunk, &index, &sections));
    for (size_t b = 0; b < sections.size(); ++b) {
      batch->Put(Column::kChunks, ChunkSectionKey(k, static_cast<uint32_t>(b), false),
                 sections[b].ts);
      batch->Put(Column::kChunks, ChunkSectionKey(k, static_cast<uint32_t>(b), true),
                 sections[b].text);
    }
    batch->Put(Column::kChunks, k, index);
    batch->Put(Column::kChunkIndex, k, EncodeChunkMeta(meta));
    ++*num_chunks;
    begin = i;
  }
  return Status::OK();
}

Status StoreImpl::FlushStream(std::string_view tenant, uint64_t stream_id) {
  int64_t n;
  {
    std::lock_guard<std::mutex> lock(mu_);
    n = FindTenantNumber(tenant);
  }
  if (n < 0) return Status::OK();  // no stream of the tenant in memory
  return FlushStream(StreamSlot{static_cast<uint32_t>(n), stream_id});
}

Status StoreImpl::FlushStream(StreamSlot slot) {
  std::shared_ptr<Head> sealed;
  StreamState copy;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = streams_.find(slot);
    if (it == streams_.end()) return Status::OK();
    StreamState& s = it->second;
    s.queued_for_flush = false;
    if (s.head == nullptr || s.head->empty()) return Status::OK();
    sealed = std::move(s.head);
    s.head = nullptr;
    live_head_memory_ -= sealed->memory_bytes();
    s.flushing.push_back(sealed);
    copy.tenant = s.tenant;
    copy.id = s.id;
    copy.max_ts = s.max_ts;
  }

  std::unique_ptr<KvBatch> batch = kv_->NewBatch();
  uint64_t stored = 0, num_chunks = 0;
  Status st = BuildChunks(copy, *sealed, batch.get(), &stored, &num_chunks);
  const std::vector<uint64_t> records = sealed->records();
  CutListRef cut{0, 0};
  if (st.ok()) {
    std::vector<uint64_t> seqs = records;
    std::sort(seqs.begin(), seqs.end());
    seqs.erase(std::unique(seqs.begin(), seqs.end()), seqs.end());
    // The cut list's key takes a number from the sequence counter, so it is never reused.
    cut = {seqs.empty() ? 0 : seqs.back(), next_seq_.fetch_add(1)};
    batch->Put(Column::kHead, CutListKey(cut.id), EncodeCutList(copy.id, seqs));
  }
  const uint64_t next_seq = next_seq_.load();

  std::lock_guard<std::mutex> lock(mu_);
  auto it = streams_.find(slot);
  StreamState* s = it == streams_.end() ? nullptr : &it->second;
  // The slot's tenant number may have been given to another tenant meanwhile (the stream left
  // memory, then its tenant's number was reused): not this stream then.
  if (s != nullptr && s->tenant != copy.tenant) s = nullptr;
  if (st.ok()) {
    // Flushes of one stream can overlap (the flusher, a writer helping it, FlushAll,
    // RemoveEntries) and their batches are applied here one at a time, in either order. What
    // they record only moves forward, so a batch applied last never writes back an older
    // newest timestamp (the out-of-order window after a restart) or next_seq (record and
    // chunk key numbers must not be handed out twice).
    int64_t max_ts = copy.max_ts;
    if (s != nullptr) {
      max_ts = std::max(max_ts, s->stored_max_ts);
      s->stored_max_ts = max_ts;
    }
    std::string v;
    PutVarint64(&v, ZigZagEncode(max_ts));
    batch->Put(Column::kStreams, StreamKey(copy.tenant, copy.id), v);
    stored_next_seq_ = std::max(stored_next_seq_, next_seq);
    std::string seq;
    PutFixed64(&seq, stored_next_seq_);
    batch->Put(Column::kMeta, "next_seq", seq);
    AddGarbage(batch.get());
    if (fail_flushes_for_test_.load() > 0) {
      --fail_flushes_for_test_;
      st = Status::IOError("flush failed for a test");
    } else {
      st = kv_->Write(batch.get(), /*sync=*/false);
    }
    GarbageDone(st.ok());
    if (st.ok()) {
      cut_lists_.push(cut);
      ReleaseRecords(records);
    }
  }
  if (s != nullptr) {
    auto pos = std::find(s->flushing.begin(), s->flushing.end(), sealed);
    s->flushing.erase(pos);
    if (!st.ok()) {
      // Nothing was written: give the entries back to the live head, which a later flush
      // retries. Their head records are still durable.
      const size_t memory_before = s->head == nullptr ? 0 : s->head->memory_bytes();
      if (s->head == nullptr) s->head = NewHead(MonotonicNowNs());
      for (const Head::Entry& e : sealed->entries())
        s->head->Append(e.ts_ns, e.line(), e.metadata());
      for (uint64_t seq : sealed->records()) s->head->AddRecord(seq);
      live_head_memory_ += s->head->memory_bytes() - memory_before;
    }
  }
  if (st.ok()) {
    bytes_flushed_ += stored;
    chunks_flushed_ += num_chunks;
  }
  return st;
}

void StoreImpl::ReleaseRecords(std::span<const uint64_t> seqs) {
  for (uint64_t seq : seqs) {
    auto it = records_.find(seq);
    if (it == records_.end() || it->second.refs == 0) continue;  // never: every seq is counted
    if (--it->second.refs == 0) {
      live_record_bytes_ -= it->second.bytes;
      if (it->second.segment != 0) {
        ++released_[it->second.segment];
      } else {
        dead_records_.push_back(seq);
      }
    }
  }
}

void StoreImpl::AddGarbage(KvBatch* batch) {
  garbage_records_ = dead_records_.size();
  for (uint64_t seq : dead_records_) batch->Delete(Column::kHead, records_.at(seq).key);
  // The oldest record still held once these deletes are written (or still in a head log
  // segment): every cut list whose records are all older can go in the same batch.
  uint64_t oldest_live = UINT64_MAX;
  for (const auto& [seq, r] : records_) {
    if (r.refs > 0 || r.segment != 0) {
      oldest_live = seq;
      break;
    }
  }
  std::string key;
  while (!cut_lists_.empty() && cut_lists_.top().max_seq < oldest_live) {
    PutCutListKey(&key, cut_lists_.top().id);
    batch->Delete(Column::kHead, key);
    garbage_cut_lists_.push_back(cut_lists_.top());
    cut_lists_.pop();
  }
}

void StoreImpl::GarbageDone(bool written) {
  if (written) {
    for (size_t i = 0; i < garbage_records_; ++i) records_.erase(dead_records_[i]);
    dead_records_.erase(dead_records_.begin(), dead_records_.begin() + garbage_records_);
  } else {
    for (const CutListRef& c : garbage_cut_lists_) cut_lists_.push(c);
  }
  garbage_records_ = 0;
  garbage_cut_lists_.clear();
}

Status StoreImpl::CollectGarbage() {
  SAW_RETURN_IF_ERROR(RemoveDeadSegments(/*roll=*/true));
  std::lock_guard<std::mutex> lock(mu_);
  if (closed_ || (dead_records_.empty() && cut_lists_.empty())) return Status::OK();
  std::unique_ptr<KvBatch> batch = kv_->NewBatch();
  AddGarbage(batch.get());
  if (garbage_records_ == 0 && garbage_cut_lists_.empty()) return Status::OK();
  Status st = kv_->Write(batch.get(), /*sync=*/false);
  GarbageDone(st.ok());
  return st;
}

Status StoreImpl::RemoveDeadSegments(bool roll) {
  // One pass at a time (the flusher, FlushAll, a delete): two could pick the same segment.
  std::lock_guard<std::mutex> removing(remove_segments_mu_);
  std::vector<uint64_t> dead;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return Status::OK();
    if (roll) {
      // (A record appended meanwhile only keeps the closed segment until it dies.)
      const auto [active, frames] = head_log_->ActiveSegment();
      auto it = released_.find(active);
      if (frames > 0 && it != released_.end() && it->second == frames) head_log_->Roll();
    }
    // A closed segment takes no more appends; every append to it is counted in its frames
    // before the writer registers the record here, so frames == released means every record
    // in it was registered and has died.
    for (const auto& [segment, frames] : head_log_->ClosedSegments()) {
      auto it = released_.find(segment);
      if (frames == (it == released_.end() ? 0 : it->second)) dead.push_back(segment);
    }
  }
  if (dead.empty()) return Status::OK();
  // The chunks and cut lists that killed these records are durable before the records go.
  SAW_RETURN_IF_ERROR(kv_->SyncWal());
  for (uint64_t segment : dead) SAW_RETURN_IF_ERROR(head_log_->Remove(segment));
  std::lock_guard<std::mutex> lock(mu_);
  for (auto it = records_.begin(); it != records_.end();) {
    if (it->second.segment != 0 &&
        std::find(dead.begin(), dead.end(), it->second.segment) != dead.end()) {
      it = records_.erase(it);
    } else {
      ++it;
    }
  }
  for (uint64_t segment : dead) released_.erase(segment);
  return Status::OK();
}

Status StoreImpl::FlushAll() {
  std::vector<StreamSlot> keys;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& [slot, s] : streams_) {
      if ((s.head != nullptr && !s.head->empty()) || !s.flushing.empty()) keys.push_back(slot);
    }
  }
  Status first;
  for (const auto& k : keys) {
    Status st = FlushStream(k);
    if (!st.ok() && first.ok()) first = st;
  }
  SAW_RETURN_IF_ERROR(first);
  // Every record written before the flushes is dead now; a new segment lets theirs go.
  head_log_->Roll();
  SAW_RETURN_IF_ERROR(CollectGarbage());
  // The cut lists of the removed segments' records go in a batch after their removal.
  SAW_RETURN_IF_ERROR(CollectGarbage());
  return SyncDurable();
}

void StoreImpl::FlushStreamsHoldingOldRecords() {
  const uint64_t limit = kHeadLimitFactor * options_.head_bytes_budget;
  if (limit == 0) return;
  std::vector<StreamSlot> slots;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (live_record_bytes_ <= limit) return;
    // The oldest records, until what is left of the live ones is half the limit: every
    // stream whose live head holds one of them is flushed, and they die.
    const uint64_t excess = live_record_bytes_ - limit / 2;
    uint64_t freed = 0, below = 0;
    for (const auto& [seq, r] : records_) {
      if (r.refs == 0) continue;
      freed += r.bytes;
      below = seq + 1;
      if (freed >= excess) break;
    }
    for (const auto& [slot, s] : streams_) {
      if (s.head != nullptr && !s.head->empty() && s.head->min_record() < below) {
        slots.push_back(slot);
      }
    }
  }
  for (const StreamSlot& slot : slots) (void)FlushStream(slot);  // failures: retried later
}

Status StoreImpl::FlushDue() {
  const int64_t now = MonotonicNowNs();
  const int64_t idle = options_.chunk_idle.count();
  const int64_t max_age = options_.chunk_max_age.count();
  std::vector<StreamSlot> keys;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto it = streams_.begin(); it != streams_.end();) {
      StreamState& s = it->second;
      const bool empty = s.head == nullptr || s.head->empty();
      if (empty && s.flushing.empty() && s.writers == 0 && now - s.last_append_ns >= idle) {
        TenantInfo& tenant = tenants_[s.tenant_number];
        if (--tenant.streams == 0) {
          // The tenant has nothing in memory any more: its number can go to another one.
          tenant_numbers_.erase(tenant.name);
          tenant.name.clear();
          free_tenant_numbers_.push_back(s.tenant_number);
        }
        it = streams_.erase(it);  // quiet stream: its newest ts is in kStreams
        continue;
      }
      if (!empty && (s.head->bytes() >= options_.chunk_target_bytes ||
                     now - s.head->last_append_ns >= idle || now - s.head->created_ns >= max_age)) {
        keys.push_back(it->first);
      }
      ++it;
    }
  }
  Status first;
  for (const auto& k : keys) {
    Status st = FlushStream(k);
    if (!st.ok() && first.ok()) first = st;
  }
  FlushStreamsHoldingOldRecords();
  Status st = CollectGarbage();
  return first.ok() ? st : first;
}

Status StoreImpl::ApplyRetention(std::chrono::system_clock::time_point now) {
  if (options_.retention.count() <= 0) return Status::OK();
  const int64_t now_ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch()).count();
  // Every bucket that ends at or before the cutoff goes, as a whole.
  const uint32_t keep_from = BucketOf(now_ns - options_.retention.count(), options_.bucket.count());
  std::lock_guard<std::mutex> rewrite(rewrite_mu_);  // no chunk rewrite puts back what goes

  // Find the tenants by skipping from one tenant's keys to the next.
  std::vector<std::string> tenants;
  auto it = kv_->NewIterator(Column::kChunkIndex, std::string_view(), std::string(64, '\xff'));
  it->Seek(std::string_view());
  while (it->Valid()) {
    std::string_view key = it->key();
    size_t nul = key.find('\0');
    if (nul == std::string_view::npos) return Status::Corruption("chunk key without tenant");
    tenants.emplace_back(key.substr(0, nul));
    it->Seek(PrefixEnd(TenantPrefix(tenants.back())));
  }
  SAW_RETURN_IF_ERROR(it->status());

  // Only tenants with something expired cost a write and a compaction.
  std::vector<std::string> expired;
  for (const std::string& t : tenants) {
    auto probe = kv_->NewIterator(Column::kChunkIndex, ChunkBucketPrefix(t, 0),
                                  ChunkBucketPrefix(t, keep_from));
    if (probe->Valid()) expired.push_back(t);
    SAW_RETURN_IF_ERROR(probe->status());
  }
  if (expired.empty()) return Status::OK();
  // Memtables go to SST first, so the compaction below drops the deleted chunks from disk
  // and the WAL files that held them can go.
  SAW_RETURN_IF_ERROR(kv_->FlushMemtables());
  for (const std::string& t : expired) {
    const std::string begin = ChunkBucketPrefix(t, 0);
    const std::string end = ChunkBucketPrefix(t, keep_from);
    std::unique_ptr<KvBatch> batch = kv_->NewBatch();
    batch->DeleteRange(Column::kChunkIndex, begin, end);
    batch->DeleteRange(Column::kChunks, begin, end);
    SAW_RETURN_IF_ERROR(kv_->Write(batch.get(), /*sync=*/true));
    SAW_RETURN_IF_ERROR(kv_->FlushMemtables());
    SAW_RETURN_IF_ERROR(kv_->CompactRange(Column::kChunks, begin, end));
    SAW_RETURN_IF_ERROR(kv_->CompactRange(Column::kChunkIndex, begin, end));
  }
  return Status::OK();
}

void StoreImpl::BackgroundLoop() {
  auto next_periodic = std::chrono::steady_clock::now() + options_.background_interval;
  auto next_retention = std::chrono::steady_clock::now();
  std::unique_lock<std::mutex> lock(bg_mu_);
  while (!stopping_) {
    bg_cv_.wait_until(lock, next_periodic, [&] { return stopping_ || !flush_queue_.empty(); });
    if (stopping_) return;
    bool flushed = false;
    while (!flush_queue_.empty()) {
      const StreamSlot slot = flush_queue_.front();
      flush_queue_.pop_front();
      lock.unlock();
      (void)FlushStream(slot);  // a failure leaves the head in place: retried by FlushDue
      flushed = true;
      lock.lock();
    }
    if (flushed) {
      // Head log segments whose records all died go now (a failure is retried next time).
      lock.unlock();
      (void)RemoveDeadSegments(/*roll=*/false);
      lock.lock();
    }
    auto now = std::chrono::steady_clock::now();
    if (now >= next_periodic) {
      lock.unlock();
      (void)FlushDue();
      if (now >= next_retention) {
        (void)ApplyRetention(std::chrono::system_clock::now());
        next_retention = now + std::chrono::minutes(10);
      }
      lock.lock();
      next_periodic = now + options_.background_interval;
    }
  }
}

}  // namespace sawmill::storage
