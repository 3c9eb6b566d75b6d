// End-to-end log queries: the loghub files pushed into a real server (one stream per system
// and level), then query_range over HTTP compared with answers computed from the files alone:
// exact lines, order, limit, direction, time range and grouping by stream.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>
#include <set>

#include "storage/time_format.h"
#include "tests/integration/http_client.h"
#include "tests/integration/query_test_util.h"
#include "tests/integration/server_process.h"
#include "tests/integration/temp_dir.h"

namespace sawmill::integration {
namespace {

using Labels = std::map<std::string, std::string>;

class QueryLogsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    auto s = ServerProcess::Start(SAW_SAWMILL_BINARY,
                                  {"-server.http-listen-port=0", "-storage.path=" + dir_->path()});
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    server_ = s->release();
    auto port = server_->WaitUntilStarted();
    ASSERT_TRUE(port.ok()) << server_->Output();
    client_ = new HttpClient("127.0.0.1", *port);
    const int64_t now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    base_ = now - 40LL * 60 * 1000000000;  // 2,000 lines 1 ms apart: all within the last 40 min
    model_ = new std::vector<ModelStream>(LoadLoghub(SAW_LOGHUB_DIR, base_));
    std::string error;
    ASSERT_TRUE(PushModel(*client_, *model_, &error)) << error;
  }
  static void TearDownTestSuite() {
    delete client_;
    delete server_;
    delete model_;
    delete dir_;
  }

  static HttpReply Get(const std::string& target, const HttpClient::Headers& h = {}) {
    auto r = client_->Get(target, h);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : HttpReply{};
  }

  struct Case {
    std::string query;
    StreamFilter select;
    LineFilter keep;
    size_t limit;
    bool backward;
    int64_t start_offset_ms;  // from base_
    int64_t end_offset_ms;
    EntryMap map = nullptr;
  };

  static void Check(const Case& c) {
    SCOPED_TRACE(c.query + " limit=" + std::to_string(c.limit) +
                 (c.backward ? " backward" : " forward"));
    const int64_t start = base_ + c.start_offset_ms * 1000000;
    const int64_t end = base_ + c.end_offset_ms * 1000000;
    const std::string target = "/loki/api/v1/query_range?query=" + UrlEncode(c.query) +
                               "&start=" + std::to_string(start) + "&end=" + std::to_string(end) +
                               "&limit=" + std::to_string(c.limit) +
                               "&direction=" + (c.backward ? "backward" : "forward");
    HttpReply r = Get(target);
    ASSERT_EQ(r.status, 200) << r.body;
    std::vector<ExpectedStream> got = ParseStreams(r.body);
    std::vector<ExpectedStream> want =
        Expected(*model_, c.select, c.keep, start, end, c.limit, c.backward, c.map);
    ASSERT_EQ(got.size(), want.size());
    for (size_t i = 0; i < got.size(); ++i) {
      EXPECT_EQ(got[i].labels, want[i].labels);
      ASSERT_EQ(got[i].values.size(), want[i].values.size()) << want[i].labels;
      for (size_t j = 0; j < got[i].values.size(); ++j) {
        ASSERT_EQ(got[i].values[j], want[i].values[j]) << want[i].labels << " entry " << j;
      }
    }
  }

  static inline TempDir* dir_ = nullptr;
  static inline ServerProcess* server_ = nullptr;
  static inline HttpClient* client_ = nullptr;
  static inline std::vector<ModelStream>* model_ = nullptr;
  static inline int64_t base_ = 0;
};

StreamFilter Job(std::string job) {
  return [job](const Labels& l) { return l.at("job") == job; };
}
StreamFilter JobLevel(std::string job, std::string level) {
  return [job, level](const Labels& l) { return l.at("job") == job && l.at("level") == level; };
}
bool All(const std::string&) { return true; }

