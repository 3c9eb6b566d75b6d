// GET|POST /loki/api/v1/format_query?query=<LogQL>: the query parsed and printed back by
// Sawmill's LogQL printer (query/logql/printer.cc, Loki's String() form).
//
//   200 {"status":"success","data":"{app=\"a\"} |= \"x\""}\n
//   400 {"status":"invalid-query","error":"parse error at line 1, col 1: ..."}\n
//
// The JSON and the trailing newline are Loki's (its handler uses json.Encoder). Loki prints
// with syntax.Prettify, which breaks long queries over several indented lines; Sawmill prints
// every query on one line, the form its own parser and Loki's both read back.
#pragma once

#include "server/router.h"

namespace sawmill::server {

void AddFormatQueryRoutes(Router* router);

}  // namespace sawmill::server
