#include "server/http_server.h"

#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include "server/log.h"

namespace sawmill::server {

namespace beast = boost::beast;
namespace net = boost::asio;
using tcp = net::ip::tcp;

struct HttpServer::Impl {
  Impl(HttpServerOptions o, Handler h) : options(std::move(o)), handler(std::move(h)) {}

  void DoAccept();
  void OnAccept(beast::error_code ec, tcp::socket socket);
  // Adds a session unless the server is stopping. Returns whether it was added.
  bool Register(const std::shared_ptr<Session>& session);
  void Unregister(Session* session);
  void Run();

  const HttpServerOptions options;
  const Handler handler;
  std::atomic<bool> stopping{false};

  // Declared before the io_context: sessions that are still queued when the io_context is
  // destroyed unregister themselves from its destructor.
  std::mutex mu;
  std::condition_variable drained;
  std::unordered_map<Session*, std::weak_ptr<Session>> sessions;

  net::io_context ioc{std::max(1, options.threads)};
  // Keeps the threads in ioc.run() while no operation is pending, e.g. while every request
  // is on the offload pool and the acceptor has been closed: without it they would return,
  // and the answers the offload pool posts back would never run. Released by Stop().
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work;
  tcp::acceptor acceptor{net::make_strand(ioc)};
  tcp::endpoint bound;
  std::vector<std::thread> threads;
  std::unique_ptr<net::thread_pool> offload_pool;  // null without offload threads
  std::unique_ptr<net::ssl::context> tls;          // null for plain HTTP
  bool started = false;
  bool stopped = false;
};

// One connection: reads a request, answers it, and reads the next while kept alive.
// Its handlers run on its own strand, one at a time.
class HttpServer::Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket&& socket, Impl* server) : executor_(socket.get_executor()), server_(server) {
    if (server_->tls != nullptr) {
      tls_.emplace(std::move(socket), *server_->tls);
    } else {
      plain_.emplace(std::move(socket));
    }
  }
  ~Session() { server_->Unregister(this); }

  void Start() {
    net::dispatch(executor_, beast::bind_front_handler(
                                 tls_.has_value() ? &Session::DoHandshake : &Session::DoRead,
                                 shared_from_this()));
  }

  // Closes the connection if it is waiting for a request that has not begun to arrive; a
  // request being read or answered is finished first (and answered with Connection: close).
  void Shutdown() {
    net::post(executor_, beast::bind_front_handler(&Session::CloseIfIdle, shared_from_this()));
  }

 private:
  // Calls f(stream) with the stream requests are read from and answers written to: the TLS
  // stream over stream_, or stream_ itself.
  template <typename F>
  void WithStream(F&& f) {
    if (tls_.has_value()) {
      f(*tls_);
    } else {
      f(*plain_);
    }
  }

  void DoHandshake() {
    Tcp().expires_after(server_->options.read_timeout);
    tls_->async_handshake(net::ssl::stream_base::server,
                          beast::bind_front_handler(&Session::OnHandshake, shared_from_this()));
  }

  void OnHandshake(beast::error_code ec) {
    if (ec) return CloseTcp();  // not TLS, a refused certificate, or a timeout
    handshake_done_ = true;
    DoRead();
  }

  void DoRead() {
    if (server_->stopping.load()) return Close();  // accepted just as the server stopped
    parser_.emplace();
    parser_->body_limit(server_->options.body_limit);
    parser_->header_limit(server_->options.header_limit);
    Tcp().expires_after(server_->options.read_timeout);
    waiting_ = true;
    WithStream([this](auto& stream) {
      http::async_read(stream, buffer_, *parser_,
                       beast::bind_front_handler(&Session::OnRead, shared_from_this()));
    });
  }

  void CloseIfIdle() {
    if (upgraded_) return;  // the connection is the upgrade's taker's
    if (waiting_ && buffer_.size() == 0 && !parser_->got_some()) Tcp().cancel();
  }

  void OnRead(beast::error_code ec, std::size_t) {
    waiting_ = false;
    if (ec == http::error::body_limit) {
      return Send(MakeResponse(http::status::payload_too_large, "request body too large\n"), 11,
                  false);
    }
    if (ec && ec.category() == beast::http::make_error_code(http::error::bad_target).category() &&
        ec != http::error::end_of_stream && ec != http::error::partial_message) {
      return Send(MakeResponse(http::status::bad_request, "400 bad request\n"), 11, false);
    }
    if (ec) return Close();  // end of stream, timeout, reset, or shut down while idle

    auto request = std::make_shared<HttpRequest>(parser_->release());
    const bool keep_alive = request->keep_alive() && !server_->stopping.load();
    if (server_->options.upgrade && boost::beast::websocket::is_upgrade(*request) &&
        !server_->stopping.load() &&
        server_->options.upgrade(
            *request, UpgradeConnection{plain_ ? &*plain_ : nullptr, tls_ ? &*tls_ : nullptr})) {
      upgraded_ = true;
      return;  // the connection now belongs to the upgrade's taker
    }
    if (server_->offload_pool != nullptr && server_->options.offload(*request)) {
      // (Offloaded requests are not watched: the session's socket stays with its strand.)
      // The handler runs on the offload pool; the answer comes back to this session's strand.
      net::post(*server_->offload_pool, [self = shared_from_this(), request, keep_alive] {
        self->Call(request, keep_alive, nullptr);
      });
      return;
    }
    std::shared_ptr<std::atomic<bool>> gone;
    if (server_->options.watch_client && server_->options.watch_client(*request)) {
      gone = WatchClient();
    }
    Call(request, keep_alive, std::move(gone));
  }

  // Starts a wait on the socket, completed outside this session's strand (the strand may be
  // busy running the handler), which raises the returned flag if the client closes the
  // connection. The answer's Send cancels it.
  std::shared_ptr<std::atomic<bool>> WatchClient() {
    auto gone = std::make_shared<std::atomic<bool>>(false);
    Tcp().socket().async_wait(
        tcp::socket::wait_read,
        net::bind_executor(
            server_->ioc.get_executor(), [self = shared_from_this(), gone](beast::error_code ec) {
              if (ec) return;  // cancelled once the answer is ready
              // Readable: either the end of the stream (the client closed) or
              // the next pipelined request, which is left for the next read.
              // The session (held by `self`) keeps the descriptor open.
              char c;
              const ssize_t n =
                  ::recv(self->Tcp().socket().native_handle(), &c, 1, MSG_PEEK | MSG_DONTWAIT);
              if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
                gone->store(true);
              }
            }));
    return gone;
  }

  // Calls the handler with a Responder that brings the answer to this session's strand (at
  // once when it is called there). The one catch-all of a session: a handler that throws is
  // a bug, answered with 500 unless it answered already.
  void Call(const std::shared_ptr<HttpRequest>& request, bool keep_alive,
            std::shared_ptr<std::atomic<bool>> gone) {
    static const std::atomic<bool> kNeverGone{false};
    const RequestInfo info{gone != nullptr ? gone.get() : &kNeverGone};
    Responder respond = [self = shared_from_this(), request, keep_alive, gone = std::move(gone),
                         sent = std::make_shared<std::atomic<bool>>(false)](HttpResponse response) {
      if (sent->exchange(true)) return;
      net::dispatch(self->executor_,
                    [self, response = std::move(response), version = request->version(), keep_alive,
                     watched = gone != nullptr]() mutable {
                      if (watched) {
                        beast::error_code ec;
                        self->Tcp().socket().cancel(ec);  // ends the client watch
                      }
                      self->Send(std::move(response), version, keep_alive);
                    });
    };
    try {
      server_->handler(*request, info, respond);
      return;
    } catch (const std::exception& e) {
      LogError("uncaught exception while serving a request",
               {{"path", std::string(request->target())}, {"err", e.what()}});
    } catch (...) {
      LogError("uncaught exception while serving a request",
               {{"path", std::string(request->target())}, {"err", "unknown"}});
    }
    respond(MakeResponse(http::status::internal_server_error, "internal server error\n"));
  }

  void Send(HttpResponse response, unsigned version, bool keep_alive) {
    response_ = std::move(response);
    response_.version(version);
    response_.keep_alive(keep_alive);
    response_.prepare_payload();
    Tcp().expires_after(server_->options.write_timeout);
    WithStream([this, keep_alive](auto& stream) {
      http::async_write(
          stream, response_,
          beast::bind_front_handler(&Session::OnWrite, shared_from_this(), !keep_alive));
    });
  }

  void OnWrite(bool close, beast::error_code ec, std::size_t) {
    if (ec || close) return Close();
    DoRead();
  }

  void Close() {
    if (!handshake_done_) return CloseTcp();
    // TLS: send close_notify first; the peer's reply is awaited briefly.
    handshake_done_ = false;
    Tcp().expires_after(std::chrono::seconds(2));
    tls_->async_shutdown([self = shared_from_this()](beast::error_code) { self->CloseTcp(); });
  }

  void CloseTcp() {
    beast::error_code ec;
    Tcp().socket().shutdown(tcp::socket::shutdown_send, ec);
  }

  // The TCP stream under the connection (a moved-out one after an upgrade was taken).
  beast::tcp_stream& Tcp() { return tls_ ? beast::get_lowest_layer(*tls_) : *plain_; }

  const net::any_io_executor executor_;  // the connection's strand
  // Exactly one is set: the connection without TLS, or the TLS stream that owns it.
  std::optional<beast::tcp_stream> plain_;
  std::optional<TlsStream> tls_;
  bool handshake_done_ = false;
  bool upgraded_ = false;  // the stream was moved out by the upgrade hook
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  HttpResponse response_;  // kept alive until its write completes
  bool waiting_ = false;   // a read for the next request is pending
  Impl* server_;
};

