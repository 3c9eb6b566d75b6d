// libFuzzer target for the runtime overrides file parser (ingest/limits_yaml.h): any input
// parses or returns InvalidArgument (yaml-cpp's exceptions never escape), and what parses
// only holds tenants with limits.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "ingest/limits_yaml.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto parsed = sawmill::ingest::ParseRuntimeConfig(in, sawmill::ingest::PushLimits());
  if (!parsed.ok() && parsed.status().code() != sawmill::StatusCode::kInvalidArgument) {
    __builtin_trap();
  }
  if (parsed.ok()) {
    for (const auto& [tenant, limits] : *parsed) {
      if (tenant.empty()) __builtin_trap();
    }
  }
  return 0;
}
