// KvStore: the thin layer over RocksDB, and the only file pair that includes it. Everything
// above speaks Status and string_view; rocksdb::Status is converted here.
//
// Column families (see docs/design.md for the key layout of each):
//   kMeta        store-wide metadata (format version)
//   kHead        durable records of entries not yet in a chunk (replayed at open)
//   kChunks      chunk bytes, never compressed again by RocksDB
//   kChunkIndex  one small row per chunk, same key as in kChunks
//   kStreams     per-stream state that outlives the heads (newest timestamp)
//   kIndex       the label index: streams' labels and their time buckets (index/label_index.h)
//
// Thread-safety: all methods are thread-safe, as RocksDB's are.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "storage/result.h"

namespace sawmill::storage {

enum class Column { kMeta = 0, kHead, kChunks, kChunkIndex, kStreams, kIndex };
inline constexpr int kNumColumns = 6;

struct KvOptions {
  std::string path;
  size_t block_cache_bytes = 64ull << 20;
  // Memtable budget of the whole database: RocksDB flushes the largest memtable once all
  // column families together hold about this much (a write stalls only at twice it). The
  // head column family's memtable is half of it, the chunks' a quarter, the small ones' 8 MiB
  // at most.
  size_t write_buffer_bytes = 64ull << 20;
};

// A set of updates applied atomically by KvStore::Write. Made by KvStore::NewBatch().
class KvBatch {
 public:
  virtual ~KvBatch() = default;
  virtual void Put(Column c, std::string_view key, std::string_view value) = 0;
  virtual void Delete(Column c, std::string_view key) = 0;
  // Deletes every key in [begin, end).
  virtual void DeleteRange(Column c, std::string_view begin, std::string_view end) = 0;
  virtual size_t ByteSize() const = 0;
  virtual void Clear() = 0;
};

// A value read in place (pinned in RocksDB's block cache or memtable): no copy.
class KvValue {
 public:
  virtual ~KvValue() = default;
  virtual std::string_view data() const = 0;
};

// A consistent read view of the whole database, for reads that span several calls.
class KvSnapshot {
 public:
  virtual ~KvSnapshot() = default;
};

// Iterates keys in [lower, upper) of one column family, in key order.
class KvIterator {
 public:
  virtual ~KvIterator() = default;
  virtual void Seek(std::string_view key) = 0;
  virtual bool Valid() const = 0;
  virtual void Next() = 0;
  virtual std::string_view key() const = 0;
  virtual std::string_view value() const = 0;
  virtual Status status() const = 0;
};

class KvStore {
 public:
  static Result<std::unique_ptr<KvStore>> Open(const KvOptions& options);
  virtual ~KvStore() = default;

  // `reserve_bytes`: room made at once for about that many bytes of keys and values, so that a
  // large batch is not copied as it grows.
  virtual std::unique_ptr<KvBatch> NewBatch(size_t reserve_bytes = 0) = 0;
  // Applies the batch. With sync, it is fsynced before returning; without, it is in the WAL
  // file (safe from a process crash) and SyncWal() makes it safe from a machine crash.
  virtual Status Write(KvBatch* batch, bool sync) = 0;
  virtual Status SyncWal() = 0;

  virtual std::shared_ptr<const KvSnapshot> GetSnapshot() = 0;
  // `snapshot` may be null (read the latest state).
  virtual Result<std::unique_ptr<KvValue>> Get(Column c, std::string_view key,
                                               const KvSnapshot* snapshot = nullptr) = 0;
  virtual std::unique_ptr<KvIterator> NewIterator(Column c, std::string_view lower,
                                                  std::string_view upper,
                                                  const KvSnapshot* snapshot = nullptr) = 0;

  // Writes every memtable to SST files, so the WAL files holding them can be deleted.
  virtual Status FlushMemtables() = 0;
  // Compacts [begin, end) so deleted data leaves the disk.
  virtual Status CompactRange(Column c, std::string_view begin, std::string_view end) = 0;
  // Compacts all of `c` and moves every live blob into new blob files, so that blob files
  // holding deleted values are removed from the disk. Costs a rewrite of all of `c`'s blobs.
  virtual Status RewriteBlobFiles(Column c) = 0;
  // Bytes of SST, blob and WAL files.
  virtual uint64_t DiskBytes() = 0;
  // Flushes memtables and closes. Further calls fail.
  virtual Status Close() = 0;
};

}  // namespace sawmill::storage
