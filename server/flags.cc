#include "server/flags.h"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <fstream>
#include <functional>
#include <limits>
#include <sstream>
#include <vector>

#include <yaml-cpp/yaml.h>
#include <boost/asio/ip/address.hpp>

#include "ingest/limits_yaml.h"
#include "ingest/otlp_config.h"
#include "server/config_file.h"

namespace sawmill::server {
namespace {

struct Flag {
  std::string_view name;
  std::string_view alias;  // another accepted name, or empty
  std::string_view type;   // shown in -help; empty for a boolean flag
  std::string_view help;
  std::string_view default_text;  // shown in -help; empty for none
  std::function<Status(std::string_view value, Config* config)> set;
  // Where the configuration file (-config.file) sets it: Loki's YAML path where Loki has
  // one ("server.http_listen_port"); empty when the file cannot set it. The file's values go
  // through `set` too (config_file.h).
  std::string_view yaml = {};
};

Status SetPort(std::string_view value, Config* config) {
  unsigned port = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), port);
  if (ec != std::errc() || end != value.data() + value.size() || port > 65535) {
    return Status::InvalidArgument("want a port number between 0 and 65535");
  }
  config->listen_port = static_cast<uint16_t>(port);
  return Status::OK();
}

Status SetAddress(std::string_view value, Config* config) {
  boost::system::error_code ec;
  boost::asio::ip::make_address(std::string(value), ec);
  if (ec) return Status::InvalidArgument("want an IP address such as 127.0.0.1 or ::");
  config->listen_address = std::string(value);
  return Status::OK();
}

Status SetBool(std::string_view value, bool* out) {
  if (value == "true" || value == "1") {
    *out = true;
  } else if (value == "false" || value == "0") {
    *out = false;
  } else {
    return Status::InvalidArgument("want true or false");
  }
  return Status::OK();
}

Status SetBytes(std::string_view value, uint64_t min, size_t* out) {
  Result<uint64_t> b = ParseBytes(value);
  if (!b.ok()) return b.status();
  if (*b < min) return Status::InvalidArgument("want at least " + std::to_string(min) + " bytes");
  *out = static_cast<size_t>(*b);
  return Status::OK();
}

Status SetCount(std::string_view value, size_t* out) {
  uint64_t n = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
  if (ec != std::errc() || end != value.data() + value.size()) {
    return Status::InvalidArgument("want a non-negative integer");
  }
  *out = static_cast<size_t>(n);
  return Status::OK();
}

Status SetMegabytes(std::string_view value, double* out) {
  double x = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), x);
  if (ec != std::errc() || end != value.data() + value.size() || !std::isfinite(x) || x < 0) {
    return Status::InvalidArgument("want a number of megabytes, at least 0");
  }
  *out = x;
  return Status::OK();
}

template <typename Duration>
Status SetDuration(std::string_view value, Duration* out, bool allow_zero = false) {
  Result<std::chrono::nanoseconds> d = ParseDuration(value);
  if (!d.ok()) return d.status();
  if (d->count() < 0 || (d->count() == 0 && !allow_zero)) {
    return Status::InvalidArgument("want a duration above zero");
  }
  *out = std::chrono::duration_cast<Duration>(*d);
  return Status::OK();
}

