// detected_level: the log level Loki's distributor attaches to an entry as structured metadata
// (limits_config.discover_log_levels, on by default in Loki 3). Loki does it for every push;
// Sawmill does it for OTLP pushes only, where the severity fields make it reliable (see
// ingest/README.md). Rules, in Loki's order (pkg/distributor/field_detection.go):
//   1. an entry that already has `detected_level` keeps it (normalized);
//   2. the first of the level fields (level, LEVEL, Level, log.level, severity, SEVERITY,
//      Severity, SeverityText, lvl, LVL, Lvl, severity_text, Severity_Text, SEVERITY_TEXT)
//      present among the stream labels, then among the structured metadata, normalized;
//   3. OTLP's severity_number: 1-4 trace, 5-8 debug, 9-12 info, 13-16 warn, 17-20 error,
//      21-24 fatal, others unknown;
//   4. the line: a level field of a JSON object (two levels deep) or of logfmt, else
//      keywords ("info", "[ERROR]", "warning", "debug", ...), else "unknown".
// Normalizing maps trace/trc, debug/dbg, info/inf/information, warn/wrn/warning, error/err,
// critical, fatal (any case) to the lower-case names; other values are kept as they are.
#pragma once

#include <string_view>
#include <utility>
#include <vector>

namespace sawmill::ingest {

inline constexpr std::string_view kDetectedLevel = "detected_level";

// Returns the level for an entry with these stream labels, structured metadata and line; an
// empty view when the entry already has detected_level (rule 1). The view is a constant, or
// points into the labels or metadata passed in.
std::string_view DetectLevel(
    const std::vector<std::pair<std::string_view, std::string_view>>& stream_labels,
    const std::vector<std::pair<std::string_view, std::string_view>>& metadata,
    std::string_view line);

// Loki's normalizeLogLevel.
std::string_view NormalizeLogLevel(std::string_view level);

}  // namespace sawmill::ingest
