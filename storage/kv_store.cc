#include "storage/kv_store.h"

#include <fcntl.h>
#include <rocksdb/cache.h>
#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/memtablerep.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>
#include <rocksdb/utilities/options_util.h>
#include <rocksdb/write_batch.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <mutex>
#include <vector>

#include "storage/kv_stats.h"

namespace sawmill::storage {
namespace {

const char* const kColumnNames[kNumColumns] = {"default",     "head",    "chunks",
                                               "chunk_index", "streams", "index"};

Status FromRocks(const rocksdb::Status& s) {
  if (s.ok()) return Status::OK();
  std::string msg = s.ToString();
  if (s.IsNotFound()) return Status::NotFound(msg);
  if (s.IsCorruption()) return Status::Corruption(msg);
  if (s.IsInvalidArgument()) return Status::InvalidArgument(msg);
  if (s.IsIOError()) return Status::IOError(msg);
  if (s.IsBusy() || s.IsTryAgain() || s.IsIncomplete()) return Status::Unavailable(msg);
  return Status::Internal(msg);
}

// Whether files in `dir` (created if missing) can be opened with O_DIRECT.
bool SupportsDirectIo(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  const std::string probe = dir + "/.direct-io-probe";
  int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_DIRECT | O_CLOEXEC, 0644);
  if (fd >= 0) ::close(fd);
  ::unlink(probe.c_str());
  return fd >= 0;
}

rocksdb::Slice ToSlice(std::string_view s) { return rocksdb::Slice(s.data(), s.size()); }
std::string_view ToView(const rocksdb::Slice& s) { return std::string_view(s.data(), s.size()); }

rocksdb::ColumnFamilyOptions ColumnOptions(Column c, const KvOptions& o,
                                           const std::shared_ptr<rocksdb::Cache>& cache) {
  rocksdb::ColumnFamilyOptions cf;
  cf.write_buffer_size = std::max<size_t>(o.write_buffer_bytes / 4, 1 << 20);
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = cache;
  table.cache_index_and_filter_blocks = true;
  table.pin_l0_filter_and_index_blocks_in_cache = true;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  switch (c) {
    case Column::kChunks:
      // Chunk bytes are compressed by us; large values, read whole.
      cf.compression = rocksdb::kNoCompression;
      cf.bottommost_compression = rocksdb::kNoCompression;
      table.block_size = 64 << 10;
      // Chunk bytes go to blob files, so compactions move only keys and blob references,
      // never the chunks themselves. No garbage collection in compactions: it relocated the
      // live chunks of the older half of the blob files whenever a compaction touched them,
      // which while pushing meant writing (and reading back) most chunk bytes a second time
      // (678 of 1,136 MB of blob writes in 10 s at 100 streams; ~10 % of the server's CPU).
      // Chunks are never overwritten; retention deletes whole time buckets, and a blob file
      // all of whose blobs are garbage is dropped without GC (files hold chunks flushed
      // together, so of neighbouring buckets at most). Deletes rewrite blob files on purpose
      // (RewriteBlobFiles, with GC forced).
      cf.enable_blob_files = true;
      cf.min_blob_size = 1024;
      cf.blob_file_size = 64 << 20;
      cf.blob_compression_type = rocksdb::kNoCompression;
      cf.enable_blob_garbage_collection = false;
      break;
    case Column::kHead:
      // Cut lists (one per flush), and head records only in stores made before the head log
      // (storage/head_log.h), which recovery converts and deletes. Keys mostly grow and the
      // column is read only at open, so an unsorted vector memtable, sorted once when it is
      // flushed or iterated, fits it: an insert is an append. (It takes writes from one
      // thread at a time: see allow_concurrent_memtable_write below. When head records were
      // written here, a skip list's search per insert was more than half the server's CPU
      // with 10,000 streams.)
      cf.compression = rocksdb::kNoCompression;
      cf.memtable_factory = std::make_shared<rocksdb::VectorRepFactory>();
      cf.write_buffer_size = std::max<size_t>(o.write_buffer_bytes / 2, 1 << 20);
      // Nothing looks a head key up (recovery iterates the column, flushes only delete), so
      // a Bloom filter would be hashing every key of every memtable flush for nothing.
      table.filter_policy.reset();
      break;
    default:
      cf.compression = rocksdb::kLZ4Compression;
      cf.write_buffer_size = std::min<size_t>(cf.write_buffer_size, 8 << 20);
      break;
  }
  cf.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  return cf;
}

class RocksBatch final : public KvBatch {
 public:
  RocksBatch(const std::vector<rocksdb::ColumnFamilyHandle*>* cfs, size_t reserve_bytes)
      : batch_(reserve_bytes), cfs_(cfs) {}
  void Put(Column c, std::string_view key, std::string_view value) override {
    (void)batch_.Put(cf(c), ToSlice(key), ToSlice(value));
  }
  void Delete(Column c, std::string_view key) override { (void)batch_.Delete(cf(c), ToSlice(key)); }
  void DeleteRange(Column c, std::string_view begin, std::string_view end) override {
    (void)batch_.DeleteRange(cf(c), ToSlice(begin), ToSlice(end));
  }
  size_t ByteSize() const override { return batch_.GetDataSize(); }
  void Clear() override { batch_.Clear(); }

