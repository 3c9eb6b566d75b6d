// End-to-end push: the real server receives Loki push bodies (JSON, protobuf + Snappy as real
// clients sent them, the legacy endpoint), answers as Loki does, and what it acknowledged is
// in the store: after SIGTERM the test opens the data directory itself and reads it back
// through the label index and the store.
#include <signal.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <sstream>
#include <tuple>

#include <snappy.h>

#include "index/label_index.h"
#include "index/matcher.h"
#include "ingest/head_source.h"
#include "ingest/protobuf_push.h"
#include "storage/metadata.h"
#include "storage/store.h"
#include "tests/integration/http_client.h"
#include "tests/integration/server_process.h"
#include "tests/integration/temp_dir.h"

namespace sawmill::integration {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct Stored {
  std::string labels;
  int64_t ts;
  std::string line;
  std::string metadata;  // storage/metadata.h encoding
};

// Every entry of every stream of `tenant` with `app` = app_value, read from a stopped
// server's data directory.
std::vector<Stored> ReadBack(const std::string& dir, const std::string& tenant,
                             const std::string& app_value) {
  std::vector<Stored> out;
  storage::StoreOptions o;
  o.data_dir = dir;
  o.background_threads = false;
  o.source_decoder = ingest::DecodeHeadSource;
  auto store = storage::Store::Open(o);
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  if (!store.ok()) return out;
  {
    auto idx = index::LabelIndex::Open((*store)->kv());
    EXPECT_TRUE(idx.ok()) << idx.status().ToString();
    if (!idx.ok()) return out;
    auto m = index::Matcher::Make(index::MatchType::kEqual, "app", app_value);
    EXPECT_TRUE(m.ok());
    std::vector<index::Matcher> ms{*m};
    auto streams = (*idx)->Select(tenant, ms, INT64_MIN, INT64_MAX);
    EXPECT_TRUE(streams.ok()) << streams.status().ToString();
    for (const auto& s : *streams) {
      auto it = (*store)->Read(tenant, s.id, INT64_MIN, INT64_MAX, storage::Direction::kForward);
      EXPECT_TRUE(it.ok());
      while ((*it)->Next()) {
        out.push_back({s.labels->ToString(), (*it)->entry().ts_ns, std::string((*it)->entry().line),
                       std::string((*it)->entry().metadata)});
      }
    }
  }
  EXPECT_TRUE((*store)->Close().ok());
  return out;
}

class PushTest : public ::testing::Test {
 protected:
  void StartServer(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"-server.http-listen-port=0", "-storage.path=" + dir_.path()};
    args.insert(args.end(), extra.begin(), extra.end());
    auto s = ServerProcess::Start(SAW_SAWMILL_BINARY, args);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    server_ = std::move(s).value();
    auto port = server_->WaitUntilStarted();
    ASSERT_TRUE(port.ok()) << port.status().ToString() << server_->Output();
    client_ = std::make_unique<HttpClient>("127.0.0.1", *port);
  }
  void StopServer() {
    server_->Signal(SIGTERM);
    ASSERT_EQ(server_->Wait(), 0) << server_->Output();
  }
  HttpReply Push(std::string body, std::string content_type, std::string tenant = "",
                 std::string target = "/loki/api/v1/push") {
    HttpClient::Headers h;
    if (!tenant.empty()) h.push_back({"X-Scope-OrgID", tenant});
    auto r = client_->Post(target, std::move(body), content_type, h);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : HttpReply{};
  }

  TempDir dir_;
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<HttpClient> client_;
};

TEST_F(PushTest, StoresRealClientBodiesWithLabelsAndTimestamps) {
  // The captured bodies carry their capture-time timestamps: accept old samples.
  StartServer({"-validation.reject-old-samples=false"});
  const std::string data = std::string(SAW_SOURCE_DIR) + "/tests/testdata/push/";
  EXPECT_EQ(Push(ReadFile(data + "winston_loki_protobuf.bin"), "application/x-protobuf").status,
            204);
  EXPECT_EQ(Push(ReadFile(data + "pino_loki_json.json"), "application/json").status, 204);
  StopServer();

  auto winston = ReadBack(dir_.path(), "fake", "winston-golden");
  ASSERT_EQ(winston.size(), 3u);
  for (const Stored& s : winston) {
    EXPECT_NE(s.labels.find("env=\"test\""), std::string::npos) << s.labels;
    EXPECT_GT(s.ts, 1700000000000000000);
  }
  auto pino = ReadBack(dir_.path(), "fake", "pino-golden");
  ASSERT_EQ(pino.size(), 2u);
  EXPECT_EQ(pino[0].ts, 1700000000456000000);
  EXPECT_NE(pino[0].line.find("line from pino"), std::string::npos);
}

