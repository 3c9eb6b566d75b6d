// An HTTP/1.1 server on Boost.Beast: one io_context run by a pool of threads, one session
// per connection with keep-alive, a body size limit and a read timeout. With a certificate
// and key (options.tls_*), every connection speaks TLS (Beast's ssl_stream owning the
// connection's tcp_stream, whose timeouts and socket are used as without TLS; an upgrade can
// take the whole TLS stream, see `upgrade`). Every request goes to a single Handler (the
// App's router); the server itself knows no paths.
//
// Threads: the I/O threads read and write every connection asynchronously, so a slow or
// stalled client never holds a thread (a half-sent request only holds its own socket and
// buffer until the read timeout). Handlers are called on the I/O threads, except for the
// requests `options.offload` selects (the pushes: they wait for the WAL's group commit), which
// are called on a separate pool of `options.offload_threads`. Pushes therefore never occupy
// the threads everything else is served on, however many arrive at once: the excess waits in
// the offload pool's queue.
//
// Handlers answer through a Responder, at once or later from any thread: a handler that must
// wait (a query queued for a slot, see query_scheduler.h) returns at once and leaves its
// Responder to whoever finishes the work; the answer is written by the session's strand. So
// the I/O threads never wait for work, and a few of them serve any number of pending
// requests. A connection with a request pending counts as in flight for Stop().
//
// While a request that `options.watch_client` selects is pending, its session watches the
// socket: when the client closes the connection (reads see end of stream),
// RequestInfo::client_gone becomes true, so a long query can stop early (Go's net/http cancels
// the request's context the same way). Data the client sends meanwhile (a pipelined request)
// ends the watch.
//
// Errors never leave as exceptions: Asio and Beast are used through their error_code
// overloads, and each session has the one catch-all that answers a throwing handler with 500
// and logs it.
//
// Thread-safety: Start() and Stop() from one controlling thread; the handler runs on the
// server's threads, many requests at once.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include "server/http_message.h"
#include "storage/status.h"

namespace boost::beast {
template <class NextLayer>
class ssl_stream;  // <boost/beast/ssl/ssl_stream.hpp>, included by who moves one
}  // namespace boost::beast

namespace sawmill::server {

// A TLS connection: Boost.Beast's SSL stream that owns its TCP stream.
using TlsStream = boost::beast::ssl_stream<boost::beast::tcp_stream>;

// The connection an upgrade hook may take: exactly one of the two is set (`tls` when the
// listener speaks TLS; its handshake is done). The taker moves the stream out of it.
struct UpgradeConnection {
  boost::beast::tcp_stream* plain = nullptr;
  TlsStream* tls = nullptr;
};

struct HttpServerOptions {
  std::string address = "127.0.0.1";
  uint16_t port = 3100;               // 0 picks a free port; see HttpServer::port()
  int threads = 0;                    // 0: one per hardware thread
  uint64_t body_limit = 64ull << 20;  // larger bodies are answered with 413
  uint32_t header_limit = 1u << 20;   // long LogQL queries travel in the target
  // Time to read one whole request, including the wait for it on a kept-alive connection.
  std::chrono::milliseconds read_timeout = std::chrono::seconds(30);
  std::chrono::milliseconds write_timeout = std::chrono::seconds(60);
  // Requests for which this returns true run on the offload pool (see the file comment).
  // Ignored when offload_threads is 0. Runs on an I/O thread: must be cheap.
  std::function<bool(const HttpRequest&)> offload;
  int offload_threads = 0;
  // Requests during which the session watches for the client closing its connection (see the
  // file comment). Only for requests not offloaded. Must be cheap.
  std::function<bool(const HttpRequest&)> watch_client;
  // HTTPS: PEM files of the certificate (chain) and its private key. Both empty: plain HTTP.
  std::string tls_cert_file;
  std::string tls_key_file;
  // How long Stop() lets in-flight requests finish before cutting them off.
  std::chrono::milliseconds shutdown_timeout = std::chrono::seconds(30);
  // Called by Stop() when requests are still in flight after shutdown_timeout, before it
  // stops the I/O threads (e.g. to cancel running queries). May be empty. Answers given after
  // that are dropped with their connections.
  std::function<void()> on_shutdown_timeout;
  // Connection takeover (WebSocket): called on an I/O thread, before the handler, for each
  // request that asks for a WebSocket upgrade, over plain HTTP or TLS. Returns false to serve
  // the request as usual (the handler answers it); returns true after moving the connection's
  // stream out, which ends the session without writing anything: the connection is then the
  // taker's, on the same io_context and strand, and Stop() does not wait for it. Null:
  // upgrades are served by the handler.
  std::function<bool(HttpRequest& request, UpgradeConnection connection)> upgrade;
};

// What the server tells a handler beyond the request itself.
struct RequestInfo {
  // Becomes true when the client closes its connection while the request is pending; never
  // null; valid as long as the request's Responder (or a copy) exists. Stays false for
  // requests options.watch_client does not select.
  const std::atomic<bool>* client_gone;
};

// Sends the answer to one request. May be called from any thread, once (later calls are
// ignored); copies share that once. Holds the connection: the request and its RequestInfo
// stay valid until it is called, and a Responder dropped without being called closes the
// connection without an answer (a bug in the handler, logged by nothing).
using Responder = std::function<void(HttpResponse)>;

class HttpServer {
 public:
  // Answers one request through `respond`, before returning or later; may run on several
  // threads at once.
  using Handler =
      std::function<void(const HttpRequest&, const RequestInfo&, const Responder& respond)>;

  HttpServer(HttpServerOptions options, Handler handler);
  ~HttpServer();  // Stop()s if needed
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds, listens and starts the threads. A bind failure (address in use, bad address) or
  // an unusable certificate or key returns an error and leaves nothing running.
  // REQUIRES: called at most once.
  Status Start();

  // The bound port (the one picked when options.port was 0).
  // REQUIRES: Start() succeeded.
  uint16_t port() const;
  // The bound address as "127.0.0.1:3100" or "[::1]:3100".
  // REQUIRES: Start() succeeded.
  std::string endpoint() const;

  // Stops accepting, closes idle connections, lets requests in flight finish (up to
  // options.shutdown_timeout) and joins the threads. Idempotent.
  void Stop();

 private:
  struct Impl;
  class Session;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sawmill::server
