// The one place where a sawmill::Status becomes an HTTP status. Handlers return Status
// errors; the router turns them into responses here, so the mapping cannot drift:
//
//   InvalidArgument -> 400   NotFound -> 404   ResourceExhausted -> 429
//   DeadlineExceeded -> 504  Unavailable -> 503   anything else -> 500
#pragma once

#include "server/http_message.h"
#include "storage/status.h"

namespace sawmill::server {

http::status HttpStatusFor(StatusCode code);

// A plain-text error response whose body is the status message and a newline, as Loki
// answers errors ("404 page not found\n", "parse error at line 1, col 14: ...\n").
// REQUIRES: !status.ok().
HttpResponse ErrorResponse(const Status& status);

}  // namespace sawmill::server