TEST_F(QueryLogsTest, SelectorsLimitsDirectionsAndRanges) {
  const int64_t kAll = 2100;  // ms past base_: after every line
  std::vector<Case> cases;
  auto add_both = [&](std::string q, StreamFilter f, size_t limit, int64_t s, int64_t e) {
    cases.push_back({q, f, All, limit, true, s, e});
    cases.push_back({q, f, All, limit, false, s, e});
  };
  // Single systems, several limits.
  for (std::string job : {"apache", "hdfs", "openssh", "zookeeper", "spark", "linux"}) {
    add_both("{job=\"" + job + "\"}", Job(job), 100, 0, kAll);
  }
  add_both(R"({job="hadoop"})", Job("hadoop"), 1, 0, kAll);
  add_both(R"({job="hadoop"})", Job("hadoop"), 5000, 0, kAll);
  add_both(R"({job="bgl", level="info"})", JobLevel("bgl", "info"), 37, 0, kAll);
  add_both(R"({job="apache", level="error"})", JobLevel("apache", "error"), 1000, 0, kAll);
  // Regex and negative matchers across systems (regrouping by level keeps streams apart).
  add_both(R"({job=~"h.*"})", [](const Labels& l) { return l.at("job")[0] == 'h'; }, 250, 0, kAll);
  add_both(R"({job=~"mac|windows", level!="unknown"})",
           [](const Labels& l) {
             return (l.at("job") == "mac" || l.at("job") == "windows") &&
                    l.at("level") != "unknown";
           },
           500, 0, kAll);
  add_both(R"({level="error"})", [](const Labels& l) { return l.at("level") == "error"; }, 5000, 0,
           kAll);
  add_both(R"({level=~"warn|warning"})",
           [](const Labels& l) { return l.at("level").starts_with("warn"); }, 100, 0, kAll);
  add_both(R"({job=~".+", level!~"info|unknown"})",
           [](const Labels& l) { return l.at("level") != "info" && l.at("level") != "unknown"; },
           3000, 0, kAll);
  add_both(R"({job=~".+"})", [](const Labels&) { return true; }, 5000, 0, kAll);
  add_both(R"({job=~".+"})", [](const Labels&) { return true; }, 100, 0, kAll);
  // Time windows: [start, end) cuts inside the data.
  add_both(R"({job="openstack"})", Job("openstack"), 5000, 500, 1500);
  add_both(R"({job=~".+"})", [](const Labels&) { return true; }, 777, 1000, 1001);
  add_both(R"({job="proxifier"})", Job("proxifier"), 20, 1999, kAll);
  add_both(R"({job="thunderbird"})", Job("thunderbird"), 100, 3000, 4000);  // nothing there
  add_both(R"({job="nope"})", Job("nope"), 100, 0, kAll);
  ASSERT_GE(cases.size(), 40u);
  for (const Case& c : cases) Check(c);
}

bool Has(const std::string& line, std::string_view s) { return line.find(s) != std::string::npos; }
std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

