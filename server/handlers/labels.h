// The label and series endpoints (label browser, autocomplete, variables):
//
//   GET|POST /loki/api/v1/labels                 {"status":"success","data":["a","b"]}
//   GET|POST /loki/api/v1/label/{name}/values    same shape; optional `query` selector
//   GET|POST /loki/api/v1/series                 match[] (repeatable) -> label maps
//   GET /api/prom/label, /api/prom/label/{name}/values   {"values":[...]}
//   GET|POST /api/prom/series                    as /loki/api/v1/series
//
// start/end/since as query_params.h (default: the last hour). Errors as the query endpoints.
#pragma once

#include "server/handlers/query.h"
#include "server/router.h"

namespace sawmill::server {

void AddLabelRoutes(const QueryContext& context, Router* router);

}  // namespace sawmill::server
