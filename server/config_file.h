// The YAML configuration file (-config.file), in Loki's layout:
//
//   auth_enabled: false
//   server:
//     http_listen_port: 3100
//     log_level: info
//   storage:
//     path: /var/lib/sawmill
//   limits_config:
//     max_line_size: 256KB
//     max_entries_limit_per_query: 5000
//
// The file has no settings of its own. Its caller (flags.cc) hands it a ConfigSchema: the
// YAML path of every flag with that flag's setter, so a value means the same in the file as
// on the command line, plus sections whose keys another table owns (limits_config: the
// per-tenant limits of ingest/limits_yaml.h, shared with the runtime overrides file).
//
// Strict, as Loki's YAML decoding is: an unknown key, a duplicate key, a list or mapping
// where a value belongs, or a value its setter refuses is an error naming the line, column
// and path: "line 3, col 3: server.http_listen_prt: field not found". A key with no value
// (`log_level:`) leaves the setting as it was.
//
// With -config.expand-env=true (Loki's flag), ${VAR} and ${VAR:-default} are replaced in the
// file's text before it is parsed (ExpandEnv).
//
// Every function here is a pure function of its arguments; thread-compatible.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "storage/result.h"

namespace YAML {
class Node;
}

namespace sawmill::server {

struct ConfigSchema {
  // A scalar the file may set at `path` ("server.http_listen_port").
  struct Key {
    std::string path;
    std::function<Status(std::string_view text)> set;
  };
  // A mapping at `path` ("limits_config") whose keys are first offered to `apply`, then to
  // the Keys under that path. `apply` returns NotFound for a key it does not know; its other
  // errors name the line and column themselves (`key_path` is the full dotted path).
  struct Section {
    std::string path;
    std::function<Status(std::string_view key, const YAML::Node& value, std::string_view key_path)>
        apply;
  };
  std::vector<Key> keys;
  std::vector<Section> sections;
};

// (path, text) of each scalar applied, in the order applied.
using AppliedValues = std::vector<std::pair<std::string, std::string>>;

// Replaces ${NAME} by the variable's value (empty when unset, as Loki does) and
// ${NAME:-default} by the value, or `default` when it is unset or empty. NAME is
// [A-Za-z_][A-Za-z0-9_]*. A '$' not followed by '{' stays as it is. InvalidArgument naming
// the line for an unterminated "${" or a bad name. `lookup` returns nullopt for unset.
Result<std::string> ExpandEnv(
    std::string_view text,
    const std::function<std::optional<std::string>(const std::string& name)>& lookup);

// The process environment, for ExpandEnv.
std::optional<std::string> GetEnv(const std::string& name);

// Parses `yaml` and applies every value through `schema`. On error the settings applied
// before it stay applied (the caller discards them). `applied` may be null.
Status ApplyConfigYaml(std::string_view yaml, const ConfigSchema& schema, AppliedValues* applied);

// The values as a YAML document, nested by their dotted paths in the order given (a path
// given twice keeps its first place and its last value). Values whose last path segment
// names a password, secret or token (not a file of them) are shown as "********".
std::string RenderConfigYaml(const AppliedValues& values);
// As above, plus `documents`: (path, YAML text) pairs, each shown as that YAML node at its
// path (a mapping or list such as limits_config.otlp_config), placed after the values.
std::string RenderConfigYaml(const AppliedValues& values, const AppliedValues& documents);

}  // namespace sawmill::server