TEST_F(QueryLogsTest, LineFiltersAndFormattingStages) {
  const int64_t kAll = 2100;
  std::vector<Case> cases;
  auto add_both = [&](std::string q, StreamFilter f, LineFilter keep, size_t limit,
                      EntryMap map = nullptr) {
    cases.push_back({q, f, keep, limit, true, 0, kAll, map});
    cases.push_back({q, f, keep, limit, false, 0, kAll, map});
  };
  add_both(R"({job="apache"} |= "error")", Job("apache"),
           [](const std::string& l) { return Has(l, "error"); }, 1000);
  add_both(R"({job="hdfs"} != "INFO")", Job("hdfs"),
           [](const std::string& l) { return !Has(l, "INFO"); }, 1000);
  add_both(R"({job=~"open.*"} |~ "Failed password|Invalid user")",
           [](const Labels& l) { return l.at("job").starts_with("open"); },
           [](const std::string& l) { return Has(l, "Failed password") || Has(l, "Invalid user"); },
           300);
  add_both(R"({level="error"} |= "workerEnv" != "state 6")",
           [](const Labels& l) { return l.at("level") == "error"; },
           [](const std::string& l) { return Has(l, "workerEnv") && !Has(l, "state 6"); }, 100);
  add_both(R"({job="linux"} |~ "(?i)AUTHENTICATION failure")", Job("linux"),
           [](const std::string& l) { return Has(Lower(l), "authentication failure"); }, 500);
  add_both(R"({job=~".+"} |= "ERROR" |= "a")", [](const Labels&) { return true; },
           [](const std::string& l) { return Has(l, "ERROR") && Has(l, "a"); }, 5000);
  add_both(R"({job="zookeeper"} |= "")", Job("zookeeper"), All, 5000);
  add_both(R"({job="apache"} | line_format "{{.level}}: {{__line__}}")", Job("apache"), All, 700,
           [](Labels* l, std::string* line) { *line = l->at("level") + ": " + *line; });
  add_both(R"({job=~"apache|hdfs"} | drop level)",
           [](const Labels& l) { return l.at("job") == "apache" || l.at("job") == "hdfs"; }, All,
           2500, [](Labels* l, std::string*) { l->erase("level"); });
  add_both(R"({job="spark"} | label_format sys="{{.job}}-x", lvl=level)", Job("spark"), All, 400,
           [](Labels* l, std::string*) {
             (*l)["sys"] = l->at("job") + "-x";
             (*l)["lvl"] = l->at("level");
             l->erase("level");
           });
  for (const Case& c : cases) Check(c);
}

TEST_F(QueryLogsTest, TimeFormatsAndDefaults) {
  const int64_t end_ns = base_ + 2100LL * 1000000;
  // Float seconds and RFC 3339 give the same answer as nanoseconds.
  const std::string q = UrlEncode(R"({job="zookeeper"})");
  HttpReply ns = Get("/loki/api/v1/query_range?query=" + q + "&start=" + std::to_string(base_) +
                     "&end=" + std::to_string(end_ns) + "&limit=10");
  ASSERT_EQ(ns.status, 200) << ns.body;
  char secs[64];
  std::snprintf(secs, sizeof(secs), "%.3f", static_cast<double>(end_ns) / 1e9);
  HttpReply fl = Get("/loki/api/v1/query_range?query=" + q + "&start=" +
                     std::to_string(base_ / 1000000000 - 1) + "&end=" + secs + "&limit=10");
  ASSERT_EQ(fl.status, 200) << fl.body;
  EXPECT_EQ(ParseStreams(ns.body).size(), ParseStreams(fl.body).size());
  HttpReply rfc =
      Get("/loki/api/v1/query_range?query=" + q + "&start=" + UrlEncode(FormatRfc3339Nano(base_)) +
          "&end=" + UrlEncode(FormatRfc3339Nano(end_ns)) + "&limit=10");
  ASSERT_EQ(rfc.status, 200) << rfc.body;
  EXPECT_EQ(ParseStreams(ns.body).front().values, ParseStreams(rfc.body).front().values);
  // Defaults: the last hour, limit 100, backward.
  HttpReply def = Get("/loki/api/v1/query_range?query=" + q);
  ASSERT_EQ(def.status, 200) << def.body;
  size_t n = 0;
  for (const auto& s : ParseStreams(def.body)) n += s.values.size();
  EXPECT_EQ(n, 100u);
  // since=1h is the same window as the default.
  HttpReply since = Get("/loki/api/v1/query_range?query=" + q + "&since=1h&limit=3");
  ASSERT_EQ(since.status, 200) << since.body;
  // POST with a form body.
  auto post = client_->Post("/loki/api/v1/query_range", "query=" + q + "&limit=2&direction=FORWARD",
                            "application/x-www-form-urlencoded");
  ASSERT_TRUE(post.ok());
  ASSERT_EQ(post->status, 200) << post->body;
  auto got = ParseStreams(post->body);
  auto want = Expected(*model_, Job("zookeeper"), All, base_ - 1, INT64_MAX, 2, false);
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_EQ(got[i].values, want[i].values);
}