  rocksdb::WriteBatch batch_;

 private:
  rocksdb::ColumnFamilyHandle* cf(Column c) const { return (*cfs_)[static_cast<int>(c)]; }
  const std::vector<rocksdb::ColumnFamilyHandle*>* cfs_;
};

class RocksValue final : public KvValue {
 public:
  std::string_view data() const override { return ToView(slice_); }
  rocksdb::PinnableSlice slice_;
};

class RocksSnapshot final : public KvSnapshot {
 public:
  RocksSnapshot(rocksdb::DB* db, const rocksdb::Snapshot* s) : db_(db), snapshot_(s) {}
  ~RocksSnapshot() override { db_->ReleaseSnapshot(snapshot_); }
  rocksdb::DB* db_;
  const rocksdb::Snapshot* snapshot_;
};

const rocksdb::Snapshot* Unwrap(const KvSnapshot* s) {
  return s == nullptr ? nullptr : static_cast<const RocksSnapshot*>(s)->snapshot_;
}

class RocksIterator final : public KvIterator {
 public:
  RocksIterator(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf, std::string_view lower,
                std::string_view upper, const rocksdb::Snapshot* snapshot)
      : lower_(lower), upper_(upper), lower_slice_(lower_), upper_slice_(upper_) {
    rocksdb::ReadOptions ro;
    ro.snapshot = snapshot;
    ro.iterate_lower_bound = &lower_slice_;
    ro.iterate_upper_bound = &upper_slice_;
    it_.reset(db->NewIterator(ro, cf));
    it_->Seek(lower_slice_);
  }
  void Seek(std::string_view key) override { it_->Seek(ToSlice(key)); }
  bool Valid() const override { return it_->Valid(); }
  void Next() override { it_->Next(); }
  std::string_view key() const override { return ToView(it_->key()); }
  std::string_view value() const override { return ToView(it_->value()); }
  Status status() const override { return FromRocks(it_->status()); }

 private:
  std::string lower_, upper_;
  rocksdb::Slice lower_slice_, upper_slice_;
  std::unique_ptr<rocksdb::Iterator> it_;
};

class RocksKvStore final : public KvStore {
 public:
  RocksKvStore(std::string path, rocksdb::DB* db, std::vector<rocksdb::ColumnFamilyHandle*> cfs,
               std::shared_ptr<rocksdb::Cache> cache)
      : path_(std::move(path)), db_(db), cfs_(std::move(cfs)), cache_(std::move(cache)) {}
  ~RocksKvStore() override { (void)Close(); }

  std::unique_ptr<KvBatch> NewBatch(size_t reserve_bytes) override {
    return std::make_unique<RocksBatch>(&cfs_, reserve_bytes);
  }
  Status Write(KvBatch* batch, bool sync) override;
  Status SyncWal() override { return FromRocks(db_->SyncWAL()); }

