// sawcli against a scripted server (tests/tools/fake_server.h): what it sends (paths, query
// parameters, tenant and auth headers) and how it reacts (retries with back-off on 429/5xx,
// none on other 4xx), plus the endpoints whose server side is not ours yet or is being built
// (index stats, volume, format_query, delete, the tail WebSocket), from Loki's documented
// protocol.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/tools/fake_server.h"
#include "tests/tools/sawcli_runner.h"

namespace sawmill::sawcli_test {
namespace {

FakeReply Json(std::string body, int status = 200) {
  FakeReply r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

const char* kLabels = R"({"status":"success","data":["app","job"]})";

TEST(SawcliProtocolTest, RetriesTooManyRequestsThenSucceeds) {
  FakeServer server([](const FakeRequest&, int index) {
    if (index == 0) {
      FakeReply r = Json("too many outstanding requests", 429);
      r.content_type = "text/plain";
      return r;
    }
    return Json(kLabels);
  });
  RunResult r = RunSawcli({"labels", "--addr=" + server.addr(), "-q", "--retries=3",
                           "--min-backoff=10ms", "--max-backoff=50ms"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "app\njob\n");
  EXPECT_EQ(server.requests().size(), 2u);
}

TEST(SawcliProtocolTest, GivesUpAfterTheRetriesWithTheServersMessage) {
  FakeServer server([](const FakeRequest&, int) {
    FakeReply r = Json("ingester unavailable right now", 503);
    r.content_type = "text/plain";
    return r;
  });
  RunResult r =
      RunSawcli({"labels", "--addr=" + server.addr(), "--retries=2", "--min-backoff=5ms"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(server.requests().size(), 3u);
  EXPECT_NE(r.err.find("Error response from server: ingester unavailable right now (status 503)"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("retrying in"), std::string::npos) << r.err;
}

TEST(SawcliProtocolTest, DoesNotRetryOtherClientErrors) {
  FakeServer server([](const FakeRequest&, int) { return Json("bad request: nope", 400); });
  RunResult r = RunSawcli({"labels", "--addr=" + server.addr(), "--retries=5", "-q"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(server.requests().size(), 1u);
  EXPECT_NE(r.err.find("bad request: nope"), std::string::npos) << r.err;
}

TEST(SawcliProtocolTest, SendsTenantAndCredentialsFromFlagsAndEnvironment) {
  FakeServer server([](const FakeRequest&, int) { return Json(kLabels); });
  // Basic auth and tenant from flags; the address from LOKI_ADDR.
  RunResult basic = RunSawcli({"labels", "-q", "--org-id=team-a", "--username=u", "--password=p"},
                              {{"LOKI_ADDR", server.addr()}});
  ASSERT_EQ(basic.exit_code, 0) << basic.err;
  // Bearer token and tenant from the environment; the address from SAWMILL_ADDR.
  RunResult bearer = RunSawcli(
      {"labels", "-q"},
      {{"SAWMILL_ADDR", server.addr()}, {"LOKI_BEARER_TOKEN", "tok"}, {"LOKI_ORG_ID", "team-b"}});
  ASSERT_EQ(bearer.exit_code, 0) << bearer.err;
  // A flag wins over its environment variable.
  RunResult override_env = RunSawcli({"labels", "-q", "--org-id=team-c"},
                                     {{"LOKI_ADDR", server.addr()}, {"LOKI_ORG_ID", "team-b"}});
  ASSERT_EQ(override_env.exit_code, 0) << override_env.err;
  // Both kinds of credentials: refused before sending anything.
  RunResult both = RunSawcli({"labels", "-q", "--username=u", "--bearer-token=t"},
                             {{"LOKI_ADDR", server.addr()}});
  EXPECT_EQ(both.exit_code, 1);
  EXPECT_NE(both.err.find("at most one of"), std::string::npos) << both.err;

  const std::vector<FakeRequest> reqs = server.requests();
  ASSERT_EQ(reqs.size(), 3u);
  EXPECT_EQ(reqs[0].headers.at("x-scope-orgid"), "team-a");
  EXPECT_EQ(reqs[0].headers.at("authorization"), "Basic dTpw");
  EXPECT_EQ(reqs[0].target.rfind("/loki/api/v1/labels?end=", 0), 0u) << reqs[0].target;
  EXPECT_EQ(reqs[1].headers.at("x-scope-orgid"), "team-b");
  EXPECT_EQ(reqs[1].headers.at("authorization"), "Bearer tok");
  EXPECT_EQ(reqs[2].headers.at("x-scope-orgid"), "team-c");
}

TEST(SawcliProtocolTest, StatsVolumeAndFormat) {
  FakeServer server([](const FakeRequest& req, int) {
    if (req.target.rfind("/loki/api/v1/index/stats?", 0) == 0) {
      return Json(R"({"streams":2,"chunks":3,"bytes":12345,"entries":10})");
    }
    if (req.target.rfind("/loki/api/v1/index/volume_range?", 0) == 0) {
      return Json(R"({"status":"success","data":{"resultType":"matrix","result":[)"
                  R"({"metric":{"job":"a"},"values":[[1700000000,"100"]]}]}})");
    }
    if (req.target.rfind("/loki/api/v1/index/volume?", 0) == 0) {
      return Json(R"({"status":"success","data":{"resultType":"vector","result":[)"
                  R"({"metric":{"job":"a"},"value":[1700000000,"100"]}]}})");
    }
    if (req.target.rfind("/loki/api/v1/format_query?", 0) == 0) {
      return Json(R"({"status":"success","data":"{job=\"a\"} |= \"x\""})");
    }
    return Json("not found", 404);
  });
  const std::string addr = "--addr=" + server.addr();
  RunResult stats = RunSawcli({"stats", "{job=\"a\"}", addr, "-q"});
  ASSERT_EQ(stats.exit_code, 0) << stats.err;
  EXPECT_EQ(stats.out, "{\n  bytes: 12kB\n  chunks: 3\n  streams: 2\n  entries: 10\n}\n");

  RunResult volume =
      RunSawcli({"volume", "{job=\"a\"}", addr, "-q", "--targetLabels=job", "--aggregateByLabels"});
  ASSERT_EQ(volume.exit_code, 0) << volume.err;
  EXPECT_EQ(volume.out,
            "[\n  {\n    \"metric\": {\n      \"job\": \"a\"\n    },\n    \"value\": [\n"
            "      1700000000,\n      \"100\"\n    ]\n  }\n]");
  RunResult range = RunSawcli({"volume_range", "{job=\"a\"}", addr, "-q", "--step=1m"});
  ASSERT_EQ(range.exit_code, 0) << range.err;
  EXPECT_NE(range.out.find("\"values\": ["), std::string::npos) << range.out;

  RunResult fmt = RunSawcli({"fmt", "--server", addr, "-q"}, {}, "{job=\"a\"}|=\"x\"");
  ASSERT_EQ(fmt.exit_code, 0) << fmt.err;
  EXPECT_EQ(fmt.out, "{job=\"a\"} |= \"x\"\n");

  const std::vector<FakeRequest> reqs = server.requests();
  ASSERT_EQ(reqs.size(), 4u);
  EXPECT_NE(reqs[0].target.find("&query=%7Bjob%3D%22a%22%7D&start="), std::string::npos);
  EXPECT_NE(reqs[1].target.find("aggregateBy=labels"), std::string::npos) << reqs[1].target;
  EXPECT_NE(reqs[1].target.find("&limit=100&"), std::string::npos) << reqs[1].target;
  EXPECT_NE(reqs[1].target.find("targetLabels=job"), std::string::npos) << reqs[1].target;
  EXPECT_NE(reqs[2].target.find("&step=60"), std::string::npos) << reqs[2].target;
  EXPECT_EQ(reqs[3].target, "/loki/api/v1/format_query?query=%7Bjob%3D%22a%22%7D%7C%3D%22x%22");
}

// Log answers are decoded without a DOM when resultType precedes result (Loki's order); any
// other order goes through the DOM. Both print the same bytes, stats included.
TEST(SawcliProtocolTest, ReadsLogAnswersInEitherKeyOrder) {
  const std::string streams =
      R"([{"stream":{"job":"a","pod":"p1"},"values":[["1700000000000000002","two \"q\""],)"
      R"(["1700000000000000001","one",{"structuredMetadata":{"k":"v"}}]]},)"
      R"({"stream":{"job":"a","pod":"p2"},"values":[["1700000000000000003","three\tx"]]}])";
  const std::string stats = R"({"summary":{"totalEntriesReturned":3,"totalLinesProcessed":3}})";
  const std::string usual = R"({"status":"success","data":{"resultType":"streams","result":)" +
                            streams + R"(,"stats":)" + stats + "}}";
  const std::string reversed = R"({"data":{"stats":)" + stats + R"(,"result":)" + streams +
                               R"(,"resultType":"streams"},"status":"success"})";
  std::vector<std::string> outputs;
  for (const std::string& body : {usual, reversed}) {
    FakeServer server([&](const FakeRequest&, int) { return Json(body); });
    for (const char* mode : {"default", "raw", "jsonl"}) {
      RunResult r = RunSawcli({"query", "{job=\"a\"}", "--addr=" + server.addr(), "-q",
                               "--since=1h", "--stats", "-o", mode, "--timezone=UTC"});
      ASSERT_EQ(r.exit_code, 0) << r.err;
      EXPECT_NE(r.err.find("Summary.TotalLinesProcessed"), std::string::npos) << r.err;
      outputs.push_back(r.out + "|" + r.err);
    }
  }
  ASSERT_EQ(outputs.size(), 6u);
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ(outputs[i], outputs[i + 3]) << i;
  EXPECT_EQ(outputs[1].substr(0, outputs[1].find('|')), "three\tx\ntwo \"q\"\none\n");

  // --interval and --step go to the server as Loki's query_range parameters (seconds).
  FakeServer params([&](const FakeRequest&, int) { return Json(usual); });
  RunResult sent = RunSawcli({"query", "{job=\"a\"}", "--addr=" + params.addr(), "-q", "--since=1h",
                              "--interval=30s", "--step=10s", "-o", "raw"});
  ASSERT_EQ(sent.exit_code, 0) << sent.err;
  ASSERT_EQ(params.requests().size(), 1u);
  const std::string target = params.requests()[0].target;
  EXPECT_NE(target.find("&interval=30&"), std::string::npos) << target;
  EXPECT_NE(target.find("&step=10"), std::string::npos) << target;

  FakeServer broken([&](const FakeRequest&, int) {
    return Json(
        R"({"status":"success","data":{"resultType":"streams","result":[{"values":[["x","a"]]}]}})");
  });
  RunResult bad = RunSawcli({"query", "{job=\"a\"}", "--addr=" + broken.addr(), "-q"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("Error decoding response: bad timestamp x"), std::string::npos) << bad.err;
}

TEST(SawcliProtocolTest, DeleteCreateListCancel) {
  FakeServer server([](const FakeRequest& req, int) {
    if (req.method == "GET") {
      return Json(R"([{"request_id":"abc","start_time":1700000000,"end_time":1700003600,)"
                  R"("query":"{job=\"a\"}","status":"received","created_at":1700000000}])");
    }
    FakeReply r;
    r.status = 204;
    return r;
  });
  const std::string addr = "--addr=" + server.addr();
  RunResult create = RunSawcli({"delete", "create", "--query={job=\"a\"}",
                                "--from=2023-11-14T22:13:20Z", "--to=2023-11-14T23:13:20Z", addr});
  ASSERT_EQ(create.exit_code, 0) << create.err;
  EXPECT_EQ(create.out, "Delete request created successfully\n");
  RunResult list = RunSawcli({"delete", "list", addr, "-z", "UTC"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_EQ(list.out,
            "Found 1 delete requests:\nQuery: {job=\"a\"}\nStart Time: 2023-11-14T22:13:20Z\n"
            "End Time: 2023-11-14T23:13:20Z\nStatus: received\n---\n");
  RunResult cancel = RunSawcli({"delete", "cancel", "abc", addr});
  ASSERT_EQ(cancel.exit_code, 0) << cancel.err;
  EXPECT_EQ(cancel.out, "Delete request abc cancelled successfully\n");

  const std::vector<FakeRequest> reqs = server.requests();
  ASSERT_EQ(reqs.size(), 3u);
  EXPECT_EQ(reqs[0].method, "POST");
  EXPECT_EQ(reqs[0].target,
            "/loki/api/v1/delete?end=1700003600&query=%7Bjob%3D%22a%22%7D&start=1700000000");
  EXPECT_EQ(reqs[1].method, "GET");
  EXPECT_EQ(reqs[2].method, "DELETE");
  EXPECT_EQ(reqs[2].target, "/loki/api/v1/delete?request_id=abc");
}

TEST(SawcliProtocolTest, TailFollowsTheWebSocket) {
  FakeServer server([](const FakeRequest&, int) {
    FakeReply r;
    r.ws_messages = {
        R"({"streams":[{"stream":{"job":"a"},"values":[["1700000000000000000","first"]]}]})",
        R"({"streams":[{"stream":{"job":"b"},"values":[["1700000001000000000","second"]]}],)"
        R"("dropped_entries":[{"labels":{"job":"c"},"timestamp":"1700000000500000000"}]})"};
    return r;
  });
  RunResult r = RunSawcli({"query", "{job=~\".+\"}", "--tail", "--delay-for=2s", "--limit=50",
                           "--addr=" + server.addr(), "-z", "UTC", "--org-id=t"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "2023-11-14T22:13:20Z {job=\"a\"} first\n2023-11-14T22:13:21Z {job=\"b\"} second\n");
  EXPECT_NE(r.err.find("Server dropped following entries due to slow client"), std::string::npos)
      << r.err;
  const std::vector<FakeRequest> reqs = server.requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].target.rfind("/loki/api/v1/tail?delay_for=2&limit=50&query=", 0), 0u)
      << reqs[0].target;
  EXPECT_EQ(reqs[0].headers.at("x-scope-orgid"), "t");
  EXPECT_NE(r.err.find("ws://127.0.0.1:"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace sawmill::sawcli_test
