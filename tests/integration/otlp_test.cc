// End-to-end OTLP: the real server receives OTLP/HTTP logs in protobuf (plain and gzipped) and
// JSON on /otlp/v1/logs, answers as Loki does (204; 4xx with a protobuf google.rpc.Status), and
// what it stored is queried back over Loki's API: the promoted resource attributes as labels,
// the rest as structured metadata, detected_level filterable.
#include <signal.h>
#include <zlib.h>

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <string>
#include <vector>

#include "tests/ingest/otlp_test_util.h"
#include "tests/integration/http_client.h"
#include "tests/integration/query_test_util.h"
#include "tests/integration/server_process.h"
#include "tests/integration/temp_dir.h"

namespace sawmill::integration {
namespace {

using namespace otlp_test;  // NOLINT

constexpr int64_t kSecond = 1'000'000'000;

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string Gzip(const std::string& plain) {
  z_stream zs{};
  if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    return {};
  }
  std::string out(compressBound(plain.size()) + 64, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(plain.data()));
  zs.avail_in = static_cast<uInt>(plain.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  int rc = deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return rc == Z_STREAM_END ? out : std::string();
}

class OtlpTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = ServerProcess::Start(SAW_SAWMILL_BINARY,
                                  {"-server.http-listen-port=0", "-storage.path=" + dir_.path()});
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    server_ = std::move(s).value();
    auto port = server_->WaitUntilStarted();
    ASSERT_TRUE(port.ok()) << port.status().ToString() << server_->Output();
    client_ = std::make_unique<HttpClient>("127.0.0.1", *port);
    now_ = NowNs();
  }
  void TearDown() override {
    if (server_ != nullptr) {
      server_->Signal(SIGTERM);
      EXPECT_EQ(server_->Wait(), 0) << server_->Output();
    }
  }

  HttpReply Post(std::string body, std::string content_type, HttpClient::Headers headers = {}) {
    auto r = client_->Post("/otlp/v1/logs", std::move(body), content_type, headers);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : HttpReply{};
  }

  // query_range over the last hour, with structured metadata in the answer.
  nlohmann::json Query(const std::string& logql) {
    const std::string target =
        "/loki/api/v1/query_range?direction=forward&query=" + UrlEncode(logql) +
        "&start=" + std::to_string(now_ - 3600 * kSecond) +
        "&end=" + std::to_string(now_ + 60 * kSecond);
    auto r = client_->Get(target, {{"X-Loki-Response-Encoding-Flags", "categorize-labels"}});
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    if (!r.ok()) return {};
    EXPECT_EQ(r->status, 200) << r->body;
    return nlohmann::json::parse(r->body, nullptr, false);
  }

  TempDir dir_;
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<HttpClient> client_;
  int64_t now_ = 0;
};

