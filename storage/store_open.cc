// Opening, recovery and closing of the store.
//
// Recovery replays the head column family: every record there holds entries that were
// acknowledged (or at least written) but not yet part of a chunk. A record is deleted in the
// same atomic batch that writes its chunk, so after any crash each entry is either in a
// chunk or in a head record, never both: nothing is lost and nothing is duplicated.
#include <algorithm>
#include <filesystem>

#include "storage/chunk_format.h"
#include "storage/coding.h"
#include "storage/keys.h"
#include "storage/store_impl.h"

namespace sawmill::storage {

std::string_view SyncPolicyName(SyncPolicy p) {
  return p == SyncPolicy::kFsync ? "fsync" : "group-commit";
}

Result<SyncPolicy> ParseSyncPolicy(std::string_view name) {
  if (name == "fsync") return SyncPolicy::kFsync;
  if (name == "group-commit" || name == "group_commit") return SyncPolicy::kGroupCommit;
  return Status::InvalidArgument("unknown sync policy \"" + std::string(name) +
                                 "\" (want fsync or group-commit)");
}

StoreImpl::StoreImpl(const StoreOptions& options, std::unique_ptr<KvStore> kv)
    : options_(options), kv_(std::move(kv)) {}

StoreImpl::~StoreImpl() { (void)Close(); }

Result<std::unique_ptr<Store>> Store::Open(const StoreOptions& options) {
  if (options.bucket.count() <= 0) return Status::InvalidArgument("bucket width must be > 0");
  if (options.chunk.block_target_bytes == 0 || options.chunk_target_bytes == 0) {
    return Status::InvalidArgument("block and chunk targets must be > 0");
  }
  KvOptions kv_options;
  kv_options.path = options.data_dir;
  kv_options.block_cache_bytes = options.block_cache_bytes;
  kv_options.write_buffer_bytes = options.write_buffer_bytes;
  SAW_ASSIGN_OR_RETURN(std::unique_ptr<KvStore> kv, KvStore::Open(kv_options));
  auto store = std::make_unique<StoreImpl>(options, std::move(kv));
  SAW_RETURN_IF_ERROR(store->Recover());
  store->StartBackground();
  return std::unique_ptr<Store>(std::move(store));
}

std::shared_ptr<Head> StoreImpl::NewHead(int64_t now_ns) {
  auto h = std::make_shared<Head>();
  h->created_ns = now_ns;
  h->last_append_ns = now_ns;
  return h;
}

uint32_t StoreImpl::TenantNumber(std::string_view tenant) {
  auto it = tenant_numbers_.find(tenant);
  if (it != tenant_numbers_.end()) return it->second;
  uint32_t n;
  if (!free_tenant_numbers_.empty()) {
    n = free_tenant_numbers_.back();
    free_tenant_numbers_.pop_back();
  } else {
    n = static_cast<uint32_t>(tenants_.size());
    tenants_.emplace_back();
  }
  tenants_[n].name.assign(tenant);
  tenants_[n].streams = 0;
  tenant_numbers_.emplace(tenants_[n].name, n);
  return n;
}

int64_t StoreImpl::FindTenantNumber(std::string_view tenant) const {
  auto it = tenant_numbers_.find(tenant);
  if (it == tenant_numbers_.end()) return -1;
  return it->second;
}

StreamState* StoreImpl::FindStream(std::string_view tenant, uint64_t stream_id) {
  const int64_t n = FindTenantNumber(tenant);
  if (n < 0) return nullptr;
  auto it = streams_.find(StreamSlot{static_cast<uint32_t>(n), stream_id});
  return it == streams_.end() ? nullptr : &it->second;
}

StreamState* StoreImpl::FindOrLoadStream(std::string_view tenant, uint64_t stream_id,
                                         Status* status) {
  return FindOrLoadStream(TenantNumber(tenant), stream_id, status);
}

StreamState* StoreImpl::FindOrLoadStream(uint32_t tenant_number, uint64_t stream_id,
                                         Status* status) {
  const StreamSlot slot{tenant_number, stream_id};
  auto it = streams_.find(slot);
  if (it != streams_.end()) return &it->second;
  TenantInfo& tenant = tenants_[tenant_number];
  StreamState s;
  s.tenant = tenant.name;
  s.id = stream_id;
  s.tenant_number = tenant_number;
  s.last_append_ns = MonotonicNowNs();
  auto meta = kv_->Get(Column::kStreams, StreamKey(s.tenant, stream_id));
  if (meta.ok()) {
    std::string_view v = (*meta)->data();
    uint64_t max_ts;
    if (!GetVarint64(&v, &max_ts)) {
      *status = Status::Corruption("malformed stream row");
      return nullptr;
    }
    s.max_ts = ZigZagDecode(max_ts);
  } else if (!meta.status().IsNotFound()) {
    *status = meta.status();
    return nullptr;
  }
  ++tenant.streams;
  return &streams_.emplace(slot, std::move(s)).first->second;
}

Status StoreImpl::Recover() {
  // Chunk keys and retention depend on the bucket width: it is fixed when the store is made.
  auto width = kv_->Get(Column::kMeta, "bucket_ns");
  if (width.ok()) {
    std::string_view v = (*width)->data();
    if (v.size() != 8) return Status::Corruption("malformed bucket_ns");
    const int64_t stored = static_cast<int64_t>(DecodeFixed64(v.data()));
    if (stored != options_.bucket.count()) {
      return Status::InvalidArgument("the store in " + options_.data_dir +
                                     " was made with a time bucket of " + std::to_string(stored) +
                                     " ns, not " + std::to_string(options_.bucket.count()));
    }
  } else if (width.status().IsNotFound()) {
    std::unique_ptr<KvBatch> batch = kv_->NewBatch();
    std::string v;
    PutFixed64(&v, static_cast<uint64_t>(options_.bucket.count()));
    batch->Put(Column::kMeta, "bucket_ns", v);
    std::string layout;
    PutFixed32(&layout, kChunkLayout);
    batch->Put(Column::kMeta, "chunk_layout", layout);
    SAW_RETURN_IF_ERROR(kv_->Write(batch.get(), /*sync=*/true));
  } else {
    return width.status();
  }

  // How chunks are laid out in kChunks (chunk_format.h, keys.h). Layout 1 (a chunk as one
  // value, before 2026-11-23) is not read: nothing written with it was deployed.
  auto layout = kv_->Get(Column::kMeta, "chunk_layout");
  if (layout.ok()) {
    std::string_view v = (*layout)->data();
    if (v.size() != 4) return Status::Corruption("malformed chunk_layout");
    if (DecodeFixed32(v.data()) != kChunkLayout) {
      return Status::InvalidArgument("the store in " + options_.data_dir + " has chunk layout " +
                                     std::to_string(DecodeFixed32(v.data())) +
                                     "; this version reads layout " + std::to_string(kChunkLayout) +
                                     " only");
    }
  } else if (layout.status().IsNotFound()) {
    // A new store records its layout with its bucket width: this one predates layouts.
    return Status::InvalidArgument(
        "the store in " + options_.data_dir +
        " was written by an older Sawmill (chunk layout 1: one value per chunk); this version "
        "reads layout " +
        std::to_string(kChunkLayout) + " only: move the directory away or start with an empty one");
  } else {
    return layout.status();
  }

  auto meta = kv_->Get(Column::kMeta, "next_seq");
  uint64_t next_seq = 1;
  if (meta.ok()) {
    if ((*meta)->data().size() != 8) return Status::Corruption("malformed next_seq");
    next_seq = DecodeFixed64((*meta)->data().data());
  } else if (!meta.status().IsNotFound()) {
    return meta.status();
  }

  const int64_t now = MonotonicNowNs();
  std::lock_guard<std::mutex> lock(mu_);
  // Head keys of layout 1 (stream id before seq, written before 2026-11-24) are read as well,
  // and rewritten under layout 2 as they are replayed, each rewrite (put new, delete old) in
  // one atomic batch: a crash in between leaves every record under exactly one of its keys,
  // and both layouts are read at the next open. Flushes delete layout-2 keys only.
  auto it = kv_->NewIterator(Column::kHead, std::string_view(), std::string(64, '\xff'));
  std::string scratch;
  std::vector<EntryRef> entries;
  std::unique_ptr<KvBatch> rewrite = kv_->NewBatch();
  size_t rewrites = 0;  // in `rewrite`
  for (; it->Valid(); it->Next()) {
    std::string_view tenant;
    uint64_t stream_id, seq;
    bool legacy;
    if (!DecodeHeadKey(it->key(), &tenant, &stream_id, &seq, &legacy)) {
      return Status::Corruption("malformed head key");
    }
    SAW_RETURN_IF_ERROR(DecodeHeadRecord(it->value(), &scratch, &entries));
    if (legacy) {
      rewrite->Put(Column::kHead, HeadKey(tenant, stream_id, seq), it->value());
      rewrite->Delete(Column::kHead, it->key());
      if (++rewrites >= 1024) {
        SAW_RETURN_IF_ERROR(kv_->Write(rewrite.get(), /*sync=*/false));
        rewrite->Clear();
        rewrites = 0;
      }
    }
    Status st;
    StreamState* s = FindOrLoadStream(tenant, stream_id, &st);
    if (s == nullptr) return st;
    const size_t memory_before = s->head == nullptr ? 0 : s->head->memory_bytes();
    if (s->head == nullptr) s->head = NewHead(now);
    for (const EntryRef& e : entries) {
      s->head->Append(e.ts_ns, e.line, e.metadata);
      s->max_ts = std::max(s->max_ts, e.ts_ns);
    }
    s->head->AddRecord(seq);
    live_head_memory_ += s->head->memory_bytes() - memory_before;
    next_seq = std::max(next_seq, seq + 1);
  }
  SAW_RETURN_IF_ERROR(it->status());
  if (rewrites > 0) SAW_RETURN_IF_ERROR(kv_->Write(rewrite.get(), /*sync=*/false));
  next_seq_ = next_seq;
  return Status::OK();
}

void StoreImpl::StartBackground() {
  // The group-commit thread is part of durability, so it always runs; the flusher only when
  // background work is wanted.
  if (options_.sync == SyncPolicy::kGroupCommit) sync_thread_ = std::thread([this] { SyncLoop(); });
  if (options_.background_threads) bg_thread_ = std::thread([this] { BackgroundLoop(); });
}

void StoreImpl::StopThreads() {
  {
    std::scoped_lock lock(sync_mu_, bg_mu_);
    stopping_ = true;
  }
  sync_cv_.notify_all();
  synced_cv_.notify_all();
  bg_cv_.notify_all();
  if (sync_thread_.joinable()) sync_thread_.join();
  if (bg_thread_.joinable()) bg_thread_.join();
}

Status StoreImpl::Close() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return Status::OK();
  }
  StopThreads();
  Status st = FlushAll();
  {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
    streams_.clear();
  }
  Status close = kv_->Close();
  return st.ok() ? close : st;
}

