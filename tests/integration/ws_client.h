// A small blocking WebSocket client for end-to-end tests (the tail endpoint), on
// Boost.Beast, over plain TCP or TLS (Options::tls_ca_file). Every call is bounded by a timeout, so
// a hung server fails the test instead of hanging it.
//
//   HttpReply refused;
//   Result<std::unique_ptr<WsClient>> ws =
//       WsClient::Connect("127.0.0.1", port, "/loki/api/v1/tail?query=...", {}, &refused);
//   Result<std::string> message = (*ws)->Read(std::chrono::seconds(30));
//
// Not thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "storage/result.h"
#include "tests/integration/http_client.h"

namespace sawmill::integration {

class WsClient {
 public:
  struct Options {
    std::vector<std::pair<std::string, std::string>> headers;
    int receive_buffer = 0;  // SO_RCVBUF before connecting (0: the system's); for slow readers
    std::chrono::milliseconds timeout = std::chrono::seconds(30);  // connect and handshake
    // Not empty: wss, trusting only the PEM certificate(s) of this file.
    std::string tls_ca_file;
  };

  // Connects and upgrades. When the server answers the upgrade with anything but 101, returns
  // Unavailable and fills *refused (when not null) with the answer.
  static Result<std::unique_ptr<WsClient>> Connect(const std::string& host, uint16_t port,
                                                   std::string_view target, const Options& options,
                                                   HttpReply* refused);
  ~WsClient();
  WsClient(const WsClient&) = delete;
  WsClient& operator=(const WsClient&) = delete;

  // The next message. DeadlineExceeded after `timeout` (the connection is then unusable);
  // OutOfRange when the server closed the connection (see close_code()); IOError otherwise.
  Result<std::string> Read(std::chrono::milliseconds timeout);

  // Sends a close frame (1000) and waits (bounded) for the server's.
  void Close();

  // The server's close frame, once Read() returned OutOfRange: code (0 if none) and reason.
  int close_code() const { return close_code_; }
  const std::string& close_reason() const { return close_reason_; }
  // Pings received so far (answered automatically while reading).
  size_t pings() const { return pings_; }

 private:
  struct Impl;
  explicit WsClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
  int close_code_ = 0;
  std::string close_reason_;
  size_t pings_ = 0;
};

}  // namespace sawmill::integration