void HttpServer::Impl::DoAccept() {
  acceptor.async_accept(net::make_strand(ioc), beast::bind_front_handler(&Impl::OnAccept, this));
}

void HttpServer::Impl::OnAccept(beast::error_code ec, tcp::socket socket) {
  if (ec) {
    if (stopping.load() || ec == net::error::operation_aborted) return;
    LogWarn("accept failed", {{"err", ec.message()}});
  } else {
    auto session = std::make_shared<Session>(std::move(socket), this);
    if (Register(session)) session->Start();
  }
  if (!stopping.load()) DoAccept();
}

bool HttpServer::Impl::Register(const std::shared_ptr<Session>& session) {
  std::lock_guard<std::mutex> lock(mu);
  if (stopping.load()) return false;
  sessions.emplace(session.get(), session);
  return true;
}

void HttpServer::Impl::Unregister(Session* session) {
  std::lock_guard<std::mutex> lock(mu);
  sessions.erase(session);
  if (sessions.empty()) drained.notify_all();
}

void HttpServer::Impl::Run() {
  // Handlers do not throw (sessions catch); this only guards the threads themselves.
  while (true) {
    try {
      ioc.run();
      return;
    } catch (const std::exception& e) {
      LogError("uncaught exception in an HTTP server thread", {{"err", e.what()}});
    } catch (...) {
      LogError("uncaught exception in an HTTP server thread", {{"err", "unknown"}});
    }
  }
}