TEST_F(QueryLogsTest, BadParametersAnswer400WithLokisMessages) {
  const std::string q = "/loki/api/v1/query_range?query=" + UrlEncode(R"({job="apache"})");
  struct Bad {
    std::string params;
    std::string body;
  };
  const Bad cases[] = {
      {"&limit=5001",
       "max entries limit per query exceeded, limit > max_entries_limit (5001 > 5000)"},
      {"&limit=0", "limit must be a positive value"},
      {"&limit=abc", "strconv.ParseInt: parsing \"abc\": invalid syntax"},
      {"&direction=sideways", "invalid direction 'sideways'"},
      {"&start=yesterday", "strconv.ParseInt: parsing \"yesterday\": invalid syntax"},
      {"&start=2000&end=1000", "end timestamp must not be before or equal to start time"},
      {"&start=0&end=3000000",
       "the query time range exceeds the limit (query length: "
       "833h20m0s, limit: 721h0m0s)"},
      {"&step=0",
       "zero or negative query resolution step widths are not accepted. Try a "
       "positive integer"},
  };
  for (const Bad& b : cases) {
    SCOPED_TRACE(b.params);
    HttpReply r = Get(q + b.params);
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(r.body, b.body);
  }
  HttpReply empty = Get("/loki/api/v1/query_range?query=" + UrlEncode(R"({job=~".*"})"));
  EXPECT_EQ(empty.status, 400);
  EXPECT_EQ(empty.body.rfind("parse error : queries require at least one regexp", 0), 0u)
      << empty.body;
  HttpReply syntax = Get("/loki/api/v1/query_range?query=" + UrlEncode(R"(job="apache")"));
  EXPECT_EQ(syntax.status, 400);
  EXPECT_EQ(syntax.body.rfind("parse error at line 1, col 1:", 0), 0u) << syntax.body;
  // Grafana's "Save & test" health check: one sample of value 2.
  HttpReply health = Get(
      "/loki/api/v1/query?direction=backward&query=vector%281%29%2Bvector%281%29&time=4000000000");
  EXPECT_EQ(health.status, 200);
  EXPECT_NE(health.body.find(R"("result":[{"metric":{},"value":[4000000000,"2"]}])"),
            std::string::npos)
      << health.body;
  // Grafana's log volume histogram: counts per level, over the whole model.
  HttpReply volume = Get(
      "/loki/api/v1/query_range?step=60000ms&start=" + std::to_string(base_) +
      "&end=" + std::to_string(base_ + 60000000000LL) + "&query=" +
      UrlEncode(
          R"(sum by (level, detected_level) (count_over_time({job="apache"} | drop __error__[1m])))"));
  ASSERT_EQ(volume.status, 200) << volume.body;
  auto vj = nlohmann::json::parse(volume.body);
  EXPECT_EQ(vj["data"]["resultType"], "matrix");
  std::map<std::string, double> want_levels;
  for (const ModelStream& s : *model_) {
    if (s.labels.at("job") == "apache") want_levels[s.labels.at("level")] += s.entries.size();
  }
  std::map<std::string, double> got_levels;
  for (const auto& series : vj["data"]["result"]) {
    // The point at base + 60 s counts every apache line (all within its 1 min window).
    got_levels[series["metric"]["level"]] =
        std::stod(series["values"].back()[1].get<std::string>());
  }
  EXPECT_EQ(got_levels, want_levels);
  HttpReply topk = Get("/loki/api/v1/query_range?query=" +
                       UrlEncode(R"(topk(1, count_over_time({job="apache"}[5m])))"));
  EXPECT_EQ(topk.status, 200) << topk.body;
  HttpReply instant = Get("/loki/api/v1/query?query=" + UrlEncode(R"({job="apache"})"));
  EXPECT_EQ(instant.status, 400);
  EXPECT_EQ(instant.body,
            "log queries are not supported as an instant query type, please change your query "
            "to a range query type");
}

