// Store: the durable home of every log entry, on one embedded RocksDB.
//
// Entries are appended per stream (a tenant plus a 64-bit stream id chosen by the index
// layer; the store knows nothing of labels). An append is made durable in RocksDB's WAL
// (the "head" column family) before Write() returns, then lives in an in-memory head per
// stream until it is flushed into an immutable chunk (chunk_builder.h) in the "chunks" column
// family. Reads merge a stream's chunks and head in timestamp order. See docs/design.md.
//
// Thread-safety: every public method may be called from any thread concurrently.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "storage/chunk_builder.h"
#include "storage/chunk_reader.h"
#include "storage/result.h"

namespace sawmill::storage {

class KvStore;

enum class SyncPolicy {
  kFsync,        // every write is fsynced before it is acknowledged
  kGroupCommit,  // writes are fsynced together at most every group_commit_interval
};
std::string_view SyncPolicyName(SyncPolicy p);
Result<SyncPolicy> ParseSyncPolicy(std::string_view name);

struct EntryRef {
  int64_t ts_ns = 0;
  std::string_view line;
  std::string_view metadata;  // metadata.h encoding; empty when none
};

struct StreamWrite {
  uint64_t stream_id = 0;
  std::vector<EntryRef> entries;
};

// Where a Write()'s entries came from: the request body as received, from which
// StoreOptions::source_decoder gives them back. With it, the write's head record can be that
// body (a protobuf push's Snappy bytes: ~0.3x the entries' bytes) instead of a copy of the
// entries. The store uses it only when it keeps every entry of the write.
struct WriteSource {
  uint8_t format = 0;     // what the decoder is told; 0: no source
  std::string_view body;  // as received; only read during Write()
  // Write's streams[i] holds every entry of the body's stream origins[i], unchanged and in
  // the order the decoder gives them (one per StreamWrite).
  std::span<const uint32_t> origins;
};

// What a SourceDecoder gives back: the entries of each stream of a body, in the body's order.
struct DecodedSource {
  std::vector<std::vector<EntryRef>> streams;
  std::deque<std::string> bytes;  // what the entries point into (elements never move)
};
// Decodes a WriteSource's body (replaces *out). Must give back exactly the entries the writer
// had: a record whose decoded entries differ from the ones written fails the store's Open().
using SourceDecoder =
    std::function<Status(uint8_t format, std::string_view body, DecodedSource* out)>;

struct StoreOptions {
  std::string data_dir = "./data";
  ChunkOptions chunk;                       // block size and encoding
  size_t chunk_target_bytes = 1536 * 1024;  // flush a head at this many bytes
  // Memory all live heads together may take (Head::memory_bytes: arenas, entry tables,
  // record lists) before the store flushes early: past it, a write queues for flushing
  // every head it wrote to that holds at least one chunk block (chunk.block_target_bytes),
  // so a busy server cuts smaller chunks instead of holding more memory. Past 1.25x the budget a
  // writer also cuts one queued head itself before it returns (the flusher is behind). Heads
  // smaller than a block are not flushed early (quiet streams keep their heads until the idle or
  // age limit) unless the heads take more than kHeadLimitFactor times the budget: past that hard
  // limit a write queues every head it wrote to that is at least as large as the average live
  // head, whatever its size (small streams get small chunks, memory stays bounded); and past
  // that many bytes of head records FlushDue() flushes the streams holding the oldest. 0: none.
  size_t head_bytes_budget = 64ull << 20;
  std::chrono::nanoseconds chunk_idle = std::chrono::minutes(30);
  std::chrono::nanoseconds chunk_max_age = std::chrono::hours(2);
  std::chrono::nanoseconds out_of_order_window = std::chrono::hours(1);
  SyncPolicy sync = SyncPolicy::kGroupCommit;
  std::chrono::microseconds group_commit_interval = std::chrono::milliseconds(2);
  size_t block_cache_bytes = 64ull << 20;
  // Memtable budget of the whole RocksDB database (KvOptions::write_buffer_bytes).
  size_t write_buffer_bytes = 64ull << 20;
  std::chrono::nanoseconds retention = std::chrono::nanoseconds(0);  // 0 = keep forever
  std::chrono::nanoseconds bucket = std::chrono::hours(24);  // chunk time bucket (index period)
  // Background threads flush idle/old heads and apply retention. Tests may turn them off
  // and call FlushDue()/ApplyRetention() themselves.
  bool background_threads = true;
  std::chrono::milliseconds background_interval = std::chrono::seconds(10);
  // Head records go to a log of their own (storage/head_log.h) in <data_dir>/headlog, in
  // segment files of about this size; a segment is deleted once all its records are dead.
  size_t head_log_segment_bytes = 64ull << 20;
  // Of head records. None by default: they live only until their streams are flushed, and
  // compressing them cost more CPU (snappy: ~12 % of a 100-stream push) than writing the
  // raw bytes once.
  Encoding head_record_encoding = Encoding::kNone;
  // Gives back the entries of a write's WriteSource at replay. Required to open a store
  // whose head log holds such records (Open() fails on one without it).
  SourceDecoder source_decoder;
};

// StoreOptions::head_bytes_budget times this: hard limit on live heads' memory and head records.
inline constexpr size_t kHeadLimitFactor = 8;

// What happened to the entries of one Write(). Rejected entries are not stored; all others
// are (duplicates of a stored (ts, line) count as stored: they are already there).
struct WriteResult {
  struct Rejection {
    size_t stream_index = 0;  // into the request's streams
    size_t entry_index = 0;   // into that stream's entries
    Status reason;
  };
  size_t accepted = 0;
  size_t duplicates = 0;
  std::vector<Rejection> rejected;
};

struct StoreStats {
  uint64_t active_streams = 0;
  uint64_t head_entries = 0;
  uint64_t head_bytes = 0;      // line + metadata bytes held in heads
  uint64_t head_memory = 0;     // resident bytes of heads (arenas + entry tables)
  uint64_t head_log_bytes = 0;  // head records on disk (head log segment files)
  // Head records appended since open, those of them that are a push body as received
  // (WriteSource), and the bytes of all of them.
  uint64_t head_records_written = 0;
  uint64_t head_body_records_written = 0;
  uint64_t head_record_bytes_written = 0;
  uint64_t chunks_flushed = 0;  // since open
  uint64_t bytes_flushed = 0;   // compressed chunk bytes written since open
  uint64_t entries_written = 0;
  uint64_t syncs = 0;  // durability syncs (head log, then WAL) since open
  // What reads fetched from flushed chunks since open: blocks opened (one ts section value
  // each), text section values, and compressed bytes of both. A read fetches only the
  // blocks that overlap its range, in its direction, as far as it iterates.
  uint64_t chunk_blocks_read = 0;
  uint64_t chunk_text_sections_read = 0;
  uint64_t chunk_bytes_read = 0;
};

// Whether an entry goes (true) or stays: what a delete request's query says of one entry.
using EntryPredicate =
    std::function<bool(int64_t ts_ns, std::string_view line, std::string_view metadata)>;

// What RemoveEntries did.
struct RemoveStats {
  uint64_t chunks_read = 0;       // chunks overlapping the range
  uint64_t chunks_rewritten = 0;  // written again without the removed entries
  uint64_t chunks_dropped = 0;    // every entry removed: deleted whole
  uint64_t entries_removed = 0;
};

// What one stream holds in a time range: the figures of Loki's index stats and volume
// endpoints. Flushed chunks are counted from their index rows without reading them; a chunk
// that only partly overlaps the range contributes its entries and bytes in proportion to the
// overlap of its [min_ts, max_ts] span (an estimate, as Loki's are). Head entries are counted
// exactly.
struct StreamUsage {
  uint64_t chunks = 0;  // flushed chunks overlapping the range, plus heads holding entries in it
  uint64_t entries = 0;
  uint64_t bytes = 0;  // uncompressed line + metadata bytes
};

// Where a stream's entries in a time range can lie, as the chunk index rows and the heads say
// without any chunk being opened: no entry of the range is older than min_ts or newer than
// max_ts (both inside the range). The span may be wider than the entries (a chunk's rows give
// its whole [min_ts, max_ts]); `empty` is certain.
struct StreamSpan {
  bool empty = true;
  int64_t min_ts = 0;
  int64_t max_ts = 0;
};

class Store {
 public:
  // Opens (creating if needed) the store under options.data_dir and rebuilds the heads from
  // what was durably written before the last stop or crash.
  static Result<std::unique_ptr<Store>> Open(const StoreOptions& options);
  virtual ~Store() = default;

