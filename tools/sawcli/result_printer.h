// Printing of the non-log parts of query answers as logcli prints them: metric results
// (matrix, vector, scalar) as the result JSON indented by two spaces with no trailing newline
// (Go's json.MarshalIndent + fmt.Print), and --stats as "Key <tab> value" lines on stderr.
#pragma once

#include <string>

#include <nlohmann/json_fwd.hpp>

#include "tools/sawcli/context.h"

namespace sawmill::sawcli {

// logcli's --stats text for a response's data.stats: Loki's stats.Result.KVList() keys in
// its order ("Ingester.TotalReached", ... "Summary.BytesProcessedPerSecond", ...), one
// "key \t value" line each, tab-aligned as Go's tabwriter does; values as Loki formats them
// (go-humanize bytes "1.2 MB", Go durations "1.5ms"). Fields the server does not send are 0.
// `color`: keys in blue (logcli colours them when stdout is a terminal).
std::string FormatStats(const nlohmann::json& stats, bool color);

// Prints FormatStats(data["stats"]) to stderr; nothing when the response has no stats.
void PrintStats(const nlohmann::json& data, bool color);

// Prints a matrix/vector/scalar result; other types print nothing.
void PrintResultJson(Context& ctx, const std::string& type, const nlohmann::json& result);

}  // namespace sawmill::sawcli
