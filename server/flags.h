// The command line of the `sawmill` binary, in Loki's style: single-dash dotted names, a
// double dash also accepted, values after '=' or as the next argument:
//
//   sawmill -server.http-listen-port=3100 --storage.path /var/lib/sawmill -log.level debug
//
// Boolean flags (-version, -help) take no separate value (but accept -version=true). Errors
// use Go's flag package wording: "flag provided but not defined: -foo".
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "ingest/pusher.h"
#include "server/log.h"
#include "server/query_limits.h"
#include "storage/compression.h"
#include "storage/result.h"
#include "storage/store.h"

namespace sawmill::server {

struct Config {
  std::string listen_address = "127.0.0.1";
  uint16_t listen_port = 3100;  // 0 picks a free port
  // Where and how the store keeps data (its data_dir defaults to ./data, retention to 0,
  // which keeps everything).
  storage::StoreOptions store;
  // What a push may carry (Loki's validation limits).
  ingest::PushLimits limits;
  // What a query may ask for (Loki's query limits).
  QueryLimits query_limits;
  LogLevel log_level = LogLevel::kInfo;
  bool show_version = false;
  bool show_help = false;
};

// Parses argv[1..argc). Returns InvalidArgument naming the flag on an unknown flag, a
// missing value, a bad value or a positional argument.
Result<Config> ParseFlags(int argc, const char* const* argv);

// The -help text: every flag with its description and default.
std::string FlagsUsage();

// A byte size: an integer with an optional unit B, KB, MB, GB (powers of 1000) or KiB, MiB,
// GiB (powers of 1024), such as "262144", "256KiB" or "1536KiB".
Result<uint64_t> ParseBytes(std::string_view text);

// A Prometheus-style duration: one or more <integer><unit> with units y (365d), w, d, h, m,
// s, ms, us, ns, largest first ("744h", "1h30m", "7d"); "0" alone means zero.
Result<std::chrono::nanoseconds> ParseDuration(std::string_view text);

}  // namespace sawmill::server
