// End-to-end: GET /loki/api/v1/tail over a real WebSocket against the real sawmill binary.
#include <signal.h>

#include <cctype>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/integration/http_client.h"
#include "tests/integration/server_process.h"
#include "tests/integration/temp_dir.h"
#include "tests/integration/ws_client.h"

namespace sawmill::integration {
namespace {

using nlohmann::json;
constexpr auto kWait = std::chrono::seconds(60);

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string UrlEncode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

std::string TailTarget(std::string_view query, std::string_view extra = "") {
  std::string t = "/loki/api/v1/tail?query=" + UrlEncode(query);
  if (!extra.empty()) t += "&" + std::string(extra);
  return t;
}

class TailTest : public ::testing::Test {
 protected:
  void StartServer(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"-server.http-listen-port=0", "-storage.path=" + dir_.path()};
    args.insert(args.end(), extra.begin(), extra.end());
    Result<std::unique_ptr<ServerProcess>> server = ServerProcess::Start(SAW_SAWMILL_BINARY, args);
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(server).value();
    Result<uint16_t> port = server_->WaitUntilStarted();
    ASSERT_TRUE(port.ok()) << port.status().ToString() << server_->Output();
    port_ = *port;
  }

  // Pushes `lines` to one stream, timestamps ts0, ts0+1, ...; expects 204. Each line gets
  // `metadata` (a JSON object) as structured metadata when it is not empty.
  void Push(const std::string& stream_json, int64_t ts0, const std::vector<std::string>& lines,
            const std::string& tenant = "", const std::string& metadata = "") {
    json body = {{"streams", json::array()}};
    json values = json::array();
    for (size_t i = 0; i < lines.size(); ++i) {
      json value = {std::to_string(ts0 + static_cast<int64_t>(i)), lines[i]};
      if (!metadata.empty()) value.push_back(json::parse(metadata));
      values.push_back(value);
    }
    body["streams"].push_back({{"stream", json::parse(stream_json)}, {"values", values}});
    HttpClient::Headers headers;
    if (!tenant.empty()) headers.emplace_back("X-Scope-OrgID", tenant);
    HttpClient client("127.0.0.1", port_);
    if (!tls_ca_file_.empty()) client.UseTls(tls_ca_file_);
    Result<HttpReply> r =
        client.Post("/loki/api/v1/push", body.dump(), "application/json", headers);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_EQ(r->status, 204) << r->body;
  }

  std::unique_ptr<WsClient> Connect(const std::string& target, const std::string& tenant = "",
                                    int receive_buffer = 0,
                                    std::vector<std::pair<std::string, std::string>> headers = {}) {
    WsClient::Options options;
    options.headers = std::move(headers);
    if (!tenant.empty()) options.headers.emplace_back("X-Scope-OrgID", tenant);
    options.receive_buffer = receive_buffer;
    options.tls_ca_file = tls_ca_file_;
    Result<std::unique_ptr<WsClient>> ws =
        WsClient::Connect("127.0.0.1", port_, target, options, nullptr);
    EXPECT_TRUE(ws.ok()) << ws.status().ToString();
    return ws.ok() ? std::move(ws).value() : nullptr;
  }

  TempDir dir_;
  std::unique_ptr<ServerProcess> server_;
  uint16_t port_ = 0;
  std::string tls_ca_file_;  // set: the server speaks TLS with this (self-signed) certificate
};

struct Got {
  int64_t ts = 0;
  json labels;
  std::string line;
};

// The entries of one message, checking its shape (Loki's: one stream per entry, timestamps as
// strings).
std::vector<Got> EntriesOf(const json& message) {
  std::vector<Got> out;
  if (!message.contains("streams")) return out;
  for (const json& s : message["streams"]) {
    EXPECT_TRUE(s["stream"].is_object()) << s.dump();
    for (const json& v : s["values"]) {
      EXPECT_TRUE(v[0].is_string()) << v.dump();
      out.push_back({std::stoll(v[0].get<std::string>()), s["stream"], v[1].get<std::string>()});
    }
  }
  return out;
}

// Reads messages until `n` entries came (or the wait ends).
std::vector<Got> ReadEntries(WsClient* ws, size_t n) {
  std::vector<Got> got;
  const auto deadline = std::chrono::steady_clock::now() + kWait;
  while (got.size() < n && std::chrono::steady_clock::now() < deadline) {
    Result<std::string> m = ws->Read(kWait);
    if (!m.ok()) {
      ADD_FAILURE() << m.status().ToString();
      break;
    }
    const json message = json::parse(*m, nullptr, false);
    EXPECT_TRUE(message.is_object()) << *m;
    for (Got& g : EntriesOf(message)) got.push_back(std::move(g));
  }
  return got;
}

TEST_F(TailTest, SendsHistoryOldestFirstThenLiveEntries) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  const int64_t t0 = NowNs() - int64_t{60} * 1'000'000'000;
  Push(R"({"app":"hist"})", t0, {"h0", "h1", "h2", "h3", "h4"});
  Push(R"({"app":"other"})", t0, {"o0"});

