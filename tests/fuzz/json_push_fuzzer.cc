// libFuzzer target for the JSON push decoders (v1 and legacy, each input through both): any
// input either decodes or returns a non-OK Status; never a crash, a hang or unbounded memory.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "ingest/json_push.h"

namespace {

volatile size_t g_sink;  // keeps the reads below from being optimised away

void Check(const sawmill::Status& s, const sawmill::ingest::PushRequest& req) {
  if (s.ok()) {
    // Touch every view so ASan checks they point into live memory.
    size_t sum = 0;
    for (const auto& stream : req.streams) {
      sum += stream.labels.size();
      for (const auto& e : stream.entries) {
        for (char c : e.line) sum += static_cast<unsigned char>(c);
        for (const auto& [k, v] : e.metadata) sum += k.size() + v.size();
      }
    }
    g_sink = sum;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  sawmill::ingest::PushRequest req;
  Check(sawmill::ingest::DecodeJsonPush(body, &req), req);
  sawmill::ingest::PushRequest legacy;
  Check(sawmill::ingest::DecodeLegacyJsonPush(body, &legacy), legacy);
  return 0;
}
