// End-to-end log deletion (Loki's /loki/api/v1/delete): requests are made with a selector
// (and a line filter), listed and cancelled; queries hide the deleted lines at once; after
// a restart with a zero cancel period the background pass processes the persisted requests
// and the lines are gone from the files on disk, while other streams and tenants keep
// theirs; bad requests answer 400 with Loki's texts.
#include <signal.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "tests/integration/http_client.h"
#include "tests/integration/server_process.h"
#include "tests/integration/temp_dir.h"

namespace sawmill::integration {
namespace {

using Json = nlohmann::ordered_json;

int64_t NowSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string Encode(std::string_view s) {
  static const char kHex[] = "0123456789ABCDEF";
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

std::string SlurpDir(const std::string& dir) {
  std::string all;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (!e.is_regular_file()) continue;
    std::ifstream in(e.path(), std::ios::binary);
    all.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  return all;
}

class DeleteTest : public ::testing::Test {
 protected:
  void StartServer(std::vector<std::string> extra) {
    std::vector<std::string> args = {"-server.http-listen-port=0", "-storage.path=" + dir_.path(),
                                     "-storage.encoding=none"};
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
    EXPECT_EQ(server_->Wait(), 0) << server_->Output();
  }
  HttpReply Send(std::string_view method, const std::string& target, const std::string& tenant) {
    auto r = client_->Send(method, target, "", {{"X-Scope-OrgID", tenant}});
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : HttpReply{};
  }
  // Lines [from, to) of the streams {app="api"} and {app="web"} (60 lines each, one a second
  // from base); every 5th api line holds the tenant's password.
  void Push(const std::string& tenant, int from = 0, int to = 60) {
    Json streams = Json::array();
    for (std::string app : {"api", "web"}) {
      Json values = Json::array();
      for (int i = from; i < to; ++i) {
        std::string line = app + " line " + std::to_string(i);
        if (app == "api" && i % 5 == 0) line += " password=hunter2-" + tenant;
        values.push_back({std::to_string((base_ + i) * 1000000000LL), line});
      }
      streams.push_back({{"stream", {{"app", app}}}, {"values", values}});
    }
    auto r = client_->Post("/loki/api/v1/push", Json{{"streams", streams}}.dump(),
                           "application/json", {{"X-Scope-OrgID", tenant}});
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r->status, 204) << r->body;
  }
  // The lines a log query returns, oldest first.
  std::vector<std::string> Lines(const std::string& tenant, const std::string& query) {
    const std::string target =
        "/loki/api/v1/query_range?direction=forward&limit=5000&query=" + Encode(query) +
        "&start=" + std::to_string(base_ - 10) + "&end=" + std::to_string(base_ + 100);
    HttpReply r = Send("GET", target, tenant);
    EXPECT_EQ(r.status, 200) << r.body;
    std::vector<std::pair<std::string, std::string>> entries;
    Json j = Json::parse(r.body, nullptr, false);
    for (const Json& s : j["data"]["result"]) {
      for (const Json& v : s["values"]) entries.push_back({v[0], v[1]});
    }
    std::sort(entries.begin(), entries.end());
    std::vector<std::string> out;
    for (auto& e : entries) out.push_back(e.second);
    return out;
  }
  // An instant metric query's single value.
  double Count(const std::string& tenant, const std::string& query) {
    HttpReply r = Send(
        "GET", "/loki/api/v1/query?query=" + Encode(query) + "&time=" + std::to_string(base_ + 100),
        tenant);
    EXPECT_EQ(r.status, 200) << r.body;
    Json j = Json::parse(r.body, nullptr, false);
    if (j["data"]["result"].empty()) return 0;
    return std::stod(j["data"]["result"][0]["value"][1].get<std::string>());
  }
  Json List(const std::string& tenant) {
    HttpReply r = Send("GET", "/loki/api/v1/delete", tenant);
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.Header("Content-Type"), "application/json");
    return Json::parse(r.body, nullptr, false);
  }
  HttpReply Create(const std::string& tenant, const std::string& query, const std::string& start,
                   const std::string& end) {
    std::string target = "/loki/api/v1/delete?query=" + Encode(query);
    if (!start.empty()) target += "&start=" + Encode(start);
    if (!end.empty()) target += "&end=" + Encode(end);
    return Send("POST", target, tenant);
  }
  static std::vector<std::string> Expected(const std::string& app, int from, int to,
                                           const std::string& tenant, bool drop_passwords) {
    std::vector<std::string> out;
    for (int i = from; i < to; ++i) {
      std::string line = app + " line " + std::to_string(i);
      if (app == "api" && i % 5 == 0) {
        if (drop_passwords) continue;
        line += " password=hunter2-" + tenant;
      }
      out.push_back(line);
    }
    return out;
  }

