// Settings of log entry deletion (Loki's compactor deletion), set by flags:
//   -compactor.delete-request-cancel-period  how long a request may be cancelled (24h)
//   -compactor.deletion-mode                 disabled | filter-only | filter-and-delete, the
//                                            default of limits_config.deletion_mode (per tenant)
//   -compactor.delete-purge-blob-files       rewrite blob files after a pass (true)
#pragma once

#include <chrono>
#include <functional>
#include <string_view>

#include "ingest/limits.h"
#include "storage/result.h"

namespace sawmill::server {

using ingest::DeletionMode;
using ingest::ParseDeletionMode;

struct DeleteOptions {
  // The mode of tenants `mode_for` does not answer for (-compactor.deletion-mode).
  DeletionMode mode = DeletionMode::kFilterAndDelete;
  // Each tenant's mode (Loki's per-tenant deletion_mode, from the runtime overrides); may be
  // empty: every tenant has `mode`.
  std::function<DeletionMode(std::string_view tenant)> mode_for;
  std::chrono::nanoseconds cancel_period = std::chrono::hours(24);
  // After a pass, rewrite the store's blob files so the deleted bytes leave the disk at
  // once (costs a rewrite of every chunk byte); without, blob GC reclaims them over time.
  bool purge_blob_files = true;
};

}  // namespace sawmill::server
