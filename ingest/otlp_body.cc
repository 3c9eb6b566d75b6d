#include "ingest/otlp_body.h"

#include <algorithm>
#include <string>
#include <utility>

#include "ingest/gzip.h"
#include "ingest/otlp_json.h"
#include "ingest/otlp_logs.h"
#include "ingest/otlp_protobuf.h"

namespace sawmill::ingest {
namespace {

bool EqualsLower(std::string_view s, std::string_view lower) {
  if (s.size() != lower.size()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != lower[i]) return false;
  }
  return true;
}

// The media type without parameters or surrounding spaces.
std::string_view MediaType(std::string_view content_type) {
  std::string_view t = content_type.substr(0, content_type.find(';'));
  while (!t.empty() && (t.front() == ' ' || t.front() == '\t')) t.remove_prefix(1);
  while (!t.empty() && (t.back() == ' ' || t.back() == '\t')) t.remove_suffix(1);
  return t;
}

}  // namespace

Status DecodeOtlpBody(std::string_view content_type, std::string_view content_encoding,
                      std::string_view body, const PushBodyLimits& limits,
                      const OtlpMappingOptions& options, int64_t now_ns, PushRequest* out) {
  out->streams.clear();
  out->storage.clear();
  const std::string_view type = MediaType(content_type);
  const bool protobuf = EqualsLower(type, "application/x-protobuf");
  if (!protobuf && !EqualsLower(type, "application/json")) {
    return Status::InvalidArgument("content type: " + std::string(content_type.substr(0, 100)) +
                                   " is not supported");
  }

  std::string bytes;
  if (EqualsLower(content_encoding, "gzip")) {
    SAW_RETURN_IF_ERROR(Gunzip(body, limits.max_decompressed, &bytes));
  } else if (content_encoding.empty()) {
    if (body.size() > limits.max_decompressed) {
      return Status::ResourceExhausted("OTLP request body of " + std::to_string(body.size()) +
                                       " bytes is larger than the limit of " +
                                       std::to_string(limits.max_decompressed));
    }
    bytes.assign(body);
  } else {
    return Status::InvalidArgument("Content-Encoding \"" +
                                   std::string(content_encoding.substr(0, 100)) +
                                   "\" not supported (gzip or none)");
  }
  // The body lives in out->storage from here on (a deque element never moves), so the
  // decoded views and the entries stay valid as long as *out.
  std::string& owned = out->storage.emplace_back(std::move(bytes));

  OtlpLogs logs;
  if (protobuf) {
    SAW_RETURN_IF_ERROR(DecodeOtlpProtobuf(owned, &logs, limits.max_items));
  } else {
    SAW_RETURN_IF_ERROR(
        DecodeOtlpJson(owned.data(), owned.data() + owned.size(), &logs, limits.max_items));
  }
  OtlpMappingOptions bounded = options;
  bounded.max_items = std::min(options.max_items, limits.max_items);
  return OtlpToPushRequest(logs, bounded, now_ns, out);
}

}  // namespace sawmill::ingest
