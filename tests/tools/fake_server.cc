#include "tests/tools/fake_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

namespace sawmill::sawcli_test {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;

FakeServer::FakeServer(Handler handler) : handler_(std::move(handler)) {
  listen_fd_ = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  listen(listen_fd_, 16);
  socklen_t len = sizeof(addr);
  getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  thread_ = std::thread([this] { Serve(); });
}

FakeServer::~FakeServer() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  // Wake the blocking accept with a connection of our own.
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port_);
  connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  close(fd);
  thread_.join();
  close(listen_fd_);
}

std::vector<FakeRequest> FakeServer::requests() const {
  std::lock_guard<std::mutex> lock(mu_);
  return requests_;
}

void FakeServer::Serve() {
  net::io_context ioc;
  while (true) {
    const int fd = accept(listen_fd_, nullptr, nullptr);
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stop_) {
        if (fd >= 0) close(fd);
        return;
      }
    }
    if (fd < 0) continue;
    tcp::socket socket(ioc, tcp::v4(), fd);
    beast::flat_buffer buffer;
    while (true) {
      http::request<http::string_body> req;
      beast::error_code ec;
      http::read(socket, buffer, req, ec);
      if (ec) break;
      FakeRequest r;
      r.method = std::string(req.method_string());
      r.target = std::string(req.target());
      for (const auto& field : req) {
        std::string name(field.name_string());
        std::transform(name.begin(), name.end(), name.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        r.headers[name] = std::string(field.value());
      }
      r.body = req.body();
      int index;
      {
        std::lock_guard<std::mutex> lock(mu_);
        index = static_cast<int>(requests_.size());
        requests_.push_back(r);
      }
      FakeReply reply = handler_(r, index);
      if (websocket::is_upgrade(req)) {
        websocket::stream<tcp::socket> ws(std::move(socket));
        ws.accept(req, ec);
        if (ec) break;
        for (const std::string& m : reply.ws_messages) {
          ws.text(true);
          ws.write(net::buffer(m), ec);
          if (ec) break;
        }
        ws.close(websocket::close_code::normal, ec);
        beast::flat_buffer drain;
        ws.read(drain, ec);  // until the client's close answer
        break;
      }
      http::response<http::string_body> res{static_cast<http::status>(reply.status), req.version()};
      res.set(http::field::content_type, reply.content_type);
      for (const auto& [k, v] : reply.headers) res.set(k, v);
      res.keep_alive(req.keep_alive());
      res.body() = reply.body;
      res.prepare_payload();
      http::write(socket, res, ec);
      if (ec || !req.keep_alive()) break;
    }
    beast::error_code ignored;
    socket.shutdown(tcp::socket::shutdown_both, ignored);
    socket.close(ignored);
  }
}

}  // namespace sawmill::sawcli_test
