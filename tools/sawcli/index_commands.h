// The metadata commands: `labels [name]`, `series <matcher>`, `stats <query>`,
// `volume <query>` and `volume_range <query>`, over Loki's label, series and index endpoints,
// printed as logcli prints them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "storage/status.h"
#include "tools/sawcli/context.h"

namespace sawmill::sawcli {

// Names, or the values of `name` when it is not empty, one per line.
Status RunLabels(Context& ctx, const std::string& name, const std::string& query,
                 const TimeRange& range);

// Each series as {a="b", c="d"}, or with `analyze` a table of label names, their number of
// distinct values and of streams they appear in.
Status RunSeries(Context& ctx, const std::string& matcher, const TimeRange& range, bool analyze);

// The index statistics of a query: {bytes, chunks, streams, entries}.
Status RunStats(Context& ctx, const std::string& query, const TimeRange& range);

struct VolumeOptions {
  std::string query;
  TimeRange range;
  int64_t limit = 100;
  int64_t step_ns = 0;                     // volume_range only
  std::vector<std::string> target_labels;  // --targetLabels
  bool aggregate_by_labels = false;        // --aggregateByLabels
};
Status RunVolume(Context& ctx, const VolumeOptions& options, bool range_query);

// Go's humanize.Bytes with the space removed, as logcli's stats prints bytes: "1.2kB".
std::string HumanBytes(uint64_t n);

}  // namespace sawmill::sawcli
