// `sawcli query` and `sawcli instant-query`: LogQL over /loki/api/v1/query_range and
// /loki/api/v1/query, printed as logcli prints them.
//
// Batching (--batch): a log query asks for at most `batch` entries per request and moves the
// window past the last timestamp it printed (forward: start = last; backward: end = last + 1ns),
// so it can page past the server's per-request limit. Because several entries may share the last
// timestamp, the next request starts AT that timestamp and the entries already printed there
// are skipped (matched by timestamp, stream labels and line), so every line is printed exactly
// once. When more entries share one timestamp than a batch holds, paging cannot make progress
// and the command fails asking for a larger --batch (as logcli does).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "storage/status.h"
#include "tools/sawcli/context.h"

namespace sawmill::sawcli {

struct QueryOptions {
  std::string query;
  int64_t start_ns = 0;
  int64_t end_ns = 0;
  int64_t limit = 30;
  int64_t batch = 1000;
  bool forward = false;
  int64_t step_ns = 0;
  int64_t interval_ns = 0;
  bool no_labels = false;
  std::vector<std::string> exclude_labels;  // --exclude-label
  std::vector<std::string> include_labels;  // --include-label
  int64_t fixed_labels_len = 0;             // --labels-length
};

// Range query, batched for log results. REQUIRES: ctx.client and ctx.printer set.
Status RunRangeQuery(Context& ctx, const QueryOptions& options);
// Instant query at options.end_ns.
Status RunInstantQuery(Context& ctx, const QueryOptions& options);

}  // namespace sawmill::sawcli
