#include "tests/integration/http_client.h"

#include <strings.h>
#include <limits>
#include <optional>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace sawmill::integration {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

std::string HttpReply::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (key.size() == name.size() && strncasecmp(key.data(), name.data(), key.size()) == 0) {
      return value;
    }
  }
  return "";
}

Result<HttpReply> HttpClient::Get(std::string_view target, const Headers& headers) const {
  return Send("GET", target, "", headers);
}

Result<HttpReply> HttpClient::Post(std::string_view target, std::string body,
                                   std::string_view content_type, const Headers& headers) const {
  Headers all = headers;
  all.emplace_back("Content-Type", std::string(content_type));
  return Send("POST", target, std::move(body), all);
}

Result<HttpReply> HttpClient::Send(std::string_view method, std::string_view target,
                                   std::string body, const Headers& headers) const {
  const std::string where = std::string(method) + " " + std::string(target) + " on " + host_ + ":" +
                            std::to_string(port_);
  beast::error_code ec;
  const net::ip::address address = net::ip::make_address(host_, ec);
  if (ec) return Status::InvalidArgument("bad host " + host_);

  http::request<http::string_body> req;
  req.method_string(method);
  req.target(target);
  req.version(11);
  req.set(http::field::host, host_ + ":" + std::to_string(port_));
  req.set(http::field::connection, "close");
  for (const auto& [key, value] : headers) req.set(key, value);
  req.body() = std::move(body);
  req.prepare_payload();

  // Async operations on one thread, so the stream's timeout bounds the whole exchange.
  net::io_context ioc;
  beast::tcp_stream stream(ioc);
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(std::numeric_limits<std::uint64_t>::max());
  beast::error_code result;
  stream.expires_after(timeout_);
  // Writes the request and reads the answer on `s` (the TCP stream or TLS over it).
  auto exchange = [&](auto& s) {
    http::async_write(s, req, [&](beast::error_code write_ec, std::size_t) {
      if (write_ec) {
        result = write_ec;
        return;
      }
      http::async_read(s, buffer, parser,
                       [&](beast::error_code read_ec, std::size_t) { result = read_ec; });
    });
  };
  std::optional<net::ssl::context> tls_context;
  std::optional<net::ssl::stream<beast::tcp_stream&>> tls;
  if (!tls_ca_file_.empty()) {
    tls_context.emplace(net::ssl::context::tls_client);
    tls_context->load_verify_file(tls_ca_file_, ec);
    if (ec) return Status::InvalidArgument("CA file " + tls_ca_file_ + ": " + ec.message());
    tls_context->set_verify_mode(net::ssl::verify_peer);
    tls.emplace(stream, *tls_context);
  }
  stream.async_connect(tcp::endpoint(address, port_), [&](beast::error_code connect_ec) {
    if (connect_ec) {
      result = connect_ec;
      return;
    }
    if (!tls.has_value()) return exchange(stream);
    tls->async_handshake(net::ssl::stream_base::client, [&](beast::error_code handshake_ec) {
      if (handshake_ec) {
        result = handshake_ec;
        return;
      }
      exchange(*tls);
    });
  });
  ioc.run();
  if (result) return Status::IOError(where + ": " + result.message());

  HttpReply reply;
  reply.status = static_cast<int>(parser.get().result_int());
  reply.body = std::move(parser.get().body());
  for (const auto& field : parser.get()) {
    reply.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  return reply;
}

}  // namespace sawmill::integration
