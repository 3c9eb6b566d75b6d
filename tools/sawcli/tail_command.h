// `sawcli query --tail`: follows a query live over Loki's WebSocket endpoint
// /loki/api/v1/tail (query, limit, start in ns, delay_for in seconds). Each message is
// {"streams":[{"stream":{...},"values":[["<ns>","<line>"],...]}],"dropped_entries":[...]};
// entries are printed with their stream's labels (no common-label stripping: the set of
// streams is not known in advance), dropped entries are reported on stderr. Runs until the
// server closes the connection or until SIGINT/SIGTERM, which closes the WebSocket cleanly
// (close frame 1000, the server's answer awaited at most 5 s) and returns OK.
#pragma once

#include "storage/status.h"
#include "tools/sawcli/context.h"
#include "tools/sawcli/query_command.h"

namespace sawmill::sawcli {

// `delay_for_ns` is rounded down to whole seconds, as Loki takes it.
Status RunTail(Context& ctx, const QueryOptions& options, int64_t delay_for_ns);

}  // namespace sawmill::sawcli
