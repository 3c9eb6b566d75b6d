// The Store implementation, split by concern (as RocksDB's db_impl_*.cc):
//   store_open.cc   opening, recovery of the heads from the head column family, closing
//   store_write.cc  the write path: window check, head records, group commit
//   store_read.cc   the read path: head snapshots + chunks merged
//   store_flush.cc  heads into chunks, background flushing, retention
//   store_delete.cc removing entries (delete requests): chunk rewrites
//   store_usage.cc  per-stream usage figures (index stats, volume) from the chunk index
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>

#include "storage/head.h"
#include "storage/kv_store.h"
#include "storage/store.h"

namespace sawmill::storage {

// Where a stream is in StoreImpl::streams_: the store's number for its tenant (an index into
// StoreImpl::tenants_, given at the tenant's first use and kept until Close()) and its id. An
// integer key, so that finding the streams of a push hashes no strings and builds no keys.
struct StreamSlot {
  uint32_t tenant = 0;
  uint64_t id = 0;
  bool operator==(const StreamSlot&) const = default;
};
struct StreamSlotHash {
  size_t operator()(const StreamSlot& s) const {
    uint64_t h = (s.id ^ (uint64_t{s.tenant} * 0xff51afd7ed558ccdull)) * 0x9e3779b97f4a7c15ull;
    return static_cast<size_t>(h ^ (h >> 29));
  }
};

// A stream as the store tracks it between flushes.
struct StreamState {
  std::string tenant;
  uint64_t id = 0;
  uint32_t tenant_number = 0;  // StreamSlot::tenant
  // Writes between their first and last step (store_write.cc) that hold a pointer to this
  // state: while it is not 0, FlushDue does not drop the stream from memory.
  uint32_t writers = 0;
  std::shared_ptr<Head> head;                   // receives new entries
  std::vector<std::shared_ptr<Head>> flushing;  // being turned into chunks, still readable
  int64_t max_ts = INT64_MIN;                   // newest timestamp ever accepted
  int64_t stored_max_ts = INT64_MIN;  // the newest a flush has put in kStreams (under mu_)
  int64_t last_append_ns = 0;         // monotonic clock
  bool queued_for_flush = false;
};

// Fetches of chunk sections by reads (StoreStats::chunk_*_read).
struct ChunkReadCounters {
  std::atomic<uint64_t> blocks{0};
  std::atomic<uint64_t> text_sections{0};
  std::atomic<uint64_t> bytes{0};
};

class StoreImpl final : public Store {
 public:
  StoreImpl(const StoreOptions& options, std::unique_ptr<KvStore> kv);
  ~StoreImpl() override;

  Status Write(std::string_view tenant, std::span<const StreamWrite> streams,
               WriteResult* result) override;
  Result<std::unique_ptr<EntryIterator>> Read(std::string_view tenant, uint64_t stream_id,
                                              int64_t from_ns, int64_t to_ns,
                                              Direction direction) override;
  Result<std::unique_ptr<SampleIterator>> ReadSamples(std::string_view tenant, uint64_t stream_id,
                                                      int64_t from_ns, int64_t to_ns,
                                                      Direction direction) override;
  Result<std::unique_ptr<BatchIterator>> ReadBatches(std::string_view tenant, uint64_t stream_id,
                                                     int64_t from_ns, int64_t to_ns,
                                                     bool with_text) override;
  Result<std::unique_ptr<BatchIterator>> ReadBatchesBackward(std::string_view tenant,
                                                             uint64_t stream_id, int64_t from_ns,
                                                             int64_t to_ns) override;
  Result<StreamUsage> Usage(std::string_view tenant, uint64_t stream_id, int64_t from_ns,
                            int64_t to_ns) override;
  Result<StreamSpan> Span(std::string_view tenant, uint64_t stream_id, int64_t from_ns,
                          int64_t to_ns) override;
  Status FlushAll() override;
  Status FlushDue() override;
  Status ApplyRetention(std::chrono::system_clock::time_point now) override;
  Status RemoveEntries(std::string_view tenant, uint64_t stream_id, int64_t from_ns, int64_t to_ns,
                       const EntryPredicate& remove, RemoveStats* stats) override;
  Status CompactChunks(std::string_view tenant, int64_t from_ns, int64_t to_ns,
                       bool rewrite_blob_files) override;
  StoreStats Stats() override;
  size_t ActiveStreams(std::string_view tenant, std::span<const uint64_t> ids,
                       std::vector<bool>* active) override;
  uint64_t DiskBytes() override { return kv_->DiskBytes(); }
  KvStore* kv() override { return kv_.get(); }
  Status Close() override;

  // Rebuilds the heads from the head column family. Called once by Open().
  Status Recover();
  void StartBackground();

 private:
  // What a reader needs from the heads of one stream, taken under mu_.
  struct HeadSnapshot {
    std::shared_ptr<const Head> head;
    std::vector<Head::Entry> entries;
  };
  struct ChunkRef {
    std::string key;
    int64_t min_ts, max_ts;
    uint64_t entries = 0;    // ChunkMeta::num_entries
    uint64_t raw_bytes = 0;  // ChunkMeta::raw_bytes
  };

