// End-to-end limits: the ingestion rate limit and the active-stream limit answer 429 with
// Loki's messages, per-tenant overrides come from the runtime config file and are reloaded
// while the server runs, and an invalid file stops the server at start-up.
#include <signal.h>

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "tests/integration/http_client.h"
#include "tests/integration/server_process.h"
#include "tests/integration/temp_dir.h"

namespace sawmill::integration {
namespace {

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void WriteFile(const std::string& path, const std::string& text) {
  // Written aside and renamed, so the reloader never reads half a file.
  std::ofstream(path + ".tmp", std::ios::binary | std::ios::trunc) << text;
  std::rename((path + ".tmp").c_str(), path.c_str());
}

// A JSON push with one entry of `line` per app value.
std::string Body(const std::vector<std::string>& apps, const std::string& line) {
  std::string body = R"({"streams":[)";
  const std::string ts = std::to_string(NowNs());
  for (size_t i = 0; i < apps.size(); ++i) {
    if (i > 0) body += ",";
    body +=
        R"({"stream":{"app":")" + apps[i] + R"("},"values":[[")" + ts + R"(",")" + line + R"("]]})";
  }
  return body + "]}";
}

class LimitsTest : public ::testing::Test {
 protected:
  void StartServer(std::vector<std::string> extra) {
    std::vector<std::string> args = {"-server.http-listen-port=0", "-storage.path=" + dir_.path()};
    args.insert(args.end(), extra.begin(), extra.end());
    auto s = ServerProcess::Start(SAW_SAWMILL_BINARY, args);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    server_ = std::move(s).value();
    auto port = server_->WaitUntilStarted();
    ASSERT_TRUE(port.ok()) << port.status().ToString() << server_->Output();
    client_ = std::make_unique<HttpClient>("127.0.0.1", *port);
  }
  HttpReply Push(const std::string& body, const std::string& tenant = "") {
    HttpClient::Headers h;
    if (!tenant.empty()) h.push_back({"X-Scope-OrgID", tenant});
    auto r = client_->Post("/loki/api/v1/push", body, "application/json", h);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : HttpReply{};
  }
  void StopServer() {
    server_->Signal(SIGTERM);
    EXPECT_EQ(server_->Wait(), 0) << server_->Output();
  }

  TempDir dir_;
  TempDir config_dir_;
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<HttpClient> client_;
};

TEST_F(LimitsTest, RateLimitAnswers429AndStoresNothingOfThePush) {
  // 0.001 MB/s = 1048 bytes/s, burst 2097 bytes.
  StartServer(
      {"-distributor.ingestion-rate-limit-mb=0.001", "-distributor.ingestion-burst-size-mb=0.002"});
  EXPECT_EQ(Push(Body({"a", "b"}, std::string(1000, 'x'))).status, 204);
  HttpReply r = Push(Body({"a", "c"}, std::string(500, 'y')));
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(r.body,
            "Ingestion rate limit exceeded for user fake (limit: 1048 bytes/sec) while "
            "attempting to ingest '2' lines totaling '1000' bytes, reduce log volume or contact "
            "your Loki administrator to see if the limit can be increased\n");
  // Another tenant has its own bucket.
  EXPECT_EQ(Push(Body({"a"}, std::string(2000, 'z')), "other").status, 204);
  StopServer();
}

TEST_F(LimitsTest, RuntimeOverridesApplyPerTenantAndReload) {
  const std::string file = config_dir_.path() + "/overrides.yaml";
  WriteFile(file, "overrides:\n  team-a:\n    max_global_streams_per_user: 1\n");
  StartServer({"-runtime-config.file=" + file, "-runtime-config.reload-period=100ms"});
  EXPECT_TRUE(server_->WaitForOutput("runtime config loaded"));

  HttpReply r = Push(Body({"a", "b"}, "line"), "team-a");
  EXPECT_EQ(r.status, 429);
  EXPECT_NE(r.body.find("Maximum active stream limit exceeded when trying to create stream "
                        "{app=\"b\"}"),
            std::string::npos)
      << r.body;
  EXPECT_NE(r.body.find("user: 'team-a'"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("total ignored: 1 out of 2"), std::string::npos) << r.body;
  EXPECT_EQ(Push(Body({"a"}, "existing stream"), "team-a").status, 204);
  EXPECT_EQ(Push(Body({"a", "b"}, "line"), "fake").status, 204);  // defaults elsewhere

  // An invalid file is logged and the previous overrides stay.
  WriteFile(file, "overrides:\n  team-a:\n    max_global_streams_per_user: many\n");
  EXPECT_TRUE(server_->WaitForOutput("failed to reload the runtime config"));
  EXPECT_NE(server_->Output().find("line 3"), std::string::npos) << server_->Output();
  EXPECT_EQ(Push(Body({"b"}, "line"), "team-a").status, 429);

  // A valid change applies without a restart.
  WriteFile(file, "overrides:\n  team-a:\n    max_global_streams_per_user: 5\n");
  int status = 0;
  for (int i = 0; i < 200 && status != 204; ++i) {
    status = Push(Body({"b"}, "line"), "team-a").status;
    if (status != 204) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(status, 204) << server_->Output();
  StopServer();
}

TEST_F(LimitsTest, InvalidRuntimeConfigStopsTheStart) {
  const std::string file = config_dir_.path() + "/overrides.yaml";
  WriteFile(file, "overrides:\n  team-a:\n    ingestion_rate: 4\n");
  auto s = ServerProcess::Start(SAW_SAWMILL_BINARY,
                                {"-server.http-listen-port=0", "-storage.path=" + dir_.path(),
                                 "-runtime-config.file=" + file});
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ((*s)->Wait(), 1) << (*s)->Output();
  const std::string out = (*s)->Output();
  EXPECT_NE(out.find("line 3, col 5: overrides.team-a.ingestion_rate: field not found"),
            std::string::npos)
      << out;

  auto missing = ServerProcess::Start(
      SAW_SAWMILL_BINARY, {"-server.http-listen-port=0", "-storage.path=" + dir_.path(),
                           "-runtime-config.file=" + config_dir_.path() + "/nope.yaml"});
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ((*missing)->Wait(), 1) << (*missing)->Output();
}

}  // namespace
}  // namespace sawmill::integration
