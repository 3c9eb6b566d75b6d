// GET|POST /loki/api/v1/format_query?query=<LogQL>: the query parsed and pretty-printed with
// Loki's syntax.Prettify rules (query/logql/prettier.h: one line up to 100 characters, longer
// queries split over indented lines).
//
//   200 {"status":"success","data":"{app=\"a\"} |= \"x\""}\n
//   400 {"status":"invalid-query","error":"parse error at line 1, col 1: ..."}\n
//
// The JSON and the trailing newline are Loki's (its handler uses json.Encoder).
#pragma once

#include "server/router.h"

namespace sawmill::server {

void AddFormatQueryRoutes(Router* router);

}  // namespace sawmill::server