TEST_F(QueryLogsTest, AnswerShapeStatsAndCategorizedLabels) {
  const std::string q = "/loki/api/v1/query_range?limit=2&query=" + UrlEncode(R"({job="hdfs"})") +
                        "&start=" + std::to_string(base_) +
                        "&end=" + std::to_string(base_ + 3000000000LL);
  HttpReply r = Get(q);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.Header("Content-Type").rfind("application/json", 0), 0u);
  EXPECT_EQ(r.body.rfind(R"({"status":"success","data":{"resultType":"streams","result":[)", 0), 0u)
      << r.body.substr(0, 200);
  const size_t result = r.body.find("\"result\"");
  const size_t stats = r.body.find("\"stats\":{\"summary\":{\"bytesProcessedPerSecond\":");
  ASSERT_NE(stats, std::string::npos);
  EXPECT_LT(result, stats);
  auto j = nlohmann::json::parse(r.body);
  EXPECT_GT(j["data"]["stats"]["summary"]["totalLinesProcessed"].get<int64_t>(), 0);
  EXPECT_EQ(j["data"]["stats"]["summary"]["totalEntriesReturned"], 2);

  HttpReply c = Get(q, {{"X-Loki-Response-Encoding-Flags", "categorize-labels"}});
  ASSERT_EQ(c.status, 200);
  const size_t flags = c.body.find(R"("encodingFlags":["categorize-labels"])");
  ASSERT_NE(flags, std::string::npos) << c.body.substr(0, 300);
  EXPECT_LT(flags, c.body.find("\"result\""));
  auto cj = nlohmann::json::parse(c.body);
  for (const auto& s : cj["data"]["result"]) {
    for (const auto& v : s["values"]) {
      ASSERT_EQ(v.size(), 3u);
      EXPECT_TRUE(v[2].is_object());
    }
  }
}

