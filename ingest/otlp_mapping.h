// OtlpToPushRequest: Loki's model of OTLP logs (pkg/loghttp/push/otlp.go, Loki 3):
//
//   index labels         the resource attributes in `index_label_attributes` (Loki's default
//                        list below), or those the tenant's otlp_config makes index_label
//                        (attributes it drops are left out everywhere), names normalized
//                        (service.name -> service_name); when service.name is absent or empty,
//                        service_name is the first promoted label named in `discover_service_name`
//                        (k8s_container_name, ...), else "unknown_service"
//   line                 the body, AsString (otlp_value.h): non-string bodies as JSON
//   timestamp            time_unix_nano, else observed_time_unix_nano, else `now`
//   structured metadata  in this order: the log attributes; observed_timestamp (when both
//                        timestamps are set); severity_number (when not 0); severity_text;
//                        dropped_attributes_count; flags; trace_id and span_id (lower-case
//                        hex); the other resource attributes; the scope attributes, scope_name,
//                        scope_version, scope_dropped_attributes_count; then detected_level
//                        (level_detection.h) when `discover_log_levels`
// Attributes whose value is a key-value list are flattened, `parent_child`, as Loki's json
// parser names fields; names are normalized (otlp_value.h). Entries of resources with the
// same index labels share one stream. A record whose log attributes otlp_config makes
// index_label (or whose severity_text is a label, severity_text_as_label) goes to the stream
// of the resource's labels plus those (a record's value winning), as in Loki 3.5; those
// attributes are then not metadata (severity_text stays metadata too).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "ingest/otlp_config.h"
#include "ingest/otlp_logs.h"
#include "ingest/push_request.h"
#include "storage/status.h"

namespace sawmill::ingest {

// Loki's distributor.otlp.default_resource_attributes_as_index_labels.
const std::vector<std::string>& DefaultOtlpIndexLabelAttributes();
// Loki's validation.discover-service-name default.
const std::vector<std::string>& DefaultDiscoverServiceName();

struct OtlpMappingOptions {
  // Used when `config` is null: these resource attributes are index labels, every other
  // attribute is structured metadata.
  std::vector<std::string> index_label_attributes = DefaultOtlpIndexLabelAttributes();
  // The tenant's otlp_config (otlp_config.h): each attribute's action (index_label,
  // structured_metadata, drop). Null: `index_label_attributes`.
  std::shared_ptr<const OtlpConfig> config;
  std::vector<std::string> discover_service_name = DefaultDiscoverServiceName();
  bool discover_log_levels = true;
  // Bound on streams + entries + metadata pairs (resource attributes are repeated on each
  // entry, so this is what bounds the decoded size), as push_request.h.
  size_t max_items = kDefaultMaxPushItems;
  // Bound on the text the mapping renders (labels, non-string values, ids).
  size_t max_rendered_bytes = size_t{256} << 20;
};

// Appends the entries of `logs` to *out (streams and owned text). The views of `logs` must
// outlive *out (the caller keeps the body in out->storage). ResourceExhausted past a bound.
Status OtlpToPushRequest(const OtlpLogs& logs, const OtlpMappingOptions& options, int64_t now_ns,
                         PushRequest* out);

}  // namespace sawmill::ingest
