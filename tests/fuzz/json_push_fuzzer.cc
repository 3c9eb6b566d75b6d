// libFuzzer target for the JSON push decoder: any input either decodes or returns a non-OK
// Status; never a crash, a hang or unbounded memory.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "ingest/json_push.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  sawmill::ingest::PushRequest req;
  sawmill::Status s = sawmill::ingest::DecodeJsonPush(
      std::string_view(reinterpret_cast<const char*>(data), size), &req);
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
    if (sum == 1) return 0;
  }
  return 0;
}
