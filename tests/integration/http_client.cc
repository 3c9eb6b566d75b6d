#include "tests/integration/http_client.h"

#include <strings.h>
#include <limits>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
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
  stream.async_connect(tcp::endpoint(address, port_), [&](beast::error_code connect_ec) {
    if (connect_ec) {
      result = connect_ec;
      return;
    }
    http::async_write(stream, req, [&](beast::error_code write_ec, std::size_t) {
      if (write_ec) {
        result = write_ec;
        return;
      }
      http::async_read(stream, buffer, parser,
                       [&](beast::error_code read_ec, std::size_t) { result = read_ec; });
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
