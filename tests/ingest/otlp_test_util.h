// A tiny OTLP protobuf encoder for tests and benchmarks: each function returns the bytes of
// one message (or of one field holding it), so a request reads as nested calls:
//
//   Request({ResourceLogs({Attr("service.name", Str("api"))},
//                         {ScopeLogs("lib", "1.0", {}, {Record({.time = 1, .body =
//                         Str("hi")})})})})
#pragma once

#include <bit>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/proto_wire.h"

namespace sawmill::otlp_test {

using ingest::PutProtoBytesField;
using ingest::PutProtoFixed32Field;
using ingest::PutProtoFixed64Field;
using ingest::PutProtoVarintField;

// AnyValue messages.
inline std::string Str(std::string_view s) {
  std::string m;
  PutProtoBytesField(&m, 1, s);
  return m;
}
inline std::string Bool(bool b) {
  std::string m;
  PutProtoVarintField(&m, 2, b ? 1 : 0);
  return m;
}
inline std::string Int(int64_t v) {
  std::string m;
  PutProtoVarintField(&m, 3, static_cast<uint64_t>(v));
  return m;
}
inline std::string Double(double v) {
  std::string m;
  PutProtoFixed64Field(&m, 4, std::bit_cast<uint64_t>(v));
  return m;
}
inline std::string Bytes(std::string_view b) {
  std::string m;
  PutProtoBytesField(&m, 7, b);
  return m;
}
inline std::string Array(const std::vector<std::string>& values) {
  std::string inner;
  for (const std::string& v : values) PutProtoBytesField(&inner, 1, v);
  std::string m;
  PutProtoBytesField(&m, 5, inner);
  return m;
}
// KeyValue message.
inline std::string Attr(std::string_view key, const std::string& any_value) {
  std::string m;
  PutProtoBytesField(&m, 1, key);
  PutProtoBytesField(&m, 2, any_value);
  return m;
}
inline std::string KvList(const std::vector<std::string>& attrs) {
  std::string inner;
  for (const std::string& a : attrs) PutProtoBytesField(&inner, 1, a);
  std::string m;
  PutProtoBytesField(&m, 6, inner);
  return m;
}

struct RecordSpec {
  uint64_t time = 0;
  uint64_t observed = 0;
  int severity_number = 0;
  std::string severity_text{};
  std::string body{};  // an AnyValue message; empty: no body
  std::vector<std::string> attrs{};
  uint32_t flags = 0;
  std::string trace_id{};  // raw bytes
  std::string span_id{};
  uint32_t dropped = 0;
};

inline std::string Record(const RecordSpec& r) {
  std::string m;
  if (r.time != 0) PutProtoFixed64Field(&m, 1, r.time);
  if (r.severity_number != 0) PutProtoVarintField(&m, 2, static_cast<uint64_t>(r.severity_number));
  if (!r.severity_text.empty()) PutProtoBytesField(&m, 3, r.severity_text);
  if (!r.body.empty()) PutProtoBytesField(&m, 5, r.body);
  for (const std::string& a : r.attrs) PutProtoBytesField(&m, 6, a);
  if (r.dropped != 0) PutProtoVarintField(&m, 7, r.dropped);
  if (r.flags != 0) PutProtoFixed32Field(&m, 8, r.flags);
  if (!r.trace_id.empty()) PutProtoBytesField(&m, 9, r.trace_id);
  if (!r.span_id.empty()) PutProtoBytesField(&m, 10, r.span_id);
  if (r.observed != 0) PutProtoFixed64Field(&m, 11, r.observed);
  return m;
}

inline std::string ScopeLogs(std::string_view name, std::string_view version,
                             const std::vector<std::string>& attrs,
                             const std::vector<std::string>& records) {
  std::string scope;
  if (!name.empty()) PutProtoBytesField(&scope, 1, name);
  if (!version.empty()) PutProtoBytesField(&scope, 2, version);
  for (const std::string& a : attrs) PutProtoBytesField(&scope, 3, a);
  std::string m;
  PutProtoBytesField(&m, 1, scope);
  for (const std::string& r : records) PutProtoBytesField(&m, 2, r);
  return m;
}

inline std::string ResourceLogs(const std::vector<std::string>& attrs,
                                const std::vector<std::string>& scope_logs) {
  std::string resource;
  for (const std::string& a : attrs) PutProtoBytesField(&resource, 1, a);
  std::string m;
  PutProtoBytesField(&m, 1, resource);
  for (const std::string& s : scope_logs) PutProtoBytesField(&m, 2, s);
  return m;
}

inline std::string Request(const std::vector<std::string>& resource_logs) {
  std::string m;
  for (const std::string& r : resource_logs) PutProtoBytesField(&m, 1, r);
  return m;
}

}  // namespace sawmill::otlp_test
