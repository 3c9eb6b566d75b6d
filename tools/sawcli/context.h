// What every sawcli command shares: the connection, the output settings, --quiet/--stats, and
// logcli's stderr notes ("2024/01/02 15:04:05 Common labels: ..."), plus the time range flags
// (--since, --from, --to) resolved the way logcli resolves them.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "storage/result.h"
#include "tools/sawcli/client.h"
#include "tools/sawcli/printer.h"

namespace sawmill::sawcli {

struct Context {
  std::unique_ptr<Client> client;
  Printer* printer = nullptr;
  bool quiet = false;
  bool stats = false;
  bool stderr_tty = false;
};

// Writes `message` to stderr after a Go log-style local timestamp, as logcli's log.Println.
void LogNote(std::string_view message);

// The query window: --from/--to (RFC3339) when given, else [now - since, now].
struct TimeRangeFlags {
  int64_t since_ns = 3600LL * 1'000'000'000;
  std::string from, to;
};
struct TimeRange {
  int64_t start_ns = 0;
  int64_t end_ns = 0;
};
Result<TimeRange> ResolveTimeRange(const TimeRangeFlags& flags, int64_t now_ns);

}  // namespace sawmill::sawcli
