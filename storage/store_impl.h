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
#include <map>
#include <mutex>
#include <queue>
#include <string>
#include <thread>
#include <unordered_map>

#include "storage/head.h"
#include "storage/head_log.h"
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
  StoreImpl(const StoreOptions& options, std::unique_ptr<KvStore> kv,
            std::unique_ptr<HeadLog> head_log);
  ~StoreImpl() override;

  using Store::Write;
  Status Write(std::string_view tenant, std::span<const StreamWrite> streams,
               const WriteSource* source, WriteResult* result) override;
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
  // Writes the deletes of AddGarbage in a batch of their own, if there are any, and removes
  // the head log segments whose records are all dead.
  Status CollectGarbage();

  // Turns the stream's live head into chunks (store_flush.cc); OK when it has none.
  Status FlushStream(std::string_view tenant, uint64_t stream_id);
  // For tests: the next `n` flush batches are not written, and their flushes fail.
  void FailFlushesForTest(int n) { fail_flushes_for_test_ = n; }

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
  // fsyncs the head log, then RocksDB's WAL.
  Status SyncDurable();
  // Rewrites one chunk without the entries `remove` picks (store_delete.cc).
  Status RewriteChunk(const ChunkRef& chunk, std::string_view tenant, int64_t from_ns,
                      int64_t to_ns, const EntryPredicate& remove, RemoveStats* stats);
  Status FlushStream(StreamSlot slot);
  // Head records and cut lists that nothing needs any more (store_flush.cc). REQUIRES: mu_
  // held from AddGarbage, which puts their deletes into `batch`, until GarbageDone, called
  // once the batch was written (forgets them) or failed (keeps them for the next batch).
  void AddGarbage(KvBatch* batch);
  void GarbageDone(bool written);
  // Deletes every closed head log segment all of whose records are dead, once the RocksDB
  // writes that killed them (chunks, cut lists) are synced; forgets its records, so that the
  // cut lists naming them can go in a later batch. With `roll`, an active segment whose
  // records are all dead is closed first (a quiet server's segment would never fill up).
  Status RemoveDeadSegments(bool roll);
  // Flushes every stream with entries in the live records among `seqs` (of `tenant`), so
  // that those records die and are deleted (store_delete.cc: removed lines leave the disk).
  Status FlushStreamsSharingRecords(std::string_view tenant, std::span<const uint64_t> seqs);
  // Gives back one stream's share of each record in `seqs` (a flushed head's records); a
  // record nobody holds any more becomes garbage. REQUIRES: mu_ held.
  void ReleaseRecords(std::span<const uint64_t> seqs);
  // Past the record budget, flushes the streams that hold the oldest live records, so that
  // a quiet stream does not keep every record since its first entry on disk.
  void FlushStreamsHoldingOldRecords();
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
  // Head records by sequence number, with the number of streams whose heads (live, flushing
  // or sealed) hold entries of them. Records are written to the head log (segment != 0); a
  // store made before it may still hold records in kHead (key layout 3, segment 0) at open.
  // A record whose count reaches 0 is garbage: in kHead, its delete goes into the next batch
  // of a flush (or CollectGarbage; dead_records_), and it leaves records_ once that batch is
  // written; in the head log it stays in records_ (as on disk) until its whole segment is
  // removed (released_ counts its segment's dead records). Guarded by mu_.
  struct LiveRecord {
    uint32_t refs = 0;
    uint32_t bytes = 0;  // of the stored record
    uint64_t segment = 0;
    std::string key;  // in kHead (segment 0)
  };
  std::map<uint64_t, LiveRecord> records_;
  std::vector<uint64_t> dead_records_;
  std::map<uint64_t, uint64_t> released_;  // head log segment -> its records that are dead
  std::mutex remove_segments_mu_;          // serializes RemoveDeadSegments (taken before mu_)
  std::unique_ptr<HeadLog> head_log_;
  uint64_t live_record_bytes_ = 0;  // bytes of records_ with refs > 0
  // Cut lists written and not yet deleted, smallest newest-seq first. A cut list goes once
  // every record it names is deleted (its max_seq is below every live record's seq): in the
  // same batch as the last of those deletes or a later one, never before. Guarded by mu_.
  struct CutListRef {
    uint64_t max_seq;
    uint64_t id;
    bool operator>(const CutListRef& o) const { return max_seq > o.max_seq; }
  };
  std::priority_queue<CutListRef, std::vector<CutListRef>, std::greater<CutListRef>> cut_lists_;
  size_t garbage_records_ = 0;                 // dead_records_[0, n) are in the batch being written
  std::vector<CutListRef> garbage_cut_lists_;  // taken off cut_lists_ for that batch
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

  std::atomic<int> fail_flushes_for_test_{0};
  std::atomic<uint64_t> chunks_flushed_{0};
  ChunkReadCounters read_counters_;
  std::atomic<uint64_t> bytes_flushed_{0};
  std::atomic<uint64_t> entries_written_{0};
  std::atomic<uint64_t> head_records_written_{0};
  std::atomic<uint64_t> head_body_records_written_{0};
  std::atomic<uint64_t> head_record_bytes_written_{0};
  std::atomic<uint64_t> syncs_{0};
};

