// KvStats: figures of the RocksDB database behind a KvStore, for /metrics. Kept apart from
// kv_store.h so that the many files including it do not depend on what is exported.
#pragma once

#include <cstdint>

#include "storage/kv_store.h"

namespace sawmill::storage {

// RocksDB properties summed over the column families; cumulative ones since open.
struct KvStats {
  uint64_t memtable_bytes = 0;            // all memtables, active and immutable
  uint64_t live_sst_bytes = 0;            // SST files of the current version
  uint64_t live_blob_bytes = 0;           // blob files of the current version
  uint64_t pending_compaction_bytes = 0;  // estimated bytes compaction still has to rewrite
  uint64_t compaction_read_bytes = 0;     // read by compactions since open
  uint64_t compaction_write_bytes = 0;    // written by compactions since open
  uint64_t block_cache_usage_bytes = 0;
  uint64_t block_cache_capacity_bytes = 0;
  uint64_t block_cache_pinned_bytes = 0;
};

// The figures of `kv`, which KvStore::Open() returned. All zero once it is closed.
KvStats GetKvStats(KvStore* kv);

}  // namespace sawmill::storage