// Acknowledged protobuf pushes, whose head records are their bodies as received, survive
// kill -9: the server starts again on the data directory (decoding those bodies) and every
// entry is there once, with its structured metadata.
TEST_F(PushTest, ProtobufPushesSurviveKill9) {
  StartServer({"-validation.reject-old-samples=false"});
  const std::string data = std::string(SAW_SOURCE_DIR) + "/tests/testdata/push/";
  EXPECT_EQ(Push(ReadFile(data + "winston_loki_protobuf.bin"), "application/x-protobuf").status,
            204);
  const int64_t now = NowNs();
  ingest::PushRequest req;
  for (int s = 0; s < 3; ++s) {
    ingest::PushStream& ps = req.streams.emplace_back();
    ps.labels = req.Own("{app=\"kill9\", n=\"" + std::to_string(s) + "\"}");
    for (int i = 0; i < 50; ++i) {
      ingest::PushEntry e{
          now + i, req.Own("stream " + std::to_string(s) + " line " + std::to_string(i)), {}};
      if (i % 10 == 0) e.metadata.push_back({"trace_id", req.Own("t" + std::to_string(i))});
      ps.entries.push_back(std::move(e));
    }
  }
  const std::string wire = ingest::EncodeLogprotoPush(req);
  std::string body;
  snappy::Compress(wire.data(), wire.size(), &body);
  EXPECT_EQ(Push(body, "application/x-protobuf").status, 204);
  auto metrics = client_->Get("/metrics");
  ASSERT_TRUE(metrics.ok());
  // Both head records are the bodies as received.
  EXPECT_NE(metrics->body.find("\nsawmill_store_head_body_records_written_total 2\n"),
            std::string::npos)
      << metrics->body;
  server_->Signal(SIGKILL);
  EXPECT_EQ(server_->Wait(), 128 + SIGKILL);

  StartServer({"-validation.reject-old-samples=false"});
  StopServer();
  EXPECT_EQ(ReadBack(dir_.path(), "fake", "winston-golden").size(), 3u);
  auto got = ReadBack(dir_.path(), "fake", "kill9");
  ASSERT_EQ(got.size(), 150u);
  std::sort(got.begin(), got.end(), [](const Stored& a, const Stored& b) {
    return std::tie(a.labels, a.ts) < std::tie(b.labels, b.ts);
  });
  for (int s = 0; s < 3; ++s) {
    for (int i = 0; i < 50; ++i) {
      const Stored& g = got[s * 50 + i];
      EXPECT_EQ(g.labels, "{app=\"kill9\", n=\"" + std::to_string(s) + "\"}");
      EXPECT_EQ(g.ts, now + i);
      EXPECT_EQ(g.line, "stream " + std::to_string(s) + " line " + std::to_string(i));
      EXPECT_EQ(g.metadata, i % 10 == 0
                                ? storage::EncodeMetadata({{"trace_id", "t" + std::to_string(i)}})
                                : "");
    }
  }
}

TEST_F(PushTest, KeepsTheGoodEntriesAndNamesTheRefusedOnes) {
  StartServer({"-distributor.max-line-size=100B"});
  const int64_t now = NowNs();
  const std::string ts = std::to_string(now),
                    old_ts = std::to_string(now - 30LL * 86400 * 1000000000);
  const std::string body = R"({"streams":[)"
                           R"({"stream":{"app":"good","env":"e2e"},"values":[[")" +
                           ts + R"(","kept 1"],[")" + std::to_string(now + 1) +
                           R"(","kept 2",{"trace_id":"abc"}],[")" + old_ts + R"(","too old"],[")" +
                           ts + R"(",")" + std::string(200, 'x') +
                           R"("]]},)"
                           R"({"stream":{"1bad":"x"},"values":[[")" +
                           ts +
                           R"(","bad labels"]]})"
                           R"(]})";
  HttpReply r = Push(body, "application/json", "team-a");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("timestamp too old"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("Max entry size '100' bytes exceeded"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("total ignored: 3 out of 5"), std::string::npos) << r.body;

  // Malformed bodies: 400 with a message, nothing stored, the server lives on.
  EXPECT_EQ(Push("{\"streams\":[", "application/json", "team-a").status, 400);
  EXPECT_EQ(Push("\x01\x02garbage", "application/x-protobuf", "team-a").status, 400);
  EXPECT_EQ(Push(R"({"streams":[{"stream":{"app":"x"},"values":[[1,"n"]]}]})", "application/json",
                 "team-a")
                .status,
            400);
  EXPECT_EQ(Push("{}", "application/json", "bad/tenant").status, 400);
  auto ready = client_->Get("/ready");
  ASSERT_TRUE(ready.ok());
  EXPECT_EQ(ready->status, 200);
  StopServer();

  auto got = ReadBack(dir_.path(), "team-a", "good");
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].line, "kept 1");
  EXPECT_EQ(got[1].line, "kept 2");
  EXPECT_EQ(got[0].labels, R"({app="good", env="e2e"})");
  // Tenants are apart: the default tenant has none of it.
  EXPECT_TRUE(ReadBack(dir_.path(), "fake", "good").empty());
}

TEST_F(PushTest, AcceptsTheLegacyEndpoint) {
  StartServer();
  const std::string body = R"({"streams":[{"labels":"{app=\"legacy\"}","entries":[{"ts":")" +
                           std::string("2026-11-23T10:00:00.5Z") + R"(","line":"old api"}]}]})";
  HttpReply r = Push(body, "application/json", "", "/api/prom/push");
  EXPECT_EQ(r.status, 204) << r.body;
  StopServer();
  auto got = ReadBack(dir_.path(), "fake", "legacy");
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].line, "old api");
}

}  // namespace
}  // namespace sawmill::integration
