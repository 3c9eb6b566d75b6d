// Multi-tenant queries end to end: with -querier.multi-tenant-queries-enabled, X-Scope-OrgID
// "a|b" reads both tenants (log and metric queries, labels, series, index stats), each stream
// labelled __tenant_id__, and __tenant_id__ matchers choose tenants; without the flag such a
// header is refused.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/integration/http_client.h"
#include "tests/integration/query_test_util.h"
#include "tests/integration/server_process.h"
#include "tests/integration/temp_dir.h"

namespace sawmill::integration {
namespace {

constexpr int64_t kSec = 1'000'000'000;
constexpr int64_t kBase = 1'700'000'000 * kSec;

struct Server {
  TempDir dir;
  std::unique_ptr<ServerProcess> process;
  std::unique_ptr<HttpClient> client;
};

std::unique_ptr<Server> StartServer(bool multi) {
  auto s = std::make_unique<Server>();
  std::vector<std::string> args = {"-server.http-listen-port=0", "-storage.path=" + s->dir.path(),
                                   "-validation.reject-old-samples=false"};
  if (multi) args.push_back("-querier.multi-tenant-queries-enabled=true");
  auto p = ServerProcess::Start(SAW_SAWMILL_BINARY, args);
  EXPECT_TRUE(p.ok()) << p.status().ToString();
  if (!p.ok()) return nullptr;
  s->process = std::move(p).value();
  auto port = s->process->WaitUntilStarted();
  EXPECT_TRUE(port.ok()) << s->process->Output();
  if (!port.ok()) return nullptr;
  s->client = std::make_unique<HttpClient>("127.0.0.1", *port);
  // Tenant a: 3 lines of {app="x"}; tenant b: 2 lines of {app="x"} and 1 of {app="y"}.
  auto push = [&](const std::string& tenant, const std::string& body) {
    auto r =
        s->client->Post("/loki/api/v1/push", body, "application/json", {{"X-Scope-OrgID", tenant}});
    EXPECT_TRUE(r.ok() && r->status == 204) << (r.ok() ? r->body : r.status().ToString());
  };
  const std::string t = std::to_string(kBase);
  push("a", R"({"streams":[{"stream":{"app":"x"},"values":[[")" + std::to_string(kBase + kSec) +
                R"(","a1"],[")" + std::to_string(kBase + 2 * kSec) + R"(","a2"],[")" +
                std::to_string(kBase + 3 * kSec) + R"(","a3"]]}]})");
  push("b", R"({"streams":[{"stream":{"app":"x"},"values":[[")" + std::to_string(kBase + kSec) +
                R"(","b1"],[")" + std::to_string(kBase + 4 * kSec) +
                R"(","b2"]]},{"stream":{"app":"y"},"values":[[")" + std::to_string(kBase + kSec) +
                R"(","by"]]}]})");
  return s;
}

std::string Range(const std::string& path, const std::string& query) {
  return path + "?query=" + UrlEncode(query) + "&start=" + std::to_string(kBase) +
         "&end=" + std::to_string(kBase + 60 * kSec);
}

nlohmann::json GetJson(const HttpClient& c, const std::string& target, const std::string& tenant,
                       int want_status = 200) {
  auto r = c.Get(target, {{"X-Scope-OrgID", tenant}});
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  if (!r.ok()) return {};
  EXPECT_EQ(r->status, want_status) << target << ": " << r->body;
  return nlohmann::json::parse(r->body, nullptr, false);
}

TEST(MultiTenantTest, QueriesReadEveryTenantAndLabelTheStreams) {
  auto s = StartServer(true);
  ASSERT_NE(s, nullptr);
  const HttpClient& c = *s->client;

  nlohmann::json logs = GetJson(c, Range("/loki/api/v1/query_range", R"({app="x"})"), "a|b");
  ASSERT_EQ(logs["data"]["result"].size(), 2u) << logs.dump();
  EXPECT_EQ(logs["data"]["result"][0]["stream"],
            nlohmann::json::parse(R"({"__tenant_id__":"a","app":"x"})"));
  EXPECT_EQ(logs["data"]["result"][0]["values"].size(), 3u);
  EXPECT_EQ(logs["data"]["result"][1]["stream"]["__tenant_id__"], "b");
  EXPECT_EQ(logs["data"]["result"][1]["values"].size(), 2u);

  // __tenant_id__ matchers choose the tenants.
  nlohmann::json only_b =
      GetJson(c, Range("/loki/api/v1/query_range", R"({__tenant_id__="b", app=~"x|y"})"), "a|b");
  ASSERT_EQ(only_b["data"]["result"].size(), 2u) << only_b.dump();
  for (const auto& st : only_b["data"]["result"]) EXPECT_EQ(st["stream"]["__tenant_id__"], "b");

  // Metric queries group by it like any label.
  nlohmann::json counts =
      GetJson(c,
              "/loki/api/v1/query?query=" +
                  UrlEncode(R"(sum by (__tenant_id__) (count_over_time({app=~"x|y"}[1m])))") +
                  "&time=" + std::to_string(kBase + 30 * kSec),
              "a|b");
  ASSERT_EQ(counts["data"]["result"].size(), 2u) << counts.dump();
  EXPECT_EQ(counts["data"]["result"][0]["metric"]["__tenant_id__"], "a");
  EXPECT_EQ(counts["data"]["result"][0]["value"][1], "3");
  EXPECT_EQ(counts["data"]["result"][1]["value"][1], "3");

  // Labels, label values, series, index stats.
  nlohmann::json names = GetJson(c, Range("/loki/api/v1/labels", ""), "a|b");
  EXPECT_EQ(names["data"], nlohmann::json::parse(R"(["__tenant_id__","app"])"));
  nlohmann::json tenants = GetJson(c, Range("/loki/api/v1/label/__tenant_id__/values", ""), "a|b");
  EXPECT_EQ(tenants["data"], nlohmann::json::parse(R"(["a","b"])"));
  nlohmann::json apps = GetJson(c, Range("/loki/api/v1/label/app/values", ""), "a|b");
  EXPECT_EQ(apps["data"], nlohmann::json::parse(R"(["x","y"])"));
  nlohmann::json series =
      GetJson(c,
              "/loki/api/v1/series?match[]=" + UrlEncode(R"({app="x"})") +
                  "&start=" + std::to_string(kBase) + "&end=" + std::to_string(kBase + 60 * kSec),
              "a|b");
  EXPECT_EQ(series["data"],
            nlohmann::json::parse(
                R"([{"__tenant_id__":"a","app":"x"},{"__tenant_id__":"b","app":"x"}])"));
  nlohmann::json stats = GetJson(c, Range("/loki/api/v1/index/stats", R"({app=~"x|y"})"), "a|b");
  EXPECT_EQ(stats["streams"], 3);
  EXPECT_EQ(stats["entries"], 6);

  // One tenant alone still sees only itself.
  nlohmann::json a_only = GetJson(c, Range("/loki/api/v1/query_range", R"({app=~"x|y"})"), "a");
  ASSERT_EQ(a_only["data"]["result"].size(), 1u);
  EXPECT_EQ(a_only["data"]["result"][0]["stream"], nlohmann::json::parse(R"({"app":"x"})"));
}

TEST(MultiTenantTest, RefusedWithoutTheFlag) {
  auto s = StartServer(false);
  ASSERT_NE(s, nullptr);
  auto r =
      s->client->Get(Range("/loki/api/v1/query_range", R"({app="x"})"), {{"X-Scope-OrgID", "a|b"}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(r->body.rfind("multiple org IDs present", 0), 0u) << r->body;
}

}  // namespace
}  // namespace sawmill::integration
