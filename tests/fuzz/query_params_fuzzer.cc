// libFuzzer target for what the query API parses and writes from request bytes: the form
// decoding, Loki's timestamp/duration/limit/direction/step rules, and the JSON string encoder
// that every answer uses (its output must be valid UTF-8 with no raw control bytes, whatever
// the input).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "index/labels.h"
#include "query/engine/response_json.h"
#include "server/handlers/query_params.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  using namespace sawmill;
  (void)server::ParseTimestamp(text, 0);
  (void)server::ParseSecondsOrDuration(text, 0);
  server::Form form;
  if (form.AddEncoded(text).ok()) {
    const int64_t now = 1795111200000000000;
    (void)server::ParseRangeParams(form, now);
    (void)server::ParseInstantParams(form, now);
    (void)server::ParseBounds(form, now);
    (void)form.GetAll("match[]");
  }
  std::string json;
  query::engine::AppendJsonString(&json, text);
  if (json.size() < 2 || json.front() != '"' || json.back() != '"') std::abort();
  if (!index::IsValidUtf8(json)) std::abort();
  for (char c : json) {
    if (static_cast<unsigned char>(c) < 0x20) std::abort();
  }
  return 0;
}
