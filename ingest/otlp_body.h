// DecodeOtlpBody: the body of `POST /otlp/v1/logs` to a PushRequest, as Loki's
// ParseOTLPRequest reads it:
//
//   Content-Encoding: ""            as is
//                     "gzip"        gunzipped first (bounded, gzip.h)
//                     anything else InvalidArgument (Loki would misread the bytes as protobuf)
//   Content-Type:     application/x-protobuf   otlp_protobuf.h
//                     application/json         otlp_json.h
//                     anything else            InvalidArgument "content type: text/plain is not
//                                              supported" (Loki's wording; parameters such as
//                                              charset are ignored, where Loki wants the exact
//                                              type)
// then otlp_mapping.h. The PushRequest owns the decompressed body; its views point into it.
#pragma once

#include <cstdint>
#include <string_view>

#include "ingest/otlp_mapping.h"
#include "ingest/push_body.h"
#include "ingest/push_request.h"
#include "storage/status.h"

namespace sawmill::ingest {

// InvalidArgument for an unsupported type or encoding or a malformed body, ResourceExhausted
// past a bound of `limits` (decompressed size, items). `now_ns` stamps records that carry no
// timestamp at all.
Status DecodeOtlpBody(std::string_view content_type, std::string_view content_encoding,
                      std::string_view body, const PushBodyLimits& limits,
                      const OtlpMappingOptions& options, int64_t now_ns, PushRequest* out);

}  // namespace sawmill::ingest