  std::shared_ptr<const KvSnapshot> GetSnapshot() override {
    return std::make_shared<RocksSnapshot>(db_, db_->GetSnapshot());
  }
  Result<std::unique_ptr<KvValue>> Get(Column c, std::string_view key,
                                       const KvSnapshot* snapshot) override {
    auto value = std::make_unique<RocksValue>();
    rocksdb::ReadOptions ro;
    ro.snapshot = Unwrap(snapshot);
    // Every value of the chunk column (a chunk's index part, each block section) carries a
    // CRC32C of its own that the chunk reader checks: RocksDB's blob checksum on top cost
    // ~10 % of a line-filter query's CPU for nothing.
    ro.verify_checksums = c != Column::kChunks;
    rocksdb::Status s = db_->Get(ro, cf(c), ToSlice(key), &value->slice_);
    if (!s.ok()) return FromRocks(s);
    return std::unique_ptr<KvValue>(std::move(value));
  }
  std::unique_ptr<KvIterator> NewIterator(Column c, std::string_view lower, std::string_view upper,
                                          const KvSnapshot* snapshot) override {
    return std::make_unique<RocksIterator>(db_, cf(c), lower, upper, Unwrap(snapshot));
  }
  Status FlushMemtables() override {
    rocksdb::FlushOptions fo;
    return FromRocks(db_->Flush(fo, cfs_));
  }
  Status CompactRange(Column c, std::string_view begin, std::string_view end) override {
    rocksdb::CompactRangeOptions co;
    co.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
    rocksdb::Slice b = ToSlice(begin), e = ToSlice(end);
    return FromRocks(db_->CompactRange(co, cf(c), &b, &e));
  }
  Status RewriteBlobFiles(Column c) override {
    rocksdb::CompactRangeOptions co;
    co.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
    co.blob_garbage_collection_policy = rocksdb::BlobGarbageCollectionPolicy::kForce;
    co.blob_garbage_collection_age_cutoff = 1.0;
    return FromRocks(db_->CompactRange(co, cf(c), nullptr, nullptr));
  }
  uint64_t DiskBytes() override {
    uint64_t total = 0;
    std::error_code ec;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(path_, ec)) {
      if (entry.is_regular_file(ec)) total += entry.file_size(ec);
    }
    return total;
  }
  KvStats Stats();
  Status Close() override;

 private:
  rocksdb::ColumnFamilyHandle* cf(Column c) { return cfs_[static_cast<int>(c)]; }

  std::string path_;
  std::mutex close_mu_;
  rocksdb::DB* db_;
  std::vector<rocksdb::ColumnFamilyHandle*> cfs_;
  std::shared_ptr<rocksdb::Cache> cache_;  // shared by every column family's table
};

}  // namespace

KvStats GetKvStats(KvStore* kv) {
  // Every KvStore is a RocksKvStore (KvStore::Open() is the only factory).
  return static_cast<RocksKvStore*>(kv)->Stats();
}

KvStats RocksKvStore::Stats() {
  KvStats stats;
  stats.block_cache_usage_bytes = cache_->GetUsage();
  stats.block_cache_capacity_bytes = cache_->GetCapacity();
  stats.block_cache_pinned_bytes = cache_->GetPinnedUsage();
  std::lock_guard<std::mutex> lock(close_mu_);  // not while Close() runs
  if (db_ == nullptr) return stats;
  for (rocksdb::ColumnFamilyHandle* cf : cfs_) {
    uint64_t v = 0;
    if (db_->GetIntProperty(cf, rocksdb::DB::Properties::kCurSizeAllMemTables, &v)) {
      stats.memtable_bytes += v;
    }
    if (db_->GetIntProperty(cf, rocksdb::DB::Properties::kLiveSstFilesSize, &v)) {
      stats.live_sst_bytes += v;
    }
    if (db_->GetIntProperty(cf, rocksdb::DB::Properties::kLiveBlobFileSize, &v)) {
      stats.live_blob_bytes += v;
    }
    if (db_->GetIntProperty(cf, rocksdb::DB::Properties::kEstimatePendingCompactionBytes, &v)) {
      stats.pending_compaction_bytes += v;
    }
    // Cumulative compaction I/O, in GB with six decimals ("compaction.Sum.ReadGB").
    std::map<std::string, std::string> cf_stats;
    if (db_->GetMapProperty(cf, rocksdb::DB::Properties::kCFStats, &cf_stats)) {
      auto gb = [&](const char* key) -> uint64_t {
        auto it = cf_stats.find(key);
        if (it == cf_stats.end()) return 0;
        return static_cast<uint64_t>(std::strtod(it->second.c_str(), nullptr) * (1ull << 30));
      };
      stats.compaction_read_bytes += gb("compaction.Sum.ReadGB");
      stats.compaction_write_bytes += gb("compaction.Sum.WriteGB");
    }
  }
  return stats;
}