HttpServer::HttpServer(HttpServerOptions options, Handler handler)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler))) {}

HttpServer::~HttpServer() { Stop(); }

Status HttpServer::Start() {
  Impl& s = *impl_;
  const std::string where = s.options.address + ":" + std::to_string(s.options.port);
  beast::error_code ec;
  const net::ip::address address = net::ip::make_address(s.options.address, ec);
  if (ec) return Status::InvalidArgument("invalid listen address \"" + s.options.address + "\"");
  if (!s.options.tls_cert_file.empty() || !s.options.tls_key_file.empty()) {
    if (s.options.tls_cert_file.empty() || s.options.tls_key_file.empty()) {
      return Status::InvalidArgument("TLS needs both a certificate file and a key file");
    }
    auto tls = std::make_unique<net::ssl::context>(net::ssl::context::tls_server);
    tls->set_options(net::ssl::context::default_workarounds | net::ssl::context::no_sslv2 |
                         net::ssl::context::no_sslv3 | net::ssl::context::no_tlsv1 |
                         net::ssl::context::no_tlsv1_1,
                     ec);
    if (!ec) tls->use_certificate_chain_file(s.options.tls_cert_file, ec);
    if (ec) {
      return Status::InvalidArgument("TLS certificate " + s.options.tls_cert_file + ": " +
                                     ec.message());
    }
    tls->use_private_key_file(s.options.tls_key_file, net::ssl::context::pem, ec);
    if (ec) {
      return Status::InvalidArgument("TLS key " + s.options.tls_key_file + ": " + ec.message());
    }
    if (SSL_CTX_check_private_key(tls->native_handle()) != 1) {
      return Status::InvalidArgument("TLS key " + s.options.tls_key_file +
                                     " does not match the certificate " + s.options.tls_cert_file);
    }
    s.tls = std::move(tls);
  }
  const tcp::endpoint endpoint(address, s.options.port);
  s.acceptor.open(endpoint.protocol(), ec);
  if (!ec) s.acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) s.acceptor.bind(endpoint, ec);
  if (!ec) s.acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (!ec) s.bound = s.acceptor.local_endpoint(ec);
  if (ec) {
    const std::string message = ec.message();  // before close() reuses ec
    s.acceptor.close(ec);
    return Status::IOError("listen tcp " + where + ": " + message);
  }
  s.work.emplace(s.ioc.get_executor());
  s.DoAccept();
  int n = s.options.threads > 0 ? s.options.threads
                                : static_cast<int>(std::thread::hardware_concurrency());
  n = std::max(n, 1);
  for (int i = 0; i < n; ++i) s.threads.emplace_back([&s] { s.Run(); });
  if (s.options.offload_threads > 0 && s.options.offload) {
    s.offload_pool = std::make_unique<net::thread_pool>(s.options.offload_threads);
  }
  s.started = true;
  return Status::OK();
}

