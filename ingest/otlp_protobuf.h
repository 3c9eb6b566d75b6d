// Decodes an OTLP/HTTP protobuf body (`Content-Type: application/x-protobuf`, already
// gunzipped): opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest. A reader of our
// own over proto_wire.h, no libprotobuf.
//
// Messages and field numbers (opentelemetry-proto, logs/v1 and common/v1):
//   ExportLogsServiceRequest { repeated ResourceLogs resource_logs = 1; }
//   ResourceLogs   { Resource resource = 1; repeated ScopeLogs scope_logs = 2; }
//   Resource       { repeated KeyValue attributes = 1; }
//   ScopeLogs      { InstrumentationScope scope = 1; repeated LogRecord log_records = 2; }
//   InstrumentationScope { string name = 1; string version = 2; repeated KeyValue attributes = 3;
//                          uint32 dropped_attributes_count = 4; }
//   LogRecord      { fixed64 time_unix_nano = 1; SeverityNumber severity_number = 2;
//                    string severity_text = 3; AnyValue body = 5;
//                    repeated KeyValue attributes = 6; uint32 dropped_attributes_count = 7;
//                    fixed32 flags = 8; bytes trace_id = 9; bytes span_id = 10;
//                    fixed64 observed_time_unix_nano = 11; }
//   KeyValue       { string key = 1; AnyValue value = 2; }
//   AnyValue       { string string_value = 1; bool bool_value = 2; int64 int_value = 3;
//                    double double_value = 4; ArrayValue array_value = 5;
//                    KeyValueList kvlist_value = 6; bytes bytes_value = 7; }
//   ArrayValue     { repeated AnyValue values = 1; }   KeyValueList { repeated KeyValue values = 1;
//   }
// Unknown fields (schema_url, event_name, anything newer) are skipped. Embedded messages that
// occur twice are merged, as protobuf says; for a scalar the last one wins.
#pragma once

#include <cstddef>
#include <string_view>

#include "ingest/otlp_logs.h"
#include "ingest/push_request.h"
#include "storage/status.h"

namespace sawmill::ingest {

// Decodes `wire` into *out; the views point into `wire`, which must outlive *out. Every
// malformed input is an InvalidArgument naming the message and the byte offset: truncation,
// wrong wire types, lengths past the end, string fields that are not UTF-8 (proto3 requires
// it), trace ids that are not 16 bytes or span ids that are not 8, values nested deeper than
// kMaxOtlpValueDepth. ResourceExhausted past `max_items` records, attributes and values.
Status DecodeOtlpProtobuf(std::string_view wire, OtlpLogs* out,
                          size_t max_items = kDefaultMaxPushItems);

}  // namespace sawmill::ingest
