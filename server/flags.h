// The command line of the `sawmill` binary, in Loki's style: single-dash dotted names, a
// double dash also accepted, values after '=' or as the next argument:
//
//   sawmill -server.http-listen-port=3100 --storage.path /var/lib/sawmill -log.level debug
//
// Boolean flags (-version, -help) take no separate value (but accept -version=true). Errors
// use Go's flag package wording: "flag provided but not defined: -foo".
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "ingest/limits.h"
#include "server/auth.h"
#include "server/delete_options.h"
#include "server/log.h"
#include "server/query_limits.h"
#include "storage/compression.h"
#include "storage/result.h"
#include "storage/store.h"
#include "storage/units.h"

namespace sawmill::server {

struct Config {
  std::string listen_address = "127.0.0.1";
  uint16_t listen_port = 3100;  // 0 picks a free port
  std::string tls_cert_file;    // both set: HTTPS (server.http_tls_config)
  std::string tls_key_file;
  // Where and how the store keeps data (its data_dir defaults to ./data, retention to 0,
  // which keeps everything).
  storage::StoreOptions store;
  // What a push may carry (Loki's validation, rate and stream limits): every tenant's
  // defaults. The runtime config file overrides them per tenant.
  ingest::PushLimits limits;
  // What a query may ask for (Loki's query limits).
  QueryLimits query_limits;
  DeleteOptions deletes;  // log entry deletion (the delete API)
  // Loki's querier.multi_tenant_queries_enabled: X-Scope-OrgID "a|b" queries both tenants.
  bool multi_tenant_queries = false;
  std::string runtime_config_file;  // empty: no per-tenant overrides
  std::chrono::nanoseconds runtime_config_reload_period = std::chrono::seconds(10);
  LogLevel log_level = LogLevel::kInfo;
  AuthOptions auth;                // multi-tenancy and credentials (auth.h); all off by default
  std::string config_file;         // -config.file; empty: flags and defaults only
  bool config_expand_env = false;  // -config.expand-env
  // The configuration in force, as GET /config shows it: a YAML document of every setting
  // the file can hold (ParseFlags fills it).
  std::string effective_yaml;
  // Lifecycle (Loki's -server.graceful-shutdown-timeout and -shutdown-delay): after SIGTERM,
  // /ready answers 503 for shutdown_delay while everything else is still served; then the
  // server stops accepting, lets requests in flight finish, flushes the heads and closes the
  // store, all within graceful_shutdown_timeout (past it the process exits at once; the WAL
  // keeps every acknowledged write).
  std::chrono::milliseconds graceful_shutdown_timeout = std::chrono::seconds(30);
  std::chrono::milliseconds shutdown_delay{0};
  // /metrics and the request metrics (Loki's -server.register-instrumentation).
  bool register_instrumentation = true;
  // The access log line of each request at info rather than debug level (Loki's
  // -server.log-request-at-info-level-enabled).
  bool log_requests_at_info = false;
  bool show_version = false;
  bool show_help = false;
};

// Parses argv[1..argc). When -config.file names a file, the file (config_file.h) is applied
// first and the other flags override it, whatever their order. Returns InvalidArgument naming
// the flag on an unknown flag, a missing value, a bad value or a positional argument, and
// naming the file, line, column and key when the file cannot be read or is invalid.
Result<Config> ParseFlags(int argc, const char* const* argv);

// The -help text: every flag with its description and default.
std::string FlagsUsage();

// The size and duration syntax of the flags (storage/units.h), under the names the server
// has always used.
using ::sawmill::ParseBytes;
using ::sawmill::ParseDuration;

}  // namespace sawmill::server
