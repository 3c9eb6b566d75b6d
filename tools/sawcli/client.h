// The HTTP(S) connection to a Loki-compatible server: address and TLS settings, the tenant
// and credential headers, one kept-alive connection reused across requests, a timeout per
// request, and retries with exponential back-off on connection failures, 429 and 5xx.
// Not thread-safe: one Client per thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "storage/result.h"

namespace sawmill::sawcli {

struct ClientOptions {
  std::string addr = "http://localhost:3100";  // scheme://host[:port][/path prefix]
  std::string org_id;                          // X-Scope-OrgID when not empty
  std::string username, password;              // basic auth when username or password is set
  std::string bearer_token, bearer_token_file;
  std::string auth_header = "Authorization";
  std::string ca_cert, cert, key;  // PEM files
  bool tls_skip_verify = false;
  std::vector<std::string> query_tags;  // X-Query-Tags
  int64_t timeout_ns = 60'000'000'000;  // per attempt
  int64_t retries = 0;                  // extra attempts after a retryable failure
  int64_t min_backoff_ns = 500'000'000;
  int64_t max_backoff_ns = 10'000'000'000;
  bool quiet = false;  // no retry notes on stderr
};

struct HttpResponse {
  int status = 0;
  std::string body;
  std::string content_type;
  std::string retry_after;
};

class Client {
 public:
  static Result<std::unique_ptr<Client>> Create(const ClientOptions& options);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // The address with the path prefix, no trailing slash: "http://host:3100".
  const std::string& base_url() const;

  // Sends `method` `target` (path and query, prefixed with the address's path) and returns
  // any complete response, retrying connection failures, 429 and 5xx as configured.
  // IOError when no response arrived after the last attempt.
  Result<HttpResponse> Send(std::string_view method, const std::string& target,
                            const std::string& body = "", std::string_view content_type = "");

  // Send, then: the body of a 2xx answer, or Unavailable("Error response from server: <body>")
  // for any other status. The message is the server's own text.
  Result<std::string> Call(std::string_view method, const std::string& target,
                           const std::string& body = "", std::string_view content_type = "");

  // Headers every request carries (auth, tenant); for the WebSocket handshake.
  Result<std::vector<std::pair<std::string, std::string>>> AuthHeaders() const;

  // Connection facts, for the WebSocket client.
  bool tls() const;
  const std::string& host() const;
  const std::string& port() const;
  const std::string& path_prefix() const;
  const ClientOptions& options() const;

  struct Impl;

 private:
  explicit Client(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// "a=b&c=d" with each value percent-encoded as Go's url.QueryEscape does (space as '+').
class QueryString {
 public:
  QueryString& Add(std::string_view key, std::string_view value);
  QueryString& Add(std::string_view key, int64_t value);
  // Go's url.Values.Encode sorts by key; logcli prints its URLs that way.
  std::string Encode() const;

 private:
  std::vector<std::pair<std::string, std::string>> params_;
};

std::string QueryEscape(std::string_view s);
std::string PathEscape(std::string_view s);

}  // namespace sawmill::sawcli
