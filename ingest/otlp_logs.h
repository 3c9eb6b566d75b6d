// OtlpLogs: one decoded OTLP ExportLogsServiceRequest, independent of its encoding (protobuf
// or OTLP's JSON mapping). The decoders (otlp_protobuf.h, otlp_json.h) fill it; otlp_mapping.h
// turns it into a PushRequest the way Loki's distributor does.
//
// Only what Loki reads is kept (opentelemetry/proto/logs/v1/logs.proto, common/v1/common.proto):
//   ResourceLogs { Resource resource; repeated ScopeLogs scope_logs; }
//   Resource     { repeated KeyValue attributes; }
//   ScopeLogs    { InstrumentationScope scope; repeated LogRecord log_records; }
//   InstrumentationScope { string name; string version; repeated KeyValue attributes;
//                          uint32 dropped_attributes_count; }
//   LogRecord    { fixed64 time_unix_nano; fixed64 observed_time_unix_nano;
//                  SeverityNumber severity_number; string severity_text; AnyValue body;
//                  repeated KeyValue attributes; uint32 dropped_attributes_count;
//                  fixed32 flags; bytes trace_id (16); bytes span_id (8); }
//   AnyValue     { oneof { string, bool, int64, double, ArrayValue, KeyValueList, bytes } }
//
// Lifetime: every string_view points into bytes the caller owns (the request body, or bytes
// the decoder owned in the PushRequest it was given); the views die with those bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace sawmill::ingest {

// Nesting bound of AnyValue (arrays and key-value lists inside each other) in both decoders,
// so that a hostile body cannot exhaust the stack. Real attributes nest a few levels.
inline constexpr int kMaxOtlpValueDepth = 64;

// What the decoders charge against the request's item budget (push_request.h), in units of
// a decoded push entry (~50 bytes): a value or key-value pair takes ~100-120 bytes decoded, a
// record ~200. An empty key-value pair is 2 bytes on the wire, so the budget, not the body
// size, is what bounds the memory of a hostile body (4 Mi items: ~250 MB at most).
inline constexpr size_t kOtlpValueItems = 2;
inline constexpr size_t kOtlpRecordItems = 4;

struct OtlpKeyValue;

struct OtlpValue {
  enum class Kind : uint8_t { kEmpty, kString, kBool, kInt, kDouble, kArray, kKvList, kBytes };
  Kind kind = Kind::kEmpty;
  bool bool_value = false;
  int64_t int_value = 0;
  double double_value = 0;
  std::string_view bytes;            // kString (UTF-8) and kBytes (raw bytes)
  std::vector<OtlpValue> array;      // kArray
  std::vector<OtlpKeyValue> kvlist;  // kKvList, in the order received
};

struct OtlpKeyValue {
  std::string_view key;
  OtlpValue value;
};

struct OtlpLogRecord {
  uint64_t time_unix_nano = 0;
  uint64_t observed_time_unix_nano = 0;
  int32_t severity_number = 0;  // 0: SEVERITY_NUMBER_UNSPECIFIED
  std::string_view severity_text;
  OtlpValue body;
  std::vector<OtlpKeyValue> attributes;
  uint32_t dropped_attributes_count = 0;
  uint32_t flags = 0;
  std::string_view trace_id;  // raw bytes: empty or 16
  std::string_view span_id;   // raw bytes: empty or 8
};

struct OtlpScopeLogs {
  std::string_view scope_name;
  std::string_view scope_version;
  std::vector<OtlpKeyValue> scope_attributes;
  uint32_t scope_dropped_attributes_count = 0;
  std::vector<OtlpLogRecord> log_records;
};

struct OtlpResourceLogs {
  std::vector<OtlpKeyValue> resource_attributes;
  std::vector<OtlpScopeLogs> scope_logs;
};

struct OtlpLogs {
  std::vector<OtlpResourceLogs> resource_logs;
};

}  // namespace sawmill::ingest
