// End-to-end: multi-tenancy (auth_enabled) and credentials (basic auth, bearer tokens) on the
// real sawmill binary.
#include <signal.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <tuple>

#include "tests/integration/http_client.h"
#include "tests/integration/server_process.h"
#include "tests/integration/temp_dir.h"

namespace sawmill::integration {
namespace {

using Headers = HttpClient::Headers;

std::string NowNs() {
  return std::to_string(std::chrono::duration_cast<std::chrono::nanoseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count());
}

class Server {
 public:
  explicit Server(std::vector<std::string> args) {
    args.push_back("-server.http-listen-port=0");
    args.push_back("-storage.path=" + dir_.path() + "/data");
    auto server = ServerProcess::Start(SAW_SAWMILL_BINARY, args);
    EXPECT_TRUE(server.ok()) << server.status().ToString();
    if (!server.ok()) return;
    process_ = std::move(server).value();
    Result<uint16_t> port = process_->WaitUntilStarted();
    EXPECT_TRUE(port.ok()) << process_->Output();
    if (port.ok()) client_ = std::make_unique<HttpClient>("127.0.0.1", *port);
  }
  ~Server() {
    if (process_ == nullptr) return;
    process_->Signal(SIGTERM);
    EXPECT_EQ(process_->Wait(), 0) << process_->Output();
  }
  HttpClient& client() { return *client_; }
  bool ok() const { return client_ != nullptr; }

 private:
  TempDir dir_;
  std::unique_ptr<ServerProcess> process_;
  std::unique_ptr<HttpClient> client_;
};

HttpReply Get(HttpClient& c, const std::string& target, const Headers& h) {
  Result<HttpReply> r = c.Get(target, h);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : HttpReply{};
}

HttpReply Push(HttpClient& c, const std::string& app, const std::string& line, const Headers& h) {
  Result<HttpReply> r = c.Post("/loki/api/v1/push",
                               R"({"streams":[{"stream":{"app":")" + app + R"("},"values":[[")" +
                                   NowNs() + R"(",")" + line + R"("]]}]})",
                               "application/json", h);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : HttpReply{};
}

TEST(TenantsAuthTest, AuthEnabledNeedsAnOrgIdAndKeepsTenantsApart) {
  Server server({"-auth.enabled"});
  ASSERT_TRUE(server.ok());
  HttpClient& c = server.client();

  for (const std::string target :
       {"/loki/api/v1/labels", "/loki/api/v1/query_range?query=%7Bapp%3D%22a%22%7D",
        "/loki/api/v1/series?match[]=%7Bapp%3D%22a%22%7D"}) {
    HttpReply r = Get(c, target, {});
    EXPECT_EQ(r.status, 401) << target;
    EXPECT_EQ(r.body, "no org id\n") << target;
  }
  EXPECT_EQ(Push(c, "a", "x", {}).status, 401);
  EXPECT_EQ(Get(c, "/ready", {}).status, 200);
  EXPECT_EQ(Get(c, "/metrics", {}).status, 200);

  ASSERT_EQ(Push(c, "only-a", "line of tenant a", {{"X-Scope-OrgID", "tenant-a"}}).status, 204);
  ASSERT_EQ(Push(c, "only-b", "line of tenant b", {{"X-Scope-OrgID", "tenant-b"}}).status, 204);

  for (const auto& [tenant, mine, theirs] :
       {std::tuple<std::string, std::string, std::string>{"tenant-a", "only-a", "only-b"},
        {"tenant-b", "only-b", "only-a"}}) {
    SCOPED_TRACE(tenant);
    const Headers h = {{"X-Scope-OrgID", tenant}};
    const nlohmann::json labels =
        nlohmann::json::parse(Get(c, "/loki/api/v1/label/app/values", h).body, nullptr, false);
    EXPECT_EQ(labels["data"], nlohmann::json::array({mine})) << labels.dump();

    const nlohmann::json names =
        nlohmann::json::parse(Get(c, "/loki/api/v1/labels", h).body, nullptr, false);
    EXPECT_EQ(names["data"], nlohmann::json::array({"app"})) << names.dump();

    const nlohmann::json series = nlohmann::json::parse(
        Get(c, "/loki/api/v1/series?match[]=%7Bapp%3D~%22.%2B%22%7D", h).body, nullptr, false);
    ASSERT_EQ(series["data"].size(), 1u) << series.dump();
    EXPECT_EQ(series["data"][0]["app"], mine);

    const nlohmann::json all = nlohmann::json::parse(
        Get(c, "/loki/api/v1/query_range?query=%7Bapp%3D~%22.%2B%22%7D", h).body, nullptr, false);
    ASSERT_EQ(all["data"]["result"].size(), 1u) << all.dump();
    EXPECT_EQ(all["data"]["result"][0]["stream"]["app"], mine);

    const nlohmann::json other = nlohmann::json::parse(
        Get(c, "/loki/api/v1/query_range?query=%7Bapp%3D%22" + theirs + "%22%7D", h).body, nullptr,
        false);
    EXPECT_EQ(other["data"]["result"].size(), 0u) << other.dump();
  }
}

