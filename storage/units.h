// The units of sizes and durations in flags and configuration files, in Loki's syntax.
// Shared by the server's flags and the per-tenant limits (ingest/limits_yaml.h), so a value
// reads the same on the command line and in YAML.
#pragma once

#include <chrono>
#include <cstdint>
#include <string_view>

#include "storage/result.h"

namespace sawmill {

// A byte size: an integer with an optional unit B, KB, MB, GB (powers of 1000) or KiB, MiB,
// GiB (powers of 1024), such as "262144", "256KiB" or "1536KiB".
Result<uint64_t> ParseBytes(std::string_view text);

// A Prometheus-style duration: one or more <integer><unit> with units y (365d), w, d, h, m,
// s, ms, us, ns, largest first ("744h", "1h30m", "7d"); "0" alone means zero.
Result<std::chrono::nanoseconds> ParseDuration(std::string_view text);

}  // namespace sawmill