  TempDir dir_;
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<HttpClient> client_;
  const int64_t base_ = NowSeconds() - 3600;
};

TEST_F(DeleteTest, FilterAtOnceProcessAfterCancelPeriodDataGoneFromDisk) {
  StartServer({"-compactor.delete-request-cancel-period=24h"});
  Push("t1", 0, 40);
  Push("t2");
  ASSERT_EQ(Send("POST", "/flush", "t1").status, 204);  // some lines in chunks, some in heads
  Push("t1", 40, 60);

  const std::string start = std::to_string(base_ - 5), now = std::to_string(NowSeconds());
  // The api lines with a password, and the first half of the web stream (inclusive end).
  HttpReply r = Create("t1", R"({app="api"} |= "password")", start, now);
  EXPECT_EQ(r.status, 204) << r.body;
  EXPECT_EQ(r.body, "");
  char rfc[64];
  const time_t half = static_cast<time_t>(base_ + 29);
  std::strftime(rfc, sizeof(rfc), "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&half));
  r = Create("t1", R"({app="web"})", start, rfc);
  EXPECT_EQ(r.status, 204) << r.body;

  // Listed in creation order, Loki's keys in Loki's order, received.
  Json list = List("t1");
  ASSERT_EQ(list.size(), 2u) << list.dump();
  EXPECT_EQ(list[0]["query"], R"({app="api"} |= "password")");
  EXPECT_EQ(list[1]["query"], R"({app="web"})");
  std::vector<std::string> keys;
  for (auto& [k, v] : list[0].items()) keys.push_back(k);
  EXPECT_EQ(keys, (std::vector<std::string>{"request_id", "start_time", "end_time", "query",
                                            "status", "created_at"}))
      << list.dump();
  EXPECT_EQ(list[0]["status"], "received");
  EXPECT_EQ(list[0]["start_time"].get<double>(), static_cast<double>(base_ - 5));
  EXPECT_EQ(list[1]["end_time"].get<double>(), static_cast<double>(base_ + 29));
  EXPECT_EQ(list[0]["request_id"].get<std::string>().size(), 8u);
  EXPECT_EQ(List("t2"), Json::array());

  // Hidden at once, for log and metric queries; tenant t2 untouched.
  auto check_t1 = [&] {
    EXPECT_EQ(Lines("t1", R"({app="api"})"), Expected("api", 0, 60, "t1", true));
    EXPECT_EQ(Lines("t1", R"({app="web"})"), Expected("web", 30, 60, "t1", false));
    EXPECT_EQ(Count("t1", R"(sum(count_over_time({app="api"}[2h])))"), 48);
    EXPECT_EQ(Count("t1", R"(sum(count_over_time({app="web"}[2h])))"), 30);
    EXPECT_EQ(Count("t1", R"(sum(count_over_time({app="web"} |= "line" [2h])))"), 30);
  };
  check_t1();
  EXPECT_EQ(Lines("t2", R"({app="api"})"), Expected("api", 0, 60, "t2", false));
  EXPECT_EQ(Lines("t2", R"({app="web"})"), Expected("web", 0, 60, "t2", false));

  // A third request, cancelled within its cancel period: nothing of it stays.
  r = Create("t1", R"({app="api"})", start, now);
  ASSERT_EQ(r.status, 204);
  EXPECT_TRUE(Lines("t1", R"({app="api"})").empty());
  list = List("t1");
  ASSERT_EQ(list.size(), 3u);
  const std::string third = list[2]["request_id"];
  EXPECT_EQ(Send("DELETE", "/loki/api/v1/delete?request_id=" + third, "t2").status, 404)
      << "another tenant's request is not found";
  r = Send("DELETE", "/loki/api/v1/delete?request_id=" + third, "t1");
  EXPECT_EQ(r.status, 204) << r.body;
  EXPECT_EQ(List("t1").size(), 2u);
  r = Send("DELETE", "/loki/api/v1/delete?request_id=00000000", "t1");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body, "could not find delete request with given id\n");
  check_t1();
  StopServer();

  // Nothing is removed yet: the lines are still in the files (uncompressed chunks).
  std::string disk = SlurpDir(dir_.path());
  EXPECT_NE(disk.find("hunter2-t1"), std::string::npos) << "test premise";

  // Restarted with no cancel period: the persisted requests are processed.
  StartServer({"-compactor.delete-request-cancel-period=0s"});
  ASSERT_TRUE(server_->WaitForOutput("delete request processed"));
  for (int i = 0; i < 600; ++i) {  // bounded wait for both, not a timing assertion
    list = List("t1");
    if (list.size() == 2 && list[0]["status"] == "processed" && list[1]["status"] == "processed") {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0]["status"], "processed");
  EXPECT_EQ(list[1]["status"], "processed");
  check_t1();  // now without query-time filtering: the entries are gone
  EXPECT_EQ(Lines("t2", R"({app="api"})"), Expected("api", 0, 60, "t2", false));
  r = Send("DELETE", "/loki/api/v1/delete?request_id=" + list[0]["request_id"].get<std::string>(),
           "t1");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body,
            "deletion of request which is in process or already processed is not allowed\n");
  StopServer();