uint16_t HttpServer::port() const { return impl_->bound.port(); }

std::string HttpServer::endpoint() const {
  const net::ip::address a = impl_->bound.address();
  const std::string host = a.is_v6() ? "[" + a.to_string() + "]" : a.to_string();
  return host + ":" + std::to_string(impl_->bound.port());
}

void HttpServer::Stop() {
  Impl& s = *impl_;
  if (!s.started || s.stopped) return;
  s.stopped = true;

  std::vector<std::shared_ptr<Session>> live;
  {
    std::lock_guard<std::mutex> lock(s.mu);
    s.stopping.store(true);
    for (auto& [ptr, weak] : s.sessions) {
      if (auto session = weak.lock()) live.push_back(std::move(session));
    }
  }
  net::post(s.acceptor.get_executor(), [&s] {
    beast::error_code ec;
    s.acceptor.close(ec);
  });
  for (auto& session : live) session->Shutdown();
  live.clear();  // outside the lock: the last reference may run ~Session, which locks

  {
    std::unique_lock<std::mutex> lock(s.mu);
    if (!s.drained.wait_for(lock, s.options.shutdown_timeout,
                            [&s] { return s.sessions.empty(); })) {
      LogWarn("closing connections with requests still in flight",
              {{"connections", s.sessions.size()}});
      if (s.options.on_shutdown_timeout) {
        lock.unlock();
        s.options.on_shutdown_timeout();
      }
    }
  }
  s.work.reset();
  s.ioc.stop();
  for (std::thread& t : s.threads) t.join();
  s.threads.clear();
  // Handlers still running past the shutdown timeout finish here; their answers, posted to
  // the stopped io_context, are dropped with their sessions.
  if (s.offload_pool != nullptr) s.offload_pool->join();
}

}  // namespace sawmill::server
