// Loki's index endpoints (query size hints and the Logs Drilldown volume views):
//
//   GET|POST /loki/api/v1/index/stats         {"streams":n,"chunks":n,"bytes":n,"entries":n}
//   GET|POST /loki/api/v1/index/volume        Prometheus vector of bytes per label set
//   GET|POST /loki/api/v1/index/volume_range  the same per `step`, a matrix
//
// `query` is a stream selector (`{}` allowed for volume: every stream); start/end/since as
// query_params.h, `end` inclusive as Loki's `through`. Volume also takes `limit` (default
// 100), `targetLabels` (comma-separated) and `aggregateBy` (series, the default, or labels).
// Semantics in query/engine/index_stats.h. Errors are Loki's plain-text 400s.
#pragma once

#include "server/handlers/query.h"
#include "server/router.h"

namespace sawmill::server {

void AddIndexStatsRoutes(const QueryContext& context, Router* router);

}  // namespace sawmill::server