  auto ws = Connect(TailTarget(R"({app="hist"})", "limit=3"));
  ASSERT_NE(ws, nullptr);
  // The newest 3 of the history, oldest first.
  Result<std::string> first = ws->Read(kWait);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  const json message = json::parse(*first);
  EXPECT_FALSE(message.contains("dropped_entries")) << *first;
  std::vector<Got> got = EntriesOf(message);
  ASSERT_EQ(got.size(), 3u) << *first;
  EXPECT_EQ(got[0].line, "h2");
  EXPECT_EQ(got[1].line, "h3");
  EXPECT_EQ(got[2].line, "h4");
  EXPECT_EQ(got[2].ts, t0 + 4);
  EXPECT_EQ(got[0].labels, json::parse(R"({"app":"hist"})"));
  // Exact bytes of an entry: one stream per entry, the timestamp a string.
  EXPECT_NE(first->find(R"({"stream":{"app":"hist"},"values":[[")" + std::to_string(t0 + 2) +
                        R"(","h2"]]})"),
            std::string::npos)
      << *first;

  // Then what is pushed, and only to this selector.
  const int64_t t1 = NowNs();
  Push(R"({"app":"other"})", t1, {"not me"});
  Push(R"({"app":"hist"})", t1, {"live1", "live2"});
  got = ReadEntries(ws.get(), 2);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].line, "live1");
  EXPECT_EQ(got[1].line, "live2");
  EXPECT_EQ(got[1].ts, t1 + 1);
  ws->Close();
}

// Grafana's live tail (spec section 7): only `query`, form-encoded by Go's url.Values (spaces
// as '+'), through Grafana's backend with its User-Agent and the tenant header.
TEST_F(TailTest, AnswersGrafanasLiveTailRequest) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  WsClient::Options options;
  options.headers = {{"User-Agent", "Grafana/11.3.0"}, {"X-Scope-OrgID", "grafana"}};
  Result<std::unique_ptr<WsClient>> ws = WsClient::Connect(
      "127.0.0.1", port_, "/loki/api/v1/tail?query=%7Bapp%3D%22g%22%7D+%7C%3D+%22hello+world%22",
      options, nullptr);
  ASSERT_TRUE(ws.ok()) << ws.status().ToString();
  const int64_t t = NowNs();
  Push(R"({"app":"g"})", t, {"goodbye world", "hello world"}, "grafana");
  Result<std::string> m = (*ws)->Read(kWait);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  // What Grafana's parser reads: streams[].stream (object), streams[].values[][0] (a string).
  EXPECT_EQ(*m, R"({"streams":[{"stream":{"app":"g"},"values":[[")" + std::to_string(t + 1) +
                    R"(","hello world"]]}]})");
}

TEST_F(TailTest, AppliesThePipelineToLiveEntries) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  auto ws = Connect(
      TailTarget(R"({app="pipe"} |= "keep" | logfmt | level="error" | line_format "{{.msg}}")"));
  ASSERT_NE(ws, nullptr);
  const int64_t t = NowNs();
  Push(R"({"app":"pipe"})", t,
       {"level=info msg=a-keep", "level=error msg=b-drop", "level=error msg=c-keep",
        "level=error msg=d-keep"});
  std::vector<Got> got = ReadEntries(ws.get(), 2);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].line, "c-keep");
  EXPECT_EQ(got[1].line, "d-keep");
  EXPECT_EQ(got[0].ts, t + 2);
  // The labels the pipeline produced (parsed ones included), as Loki's tail sends them.
  EXPECT_EQ(got[0].labels, json::parse(R"({"app":"pipe","level":"error","msg":"c-keep"})"));
}