TEST_F(QueryLogsTest, LabelsValuesAndSeries) {
  const std::string range =
      "start=" + std::to_string(base_) + "&end=" + std::to_string(base_ + 3000000000LL);
  HttpReply names = Get("/loki/api/v1/labels?" + range);
  ASSERT_EQ(names.status, 200);
  EXPECT_EQ(names.body, R"({"status":"success","data":["job","level"]})");

  std::set<std::string> jobs, hdfs_levels;
  for (const ModelStream& s : *model_) {
    jobs.insert(s.labels.at("job"));
    if (s.labels.at("job") == "hdfs") hdfs_levels.insert(s.labels.at("level"));
  }
  HttpReply values = Get("/loki/api/v1/label/job/values?" + range);
  ASSERT_EQ(values.status, 200);
  auto vj = nlohmann::json::parse(values.body);
  EXPECT_EQ(vj["data"].get<std::vector<std::string>>(),
            std::vector<std::string>(jobs.begin(), jobs.end()));
  HttpReply levels =
      Get("/loki/api/v1/label/level/values?" + range + "&query=" + UrlEncode(R"({job="hdfs"})"));
  ASSERT_EQ(levels.status, 200);
  EXPECT_EQ(nlohmann::json::parse(levels.body)["data"].get<std::vector<std::string>>(),
            std::vector<std::string>(hdfs_levels.begin(), hdfs_levels.end()));
  HttpReply shard = Get("/loki/api/v1/label/__stream_shard__/values?" + range);
  EXPECT_EQ(shard.body, R"({"status":"success","data":[]})");

  HttpReply series =
      Get("/loki/api/v1/series?" + range + "&match[]=" + UrlEncode(R"({job="hdfs"})") +
          "&match[]=" + UrlEncode(R"({job="bgl"})"));
  ASSERT_EQ(series.status, 200);
  auto sj = nlohmann::json::parse(series.body);
  size_t want = 0;
  for (const ModelStream& s : *model_) {
    want += s.labels.at("job") == "hdfs" || s.labels.at("job") == "bgl";
  }
  EXPECT_EQ(sj["data"].size(), want);
  for (const auto& s : sj["data"]) EXPECT_TRUE(s["job"] == "hdfs" || s["job"] == "bgl");

  HttpReply legacy = Get("/api/prom/label?" + range);
  EXPECT_EQ(legacy.body, R"({"values":["job","level"]})");
  HttpReply legacy_query =
      Get("/api/prom/query?limit=1&query=" + UrlEncode(R"({job="apache"})") + "&" + range);
  ASSERT_EQ(legacy_query.status, 200);
  auto lj = nlohmann::json::parse(legacy_query.body);
  ASSERT_EQ(lj["streams"].size(), 1u);
  EXPECT_EQ(lj["streams"][0]["entries"].size(), 1u);
  HttpReply legacy_re = Get("/api/prom/query?limit=50&query=" + UrlEncode(R"({job="apache"})") +
                            "&regexp=" + UrlEncode(R"(\[error\] .*child)") + "&" + range);
  ASSERT_EQ(legacy_re.status, 200) << legacy_re.body;
  size_t legacy_lines = 0;
  const nlohmann::json legacy_json = nlohmann::json::parse(legacy_re.body);
  for (const auto& s : legacy_json["streams"]) {
    for (const auto& e : s["entries"]) {
      const std::string line = e["line"];
      EXPECT_NE(line.find("[error]"), std::string::npos) << line;
      ++legacy_lines;
    }
  }
  EXPECT_EQ(legacy_lines, 50u) << legacy_re.body.substr(0, 300);

  // Another tenant sees none of it.
  HttpReply other = Get("/loki/api/v1/labels?" + range, {{"X-Scope-OrgID", "someone-else"}});
  EXPECT_EQ(other.body, R"({"status":"success","data":[]})");
}

}  // namespace
}  // namespace sawmill::integration

