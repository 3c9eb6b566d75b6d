// Loki's index figures: `/loki/api/v1/index/stats` (streams, chunks, bytes and entries that a
// selector resolves to) and `/loki/api/v1/index/volume[_range]` (bytes per label set or per
// label name, largest first). Both read only what Querier::Usage gives for each selected
// stream: the store answers from its chunk index, without opening a chunk.
//
// Volume follows Loki's TSDB index (pkg/storage/stores/tsdb, seriesvolume):
//   - aggregateBy=series (the default): each stream counts under its labels restricted to the
//     names the selector's matchers use, or to `targetLabels` when given (a target label the
//     selector does not mention is required to be present, as if `name=~".+"` were added);
//     `{}` selects every stream and keeps all its labels;
//   - aggregateBy=labels: each stream counts under each of its label names (only the target
//     labels when given); the answer's metrics are `{name=""}`;
//   - only streams with entries in the range count; `__tenant_id__` is never a volume label;
//   - the range is cut by `step` as Loki's util.ForInterval does (intervals aligned to the
//     step, inclusive ends, the first starting at `start`); each interval keeps its `limit`
//     largest volumes (ties by name), and its samples carry the interval's end time;
//   - series are sorted by their first sample, largest first, then by name; the result is a
//     vector unless some series has more than one sample (Loki's rule, so an instant volume
//     is always a vector).
//
// Thread-safety: the functions are reentrant; the querier must be thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "index/labels.h"
#include "index/matcher.h"
#include "query/engine/querier.h"
#include "query/engine/query_guard.h"
#include "storage/result.h"

namespace sawmill::query::engine {

// The label that names a tenant in multi-tenant queries (multi_tenant_querier.h).
inline constexpr char kTenantLabel[] = "__tenant_id__";

// Loki's cap on the series one volume answer may build (volume_max_series).
inline constexpr size_t kVolumeMaxSeries = 1000;

// The streams `matchers` select in [from_ns, to_ns); with no matchers (the selector `{}`),
// every stream present in the range.
Result<std::vector<SelectedStream>> SelectStreamsOrAll(Querier* querier, std::string_view tenant,
                                                       std::span<const index::Matcher> matchers,
                                                       int64_t from_ns, int64_t to_ns);

struct IndexStatsResult {
  uint64_t streams = 0;  // streams with entries in the range
  uint64_t chunks = 0;
  uint64_t bytes = 0;
  uint64_t entries = 0;
};

// Sums Usage() over the streams `matchers` select in [from_ns, to_ns). `guard` (may be null)
// is checked before each stream: its error (time-out, cancellation) stops the sum.
Result<IndexStatsResult> IndexStats(Querier* querier, std::string_view tenant,
                                    std::span<const index::Matcher> matchers, int64_t from_ns,
                                    int64_t to_ns, const QueryGuard* guard = nullptr);

// {"streams":1,"chunks":2,"bytes":3,"entries":4} (not wrapped, Loki's key order).
std::string IndexStatsJson(const IndexStatsResult& stats);

struct VolumeParams {
  std::string tenant;
  std::vector<index::Matcher> matchers;  // empty: `{}`, every stream
  int64_t start_ns = 0;                  // the range [start_ns, end_ns], end inclusive
  int64_t end_ns = 0;
  int64_t step_ns = 0;  // 0: one interval (the instant volume endpoint)
  size_t limit = 100;
  std::vector<std::string> target_labels;
  bool aggregate_by_labels = false;
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  // Checked before each stream when not null (time-out, cancellation), with `deadline`.
  const QueryGuard* guard = nullptr;
};

struct VolumeSeries {
  std::string name;  // the label set's text, or the label name when aggregating by labels
  index::LabelSet metric;
  std::vector<std::pair<int64_t, uint64_t>> samples;  // (interval end ns, bytes), by time
};

struct VolumeResult {
  bool is_matrix = false;
  std::vector<VolumeSeries> series;  // in answer order
};

// Errors: InvalidArgument past kVolumeMaxSeries or for a selector the index refuses,
// DeadlineExceeded past the deadline, the guard's, and the querier's.
Result<VolumeResult> Volume(Querier* querier, const VolumeParams& params);

// Loki's answer: {"status":"success","data":{"resultType":"vector","result":[{"metric":{..},
// "value":[1700000000,"123"]}],"stats":{..}}}, or "matrix" with "values".
std::string VolumeJson(const VolumeResult& result);

}  // namespace sawmill::query::engine
