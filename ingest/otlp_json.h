// Decodes an OTLP/HTTP JSON body (`Content-Type: application/json`, already gunzipped): the
// ExportLogsServiceRequest in OTLP's JSON mapping of protobuf, as the collector's otlphttp
// exporter and the SDKs send it:
//
//   {"resourceLogs": [{"resource": {"attributes": [{"key": "service.name",
//                                                   "value": {"stringValue": "api"}}]},
//                      "scopeLogs": [{"scope": {"name": "lib", "version": "1.0"},
//                                     "logRecords": [{"timeUnixNano": "1700000000000000000",
//                                                     "severityNumber": 9, "severityText": "INFO",
//                                                     "body": {"stringValue": "hello"},
//                                                     "traceId":
//                                                     "5b8efff798038103d269b633813fc60c", "spanId":
//                                                     "eee19b7ec3c1b174"}]}]}]}
//
// As OTLP (and the collector's pdata) reads it: keys in lowerCamelCase or their proto
// snake_case names; 64-bit integers as strings or numbers; severityNumber as a number or its
// enum name ("SEVERITY_NUMBER_INFO"); trace and span ids as hex (not base64); bytesValue as
// base64; null for any field means absent; unknown keys are skipped.
#pragma once

#include <cstddef>

#include "ingest/otlp_logs.h"
#include "ingest/push_request.h"
#include "storage/status.h"

namespace sawmill::ingest {

// Decodes [begin, end) into *out. The buffer is modified (strings are unescaped, ids and
// base64 decoded, in place) and *out's views point into it, so it must outlive *out.
// InvalidArgument for malformed JSON, bytes that are not UTF-8, values of the wrong kind, ids
// of the wrong length, values nested deeper than kMaxOtlpValueDepth; the message names the
// place, e.g. `resourceLogs[0].scopeLogs[0].logRecords[3].traceId: must be 32 hex digits`.
// ResourceExhausted past `max_items` records, attributes and values.
Status DecodeOtlpJson(char* begin, char* end, OtlpLogs* out,
                      size_t max_items = kDefaultMaxPushItems);

}  // namespace sawmill::ingest