namespace sawmill::integration {
namespace {

TEST(QueryTimeoutTest, AQueryPastTheTimeoutAnswers504) {
  TempDir dir;
  auto s = ServerProcess::Start(
      SAW_SAWMILL_BINARY,
      {"-server.http-listen-port=0", "-storage.path=" + dir.path(), "-querier.query-timeout=1ns"});
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  auto port = (*s)->WaitUntilStarted();
  ASSERT_TRUE(port.ok()) << (*s)->Output();
  HttpClient client("127.0.0.1", *port);
  const int64_t base = std::chrono::duration_cast<std::chrono::nanoseconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count() -
                       600LL * 1000000000;
  std::string error;
  ASSERT_TRUE(PushModel(client, LoadLoghub(SAW_LOGHUB_DIR, base), &error)) << error;
  auto r = client.Get("/loki/api/v1/query_range?limit=5000&query=" +
                      UrlEncode(R"({job=~".+"} |= "no such text")"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 504);
  EXPECT_EQ(r->body.rfind("request timed out", 0), 0u) << r->body;
  auto ready = client.Get("/ready");  // the server lives on
  ASSERT_TRUE(ready.ok());
  EXPECT_EQ(ready->status, 200);
}

}  // namespace
}  // namespace sawmill::integration

namespace sawmill::integration {
namespace {

// Loki 3: without the categorize-labels flag, each entry's structured metadata joins its
// stream's labels (entries of one stream with different metadata answer as different
// streams), whatever the pipeline, a selector alone included; with the flag, `stream` holds
// the indexed labels only and the metadata is in each value's third element.
TEST(StructuredMetadataLabelsTest, MetadataSplitsStreamsUnlessLabelsAreCategorized) {
  TempDir dir;
  auto s = ServerProcess::Start(SAW_SAWMILL_BINARY,
                                {"-server.http-listen-port=0", "-storage.path=" + dir.path()});
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  auto port = (*s)->WaitUntilStarted();
  ASSERT_TRUE(port.ok()) << (*s)->Output();
  HttpClient client("127.0.0.1", *port);
  const int64_t base = std::chrono::duration_cast<std::chrono::nanoseconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count() -
                       600LL * 1000000000;
  auto ts = [base](int i) { return std::to_string(base + i * 1000000000LL); };
  // Two entries with trace_id a, one with b, one without metadata, one whose metadata names
  // an indexed label (Loki keeps the stream's value and adds app_extracted).
  const std::string body = R"({"streams":[{"stream":{"app":"api"},"values":[)"
                           R"([")" +
                           ts(1) +
                           R"(","one",{"trace_id":"a"}],)"
                           R"([")" +
                           ts(2) +
                           R"(","two",{"trace_id":"b"}],)"
                           R"([")" +
                           ts(3) +
                           R"(","three",{"trace_id":"a"}],)"
                           R"([")" +
                           ts(4) +
                           R"(","four"],)"
                           R"([")" +
                           ts(5) + R"(","five",{"app":"other"}]]}]})";
  auto pushed = client.Post("/loki/api/v1/push", body, "application/json");
  ASSERT_TRUE(pushed.ok());
  ASSERT_EQ(pushed->status, 204) << pushed->body;

  using Streams = std::map<std::string, std::vector<std::string>>;  // labels -> lines
  auto streams_of = [](const std::string& answer) {
    Streams out;
    auto j = nlohmann::json::parse(answer);
    for (const auto& st : j["data"]["result"]) {
      std::string labels;
      for (const auto& [k, v] : st["stream"].items())
        labels += k + "=" + v.get<std::string>() + ",";
      for (const auto& v : st["values"]) out[labels].push_back(v[1]);
    }
    return out;
  };
  const std::string range = "&start=" + ts(0) + "&end=" + ts(10) + "&direction=forward";
  const Streams split = {
      {"app=api,", {"four"}},
      {"app=api,app_extracted=other,", {"five"}},
      {"app=api,trace_id=a,", {"one", "three"}},
      {"app=api,trace_id=b,", {"two"}},
  };
  for (const std::string query :
       {R"({app="api"})", R"({app="api"} |= "")", R"({app="api"} != "nothing")",
        R"({app="api"} | line_format "{{__line__}}")"}) {
    SCOPED_TRACE(query);
    auto plain = client.Get("/loki/api/v1/query_range?query=" + UrlEncode(query) + range);
    ASSERT_TRUE(plain.ok());
    ASSERT_EQ(plain->status, 200) << plain->body;
    EXPECT_EQ(streams_of(plain->body), split) << plain->body;

    auto categorized = client.Get("/loki/api/v1/query_range?query=" + UrlEncode(query) + range,
                                  {{"X-Loki-Response-Encoding-Flags", "categorize-labels"}});
    ASSERT_TRUE(categorized.ok());
    ASSERT_EQ(categorized->status, 200) << categorized->body;
    EXPECT_EQ(streams_of(categorized->body),
              (Streams{{"app=api,", {"one", "two", "three", "four", "five"}}}))
        << categorized->body;
    auto j = nlohmann::json::parse(categorized->body);
    const auto& values = j["data"]["result"][0]["values"];
    ASSERT_EQ(values.size(), 5u);
    EXPECT_EQ(values[0][2], nlohmann::json::parse(R"({"structuredMetadata":{"trace_id":"a"}})"));
    EXPECT_EQ(values[3][2], nlohmann::json::object());
    EXPECT_EQ(values[4][2],
              nlohmann::json::parse(R"({"structuredMetadata":{"app_extracted":"other"}})"));
  }
}

}  // namespace
}  // namespace sawmill::integration
