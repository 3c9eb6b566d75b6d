// One tail's WebSocket connection (tail_server.h): completes the upgrade, sends the history,
// then what the tail's buffer receives, and pings while idle. Runs on its connection's
// strand; pushes only post a wake-up to it. The WebSocket runs over the plain TCP stream or,
// when the listener speaks TLS, over the TLS stream the HTTP server hands over.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/beast/websocket.hpp>

#include "server/http_message.h"
#include "server/http_server.h"
#include "server/tail/tail_hub.h"

namespace sawmill::server {

class TailServer;

class TailSession : public std::enable_shared_from_this<TailSession> {
 public:
  // `tail` is the session's; once opened in `hub`, the session closes it when it ends.
  // Moves the stream out of `connection`.
  TailSession(UpgradeConnection connection, HttpRequest request, TailServer* server, TailHub* hub,
              std::shared_ptr<Tail> tail, int64_t delay_ns, bool legacy, bool categorize_labels);
  ~TailSession();
  TailSession(const TailSession&) = delete;
  TailSession& operator=(const TailSession&) = delete;

  // The entries sent first. REQUIRES: Start() has not been called.
  void SetHistory(std::vector<TailEntry> history) { history_ = std::move(history); }
  // The tail could not start: the session upgrades and closes with 1011 and `error`.
  // REQUIRES: Start() has not been called.
  void Refuse(std::string error) { error_ = std::move(error); }

  void Start();
  // The tail's wake-up (Tail::set_wakeup): posts a send attempt to the session's strand. It
  // holds no reference to the session, so a push never runs the session's destructor.
  std::function<void()> MakeWakeup();
  // From any thread: closes with 1001 (going away). `done` (may be null) runs on the
  // session's strand once the close frame has been handed to the socket.
  void Shutdown(std::function<void()> done = nullptr);

 private:
  void OnAccept(boost::beast::error_code ec);
  void DoRead();
  void OnRead(boost::beast::error_code ec, size_t bytes);
  void Pump();
  void OnWrite(boost::beast::error_code ec, size_t bytes);
  void ArmPing();
  void OnPing(boost::beast::error_code ec);
  void CloseWith(boost::beast::websocket::close_reason reason);
  void Finish();

  using PlainWebSocket = boost::beast::websocket::stream<boost::beast::tcp_stream>;
  using TlsWebSocket = boost::beast::websocket::stream<TlsStream>;
  static std::variant<PlainWebSocket, TlsWebSocket> MakeWebSocket(UpgradeConnection connection);
  // Calls f(websocket) with whichever the connection has.
  template <typename F>
  decltype(auto) WithWs(F&& f) {
    return std::visit(std::forward<F>(f), ws_);
  }

  const boost::asio::any_io_executor executor_;  // the connection's strand
  std::variant<PlainWebSocket, TlsWebSocket> ws_;
  HttpRequest request_;
  TailServer* server_;
  TailHub* hub_;
  std::shared_ptr<Tail> tail_;
  std::vector<TailEntry> history_;
  size_t history_sent_ = 0;
  std::string error_;
  const int64_t delay_ns_;
  const bool legacy_;
  const bool categorize_labels_;

  boost::beast::flat_buffer read_buffer_;
  std::string message_;  // kept alive until its write completes
  boost::asio::steady_timer ping_timer_;
  boost::asio::steady_timer delay_timer_;
  bool accepted_ = false;
  // A close asked for before the upgrade's answer was written (Shutdown() racing Start()).
  std::optional<boost::beast::websocket::close_reason> close_on_accept_;
  bool writing_ = false;
  bool pinging_ = false;
  bool closing_ = false;
  bool finished_ = false;
};

}  // namespace sawmill::server
