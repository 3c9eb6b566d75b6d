// libFuzzer target for the protobuf push decoder. The first input byte picks the path: odd
// feeds the rest as Snappy-compressed bytes (DecodeProtobufPush, with a 1 MiB cap), even
// feeds it as raw logproto wire bytes (DecodeLogprotoPush), so the fuzzer reaches the wire
// reader without having to produce valid Snappy.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "ingest/protobuf_push.h"

volatile size_t g_sink;  // keeps the reads of every view from being optimised away

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  sawmill::ingest::PushRequest req;
  sawmill::Status s = (data[0] & 1)
                          ? sawmill::ingest::DecodeProtobufPush(rest, &req, size_t{1} << 20)
                          : sawmill::ingest::DecodeLogprotoPush(std::string(rest), &req);
  if (s.ok()) {
    size_t sum = 0;
    for (const auto& stream : req.streams) {
      for (char c : stream.labels) sum += static_cast<unsigned char>(c);
      for (const auto& e : stream.entries) {
        for (char c : e.line) sum += static_cast<unsigned char>(c);
        for (const auto& [k, v] : e.metadata) sum += k.size() + v.size();
      }
    }
    // Re-encoding what was decoded and decoding it again gives the same entries.
    sawmill::ingest::PushRequest again;
    if (!sawmill::ingest::DecodeLogprotoPush(sawmill::ingest::EncodeLogprotoPush(req), &again)
             .ok() ||
        again.EntryCount() != req.EntryCount()) {
      __builtin_trap();
    }
    g_sink = sum;
  }
  return 0;
}