TEST_F(OtlpTest, StoresProtobufAndJsonAsLokiDoes) {
  const std::string trace("\x5b\x8e\xff\xf7\x98\x03\x81\x03\xd2\x69\xb6\x33\x81\x3f\xc6\x0c", 16);
  const uint64_t t = static_cast<uint64_t>(now_ - 5'000'000'000);
  std::string pb = Request({ResourceLogs(
      {Attr("service.name", Str("checkout")), Attr("k8s.namespace.name", Str("shop")),
       Attr("host.name", Str("node-1"))},
      {ScopeLogs("slf4j", "2.1", {},
                 {Record({.time = t,
                          .severity_number = 17,
                          .severity_text = "ERROR",
                          .body = Str("payment failed"),
                          .attrs = {Attr("order.id", Int(42))},
                          .trace_id = trace}),
                  Record({.time = t + 1, .severity_number = 9, .body = Str("paid")})})})});
  HttpReply r = Post(pb, "application/x-protobuf");
  EXPECT_EQ(r.status, 204) << r.body;
  EXPECT_EQ(r.body, "");
  // The same resource gzipped: one more entry in the same stream.
  std::string gz = Request({ResourceLogs(
      {Attr("service.name", Str("checkout")), Attr("k8s.namespace.name", Str("shop"))},
      {ScopeLogs("", "", {}, {Record({.time = t + 2, .body = Str("gzipped")})})})});
  r = Post(Gzip(gz), "application/x-protobuf", {{"Content-Encoding", "gzip"}});
  EXPECT_EQ(r.status, 204) << r.body;

  const std::string ts = std::to_string(t + 3);
  const std::string json = R"({"resourceLogs":[{"resource":{"attributes":[
      {"key":"k8s.container.name","value":{"stringValue":"web"}}]},
    "scopeLogs":[{"logRecords":[
      {"timeUnixNano":")" + ts +
                           R"(","severityText":"warning","body":{"stringValue":"slow"},
       "spanId":"eee19b7ec3c1b174"},
      {"timeUnixNano":")" + ts +
                           R"(","body":{"kvlistValue":{"values":[
        {"key":"msg","value":{"stringValue":"boom"}},{"key":"level","value":{"stringValue":"error"}}]}}}
    ]}]}]})";
  r = Post(json, "application/json");
  EXPECT_EQ(r.status, 204) << r.body;

  // `| __error__=""` keeps every entry; it is there because the answer to a bare selector does
  // not carry structured metadata yet (the engine's no-op pipeline drops it).
  nlohmann::json checkout = Query(R"({service_name="checkout"} | __error__="")");
  ASSERT_EQ(checkout["data"]["result"].size(), 1u) << checkout.dump();
  const auto& stream = checkout["data"]["result"][0];
  EXPECT_EQ(stream["stream"],
            nlohmann::json({{"k8s_namespace_name", "shop"}, {"service_name", "checkout"}}));
  const auto& values = stream["values"];
  ASSERT_EQ(values.size(), 3u) << stream.dump();
  EXPECT_EQ(values[0][0], std::to_string(t));
  EXPECT_EQ(values[0][1], "payment failed");
  const auto& md = values[0][2]["structuredMetadata"];
  EXPECT_EQ(md["trace_id"], "5b8efff798038103d269b633813fc60c") << md.dump();
  EXPECT_EQ(md["severity_number"], "17");
  EXPECT_EQ(md["severity_text"], "ERROR");
  EXPECT_EQ(md["detected_level"], "error");
  EXPECT_EQ(md["order_id"], "42");
  EXPECT_EQ(md["host_name"], "node-1");
  EXPECT_EQ(md["scope_name"], "slf4j");
  EXPECT_EQ(values[1][1], "paid");
  EXPECT_EQ(values[1][2]["structuredMetadata"]["detected_level"], "info");
  EXPECT_EQ(values[2][1], "gzipped");

  // No service.name: the promoted k8s_container_name names the service.
  nlohmann::json web = Query(R"({service_name="web", k8s_container_name="web"} | __error__="")");
  ASSERT_EQ(web["data"]["result"].size(), 1u) << web.dump();
  const auto& wv = web["data"]["result"][0]["values"];
  ASSERT_EQ(wv.size(), 2u);
  EXPECT_EQ(wv[0][2]["structuredMetadata"]["span_id"], "eee19b7ec3c1b174");
  EXPECT_EQ(wv[0][2]["structuredMetadata"]["detected_level"], "warn");
  EXPECT_EQ(wv[1][1], R"({"level":"error","msg":"boom"})");  // a map body as JSON, keys sorted

  // Structured metadata filters like a label.
  nlohmann::json errors = Query(R"({service_name=~"web|checkout"} | detected_level="error")");
  size_t n = 0;
  for (const auto& s : errors["data"]["result"]) n += s["values"].size();
  EXPECT_EQ(n, 2u) << errors.dump();
}

TEST_F(OtlpTest, BadBodiesAre400WithAnOtlpStatus) {
  std::string good = Request({ResourceLogs(
      {},
      {ScopeLogs("", "", {}, {Record({.time = static_cast<uint64_t>(now_), .body = Str("x")})})})});
  struct Case {
    std::string name, body, type, want;
  };
  const Case cases[] = {
      {"truncated protobuf", good.substr(0, good.size() - 3), "application/x-protobuf",
       "runs past the end"},
      {"bad json", "{\"resourceLogs\":[", "application/json", "malformed JSON"},
      {"wrong type", R"({"resourceLogs":"x"})", "application/json", "must be an array"},
      {"bad utf-8", "{\"resourceLogs\":[\"\xff\"]}", "application/json", "invalid UTF-8"},
      {"unsupported type", "x", "text/plain", "content type: text/plain is not supported"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    HttpReply r = Post(c.body, c.type);
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(r.Header("Content-Type"), "application/octet-stream");
    // google.rpc.Status { message = 2 }: key 0x12, a varint length, the text.
    ASSERT_GE(r.body.size(), 2u);
    EXPECT_EQ(r.body[0], '\x12');
    EXPECT_NE(r.body.find(c.want), std::string::npos) << r.body;
  }
  // The server is still fine: a good body is stored.
  EXPECT_EQ(Post(good, "application/x-protobuf").status, 204);
}

TEST_F(OtlpTest, RefusedEntriesDoNotLoseTheOthers) {
  const uint64_t now = static_cast<uint64_t>(now_);
  const uint64_t old = now - 30ULL * 86400 * 1'000'000'000;  // past reject_old_samples_max_age
  std::string body =
      Request({ResourceLogs({Attr("service.name", Str("mixed"))},
                            {ScopeLogs("", "", {},
                                       {Record({.time = now, .body = Str("fresh")}),
                                        Record({.time = old, .body = Str("stale")})})})});
  HttpReply r = Post(body, "application/x-protobuf");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("timestamp too old"), std::string::npos) << r.body;
  nlohmann::json got = Query(R"({service_name="mixed"})");
  ASSERT_EQ(got["data"]["result"].size(), 1u) << got.dump();
  ASSERT_EQ(got["data"]["result"][0]["values"].size(), 1u);
  EXPECT_EQ(got["data"]["result"][0]["values"][0][1], "fresh");
}

}  // namespace
}  // namespace sawmill::integration