size_t StoreImpl::ActiveStreams(std::string_view tenant, std::span<const uint64_t> ids,
                                std::vector<bool>* active) {
  active->assign(ids.size(), false);
  std::lock_guard<std::mutex> lock(mu_);
  const int64_t n = FindTenantNumber(tenant);
  if (n < 0) return 0;
  for (size_t i = 0; i < ids.size(); ++i) {
    (*active)[i] = streams_.contains(StreamSlot{static_cast<uint32_t>(n), ids[i]});
  }
  return tenants_[n].streams;
}

StoreStats StoreImpl::Stats() {
  StoreStats stats;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stats.active_streams = streams_.size();
    auto add = [&](const std::shared_ptr<Head>& h) {
      if (h == nullptr) return;
      stats.head_entries += h->num_entries();
      stats.head_bytes += h->bytes();
      stats.head_memory += h->memory_bytes();
    };
    for (auto& [key, s] : streams_) {
      add(s.head);
      for (auto& h : s.flushing) add(h);
    }
  }
  stats.chunks_flushed = chunks_flushed_;
  stats.bytes_flushed = bytes_flushed_;
  stats.entries_written = entries_written_;
  stats.syncs = syncs_;
  stats.chunk_blocks_read = read_counters_.blocks;
  stats.chunk_text_sections_read = read_counters_.text_sections;
  stats.chunk_bytes_read = read_counters_.bytes;
  return stats;
}

}  // namespace sawmill::storage
