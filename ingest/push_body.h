// DecodePushBody: turns the body of a push request into a PushRequest, choosing the decoder
// from the Content-Type and Content-Encoding headers as Loki's distributor does
// (pkg/loghttp/push ParseLokiRequest). The HTTP handler calls this and maps the Status.
//
//   Content-Encoding: ""  or "snappy"  as is (protobuf bodies are Snappy-compressed anyway;
//                                      some clients also say so in the header)
//                     "gzip"           gunzipped first (Gunzip)
//                     "deflate"        inflated first (Inflate)
//                     anything else    InvalidArgument: Content-Encoding "br" not supported
//   Content-Type:     application/json (parameters such as charset ignored, any case)
//                                      JSON: the v1 format, or the legacy one on /api/prom/push
//                     anything else, or none: Snappy-compressed logproto.PushRequest
#pragma once

#include <cstddef>
#include <string_view>

#include "ingest/protobuf_push.h"
#include "ingest/push_request.h"
#include "storage/status.h"

namespace sawmill::ingest {

enum class PushApi {
  kV1,      // POST /loki/api/v1/push
  kLegacy,  // POST /api/prom/push
};

struct PushBodyLimits {
  // Bound on the body once decompressed (gzip/deflate output, Snappy's announced length).
  size_t max_decompressed = kDefaultMaxUncompressedPush;
  // Bound on streams + entries + structured metadata pairs (push_request.h).
  size_t max_items = kDefaultMaxPushItems;
};

// Decodes `body` into *out. InvalidArgument for an unsupported encoding or a malformed body,
// ResourceExhausted past a limit (the caller answers 413 or 400 as it sees fit).
Status DecodePushBody(std::string_view content_type, std::string_view content_encoding,
                      std::string_view body, PushApi api, const PushBodyLimits& limits,
                      PushRequest* out);

}  // namespace sawmill::ingest
