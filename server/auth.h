// Who may call the HTTP API.
//
// Two independent checks, both off by default:
//
// 1. Credentials (auth.basic_auth_file, auth.bearer_token_file). When either file is set,
//    every request except GET /ready (load balancers and Kubernetes probes) and GET /metrics
//    (Prometheus; protected too with auth.protect_metrics) must carry
//      Authorization: Basic base64(user:password)   a line "user:password" of the basic file
//      Authorization: Bearer <token>                a line of the token file
//    Otherwise 401 "Unauthorized" with a WWW-Authenticate challenge per configured scheme.
//    The files are plain text (one entry per line; blank lines and lines starting with '#'
//    are skipped; no password hashes), the form a Kubernetes Secret mounts. They are read at
//    start (an unreadable file stops start-up) and again whenever their modification time,
//    size or inode changes, since Secrets are updated in place; a file that cannot be read
//    later leaves the previous entries in force. Presented credentials are compared with
//    every entry in time independent of where they differ.
//
// 2. Multi-tenancy (auth_enabled, Loki's switch). Every tenant-scoped request (the Loki API
//    under /loki/api/, /api/prom/ and /otlp/, except status/buildinfo and format_query) must
//    carry X-Scope-OrgID, else 401 "no org id" (Loki's text). Without auth_enabled the tenant
//    is the header's, or "fake" (handlers/tenant.h).
//
// Thread-safety: Check() may run on many threads at once.
#pragma once

#include <sys/types.h>

#include <ctime>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/http_message.h"
#include "storage/result.h"

namespace sawmill::server {

struct AuthOptions {
  bool auth_enabled = false;      // require X-Scope-OrgID
  std::string basic_auth_file;    // "user:password" lines; empty: no basic auth
  std::string bearer_token_file;  // one token per line; empty: no bearer tokens
  bool protect_metrics = false;   // GET /metrics needs credentials too
};

// A credentials file, read again when it changes. Thread-safe.
class CredentialFile {
 public:
  explicit CredentialFile(std::string path) : path_(std::move(path)) {}

  // Reads the file if it changed since the last read. An error (unreadable file) leaves the
  // entries read before in force.
  Status Refresh();

  // True when `presented` equals an entry. Compares with every entry, each in time that
  // depends on the lengths only.
  bool Contains(std::string_view presented) const;

  const std::string& path() const { return path_; }

 private:
  const std::string path_;
  mutable std::mutex mu_;
  std::shared_ptr<const std::vector<std::string>> entries_;  // guarded by mu_
  struct timespec mtime_ = {};                               // of the file last read
  off_t size_ = -1;
  ino_t inode_ = 0;
};

class Auth {
 public:
  // Reads the credentials files. InvalidArgument naming a file that cannot be read.
  static Result<std::unique_ptr<Auth>> Open(AuthOptions options);

  // Nothing when `request` may proceed; otherwise the 401 response to send.
  std::optional<HttpResponse> Check(const HttpRequest& request);

 private:
  explicit Auth(AuthOptions options) : options_(std::move(options)) {}
  bool CheckCredentials(const HttpRequest& request);
  HttpResponse Challenge() const;

  const AuthOptions options_;
  std::unique_ptr<CredentialFile> basic_;   // null without basic_auth_file
  std::unique_ptr<CredentialFile> bearer_;  // null without bearer_token_file
};

// Whether a request to `path` acts for a tenant (and so needs X-Scope-OrgID with auth_enabled).
bool IsTenantPath(std::string_view path);

// Equal contents, compared in time that depends on the lengths only.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

// Standard base64 (padding optional); nullopt for any other character.
std::optional<std::string> DecodeBase64(std::string_view in);

}  // namespace sawmill::server
