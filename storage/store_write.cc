// The write path. A Write() runs in three steps:
//  1. under mu_: find each stream, refuse entries older than the out-of-order window, raise
//     the stream's newest timestamp, reserve a sequence number per stream;
//  2. without the lock: encode and compress one head record per stream and write them all
//     to RocksDB in one batch (WAL, not yet fsynced);
//  3. under mu_: append the entries to the heads, remembering each record's sequence number
//     so the flush deletes exactly the records it turned into chunks;
// then wait until the WAL is fsynced (at once, or by the group-commit thread).
#include <chrono>

#include "storage/chunk_format.h"
#include "storage/coding.h"
#include "storage/keys.h"
#include "storage/store_impl.h"
#include "storage/time_format.h"

namespace sawmill::storage {

int64_t MonotonicNowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::string EncodeHeadRecord(const std::vector<EntryRef>& entries, Encoding encoding) {
  std::string payload;
  size_t estimate = 8;
  for (const EntryRef& e : entries) estimate += e.line.size() + e.metadata.size() + 16;
  payload.reserve(estimate);
  PutVarint64(&payload, entries.size());
  for (const EntryRef& e : entries) {
    PutVarint64(&payload, ZigZagEncode(e.ts_ns));
    PutLengthPrefixed(&payload, e.line);
    PutLengthPrefixed(&payload, e.metadata);
  }
  std::string record;
  if (encoding != Encoding::kNone && payload.size() >= 256) {
    record.push_back(static_cast<char>(encoding));
    PutVarint64(&record, payload.size());
    if (Compress(encoding, payload, &record).ok()) return record;
  }
  record.clear();
  record.push_back(static_cast<char>(Encoding::kNone));
  record.append(payload);
  return record;
}

Status DecodeHeadRecord(std::string_view record, std::string* scratch,
                        std::vector<EntryRef>* entries) {
  entries->clear();
  if (record.empty()) return Status::Corruption("empty head record");
  auto encoding = static_cast<Encoding>(record[0]);
  record.remove_prefix(1);
  std::string_view payload = record;
  if (encoding != Encoding::kNone) {
    uint64_t raw_size;
    if (!GetVarint64(&record, &raw_size) || raw_size > (1ull << 32)) {
      return Status::Corruption("bad head record size");
    }
    SAW_RETURN_IF_ERROR(Decompress(encoding, record, raw_size, scratch));
    payload = *scratch;
  }
  uint64_t count;
  if (!GetVarint64(&payload, &count) || count > payload.size()) {
    return Status::Corruption("bad head record count");
  }
  entries->reserve(count);
  for (uint64_t i = 0; i < count; ++i) {
    uint64_t ts;
    EntryRef e;
    if (!GetVarint64(&payload, &ts) || !GetLengthPrefixed(&payload, &e.line) ||
        !GetLengthPrefixed(&payload, &e.metadata)) {
      return Status::Corruption("truncated head record");
    }
    e.ts_ns = ZigZagDecode(ts);
    entries->push_back(e);
  }
  return Status::OK();
}

Status StoreImpl::Write(std::string_view tenant, std::span<const StreamWrite> streams,
                        WriteResult* result) {
  SAW_RETURN_IF_ERROR(ValidateTenant(tenant));
  *result = WriteResult();
  const int64_t window = options_.out_of_order_window.count();

  // Step 1: decide, reserve.
  struct Pending {
    size_t stream_index;
    uint64_t seq;
    std::vector<EntryRef> accepted;
    std::string key;  // StreamKey(tenant, id), made once for steps 1 and 3
  };
  std::vector<Pending> pending;
  pending.reserve(streams.size());
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return Status::Unavailable("store is closed");
    for (size_t si = 0; si < streams.size(); ++si) {
      const StreamWrite& sw = streams[si];
      Status st;
      std::string key = StreamKey(tenant, sw.stream_id);
      StreamState* s = FindOrLoadStream(tenant, sw.stream_id, key, &st);
      if (s == nullptr) return st;
      Pending p{si, 0, {}, std::move(key)};
      p.accepted.reserve(sw.entries.size());
      for (size_t ei = 0; ei < sw.entries.size(); ++ei) {
        const EntryRef& e = sw.entries[ei];
        if (e.line.size() + e.metadata.size() > kMaxEntryBytes) {
          result->rejected.push_back(
              {si, ei,
               Status::InvalidArgument("entry of " +
                                       std::to_string(e.line.size() + e.metadata.size()) +
                                       " bytes is larger than the store's limit of " +
                                       std::to_string(kMaxEntryBytes) + " bytes")});
          continue;
        }
        if (s->max_ts != INT64_MIN && window > 0 && e.ts_ns < s->max_ts - window) {
          result->rejected.push_back(
              {si, ei,
               Status::InvalidArgument(
                   "entry too far behind, entry timestamp is: " + FormatRfc3339Nano(e.ts_ns) +
                   ", oldest acceptable timestamp is: " + FormatRfc3339Nano(s->max_ts - window))});
          continue;
        }
        p.accepted.push_back(e);
        if (e.ts_ns > s->max_ts) s->max_ts = e.ts_ns;
      }
      if (p.accepted.empty()) continue;
      p.seq = next_seq_.fetch_add(1);
      pending.push_back(std::move(p));
    }
  }
  if (pending.empty()) return Status::OK();

