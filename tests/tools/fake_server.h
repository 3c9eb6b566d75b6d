// A scripted HTTP server on 127.0.0.1 for client tests: every request is recorded and answered
// by a handler (e.g. "429 first, then 200"), so tests can check what sawcli sends and how it
// reacts, including for endpoints our server does not have yet. WebSocket upgrades are
// accepted and sent the handler's `ws_messages`, then closed normally. One connection at a time
// (sawcli keeps one). Thread-safe accessors.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace sawmill::sawcli_test {

struct FakeRequest {
  std::string method;
  std::string target;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
};

struct FakeReply {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
  std::vector<std::string> ws_messages;  // for WebSocket upgrades
};

class FakeServer {
 public:
  using Handler = std::function<FakeReply(const FakeRequest&, int index)>;

  explicit FakeServer(Handler handler);
  ~FakeServer();
  FakeServer(const FakeServer&) = delete;
  FakeServer& operator=(const FakeServer&) = delete;

  uint16_t port() const { return port_; }
  std::string addr() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::vector<FakeRequest> requests() const;

 private:
  void Serve();

  Handler handler_;
  uint16_t port_ = 0;
  int listen_fd_ = -1;
  bool stop_ = false;  // guarded by mu_
  mutable std::mutex mu_;
  std::vector<FakeRequest> requests_;  // guarded by mu_
  std::thread thread_;
};

}  // namespace sawmill::sawcli_test
