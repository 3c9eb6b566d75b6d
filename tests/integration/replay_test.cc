// The Grafana replay suite: a fixed dataset pushed into the real server, then every request
// that Grafana's Loki data source (and the Logs Drilldown app) sends, as
// ../shared/specs/grafana-loki-datasource.md lists them, byte for byte: GET, keys sorted,
// values escaped as Go's url.Values.Encode does (spaces as '+'), integer nanosecond times,
// `step=<N>ms`, and Grafana's headers (User-Agent, X-Query-Tags, the categorize-labels
// encoding flag, Accept-Encoding: gzip). Each answer is checked for status, shape, values and
// JSON key order. The suite prints "replay suite: N/N" and fails unless every request passes.
//
// Live tail (spec section 7) is a WebSocket: its cases (TailCases() below) upgrade with the
// same request line and headers, push a line at the current time, and check the message the
// tail sends, byte for byte.
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "tests/integration/http_client.h"
#include "tests/integration/query_test_util.h"
#include "tests/integration/server_process.h"
#include "tests/integration/temp_dir.h"
#include "tests/integration/ws_client.h"

namespace sawmill::integration {
namespace {

using Json = nlohmann::ordered_json;
using Labels = std::map<std::string, std::string>;

constexpr int64_t kSecond = 1'000'000'000;
constexpr int64_t kBase = 1'700'000'000 * kSecond;  // 2023-11-14T22:13:20Z
constexpr int64_t kEnd = kBase + 600 * kSecond;     // every entry is in [kBase, kEnd)

// ---------------------------------------------------------------------------------------------
// The dataset
// ---------------------------------------------------------------------------------------------

struct Entry {
  int64_t ts;
  std::string line;
  Labels metadata;
};

struct Stream {
  Labels labels;
  std::vector<Entry> entries;
};

// api/info: logfmt every 10 s; api/error: logfmt every 50 s; web/info: JSON every 20 s with a
// trace_id in structured metadata.
std::vector<Stream> Dataset() {
  std::vector<Stream> out(3);
  out[0].labels = {{"app", "api"}, {"env", "prod"}, {"level", "info"}};
  for (int i = 0; i < 60; ++i) {
    out[0].entries.push_back({kBase + (10 * i + 1) * kSecond,
                              "level=info method=GET path=/users/" + std::to_string(i % 5) +
                                  " status=200 duration=" + std::to_string(i + 1) +
                                  "ms bytes=" + std::to_string(100 + i),
                              {}});
  }
  out[1].labels = {{"app", "api"}, {"env", "prod"}, {"level", "error"}};
  for (int i = 0; i < 12; ++i) {
    out[1].entries.push_back(
        {kBase + (50 * i + 5) * kSecond,
         "level=error method=POST path=/orders status=500 duration=1.5s msg=\"db error\"",
         {}});
  }
  out[2].labels = {{"app", "web"}, {"env", "dev"}, {"level", "info"}};
  for (int i = 0; i < 30; ++i) {
    out[2].entries.push_back({kBase + (20 * i + 3) * kSecond,
                              "{\"level\":\"info\",\"user\":\"u" + std::to_string(i % 3) +
                                  "\",\"latency_ms\":" + std::to_string(i) + ",\"ok\":true}",
                              {{"trace_id", "t" + std::to_string(i)}}});
  }
  return out;
}

std::string PushBody(const std::vector<Stream>& streams) {
  Json body;
  body["streams"] = Json::array();
  for (const Stream& s : streams) {
    Json js;
    js["stream"] = Json::object();
    for (const auto& [k, v] : s.labels) js["stream"][k] = v;
    js["values"] = Json::array();
    for (const Entry& e : s.entries) {
      Json v = Json::array({std::to_string(e.ts), e.line});
      if (!e.metadata.empty()) {
        Json m = Json::object();
        for (const auto& [k, val] : e.metadata) m[k] = val;
        v.push_back(m);
      }
      js["values"].push_back(v);
    }
    body["streams"].push_back(js);
  }
  return body.dump();
}

// Loki 3's answer without categorize-labels: each entry's structured metadata joins its
// stream's labels, so entries with different metadata are different result streams.
std::vector<ModelStream> ModelWithMetadataLabels(const std::vector<Stream>& streams) {
  std::map<Labels, ModelStream> by_labels;
  for (const Stream& s : streams) {
    for (const Entry& e : s.entries) {
      Labels labels = s.labels;
      for (const auto& [k, v] : e.metadata) labels[k] = v;
      ModelStream& m = by_labels[labels];
      m.labels = labels;
      m.entries.push_back({e.ts, e.line});
    }
  }
  std::vector<ModelStream> out;
  for (auto& [labels, m] : by_labels) out.push_back(std::move(m));
  return out;
}

std::vector<ModelStream> Model(const std::vector<Stream>& streams) {
  std::vector<ModelStream> out;
  for (const Stream& s : streams) {
    ModelStream m;
    m.labels = s.labels;
    for (const Entry& e : s.entries) m.entries.push_back({e.ts, e.line});
    out.push_back(std::move(m));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Requests as Grafana builds them
// ---------------------------------------------------------------------------------------------

// Go's url.QueryEscape: unreserved bytes as they are, space as '+', the rest %XX.
std::string GoQueryEscape(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else if (c == ' ') {
      out.push_back('+');
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

// url.Values{...}.Encode(): keys sorted.
std::string Target(const std::string& path, std::map<std::string, std::string> params) {
  std::string out = path;
  char sep = '?';
  for (const auto& [k, v] : params) {
    out += sep + GoQueryEscape(k) + "=" + GoQueryEscape(v);
    sep = '&';
  }
  return out;
}

std::string Ns(int64_t ns) { return std::to_string(ns); }

// What the Grafana backend adds to every request, and to data queries.
HttpClient::Headers GrafanaHeaders(std::string_view source = "", bool categorize = false) {
  HttpClient::Headers h = {{"User-Agent", "Grafana/11.3.0"}, {"Accept-Encoding", "gzip"}};
  if (!source.empty()) h.push_back({"X-Query-Tags", "Source=" + std::string(source)});
  if (categorize) h.push_back({"X-Loki-Response-Encoding-Flags", "categorize-labels"});
  return h;
}

// ---------------------------------------------------------------------------------------------
// Checks: each collects what differs; a case passes when nothing does
// ---------------------------------------------------------------------------------------------

struct Check {
  std::vector<std::string> errors;
  template <typename A, typename B>
  void Eq(const A& got, const B& want, const std::string& what) {
    if (!(got == want)) {
      std::ostringstream o;
      o << what << ": got " << ::testing::PrintToString(got) << ", want "
        << ::testing::PrintToString(want);
      errors.push_back(o.str());
    }
  }
  void True(bool cond, const std::string& what) {
    if (!cond) errors.push_back(what);
  }
};

std::vector<std::string> Keys(const Json& j) {
  std::vector<std::string> out;
  if (!j.is_object()) return out;
  for (auto it = j.begin(); it != j.end(); ++it) out.push_back(it.key());
  return out;
}

Json Parse(const std::string& body, Check* c) {
  Json j = Json::parse(body, nullptr, false);
  c->True(!j.is_discarded(), "body is not JSON: " + body.substr(0, 200));
  return j.is_discarded() ? Json() : j;
}

Labels LabelsOf(const Json& j) {
  Labels out;
  if (!j.is_object()) return out;
  for (auto it = j.begin(); it != j.end(); ++it) {
    out[it.key()] = it.value().is_string() ? it.value().get<std::string>() : "?";
  }
  return out;
}

// A log query answer: Loki's key order, string timestamps, and under categorize-labels three
// elements per value with only the indexed labels in `stream`; values equal to `want`.
void CheckStreams(const std::string& body, bool categorized,
                  const std::vector<ExpectedStream>& want, Check* c) {
  Json j = Parse(body, c);
  c->Eq(Keys(j), std::vector<std::string>{"status", "data"}, "top-level keys");
  c->Eq(j.value("status", ""), std::string("success"), "status");
  const Json& d = j["data"];
  std::vector<std::string> want_keys = {"resultType", "result", "stats"};
  if (categorized) want_keys = {"resultType", "encodingFlags", "result", "stats"};
  c->Eq(Keys(d), want_keys, "data keys");
  c->Eq(d.value("resultType", ""), std::string("streams"), "resultType");
  if (categorized) c->Eq(d["encodingFlags"], Json::array({"categorize-labels"}), "encodingFlags");
  for (const Json& s : d["result"]) {
    c->Eq(Keys(s), std::vector<std::string>{"stream", "values"}, "stream keys");
    for (const Json& v : s["values"]) {
      c->True(v.is_array() && v.size() == (categorized ? 3u : 2u) && v[0].is_string() &&
                  v[1].is_string() && (!categorized || v[2].is_object()),
              "value shape: " + v.dump());
    }
  }
  std::vector<ExpectedStream> got = ParseStreams(body);
  c->Eq(got.size(), want.size(), "stream count");
  for (size_t i = 0; i < std::min(got.size(), want.size()); ++i) {
    c->Eq(got[i].labels, want[i].labels, "stream labels");
    c->Eq(got[i].values, want[i].values, "values of " + want[i].labels);
  }
}

// A metric answer: matrix (or vector) series, each as label map -> [(seconds, "value")].
using Series = std::map<Labels, std::vector<std::pair<double, std::string>>>;

void CheckMetric(const std::string& body, const std::string& type, const Series& want, Check* c) {
  Json j = Parse(body, c);
  c->Eq(Keys(j), std::vector<std::string>{"status", "data"}, "top-level keys");
  const Json& d = j["data"];
  c->Eq(Keys(d), std::vector<std::string>{"resultType", "result", "stats"}, "data keys");
  c->Eq(d.value("resultType", ""), type, "resultType");
  Series got;
  for (const Json& s : d["result"]) {
    const bool matrix = type == "matrix";
    c->Eq(Keys(s), std::vector<std::string>{"metric", matrix ? "values" : "value"}, "series keys");
    auto& points = got[LabelsOf(s["metric"])];
    const Json values = matrix ? s["values"] : Json::array({s["value"]});
    for (const Json& p : values) {
      c->True(p.is_array() && p.size() == 2 && p[0].is_number() && p[1].is_string(),
              "point shape: " + p.dump());
      if (p.is_array() && p.size() == 2 && p[0].is_number() && p[1].is_string()) {
        points.push_back({p[0].get<double>(), p[1].get<std::string>()});
      }
    }
  }
  c->Eq(got, want, "series");
}

// count_over_time(<selected>[range]) summed by `by`, at start, start+step, ... end (Loki's
// (t - range, t] windows; steps without samples have no point).
Series CountOverTime(const std::vector<Stream>& data, const std::function<bool(const Labels&)>& sel,
                     const std::vector<std::string>& by, int64_t start, int64_t end, int64_t step,
                     int64_t range) {
  Series out;
  for (int64_t t = start; t <= end; t += step) {
    std::map<Labels, int64_t> counts;
    for (const Stream& s : data) {
      if (!sel(s.labels)) continue;
      Labels key;
      for (const std::string& b : by) {
        if (s.labels.count(b)) key[b] = s.labels.at(b);
      }
      for (const Entry& e : s.entries) {
        if (e.ts > t - range && e.ts <= t) counts[key]++;
      }
    }
    for (const auto& [k, n] : counts) {
      out[k].push_back({static_cast<double>(t / kSecond), std::to_string(n)});
    }
  }
  return out;
}

// Line and structured metadata bytes of the selected streams (what volume and stats count).
uint64_t Bytes(const std::vector<Stream>& data, const std::function<bool(const Labels&)>& sel) {
  uint64_t n = 0;
  for (const Stream& s : data) {
    if (!sel(s.labels)) continue;
    for (const Entry& e : s.entries) {
      n += e.line.size();
      // Structured metadata as stored (storage/metadata.h): count, then length-prefixed
      // names and values (one-byte lengths here).
      if (!e.metadata.empty()) n += 1;
      for (const auto& [k, v] : e.metadata) n += 2 + k.size() + v.size();
    }
  }
  return n;
}

// ---------------------------------------------------------------------------------------------
// The suite
// ---------------------------------------------------------------------------------------------

struct Case {
  std::string name;
  std::string method = "GET";
  std::string target;
  HttpClient::Headers headers;
  std::string body;  // POST only
  int status = 200;
  std::function<void(const HttpReply&, Check*)> check;
};

// A WebSocket case (live tail): makes its own requests and checks.
struct WebSocketCase {
  std::string name;
  std::string target;
  std::function<void(Check*)> run;
};

// Live tail (spec section 7): Grafana's request (only `query`, Go's encoding) upgraded to a
// WebSocket; a line pushed now, to one of the dataset's streams, must come back as Loki's
// message, byte for byte (each entry a stream of its own, labels sorted, structured metadata
// among the labels: Grafana's live tail does not ask for categorize-labels). The history is
// empty: the dataset is from 2023 and the history starts an hour ago.
std::vector<WebSocketCase> TailCases(uint16_t port) {
  struct Tail {
    std::string name;
    std::string query;
    std::string stream_json;                                 // where the lines are pushed
    std::vector<std::pair<std::string, std::string>> lines;  // line, metadata JSON ("" = none)
    std::function<std::string(int64_t ts)> want;             // the message, from the first ts
  };
  const std::vector<Tail> tails = {
      {"live tail",
       "{app=\"api\"}",
       R"({"app":"api","env":"prod","level":"info"})",
       {{"level=info method=GET path=/users/7 status=200 duration=3ms bytes=120", ""}},
       [](int64_t ts) {
         return R"({"streams":[{"stream":{"app":"api","env":"prod","level":"info"},"values":[[")" +
                Ns(ts) +
                R"(","level=info method=GET path=/users/7 status=200 duration=3ms bytes=120"]]}]})";
       }},
      {"live tail with a line filter",
       "{app=\"api\"} |= \"status=500\"",
       R"({"app":"api","env":"prod","level":"error"})",
       {{"level=error method=GET path=/a status=200", ""},
        {"level=error method=POST path=/b status=500", ""}},
       [](int64_t ts) {
         return R"({"streams":[{"stream":{"app":"api","env":"prod","level":"error"},"values":[[")" +
                Ns(ts + 1) + R"(","level=error method=POST path=/b status=500"]]}]})";
       }},
      {"live tail with structured metadata",
       "{app=\"web\"}",
       R"({"app":"web","env":"dev","level":"info"})",
       {{R"({"msg":"live","status":200})", R"({"trace_id":"live-1"})"}},
       [](int64_t ts) {
         return R"({"streams":[{"stream":{"app":"web","env":"dev","level":"info",)"
                R"("trace_id":"live-1"},"values":[[")" +
                Ns(ts) + R"(","{\"msg\":\"live\",\"status\":200}"]]}]})";
       }},
  };
  const std::vector<std::pair<std::string, std::string>> headers = {
      {"User-Agent", "Grafana/11.3.0"}};
  std::vector<WebSocketCase> cases;
  for (const Tail& t : tails) {
    WebSocketCase c;
    c.name = t.name;
    c.target = Target("/loki/api/v1/tail", {{"query", t.query}});
    c.run = [port, t, target = c.target, headers](Check* check) {
      WsClient::Options options;
      options.headers = headers;
      Result<std::unique_ptr<WsClient>> ws =
          WsClient::Connect("127.0.0.1", port, target, options, nullptr);
      if (!ws.ok()) return check->errors.push_back("upgrade: " + ws.status().ToString());
      const int64_t ts = std::chrono::duration_cast<std::chrono::nanoseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
      Json values = Json::array();
      for (size_t i = 0; i < t.lines.size(); ++i) {
        Json v = Json::array({Ns(ts + static_cast<int64_t>(i)), t.lines[i].first});
        if (!t.lines[i].second.empty()) v.push_back(Json::parse(t.lines[i].second));
        values.push_back(v);
      }
      Json body;
      body["streams"] = Json::array({{{"stream", Json::parse(t.stream_json)}, {"values", values}}});
      Result<HttpReply> push = HttpClient("127.0.0.1", port).Post("/loki/api/v1/push", body.dump());
      if (!push.ok() || push->status != 204) {
        return check->errors.push_back("push failed");
      }
      Result<std::string> message = (*ws)->Read(std::chrono::seconds(30));
      if (!message.ok()) return check->errors.push_back("read: " + message.status().ToString());
      check->Eq(*message, t.want(ts), "tail message");
      (*ws)->Close();
    };
    cases.push_back(std::move(c));
  }
  // A bad query is refused before the upgrade, with Loki's message.
  WebSocketCase bad;
  bad.name = "live tail of a bad query";
  bad.target = Target("/loki/api/v1/tail", {{"query", "{app=\"api\""}});
  bad.run = [port, target = bad.target, headers](Check* check) {
    WsClient::Options options;
    options.headers = headers;
    HttpReply refused;
    Result<std::unique_ptr<WsClient>> ws =
        WsClient::Connect("127.0.0.1", port, target, options, &refused);
    check->True(!ws.ok(), "the upgrade was refused");
    check->Eq(refused.status, 400, "HTTP status");
    check->True(refused.body.rfind("parse error at line 1, col ", 0) == 0,
                "Loki's parse error, got: " + refused.body);
  };
  cases.push_back(std::move(bad));
  return cases;
}

class ReplayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = ServerProcess::Start(SAW_SAWMILL_BINARY,
                                  {"-server.http-listen-port=0", "-storage.path=" + dir_.path(),
                                   "-validation.reject-old-samples=false"});
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    server_ = std::move(s).value();
    auto port = server_->WaitUntilStarted();
    ASSERT_TRUE(port.ok()) << server_->Output();
    client_ = std::make_unique<HttpClient>("127.0.0.1", *port);
    port_ = *port;
    data_ = Dataset();
    auto r = client_->Post("/loki/api/v1/push", PushBody(data_));
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_EQ(r->status, 204) << r->body;
  }

  std::vector<Case> Cases();

  TempDir dir_;
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<HttpClient> client_;
  uint16_t port_ = 0;
  std::vector<Stream> data_;
};

std::vector<Case> ReplayTest::Cases() {
  const std::vector<ModelStream> model = Model(data_);
  auto app = [](std::string a) { return [a](const Labels& l) { return l.at("app") == a; }; };
  auto all = [](const Labels&) { return true; };
  LineFilter any = [](const std::string&) { return true; };
  const std::string start = Ns(kBase), end = Ns(kEnd);
  std::vector<Case> cases;

  // 3. Health check ("Save & test"), the exact request. Grafana passes on one sample of
  // value 2. `time=4000000000` has 10 digits, which Loki's parseTimestamp reads as seconds
  // (integers of up to 10 digits are seconds, longer ones nanoseconds), so Loki answers the
  // sample at 4000000000 s; the spec's `[4,"2"]` would be the nanosecond reading.
  cases.push_back(
      {"health check", "GET",
       "/loki/api/v1/query?direction=backward&query=vector%281%29%2Bvector%281%29&time=4000000000",
       GrafanaHeaders(), "", 200, [](const HttpReply& r, Check* c) {
         Json j = Parse(r.body, c);
         c->Eq(Keys(j["data"]), std::vector<std::string>{"resultType", "result", "stats"},
               "data keys");
         c->Eq(j["data"]["resultType"], "vector", "resultType");
         c->Eq(j["data"]["result"], Json::parse(R"([{"metric":{},"value":[4000000000,"2"]}])"),
               "result");
       }});

  // 1./2. Explore, logs: backward, categorize-labels, limit 1000.
  cases.push_back({"explore logs", "GET",
                   Target("/loki/api/v1/query_range", {{"direction", "backward"},
                                                       {"end", end},
                                                       {"limit", "1000"},
                                                       {"query", "{app=\"api\"}"},
                                                       {"start", start},
                                                       {"step", "1000ms"}}),
                   GrafanaHeaders("", true), "", 200, [=, this](const HttpReply& r, Check* c) {
                     CheckStreams(r.body, true,
                                  Expected(model, app("api"), any, kBase, kEnd, 1000, true), c);
                   }});
  cases.push_back(
      {"explore logs, line filter and parser", "GET",
       Target("/loki/api/v1/query_range", {{"direction", "backward"},
                                           {"end", end},
                                           {"limit", "1000"},
                                           {"query", "{app=\"api\"} |= \"POST\" | logfmt"},
                                           {"start", start},
                                           {"step", "1000ms"}}),
       GrafanaHeaders("", true), "", 200, [=, this](const HttpReply& r, Check* c) {
         auto keep = [](const std::string& l) { return l.find("POST") != std::string::npos; };
         CheckStreams(r.body, true, Expected(model, app("api"), keep, kBase, kEnd, 1000, true), c);
         Json j = Parse(r.body, c);
         const Json& first = j["data"]["result"][0]["values"][0][2];
         c->Eq(first["parsed"]["status"], "500", "parsed status of the first entry");
         c->Eq(first["parsed"]["level_extracted"], "error", "parsed clash suffix");
       }});
  cases.push_back({"explore logs without categorize-labels (dashboards)", "GET",
                   Target("/loki/api/v1/query_range", {{"direction", "forward"},
                                                       {"end", end},
                                                       {"limit", "20"},
                                                       {"query", "{app=\"web\"}"},
                                                       {"start", start},
                                                       {"step", "1000ms"}}),
                   GrafanaHeaders(), "", 200, [=, this](const HttpReply& r, Check* c) {
                     // Each entry has its own trace_id: 20 streams of one entry each.
                     CheckStreams(r.body, false,
                                  Expected(ModelWithMetadataLabels(data_), app("web"), any, kBase,
                                           kEnd, 20, false),
                                  c);
                     Json j = Parse(r.body, c);
                     c->Eq(j["data"]["result"].size(), size_t{20}, "one stream per trace_id");
                   }});
  cases.push_back(
      {"explore logs, structured metadata in the third element", "GET",
       Target("/loki/api/v1/query_range", {{"direction", "backward"},
                                           {"end", end},
                                           {"limit", "10"},
                                           {"query", "{app=\"web\"}"},
                                           {"start", start},
                                           {"step", "1000ms"}}),
       GrafanaHeaders("datasample", true), "", 200, [=, this](const HttpReply& r, Check* c) {
         CheckStreams(r.body, true, Expected(model, app("web"), any, kBase, kEnd, 10, true), c);
         Json j = Parse(r.body, c);
         c->Eq(j["data"]["result"][0]["values"][0][2],
               Json::parse(R"({"structuredMetadata":{"trace_id":"t29"}})"),
               "newest entry's metadata");
         c->Eq(LabelsOf(j["data"]["result"][0]["stream"]),
               Labels{{"app", "web"}, {"env", "dev"}, {"level", "info"}}, "indexed labels only");
       }});

  // Explore, metrics (range and instant).
  cases.push_back({"explore metrics", "GET",
                   Target("/loki/api/v1/query_range",
                          {{"direction", "backward"},
                           {"end", end},
                           {"limit", "1000"},
                           {"query", "sum by (level) (count_over_time({app=\"api\"}[1m]))"},
                           {"start", start},
                           {"step", "60000ms"}}),
                   GrafanaHeaders(), "", 200, [=, this](const HttpReply& r, Check* c) {
                     CheckMetric(r.body, "matrix",
                                 CountOverTime(data_, app("api"), {"level"}, kBase, kEnd,
                                               60 * kSecond, 60 * kSecond),
                                 c);
                   }});
  cases.push_back(
      {"explore metrics, instant", "GET",
       Target("/loki/api/v1/query", {{"direction", "backward"},
                                     {"limit", "1000"},
                                     {"query", "sum(count_over_time({app=\"api\"}[10m]))"},
                                     {"time", end}}),
       GrafanaHeaders(), "", 200, [](const HttpReply& r, Check* c) {
         CheckMetric(r.body, "vector", Series{{Labels{}, {{1700000600.0, "72"}}}}, c);
       }});

  // 5. Supplementary queries: log volume (current and older Grafana), logs sample.
  cases.push_back({"log volume histogram", "GET",
                   Target("/loki/api/v1/query_range",
                          {{"direction", "backward"},
                           {"end", end},
                           {"limit", "1000"},
                           {"query",
                            "sum by (level, detected_level) (count_over_time({app=\"api\"} | drop "
                            "__error__[1m]))"},
                           {"start", start},
                           {"step", "60000ms"}}),
                   GrafanaHeaders("logvolhist"), "", 200, [=, this](const HttpReply& r, Check* c) {
                     CheckMetric(r.body, "matrix",
                                 CountOverTime(data_, app("api"), {"level"}, kBase, kEnd,
                                               60 * kSecond, 60 * kSecond),
                                 c);
                   }});
  cases.push_back({"log volume histogram, older Grafana", "GET",
                   Target("/loki/api/v1/query_range",
                          {{"direction", "backward"},
                           {"end", end},
                           {"limit", "1000"},
                           {"query", "sum by (level) (count_over_time({app=~\"api|web\"}[2m]))"},
                           {"start", start},
                           {"step", "120000ms"}}),
                   GrafanaHeaders("logvolhist"), "", 200, [=, this](const HttpReply& r, Check* c) {
                     CheckMetric(r.body, "matrix",
                                 CountOverTime(data_, all, {"level"}, kBase, kEnd, 120 * kSecond,
                                               120 * kSecond),
                                 c);
                   }});
  cases.push_back(
      {"logs sample of a metric query", "GET",
       Target("/loki/api/v1/query_range", {{"direction", "backward"},
                                           {"end", end},
                                           {"limit", "100"},
                                           {"query", "{app=\"api\"} | logfmt"},
                                           {"start", start},
                                           {"step", "1000ms"}}),
       GrafanaHeaders("logsample", true), "", 200, [=, this](const HttpReply& r, Check* c) {
         CheckStreams(r.body, true, Expected(model, app("api"), any, kBase, kEnd, 100, true), c);
       }});

  // 4. Label browser, autocomplete, variables.
  auto list = [](std::vector<std::string> want) {
    return [want](const HttpReply& r, Check* c) {
      Json j = Parse(r.body, c);
      c->Eq(Keys(j), std::vector<std::string>{"status", "data"}, "keys");
      c->Eq(j["data"], Json(want), "data");
    };
  };
  cases.push_back({"label names", "GET",
                   Target("/loki/api/v1/labels", {{"end", end}, {"start", start}}),
                   GrafanaHeaders(), "", 200, list({"app", "env", "level"})});
  cases.push_back(
      {"label names for a selector (autocomplete)", "GET",
       Target("/loki/api/v1/labels", {{"end", end}, {"query", "{app=\"web\"}"}, {"start", start}}),
       GrafanaHeaders(), "", 200, list({"app", "env", "level"})});
  cases.push_back({"label values", "GET",
                   Target("/loki/api/v1/label/app/values", {{"end", end}, {"start", start}}),
                   GrafanaHeaders(), "", 200, list({"api", "web"})});
  cases.push_back({"label values for a selector", "GET",
                   Target("/loki/api/v1/label/level/values",
                          {{"end", end}, {"query", "{app=\"web\"}"}, {"start", start}}),
                   GrafanaHeaders(), "", 200, list({"info"})});
  cases.push_back({"series", "GET",
                   Target("/loki/api/v1/series",
                          {{"end", end}, {"match[]", "{app=\"api\"}"}, {"start", start}}),
                   GrafanaHeaders(), "", 200, [](const HttpReply& r, Check* c) {
                     Json j = Parse(r.body, c);
                     c->Eq(Keys(j), std::vector<std::string>{"status", "data"}, "keys");
                     std::set<Labels> got;
                     for (const Json& s : j["data"]) got.insert(LabelsOf(s));
                     c->Eq(got,
                           std::set<Labels>{{{"app", "api"}, {"env", "prod"}, {"level", "error"}},
                                            {{"app", "api"}, {"env", "prod"}, {"level", "info"}}},
                           "series");
                   }});

  // Show context around the api/error entry at kBase + 255 s: 2 h each way.
  const int64_t row = kBase + 255 * kSecond;
  const std::string context_query = "{app=\"api\",env=\"prod\",level=\"error\"}";
  auto error_stream = [](const Labels& l) { return l.at("level") == "error"; };
  cases.push_back(
      {"show context, before", "GET",
       Target("/loki/api/v1/query_range", {{"direction", "backward"},
                                           {"end", Ns(row)},
                                           {"limit", "10"},
                                           {"query", context_query},
                                           {"start", Ns(row - 7200 * kSecond)},
                                           {"step", "1000ms"}}),
       GrafanaHeaders("", true), "", 200, [=, this](const HttpReply& r, Check* c) {
         CheckStreams(r.body, true,
                      Expected(model, error_stream, any, row - 7200 * kSecond, row, 10, true), c);
       }});
  cases.push_back(
      {"show context, after", "GET",
       Target("/loki/api/v1/query_range", {{"direction", "forward"},
                                           {"end", Ns(row + 7200 * kSecond)},
                                           {"limit", "10"},
                                           {"query", context_query},
                                           {"start", Ns(row)},
                                           {"step", "1000ms"}}),
       GrafanaHeaders("", true), "", 200, [=, this](const HttpReply& r, Check* c) {
         CheckStreams(r.body, true,
                      Expected(model, error_stream, any, row, row + 7200 * kSecond, 10, false), c);
       }});

  // Start-up probe and detected fields.
  cases.push_back({"detected labels", "GET",
                   Target("/loki/api/v1/detected_labels", {{"end", end}, {"start", start}}),
                   GrafanaHeaders(), "", 200, [](const HttpReply& r, Check* c) {
                     c->Eq(r.body,
                           std::string(R"({"detectedLabels":[{"label":"app","cardinality":2},)"
                                       R"({"label":"env","cardinality":2},)"
                                       R"({"label":"level","cardinality":2}]})"),
                           "body");
                   }});
  cases.push_back(
      {"detected fields, logfmt", "GET",
       Target("/loki/api/v1/detected_fields",
              {{"end", end}, {"limit", "1000"}, {"query", "{app=\"api\"}"}, {"start", start}}),
       GrafanaHeaders(), "", 200, [](const HttpReply& r, Check* c) {
         Json j = Parse(r.body, c);
         c->Eq(Keys(j), std::vector<std::string>{"fields", "limit"}, "keys");
         c->Eq(j["limit"], 1000, "limit");
         std::map<std::string, std::pair<std::string, int>> got;
         for (const Json& f : j["fields"]) {
           c->Eq(Keys(f), std::vector<std::string>{"label", "type", "cardinality", "parsers"},
                 "field keys");
           c->Eq(f["parsers"], Json::array({"logfmt"}), "parsers of " + f.value("label", ""));
           got[f.value("label", "")] = {f.value("type", ""), f.value("cardinality", -1)};
         }
         c->Eq(
             got,
             std::map<std::string, std::pair<std::string, int>>{{"bytes", {"int", 60}},
                                                                {"duration", {"duration", 61}},
                                                                {"level_extracted", {"string", 2}},
                                                                {"method", {"string", 2}},
                                                                {"msg", {"string", 1}},
                                                                {"path", {"string", 6}},
                                                                {"status", {"int", 2}}},
             "fields");
       }});
  cases.push_back(
      {"detected fields, json and structured metadata", "GET",
       Target("/loki/api/v1/detected_fields",
              {{"end", end}, {"limit", "1000"}, {"query", "{app=\"web\"}"}, {"start", start}}),
       GrafanaHeaders(), "", 200, [](const HttpReply& r, Check* c) {
         Json j = Parse(r.body, c);
         std::map<std::string, std::string> got;
         for (const Json& f : j["fields"]) {
           got[f.value("label", "")] = f.value("type", "") + " " +
                                       std::to_string(f.value("cardinality", -1)) + " " +
                                       f["parsers"].dump();
         }
         c->Eq(got,
               std::map<std::string, std::string>{{"latency_ms", "int 30 [\"json\"]"},
                                                  {"level_extracted", "string 1 [\"json\"]"},
                                                  {"ok", "boolean 1 [\"json\"]"},
                                                  {"trace_id", "string 30 null"},
                                                  {"user", "string 3 [\"json\"]"}},
               "fields");
       }});
  cases.push_back(
      {"detected field values", "GET",
       Target("/loki/api/v1/detected_field/path/values",
              {{"end", end}, {"limit", "1000"}, {"query", "{app=\"api\"}"}, {"start", start}}),
       GrafanaHeaders(), "", 200, [](const HttpReply& r, Check* c) {
         c->Eq(r.body,
               std::string(R"({"values":["/orders","/users/0","/users/1",)"
                           R"("/users/2","/users/3","/users/4"]})"),
               "body");
       }});

  // Query size hint and the shard probe.
  cases.push_back(
      {"index stats", "GET",
       Target("/loki/api/v1/index/stats",
              {{"end", end}, {"query", "{app=\"api\"}"}, {"start", start}}),
       GrafanaHeaders(), "", 200, [=, this](const HttpReply& r, Check* c) {
         Json j = Parse(r.body, c);
         c->Eq(Keys(j), std::vector<std::string>{"streams", "chunks", "bytes", "entries"}, "keys");
         c->Eq(j["streams"], 2, "streams");
         c->Eq(j["entries"], 72, "entries");
         c->Eq(j["bytes"], Bytes(data_, app("api")), "bytes");
         c->True(j["chunks"].is_number() && j["chunks"].get<int>() >= 2, "chunks >= streams");
       }});
  cases.push_back({"shard probe", "GET",
                   Target("/loki/api/v1/label/__stream_shard__/values",
                          {{"end", end}, {"query", "{app=\"api\"}"}, {"start", start}}),
                   GrafanaHeaders(), "", 200, list({})});

  // Logs Drilldown: volume, volume_range, patterns.
  cases.push_back(
      {"index volume", "GET",
       Target("/loki/api/v1/index/volume",
              {{"end", end}, {"limit", "100"}, {"query", "{app=~\".+\"}"}, {"start", start}}),
       GrafanaHeaders(), "", 200, [=, this](const HttpReply& r, Check* c) {
         CheckMetric(r.body, "vector",
                     Series{{Labels{{"app", "api"}},
                             {{1700000600.0, std::to_string(Bytes(data_, app("api")))}}},
                            {Labels{{"app", "web"}},
                             {{1700000600.0, std::to_string(Bytes(data_, app("web")))}}}},
                     c);
         Json j = Parse(r.body, c);
         c->Eq(j["data"]["result"][0]["metric"]["app"], "api", "largest first");
       }});
  cases.push_back({"index volume by target label", "GET",
                   Target("/loki/api/v1/index/volume", {{"aggregateBy", "series"},
                                                        {"end", end},
                                                        {"limit", "100"},
                                                        {"query", "{app=~\".+\"}"},
                                                        {"start", start},
                                                        {"targetLabels", "env"}}),
                   GrafanaHeaders(), "", 200, [=, this](const HttpReply& r, Check* c) {
                     CheckMetric(
                         r.body, "vector",
                         Series{{Labels{{"env", "prod"}},
                                 {{1700000600.0, std::to_string(Bytes(data_, app("api")))}}},
                                {Labels{{"env", "dev"}},
                                 {{1700000600.0, std::to_string(Bytes(data_, app("web")))}}}},
                         c);
                   }});
  cases.push_back({"index volume by labels", "GET",
                   Target("/loki/api/v1/index/volume", {{"aggregateBy", "labels"},
                                                        {"end", end},
                                                        {"limit", "100"},
                                                        {"query", "{app=\"api\"}"},
                                                        {"start", start}}),
                   GrafanaHeaders(), "", 200, [=, this](const HttpReply& r, Check* c) {
                     const std::string b = std::to_string(Bytes(data_, app("api")));
                     CheckMetric(r.body, "vector",
                                 Series{{Labels{{"app", ""}}, {{1700000600.0, b}}},
                                        {Labels{{"env", ""}}, {{1700000600.0, b}}},
                                        {Labels{{"level", ""}}, {{1700000600.0, b}}}},
                                 c);
                   }});
  cases.push_back(
      {"index volume range", "GET",
       Target("/loki/api/v1/index/volume_range", {{"aggregateBy", "series"},
                                                  {"end", end},
                                                  {"limit", "100"},
                                                  {"query", "{app=\"web\"}"},
                                                  {"start", start},
                                                  {"step", "300"}}),
       GrafanaHeaders(), "", 200, [=, this](const HttpReply& r, Check* c) {
         Json j = Parse(r.body, c);
         c->Eq(j["data"]["resultType"], "matrix", "resultType");
         c->Eq(j["data"]["result"].size(), 1u, "series");
         uint64_t sum = 0;
         for (const Json& p : j["data"]["result"][0]["values"]) {
           const double t = p[0].get<double>();
           c->True(t >= 1700000000.0 && t <= 1700000600.0, "sample time in range: " + p.dump());
           sum += std::stoull(p[1].get<std::string>());
         }
         c->Eq(sum, Bytes(data_, app("web")), "bytes over the intervals");
         c->Eq(j["data"]["result"][0]["metric"], Json::parse(R"({"app":"web"})"), "metric");
       }});
  cases.push_back(
      {"patterns", "GET",
       Target("/loki/api/v1/patterns",
              {{"end", end}, {"query", "{app=\"api\"}"}, {"start", start}, {"step", "60s"}}),
       GrafanaHeaders(), "", 200, [](const HttpReply& r, Check* c) {
         c->Eq(r.body, std::string(R"({"status":"success","data":[]})"), "body");
       }});

  // Other documented forms: POST with a form body, float seconds and RFC 3339 times.
  cases.push_back(
      {"query_range as a POST form", "POST", "/loki/api/v1/query_range", GrafanaHeaders(),
       "direction=forward&end=" + end + "&limit=5&query=" + GoQueryEscape("{app=\"api\"}") +
           "&start=" + start,
       200, [=, this](const HttpReply& r, Check* c) {
         CheckStreams(r.body, false, Expected(model, app("api"), any, kBase, kEnd, 5, false), c);
       }});
  cases.push_back({"float seconds and RFC 3339 times", "GET",
                   Target("/loki/api/v1/query_range", {{"direction", "forward"},
                                                       {"end", "2023-11-14T22:23:20Z"},
                                                       {"limit", "3"},
                                                       {"query", "{app=\"web\"}"},
                                                       {"start", "1700000000.5"}}),
                   GrafanaHeaders(), "", 200, [=, this](const HttpReply& r, Check* c) {
                     // Without categorize-labels each trace_id is its own stream (Loki 3).
                     CheckStreams(r.body, false,
                                  Expected(ModelWithMetadataLabels(data_), app("web"), any,
                                           kBase + kSecond / 2, kEnd, 3, false),
                                  c);
                   }});
  cases.push_back({"format_query", "GET",
                   Target("/loki/api/v1/format_query", {{"query", "{app=\"api\"}|=\"x\""}}),
                   GrafanaHeaders(), "", 200, [](const HttpReply& r, Check* c) {
                     c->Eq(r.body,
                           std::string("{\"status\":\"success\",\"data\":\"{app=\\\"api\\\"} |= "
                                       "\\\"x\\\"\"}\n"),
                           "body");
                   }});
  cases.push_back({"buildinfo", "GET", "/loki/api/v1/status/buildinfo", GrafanaHeaders(), "", 200,
                   [](const HttpReply& r, Check* c) {
                     Json j = Parse(r.body, c);
                     c->Eq(Keys(j),
                           std::vector<std::string>{"version", "revision", "branch", "buildUser",
                                                    "buildDate", "goVersion"},
                           "keys");
                   }});

  // Errors: plain text, no "timeout" (Grafana retries only on that word), 404 for no ruler.
  auto plain_error = [](std::string prefix) {
    return [prefix](const HttpReply& r, Check* c) {
      c->True(r.body.rfind(prefix, 0) == 0, "body starts with '" + prefix + "': " + r.body);
      c->True(r.body.find("timeout") == std::string::npos, "no 'timeout' in: " + r.body);
    };
  };
  cases.push_back({"parse error", "GET",
                   Target("/loki/api/v1/query_range", {{"direction", "backward"},
                                                       {"end", end},
                                                       {"limit", "1000"},
                                                       {"query", "{app=\"api\""},
                                                       {"start", start},
                                                       {"step", "1000ms"}}),
                   GrafanaHeaders(), "", 400, plain_error("parse error at line 1, col ")});
  cases.push_back({"bad limit", "GET",
                   Target("/loki/api/v1/query_range", {{"direction", "backward"},
                                                       {"end", end},
                                                       {"limit", "-5"},
                                                       {"query", "{app=\"api\"}"},
                                                       {"start", start},
                                                       {"step", "1000ms"}}),
                   GrafanaHeaders(), "", 400, plain_error("limit must be a positive value")});
  cases.push_back({"selector every matcher of which matches empty", "GET",
                   Target("/loki/api/v1/query_range", {{"direction", "backward"},
                                                       {"end", end},
                                                       {"limit", "1000"},
                                                       {"query", "{app=~\".*\"}"},
                                                       {"start", start},
                                                       {"step", "1000ms"}}),
                   GrafanaHeaders(), "", 400,
                   plain_error("parse error : queries require at least")});
  cases.push_back({"no ruler", "GET", "/prometheus/api/v1/rules", GrafanaHeaders(), "", 404,
                   plain_error("404 page not found")});

  return cases;
}

