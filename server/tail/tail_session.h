// One tail's WebSocket connection (tail_server.h): completes the upgrade, sends the history,
// then what the tail's buffer receives, and pings while idle. Runs on its connection's
// strand; pushes only post a wake-up to it. The WebSocket runs over the plain TCP stream or,
// when the listener speaks TLS, over the TLS stream the HTTP server hands over.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_set>
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
#include "storage/result.h"

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

  // The history (the entries sent first, up to `end_ns`, exclusive) is on its way: nothing
  // live is sent before OnHistory(). REQUIRES: Start() has not been called.
  void ExpectHistory(int64_t end_ns) {
    history_pending_ = true;
    history_end_ns_ = end_ns;
  }
  // From any thread, once after ExpectHistory(): the history, or why it could not be read
  // (the tail then closes with 1011 and the message). A live entry that is also in the
  // history (pushed while the history was read) is sent once: with the history.
  void OnHistory(Result<std::vector<TailEntry>> history);
  // Becomes true once the session has ended (its history query, if still queued or
  // running, is cancelled by it); valid as long as the session.
  const std::atomic<bool>* ended() const { return &ended_; }
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
  void CloseWithError();  // 1011 with error_
  void Finish();
  // Removes from `entries` (live ones) those the history sent already.
  void DropSentHistory(std::vector<TailEntry>* entries);
  static uint64_t HistoryKey(const TailEntry& e);

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
  bool history_pending_ = false;  // ExpectHistory() was called, OnHistory() has not arrived
  int64_t history_end_ns_ = 0;
  // Hashes of the history's entries (timestamp, labels, line, metadata) not yet matched by a
  // live entry: only entries before history_end_ns_ can be in both. A 64-bit hash: two
  // different entries with the same timestamp would have to collide.
  std::unordered_multiset<uint64_t> history_keys_;
  std::atomic<bool> ended_{false};
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
