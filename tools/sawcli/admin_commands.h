// `sawcli fmt` (pretty-print a LogQL query locally with Loki's Prettify rules, as logcli
// does, or with --server through the server's /loki/api/v1/format_query) and
// `sawcli delete create|list|cancel` (Loki's log deletion API, /loki/api/v1/delete), printed as
// logcli prints them.
#pragma once

#include <string>

#include "storage/status.h"
#include "tools/sawcli/context.h"

namespace sawmill::sawcli {

// Formats `query` (read from stdin by the caller when not given) and prints it with a
// newline. Locally (query/logql/prettier.h) unless `server`; a query that does not parse fails
// with "failed to parse the query: <Loki's parse error>".
Status RunFmt(Context& ctx, const std::string& query, bool server);

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