namespace sawmill::integration {
namespace {

// Loki's per-tenant limits_config.otlp_config in the runtime overrides file: tenant `custom`
// ignores the default index labels, promotes host.name, drops secret.* resource attributes
// and the debug.info log attribute; tenant `plain` keeps Loki's defaults. The same body
// gives each its own streams and metadata.
TEST(OtlpTenantConfigTest, TwoTenantsMapTheSameBodyByTheirOwnOtlpConfig) {
  TempDir dir;
  const std::string runtime = dir.path() + "/runtime.yaml";
  {
    std::ofstream f(runtime);
    f << R"(overrides:
  custom:
    otlp_config:
      resource_attributes:
        ignore_defaults: true
        attributes_config:
          - action: index_label
            attributes: [host.name]
          - action: drop
            regex: "secret\\..*"
      log_attributes:
        - action: drop
          attributes: [debug.info]
)";
  }
  auto s = ServerProcess::Start(SAW_SAWMILL_BINARY,
                                {"-server.http-listen-port=0", "-storage.path=" + dir.path() + "/d",
                                 "-runtime-config.file=" + runtime});
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  auto port = (*s)->WaitUntilStarted();
  ASSERT_TRUE(port.ok()) << port.status().ToString() << (*s)->Output();
  HttpClient client("127.0.0.1", *port);
  const int64_t now = NowNs();
  const std::string body = R"({"resourceLogs":[{"resource":{"attributes":[
      {"key":"service.name","value":{"stringValue":"checkout"}},
      {"key":"host.name","value":{"stringValue":"node-1"}},
      {"key":"secret.token","value":{"stringValue":"abc"}}]},
    "scopeLogs":[{"logRecords":[{"timeUnixNano":")" +
                           std::to_string(now - kSecond) + R"(","body":{"stringValue":"paid"},
      "attributes":[{"key":"order.id","value":{"intValue":"42"}},
                    {"key":"debug.info","value":{"stringValue":"x"}}]}]}]}]})";
  for (const char* tenant : {"plain", "custom"}) {
    auto r = client.Post("/otlp/v1/logs", body, "application/json", {{"X-Scope-OrgID", tenant}});
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->status, 204) << r->body;
  }
  auto only_stream = [&](const std::string& tenant) {
    // Every stream of the tenant, whatever its labels: {host_name} or {service_name}.
    nlohmann::json out = nlohmann::json::array();
    for (const char* sel : {R"({service_name=~".+"})", R"({host_name=~".+"})"}) {
      auto r = client.Get(
          "/loki/api/v1/query_range?direction=forward&query=" + UrlEncode(sel) + "&start=" +
              std::to_string(now - 3600 * kSecond) + "&end=" + std::to_string(now + 60 * kSecond),
          {{"X-Scope-OrgID", tenant}, {"X-Loki-Response-Encoding-Flags", "categorize-labels"}});
      EXPECT_TRUE(r.ok());
      if (!r.ok()) continue;
      EXPECT_EQ(r->status, 200) << r->body;
      const nlohmann::json answer = nlohmann::json::parse(r->body);
      for (const auto& st : answer["data"]["result"]) {
        if (std::find(out.begin(), out.end(), st) == out.end()) out.push_back(st);
      }
    }
    EXPECT_EQ(out.size(), 1u) << out.dump();
    return out.empty() ? nlohmann::json() : out[0];
  };

  nlohmann::json plain = only_stream("plain");
  EXPECT_EQ(plain["stream"], nlohmann::json({{"service_name", "checkout"}})) << plain.dump();
  const auto& pm = plain["values"][0][2]["structuredMetadata"];
  EXPECT_EQ(pm["host_name"], "node-1") << pm.dump();
  EXPECT_EQ(pm["secret_token"], "abc");
  EXPECT_EQ(pm["debug_info"], "x");
  EXPECT_EQ(pm["order_id"], "42");

  nlohmann::json custom = only_stream("custom");
  EXPECT_EQ(custom["stream"], nlohmann::json({{"host_name", "node-1"}})) << custom.dump();
  const auto& cm = custom["values"][0][2]["structuredMetadata"];
  EXPECT_EQ(cm["service_name"], "checkout") << cm.dump();
  EXPECT_EQ(cm["order_id"], "42");
  EXPECT_FALSE(cm.contains("secret_token")) << cm.dump();
  EXPECT_FALSE(cm.contains("debug_info")) << cm.dump();
  EXPECT_FALSE(cm.contains("host_name")) << cm.dump();

  (*s)->Signal(SIGTERM);
  EXPECT_EQ((*s)->Wait(), 0) << (*s)->Output();
}