TEST_F(TailTest, SlowClientGetsDroppedEntriesAndPushesAreNotBlocked) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  // A client that does not read, with a small receive buffer.
  auto ws = Connect(TailTarget(R"({app="flood"})"), "", 4096);
  ASSERT_NE(ws, nullptr);
  const std::string big(8192, 'x');
  constexpr int kPushes = 20, kPerPush = 200;
  int64_t t = NowNs();
  for (int p = 0; p < kPushes; ++p) {
    std::vector<std::string> lines;
    for (int i = 0; i < kPerPush; ++i) lines.push_back(std::to_string(p * kPerPush + i) + big);
    // Each push answers 204 although the tail's client reads nothing.
    ASSERT_NO_FATAL_FAILURE(Push(R"({"app":"flood"})", t, lines));
    t += kPerPush;
  }
  // Now read: what fitted in the buffers, then the drops reported with a later message.
  size_t received = 0, dropped = 0;
  int64_t last_ts = 0;
  while (dropped == 0 && received < size_t{kPushes} * kPerPush) {
    Result<std::string> m = ws->Read(kWait);
    ASSERT_TRUE(m.ok()) << m.status().ToString();
    const json message = json::parse(*m);
    for (const Got& g : EntriesOf(message)) {
      EXPECT_GT(g.ts, last_ts);  // in push order, none twice
      last_ts = g.ts;
      ++received;
    }
    if (message.contains("dropped_entries")) {
      for (const json& d : message["dropped_entries"]) {
        ASSERT_TRUE(d["timestamp"].is_string()) << d.dump();
        EXPECT_EQ(d["labels"], json::parse(R"({"app":"flood"})"));
        ++dropped;
      }
    }
  }
  EXPECT_GT(dropped, 0u);
  EXPECT_LT(received, size_t{kPushes} * kPerPush);
  EXPECT_LE(dropped, 1000u);  // Loki's cap on remembered drops
}

TEST_F(TailTest, CapsConcurrentTailsPerTenant) {
  ASSERT_NO_FATAL_FAILURE(StartServer({"-querier.max-concurrent-tail-requests=2"}));
  const std::string target = TailTarget(R"({app="cap"})");
  auto a = Connect(target, "t1");
  auto b = Connect(target, "t1");
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  // The third of tenant t1 is upgraded, then closed with 1011 and Loki's message.
  auto c = Connect(target, "t1");
  ASSERT_NE(c, nullptr);
  Result<std::string> m = c->Read(kWait);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), StatusCode::kOutOfRange) << m.status().ToString();
  EXPECT_EQ(c->close_code(), 1011);
  EXPECT_EQ(c->close_reason(),
            "max concurrent tail requests limit exceeded, count > limit (3 > 2)");
  // Another tenant has its own count.
  auto other = Connect(target, "t2");
  ASSERT_NE(other, nullptr);
  const int64_t t = NowNs();
  Push(R"({"app":"cap"})", t, {"for t2"}, "t2");
  std::vector<Got> got = ReadEntries(other.get(), 1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].line, "for t2");
  // Three tails are open (the refused one is not counted).
  Result<HttpReply> metrics = HttpClient("127.0.0.1", port_).Get("/metrics");
  ASSERT_TRUE(metrics.ok()) << metrics.status().ToString();
  EXPECT_NE(metrics->body.find("\nsawmill_querier_tail_active 3\n"), std::string::npos)
      << metrics->body;
  // Closing one of t1's frees its slot (released once the server saw the close).
  a->Close();
  bool reopened = false;
  for (int attempt = 0; attempt < 100 && !reopened; ++attempt) {
    auto d = Connect(target, "t1");
    ASSERT_NE(d, nullptr);
    Push(R"({"app":"cap"})", NowNs(), {"probe"}, "t1");
    Result<std::string> r = d->Read(kWait);
    reopened = r.ok();
    if (!reopened) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(reopened);
}