  // REQUIRES: mu_ held.
  StreamState* FindOrLoadStream(std::string_view tenant, uint64_t stream_id, Status* status);
  // The same with the tenant's number, TenantNumber(tenant), already known.
  StreamState* FindOrLoadStream(uint32_t tenant_number, uint64_t stream_id, Status* status);
  StreamState* FindStream(std::string_view tenant, uint64_t stream_id);
  // The tenant's number in tenants_, given now if it has none. REQUIRES: mu_ held.
  uint32_t TenantNumber(std::string_view tenant);
  // The tenant's number, or -1 if it has none. REQUIRES: mu_ held.
  int64_t FindTenantNumber(std::string_view tenant) const;
  std::shared_ptr<Head> NewHead(int64_t now_ns);

  // Takes the head snapshots and the database snapshot of one read, consistently.
  Status SnapshotStream(std::string_view tenant, uint64_t stream_id, int64_t from_ns, int64_t to_ns,
                        std::vector<HeadSnapshot>* heads,
                        std::shared_ptr<const KvSnapshot>* db_snapshot);
  Status ListChunks(std::string_view tenant, uint64_t stream_id, int64_t from_ns, int64_t to_ns,
                    const KvSnapshot* snapshot, std::vector<ChunkRef>* out);

  template <typename Iter>
  Result<std::unique_ptr<Iter>> ReadMerged(std::string_view tenant, uint64_t stream_id,
                                           int64_t from_ns, int64_t to_ns, Direction direction);
  Status WaitDurable();
  // Rewrites one chunk without the entries `remove` picks (store_delete.cc).
  Status RewriteChunk(const ChunkRef& chunk, std::string_view tenant, int64_t from_ns,
                      int64_t to_ns, const EntryPredicate& remove, RemoveStats* stats);
  Status FlushStream(StreamSlot slot);
  Status FlushStream(std::string_view tenant, uint64_t stream_id);
  // Builds the chunks of one sealed head into `batch` (one per time bucket).
  Status BuildChunks(const StreamState& stream, const Head& head, KvBatch* batch,
                     uint64_t* stored_bytes, uint64_t* num_chunks);
  void SyncLoop();
  void BackgroundLoop();
  void StopThreads();

  const StoreOptions options_;
  std::unique_ptr<KvStore> kv_;

  // A tenant the store has seen since open.
  struct TenantInfo {
    std::string name;
    size_t streams = 0;  // its entries in streams_
  };
  struct NameHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };

  std::mutex mu_;  // guards streams_, tenants_ and every head
  std::unordered_map<StreamSlot, StreamState, StreamSlotHash> streams_;
  // Indexed by tenant number. A tenant whose last stream leaves streams_ gives its number back
  // (free_tenant_numbers_), so tenants that stop writing take no memory.
  std::vector<TenantInfo> tenants_;
  std::vector<uint32_t> free_tenant_numbers_;
  std::unordered_map<std::string, uint32_t, NameHash, std::equal_to<>> tenant_numbers_;
  uint64_t live_head_memory_ = 0;  // memory_bytes() of every live (unsealed) head; guarded by mu_
  std::atomic<uint64_t> next_seq_{1};
  uint64_t stored_next_seq_ = 0;  // the largest next_seq a flush has put in kMeta; under mu_
  // Serializes chunk rewrites (RemoveEntries) with each other and with retention, so that
  // a rewrite never puts back a chunk that retention has just deleted.
  std::mutex rewrite_mu_;

  // Group commit: writers take a ticket after their WAL write and wait until a sync that
  // started after it has finished.
  std::mutex sync_mu_;
  std::condition_variable sync_cv_;    // wakes the sync thread
  std::condition_variable synced_cv_;  // wakes waiting writers
  uint64_t write_ticket_ = 0;
  uint64_t synced_ticket_ = 0;
  Status sync_status_;

  std::mutex bg_mu_;
  std::condition_variable bg_cv_;
  std::deque<StreamSlot> flush_queue_;
  bool stopping_ = false;
  bool closed_ = false;
  std::thread sync_thread_;
  std::thread bg_thread_;

  std::atomic<uint64_t> chunks_flushed_{0};
  ChunkReadCounters read_counters_;
  std::atomic<uint64_t> bytes_flushed_{0};
  std::atomic<uint64_t> entries_written_{0};
  std::atomic<uint64_t> syncs_{0};
};

int64_t MonotonicNowNs();

// The head record: the entries of one stream accepted by one Write(), as stored in the
// head column family until their chunk is written.
//   record  := encoding:u8 | raw_size:varint (absent when encoding = none) | payload
//   payload := count:varint | count x (ts:zigzag varint | line:lp | metadata:lp)
// Replaces *record with the record of `entries`; *payload is scratch space. With buffers kept
// across calls (the write path keeps one pair per thread) it allocates nothing.
void EncodeHeadRecord(std::span<const EntryRef> entries, Encoding encoding, std::string* payload,
                      std::string* record);
std::string EncodeHeadRecord(std::span<const EntryRef> entries, Encoding encoding);
Status DecodeHeadRecord(std::string_view record, std::string* scratch,
                        std::vector<EntryRef>* entries);

}  // namespace sawmill::storage