  // Step 2: the durable records.
  std::unique_ptr<KvBatch> batch = kv_->NewBatch();
  for (const Pending& p : pending) {
    batch->Put(Column::kHead, HeadKey(tenant, streams[p.stream_index].stream_id, p.seq),
               EncodeHeadRecord(p.accepted, options_.chunk.encoding));
  }
  SAW_RETURN_IF_ERROR(kv_->Write(batch.get(), /*sync=*/false));

  // Step 3: the heads.
  const int64_t now = MonotonicNowNs();
  std::vector<std::string> to_flush;
  bool flusher_behind = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (Pending& p : pending) {
      uint64_t id = streams[p.stream_index].stream_id;
      Status st;
      // Found again: it may have been evicted between the steps (idle eviction) and reloaded.
      StreamState* found = FindOrLoadStream(tenant, id, p.key, &st);
      if (found == nullptr) return st;
      StreamState& s = *found;
      // A new head's own size counts too: the flush takes memory_bytes() off in full.
      const size_t memory_before = s.head == nullptr ? 0 : s.head->memory_bytes();
      if (s.head == nullptr) s.head = NewHead(now);
      const size_t stored = s.head->AppendAll(p.accepted);
      result->accepted += stored;
      result->duplicates += p.accepted.size() - stored;
      for (const EntryRef& e : p.accepted) {
        if (e.ts_ns > s.max_ts) s.max_ts = e.ts_ns;
      }
      s.head->AddRecord(p.seq);
      s.head->last_append_ns = now;
      s.last_append_ns = now;
      live_head_memory_ += s.head->memory_bytes() - memory_before;
      const bool over_budget = options_.head_bytes_budget > 0 &&
                               live_head_memory_ > options_.head_bytes_budget &&
                               s.head->bytes() >= options_.chunk.block_target_bytes;
      if ((s.head->bytes() >= options_.chunk_target_bytes || over_budget) && !s.queued_for_flush) {
        s.queued_for_flush = true;
        to_flush.push_back(std::move(p.key));
      }
    }
    flusher_behind =
        options_.head_bytes_budget > 0 &&
        live_head_memory_ > options_.head_bytes_budget + options_.head_bytes_budget / 4;
  }
  entries_written_ += result->accepted;
  if (!to_flush.empty()) {
    std::lock_guard<std::mutex> lock(bg_mu_);
    for (auto& k : to_flush) flush_queue_.push_back(std::move(k));
    bg_cv_.notify_one();
  }
  if (flusher_behind) {
    // The heads passed their budget by a quarter: the flusher is not keeping up (one thread,
    // sharing the cores with every writer). This writer cuts one queued head itself before
    // it answers, so the heads stop growing faster than they are cut (at 100 streams and
    // ~100 MB/s they reached ~1.3x the budget).
    std::string key;
    {
      std::lock_guard<std::mutex> lock(bg_mu_);
      if (!flush_queue_.empty()) {
        key = std::move(flush_queue_.front());
        flush_queue_.pop_front();
      }
    }
    if (!key.empty()) (void)FlushStream(key);  // a failure leaves the head: FlushDue retries
  }
  return WaitDurable();
}

Status StoreImpl::WaitDurable() {
  if (options_.sync == SyncPolicy::kFsync) {
    ++syncs_;
    return kv_->SyncWal();
  }
  std::unique_lock<std::mutex> lock(sync_mu_);
  uint64_t ticket = ++write_ticket_;
  sync_cv_.notify_one();
  synced_cv_.wait(lock, [&] { return synced_ticket_ >= ticket || stopping_; });
  if (synced_ticket_ < ticket) {
    // The store is closing; Close() syncs everything before it returns.
    lock.unlock();
    return kv_->SyncWal();
  }
  return sync_status_;
}

void StoreImpl::SyncLoop() {
  std::unique_lock<std::mutex> lock(sync_mu_);
  auto last_sync = std::chrono::steady_clock::now() - options_.group_commit_interval;
  while (true) {
    sync_cv_.wait(lock, [&] { return write_ticket_ > synced_ticket_ || stopping_; });
    if (stopping_ && write_ticket_ == synced_ticket_) return;
    // At most one fsync per interval: let the group fill up until then.
    auto due = last_sync + options_.group_commit_interval;
    if (!stopping_ && std::chrono::steady_clock::now() < due) {
      lock.unlock();
      std::this_thread::sleep_until(due);
      lock.lock();
    }
    uint64_t target = write_ticket_;
    lock.unlock();
    Status s = kv_->SyncWal();
    ++syncs_;
    last_sync = std::chrono::steady_clock::now();
    lock.lock();
    sync_status_ = s;
    synced_ticket_ = target;
    synced_cv_.notify_all();
  }
}

}  // namespace sawmill::storage