  // The pass compacted the rewritten range away: t1's password bytes are in no file, t2's
  // (same stream names, same times) still are.
  disk = SlurpDir(dir_.path());
  EXPECT_EQ(disk.find("hunter2-t1"), std::string::npos);
  EXPECT_NE(disk.find("hunter2-t2"), std::string::npos);
}

TEST_F(DeleteTest, BadRequestsAnswerLokisErrors) {
  StartServer({});
  const std::string start = std::to_string(base_), end = std::to_string(base_ + 60);
  struct Case {
    std::string query, start, end;
    std::string want;
  };
  const Case cases[] = {
      {"", start, end, "query not set\n"},
      {R"({app="api"})", "", end, "start time not set\n"},
      {R"({app="api"})", "yesterday", end,
       "invalid start time: require unix seconds or RFC3339 format\n"},
      {R"({app="api"})", "170000000", end,
       "invalid start time: require unix seconds or RFC3339 format\n"},
      {R"({app="api"})", start, "x", "invalid end time: require unix seconds or RFC3339 format\n"},
      {R"({app="api"})", start, std::to_string(NowSeconds() + 3600),
       "deletes in the future are not allowed\n"},
      {R"({app="api"})", end, start, "start time can't be greater than end time\n"},
      {R"({app="api"} |= "x")", start, start,
       "difference between start time and end time must be at least one second\n"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.query + " " + c.start + " " + c.end);
    HttpReply r = Create("t1", c.query, c.start, c.end);
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(r.body, c.want);
  }
  for (std::string q : {R"({app="api")", R"(count_over_time({app="api"}[1m]))", R"({app=~".*"})",
                        R"({app="api"} |~ "(")"}) {
    SCOPED_TRACE(q);
    HttpReply r = Create("t1", q, start, end);
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(r.body.rfind("invalid query expression: ", 0), 0u) << r.body;
  }
  EXPECT_EQ(List("t1"), Json::array()) << "no request was made";
}

TEST_F(DeleteTest, DisabledModeRefusesTheApi) {
  StartServer({"-compactor.deletion-mode=disabled"});
  HttpReply r = Create("t1", R"({app="api"})", std::to_string(base_), "");
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.body, "deletion is not available for this tenant\n");
  EXPECT_EQ(Send("GET", "/loki/api/v1/delete", "t1").status, 403);
}

