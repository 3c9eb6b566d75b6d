// The OTLP/HTTP logs endpoint, as Loki serves it (the collector's otlphttp exporter, the
// OpenTelemetry SDKs, Alloy's otelcol.exporter.otlphttp):
//
//   POST /otlp/v1/logs   ExportLogsServiceRequest, protobuf or JSON, optionally gzipped
//
// The tenant is X-Scope-OrgID, or "fake" without it. The body is mapped to Loki's model
// (ingest/otlp_mapping.h) and pushed through the same Pusher as /loki/api/v1/push: the same
// validation, limits and durability; one refused entry never loses the others. Answers, as
// Loki's OTLP handler: 204 with no body when everything was stored; otherwise the status
// (400 bad body or refused entries, 413 too large, 429 limits, 503 for a server failure: Loki
// answers 503 where it would say 500, because OTLP clients retry 503 and never 500) with a
// protobuf google.rpc.Status body whose message (field 2) is the error text,
// Content-Type: application/octet-stream.
#pragma once

#include <functional>
#include <string_view>

#include "ingest/pusher.h"
#include "server/instrumentation.h"
#include "server/router.h"

namespace sawmill::server {

struct OtlpContext {
  // The pusher, or null while the store is still opening.
  std::function<ingest::Pusher*()> pusher;
  Instrumentation* instrumentation = nullptr;  // counts received and discarded lines; may be null
  // Each tenant's otlp_config (limits_config / runtime overrides); may be null: Loki's defaults.
  const ingest::Overrides* overrides = nullptr;
};

void AddOtlpRoutes(const OtlpContext& context, Router* router);

// Whether `request` is a POST to the OTLP endpoint (run on the push offload pool).
bool IsOtlpRequest(const HttpRequest& request);

// An OTLP error answer: `status` and a google.rpc.Status { message = 2 } body.
HttpResponse OtlpErrorResponse(http::status status, std::string_view message);

}  // namespace sawmill::server