TEST_F(TailTest, BadRequestsAreAnswered400BeforeTheUpgrade) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  struct Case {
    std::string target;
    std::string body_has;
  };
  const Case cases[] = {
      {TailTarget(R"({app="x")"), "parse error"},
      {TailTarget(R"({app="x"})", "delay_for=6"), "delay_for can't be greater than 5"},
      {TailTarget(R"({app="x"})", "limit=-1"), "limit"},
      {TailTarget(R"(count_over_time({app="x"}[1m]))"), "log queries"},
      {TailTarget(R"({app="x"})", "limit=100000"), "max entries limit per query exceeded"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.target);
    HttpReply refused;
    Result<std::unique_ptr<WsClient>> ws =
        WsClient::Connect("127.0.0.1", port_, c.target, {}, &refused);
    ASSERT_FALSE(ws.ok());
    EXPECT_EQ(refused.status, 400);
    EXPECT_NE(refused.body.find(c.body_has), std::string::npos) << refused.body;
  }
  // A plain GET (no upgrade) is refused as Loki's websocket library refuses it.
  Result<HttpReply> plain = HttpClient("127.0.0.1", port_).Get(TailTarget(R"({app="x"})"));
  ASSERT_TRUE(plain.ok()) << plain.status().ToString();
  EXPECT_EQ(plain->status, 400);
  EXPECT_NE(plain->body.find("not using the websocket protocol"), std::string::npos);
}

TEST_F(TailTest, WithAuthEnabledATailNeedsItsTenant) {
  ASSERT_NO_FATAL_FAILURE(StartServer({"-auth.enabled=true"}));
  HttpReply refused;
  Result<std::unique_ptr<WsClient>> ws =
      WsClient::Connect("127.0.0.1", port_, TailTarget(R"({app="x"})"), {}, &refused);
  ASSERT_FALSE(ws.ok());
  EXPECT_EQ(refused.status, 401);
  EXPECT_NE(refused.body.find("no org id"), std::string::npos) << refused.body;
  EXPECT_NE(Connect(TailTarget(R"({app="x"})"), "a"), nullptr);
}

TEST_F(TailTest, TenantsAreIsolated) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  const int64_t t0 = NowNs() - 1'000'000'000;
  Push(R"({"app":"iso"})", t0, {"b history"}, "b");
  auto ws = Connect(TailTarget(R"({app="iso"})"), "a");
  ASSERT_NE(ws, nullptr);
  const int64_t t = NowNs();
  Push(R"({"app":"iso"})", t, {"b live"}, "b");
  Push(R"({"app":"iso"})", t, {"a live"}, "a");
  // The first message is a's live line: neither b's history nor b's live line came.
  Result<std::string> m = ws->Read(kWait);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  std::vector<Got> got = EntriesOf(json::parse(*m));
  ASSERT_EQ(got.size(), 1u) << *m;
  EXPECT_EQ(got[0].line, "a live");
}

TEST_F(TailTest, LegacyPathUsesTheLegacyShape) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  const std::time_t seconds = std::time(nullptr) - 10;
  Push(R"({"app":"old"})", int64_t{seconds} * 1'000'000'000 + 500'000'000, {"legacy line"});
  char when[32];
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  std::strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
  auto ws = Connect("/api/prom/tail?query=" + UrlEncode(R"({app="old"})") + "&limit=10");
  ASSERT_NE(ws, nullptr);
  Result<std::string> m = ws->Read(kWait);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(*m, R"({"streams":[{"labels":"{app=\"old\"}","entries":[{"ts":")" + std::string(when) +
                    R"(.5Z","line":"legacy line"}]}],"dropped_entries":null})");
}

TEST_F(TailTest, PingsAnIdleClient) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  auto ws = Connect(TailTarget(R"({app="quiet"})"));
  ASSERT_NE(ws, nullptr);
  // Nothing to send: the read waits, answering the server's pings meanwhile.
  Result<std::string> m = ws->Read(std::chrono::seconds(5));
  EXPECT_EQ(m.status().code(), StatusCode::kDeadlineExceeded);
  EXPECT_GT(ws->pings(), 0u);
}