// Streams whose every entry in the range is deleted leave /labels, /label/<name>/values and
// /series, and the index stats and volume count only the entries left: at once (query-time
// filter) and after the pass removed them (restart with a zero cancel period).
TEST_F(DeleteTest, DeletedEntriesLeaveLabelsSeriesStatsAndVolume) {
  StartServer({"-compactor.delete-request-cancel-period=24h"});
  Push("t1");
  {
    Json values = Json::array();
    for (int i = 0; i < 10; ++i) {
      values.push_back({std::to_string((base_ + i) * 1000000000LL), "gone " + std::to_string(i)});
    }
    Json streams =
        Json::array({{{"stream", {{"app", "gone"}, {"only", "here"}}}, {"values", values}}});
    auto r = client_->Post("/loki/api/v1/push", Json{{"streams", streams}}.dump(),
                           "application/json", {{"X-Scope-OrgID", "t1"}});
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r->status, 204) << r->body;
  }
  const std::string range =
      "start=" + std::to_string(base_ - 10) + "&end=" + std::to_string(base_ + 100);
  const std::string all = Encode(R"({app=~".+"})");
  auto get = [&](const std::string& target) {
    HttpReply r = Send("GET", target, "t1");
    EXPECT_EQ(r.status, 200) << target << ": " << r.body;
    return Json::parse(r.body, nullptr, false);
  };
  // Before any request: three streams, both label names.
  EXPECT_EQ(get("/loki/api/v1/labels?" + range)["data"], Json::array({"app", "only"}));
  EXPECT_EQ(get("/loki/api/v1/detected_labels?" + range),
            Json::parse(R"({"detectedLabels":[{"label":"app","cardinality":3},)"
                        R"({"label":"only","cardinality":1}]})"));
  EXPECT_EQ(get("/loki/api/v1/series?match[]=" + all + "&" + range)["data"].size(), 3u);

  const std::string start = std::to_string(base_ - 5), now = std::to_string(NowSeconds());
  ASSERT_EQ(Create("t1", R"({app="gone"})", start, now).status, 204);
  ASSERT_EQ(Create("t1", R"({app="api"} |= "password")", start, now).status, 204);

  uint64_t want_bytes = 0;
  for (const std::string& l : Expected("api", 0, 60, "t1", true)) want_bytes += l.size();
  const uint64_t api_bytes = want_bytes;
  for (const std::string& l : Expected("web", 0, 60, "t1", false)) want_bytes += l.size();
  auto check = [&] {
    EXPECT_EQ(get("/loki/api/v1/labels?" + range)["data"], Json::array({"app"}));
    EXPECT_EQ(get("/loki/api/v1/label/app/values?" + range)["data"], Json::array({"api", "web"}));
    EXPECT_EQ(get("/loki/api/v1/label/only/values?" + range)["data"], Json::array());
    EXPECT_EQ(get("/loki/api/v1/label/app/values?query=" + Encode(R"({only="here"})") + "&" +
                  range)["data"],
              Json::array());
    Json series = get("/loki/api/v1/series?match[]=" + all + "&" + range)["data"];
    std::set<std::string> apps;
    for (const Json& one : series) apps.insert(one.dump());
    EXPECT_EQ(apps, (std::set<std::string>{R"({"app":"api"})", R"({"app":"web"})"}))
        << series.dump();
    // detected_labels agrees with /series: `only` (a label of the emptied stream alone) is
    // gone and `app` has the two values left, with or without a selector.
    const Json want_detected =
        Json::parse(R"({"detectedLabels":[{"label":"app","cardinality":2}]})");
    EXPECT_EQ(get("/loki/api/v1/detected_labels?" + range), want_detected);
    EXPECT_EQ(get("/loki/api/v1/detected_labels?query=" + all + "&" + range), want_detected);
    EXPECT_EQ(get("/loki/api/v1/detected_labels?query=" + Encode(R"({only="here"})") + "&" + range),
              Json::parse(R"({"detectedLabels":[]})"));
    Json stats = get("/loki/api/v1/index/stats?query=" + all + "&" + range);
    EXPECT_EQ(stats["streams"], 2) << stats.dump();
    EXPECT_EQ(stats["entries"], 48 + 60) << stats.dump();
    EXPECT_EQ(stats["bytes"], want_bytes) << stats.dump();
    Json gone_stats =
        get("/loki/api/v1/index/stats?query=" + Encode(R"({app="gone"})") + "&" + range);
    EXPECT_EQ(gone_stats, Json::parse(R"({"streams":0,"chunks":0,"bytes":0,"entries":0})"));
    Json volume = get("/loki/api/v1/index/volume?query=" + all + "&" + range);
    std::map<std::string, std::string> by_app;
    for (const Json& v : volume["data"]["result"]) by_app[v["metric"]["app"]] = v["value"][1];
    EXPECT_EQ(by_app,
              (std::map<std::string, std::string>{{"api", std::to_string(api_bytes)},
                                                  {"web", std::to_string(want_bytes - api_bytes)}}))
        << volume.dump();
  };
  check();  // pending: filtered at query time
  // Another tenant's streams of the same names are untouched.
  HttpReply other = Send("GET", "/loki/api/v1/label/app/values?" + range, "t2");
  EXPECT_EQ(other.body, R"({"status":"success","data":[]})");
  StopServer();

  StartServer({"-compactor.delete-request-cancel-period=0s"});
  Json list;
  for (int i = 0; i < 600; ++i) {  // bounded wait for both, not a timing assertion
    list = List("t1");
    if (list.size() == 2 && list[0]["status"] == "processed" && list[1]["status"] == "processed") {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_EQ(list.size(), 2u);
  ASSERT_EQ(list[1]["status"], "processed");
  check();  // processed: the entries are gone from the chunks
  StopServer();
}

// Retention: the streams of buckets past the retention period leave /labels,
// /label/<name>/values, /series, detected_labels and the index figures at once, as their
// entries leave queries, though the label index keeps its rows and the chunks stay on disk
// until the retention pass. The same data without a retention period lists them.
TEST_F(DeleteTest, ExpiredBucketsLeaveLabelsSeriesAndQueries) {
  const int64_t now = NowSeconds();
  const int64_t old_ts = now - 72 * 3600, new_ts = now - 3600;
  auto push = [&](const std::string& app, int64_t ts) {
    Json streams = Json::array(
        {{{"stream", {{"app", app}, {app, "yes"}}},
          {"values", Json::array({{std::to_string(ts * 1000000000LL), app + " line"}})}}});
    auto r = client_->Post("/loki/api/v1/push", Json{{"streams", streams}}.dump(),
                           "application/json", {{"X-Scope-OrgID", "t1"}});
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r->status, 204) << r->body;
  };
  const std::string range =
      "start=" + std::to_string(now - 96 * 3600) + "&end=" + std::to_string(now);
  const std::string all = Encode(R"({app=~".+"})");
  auto get = [&](const std::string& target) {
    HttpReply r = Send("GET", target, "t1");
    EXPECT_EQ(r.status, 200) << target << ": " << r.body;
    return Json::parse(r.body, nullptr, false);
  };
  auto lines = [&] {
    Json j = get("/loki/api/v1/query_range?limit=100&query=" + all + "&" + range);
    std::set<std::string> out;
    for (const Json& s : j["data"]["result"]) {
      for (const Json& v : s["values"]) out.insert(v[1].get<std::string>());
    }
    return out;
  };

  StartServer({});  // no retention: both streams
  push("old", old_ts);
  push("new", new_ts);
  EXPECT_EQ(get("/loki/api/v1/label/app/values?" + range)["data"], Json::array({"new", "old"}));
  EXPECT_EQ(lines(), (std::set<std::string>{"new line", "old line"}));
  StopServer();

  StartServer({"-retention.period=24h"});
  EXPECT_EQ(lines(), (std::set<std::string>{"new line"}));
  EXPECT_EQ(get("/loki/api/v1/labels?" + range)["data"], Json::array({"app", "new"}));
  EXPECT_EQ(get("/loki/api/v1/label/app/values?" + range)["data"], Json::array({"new"}));
  EXPECT_EQ(get("/loki/api/v1/label/old/values?" + range)["data"], Json::array());
  EXPECT_EQ(get("/loki/api/v1/series?match[]=" + all + "&" + range)["data"],
            Json::parse(R"([{"app":"new","new":"yes"}])"));
  EXPECT_EQ(get("/loki/api/v1/series?match[]=" + Encode(R"({app="old"})") + "&" + range)["data"],
            Json::array());
  EXPECT_EQ(get("/loki/api/v1/detected_labels?" + range),
            Json::parse(R"({"detectedLabels":[{"label":"app","cardinality":1},)"
                        R"({"label":"new","cardinality":1}]})"));
  Json stats = get("/loki/api/v1/index/stats?query=" + all + "&" + range);
  EXPECT_EQ(stats["streams"], 1) << stats.dump();
  EXPECT_EQ(stats["entries"], 1) << stats.dump();
  // A range wholly past the retention period holds nothing.
  const std::string old_range =
      "start=" + std::to_string(old_ts - 60) + "&end=" + std::to_string(old_ts + 60);
  EXPECT_EQ(get("/loki/api/v1/labels?" + old_range)["data"], Json::array());
  StopServer();
}

