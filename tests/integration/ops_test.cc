// Issue 6's operations promises, end to end on the real binary:
//   - lifecycle: /ready turns 503 once shutdown begins (during -shutdown-delay everything else
//     is still served); SIGTERM under a push load loses no acknowledged line; a second
//     SIGTERM exits at once and the acknowledged lines still come back after a restart;
//   - observability: /metrics carries Loki's names (request durations, lines received,
//     discarded lines by reason, active streams, query latencies) and the store's and
//     RocksDB's figures; the access log line and the query log line;
//   - query safety: the per-query memory budget, the bounded queue (429), the time-out and
//     the cancellation of a query whose client went away.
#include <signal.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <memory>
#include <set>
#include <string>
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
#include "tests/integration/ws_client.h"

namespace sawmill::integration {
namespace {

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct Server {
  std::unique_ptr<ServerProcess> process;
  uint16_t port = 0;
  HttpClient client() const { return HttpClient("127.0.0.1", port, std::chrono::seconds(60)); }
};

Server Start(const TempDir& dir, std::vector<std::string> extra = {}) {
  std::vector<std::string> args = {"-server.http-listen-port=0", "-storage.path=" + dir.path()};
  args.insert(args.end(), extra.begin(), extra.end());
  Server s;
  auto p = ServerProcess::Start(SAW_SAWMILL_BINARY, args);
  EXPECT_TRUE(p.ok()) << p.status().ToString();
  if (!p.ok()) return s;
  s.process = std::move(p).value();
  auto port = s.process->WaitUntilStarted();
  EXPECT_TRUE(port.ok()) << port.status().ToString() << s.process->Output();
  if (port.ok()) s.port = *port;
  return s;
}

// A JSON push of `lines` into the stream {app="ops", <extra label>}, timestamps from `ts`.
std::string PushBody(const std::string& labels, const std::vector<std::string>& lines, int64_t ts) {
  nlohmann::json values = nlohmann::json::array();
  for (size_t i = 0; i < lines.size(); ++i) {
    values.push_back(
        nlohmann::json::array({std::to_string(ts + static_cast<int64_t>(i)), lines[i]}));
  }
  nlohmann::json stream = nlohmann::json::object();
  stream["stream"] = nlohmann::json::parse(labels);
  stream["values"] = values;
  nlohmann::json body = nlohmann::json::object();
  body["streams"] = nlohmann::json::array({stream});
  return body.dump();
}

std::string Encode(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      char buf[4];
      std::snprintf(buf, sizeof(buf), "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

std::string QueryRange(const std::string& query, int64_t start, int64_t end, int limit,
                       const std::string& direction = "forward") {
  return "/loki/api/v1/query_range?query=" + Encode(query) + "&start=" + std::to_string(start) +
         "&end=" + std::to_string(end) + "&limit=" + std::to_string(limit) +
         "&direction=" + direction;
}

// Every line of the streams the query returns.
std::set<std::string> Lines(const HttpReply& reply) {
  std::set<std::string> out;
  const nlohmann::json j = nlohmann::json::parse(reply.body, nullptr, false);
  if (!j.is_object()) return out;
  for (const auto& s : j["data"]["result"]) {
    for (const auto& v : s["values"]) out.insert(v[1].get<std::string>());
  }
  return out;
}

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

TEST(LifecycleTest, ReadyTurns503AndASecondSigtermExitsAtOnceKeepingAcknowledgedLines) {
  TempDir dir;
  // A long shutdown delay: only the second signal can end the process within the test.
  Server s = Start(dir, {"-shutdown-delay=10m"});
  ASSERT_NE(s.port, 0);
  HttpClient c = s.client();
  auto ready = c.Get("/ready");
  ASSERT_TRUE(ready.ok());
  EXPECT_EQ(ready->status, 200);
  const int64_t t0 = NowNs();
  auto push = c.Post("/loki/api/v1/push", PushBody(R"({"app":"ops"})", {"before"}, t0));
  ASSERT_TRUE(push.ok());
  ASSERT_EQ(push->status, 204) << push->body;

  s.process->Signal(SIGTERM);
  ASSERT_TRUE(s.process->WaitForOutput("/ready answers 503")) << s.process->Output();
  ready = c.Get("/ready");
  ASSERT_TRUE(ready.ok()) << ready.status().ToString();
  EXPECT_EQ(ready->status, 503);
  EXPECT_EQ(ready->body, "Sawmill is shutting down\n");
  // Still served during the delay, and acknowledged.
  push = c.Post("/loki/api/v1/push", PushBody(R"({"app":"ops"})", {"during"}, t0 + 10));
  ASSERT_TRUE(push.ok());
  ASSERT_EQ(push->status, 204) << push->body;

  s.process->Signal(SIGTERM);
  // Within the default wait, far below the 10 minute delay: the second signal ended it.
  EXPECT_EQ(s.process->Wait(), 1) << s.process->Output();
  EXPECT_TRUE(Contains(s.process->Output(), "received a second signal")) << s.process->Output();

  Server again = Start(dir);
  ASSERT_NE(again.port, 0);
  auto q = again.client().Get(QueryRange(R"({app="ops"})", t0 - 1000, t0 + 1000, 100));
  ASSERT_TRUE(q.ok());
  ASSERT_EQ(q->status, 200) << q->body;
  EXPECT_EQ(Lines(*q), (std::set<std::string>{"before", "during"})) << q->body;
  again.process->Signal(SIGTERM);
  EXPECT_EQ(again.process->Wait(), 0) << again.process->Output();
}

TEST(LifecycleTest, SigtermUnderPushLoadKeepsEveryAcknowledgedLine) {
  TempDir dir;
  Server s = Start(dir);
  ASSERT_NE(s.port, 0);
  const int64_t t0 = NowNs();
  constexpr int kPushers = 4;
  constexpr int kLinesPerPush = 20;
  std::vector<std::set<std::string>> acked(kPushers);
  std::atomic<int> pushes{0};
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  for (int p = 0; p < kPushers; ++p) {
    threads.emplace_back([&, p] {
      HttpClient c("127.0.0.1", s.port, std::chrono::seconds(30));
      for (int n = 0; !stop.load(); ++n) {
        std::vector<std::string> lines;
        for (int i = 0; i < kLinesPerPush; ++i) {
          lines.push_back("p" + std::to_string(p) + " push " + std::to_string(n) + " line " +
                          std::to_string(i));
        }
        const int64_t ts = t0 + (static_cast<int64_t>(n) * kLinesPerPush) * 1000;
        auto r =
            c.Post("/loki/api/v1/push",
                   PushBody(R"({"app":"load","p":")" + std::to_string(p) + R"("})", lines, ts));
        if (!r.ok()) {
          if (stop.load()) return;
          std::this_thread::sleep_for(std::chrono::milliseconds(5));  // refused: stopping
          continue;
        }
        if (r->status == 204) acked[p].insert(lines.begin(), lines.end());
        ++pushes;
      }
    });
  }
  // Some load first (bounded wait), then SIGTERM while the pushers keep going.
  for (int i = 0; i < 3000 && pushes.load() < 40; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  s.process->Signal(SIGTERM);
  const int code = s.process->Wait();
  stop = true;
  for (std::thread& t : threads) t.join();
  ASSERT_EQ(code, 0) << s.process->Output();
  EXPECT_TRUE(Contains(s.process->Output(), "closing the store (flushing heads)"));

  Server again = Start(dir, {"-validation.max-entries-limit=0"});
  ASSERT_NE(again.port, 0);
  size_t total = 0;
  for (int p = 0; p < kPushers; ++p) {
    SCOPED_TRACE(p);
    auto q = again.client().Get(QueryRange(R"({app="load",p=")" + std::to_string(p) + R"("})",
                                           t0 - 1000, t0 + int64_t{3600} * 1000000000, 1000000));
    ASSERT_TRUE(q.ok());
    ASSERT_EQ(q->status, 200) << q->body.substr(0, 500);
    const std::set<std::string> stored = Lines(*q);
    for (const std::string& line : acked[p]) {
      ASSERT_TRUE(stored.contains(line)) << "acknowledged but lost: " << line;
    }
    total += acked[p].size();
  }
  EXPECT_GT(total, 0u);
  again.process->Signal(SIGTERM);
  EXPECT_EQ(again.process->Wait(), 0) << again.process->Output();
}

TEST(ObservabilityTest, MetricsUseLokisNamesAndRequestsAreLogged) {
  TempDir dir;
  Server s = Start(
      dir, {"-distributor.max-line-size=100", "-server.log-request-at-info-level-enabled=true"});
  ASSERT_NE(s.port, 0);
  HttpClient c = s.client();
  const int64_t now = NowNs();
  // Three good lines, one too long, one too old: the push answers 400 and keeps the three.
  nlohmann::json values = nlohmann::json::array();
  auto add = [&](int64_t ts, const std::string& line) {
    values.push_back(nlohmann::json::array({std::to_string(ts), line}));
  };
  add(now, "one");
  add(now + 1, "two");
  add(now + 2, "three");
  add(now + 3, std::string(150, 'x'));
  add(now - int64_t{30} * 24 * 3600 * 1000000000, "old");
  nlohmann::json stream = nlohmann::json::object();
  stream["stream"] = {{"app", "ops"}};
  stream["values"] = values;
  nlohmann::json body = nlohmann::json::object();
  body["streams"] = nlohmann::json::array({stream});
  auto push =
      c.Post("/loki/api/v1/push", body.dump(), "application/json", {{"X-Scope-OrgID", "team-a"}});
  ASSERT_TRUE(push.ok());
  EXPECT_EQ(push->status, 400) << push->body;
  auto q = c.Get(QueryRange(R"({app="ops"})", now - 1000, now + 1000, 10),
                 {{"X-Scope-OrgID", "team-a"}});
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->status, 200) << q->body;
  EXPECT_EQ(Lines(*q).size(), 3u) << q->body;

  auto m = c.Get("/metrics");
  ASSERT_TRUE(m.ok());
  ASSERT_EQ(m->status, 200);
  const std::string& text = m->body;
  for (
      const char* want : {
          R"(loki_distributor_lines_received_total{tenant="team-a"} 3)",
          R"(loki_distributor_bytes_received_total{tenant="team-a"} 11)",
          R"(loki_discarded_samples_total{reason="line_too_long",tenant="team-a"} 1)",
          R"(loki_discarded_bytes_total{reason="line_too_long",tenant="team-a"} 150)",
          R"(loki_discarded_samples_total{reason="greater_than_max_sample_age",tenant="team-a"} 1)",
          R"(loki_ingester_memory_streams{tenant="team-a"} 1)",
          R"(loki_request_duration_seconds_count{method="POST",route="loki_api_v1_push",status_code="400",ws="false"} 1)",
          R"(loki_logql_querystats_latency_seconds_count{status_code="200",type="limited",range="range"} 1)",
          "\nloki_ingester_chunks_flushed_total ",
          "\nsawmill_store_chunk_bytes_read_total ",
          // The JSON push's one record holds its kept entries, not its body.
          "\nsawmill_store_head_records_written_total 1\n",
          "\nsawmill_store_head_body_records_written_total 0\n",
          "\nsawmill_store_disk_bytes ",
          "\nsawmill_rocksdb_memtable_bytes ",
          "\nsawmill_rocksdb_live_sst_bytes ",
          "\nsawmill_rocksdb_compaction_write_bytes_total ",
          "\nsawmill_rocksdb_block_cache_capacity_bytes 67108864\n",
          "\nloki_query_scheduler_queue_length 0",
      }) {
    EXPECT_TRUE(Contains(text, want)) << want << "\n" << text;
  }

  // The server writes its log lines before answering, but the test reads them through a pipe:
  // wait for each instead of reading what has arrived so far.
  for (
      const char* want : {
          "msg=request method=POST path=/loki/api/v1/push route=loki_api_v1_push status=400",
          "org_id=team-a",
          R"(msg="query stats" org_id=team-a latency=fast query="{app=\"ops\"}" query_type=limited range_type=range)",
          "returned_lines=3",
      }) {
    EXPECT_TRUE(s.process->WaitForOutput(want)) << want << "\n" << s.process->Output();
  }
  s.process->Signal(SIGTERM);
  EXPECT_EQ(s.process->Wait(), 0) << s.process->Output();
}

TEST(ObservabilityTest, InstrumentationCanBeTurnedOff) {
  TempDir dir;
  Server s = Start(dir, {"-server.register-instrumentation=false"});
  ASSERT_NE(s.port, 0);
  auto m = s.client().Get("/metrics");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->status, 404);
  s.process->Signal(SIGTERM);
  EXPECT_EQ(s.process->Wait(), 0) << s.process->Output();
}

TEST(QuerySafetyTest, QueryOverTheMemoryBudgetFailsWithAClearError) {
  TempDir dir;
  Server s = Start(dir, {"-querier.max-query-memory=256KiB"});
  ASSERT_NE(s.port, 0);
  HttpClient c = s.client();
  const int64_t t0 = NowNs();
  std::vector<std::string> lines;
  for (int i = 0; i < 1000; ++i) lines.push_back(std::to_string(i) + std::string(1000, 'm'));
  auto push = c.Post("/loki/api/v1/push", PushBody(R"({"app":"mem"})", lines, t0));
  ASSERT_TRUE(push.ok());
  ASSERT_EQ(push->status, 204) << push->body;

  // 1,000 lines of 1 kB held for the answer: over 256 KiB.
  auto big = c.Get(QueryRange(R"({app="mem"})", t0 - 1000, t0 + 10000, 1000));
  ASSERT_TRUE(big.ok());
  EXPECT_EQ(big->status, 400) << big->body;
  EXPECT_TRUE(Contains(big->body, "per-query memory limit")) << big->body;
  // A small answer stays within it.
  auto small = c.Get(QueryRange(R"({app="mem"})", t0 - 1000, t0 + 10000, 10));
  ASSERT_TRUE(small.ok());
  EXPECT_EQ(small->status, 200) << small->body;
  EXPECT_EQ(Lines(*small).size(), 10u);
  s.process->Signal(SIGTERM);
  EXPECT_EQ(s.process->Wait(), 0) << s.process->Output();
}

// A query that runs for a long time: regular expressions whose DFA would need 2^22-2^24
// states, over ~40 MB of a/b lines. None matches: the five `!~` keep every line, so each
// line goes through all six (one alone took only ~0.33 s once reads got faster, and a test
// that needed 0.33 s between starting it and closing it failed under load). Tests never wait
// for it to finish: they close its connection, which cancels it.
constexpr char kSlowQuery[] =
    R"({app="slow"} !~ "(a|b)*a(a|b){24}[0-9][ab]" !~ "(a|b)*b(a|b){24}[0-9][ab]")"
    R"( !~ "(a|b)*a(a|b){23}[0-9][ab]" !~ "(a|b)*b(a|b){23}[0-9][ab]")"
    R"( !~ "(a|b)*a(a|b){22}[0-9][ab]" |~ "(a|b)*b(a|b){22}[0-9][ab]")";

void PushSlowData(const HttpClient& c, int64_t t0) {
  std::string ab;
  uint32_t x = 12345;
  for (int i = 0; i < 1000; ++i) {
    x = x * 1103515245 + 12345;
    ab.push_back((x >> 16) & 1 ? 'a' : 'b');
  }
  for (int p = 0; p < 8; ++p) {
    std::vector<std::string> lines;
    for (int i = 0; i < 5000; ++i) {
      lines.push_back(ab.substr(i % 100) + ab.substr(0, i % 100) + std::to_string(i));
    }
    auto r =
        c.Post("/loki/api/v1/push", PushBody(R"({"app":"slow"})", lines, t0 + int64_t{p} * 5000));
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r->status, 204) << r->body;
  }
}

// Sends `target` on a connection of its own and leaves it open (the query runs) until
// Close().
class PendingQuery {
 public:
  PendingQuery(uint16_t port, const std::string& target) : socket_(io_) {
    boost::system::error_code ec;
    socket_.connect(
        boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port), ec);
    EXPECT_FALSE(ec) << ec.message();
    const std::string req = "GET " + target + " HTTP/1.1\r\nHost: x\r\n\r\n";
    boost::asio::write(socket_, boost::asio::buffer(req), ec);
    EXPECT_FALSE(ec) << ec.message();
  }
  void Close() {
    boost::system::error_code ec;
    socket_.close(ec);
  }
  // Waits for the answer's status line and returns its first 12 bytes ("HTTP/1.1 200").
  std::string StatusLine() {
    std::string status(12, '\0');
    boost::system::error_code ec;
    boost::asio::read(socket_, boost::asio::buffer(status), ec);
    return ec ? "error: " + ec.message() : status;
  }

