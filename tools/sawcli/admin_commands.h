// `sawcli fmt` (pretty-print a LogQL query with the server's /loki/api/v1/format_query) and
// `sawcli delete create|list|cancel` (Loki's log deletion API, /loki/api/v1/delete), printed as
// logcli prints them.
#pragma once

#include <string>

#include "storage/status.h"
#include "tools/sawcli/context.h"

namespace sawmill::sawcli {

// Formats `query` (read from stdin by the caller when not given) and prints it.
Status RunFmt(Context& ctx, const std::string& query);

struct DeleteOptions {
  std::string action;  // create, list, cancel
  std::string query;
  TimeRange range;
  bool range_given = false;  // --from/--to/--since given: send start/end
  std::string max_interval;
  std::string request_id;
  bool force = false;
  bool json = false;  // list: print the server's JSON
};
Status RunDelete(Context& ctx, const DeleteOptions& options);

}  // namespace sawmill::sawcli