// Loki 3.5's index_label for log attributes and severity_text_as_label, set in the config
// file's limits_config.otlp_config: the records of one resource split into streams by their
// log.file.path and severity_text; log.file.path is then no metadata, severity_text stays
// metadata too. GET /config shows the effective otlp_config the way Loki renders it.
TEST(OtlpTenantConfigTest, LogAttributesAndSeverityTextBecomeIndexLabels) {
  TempDir dir;
  const std::string config = dir.path() + "/config.yaml";
  {
    std::ofstream f(config);
    f << R"(limits_config:
  otlp_config:
    log_attributes:
      - action: index_label
        attributes: [log.file.path]
      - action: drop
        regex: "debug\\..*"
    severity_text_as_label: true
)";
  }
  auto s = ServerProcess::Start(SAW_SAWMILL_BINARY,
                                {"-server.http-listen-port=0", "-storage.path=" + dir.path() + "/d",
                                 "-config.file=" + config});
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  auto port = (*s)->WaitUntilStarted();
  ASSERT_TRUE(port.ok()) << port.status().ToString() << (*s)->Output();
  HttpClient client("127.0.0.1", *port);
  const int64_t now = NowNs();
  auto record = [&](int i, const std::string& path, const std::string& severity) {
    return R"({"timeUnixNano":")" + std::to_string(now - (10 - i) * kSecond) +
           R"(","severityText":")" + severity + R"(","body":{"stringValue":"line )" +
           std::to_string(i) +
           R"("},"attributes":[{"key":"log.file.path","value":{"stringValue":")" + path +
           R"("}},{"key":"debug.x","value":{"stringValue":"y"}},)" +
           R"({"key":"user","value":{"stringValue":"u)" + std::to_string(i) + R"("}}]})";
  };
  const std::string body =
      R"({"resourceLogs":[{"resource":{"attributes":[
      {"key":"service.name","value":{"stringValue":"checkout"}}]},"scopeLogs":[{"logRecords":[)" +
      record(0, "/var/log/a.log", "INFO") + "," + record(1, "/var/log/b.log", "INFO") + "," +
      record(2, "/var/log/a.log", "ERROR") + "," + record(3, "/var/log/a.log", "INFO") +
      R"(]}]}]})";
  auto r = client.Post("/otlp/v1/logs", body, "application/json");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 204) << r->body;

  const std::string range = "&start=" + std::to_string(now - 3600 * kSecond) +
                            "&end=" + std::to_string(now + 60 * kSecond);
  auto series = client.Get(
      "/loki/api/v1/series?match[]=" + UrlEncode(R"({service_name="checkout"})") + range);
  ASSERT_TRUE(series.ok());
  ASSERT_EQ(series->status, 200) << series->body;
  std::vector<std::string> got;
  const nlohmann::json listed = nlohmann::json::parse(series->body);
  for (const auto& one : listed["data"]) got.push_back(one.dump());
  std::sort(got.begin(), got.end());
  EXPECT_EQ(
      got,
      (std::vector<std::string>{
          R"({"log_file_path":"/var/log/a.log","service_name":"checkout","severity_text":"ERROR"})",
          R"({"log_file_path":"/var/log/a.log","service_name":"checkout","severity_text":"INFO"})",
          R"({"log_file_path":"/var/log/b.log","service_name":"checkout","severity_text":"INFO"})"}))
      << series->body;

  auto q =
      client.Get("/loki/api/v1/query_range?direction=forward&query=" +
                     UrlEncode(R"({log_file_path="/var/log/a.log", severity_text="INFO"})") + range,
                 {{"X-Loki-Response-Encoding-Flags", "categorize-labels"}});
  ASSERT_TRUE(q.ok());
  ASSERT_EQ(q->status, 200) << q->body;
  const nlohmann::json result = nlohmann::json::parse(q->body)["data"]["result"];
  ASSERT_EQ(result.size(), 1u) << q->body;
  ASSERT_EQ(result[0]["values"].size(), 2u) << q->body;
  EXPECT_EQ(result[0]["values"][0][1], "line 0");
  EXPECT_EQ(result[0]["values"][1][1], "line 3");
  const nlohmann::json& md = result[0]["values"][1][2]["structuredMetadata"];
  EXPECT_EQ(md["user"], "u3") << md.dump();
  // Stored as metadata too; a query shows it as Loki's LabelsBuilder does a metadata name
  // that is also a stream label: severity_text_extracted.
  EXPECT_EQ(md["severity_text_extracted"], "INFO") << md.dump();
  EXPECT_FALSE(md.contains("log_file_path")) << md.dump();
  EXPECT_FALSE(md.contains("debug_x")) << md.dump();

  auto c = client.Get("/config");
  ASSERT_TRUE(c.ok());
  ASSERT_EQ(c->status, 200);
  const YAML::Node shown = YAML::Load(c->body)["limits_config"]["otlp_config"];
  ASSERT_TRUE(shown.IsMap()) << c->body;
  const YAML::Node rules = shown["resource_attributes"]["attributes_config"];
  ASSERT_EQ(rules.size(), 1u) << c->body;  // Loki's default list, as ApplyGlobalOTLPConfig adds it
  EXPECT_EQ(rules[0]["action"].as<std::string>(), "index_label");
  EXPECT_EQ(rules[0]["attributes"][0].as<std::string>(), "service.name");
  EXPECT_EQ(rules[0]["attributes"].size(), 18u);
  EXPECT_FALSE(shown["resource_attributes"]["ignore_defaults"]) << c->body;  // omitempty
  EXPECT_FALSE(shown["scope_attributes"]) << c->body;
  ASSERT_EQ(shown["log_attributes"].size(), 2u) << c->body;
  EXPECT_EQ(shown["log_attributes"][0]["action"].as<std::string>(), "index_label");
  EXPECT_EQ(shown["log_attributes"][0]["attributes"][0].as<std::string>(), "log.file.path");
  EXPECT_EQ(shown["log_attributes"][1]["action"].as<std::string>(), "drop");
  EXPECT_EQ(shown["log_attributes"][1]["regex"].as<std::string>(), "debug\\..*");
  EXPECT_FALSE(shown["log_attributes"][1]["attributes"]) << c->body;
  EXPECT_TRUE(shown["severity_text_as_label"].as<bool>()) << c->body;

  (*s)->Signal(SIGTERM);
  EXPECT_EQ((*s)->Wait(), 0) << (*s)->Output();
}

