// libFuzzer target for the OTLP protobuf (otlp_protobuf.h) decoder and the mapping to Loki's model
// behind it (DecodeOtlpBody): any input either decodes or returns a non-OK Status; never a crash, a
// hang or unbounded memory.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "ingest/otlp_body.h"

namespace {

volatile size_t g_sink;  // keeps the reads below from being optimised away

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  sawmill::ingest::PushRequest req;
  sawmill::ingest::PushBodyLimits limits;
  limits.max_items = 1 << 16;  // the fuzzer's inputs are small; keep the item bound in reach
  sawmill::ingest::OtlpMappingOptions options;
  sawmill::Status s = sawmill::ingest::DecodeOtlpBody("application/x-protobuf", "", body, limits,
                                                      options, 1'700'000'000'000'000'000, &req);
  if (s.ok()) {
    // Touch every view so ASan checks they point into live memory.
    size_t sum = 0;
    for (const auto& stream : req.streams) {
      sum += stream.labels.size();
      for (const auto& e : stream.entries) {
        for (char c : e.line) sum += static_cast<unsigned char>(c);
        for (const auto& [k, v] : e.metadata) {
          for (char c : k) sum += static_cast<unsigned char>(c);
          for (char c : v) sum += static_cast<unsigned char>(c);
        }
      }
    }
    g_sink = sum;
  }
  return 0;
}