const std::vector<Flag>& Flags() {
  static const std::vector<Flag> flags = {
      {"server.http-listen-address", "", "string", "HTTP server listen address.", "127.0.0.1",
       SetAddress, "server.http_listen_address"},
      {"server.http-listen-port", "", "int", "HTTP server listen port (0 picks a free port).",
       "3100", SetPort, "server.http_listen_port"},
      {"server.http-tls-cert-path", "", "string",
       "PEM certificate (chain) file; with -server.http-tls-key-path the server speaks HTTPS.", "",
       [](std::string_view v, Config* c) {
         c->tls_cert_file = std::string(v);
         return Status::OK();
       },
       "server.http_tls_config.cert_file"},
      {"server.http-tls-key-path", "", "string", "PEM private key file of that certificate.", "",
       [](std::string_view v, Config* c) {
         c->tls_key_file = std::string(v);
         return Status::OK();
       },
       "server.http_tls_config.key_file"},
      {"storage.path", "data.dir", "string", "Directory where Sawmill keeps its data.", "./data",
       [](std::string_view v, Config* c) {
         if (v.empty()) return Status::InvalidArgument("want a directory");
         c->store.data_dir = std::string(v);
         return Status::OK();
       },
       "storage.path"},
      {"storage.sync-policy", "", "string",
       "When writes are fsynced: fsync (every write) or group-commit (batched).", "group-commit",
       [](std::string_view v, Config* c) {
         Result<storage::SyncPolicy> p = storage::ParseSyncPolicy(v);
         if (!p.ok()) return p.status();
         c->store.sync = *p;
         return Status::OK();
       },
       "storage.sync_policy"},
      {"storage.encoding", "ingester.chunk-encoding", "string",
       "Chunk block compression: snappy, zstd, lz4 or none.", "snappy",
       [](std::string_view v, Config* c) {
         Result<storage::Encoding> e = storage::ParseEncoding(v);
         if (!e.ok()) return e.status();
         c->store.chunk.encoding = *e;
         return Status::OK();
       },
       "storage.encoding"},
      {"retention.period", "", "duration",
       "How long to keep logs, such as 744h or 30d; 0 keeps them forever.", "0s",
       [](std::string_view v, Config* c) {
         Result<std::chrono::nanoseconds> d = ParseDuration(v);
         if (!d.ok()) return d.status();
         c->store.retention = *d;
         return Status::OK();
       },
       "retention.period"},
      {"compactor.delete-request-cancel-period", "", "duration",
       "How long a delete request can be cancelled before its lines are removed from storage.",
       "24h",
       [](std::string_view v, Config* c) {
         Result<std::chrono::nanoseconds> d = ParseDuration(v);
         if (!d.ok()) return d.status();
         c->deletes.cancel_period = *d;
         return Status::OK();
       },
       "compactor.delete_request_cancel_period"},
      {"compactor.delete-purge-blob-files", "", "",
       "After a delete request is processed, rewrite the chunk blob files so the deleted lines "
       "leave the disk at once (a rewrite of all chunk bytes); false leaves it to blob GC.",
       "true",
       [](std::string_view v, Config* c) { return SetBool(v, &c->deletes.purge_blob_files); },
       "compactor.delete_purge_blob_files"},
      {"storage.block-cache-size", "", "bytes", "RocksDB block cache size.", "64MiB",
       [](std::string_view v, Config* c) { return SetBytes(v, 1, &c->store.block_cache_bytes); },
       "storage.block_cache_size"},
      {"storage.write-buffer-size", "", "bytes",
       "Memory for RocksDB memtables, all column families together (flushed to disk past it).",
       "64MiB",
       [](std::string_view v, Config* c) {
         return SetBytes(v, 1 << 20, &c->store.write_buffer_bytes);
       },
       "storage.write_buffer_size"},
      {"storage.group-commit-interval", "", "duration",
       "With group-commit, the longest a write waits for the shared fsync.", "2ms",
       [](std::string_view v, Config* c) {
         return SetDuration(v, &c->store.group_commit_interval);
       },
       "storage.group_commit_interval"},
      {"ingester.chunk-block-size", "", "bytes",
       "Uncompressed bytes of lines per chunk block (blocks are compressed one by one).", "256KiB",
       [](std::string_view v, Config* c) {
         return SetBytes(v, 1, &c->store.chunk.block_target_bytes);
       },
       "ingester.chunk_block_size"},
      {"ingester.chunk-target-size", "", "bytes",
       "Uncompressed bytes at which a stream's head is flushed into a chunk.", "1536KiB",
       [](std::string_view v, Config* c) { return SetBytes(v, 1, &c->store.chunk_target_bytes); },
       "ingester.chunk_target_size"},
      {"ingester.head-bytes-budget", "", "bytes",
       "Memory all streams' heads may take together; past it, heads of at least one chunk "
       "block are flushed early (smaller chunks instead of more memory), and past 8 times "
       "it heads of any size. 0: no budget.",
       "64MiB",
       [](std::string_view v, Config* c) { return SetBytes(v, 0, &c->store.head_bytes_budget); },
       "ingester.head_bytes_budget"},
      {"ingester.chunk-idle-period", "", "duration",
       "Flush a stream's head after it received nothing for this long.", "30m",
       [](std::string_view v, Config* c) { return SetDuration(v, &c->store.chunk_idle); },
       "ingester.chunk_idle_period"},
      {"ingester.max-chunk-age", "", "duration", "Flush a stream's head at this age.", "2h",
       [](std::string_view v, Config* c) { return SetDuration(v, &c->store.chunk_max_age); },
       "ingester.max_chunk_age"},
      {"ingester.out-of-order-window", "", "duration",
       "How far behind a stream's newest entry an entry may be and still be accepted.", "1h",
       [](std::string_view v, Config* c) { return SetDuration(v, &c->store.out_of_order_window); },
       "ingester.out_of_order_window"},
      {"distributor.max-line-size", "validation.max-line-size", "bytes",
       "Longest accepted log line; 0 accepts any.", "256KB",
       [](std::string_view v, Config* c) { return SetBytes(v, 0, &c->limits.max_line_size); },
       "limits_config.max_line_size"},
      {"distributor.max-line-size-truncate", "", "",
       "Truncate lines over the limit instead of refusing them.", "false",
       [](std::string_view v, Config* c) { return SetBool(v, &c->limits.truncate_lines); },
       "limits_config.max_line_size_truncate"},
      {"validation.max-label-names-per-series", "", "int", "Most labels a stream may have.", "15",
       [](std::string_view v, Config* c) { return SetBytes(v, 1, &c->limits.max_label_names); },
       "limits_config.max_label_names_per_series"},
      {"validation.max-length-label-name", "", "int", "Longest accepted label name.", "1024",
       [](std::string_view v, Config* c) { return SetCount(v, &c->limits.max_label_name_length); },
       "limits_config.max_label_name_length"},
      {"validation.max-length-label-value", "", "int", "Longest accepted label value.", "2048",
       [](std::string_view v, Config* c) { return SetCount(v, &c->limits.max_label_value_length); },
       "limits_config.max_label_value_length"},
      {"validation.reject-old-samples", "", "",
       "Refuse entries older than -validation.reject-old-samples.max-age.", "true",
       [](std::string_view v, Config* c) { return SetBool(v, &c->limits.reject_old_samples); },
       "limits_config.reject_old_samples"},
      {"validation.reject-old-samples.max-age", "", "duration",
       "Oldest accepted entry, measured back from now.", "168h",
       [](std::string_view v, Config* c) {
         return SetDuration(v, &c->limits.reject_old_samples_max_age);
       },
       "limits_config.reject_old_samples_max_age"},
      {"validation.create-grace-period", "", "duration",
       "How far in the future an entry's timestamp may be.", "10m",
       [](std::string_view v, Config* c) {
         return SetDuration(v, &c->limits.creation_grace_period, /*allow_zero=*/true);
       },
       "limits_config.creation_grace_period"},
      {"validation.max-entries-limit", "", "int",
       "Most entries a log query may return (its limit); 0 for no limit.", "5000",
       [](std::string_view v, Config* c) {
         return SetCount(v, &c->query_limits.max_entries_per_query);
       },
       "limits_config.max_entries_limit_per_query"},
      {"store.max-query-length", "", "duration",
       "Longest time range a query may cover; 0 for no limit.", "721h",
       [](std::string_view v, Config* c) {
         return SetDuration(v, &c->query_limits.max_query_length, /*allow_zero=*/true);
       },
       "limits_config.max_query_length"},
      {"querier.max-query-series", "", "int", "Most series a metric query may return.", "500",
       [](std::string_view v, Config* c) { return SetCount(v, &c->query_limits.max_query_series); },
       "limits_config.max_query_series"},
      {"querier.query-timeout", "", "duration", "Time after which a query is cancelled.", "1m",
       [](std::string_view v, Config* c) { return SetDuration(v, &c->query_limits.query_timeout); },
       "limits_config.query_timeout"},
      {"querier.max-concurrent", "", "int",
       "Queries that may run at once (more answer 429); 0 means twice the hardware threads.", "0",
       [](std::string_view v, Config* c) { return SetCount(v, &c->query_limits.max_concurrent); },
       "querier.max_concurrent"},
      {"query-scheduler.max-outstanding-requests-per-tenant", "", "int",
       "Queries that may wait for a -querier.max-concurrent slot (one queue for all tenants); "
       "more answer 429 'too many outstanding requests'. At most 4096.",
       "100",
       [](std::string_view v, Config* c) {
         SAW_RETURN_IF_ERROR(SetCount(v, &c->query_limits.max_outstanding));
         if (c->query_limits.max_outstanding > kMaxOutstandingLimit) {
           return Status::InvalidArgument("want at most " + std::to_string(kMaxOutstandingLimit));
         }
         return Status::OK();
       },
       "query_scheduler.max_outstanding_requests_per_tenant"},
      {"querier.max-query-memory", "", "bytes",
       "Bytes of lines, samples and series a query may hold while it runs; past it the query "
       "fails with 400. 0 for no limit.",
       "1GiB",
       [](std::string_view v, Config* c) {
         size_t n = 0;
         SAW_RETURN_IF_ERROR(SetBytes(v, 0, &n));
         c->query_limits.max_query_memory = n;
         return Status::OK();
       },
       "querier.max_query_memory"},
      {"querier.multi-tenant-queries-enabled", "", "",
       "Let one query read several tenants (X-Scope-OrgID a|b, streams get __tenant_id__).",
       "false", [](std::string_view v, Config* c) { return SetBool(v, &c->multi_tenant_queries); },
       "querier.multi_tenant_queries_enabled"},
      {"querier.max-concurrent-tail-requests", "", "int",
       "Tails (GET /loki/api/v1/tail) a tenant may have open at once; 0 for no limit.", "10",
       [](std::string_view v, Config* c) {
         return SetCount(v, &c->query_limits.max_concurrent_tail_requests);
       },
       "limits_config.max_concurrent_tail_requests"},
      {"distributor.ingestion-rate-limit-mb", "", "float",
       "Per-tenant ingestion rate limit in MB/s of log lines (MB = 2^20 bytes); 0 = no limit.", "0",
       [](std::string_view v, Config* c) { return SetMegabytes(v, &c->limits.ingestion_rate_mb); },
       "limits_config.ingestion_rate_mb"},
      {"distributor.ingestion-burst-size-mb", "", "float",
       "Per-tenant ingestion burst size in MB; a push larger than this is always refused "
       "while a rate limit is set.",
       "6",
       [](std::string_view v, Config* c) {
         return SetMegabytes(v, &c->limits.ingestion_burst_size_mb);
       },
       "limits_config.ingestion_burst_size_mb"},
      {"ingester.max-streams-per-user", "", "int",
       "Most active streams per tenant (local limit); 0 = no limit.", "0",
       [](std::string_view v, Config* c) { return SetCount(v, &c->limits.max_streams_per_user); },
       "limits_config.max_streams_per_user"},
      {"ingester.max-global-streams-per-user", "", "int",
       "Most active streams per tenant (global limit; with one server, the same count as the "
       "local one, the smaller non-zero limit applies); 0 = no limit.",
       "200000",
       [](std::string_view v, Config* c) {
         return SetCount(v, &c->limits.max_global_streams_per_user);
       },
       "limits_config.max_global_streams_per_user"},
      {"compactor.deletion-mode", "", "string",
       "Log deletion: disabled, filter-only (queries hide deleted lines) or filter-and-delete "
       "(and they are removed from storage).",
       "filter-and-delete",
       [](std::string_view v, Config* c) {
         Result<DeletionMode> m = ParseDeletionMode(v);
         if (!m.ok()) return m.status();
         c->limits.deletion_mode = *m;
         return Status::OK();
       },
       "limits_config.deletion_mode"},
      {"runtime-config.file", "", "string",
       "YAML file of per-tenant limit overrides (overrides: {tenant: {limit: value}}), "
       "reloaded while running.",
       "",
       [](std::string_view v, Config* c) {
         c->runtime_config_file = std::string(v);
         return Status::OK();
       },
       "runtime_config.file"},
      {"runtime-config.reload-period", "", "duration",
       "How often the runtime config file is read again.", "10s",
       [](std::string_view v, Config* c) {
         return SetDuration(v, &c->runtime_config_reload_period);
       },
       "runtime_config.period"},
      {"log.level", "", "string",
       "Only log messages at or above this level: debug, info, "
       "warn or error.",
       "info",
       [](std::string_view v, Config* c) {
         Result<LogLevel> l = ParseLogLevel(v);
         if (!l.ok()) return l.status();
         c->log_level = *l;
         return Status::OK();
       },
       "server.log_level"},
      {"auth.enabled", "", "",
       "Multi-tenancy: every API request must name its tenant in X-Scope-OrgID (401 'no org "
       "id' otherwise).",
       "false", [](std::string_view v, Config* c) { return SetBool(v, &c->auth.auth_enabled); },
       "auth_enabled"},
      {"auth.basic-auth-file", "", "string",
       "File of user:password lines; when set, requests need HTTP basic auth (the file is read "
       "again when it changes).",
       "",
       [](std::string_view v, Config* c) {
         c->auth.basic_auth_file = std::string(v);
         return Status::OK();
       },
       "auth.basic_auth_file"},
      {"auth.bearer-token-file", "", "string",
       "File of bearer tokens, one per line; when set, requests need one (the file is read "
       "again when it changes).",
       "",
       [](std::string_view v, Config* c) {
         c->auth.bearer_token_file = std::string(v);
         return Status::OK();
       },
       "auth.bearer_token_file"},
      {"auth.protect-metrics", "", "",
       "With a credentials file, /metrics needs credentials too (/ready never does).", "false",
       [](std::string_view v, Config* c) { return SetBool(v, &c->auth.protect_metrics); },
       "auth.protect_metrics"},
      {"config.file", "", "string",
       "YAML configuration file; flags given on the command line override it.", "",
       [](std::string_view v, Config* c) {
         c->config_file = std::string(v);
         return Status::OK();
       }},
      {"config.expand-env", "", "",
       "Expand ${VAR} and ${VAR:-default} in the configuration file with the environment.", "false",
       [](std::string_view v, Config* c) { return SetBool(v, &c->config_expand_env); }},
      {"server.graceful-shutdown-timeout", "", "duration",
       "Time to finish requests in flight, flush the heads and close the store after SIGTERM; "
       "past it the process exits at once (acknowledged writes are in the WAL).",
       "30s",
       [](std::string_view v, Config* c) { return SetDuration(v, &c->graceful_shutdown_timeout); },
       "server.graceful_shutdown_timeout"},
      {"shutdown-delay", "", "duration",
       "How long to keep serving after SIGTERM while /ready answers 503, so load balancers "
       "stop sending requests first.",
       "0s",
       [](std::string_view v, Config* c) {
         return SetDuration(v, &c->shutdown_delay, /*allow_zero=*/true);
       },
       "shutdown_delay"},
      {"server.register-instrumentation", "", "", "Serve /metrics and record request metrics.",
       "true",
       [](std::string_view v, Config* c) { return SetBool(v, &c->register_instrumentation); },
       "server.register_instrumentation"},
      {"server.log-request-at-info-level-enabled", "", "",
       "Log each request's access line at info level instead of debug.", "false",
       [](std::string_view v, Config* c) { return SetBool(v, &c->log_requests_at_info); },
       "server.log_request_at_info_level_enabled"},
      {"version", "", "", "Print this build's version information and exit.", "",
       [](std::string_view v, Config* c) { return SetBool(v, &c->show_version); }},
      {"help", "h", "", "Print this help and exit.", "",
       [](std::string_view v, Config* c) { return SetBool(v, &c->show_help); }},
  };
  return flags;
}

