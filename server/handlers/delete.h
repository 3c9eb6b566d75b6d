// Loki's delete API (the compactor's endpoints), over DeleteService:
//
//   POST   /loki/api/v1/delete?query=<selector [line filters]>&start=<t>&end=<t>   -> 204
//   GET    /loki/api/v1/delete                                 -> 200 JSON array of requests
//   DELETE /loki/api/v1/delete?request_id=<id>[&force=true]    -> 204 (cancel)
//
// Times are Unix seconds (exactly 10 digits, fractions allowed) or RFC 3339; `end` defaults
// to now. Errors are Loki's plain-text bodies: 400 for bad parameters, 404 for an unknown
// request id, 403 "deletion is not available for this tenant" when the tenant's deletion_mode
// (-compactor.deletion-mode, or its runtime override) is disabled. A list entry is
// {"request_id","start_time","end_time","query","status", "created_at"} with times in float seconds
// (Prometheus model.Time), oldest first.
#pragma once

#include <functional>

#include "server/delete_service.h"
#include "server/router.h"

namespace sawmill::server {

struct DeleteContext {
  // The service, or null while the store is still opening.
  std::function<DeleteService*()> service;
};

void AddDeleteRoutes(const DeleteContext& context, Router* router);

}  // namespace sawmill::server