  // Appends entries of several streams of one tenant. Returns OK once every accepted entry
  // is durable (per the sync policy); per-entry refusals (too old for the out-of-order
  // window, larger than the chunk format's entry limit) are listed in *result. A non-OK
  // Status means the write is not acknowledged: nothing of it is durable, except when the
  // fsync itself failed, in which case its entries may already be readable and may survive.
  Status Write(std::string_view tenant, std::span<const StreamWrite> streams, WriteResult* result) {
    return Write(tenant, streams, nullptr, result);
  }
  // The same, with the request body the entries came from (may be null; see WriteSource).
  virtual Status Write(std::string_view tenant, std::span<const StreamWrite> streams,
                       const WriteSource* source, WriteResult* result) = 0;

  // Merged iterator over the stream's flushed chunks and head, entries with
  // from <= ts < to, in timestamp order; entries with equal timestamps come out in the
  // order they were stored. Iterators must be destroyed before Close().
  virtual Result<std::unique_ptr<EntryIterator>> Read(std::string_view tenant, uint64_t stream_id,
                                                      int64_t from_ns, int64_t to_ns,
                                                      Direction direction) = 0;
  // Timestamps and line sizes only; chunk text is never decompressed.
  virtual Result<std::unique_ptr<SampleIterator>> ReadSamples(std::string_view tenant,
                                                              uint64_t stream_id, int64_t from_ns,
                                                              int64_t to_ns,
                                                              Direction direction) = 0;