const Flag* FindFlag(std::string_view name) {
  for (const Flag& flag : Flags()) {
    if (name == flag.name || (!flag.alias.empty() && name == flag.alias)) return &flag;
  }
  return nullptr;
}

// The file's schema: every flag with a YAML path, and limits_config's push limits through
// ingest/limits_yaml.h (the table the runtime overrides file uses too).
ConfigSchema Schema(Config* config) {
  ConfigSchema schema;
  for (const Flag& flag : Flags()) {
    if (flag.yaml.empty()) continue;
    schema.keys.push_back({std::string(flag.yaml),
                           [&flag, config](std::string_view v) { return flag.set(v, config); }});
  }
  schema.sections.push_back(
      {"limits_config",
       [config](std::string_view key, const YAML::Node& value, std::string_view path) {
         return ingest::ApplyLimitYaml(key, value, path, &config->limits);
       }});
  return schema;
}

Status LoadConfigFile(const std::string& path, bool expand_env, Config* config,
                      AppliedValues* applied) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Status::InvalidArgument("reading config file " + path + ": " + std::strerror(errno));
  }
  std::ostringstream text;
  text << in.rdbuf();
  std::string yaml = text.str();
  if (expand_env) {
    Result<std::string> expanded = ExpandEnv(yaml, GetEnv);
    if (!expanded.ok()) {
      return Status::InvalidArgument("invalid config file " + path + ": " +
                                     expanded.status().message());
    }
    yaml = std::move(expanded).value();
  }
  Status s = ApplyConfigYaml(yaml, Schema(config), applied);
  if (!s.ok()) return Status::InvalidArgument("invalid config file " + path + ": " + s.message());
  return Status::OK();
}

