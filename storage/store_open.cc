// Opening, recovery and closing of the store.
//
// Recovery replays the head column family: its cut lists first (their keys sort before every
// record), then every head record, skipping each stream's part of a record that a cut list
// names for that stream: a flush writes the chunks and that cut list in one atomic batch, and
// records and cut lists are deleted only once nothing needs them (store_flush.cc), so after
// any crash each entry is either in a chunk or in a part no cut list names, never both:
// nothing is lost and nothing is duplicated.
#include <algorithm>
#include <filesystem>

#include "storage/chunk_format.h"
#include "storage/coding.h"
#include "storage/keys.h"
#include "storage/store_impl.h"

namespace sawmill::storage {
namespace {

// The (record seq, stream id) pairs that cut lists name, sorted once. A record's pairs are one
// run, found by binary search once per record; its parts are then looked up within that run.
// A node-based hash set of the pairs took ~50 % of recovery's CPU at 10,000 streams (two
// cache misses per part) and ~56 bytes per pair (node, malloc header, bucket) against 16.
class CutPairs {
 public:
  void Add(uint64_t seq, uint64_t stream_id) { pairs_.push_back({seq, stream_id}); }
  // Call once, after the last Add().
  void Seal() {
    std::sort(pairs_.begin(), pairs_.end());
    pairs_.erase(std::unique(pairs_.begin(), pairs_.end()), pairs_.end());
  }
  bool contains(const std::pair<uint64_t, uint64_t>& p) {
    if (!have_run_ || p.first != run_seq_) {
      run_begin_ =
          std::lower_bound(pairs_.cbegin(), pairs_.cend(), std::pair{p.first, uint64_t{0}});
      run_end_ =
          std::upper_bound(run_begin_, pairs_.cend(), std::pair{p.first, uint64_t{UINT64_MAX}});
      run_seq_ = p.first;
      have_run_ = true;
    }
    return std::binary_search(run_begin_, run_end_, p);
  }

 private:
  using Pairs = std::vector<std::pair<uint64_t, uint64_t>>;
  Pairs pairs_;
  bool have_run_ = false;
  uint64_t run_seq_ = 0;
  Pairs::const_iterator run_begin_, run_end_;  // the pairs of run_seq_
};

}  // namespace

std::string_view SyncPolicyName(SyncPolicy p) {
  return p == SyncPolicy::kFsync ? "fsync" : "group-commit";
}

Result<SyncPolicy> ParseSyncPolicy(std::string_view name) {
  if (name == "fsync") return SyncPolicy::kFsync;
  if (name == "group-commit" || name == "group_commit") return SyncPolicy::kGroupCommit;
  return Status::InvalidArgument("unknown sync policy \"" + std::string(name) +
                                 "\" (want fsync or group-commit)");
}

StoreImpl::StoreImpl(const StoreOptions& options, std::unique_ptr<KvStore> kv,
                     std::unique_ptr<HeadLog> head_log)
    : options_(options), kv_(std::move(kv)), head_log_(std::move(head_log)) {}

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
  SAW_ASSIGN_OR_RETURN(std::unique_ptr<HeadLog> head_log,
                       HeadLog::Open(options.data_dir + "/headlog",
                                     std::max<size_t>(options.head_log_segment_bytes, 1)));
  auto store = std::make_unique<StoreImpl>(options, std::move(kv), std::move(head_log));
  SAW_RETURN_IF_ERROR(store->Recover());
  SAW_RETURN_IF_ERROR(store->CollectGarbage());
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
  auto it = kv_->NewIterator(Column::kHead, std::string_view(), std::string(64, '\xff'));

  // 1. The cut lists: (record, stream) pairs already in chunks.
  CutPairs cut;
  struct FoundCutList {
    uint64_t id;
    std::vector<uint64_t> seqs;
  };
  std::vector<FoundCutList> cut_lists;
  for (; it->Valid(); it->Next()) {
    uint64_t id;
    if (!DecodeCutListKey(it->key(), &id)) break;
    FoundCutList c{id, {}};
    uint64_t stream_id;
    if (!DecodeCutList(it->value(), &stream_id, &c.seqs)) {
      return Status::Corruption("malformed cut list");
    }
    for (uint64_t seq : c.seqs) cut.Add(seq, stream_id);
    next_seq = std::max(next_seq, id + 1);
    cut_lists.push_back(std::move(c));
  }
  cut.Seal();