TEST_F(TailTest, StopClosesOpenTailsWithoutWaitingForThem) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  auto ws = Connect(TailTarget(R"({app="stop"})"));
  ASSERT_NE(ws, nullptr);
  auto stuck = Connect(TailTarget(R"({app="stop"})"), "", 4096);  // never reads
  ASSERT_NE(stuck, nullptr);
  server_->Signal(SIGTERM);
  Result<std::string> m = ws->Read(kWait);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(ws->close_code(), 1001);  // going away
  EXPECT_EQ(server_->Wait(), 0) << server_->Output();
  // The graceful stop did not wait out its time-out on the tails' connections.
  EXPECT_EQ(server_->Output().find("requests still in flight"), std::string::npos)
      << server_->Output();
}

// Writes cert.pem and key.pem (CN and IP SAN 127.0.0.1) into `dir` (as tls_test.cc).
bool MakeCertificate(const std::string& dir) {
  const std::string command =
      "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 "
      "-addext subjectAltName=IP:127.0.0.1 -keyout '" +
      dir + "/key.pem' -out '" + dir + "/cert.pem' >/dev/null 2>&1";
  return std::system(command.c_str()) == 0;
}

TEST_F(TailTest, TailsOverTls) {
  TempDir certs;
  ASSERT_TRUE(MakeCertificate(certs.path())) << "openssl req failed";
  ASSERT_NO_FATAL_FAILURE(StartServer({"-server.http-tls-cert-path=" + certs.path() + "/cert.pem",
                                       "-server.http-tls-key-path=" + certs.path() + "/key.pem"}));
  tls_ca_file_ = certs.path() + "/cert.pem";
  const int64_t t0 = NowNs() - int64_t{10} * 1'000'000'000;
  Push(R"({"app":"tls"})", t0, {"history over tls"});
  auto ws = Connect(TailTarget(R"({app="tls"})"));
  ASSERT_NE(ws, nullptr);
  std::vector<Got> got = ReadEntries(ws.get(), 1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].line, "history over tls");
  EXPECT_EQ(got[0].ts, t0);
  const int64_t t = NowNs();
  Push(R"({"app":"tls"})", t, {"live over tls"});
  got = ReadEntries(ws.get(), 1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].line, "live over tls");
  EXPECT_EQ(got[0].labels, json::parse(R"({"app":"tls"})"));
  // A bad tail over TLS is answered 400 before the upgrade, as over plain HTTP.
  WsClient::Options options;
  options.tls_ca_file = tls_ca_file_;
  HttpReply refused;
  EXPECT_FALSE(
      WsClient::Connect("127.0.0.1", port_, TailTarget(R"({app="tls")"), options, &refused).ok());
  EXPECT_EQ(refused.status, 400);
  EXPECT_NE(refused.body.find("parse error"), std::string::npos) << refused.body;
  // A plain-text WebSocket on the TLS port gets nowhere.
  WsClient::Options plain;
  plain.timeout = std::chrono::seconds(10);
  EXPECT_FALSE(
      WsClient::Connect("127.0.0.1", port_, TailTarget(R"({app="tls"})"), plain, nullptr).ok());
  // Stopping closes the TLS tail with 1001, as a plain one.
  server_->Signal(SIGTERM);
  Result<std::string> m = ws->Read(kWait);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(ws->close_code(), 1001) << m.status().ToString();
  EXPECT_EQ(server_->Wait(), 0) << server_->Output();
}