// What GET /config shows: every setting the file can hold, with the value in force, and
// limits_config.otlp_config as Loki renders it.
std::string EffectiveYaml(const AppliedValues& applied, const Config& config) {
  AppliedValues values;
  for (const Flag& flag : Flags()) {
    if (!flag.yaml.empty()) values.emplace_back(flag.yaml, std::string(flag.default_text));
  }
  values.insert(values.end(), applied.begin(), applied.end());
  return RenderConfigYaml(values, {{"limits_config.otlp_config",
                                    ingest::OtlpConfigYaml(config.limits.otlp_config.get())}});
}

}  // namespace

Result<Config> ParseFlags(int argc, const char* const* argv) {
  // The command line is read whole first: the file it names is applied before any flag, so
  // that every flag overrides it.
  struct Arg {
    const Flag* flag;
    std::string_view name;
    std::string_view value;
  };
  std::vector<Arg> args;
  Config config;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg.size() < 2 || arg[0] != '-' || arg == "--") {
      return Status::InvalidArgument("unexpected argument \"" + std::string(arg) +
                                     "\" (flags start with -)");
    }
    arg.remove_prefix(arg[1] == '-' ? 2 : 1);
    const size_t eq = arg.find('=');
    const std::string_view name = arg.substr(0, eq);
    const Flag* flag = FindFlag(name);
    if (flag == nullptr) {
      return Status::InvalidArgument("flag provided but not defined: -" + std::string(name));
    }
    std::string_view value;
    if (eq != std::string_view::npos) {
      value = arg.substr(eq + 1);
    } else if (flag->type.empty()) {
      value = "true";
    } else if (i + 1 < argc) {
      value = argv[++i];
    } else {
      return Status::InvalidArgument("flag needs an argument: -" + std::string(name));
    }
    args.push_back({flag, name, value});
  }
  auto apply = [&config](const Arg& a) -> Status {
    Status s = a.flag->set(a.value, &config);
    if (!s.ok()) {
      return Status::InvalidArgument("invalid value \"" + std::string(a.value) + "\" for flag -" +
                                     std::string(a.name) + ": " + s.message());
    }
    return Status::OK();
  };
  // -config.file and -config.expand-env decide how the file is read.
  for (const Arg& a : args) {
    if (a.flag->name == "config.file" || a.flag->name == "config.expand-env") {
      SAW_RETURN_IF_ERROR(apply(a));
    }
  }
  AppliedValues applied;
  if (!config.config_file.empty()) {
    SAW_RETURN_IF_ERROR(
        LoadConfigFile(config.config_file, config.config_expand_env, &config, &applied));
  }
  for (const Arg& a : args) {
    SAW_RETURN_IF_ERROR(apply(a));
    if (!a.flag->yaml.empty()) applied.emplace_back(a.flag->yaml, std::string(a.value));
  }
  config.effective_yaml = EffectiveYaml(applied, config);
  return config;
}

std::string FlagsUsage() {
  std::string out = "Usage of sawmill:\n";
  for (const Flag& flag : Flags()) {
    out.append("  -").append(flag.name);
    if (!flag.type.empty()) out.append(" ").append(flag.type);
    out.append("\n    \t").append(flag.help);
    if (!flag.default_text.empty()) out.append(" (default ").append(flag.default_text).append(")");
    if (!flag.alias.empty()) out.append(" (alias -").append(flag.alias).append(")");
    out.append("\n");
  }
  return out;
}

}  // namespace sawmill::server
