// The Logs Drilldown and Explore endpoints that describe data rather than return it:
//
//   GET|POST /loki/api/v1/detected_labels {"detectedLabels":[{"label","cardinality"}]} GET|POST
//   /loki/api/v1/detected_fields               {"fields":[{"label","type","cardinality",
//                                                         "parsers"}],"limit":1000}
//   GET|POST /loki/api/v1/detected_field/{name}/values  {"values":[...]}
//   GET|POST /loki/api/v1/patterns                      {"status":"success","data":[]}
//
// detected_labels takes an optional selector `query`; the detected field endpoints take a
// log query `query`, `line_limit` (lines sampled, default 1000, at most
// -validation.max-entries-limit) and `limit` (fields or values, default 1000). Semantics in
// query/engine/detected_labels.h and detected_fields.h.
//
// Sawmill does not mine log patterns (Loki's pattern ingester): /patterns always answers the
// empty list, which Grafana shows as "no patterns", after checking the request as Loki does.
#pragma once

#include "server/handlers/query.h"
#include "server/router.h"

namespace sawmill::server {

void AddDetectedRoutes(const QueryContext& context, Router* router);

}  // namespace sawmill::server