// Loki's per-tenant deletion_mode from the runtime overrides: `off` may not use the API,
// `only` has its lines hidden but never removed, the others (the default,
// filter-and-delete) have their requests processed.
TEST_F(DeleteTest, DeletionModeIsPerTenant) {
  const std::string runtime = dir_.path() + "/runtime.yaml";
  {
    std::ofstream f(runtime);
    f << "overrides:\n  off:\n    deletion_mode: disabled\n  only:\n"
         "    deletion_mode: filter-only\n";
  }
  StartServer({"-compactor.delete-request-cancel-period=0s", "-runtime-config.file=" + runtime});
  for (const char* t : {"off", "only", "both"}) Push(t);
  const std::string start = std::to_string(base_ - 5), now = std::to_string(NowSeconds());
  HttpReply r = Create("off", R"({app="web"})", start, now);
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.body, "deletion is not available for this tenant\n");
  EXPECT_EQ(Send("GET", "/loki/api/v1/delete", "off").status, 403);
  ASSERT_EQ(Create("only", R"({app="web"})", start, now).status, 204);
  ASSERT_EQ(Create("both", R"({app="web"})", start, now).status, 204);
  // `both`'s request, made after `only`'s, is processed; `only`'s never is.
  Json list;
  for (int i = 0; i < 600; ++i) {  // bounded wait, not a timing assertion
    list = List("both");
    if (list.size() == 1 && list[0]["status"] == "processed") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0]["status"], "processed");
  Json only = List("only");
  ASSERT_EQ(only.size(), 1u);
  EXPECT_EQ(only[0]["status"], "received") << only.dump();
  EXPECT_TRUE(Lines("only", R"({app="web"})").empty());
  EXPECT_TRUE(Lines("both", R"({app="web"})").empty());
  EXPECT_EQ(Lines("off", R"({app="web"})"), Expected("web", 0, 60, "off", false));
  StopServer();
}

}  // namespace
}  // namespace sawmill::integration
