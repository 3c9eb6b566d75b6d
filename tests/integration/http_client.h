// A tiny blocking HTTP/1.1 (or HTTPS, UseTls) client for end-to-end tests, on Boost.Beast. Each
// call opens one connection, sends one request, reads the whole response and closes. Every call is
// bounded by a timeout, so a hung server fails the test instead of hanging it.
//
//   HttpClient client("127.0.0.1", port);
//   Result<HttpReply> r = client.Get("/ready");
//   ASSERT_TRUE(r.ok()) << r.status().ToString();
//   EXPECT_EQ(r->status, 200);
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "storage/result.h"

namespace sawmill::integration {

struct HttpReply {
  int status = 0;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;

  // The first header named `name` (case-insensitive), or "" when there is none.
  std::string Header(std::string_view name) const;
};

class HttpClient {
 public:
  using Headers = std::vector<std::pair<std::string, std::string>>;

  HttpClient(std::string host, uint16_t port,
             std::chrono::milliseconds timeout = std::chrono::seconds(60))
      : host_(std::move(host)), port_(port), timeout_(timeout) {}

  // Speaks HTTPS, trusting only the certificate(s) in `ca_file` (PEM), such as a test's
  // self-signed server certificate. The host name is not checked.
  void UseTls(std::string ca_file) { tls_ca_file_ = std::move(ca_file); }

  Result<HttpReply> Get(std::string_view target, const Headers& headers = {}) const;
  Result<HttpReply> Post(std::string_view target, std::string body,
                         std::string_view content_type = "application/json",
                         const Headers& headers = {}) const;
  // Any method ("GET", "POST", "DELETE", ...). IOError when the exchange fails or times out.
  Result<HttpReply> Send(std::string_view method, std::string_view target, std::string body,
                         const Headers& headers) const;

 private:
  std::string host_;
  uint16_t port_;
  std::chrono::milliseconds timeout_;
  std::string tls_ca_file_;  // empty: plain HTTP
};

}  // namespace sawmill::integration
