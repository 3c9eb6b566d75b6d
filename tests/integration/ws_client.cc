#include "tests/integration/ws_client.h"

#include <optional>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

namespace sawmill::integration {

namespace beast = boost::beast;
namespace net = boost::asio;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;

struct WsClient::Impl {
  using Plain = websocket::stream<beast::tcp_stream>;
  using Tls = websocket::stream<beast::ssl_stream<beast::tcp_stream>>;

  net::io_context ioc;
  std::optional<net::ssl::context> tls_context;
  std::optional<Plain> plain;
  std::optional<Tls> tls;

  // Calls f(websocket) with the one in use.
  template <typename F>
  void With(F&& f) {
    if (tls.has_value()) {
      f(*tls);
    } else {
      f(*plain);
    }
  }
  tcp::socket& socket() {
    return tls.has_value() ? beast::get_lowest_layer(*tls).socket()
                           : beast::get_lowest_layer(*plain).socket();
  }

  // Runs the io_context until `done` or `timeout`; on timeout cancels the socket's operations
  // and waits for their handlers. Returns false on timeout.
  bool RunUntil(const bool& done, std::chrono::milliseconds timeout) {
    ioc.restart();
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!done && ioc.run_one_until(deadline) > 0) {
    }
    if (done) return true;
    beast::error_code ignored;
    socket().cancel(ignored);
    socket().close(ignored);
    ioc.restart();
    while (!done && ioc.run_one() > 0) {
    }
    return false;
  }
};

WsClient::WsClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

WsClient::~WsClient() {
  beast::error_code ignored;
  impl_->socket().close(ignored);
}

Result<std::unique_ptr<WsClient>> WsClient::Connect(const std::string& host, uint16_t port,
                                                    std::string_view target, const Options& options,
                                                    HttpReply* refused) {
  auto impl = std::make_unique<Impl>();
  beast::error_code ec;
  const tcp::endpoint endpoint(net::ip::make_address(host, ec), port);
  if (ec) return Status::InvalidArgument("bad host " + host);
  if (!options.tls_ca_file.empty()) {
    impl->tls_context.emplace(net::ssl::context::tls_client);
    impl->tls_context->load_verify_file(options.tls_ca_file, ec);
    if (ec) return Status::InvalidArgument("CA file: " + ec.message());
    impl->tls_context->set_verify_mode(net::ssl::verify_peer);
    impl->tls.emplace(impl->ioc, *impl->tls_context);
  } else {
    impl->plain.emplace(impl->ioc);
  }
  tcp::socket& socket = impl->socket();
  socket.open(endpoint.protocol(), ec);
  if (!ec && options.receive_buffer > 0) {
    socket.set_option(net::socket_base::receive_buffer_size(options.receive_buffer), ec);
  }
  if (!ec) socket.connect(endpoint, ec);
  if (ec) return Status::IOError("connect: " + ec.message());

  if (impl->tls.has_value()) {
    bool tls_done = false;
    impl->tls->next_layer().async_handshake(net::ssl::stream_base::client,
                                            [&](beast::error_code e) {
                                              ec = e;
                                              tls_done = true;
                                            });
    if (!impl->RunUntil(tls_done, options.timeout)) {
      return Status::DeadlineExceeded("TLS handshake");
    }
    if (ec) return Status::IOError("TLS handshake: " + ec.message());
  }
  websocket::response_type response;
  bool done = false;
  impl->With([&](auto& ws) {
    ws.set_option(websocket::stream_base::decorator(
        [headers = options.headers](websocket::request_type& req) {
          for (const auto& [name, value] : headers) req.set(name, value);
        }));
    ws.async_handshake(response, host + ":" + std::to_string(port), std::string(target),
                       [&](beast::error_code e) {
                         ec = e;
                         done = true;
                       });
  });
  if (!impl->RunUntil(done, options.timeout)) return Status::DeadlineExceeded("handshake");
  if (ec == websocket::error::upgrade_declined) {
    if (refused != nullptr) {
      refused->status = response.result_int();
      refused->body = response.body();
      refused->headers.clear();
      for (const auto& field : response) {
        refused->headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
      }
    }
    return Status::Unavailable("upgrade declined: " + std::to_string(response.result_int()));
  }
  if (ec) return Status::IOError("handshake: " + ec.message());
  auto client = std::unique_ptr<WsClient>(new WsClient(std::move(impl)));
  WsClient* self = client.get();
  client->impl_->With([self](auto& ws) {
    ws.control_callback([self](websocket::frame_type kind, std::string_view) {
      if (kind == websocket::frame_type::ping) ++self->pings_;
    });
  });
  return client;
}

Result<std::string> WsClient::Read(std::chrono::milliseconds timeout) {
  beast::flat_buffer buffer;
  beast::error_code ec;
  bool done = false;
  impl_->With([&](auto& ws) {
    ws.async_read(buffer, [&](beast::error_code e, size_t) {
      ec = e;
      done = true;
    });
  });
  if (!impl_->RunUntil(done, timeout)) return Status::DeadlineExceeded("no message");
  if (ec == websocket::error::closed) {
    impl_->With([&](auto& ws) {
      close_code_ = ws.reason().code;
      const auto& reason = ws.reason().reason;
      close_reason_.assign(reason.data(), reason.size());
    });
    return Status::OutOfRange("closed by the server: " + std::to_string(close_code_) + " " +
                              close_reason_);
  }
  if (ec) return Status::IOError("read: " + ec.message());
  return beast::buffers_to_string(buffer.data());
}

void WsClient::Close() {
  bool done = false;
  impl_->With([&](auto& ws) {
    ws.async_close(websocket::close_code::normal, [&](beast::error_code) { done = true; });
  });
  impl_->RunUntil(done, std::chrono::seconds(10));
}

}  // namespace sawmill::integration
