// libFuzzer target for the OTLP protobuf (otlp_protobuf.h) decoder and the mapping to Loki's model
// behind it (DecodeOtlpBody): any input either decodes or returns a non-OK Status; never a crash, a
// hang or unbounded memory. Each input is mapped twice: with Loki's defaults, and with an
// otlp_config that makes every log attribute and the severity text index labels (records
// split into streams of their own).
#include <re2/re2.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "ingest/otlp_body.h"
#include "ingest/otlp_config.h"

namespace {

volatile size_t g_sink;  // keeps the reads below from being optimised away

std::shared_ptr<const sawmill::ingest::OtlpConfig> LogLabelsConfig() {
  auto config = std::make_shared<sawmill::ingest::OtlpConfig>();
  sawmill::ingest::OtlpAttributeRule all;
  all.action = sawmill::ingest::OtlpAction::kIndexLabel;
  all.regex = std::make_shared<const re2::RE2>(".*");
  config->log_attributes.push_back(std::move(all));
  config->severity_text_as_label = true;
  return config;
}

void Map(std::string_view body, std::shared_ptr<const sawmill::ingest::OtlpConfig> config) {
  sawmill::ingest::PushRequest req;
  sawmill::ingest::PushBodyLimits limits;
  limits.max_items = 1 << 16;  // the fuzzer's inputs are small; keep the item bound in reach
  sawmill::ingest::OtlpMappingOptions options;
  options.config = std::move(config);
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
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::shared_ptr<const sawmill::ingest::OtlpConfig> kLogLabels = LogLabelsConfig();
  std::string_view body(reinterpret_cast<const char*>(data), size);
  Map(body, nullptr);
  Map(body, kLogLabels);
  return 0;
}