int64_t MonotonicNowNs();

// The head record of one Write() (key layout 3): the accepted entries of each of its
// streams, stored in the head column family until every one of those streams has been
// flushed into chunks.
//   record  := encoding:u8 | raw_size:varint (absent when encoding = none) | payload
//   payload := nstreams:varint | nstreams x (stream_id:fixed64 | count:varint | count x entry)
//   entry   := ts:zigzag varint | line:lp | metadata:lp
struct RecordStream {
  uint64_t stream_id = 0;
  std::span<const EntryRef> entries;
};
// Replaces *record with the record of `streams`; *payload is scratch space. With buffers kept
// across calls (the write path keeps one pair per thread) it allocates nothing.
void EncodeWriteRecord(std::span<const RecordStream> streams, Encoding encoding,
                       std::string* payload, std::string* record);
// One stream's part of a decoded record: entries[begin, end) of the decoder's output.
struct RecordPart {
  uint64_t stream_id = 0;
  size_t begin = 0, end = 0;
};
// Decodes a layout-3 record. The entries point into `record` or `*scratch`.
Status DecodeWriteRecord(std::string_view record, std::string* scratch,
                         std::vector<RecordPart>* parts, std::vector<EntryRef>* entries);

// The head log's record of a Write() with a WriteSource that kept every entry:
//   record := kSourceRecord:u8 | format:u8 | check:fixed64 | nstreams:varint |
//             nstreams x (stream_id:fixed64 | origin:varint) | body
// `check` is SourceCheck() of the entries written: replay recomputes it over the decoded ones.
inline constexpr uint8_t kSourceRecord = 0x80;  // no Encoding has this value
struct SourcePart {
  uint64_t stream_id = 0;
  uint32_t origin = 0;
};
// Replaces *head with the record up to its body (which follows it).
void EncodeSourceRecordHead(uint8_t format, uint64_t check, std::span<const SourcePart> parts,
                            std::string* head);
// Folds `entries` into `check` (timestamps, sizes, the ends of lines, metadata).
uint64_t SourceCheck(uint64_t check, std::span<const EntryRef> entries);
// The parts of a source record (stream id, origin), without decoding its body. False when
// `record` is not a source record or is malformed.
bool SourceRecordParts(std::string_view record, std::vector<SourcePart>* parts);
// DecodeWriteRecord, also for source records: their entries point into *decoded, filled by
// `decoder` (null: such a record is Corruption).
Status DecodeWriteRecord(std::string_view record, const SourceDecoder* decoder,
                         DecodedSource* decoded, std::string* scratch,
                         std::vector<RecordPart>* parts, std::vector<EntryRef>* entries);

// The per-stream head record of key layouts 1 and 2 (written before 2026-11-24; read at open
// and converted to layout 3):
//   record  := encoding:u8 | raw_size:varint (absent when encoding = none) | payload
//   payload := count:varint | count x entry
void EncodeHeadRecord(std::span<const EntryRef> entries, Encoding encoding, std::string* payload,
                      std::string* record);
std::string EncodeHeadRecord(std::span<const EntryRef> entries, Encoding encoding);
Status DecodeHeadRecord(std::string_view record, std::string* scratch,
                        std::vector<EntryRef>* entries);

// A cut list: the head records (sequence numbers, ascending) whose entries of one stream a
// flush put into chunks, written in the flush's batch.
//   value := stream_id:fixed64 | n:varint | n x (seq - previous seq):varint (the first: seq)
std::string EncodeCutList(uint64_t stream_id, std::span<const uint64_t> seqs);
bool DecodeCutList(std::string_view value, uint64_t* stream_id, std::vector<uint64_t>* seqs);

}  // namespace sawmill::storage