  // 2. The records, in key order (tenant, seq). Per-stream records of key layouts 1 and 2
  // (written before 2026-11-24) are converted to layout-3 records of one stream under the
  // same seq, each conversion (put new, delete old) in one atomic batch: a crash in between
  // leaves every record under exactly one of its keys, and every layout is read at the next
  // open. Nothing written before cut lists existed is named by one.
  std::string scratch;
  std::vector<EntryRef> entries;
  std::vector<RecordPart> parts;
  std::string payload, converted;
  std::unique_ptr<KvBatch> rewrite = kv_->NewBatch();
  size_t rewrites = 0;  // in `rewrite`
  std::unique_ptr<KvBatch> garbage = kv_->NewBatch();
  auto replay = [&](std::string_view tenant, uint64_t stream_id, std::span<const EntryRef> e,
                    uint64_t seq, Status* st) {
    StreamState* s = FindOrLoadStream(tenant, stream_id, st);
    if (s == nullptr) return false;
    const size_t memory_before = s->head == nullptr ? 0 : s->head->memory_bytes();
    if (s->head == nullptr) s->head = NewHead(now);
    for (const EntryRef& x : e) {
      s->head->Append(x.ts_ns, x.line, x.metadata);
      s->max_ts = std::max(s->max_ts, x.ts_ns);
    }
    s->head->AddRecord(seq);
    live_head_memory_ += s->head->memory_bytes() - memory_before;
    return true;
  };
  for (; it->Valid(); it->Next()) {
    std::string_view tenant;
    uint64_t stream_id, seq;
    int layout;
    if (!DecodeHeadKey(it->key(), &tenant, &stream_id, &seq, &layout)) {
      return Status::Corruption("malformed head key");
    }
    next_seq = std::max(next_seq, seq + 1);
    std::string_view value = it->value();
    if (layout != 3) {
      SAW_RETURN_IF_ERROR(DecodeHeadRecord(value, &scratch, &entries));
      const RecordStream one{stream_id, entries};
      EncodeWriteRecord(std::span<const RecordStream>(&one, 1), options_.chunk.encoding, &payload,
                        &converted);
      rewrite->Put(Column::kHead, HeadRecordKey(tenant, seq), converted);
      rewrite->Delete(Column::kHead, it->key());
      if (++rewrites >= 1024) {
        SAW_RETURN_IF_ERROR(kv_->Write(rewrite.get(), /*sync=*/false));
        rewrite->Clear();
        rewrites = 0;
      }
      value = converted;
    }
    SAW_RETURN_IF_ERROR(DecodeWriteRecord(value, &scratch, &parts, &entries));
    uint32_t refs = 0;
    for (const RecordPart& part : parts) {
      if (cut.contains({seq, part.stream_id})) continue;  // in chunks already
      Status st;
      std::span<const EntryRef> e(entries.data() + part.begin, part.end - part.begin);
      if (!replay(tenant, part.stream_id, e, seq, &st)) return st;
      ++refs;
    }
    if (refs == 0) {
      // Every stream of the record was flushed: only the delete was missing.
      garbage->Delete(Column::kHead, HeadRecordKey(tenant, seq));
      continue;
    }
    LiveRecord& live = records_[seq];
    live.refs = refs;
    live.bytes = static_cast<uint32_t>(std::min<size_t>(value.size(), UINT32_MAX));
    live.key = HeadRecordKey(tenant, seq);
    live_record_bytes_ += live.bytes;
  }
  SAW_RETURN_IF_ERROR(it->status());
  if (rewrites > 0) SAW_RETURN_IF_ERROR(kv_->Write(rewrite.get(), /*sync=*/false));

  // 3. The head log's records, the same way. A record every stream of which is in chunks
  // already stays in records_ (dead) until its segment is removed, as do the cut lists
  // naming it.
  uint64_t torn = 0;
  DecodedSource decoded;  // of a record holding a request body
  std::vector<SourcePart> sources;
  SAW_RETURN_IF_ERROR(head_log_->Replay(
      [&](uint64_t segment, uint64_t seq, std::string_view tenant, std::string_view record) {
        next_seq = std::max(next_seq, seq + 1);
        SAW_RETURN_IF_ERROR(ValidateTenant(tenant));
        // A request body whose streams are all in chunks already is not decoded.
        bool dead = SourceRecordParts(record, &sources);
        for (size_t i = 0; dead && i < sources.size(); ++i) {
          dead = cut.contains({seq, sources[i].stream_id});
        }
        if (dead) {
          parts.clear();
        } else {
          SAW_RETURN_IF_ERROR(DecodeWriteRecord(record, &options_.source_decoder, &decoded,
                                                &scratch, &parts, &entries));
        }
        uint32_t refs = 0;
        for (const RecordPart& part : parts) {
          if (cut.contains({seq, part.stream_id})) continue;
          Status st;
          std::span<const EntryRef> e(entries.data() + part.begin, part.end - part.begin);
          if (!replay(tenant, part.stream_id, e, seq, &st)) return st;
          ++refs;
        }
        LiveRecord& live = records_[seq];
        live.refs = refs;
        live.bytes = static_cast<uint32_t>(std::min<size_t>(record.size(), UINT32_MAX));
        live.segment = segment;
        if (refs > 0) {
          live_record_bytes_ += live.bytes;
        } else {
          ++released_[segment];
        }
        return Status::OK();
      },
      &torn));

  // 4. A cut list is kept while a record it names is; the others go with the dead records.
  for (const FoundCutList& c : cut_lists) {
    bool needed = false;
    for (uint64_t seq : c.seqs) needed = needed || records_.contains(seq);
    if (needed) {
      cut_lists_.push({c.seqs.empty() ? 0 : c.seqs.back(), c.id});
    } else {
      garbage->Delete(Column::kHead, CutListKey(c.id));
    }
  }
  SAW_RETURN_IF_ERROR(kv_->Write(garbage.get(), /*sync=*/false));
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
  stats.head_log_bytes = head_log_->bytes();
  stats.head_records_written = head_records_written_;
  stats.head_body_records_written = head_body_records_written_;
  stats.head_record_bytes_written = head_record_bytes_written_;
  stats.chunk_blocks_read = read_counters_.blocks;
  stats.chunk_text_sections_read = read_counters_.text_sections;
  stats.chunk_bytes_read = read_counters_.bytes;
  return stats;
}

}  // namespace sawmill::storage