 private:
  boost::asio::io_context io_;
  boost::asio::ip::tcp::socket socket_;
};

// Polls /metrics (bounded) until it holds `line`.
// Every read endpoint that goes through the query scheduler, for selector `sel` (encoded) and
// the query string `range` ("start=..&end=..").
std::vector<std::string> ReadEndpoints(const std::string& sel, const std::string& range) {
  return {
      "/loki/api/v1/labels?" + range,
      "/loki/api/v1/label/app/values?" + range,
      "/loki/api/v1/series?match[]=" + sel + "&" + range,
      "/loki/api/v1/index/stats?query=" + sel + "&" + range,
      "/loki/api/v1/index/volume?query=" + sel + "&" + range,
      "/loki/api/v1/index/volume_range?query=" + sel + "&step=60&" + range,
      "/loki/api/v1/detected_labels?query=" + sel + "&" + range,
      "/loki/api/v1/detected_fields?query=" + sel + "&" + range,
      "/loki/api/v1/detected_field/x/values?query=" + sel + "&" + range,
  };
}

bool WaitForMetric(const HttpClient& c, const std::string& line) {
  for (int i = 0; i < 2000; ++i) {
    auto m = c.Get("/metrics");
    if (m.ok() && Contains(m->body, "\n" + line + "\n")) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

TEST(QuerySafetyTest, ClientGoneCancelsTheQueryAndAFullQueueAnswers429) {
  TempDir dir;
  Server s = Start(
      dir, {"-querier.max-concurrent=1", "-query-scheduler.max-outstanding-requests-per-tenant=1"});
  ASSERT_NE(s.port, 0);
  HttpClient c = s.client();
  const int64_t t0 = NowNs();
  PushSlowData(c, t0);
  auto pushed = c.Post("/loki/api/v1/push", PushBody(R"({"app":"fast"})", {"quick"}, t0));
  ASSERT_TRUE(pushed.ok());

  // A runs (the only slot), B waits in the queue (its one place), C is refused at once.
  PendingQuery a(s.port, QueryRange(kSlowQuery, t0 - 1000, t0 + int64_t{3600} * 1000000000, 100));
  ASSERT_TRUE(WaitForMetric(c, "sawmill_queries_running 1"));
  Result<HttpReply> b = Status::Internal("not answered");
  std::thread waiter([&] { b = c.Get(QueryRange(R"({app="fast"})", t0 - 1000, t0 + 1000, 10)); });
  ASSERT_TRUE(WaitForMetric(c, "loki_query_scheduler_queue_length 1"));
  auto refused = c.Get(QueryRange(R"({app="fast"})", t0 - 1000, t0 + 1000, 10));
  ASSERT_TRUE(refused.ok());
  EXPECT_EQ(refused->status, 429);
  EXPECT_EQ(refused->body, "too many outstanding requests");

  // A's client goes away: A is cancelled (logged with 499), B gets the slot and its answer.
  a.Close();
  waiter.join();
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_EQ(b->status, 200) << b->body;
  EXPECT_EQ(Lines(*b), (std::set<std::string>{"quick"}));
  EXPECT_TRUE(s.process->WaitForOutput("status=499")) << s.process->Output();
  EXPECT_TRUE(WaitForMetric(c, "sawmill_queries_running 0"));
  EXPECT_TRUE(WaitForMetric(c, "loki_query_scheduler_queue_length 0"));
  s.process->Signal(SIGTERM);
  EXPECT_EQ(s.process->Wait(), 0) << s.process->Output();
}

TEST(QuerySafetyTest, QueryPastItsTimeoutAnswers504) {
  TempDir dir;
  // A time-out no query can meet: the first check of the scan fails.
  Server s = Start(dir, {"-querier.query-timeout=1ns"});
  ASSERT_NE(s.port, 0);
  HttpClient c = s.client();
  const int64_t t0 = NowNs();
  auto pushed = c.Post("/loki/api/v1/push", PushBody(R"({"app":"t"})", {"x"}, t0));
  ASSERT_TRUE(pushed.ok());
  for (const char* q : {R"({app="t"})", R"(count_over_time({app="t"}[1m]))"}) {
    SCOPED_TRACE(q);
    auto r = c.Get(QueryRange(q, t0 - 1000, t0 + 1000, 10) + "&step=1");
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->status, 504);
    EXPECT_TRUE(Contains(r->body, "request timed out")) << r->body;
  }
  s.process->Signal(SIGTERM);
  EXPECT_EQ(s.process->Wait(), 0) << s.process->Output();
}

// The read endpoints besides queries (labels, values, series, index stats and volume,
// detected labels and fields) take the same -querier.max-concurrent slots and queue: with the
// one slot held by a slow query, a labels request waits in the one queue place, every other
// read is refused with 429, and the waiting one is answered once the slot is free. A read
// whose client leaves while it waits leaves the queue (logged 499).
TEST(QuerySafetyTest, ReadEndpointsQueueWithQueriesAndLeaveWhenTheClientGoes) {
  TempDir dir;
  Server s = Start(
      dir, {"-querier.max-concurrent=1", "-query-scheduler.max-outstanding-requests-per-tenant=1",
            "-server.log-request-at-info-level-enabled=true"});
  ASSERT_NE(s.port, 0);
  HttpClient c = s.client();
  const int64_t t0 = NowNs();
  PushSlowData(c, t0);
  auto pushed = c.Post("/loki/api/v1/push", PushBody(R"({"app":"fast"})", {"quick"}, t0));
  ASSERT_TRUE(pushed.ok());
  const std::string slow = QueryRange(kSlowQuery, t0 - 1000, t0 + int64_t{3600} * 1000000000, 100);
  const std::string range =
      "start=" + std::to_string(t0 - 1000000000) + "&end=" + std::to_string(t0 + 1000000000);

  auto a = std::make_unique<PendingQuery>(s.port, slow);
  ASSERT_TRUE(WaitForMetric(c, "sawmill_queries_running 1"));
  Result<HttpReply> b = Status::Internal("not answered");
  std::thread waiter([&] { b = c.Get("/loki/api/v1/labels?" + range); });
  ASSERT_TRUE(WaitForMetric(c, "loki_query_scheduler_queue_length 1"));
  const std::string sel = Encode(R"({app="fast"})");
  for (const std::string& target : ReadEndpoints(sel, range)) {
    SCOPED_TRACE(target);
    auto refused = c.Get(target);
    ASSERT_TRUE(refused.ok());
    EXPECT_EQ(refused->status, 429) << refused->body;
    EXPECT_EQ(refused->body, "too many outstanding requests");
  }
  a->Close();
  waiter.join();
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_EQ(b->status, 200) << b->body;
  EXPECT_EQ(b->body, R"({"status":"success","data":["app"]})");
  EXPECT_TRUE(WaitForMetric(c, "sawmill_queries_running 0"));

  // A queued read whose client goes away leaves the queue.
  a = std::make_unique<PendingQuery>(s.port, slow);
  ASSERT_TRUE(WaitForMetric(c, "sawmill_queries_running 1"));
  PendingQuery gone(s.port, "/loki/api/v1/series?match[]=" + sel + "&" + range);
  ASSERT_TRUE(WaitForMetric(c, "loki_query_scheduler_queue_length 1"));
  gone.Close();
  EXPECT_TRUE(WaitForMetric(c, "loki_query_scheduler_queue_length 0"));
  EXPECT_TRUE(
      s.process->WaitForOutput("path=/loki/api/v1/series route=loki_api_v1_series status=499"))
      << s.process->Output();
  a->Close();
  EXPECT_TRUE(WaitForMetric(c, "sawmill_queries_running 0"));
  s.process->Signal(SIGTERM);
  EXPECT_EQ(s.process->Wait(), 0) << s.process->Output();
}

// The threads of process `pid` (its entries in /proc/<pid>/task).
size_t ThreadsOf(pid_t pid) {
  size_t n = 0;
  std::error_code ec;
  for (auto it = std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/task", ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
    ++n;
  }
  return n;
}

// A queued query holds no thread (server/query_scheduler.h): with the one slot held by a slow
// query and 100 queries queued, the process has about as many threads as when idle, and a
// push, /ready and /metrics are answered while all 100 are still queued. Once the slot frees,
// every queued query is answered.
TEST(QuerySafetyTest, QueuedQueriesHoldNoThreadAndPushesAndReadyAreAnsweredMeanwhile) {
  TempDir dir;
  Server s = Start(dir, {"-querier.max-concurrent=1",
                         "-query-scheduler.max-outstanding-requests-per-tenant=100"});
  ASSERT_NE(s.port, 0);
  HttpClient c = s.client();
  const int64_t t0 = NowNs();
  PushSlowData(c, t0);
  auto pushed = c.Post("/loki/api/v1/push", PushBody(R"({"app":"fast"})", {"quick"}, t0));
  ASSERT_TRUE(pushed.ok());
  const size_t idle_threads = ThreadsOf(s.process->pid());
  ASSERT_GT(idle_threads, 0u);

  auto a = std::make_unique<PendingQuery>(
      s.port, QueryRange(kSlowQuery, t0 - 1000, t0 + int64_t{3600} * 1000000000, 100));
  ASSERT_TRUE(WaitForMetric(c, "sawmill_queries_running 1"));
  std::vector<std::unique_ptr<PendingQuery>> queued;
  for (int i = 0; i < 100; ++i) {
    queued.push_back(std::make_unique<PendingQuery>(
        s.port, QueryRange(R"({app="fast"})", t0 - 1000, t0 + 1000, 10)));
  }
  ASSERT_TRUE(WaitForMetric(c, "loki_query_scheduler_queue_length 100"));
  const size_t queued_threads = ThreadsOf(s.process->pid());
  // Before, each queued query held an HTTP thread (100 + 7 of them); now the threads are a
  // fixed set. A small margin for threads started lazily (RocksDB's, the query pool's).
  EXPECT_LE(queued_threads, idle_threads + 4) << "idle: " << idle_threads;
  EXPECT_LT(queued_threads, 60u);

  // Served while every query still waits.
  auto push = c.Post("/loki/api/v1/push", PushBody(R"({"app":"fast"})", {"meanwhile"}, t0 + 1));
  ASSERT_TRUE(push.ok()) << push.status().ToString();
  EXPECT_EQ(push->status, 204) << push->body;
  auto ready = c.Get("/ready");
  ASSERT_TRUE(ready.ok()) << ready.status().ToString();
  EXPECT_EQ(ready->status, 200);
  auto metrics = c.Get("/metrics");
  ASSERT_TRUE(metrics.ok());
  EXPECT_TRUE(Contains(metrics->body, "\nloki_query_scheduler_queue_length 100\n"));
  EXPECT_TRUE(Contains(metrics->body, "\nsawmill_queries_running 1\n"));

  a->Close();  // the slot frees: the queued queries run one after the other
  for (auto& q : queued) EXPECT_EQ(q->StatusLine(), "HTTP/1.1 200");
  EXPECT_TRUE(WaitForMetric(c, "loki_query_scheduler_queue_length 0"));
  EXPECT_TRUE(WaitForMetric(c, "sawmill_queries_running 0"));
  s.process->Signal(SIGTERM);
  EXPECT_EQ(s.process->Wait(), 0) << s.process->Output();
}

// A tail's history is a query: queued behind a slow query it waits off the HTTP threads (the
// WebSocket handshake completes and the server answers meanwhile). A line pushed while the
// history waits is both in the history and live: it is sent once, with the history, and what
// is pushed afterwards follows.
TEST(QuerySafetyTest, TailHistoryQueuesOffTheHttpThreadsAndAStartingTailSendsEachLineOnce) {
  TempDir dir;
  Server s = Start(dir, {"-querier.max-concurrent=1"});
  ASSERT_NE(s.port, 0);
  HttpClient c = s.client();
  const int64_t t0 = NowNs() - int64_t{10} * 1000000000;
  PushSlowData(c, t0);
  ASSERT_TRUE(c.Post("/loki/api/v1/push", PushBody(R"({"app":"tail"})", {"before"}, t0)).ok());

  auto a = std::make_unique<PendingQuery>(
      s.port, QueryRange(kSlowQuery, t0 - 1000, NowNs() + int64_t{3600} * 1000000000, 100));
  ASSERT_TRUE(WaitForMetric(c, "sawmill_queries_running 1"));
  Result<std::unique_ptr<WsClient>> ws =
      WsClient::Connect("127.0.0.1", s.port,
                        "/loki/api/v1/tail?query=" + Encode(R"({app="tail"})") +
                            "&start=" + std::to_string(t0 - 1000000000) + "&limit=100",
                        {}, nullptr);
  ASSERT_TRUE(ws.ok()) << ws.status().ToString();
  ASSERT_TRUE(WaitForMetric(c, "sawmill_querier_tail_active 1"));
  ASSERT_TRUE(WaitForMetric(c, "loki_query_scheduler_queue_length 1"));  // the history
  auto ready = c.Get("/ready");
  ASSERT_TRUE(ready.ok());
  EXPECT_EQ(ready->status, 200);
  // Subscribed, history not read yet: this line will be in both.
  ASSERT_TRUE(c.Post("/loki/api/v1/push", PushBody(R"({"app":"tail"})", {"during"}, t0 + 1)).ok());
  a->Close();
  ASSERT_TRUE(WaitForMetric(c, "loki_query_scheduler_queue_length 0"));
  ASSERT_TRUE(c.Post("/loki/api/v1/push", PushBody(R"({"app":"tail"})", {"after"}, NowNs())).ok());

  std::vector<std::string> lines;
  while (lines.size() < 3) {
    Result<std::string> m = (*ws)->Read(std::chrono::seconds(60));
    ASSERT_TRUE(m.ok()) << m.status().ToString();
    const nlohmann::json message = nlohmann::json::parse(*m);
    for (const auto& stream : message["streams"]) {
      for (const auto& v : stream["values"]) lines.push_back(v[1].get<std::string>());
    }
  }
  EXPECT_EQ(lines, (std::vector<std::string>{"before", "during", "after"}));
  (*ws)->Close();
  s.process->Signal(SIGTERM);
  EXPECT_EQ(s.process->Wait(), 0) << s.process->Output();
}

// Past -querier.query-timeout the read endpoints answer 504 as queries do.
TEST(QuerySafetyTest, ReadEndpointsPastTheTimeoutAnswer504) {
  TempDir dir;
  Server s = Start(dir, {"-querier.query-timeout=1ns"});
  ASSERT_NE(s.port, 0);
  HttpClient c = s.client();
  const int64_t t0 = NowNs();
  auto pushed = c.Post("/loki/api/v1/push", PushBody(R"({"app":"t"})", {"x=1"}, t0));
  ASSERT_TRUE(pushed.ok());
  const std::string range =
      "start=" + std::to_string(t0 - 1000000000) + "&end=" + std::to_string(t0 + 1000000000);
  const std::string sel = Encode(R"({app="t"})");
  for (const std::string& target : ReadEndpoints(sel, range)) {
    SCOPED_TRACE(target);
    auto r = c.Get(target);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->status, 504) << r->body;
    EXPECT_TRUE(Contains(r->body, "request timed out")) << r->body;
  }
  s.process->Signal(SIGTERM);
  EXPECT_EQ(s.process->Wait(), 0) << s.process->Output();
}

}  // namespace
}  // namespace sawmill::integration
