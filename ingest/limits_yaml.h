// Loki's YAML names for the per-tenant limits, and the runtime overrides file.
//
// The one place that maps Loki's `limits_config` keys (max_line_size, ingestion_rate_mb,
// max_global_streams_per_user, ...) to PushLimits fields: the runtime overrides file uses it
// and the configuration file's `limits_config:` section (server/config_file.h) both use it.
//
// The runtime overrides file (Loki's -runtime-config.file):
//
//   overrides:
//     tenant-a:
//       ingestion_rate_mb: 10
//       ingestion_burst_size_mb: 20
//       max_global_streams_per_user: 5000
//     tenant-b:
//       max_line_size: 1MB
//       deletion_mode: filter-only
//       otlp_config:                 # otlp_config.h
//         resource_attributes:
//           attributes_config:
//             - action: index_label
//               attributes: [k8s.node.name]
//
// Values take Loki's syntax: sizes as bytes or with a unit (256KB, 1MiB), durations as
// Prometheus durations (168h, 1w), booleans true/false. Errors name the line, column and key:
//   "line 4, col 26: overrides.tenant-a.ingestion_rate_mb: want a number, got \"ten\""
// and unknown keys are errors, as Loki's strict YAML decoding makes them.
#pragma once

#include <string_view>

#include "ingest/limits.h"
#include "ingest/overrides.h"
#include "storage/result.h"

namespace YAML {
class Node;
}

namespace sawmill::ingest {

// Applies every key of `map` (a YAML mapping of Loki limit names) to *limits. `path` prefixes
// the key in error messages ("overrides.tenant-a"). On error *limits may be partly changed.
Status ApplyLimitsYaml(const YAML::Node& map, std::string_view path, PushLimits* limits);

// Applies one limits_config key, `path` naming it in error messages
// ("limits_config.max_line_size"). NotFound (and *limits unchanged) when `key` is not a push limit,
// so a caller holding limits_config keys of its own (the query limits) can try those;
// InvalidArgument naming the line, column and path for a bad value.
Status ApplyLimitYaml(std::string_view key, const YAML::Node& value, std::string_view path,
                      PushLimits* limits);

// Parses a runtime overrides file. Each tenant's limits start from `defaults`. An empty
// file, or one without `overrides`, gives no overrides.
Result<TenantLimits> ParseRuntimeConfig(std::string_view yaml, const PushLimits& defaults);

}  // namespace sawmill::ingest