TEST_F(TailTest, MultiTenantTailReadsEveryTenantWithTheTenantLabel) {
  ASSERT_NO_FATAL_FAILURE(StartServer({"-querier.multi-tenant-queries-enabled=true"}));
  const int64_t t0 = NowNs() - int64_t{10} * 1'000'000'000;
  Push(R"({"app":"mt"})", t0, {"a history"}, "a");
  Push(R"({"app":"mt"})", t0 + 1000, {"b history"}, "b");
  Push(R"({"app":"mt"})", t0 + 2000, {"c history"}, "c");
  auto ws = Connect(TailTarget(R"({app="mt"})"), "a|b");
  ASSERT_NE(ws, nullptr);
  std::vector<Got> got = ReadEntries(ws.get(), 2);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].line, "a history");
  EXPECT_EQ(got[0].labels, json::parse(R"({"__tenant_id__":"a","app":"mt"})"));
  EXPECT_EQ(got[1].line, "b history");
  EXPECT_EQ(got[1].labels, json::parse(R"({"__tenant_id__":"b","app":"mt"})"));
  const int64_t t = NowNs();
  Push(R"({"app":"mt"})", t, {"c live"}, "c");
  Push(R"({"app":"mt"})", t, {"b live"}, "b");
  Push(R"({"app":"mt"})", t + 1, {"a live"}, "a");
  got = ReadEntries(ws.get(), 2);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].line, "b live");
  EXPECT_EQ(got[0].labels, json::parse(R"({"__tenant_id__":"b","app":"mt"})"));
  EXPECT_EQ(got[1].line, "a live");
  EXPECT_EQ(got[1].labels, json::parse(R"({"__tenant_id__":"a","app":"mt"})"));
  // A __tenant_id__ matcher picks the tenants, as in queries.
  auto only_b = Connect(TailTarget(R"({app="mt", __tenant_id__="b"})"), "a|b");
  ASSERT_NE(only_b, nullptr);
  got = ReadEntries(only_b.get(), 2);  // b's history and live line
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].line, "b history");
  EXPECT_EQ(got[1].line, "b live");
  Push(R"({"app":"mt"})", NowNs(), {"a again"}, "a");
  Push(R"({"app":"mt"})", NowNs(), {"b again"}, "b");
  got = ReadEntries(only_b.get(), 1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].line, "b again");
}

TEST_F(TailTest, MultiTenantTailIsRefusedWithoutTheFlag) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  WsClient::Options options;
  options.headers = {{"X-Scope-OrgID", "a|b"}};
  HttpReply refused;
  EXPECT_FALSE(
      WsClient::Connect("127.0.0.1", port_, TailTarget(R"({app="mt"})"), options, &refused).ok());
  EXPECT_EQ(refused.status, 400);
  EXPECT_EQ(refused.body, "multiple org IDs present");
}

TEST_F(TailTest, HistoryOverTheMemoryBudgetClosesTheTailAndTheServerGoesOn) {
  ASSERT_NO_FATAL_FAILURE(StartServer({"-querier.max-query-memory=1MiB"}));
  const int64_t t0 = NowNs() - int64_t{60} * 1'000'000'000;
  // 2,000 lines of 2 KB: 4 MB of history for a limit of 2,000 entries.
  std::vector<std::string> lines;
  for (int i = 0; i < 2000; ++i) lines.push_back(std::string(2000, 'a' + i % 26));
  for (int part = 0; part < 4; ++part) {
    std::vector<std::string> some(lines.begin() + part * 500, lines.begin() + (part + 1) * 500);
    ASSERT_NO_FATAL_FAILURE(Push(R"({"app":"big"})", t0 + part * 500, some));
  }
  auto ws = Connect(TailTarget(R"({app="big"})", "limit=2000"));
  ASSERT_NE(ws, nullptr);
  Result<std::string> m = ws->Read(kWait);
  ASSERT_FALSE(m.ok()) << "a history over the budget was sent";
  EXPECT_EQ(ws->close_code(), 1011) << m.status().ToString();
  EXPECT_NE(ws->close_reason().find("per-query memory limit"), std::string::npos)
      << ws->close_reason();
  // The server is fine: ready, and a history within the budget comes.
  Result<HttpReply> ready = HttpClient("127.0.0.1", port_).Get("/ready");
  ASSERT_TRUE(ready.ok());
  EXPECT_EQ(ready->status, 200);
  auto small = Connect(TailTarget(R"({app="big"})", "limit=10"));
  ASSERT_NE(small, nullptr);
  std::vector<Got> got = ReadEntries(small.get(), 10);
  ASSERT_EQ(got.size(), 10u);
  EXPECT_EQ(got[9].ts, t0 + 1999);
}