TEST_F(ReplayTest, EveryGrafanaRequestIsAnsweredAsLokiAnswersIt) {
  std::vector<Case> cases = Cases();
  size_t passed = 0;
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name + ": " + c.target);
    Check check;
    auto r = client_->Send(c.method, c.target, c.body,
                           c.method == "POST"
                               ? [&] {
                                   HttpClient::Headers h = c.headers;
                                   h.push_back({"Content-Type", "application/x-www-form-urlencoded"});
                                   return h;
                                 }()
                               : c.headers);
    if (!r.ok()) {
      check.errors.push_back("request failed: " + r.status().ToString());
    } else {
      check.Eq(r->status, c.status, "HTTP status (body: " + r->body.substr(0, 300) + ")");
      if (r->status == c.status && c.check) c.check(*r, &check);
    }
    for (const std::string& e : check.errors) ADD_FAILURE() << e;
    if (check.errors.empty()) ++passed;
  }
  const std::vector<WebSocketCase> tail_cases = TailCases(port_);
  for (const WebSocketCase& c : tail_cases) {
    SCOPED_TRACE(c.name + ": " + c.target);
    Check check;
    c.run(&check);
    for (const std::string& e : check.errors) ADD_FAILURE() << e;
    if (check.errors.empty()) ++passed;
  }
  const size_t total = cases.size() + tail_cases.size();
  std::cout << "replay suite: " << passed << "/" << total << std::endl;
  EXPECT_EQ(passed, total);
}

}  // namespace
}  // namespace sawmill::integration