// Without a config, GET /config shows Loki's default otlp_config: the default index label
// list as the one resource rule, nothing else.
TEST(OtlpTenantConfigTest, ConfigShowsTheDefaultOtlpConfig) {
  TempDir dir;
  auto s = ServerProcess::Start(SAW_SAWMILL_BINARY,
                                {"-server.http-listen-port=0", "-storage.path=" + dir.path()});
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  auto port = (*s)->WaitUntilStarted();
  ASSERT_TRUE(port.ok()) << port.status().ToString() << (*s)->Output();
  HttpClient client("127.0.0.1", *port);
  auto c = client.Get("/config");
  ASSERT_TRUE(c.ok());
  const YAML::Node shown = YAML::Load(c->body)["limits_config"]["otlp_config"];
  ASSERT_TRUE(shown.IsMap()) << c->body;
  EXPECT_EQ(shown.size(), 1u) << c->body;  // resource_attributes only
  const YAML::Node rules = shown["resource_attributes"]["attributes_config"];
  ASSERT_EQ(rules.size(), 1u) << c->body;
  EXPECT_EQ(rules[0]["action"].as<std::string>(), "index_label");
  EXPECT_EQ(rules[0]["attributes"][17].as<std::string>(), "k8s.job.name");
  (*s)->Signal(SIGTERM);
  EXPECT_EQ((*s)->Wait(), 0) << (*s)->Output();
}

}  // namespace
}  // namespace sawmill::integration
