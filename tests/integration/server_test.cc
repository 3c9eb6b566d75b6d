// End-to-end: the real sawmill binary on a free loopback port with a fresh data directory.
#include <signal.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/integration/http_client.h"
#include "tests/integration/server_process.h"
#include "tests/integration/temp_dir.h"

namespace sawmill::integration {
namespace {

std::unique_ptr<ServerProcess> StartSawmill(const std::vector<std::string>& args) {
  Result<std::unique_ptr<ServerProcess>> server = ServerProcess::Start(SAW_SAWMILL_BINARY, args);
  EXPECT_TRUE(server.ok()) << server.status().ToString();
  return server.ok() ? std::move(server).value() : nullptr;
}

TEST(ServerTest, ServesOperationalEndpointsAndStopsOnSigterm) {
  TempDir dir;
  auto server = StartSawmill({"-server.http-listen-port=0", "-storage.path=" + dir.path()});
  ASSERT_NE(server, nullptr);
  Result<uint16_t> port = server->WaitUntilStarted();
  ASSERT_TRUE(port.ok()) << port.status().ToString();
  HttpClient client("127.0.0.1", *port);

  Result<HttpReply> ready = client.Get("/ready");
  ASSERT_TRUE(ready.ok()) << ready.status().ToString();
  EXPECT_EQ(ready->status, 200);
  EXPECT_EQ(ready->body, "ready\n");

  Result<HttpReply> metrics = client.Get("/metrics");
  ASSERT_TRUE(metrics.ok()) << metrics.status().ToString();
  EXPECT_EQ(metrics->status, 200);
  EXPECT_NE(metrics->body.find("sawmill_build_info{"), std::string::npos) << metrics->body;
  // The /ready request above was counted.
  EXPECT_NE(
      metrics->body.find(
          R"(loki_request_duration_seconds_count{method="GET",route="ready",status_code="200",ws="false"} 1)"),
      std::string::npos)
      << metrics->body;

  Result<HttpReply> missing = client.Get("/no/such/path");
  ASSERT_TRUE(missing.ok()) << missing.status().ToString();
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(missing->body, "404 page not found\n");

  Result<HttpReply> buildinfo = client.Get("/loki/api/v1/status/buildinfo");
  ASSERT_TRUE(buildinfo.ok()) << buildinfo.status().ToString();
  EXPECT_EQ(buildinfo->status, 200);
  const nlohmann::json info = nlohmann::json::parse(buildinfo->body, nullptr, false);
  ASSERT_TRUE(info.is_object()) << buildinfo->body;
  for (const char* key : {"version", "revision", "branch", "buildUser", "buildDate", "goVersion"}) {
    EXPECT_TRUE(info.contains(key)) << key;
  }

  Result<HttpReply> flush = client.Post("/flush", "");
  ASSERT_TRUE(flush.ok()) << flush.status().ToString();
  EXPECT_EQ(flush->status, 204);

  server->Signal(SIGTERM);
  EXPECT_EQ(server->Wait(), 0) << server->Output();
  const std::string out = server->Output();
  EXPECT_NE(out.find("msg=\"Sawmill stopped\""), std::string::npos) << out;
  EXPECT_NE(out.find("path=" + dir.path()), std::string::npos) << out;  // absolute data dir
}

TEST(ServerTest, StopsCleanlyOnSigint) {
  TempDir dir;
  auto server = StartSawmill({"--server.http-listen-port", "0", "--data.dir", dir.path()});
  ASSERT_NE(server, nullptr);
  ASSERT_TRUE(server->WaitUntilStarted().ok()) << server->Output();
  server->Signal(SIGINT);
  EXPECT_EQ(server->Wait(), 0) << server->Output();
  EXPECT_NE(server->Output().find("Sawmill stopped"), std::string::npos) << server->Output();
}

TEST(ServerTest, UnknownFlagExitsWithOne) {
  auto server = StartSawmill({"-no.such.flag=1"});
  ASSERT_NE(server, nullptr);
  EXPECT_EQ(server->Wait(), 1) << server->Output();
  EXPECT_NE(server->Output().find("flag provided but not defined: -no.such.flag"),
            std::string::npos)
      << server->Output();
}

TEST(ServerTest, BadFlagValueExitsWithOne) {
  auto server = StartSawmill({"-storage.encoding=gzip"});
  ASSERT_NE(server, nullptr);
  EXPECT_EQ(server->Wait(), 1) << server->Output();
  EXPECT_NE(server->Output().find("invalid value \"gzip\" for flag -storage.encoding"),
            std::string::npos)
      << server->Output();
}

}  // namespace
}  // namespace sawmill::integration
