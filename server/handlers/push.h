// The push endpoints agents send logs to:
//
//   POST /loki/api/v1/push   JSON or Snappy-compressed protobuf (logproto.PushRequest)
//   POST /api/prom/push      the same, with the legacy JSON format
//
// The tenant is X-Scope-OrgID, or "fake" without it (Loki's single-tenant default). Answers:
// 204 when everything was stored; 400 naming what was refused (the rest is stored); 400 for a
// malformed body; 413 for a body whose decoded size passes the limit; 429 when the tenant's
// ingestion rate limit refused the whole push, or its active-stream limit refused some new
// streams (the entries of the others are stored).
#pragma once

#include <functional>

#include "ingest/pusher.h"
#include "server/instrumentation.h"
#include "server/router.h"

namespace sawmill::server {

struct PushContext {
  // The pusher, or null while the store is still opening.
  std::function<ingest::Pusher*()> pusher;
  Instrumentation* instrumentation = nullptr;  // counts received and discarded lines; may be null
};

void AddPushRoutes(const PushContext& context, Router* router);

// Whether `request` is a POST to one of the push endpoints (what the HTTP server runs on its
// offload pool).
bool IsPushRequest(const HttpRequest& request);

}  // namespace sawmill::server
