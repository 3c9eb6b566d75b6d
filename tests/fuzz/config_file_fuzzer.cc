// libFuzzer target for the configuration file loader (server/config_file.h): environment
// expansion, the strict YAML walk and the /config rendering. Any input is applied or refused
// with InvalidArgument (yaml-cpp's exceptions never escape), and whatever was applied renders.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <yaml-cpp/yaml.h>

#include "ingest/limits_yaml.h"
#include "server/config_file.h"

namespace {

using sawmill::Status;
using sawmill::StatusCode;

Status Check(const Status& s) {
  if (!s.ok() && s.code() != StatusCode::kInvalidArgument) __builtin_trap();
  return s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto expanded = sawmill::server::ExpandEnv(in, [](const std::string& name) {
    return name == "SET" ? std::optional<std::string>("3100") : std::nullopt;
  });
  (void)Check(expanded.status());
  if (!expanded.ok()) return 0;

  // A schema shaped like the server's: scalars at several depths and a limits section.
  std::string text;
  sawmill::ingest::PushLimits limits;
  sawmill::server::ConfigSchema schema;
  for (const char* path :
       {"auth_enabled", "server.http_listen_port", "server.log_level",
        "server.http_tls_config.cert_file", "limits_config.query_timeout", "storage.path"}) {
    schema.keys.push_back({path, [&text](std::string_view v) {
                             if (v == "bad") return Status::InvalidArgument("bad value");
                             text.assign(v);
                             return Status::OK();
                           }});
  }
  schema.sections.push_back(
      {"limits_config",
       [&limits](std::string_view key, const YAML::Node& value, std::string_view path) {
         return sawmill::ingest::ApplyLimitYaml(key, value, path, &limits);
       }});
  sawmill::server::AppliedValues applied;
  (void)Check(sawmill::server::ApplyConfigYaml(*expanded, schema, &applied));
  const std::string yaml = sawmill::server::RenderConfigYaml(applied);
  if (yaml.empty()) __builtin_trap();
  return 0;
}