TEST(TenantsAuthTest, CredentialsFromFilesAreRequiredAndReadAgainWhenChanged) {
  TempDir dir;
  const std::string users = dir.path() + "/users", tokens = dir.path() + "/tokens";
  std::ofstream(users) << "grafana:correct horse\n";
  std::ofstream(tokens) << "token-one\n";
  Server server({"-auth.basic-auth-file=" + users, "-auth.bearer-token-file=" + tokens});
  ASSERT_TRUE(server.ok());
  HttpClient& c = server.client();

  HttpReply none = Get(c, "/loki/api/v1/labels", {});
  EXPECT_EQ(none.status, 401);
  EXPECT_NE(none.Header("WWW-Authenticate").find("Basic realm="), std::string::npos);
  // grafana:correct horse, then a wrong password.
  EXPECT_EQ(Get(c, "/loki/api/v1/labels", {{"Authorization", "Basic Z3JhZmFuYTpjb3JyZWN0IGhvcnNl"}})
                .status,
            200);
  EXPECT_EQ(Get(c, "/loki/api/v1/labels", {{"Authorization", "Basic Z3JhZmFuYTpjb3JyZWN0"}}).status,
            401);
  EXPECT_EQ(Get(c, "/loki/api/v1/labels", {{"Authorization", "Bearer token-one"}}).status, 200);
  EXPECT_EQ(Push(c, "a", "x", {}).status, 401);
  EXPECT_EQ(Push(c, "a", "x", {{"Authorization", "Bearer token-one"}}).status, 204);
  EXPECT_EQ(Get(c, "/ready", {}).status, 200);
  EXPECT_EQ(Get(c, "/metrics", {}).status, 200);
  EXPECT_EQ(Get(c, "/config", {}).status, 401);

  // The Secret is updated in place: the new token works at once, the old one no longer does.
  std::ofstream(tokens + ".new") << "token-two\n";
  std::filesystem::rename(tokens + ".new", tokens);
  EXPECT_EQ(Get(c, "/loki/api/v1/labels", {{"Authorization", "Bearer token-two"}}).status, 200);
  EXPECT_EQ(Get(c, "/loki/api/v1/labels", {{"Authorization", "Bearer token-one"}}).status, 401);
}

TEST(TenantsAuthTest, MissingCredentialsFileStopsStartUp) {
  TempDir dir;
  auto server = ServerProcess::Start(SAW_SAWMILL_BINARY,
                                     {"-server.http-listen-port=0", "-storage.path=" + dir.path(),
                                      "-auth.bearer-token-file=" + dir.path() + "/missing"});
  ASSERT_TRUE(server.ok());
  EXPECT_EQ((*server)->Wait(), 1) << (*server)->Output();
  EXPECT_NE((*server)->Output().find(dir.path() + "/missing"), std::string::npos)
      << (*server)->Output();
}

}  // namespace
}  // namespace sawmill::integration
