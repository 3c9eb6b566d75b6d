#include "ingest/push_body.h"

#include <string>
#include <utility>

#include "ingest/gzip.h"
#include "ingest/head_source.h"
#include "ingest/json_push.h"

namespace sawmill::ingest {
namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// "application/json; charset=utf-8" -> "application/json".
std::string_view MediaType(std::string_view content_type) {
  return Trim(content_type.substr(0, content_type.find(';')));
}

Status DecodeDecompressed(std::string_view content_type, std::string body, PushApi api,
                          const PushBodyLimits& limits, PushRequest* out) {
  if (EqualsIgnoreCase(MediaType(content_type), "application/json")) {
    return api == PushApi::kLegacy
               ? DecodeLegacyJsonPushOwned(std::move(body), out, limits.max_items)
               : DecodeJsonPushOwned(std::move(body), out, limits.max_items);
  }
  return DecodeProtobufPush(body, out, limits.max_decompressed, limits.max_items);
}

}  // namespace

Status DecodePushBody(std::string_view content_type, std::string_view content_encoding,
                      std::string_view body, PushApi api, const PushBodyLimits& limits,
                      PushRequest* out) {
  std::string_view encoding = Trim(content_encoding);
  if (encoding.empty() || EqualsIgnoreCase(encoding, "snappy")) {
    if (EqualsIgnoreCase(MediaType(content_type), "application/json")) {
      if (body.size() > limits.max_decompressed) {
        return Status::ResourceExhausted("push body of " + std::to_string(body.size()) +
                                         " bytes is over the limit of " +
                                         std::to_string(limits.max_decompressed));
      }
      return DecodeDecompressed(content_type, std::string(body), api, limits, out);
    }
    SAW_RETURN_IF_ERROR(DecodeProtobufPush(body, out, limits.max_decompressed, limits.max_items));
    out->source_format = kSnappyLogprotoSource;
    out->source = body;
    return Status::OK();
  }
  std::string decompressed;
  if (EqualsIgnoreCase(encoding, "gzip")) {
    SAW_RETURN_IF_ERROR(Gunzip(body, limits.max_decompressed, &decompressed));
  } else if (EqualsIgnoreCase(encoding, "deflate")) {
    SAW_RETURN_IF_ERROR(Inflate(body, limits.max_decompressed, &decompressed));
  } else {
    return Status::InvalidArgument("Content-Encoding \"" + std::string(encoding.substr(0, 64)) +
                                   "\" not supported");
  }
  return DecodeDecompressed(content_type, std::move(decompressed), api, limits, out);
}

}  // namespace sawmill::ingest