TEST_F(TailTest, StructuredMetadataJoinsTheLabelsOrIsCategorized) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  const int64_t t0 = NowNs() - int64_t{10} * 1'000'000'000;
  Push(R"({"app":"sm"})", t0, {"level=warn msg=history"}, "", R"({"trace_id":"h1"})");
  auto plain = Connect(TailTarget(R"({app="sm"})"));
  ASSERT_NE(plain, nullptr);
  auto categorized = Connect(TailTarget(R"({app="sm"} | logfmt)"), "", 0,
                             {{"X-Loki-Response-Encoding-Flags", "categorize-labels"}});
  ASSERT_NE(categorized, nullptr);
  // Without the encoding, structured metadata is part of the labels (history and live).
  Result<std::string> m = plain->Read(kWait);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(*m, R"({"streams":[{"stream":{"app":"sm","trace_id":"h1"},"values":[[")" +
                    std::to_string(t0) + R"(","level=warn msg=history"]]}]})");
  // With it: the stream labels alone, metadata and parsed labels in the third element.
  m = categorized->Read(kWait);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(
      *m,
      R"({"streams":[{"stream":{"app":"sm"},"values":[[")" + std::to_string(t0) +
          R"(","level=warn msg=history",{"structuredMetadata":{"trace_id":"h1"},)"
          R"("parsed":{"level":"warn","msg":"history"}}]]}],"encodingFlags":["categorize-labels"]})");
  const int64_t t = NowNs();
  Push(R"({"app":"sm"})", t, {"level=info msg=live"}, "", R"({"trace_id":"l1"})");
  Push(R"({"app":"sm"})", t + 1, {"n=1"});
  std::string live;
  for (int i = 0; i < 2 && live.find("n=1") == std::string::npos; ++i) {
    m = plain->Read(kWait);
    ASSERT_TRUE(m.ok()) << m.status().ToString();
    live += *m;
  }
  EXPECT_NE(live.find(R"({"stream":{"app":"sm","trace_id":"l1"},"values":[[")" + std::to_string(t) +
                      R"(","level=info msg=live"]]})"),
            std::string::npos)
      << live;
  EXPECT_NE(
      live.find(R"({"stream":{"app":"sm"},"values":[[")" + std::to_string(t + 1) + R"(","n=1"]]})"),
      std::string::npos)
      << live;
  live.clear();
  for (int i = 0; i < 2 && live.find("n=1") == std::string::npos; ++i) {
    m = categorized->Read(kWait);
    ASSERT_TRUE(m.ok()) << m.status().ToString();
    live += *m;
  }
  EXPECT_NE(live.find(R"({"stream":{"app":"sm"},"values":[[")" + std::to_string(t) +
                      R"(","level=info msg=live",{"structuredMetadata":{"trace_id":"l1"},)"
                      R"("parsed":{"level":"info","msg":"live"}}]]})"),
            std::string::npos)
      << live;
  EXPECT_NE(live.find(R"({"stream":{"app":"sm"},"values":[[")" + std::to_string(t + 1) +
                      R"(","n=1",{"parsed":{"n":"1"}}]]})"),
            std::string::npos)
      << live;
  EXPECT_NE(live.find(R"("encodingFlags":["categorize-labels"]})"), std::string::npos) << live;
}

TEST_F(TailTest, PendingDeletesHideLinesFromTheHistory) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  const int64_t seconds = std::time(nullptr) - 30;
  const int64_t t0 = seconds * 1'000'000'000;
  Push(R"({"app":"del"})", t0, {"keep 1", "secret 2", "keep 3", "secret 4"});
  Push(R"({"app":"gone"})", t0, {"all of it"});
  HttpClient client("127.0.0.1", port_);
  const std::string range =
      "&start=" + std::to_string(seconds - 5) + "&end=" + std::to_string(seconds + 5);
  for (std::string_view query : {R"({app="del"} |= "secret")", R"({app="gone"})"}) {
    Result<HttpReply> r =
        client.Post("/loki/api/v1/delete?query=" + UrlEncode(query) + range, "", "text/plain");
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_EQ(r->status, 204) << r->body;
  }
  auto ws = Connect(TailTarget(R"({app=~"del|gone"})"));
  ASSERT_NE(ws, nullptr);
  std::vector<Got> got = ReadEntries(ws.get(), 2);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].line, "keep 1");
  EXPECT_EQ(got[1].line, "keep 3");
  // Nothing else was in the history: the next message is a live line.
  Push(R"({"app":"del"})", NowNs(), {"after"});
  got = ReadEntries(ws.get(), 1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].line, "after");
}

}  // namespace
}  // namespace sawmill::integration
