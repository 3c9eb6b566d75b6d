// Settings of log entry deletion (Loki's compactor deletion), set by flags:
//   -compactor.delete-request-cancel-period  how long a request may be cancelled (24h)
//   -compactor.deletion-mode                 disabled | filter-only | filter-and-delete
//   -compactor.delete-purge-blob-files       rewrite blob files after a pass (true)
#pragma once

#include <chrono>
#include <string_view>

#include "storage/result.h"

namespace sawmill::server {

enum class DeletionMode {
  kDisabled,         // the delete API answers 403, queries are not filtered
  kFilterOnly,       // requests filter queries but are never processed
  kFilterAndDelete,  // and are processed: their entries leave the store
};

Result<DeletionMode> ParseDeletionMode(std::string_view text);

struct DeleteOptions {
  DeletionMode mode = DeletionMode::kFilterAndDelete;
  std::chrono::nanoseconds cancel_period = std::chrono::hours(24);
  // After a pass, rewrite the store's blob files so the deleted bytes leave the disk at
  // once (costs a rewrite of every chunk byte); without, blob GC reclaims them over time.
  bool purge_blob_files = true;
};

}  // namespace sawmill::server