  // The same entries as Read(.., kForward), a batch at a time (chunk_reader.h): one batch per
  // chunk block (its decompressed text, no copy) when the stream's chunks and heads do not
  // overlap in time, else batches copied from the merged iterator. Without `with_text`:
  // timestamps and sizes, plus the text of the entries with structured metadata only (a text
  // section is read only for a block that has such an entry in range; chunk_reader.h).
  virtual Result<std::unique_ptr<BatchIterator>> ReadBatches(std::string_view tenant,
                                                             uint64_t stream_id, int64_t from_ns,
                                                             int64_t to_ns,
                                                             bool with_text = true) = 0;
  // The same entries as Read(.., kBackward), with text, one batch per chunk block: blocks
  // newest first, each batch's entries in ascending order (ChunkReader::NewBatchIterator's
  // kBackward; the reader walks a batch from its end). Only for a stream whose entries in
  // range all lie in chunks that do not overlap in time: otherwise (a head holds some, or
  // the merge would have to interleave or dedupe) it returns null, not an error, and the
  // caller reads Read(.., kBackward).
  virtual Result<std::unique_ptr<BatchIterator>> ReadBatchesBackward(std::string_view tenant,
                                                                     uint64_t stream_id,
                                                                     int64_t from_ns,
                                                                     int64_t to_ns) = 0;

  // The stream's usage in [from_ns, to_ns): one chunk index scan, no chunk is opened.
  virtual Result<StreamUsage> Usage(std::string_view tenant, uint64_t stream_id, int64_t from_ns,
                                    int64_t to_ns) = 0;

  // The span of the stream's entries in [from_ns, to_ns): one chunk index scan, no chunk is
  // opened. What lets a query with a limit open streams newest (or oldest) first and never
  // open one whose entries cannot make the answer.
  virtual Result<StreamSpan> Span(std::string_view tenant, uint64_t stream_id, int64_t from_ns,
                                  int64_t to_ns) = 0;

  // Flushes every head into chunks (graceful shutdown, POST /flush).
  virtual Status FlushAll() = 0;
  // Flushes the heads that are due: idle, too old, or over the target size.
  virtual Status FlushDue() = 0;
  // Deletes whole time buckets older than the retention period measured back from `now`,
  // and compacts them away so disk space returns.
  virtual Status ApplyRetention(std::chrono::system_clock::time_point now) = 0;

  // Physically removes the stream's entries with from_ns <= ts < to_ns for which `remove`
  // is true; an empty `remove` removes them all, and then a chunk the range covers is
  // deleted without being read. The stream's head is flushed first, so unflushed entries are
  // covered too; then each chunk overlapping the range is read whole and, if it holds an entry to
  // remove, rewritten without it (or deleted when nothing stays) in one atomic batch, so a crash
  // leaves every chunk either old or new. Running it again removes nothing more: it is safe
  // to repeat after a crash. Durable (WAL fsynced) when it returns OK. Entries written into
  // the range while it runs may survive. Rewrites are serialized with each other and with
  // retention. `remove` is called on this thread.
  virtual Status RemoveEntries(std::string_view tenant, uint64_t stream_id, int64_t from_ns,
                               int64_t to_ns, const EntryPredicate& remove, RemoveStats* stats) = 0;
  // Compacts the tenant's chunks in the buckets overlapping [from_ns, to_ns), after
  // flushing the memtables, so the bytes of removed entries leave the SST files. Block
  // sections of 1 KiB or more live in blob files shared with other chunks: with
  // `rewrite_blob_files` every blob file of the chunks is rewritten so those bytes leave the
  // disk too (a rewrite of all chunk bytes of the store); without, blob garbage collection
  // reclaims them over time, as with retention.
  virtual Status CompactChunks(std::string_view tenant, int64_t from_ns, int64_t to_ns,
                               bool rewrite_blob_files) = 0;

  virtual StoreStats Stats() = 0;
  // How many streams of `tenant` are active: written within the chunk idle period, so they
  // hold (or may soon hold again) an in-memory head; streams leave this set when their head
  // was flushed and they stayed idle (the flusher's check). Sets (*active)[i] to whether
  // ids[i] is one of them. One lock for the whole call, no scan: what the push path's
  // active-stream limit asks once per push.
  virtual size_t ActiveStreams(std::string_view tenant, std::span<const uint64_t> ids,
                               std::vector<bool>* active) = 0;
  // Bytes the RocksDB files take on disk (SST + blob + WAL).
  virtual uint64_t DiskBytes() = 0;
  // The database, for the layers that keep their own column families in it (the label
  // index). Owned by the store; valid until Close().
  virtual KvStore* kv() = 0;

  // Flushes every head and closes the database. Called by the destructor if needed.
  virtual Status Close() = 0;
};

}  // namespace sawmill::storage
