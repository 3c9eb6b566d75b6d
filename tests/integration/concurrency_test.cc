// The HTTP server's promises of issue 3, end to end: a slow client never holds a thread
// (many half-sent requests, more than the server has threads, do not stop others from being
// served, and a stalled request still completes when the rest arrives), and a push never
// blocks queries (pushes waiting for their group commit do not delay a query).
#include <signal.h>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include "tests/integration/http_client.h"
#include "tests/integration/server_process.h"
#include "tests/integration/temp_dir.h"

namespace sawmill::integration {
namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string PushBody(int i) {
  return R"({"streams":[{"stream":{"app":"concurrency","n":")" + std::to_string(i) +
         R"("},"values":[[")" + std::to_string(NowNs()) + R"(","line )" + std::to_string(i) +
         R"("]]}]})";
}

class ConcurrencyTest : public ::testing::Test {
 protected:
  void StartServer(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"-server.http-listen-port=0", "-storage.path=" + dir_.path()};
    args.insert(args.end(), extra.begin(), extra.end());
    auto s = ServerProcess::Start(SAW_SAWMILL_BINARY, args);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    server_ = std::move(s).value();
    auto port = server_->WaitUntilStarted();
    ASSERT_TRUE(port.ok()) << port.status().ToString() << server_->Output();
    port_ = *port;
  }
  void StopServer() {
    server_->Signal(SIGTERM);
    EXPECT_EQ(server_->Wait(), 0) << server_->Output();
  }

  TempDir dir_;
  std::unique_ptr<ServerProcess> server_;
  uint16_t port_ = 0;
};

TEST_F(ConcurrencyTest, StalledClientsDoNotHoldThreads) {
  StartServer();
  // More stalled connections than the server has threads (2 x hardware threads + a few).
  const int stalled = 8 * static_cast<int>(std::max(2u, std::thread::hardware_concurrency())) + 16;
  net::io_context io;
  std::vector<tcp::socket> sockets;
  const std::string body = PushBody(0);
  const std::string head =
      "POST /loki/api/v1/push HTTP/1.1\r\nHost: x\r\n"
      "Content-Type: application/json\r\nContent-Length: " +
      std::to_string(body.size()) + "\r\n\r\n";
  for (int i = 0; i < stalled; ++i) {
    tcp::socket& s = sockets.emplace_back(io);
    boost::system::error_code ec;
    s.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port_), ec);
    ASSERT_FALSE(ec) << ec.message();
    // Half the headers on some, the headers and half the body on the others.
    const std::string part =
        i % 2 == 0 ? head.substr(0, head.size() / 2) : head + body.substr(0, body.size() / 2);
    net::write(s, net::buffer(part), ec);
    ASSERT_FALSE(ec) << ec.message();
  }

  // Everyone else is served meanwhile (the client's timeout bounds a hang; not a timing test).
  HttpClient client("127.0.0.1", port_, std::chrono::seconds(20));
  auto ready = client.Get("/ready");
  ASSERT_TRUE(ready.ok()) << ready.status().ToString();
  EXPECT_EQ(ready->status, 200);
  auto push = client.Post("/loki/api/v1/push", PushBody(1));
  ASSERT_TRUE(push.ok()) << push.status().ToString();
  EXPECT_EQ(push->status, 204) << push->body;
  auto labels = client.Get("/loki/api/v1/labels");
  ASSERT_TRUE(labels.ok()) << labels.status().ToString();
  EXPECT_EQ(labels->status, 200) << labels->body;

  // A stalled push completes when the rest of it arrives.
  boost::system::error_code ec;
  net::write(sockets[1], net::buffer(body.substr(body.size() / 2)), ec);
  ASSERT_FALSE(ec) << ec.message();
  std::string reply(12, '\0');
  net::read(sockets[1], net::buffer(reply), ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(reply, "HTTP/1.1 204");
  for (tcp::socket& s : sockets) s.close(ec);
  StopServer();
}

TEST_F(ConcurrencyTest, PushesWaitingForTheirFsyncDoNotBlockQueries) {
  // Each push waits up to 1 s for its group commit: long enough for many to be pending.
  StartServer({"-storage.group-commit-interval=1s"});
  HttpClient client("127.0.0.1", port_, std::chrono::seconds(60));
  ASSERT_TRUE(client.Post("/loki/api/v1/push", PushBody(0)).ok());  // the first sync is at once

  // Many times the server's HTTP threads (hardware threads + 2, server/app.cc): if pushes
  // ran on them, the query would wait behind at least a quarter of the pushes.
  const int hw = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const int pushes = 4 * (3 * hw + 2);
  std::atomic<int> done{0};
  std::vector<std::thread> pushers;
  for (int i = 1; i <= pushes; ++i) {
    pushers.emplace_back([&, i] {
      auto r = client.Post("/loki/api/v1/push", PushBody(i));
      EXPECT_TRUE(r.ok() && r->status == 204);
      ++done;
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // let them all arrive
  auto labels = client.Get("/loki/api/v1/labels");
  const int done_at_answer = done.load();
  ASSERT_TRUE(labels.ok()) << labels.status().ToString();
  EXPECT_EQ(labels->status, 200);
  auto ready = client.Get("/ready");
  ASSERT_TRUE(ready.ok());
  EXPECT_EQ(ready->status, 200);
  // The query was answered while the pushes still waited for their fsync.
  EXPECT_LT(done_at_answer, pushes / 4);
  for (std::thread& t : pushers) t.join();
  EXPECT_EQ(done.load(), pushes);
  StopServer();
}

}  // namespace
}  // namespace sawmill::integration
