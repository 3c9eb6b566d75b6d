// PushLimits: what one tenant may push, Loki's per-tenant `limits_config` for the write path,
// plus the per-tenant settings kept in the same place (deletion_mode, otlp_config).
// The server's flags fill the defaults; the runtime overrides file (overrides.h,
// limits_yaml.h) changes them per tenant. Each field names its Loki YAML key; the mapping
// from those keys to the fields lives in one place, limits_yaml.cc.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "storage/result.h"

namespace sawmill::ingest {

struct OtlpConfig;  // otlp_config.h

// Loki's deletion_mode: what the delete API and delete requests do for a tenant.
enum class DeletionMode {
  kDisabled,         // the delete API answers 403, queries are not filtered
  kFilterOnly,       // requests filter queries but are never processed
  kFilterAndDelete,  // and are processed: their entries leave the store
};

// "disabled" | "filter-only" | "filter-and-delete"; InvalidArgument otherwise.
Result<DeletionMode> ParseDeletionMode(std::string_view text);

// Loki's MB in ingestion_rate_mb and ingestion_burst_size_mb: 2^20 bytes.
inline constexpr double kBytesPerMB = 1024.0 * 1024.0;

struct PushLimits {
  // Validation (distributor).
  size_t max_line_size = 256 * 1024;     // max_line_size (0 = unlimited)
  bool truncate_lines = false;           // max_line_size_truncate
  size_t max_label_names = 15;           // max_label_names_per_series
  size_t max_label_name_length = 1024;   // max_label_name_length
  size_t max_label_value_length = 2048;  // max_label_value_length
  bool reject_old_samples = true;        // reject_old_samples
  std::chrono::nanoseconds reject_old_samples_max_age = std::chrono::hours(24 * 7);
  std::chrono::nanoseconds creation_grace_period = std::chrono::minutes(10);

  // Ingestion rate: a token bucket of line bytes per tenant. Unlike Loki (4 MB/s), no limit
  // unless one is configured; 0 = unlimited.
  double ingestion_rate_mb = 0;        // ingestion_rate_mb (MB/s)
  double ingestion_burst_size_mb = 6;  // ingestion_burst_size_mb (MB)

  // Active streams per tenant (storage::Store::ActiveStreams). Loki keeps a local (per
  // ingester) and a global limit; a single Sawmill is one ingester with replication factor
  // 1, so both bound the same count and the smaller non-zero one applies; 0 = unlimited.
  // The default global limit is twice the 100,000 streams the server is measured with
  // (RSS <= 1 GiB, bench/RESULTS.md): a label-cardinality accident stops before memory runs
  // out, a fast server's ordinary load never meets it.
  size_t max_streams_per_user = 0;              // max_streams_per_user
  size_t max_global_streams_per_user = 200000;  // max_global_streams_per_user

  // Log deletion (Loki's per-tenant deletion_mode).
  DeletionMode deletion_mode = DeletionMode::kFilterAndDelete;  // deletion_mode

  // OTLP ingestion: which attributes become index labels, structured metadata or nothing
  // (otlp_config; otlp_config.h). Null: Loki's defaults.
  std::shared_ptr<const OtlpConfig> otlp_config;

  // The active-stream limit that applies (0 = none).
  size_t StreamLimit() const {
    if (max_streams_per_user == 0) return max_global_streams_per_user;
    if (max_global_streams_per_user == 0) return max_streams_per_user;
    return max_streams_per_user < max_global_streams_per_user ? max_streams_per_user
                                                              : max_global_streams_per_user;
  }
};

}  // namespace sawmill::ingest