Status RocksKvStore::Write(KvBatch* batch, bool sync) {
  rocksdb::WriteOptions wo;
  wo.sync = sync;
  return FromRocks(db_->Write(wo, &static_cast<RocksBatch*>(batch)->batch_));
}

Status RocksKvStore::Close() {
  std::lock_guard<std::mutex> lock(close_mu_);
  if (db_ == nullptr) return Status::OK();
  rocksdb::FlushOptions fo;
  rocksdb::Status flush = db_->Flush(fo, cfs_);
  for (auto* h : cfs_) db_->DestroyColumnFamilyHandle(h);
  cfs_.clear();
  rocksdb::Status close = db_->Close();
  delete db_;
  db_ = nullptr;
  if (!flush.ok()) return FromRocks(flush);
  return FromRocks(close);
}

Result<std::unique_ptr<KvStore>> KvStore::Open(const KvOptions& options) {
  std::error_code ec;
  std::filesystem::create_directories(options.path, ec);
  if (ec) return Status::IOError("cannot create " + options.path + ": " + ec.message());

  rocksdb::DBOptions db_options;
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  db_options.max_background_jobs = 2;
  // One budget for every memtable (KvOptions::write_buffer_bytes), so RSS stays bounded.
  db_options.db_write_buffer_size = options.write_buffer_bytes;
  // Required by the head column's vector memtable; the write group's leader inserts every
  // writer's batch.
  db_options.allow_concurrent_memtable_write = false;
  db_options.max_total_wal_size = 256ull << 20;
  db_options.bytes_per_sync = 1 << 20;
  // Memtable flushes (chunk blob files) and compactions write with O_DIRECT: through the page
  // cache every byte was also copied by the kernel (copy_folio_from_iter_atomic was ~19 % of
  // the server's CPU pushing 100 streams, for the head log, the WAL and these files together)
  // and written back later by kernel threads on the same cores. Reads stay buffered, so
  // queries still find recent chunks in the page cache once read. A file system without
  // O_DIRECT (tmpfs before Linux 6.6) gets buffered writes.
  db_options.use_direct_io_for_flush_and_compaction = SupportsDirectIo(options.path);
  db_options.keep_log_file_num = 5;
  db_options.max_log_file_size = 16 << 20;
  // Point-in-time recovery: after a crash the database is what the WAL holds up to the
  // first damaged record; a torn tail record (a write that was never acknowledged) is dropped.
  db_options.wal_recovery_mode = rocksdb::WALRecoveryMode::kPointInTimeRecovery;

  auto cache = rocksdb::NewLRUCache(options.block_cache_bytes);
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (int i = 0; i < kNumColumns; ++i) {
    descriptors.emplace_back(kColumnNames[i],
                             ColumnOptions(static_cast<Column>(i), options, cache));
  }
  rocksdb::DB* db = nullptr;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::Status s = rocksdb::DB::Open(db_options, options.path, descriptors, &handles, &db);
  if (!s.ok()) return FromRocks(s);
  return std::unique_ptr<KvStore>(
      std::make_unique<RocksKvStore>(options.path, db, handles, std::move(cache)));
}

}  // namespace sawmill::storage
