// Loki 3's detected labels (`/loki/api/v1/detected_labels`), the labels worth offering as
// filters in Grafana's Logs Drilldown: the label names of the selected streams (every stream
// when there is no selector; the streams Querier::Series lists, so a stream that deletions
// emptied in the range is left out as /series leaves it out) with the number of distinct values
// each has, leaving out the labels whose values all look like ids (numbers or UUIDs, except the
// pairs "0"/"1"), unless the label is one of cluster, namespace, instance, pod
// (pkg/querier/querier.go: shouldRejectLabel, containsAllIDTypes). Cardinality is exact (Loki
// estimates it); the labels are sorted by name (Loki's order is a Go map's).
//
// Thread-safety: reentrant.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "index/matcher.h"
#include "query/engine/querier.h"
#include "storage/result.h"

namespace sawmill::query::engine {

struct DetectedLabel {
  std::string label;
  uint64_t cardinality = 0;
};

Result<std::vector<DetectedLabel>> DetectLabels(Querier* querier, std::string_view tenant,
                                                std::span<const index::Matcher> matchers,
                                                int64_t from_ns, int64_t to_ns);

// {"detectedLabels":[{"label":"app","cardinality":2}]}
std::string DetectedLabelsJson(const std::vector<DetectedLabel>& labels);

}  // namespace sawmill::query::engine
