// End to end: the real sawcli binary against the real sawmill server (fresh data directory,
// free port). Every subcommand that our server answers, in every output mode; --batch paging
// past the server's per-request limit with many entries sharing timestamps at the batch
// boundaries; push from stdin and files; failures exit 1 with the server's own message;
// index stats, volume and volume_range; fmt (local and --server); --stats; the live tail
// over the WebSocket (ended by SIGINT/SIGTERM); HTTPS with the server's TLS; colours and the
// progress line on a terminal (a pseudo-terminal) and not when piped.
#include <signal.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/http_client.h"
#include "tests/integration/server_process.h"
#include "tests/integration/temp_dir.h"
#include "tests/tools/sawcli_runner.h"
#include "tools/sawcli/index_commands.h"
#include "tools/sawcli/time_text.h"

namespace sawmill::sawcli_test {
namespace {

using integration::ServerProcess;
using integration::TempDir;
using sawcli::FormatRfc3339;
using sawcli::FormatRfc3339Nano;
using sawcli::TimeZone;

constexpr int64_t kSecond = 1'000'000'000;

// The server binary: this build's, or SAWCLI_TEST_SAWMILL when set (to try sawcli against
// another build or version of the server).
std::string SawmillBinary() {
  const char* other = std::getenv("SAWCLI_TEST_SAWMILL");
  return other != nullptr && *other != '\0' ? other : SAW_SAWMILL_BINARY;
}

class SawcliTest : public ::testing::Test {
 protected:
  void Start(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"-server.http-listen-port=0", "-storage.path=" + dir_.path()};
    args.insert(args.end(), extra.begin(), extra.end());
    auto server = ServerProcess::Start(SawmillBinary(), args);
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(server).value();
    Result<uint16_t> port = server_->WaitUntilStarted();
    ASSERT_TRUE(port.ok()) << port.status().ToString() << server_->Output();
    addr_ = "http://127.0.0.1:" + std::to_string(*port);
  }

  RunResult Run(std::vector<std::string> args, const std::string& stdin_text = "") {
    args.insert(args.begin(), "--addr=" + addr_);
    return RunSawcli(args, {}, stdin_text);
  }

  std::string WriteFile(const std::string& name, const std::string& content) {
    const std::string path = dir_.path() + "/" + name;
    std::ofstream(path, std::ios::binary) << content;
    return path;
  }

  TempDir dir_;
  TempDir files_;
  std::unique_ptr<ServerProcess> server_;
  std::string addr_;
};

// Now - 30 minutes, on a whole second, so RFC3339 output is exact.
int64_t BaseTime() { return (sawcli::NowUnixNs() / kSecond - 1800) * kSecond; }

// Starts sawcli without waiting for it (for --tail): its stdout and stderr are collected
// together, as for the server.
std::unique_ptr<ServerProcess> StartSawcli(const std::vector<std::string>& args) {
  auto p = ServerProcess::Start(SAW_SAWCLI_BINARY, args);
  EXPECT_TRUE(p.ok()) << p.status().ToString();
  return p.ok() ? std::move(p).value() : nullptr;
}

// The value printed after `key` on its --stats line ("Key \t\t value").
std::string StatsValue(const std::string& err, const std::string& key) {
  for (const std::string& line : Lines(err)) {
    if (line.rfind(key + " ", 0) != 0) continue;
    const size_t tabs_end = line.find_first_not_of('\t', key.size() + 1);
    return tabs_end == std::string::npos ? "" : line.substr(tabs_end + 1);
  }
  return "<no " + key + " line>";
}

// Writes cert.pem and key.pem (CN and IP SAN 127.0.0.1, self-signed) into `dir`, as
// tests/integration/tls_test.cc does.
bool MakeCertificate(const std::string& dir) {
  const std::string command =
      "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 "
      "-addext subjectAltName=IP:127.0.0.1 -keyout '" +
      dir + "/key.pem' -out '" + dir + "/cert.pem' >/dev/null 2>&1";
  return std::system(command.c_str()) == 0;
}

std::string Utc(int64_t ns) { return FormatRfc3339(ns, TimeZone::kUtc); }

TEST_F(SawcliTest, PushesFromStdinAndFilesAndQueriesInEveryOutputMode) {
  ASSERT_NO_FATAL_FAILURE(Start());
  const int64_t t0 = BaseTime();
  // Stream a from stdin, RFC3339 timestamps in the lines.
  const std::string a1 = Utc(t0 + 1 * kSecond) + " GET /index  ";
  const std::string a2 = Utc(t0 + 3 * kSecond) + " <b>&\"quoted\"";
  RunResult push_a = Run({"push", "--labels={job=\"a\", env=\"x\"}", "--timestamp-format=rfc3339"},
                         a1 + "\n" + a2 + "\n");
  ASSERT_EQ(push_a.exit_code, 0) << push_a.err;
  EXPECT_NE(push_a.err.find("pushed 2 lines"), std::string::npos) << push_a.err;
  // Stream bb from a file, Unix milliseconds.
  const std::string b1 = std::to_string((t0 + 2 * kSecond) / 1'000'000) + " b-one";
  const std::string file = WriteFile("b.log", b1 + "\r\n");
  RunResult push_b = Run(
      {"push", "--labels", "{job=\"bb\",env=\"x\"}", "--timestamp-format", "unix_ms", "-q", file});
  ASSERT_EQ(push_b.exit_code, 0) << push_b.err;
  EXPECT_EQ(push_b.err, "");

  const std::vector<std::string> window = {"--from=" + Utc(t0), "--to=" + Utc(t0 + 10 * kSecond),
                                           "-z", "UTC"};
  auto query = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = {"query", "{env=\"x\"}"};
    args.insert(args.end(), window.begin(), window.end());
    args.insert(args.end(), extra.begin(), extra.end());
    return Run(args);
  };

  // Default: timestamp, the labels that differ (padded to the widest), the trimmed line.
  RunResult def = query({"--forward", "-q"});
  ASSERT_EQ(def.exit_code, 0) << def.err;
  EXPECT_EQ(def.err, "");
  EXPECT_EQ(def.out, Utc(t0 + 1 * kSecond) + " {job=\"a\"}  " + Utc(t0 + 1 * kSecond) +
                         " GET /index\n" + Utc(t0 + 2 * kSecond) + " {job=\"bb\"} " + b1 + "\n" +
                         Utc(t0 + 3 * kSecond) + " {job=\"a\"}  " + a2 + "\n");

  // Backward is the default direction; without -q the URL and common labels go to stderr.
  RunResult back = query({});
  ASSERT_EQ(back.exit_code, 0) << back.err;
  std::vector<std::string> lines = Lines(back.out);
  ASSERT_EQ(lines.size(), 3u) << back.out;
  EXPECT_EQ(lines[0].substr(0, 20), Utc(t0 + 3 * kSecond));
  EXPECT_EQ(lines[2].substr(0, 20), Utc(t0 + 1 * kSecond));
  EXPECT_NE(back.err.find("Common labels: {env=\"x\"}"), std::string::npos) << back.err;
  EXPECT_NE(back.err.find(addr_ + "/loki/api/v1/query_range?direction=BACKWARD&end="),
            std::string::npos)
      << back.err;

  RunResult raw = query({"--forward", "-q", "-o", "raw"});
  ASSERT_EQ(raw.exit_code, 0) << raw.err;
  EXPECT_EQ(raw.out, a1 + "\n" + b1 + "\n" + a2 + "\n");

  RunResult jsonl = query({"--forward", "-q", "--output=jsonl", "--limit=2"});
  ASSERT_EQ(jsonl.exit_code, 0) << jsonl.err;
  EXPECT_EQ(jsonl.out, "{\"labels\":{\"job\":\"a\"},\"line\":\"" + a1 + "\",\"timestamp\":\"" +
                           FormatRfc3339Nano(t0 + kSecond, TimeZone::kUtc) + "\"}\n" +
                           "{\"labels\":{\"job\":\"bb\"},\"line\":\"" + b1 + "\",\"timestamp\":\"" +
                           Utc(t0 + 2 * kSecond) + "\"}\n");
  RunResult jsonl_escaped = query({"-q", "-o", "jsonl", "--limit=1", "--no-labels"});
  ASSERT_EQ(jsonl_escaped.exit_code, 0) << jsonl_escaped.err;
  EXPECT_EQ(jsonl_escaped.out, "{\"line\":\"" + Utc(t0 + 3 * kSecond) +
                                   " \\u003cb\\u003e\\u0026\\\"quoted\\\"\",\"timestamp\":\"" +
                                   Utc(t0 + 3 * kSecond) + "\"}\n");

  RunResult no_labels = query({"--forward", "-q", "--no-labels", "--limit=1"});
  EXPECT_EQ(no_labels.out, Utc(t0 + kSecond) + " " + Utc(t0 + kSecond) + " GET /index\n");
  RunResult exclude = query({"--forward", "-q", "--exclude-label=job", "--limit=1"});
  EXPECT_EQ(exclude.out, Utc(t0 + kSecond) + " {} " + Utc(t0 + kSecond) + " GET /index\n");
  RunResult include = query({"--forward", "-q", "--include-label=env", "--limit=1"});
  EXPECT_EQ(include.out, Utc(t0 + kSecond) + " {env=\"x\"} " + Utc(t0 + kSecond) + " GET /index\n");

  // One stream: every label is common and the line shows {}.
  RunResult one = Run({"query", "{job=\"bb\"}", "-q", "-z", "UTC", "--since=2h"});
  EXPECT_EQ(one.out, Utc(t0 + 2 * kSecond) + " {} " + b1 + "\n");

  // Metric query: the matrix as indented JSON; instant query: the vector.
  RunResult metric = Run({"query", "sum by (job) (count_over_time({env=\"x\"}[1m]))", "-q",
                          "--from=" + Utc(t0), "--to=" + Utc(t0 + 60 * kSecond), "--step=60s"});
  ASSERT_EQ(metric.exit_code, 0) << metric.err;
  nlohmann::json m = nlohmann::json::parse(metric.out, nullptr, false);
  ASSERT_TRUE(m.is_array()) << metric.out;
  std::map<std::string, std::string> counts;
  for (const auto& series : m) counts[series["metric"]["job"]] = series["values"].back()[1];
  EXPECT_EQ(counts, (std::map<std::string, std::string>{{"a", "2"}, {"bb", "1"}})) << metric.out;
  EXPECT_NE(metric.out.find("\n  {\n    \"metric\": {"), std::string::npos) << metric.out;

  RunResult instant = Run({"instant-query", "sum(count_over_time({env=\"x\"}[1h]))", "-q",
                           "--now=" + Utc(t0 + 60 * kSecond)});
  ASSERT_EQ(instant.exit_code, 0) << instant.err;
  nlohmann::json v = nlohmann::json::parse(instant.out, nullptr, false);
  ASSERT_TRUE(v.is_array() && v.size() == 1) << instant.out;
  EXPECT_EQ(v[0]["value"][1], "3");
  RunResult instant_logs = Run({"instant-query", "{job=\"a\"}", "-q", "-o", "raw", "--limit=1",
                                "--now=" + Utc(t0 + 60 * kSecond)});
  // As in Loki, log queries are range queries only; the server says so.
  EXPECT_EQ(instant_logs.exit_code, 1);
  EXPECT_NE(instant_logs.err.find("log queries are not supported as an instant query type"),
            std::string::npos)
      << instant_logs.err;

  // labels, label values, series and --analyze-labels.
  RunResult labels = Run({"labels", "-q", "--since=2h"});
  EXPECT_EQ(labels.out, "env\njob\n");
  RunResult values = Run({"labels", "job", "-q", "--since=2h"});
  EXPECT_EQ(values.out, "a\nbb\n");
  RunResult series = Run({"series", "{env=\"x\"}", "-q", "--since=2h"});
  EXPECT_EQ(series.out, "{env=\"x\", job=\"a\"}\n{env=\"x\", job=\"bb\"}\n");
  RunResult analyze = Run({"series", "{env=\"x\"}", "-q", "--since=2h", "--analyze-labels"});
  EXPECT_EQ(analyze.out,
            "Total Streams:  2\nUnique Labels:  2\n\n"
            "Label Name  Unique Values  Found In Streams\n"
            "job         2              2\n"
            "env         1              2\n");
}

TEST_F(SawcliTest, FailuresExitNonZeroWithTheServersMessage) {
  ASSERT_NO_FATAL_FAILURE(Start({"-validation.max-entries-limit=100"}));
  RunResult parse = Run({"query", "{job=\"a\"", "-q"});
  EXPECT_EQ(parse.exit_code, 1);
  EXPECT_EQ(parse.out, "");
  EXPECT_NE(parse.err.find("Query failed: Error response from server: parse error at line 1"),
            std::string::npos)
      << parse.err;

  // A limit over the server's, without batching that fits, is refused by the server.
  RunResult over = Run({"query", "{job=\"a\"}", "-q", "--limit=500", "--batch=500"});
  EXPECT_EQ(over.exit_code, 1);
  EXPECT_NE(over.err.find("max entries limit"), std::string::npos) << over.err;

  RunResult bad_flag = Run({"query", "{job=\"a\"}", "--no-such-flag"});
  EXPECT_EQ(bad_flag.exit_code, 1);
  EXPECT_NE(bad_flag.err.find("unknown long flag '--no-such-flag'"), std::string::npos);

  RunResult bad_labels = Run({"push", "--labels={job=a}"}, "x\n");
  EXPECT_EQ(bad_labels.exit_code, 1);
  EXPECT_NE(bad_labels.err.find("--labels: expected a quoted value at col 6"), std::string::npos)
      << bad_labels.err;

  // A line older than the server accepts: the push is refused and says why.
  const std::string old = Utc(sawcli::NowUnixNs() - 400 * 3600 * kSecond) + " too old";
  RunResult refused =
      Run({"push", "--labels={job=\"old\"}", "--timestamp-format=rfc3339"}, old + "\n");
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("push of 1 lines refused: Error response from server:"),
            std::string::npos)
      << refused.err;
  EXPECT_NE(refused.err.find("the server refused 1 of 1 lines"), std::string::npos) << refused.err;

  RunResult unreachable = RunSawcli({"--addr=http://127.0.0.1:1", "--retries=0", "labels", "-q"});
  EXPECT_EQ(unreachable.exit_code, 1);
  EXPECT_NE(unreachable.err.find("connecting to 127.0.0.1:1"), std::string::npos)
      << unreachable.err;
}

// 1,000 entries in 3 streams, 7 entries per timestamp (spread over the streams, two in the
// same stream), read back 100 at a time: every batch boundary falls inside a group of equal
// timestamps somewhere.
TEST_F(SawcliTest, BatchPagesPastTheServerLimitPrintingEveryLineOnce) {
  ASSERT_NO_FATAL_FAILURE(Start({"-validation.max-entries-limit=100"}));
  const int64_t t0 = BaseTime();
  constexpr int kEntries = 1000;
  std::string streams[3];
  std::map<std::string, int64_t> ts_of;
  for (int i = 0; i < kEntries; ++i) {
    const int64_t ts = t0 + (i / 7) * 1'000'000;
    const std::string line = "entry " + std::to_string(i);
    streams[i % 3] += std::to_string(ts) + " " + line + "\n";
    ts_of[std::to_string(ts) + " " + line] = ts;
  }
  for (int s = 0; s < 3; ++s) {
    RunResult push = Run({"push", "--labels={job=\"s" + std::to_string(s) + "\"}",
                          "--timestamp-format=unix_ns", "--batch-size=4000", "-q"},
                         streams[s]);
    ASSERT_EQ(push.exit_code, 0) << push.err;
  }
  const std::vector<std::string> window = {"--from=" + Utc(t0), "--to=" + Utc(t0 + 60 * kSecond)};
  for (bool forward : {false, true}) {
    SCOPED_TRACE(forward ? "forward" : "backward");
    std::vector<std::string> args = {"query", "{job=~\"s.*\"}", "-q",         "-o",
                                     "raw",   "--limit=100000", "--batch=100"};
    args.insert(args.end(), window.begin(), window.end());
    if (forward) args.push_back("--forward");
    RunResult r = Run(args);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    std::vector<std::string> lines = Lines(r.out);
    std::set<std::string> unique(lines.begin(), lines.end());
    EXPECT_EQ(lines.size(), static_cast<size_t>(kEntries));
    EXPECT_EQ(unique.size(), static_cast<size_t>(kEntries));
    for (const auto& [line, ts] : ts_of) EXPECT_TRUE(unique.count(line)) << line;
    // In the query's direction.
    for (size_t i = 1; i < lines.size(); ++i) {
      const int64_t prev = ts_of[lines[i - 1]], cur = ts_of[lines[i]];
      EXPECT_TRUE(forward ? prev <= cur : prev >= cur) << lines[i - 1] << " then " << lines[i];
    }
  }

  // A limit that is not a multiple of the batch: exactly the 250 newest (ties at the cut aside).
  std::vector<std::string> args = {"query", "{job=~\"s.*\"}", "-q",         "-o",
                                   "raw",   "--limit=250",    "--batch=100"};
  args.insert(args.end(), window.begin(), window.end());
  RunResult limited = Run(args);
  ASSERT_EQ(limited.exit_code, 0) << limited.err;
  std::vector<std::string> lines = Lines(limited.out);
  EXPECT_EQ(lines.size(), 250u);
  EXPECT_EQ(std::set<std::string>(lines.begin(), lines.end()).size(), 250u);
  std::vector<int64_t> all;
  for (const auto& [line, ts] : ts_of) all.push_back(ts);
  std::sort(all.rbegin(), all.rend());
  for (const std::string& line : lines) EXPECT_GE(ts_of[line], all[249]) << line;

  // More entries share one timestamp than a batch holds: refused rather than looping.
  std::vector<std::string> tiny = {"query", "{job=~\"s.*\"}", "-q",       "-o",
                                   "raw",   "--limit=100",    "--batch=5"};
  tiny.insert(tiny.end(), window.begin(), window.end());
  RunResult small = Run(tiny);
  EXPECT_EQ(small.exit_code, 1);
  EXPECT_NE(small.err.find("Invalid batch size 5"), std::string::npos) << small.err;
}

// The server's credentials and tenants (auth.* flags): sawcli's basic auth, bearer token (flag,
// file, environment) and X-Scope-OrgID are what the server checks.
TEST_F(SawcliTest, AuthenticatesWithBasicAuthBearerTokensAndTenants) {
  const std::string basic = WriteFile("basic", "alice:s3cret\n");
  const std::string tokens = WriteFile("tokens", "tok-123\n");
  const std::string token_file = WriteFile("my-token", "tok-123\n");
  ASSERT_NO_FATAL_FAILURE(Start({"-auth.enabled=true", "-auth.basic-auth-file=" + basic,
                                 "-auth.bearer-token-file=" + tokens}));
  const int64_t t0 = BaseTime();
  const std::string line = Utc(t0) + " hello";
  RunResult push = Run({"push", "-q", "--org-id=team-a", "--username=alice", "--password=s3cret",
                        "--labels={job=\"a\"}", "--timestamp-format=rfc3339"},
                       line + "\n");
  ASSERT_EQ(push.exit_code, 0) << push.err;

  RunResult none = Run({"labels", "-q", "--org-id=team-a", "--retries=0"});
  EXPECT_EQ(none.exit_code, 1);
  EXPECT_NE(none.err.find("Error response from server: Unauthorized (status 401)"),
            std::string::npos)
      << none.err;
  RunResult wrong = Run({"labels", "-q", "--org-id=team-a", "--username=alice", "--password=x"});
  EXPECT_EQ(wrong.exit_code, 1);
  RunResult no_tenant = Run({"labels", "-q", "--bearer-token=tok-123"});
  EXPECT_EQ(no_tenant.exit_code, 1);
  EXPECT_NE(no_tenant.err.find("no org id"), std::string::npos) << no_tenant.err;

  RunResult by_basic = Run(
      {"labels", "-q", "--org-id=team-a", "--username=alice", "--password=s3cret", "--since=2h"});
  EXPECT_EQ(by_basic.exit_code, 0) << by_basic.err;
  EXPECT_EQ(by_basic.out, "job\n");
  RunResult by_file = Run({"query", "{job=\"a\"}", "-q", "-o", "raw", "--org-id=team-a",
                           "--bearer-token-file=" + token_file, "--since=2h"});
  EXPECT_EQ(by_file.exit_code, 0) << by_file.err;
  EXPECT_EQ(by_file.out, line + "\n");
  RunResult by_env = RunSawcli(
      {"query", "{job=\"a\"}", "-q", "-o", "raw", "--since=2h"},
      {{"LOKI_ADDR", addr_}, {"LOKI_BEARER_TOKEN", "tok-123"}, {"LOKI_ORG_ID", "team-a"}});
  EXPECT_EQ(by_env.exit_code, 0) << by_env.err;
  EXPECT_EQ(by_env.out, line + "\n");
  // Another tenant sees nothing.
  RunResult other = Run({"query", "{job=\"a\"}", "-q", "-o", "raw", "--org-id=team-b",
                         "--bearer-token=tok-123", "--since=2h"});
  EXPECT_EQ(other.exit_code, 0) << other.err;
  EXPECT_EQ(other.out, "");
}

// Loki's deletion API on our server: create hides the lines at once, list shows the request,
// cancel removes it.
TEST_F(SawcliTest, DeleteCreateListCancel) {
  ASSERT_NO_FATAL_FAILURE(Start());
  const int64_t t0 = BaseTime();
  const std::string keep = Utc(t0 + kSecond) + " keep me";
  const std::string drop = Utc(t0 + 2 * kSecond) + " secret token";
  RunResult push = Run({"push", "-q", "--labels={job=\"a\"}", "--timestamp-format=rfc3339"},
                       keep + "\n" + drop + "\n");
  ASSERT_EQ(push.exit_code, 0) << push.err;
  const std::vector<std::string> window = {"--from=" + Utc(t0), "--to=" + Utc(t0 + 10 * kSecond)};

  std::vector<std::string> create = {"delete", "create", "--query={job=\"a\"} |= \"secret\""};
  create.insert(create.end(), window.begin(), window.end());
  RunResult created = Run(create);
  ASSERT_EQ(created.exit_code, 0) << created.err;
  EXPECT_EQ(created.out, "Delete request created successfully\n");

  RunResult list = Run({"delete", "list", "-q", "-z", "UTC"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_NE(list.out.find("Query: {job=\"a\"} |= \"secret\"\nStart Time: " + Utc(t0) +
                          "\nEnd Time: " + Utc(t0 + 10 * kSecond) + "\nStatus: received\n---\n"),
            std::string::npos)
      << list.out;

  std::vector<std::string> query = {"query", "{job=\"a\"}", "-q", "-o", "raw"};
  query.insert(query.end(), window.begin(), window.end());
  RunResult hidden = Run(query);
  ASSERT_EQ(hidden.exit_code, 0) << hidden.err;
  EXPECT_EQ(hidden.out, keep + "\n");

  RunResult json = Run({"delete", "list", "--json"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  nlohmann::json requests = nlohmann::json::parse(json.out, nullptr, false);
  ASSERT_TRUE(requests.is_array() && requests.size() == 1) << json.out;
  const std::string id = requests[0]["request_id"];
  RunResult cancel = Run({"delete", "cancel", id});
  ASSERT_EQ(cancel.exit_code, 0) << cancel.err;
  EXPECT_EQ(cancel.out, "Delete request " + id + " cancelled successfully\n");
  RunResult again = Run({"delete", "cancel", "--request-id=" + id});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.err.find("Error response from server:"), std::string::npos) << again.err;
  RunResult back = Run(query);
  EXPECT_EQ(back.out, drop + "\n" + keep + "\n");
}

// Index stats, volume and volume_range answered by our server, printed as logcli prints
// them; the sizes are the pushed lines' bytes.
TEST_F(SawcliTest, IndexStatsAndVolumes) {
  ASSERT_NO_FATAL_FAILURE(Start());
  const int64_t t0 = BaseTime();
  std::string a_lines, b_lines;
  uint64_t a_bytes = 0, b_bytes = 0;
  for (int i = 0; i < 3; ++i) {
    const std::string line =
        Utc(t0 + (i * 12 + 1) * kSecond) + " a line number " + std::to_string(i);
    a_lines += line + "\n";
    a_bytes += line.size();
  }
  for (int i = 0; i < 2; ++i) {
    const std::string line = Utc(t0 + (i + 40) * kSecond) + " bb-" + std::to_string(i);
    b_lines += line + "\n";
    b_bytes += line.size();
  }
  ASSERT_EQ(
      Run({"push", "-q", "--labels={job=\"a\",env=\"x\"}", "--timestamp-format=rfc3339"}, a_lines)
          .exit_code,
      0);
  ASSERT_EQ(
      Run({"push", "-q", "--labels={job=\"bb\",env=\"x\"}", "--timestamp-format=rfc3339"}, b_lines)
          .exit_code,
      0);

  RunResult all = Run({"stats", "{env=\"x\"}", "-q", "--since=2h"});
  ASSERT_EQ(all.exit_code, 0) << all.err;
  EXPECT_EQ(all.out, "{\n  bytes: " + sawcli::HumanBytes(a_bytes + b_bytes) +
                         "\n  chunks: 2\n  streams: 2\n  entries: 5\n}\n");
  RunResult one =
      Run({"stats", "{job=\"a\"}", "-q", "--from=" + Utc(t0), "--to=" + Utc(t0 + 60 * kSecond)});
  ASSERT_EQ(one.exit_code, 0) << one.err;
  EXPECT_EQ(one.out, "{\n  bytes: " + sawcli::HumanBytes(a_bytes) +
                         "\n  chunks: 1\n  streams: 1\n  entries: 3\n}\n");

  // volume: by the selector's labels, or by --targetLabels.
  RunResult volume = Run({"volume", "{env=\"x\"}", "-q", "--since=2h"});
  ASSERT_EQ(volume.exit_code, 0) << volume.err;
  nlohmann::json v = nlohmann::json::parse(volume.out, nullptr, false);
  ASSERT_TRUE(v.is_array() && v.size() == 1) << volume.out;
  EXPECT_EQ(v[0]["metric"], nlohmann::json({{"env", "x"}})) << volume.out;
  EXPECT_EQ(v[0]["value"][1], std::to_string(a_bytes + b_bytes)) << volume.out;
  RunResult by_job = Run({"volume", "{env=\"x\"}", "-q", "--since=2h", "--targetLabels=job"});
  ASSERT_EQ(by_job.exit_code, 0) << by_job.err;
  nlohmann::json j = nlohmann::json::parse(by_job.out, nullptr, false);
  ASSERT_TRUE(j.is_array()) << by_job.out;
  std::map<std::string, std::string> per_job;
  for (const auto& e : j) per_job[e["metric"]["job"]] = e["value"][1];
  EXPECT_EQ(per_job, (std::map<std::string, std::string>{{"a", std::to_string(a_bytes)},
                                                         {"bb", std::to_string(b_bytes)}}))
      << by_job.out;

  // volume_range: a matrix (stream a's lines fall in three 10 s steps) whose steps add up to
  // the same bytes.
  RunResult range = Run({"volume_range", "{env=\"x\"}", "-q", "--from=" + Utc(t0),
                         "--to=" + Utc(t0 + 60 * kSecond), "--step=10s", "--targetLabels=job"});
  ASSERT_EQ(range.exit_code, 0) << range.err;
  nlohmann::json m = nlohmann::json::parse(range.out, nullptr, false);
  ASSERT_TRUE(m.is_array() && m.size() == 2) << range.out;
  std::map<std::string, uint64_t> sums;
  for (const auto& series : m) {
    ASSERT_TRUE(series["values"].is_array()) << range.out;
    for (const auto& point : series["values"]) {
      sums[series["metric"]["job"]] += std::stoull(point[1].get<std::string>());
    }
  }
  EXPECT_EQ(sums, (std::map<std::string, uint64_t>{{"a", a_bytes}, {"bb", b_bytes}})) << range.out;
}

// fmt formats locally with Loki's Prettify rules (no server needed); --server asks the
// server's format_query, which uses the same rules; --stats prints logcli's keys with the
// query's real figures.
TEST_F(SawcliTest, FormatsQueriesAndPrintsQueryStats) {
  const std::string query =
      "sum by (pod) (rate({namespace=\"checkout\", container=\"payments-api\"} |= \"error\" "
      "| json | level=\"error\" [5m]))";
  // The aggregation is over 100 characters, its argument is not: Loki's rules put the
  // argument, in its one-line form, on its own line.
  const std::string pretty =
      "sum by (pod)(\n"
      "  rate({namespace=\"checkout\", container=\"payments-api\"} |= \"error\" | json | "
      "level=\"error\"[5m])\n"
      ")\n";
  RunResult local = RunSawcli({"--addr=http://127.0.0.1:1", "fmt"}, {}, query);
  ASSERT_EQ(local.exit_code, 0) << local.err;
  EXPECT_EQ(local.out, pretty);
  RunResult arg = RunSawcli({"fmt", "{app=\"a\"}|=\"x\""});
  EXPECT_EQ(arg.out, "{app=\"a\"} |= \"x\"\n");
  RunResult bad = RunSawcli({"fmt"}, {}, "{app=\"a\"");
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("unable to format logql: failed to parse the query: parse error at "
                         "line 1, col 9"),
            std::string::npos)
      << bad.err;

  ASSERT_NO_FATAL_FAILURE(Start());
  RunResult server = Run({"fmt", "--server", "-q"}, query);
  ASSERT_EQ(server.exit_code, 0) << server.err;
  EXPECT_EQ(server.out, pretty);
  RunResult server_bad = Run({"fmt", "--server", "-q"}, "{app=\"a\"");
  EXPECT_EQ(server_bad.exit_code, 1);
  EXPECT_NE(server_bad.err.find("parse error at line 1, col 9"), std::string::npos)
      << server_bad.err;

  const int64_t t0 = BaseTime();
  std::string lines;
  uint64_t bytes = 0;
  for (int i = 0; i < 5; ++i) {
    const std::string line = Utc(t0 + (i + 1) * kSecond) + " stats line " + std::to_string(i);
    lines += line + "\n";
    bytes += line.size();
  }
  ASSERT_EQ(
      Run({"push", "-q", "--labels={job=\"s\"}", "--timestamp-format=rfc3339"}, lines).exit_code,
      0);
  RunResult stats = Run({"query", "{job=\"s\"}", "-q", "-o", "raw", "--stats", "--since=2h"});
  ASSERT_EQ(stats.exit_code, 0) << stats.err;
  const std::vector<std::string> pushed = Lines(lines);
  EXPECT_EQ(Lines(stats.out), std::vector<std::string>(pushed.rbegin(), pushed.rend()));
  const std::vector<std::string> err = Lines(stats.err);
  ASSERT_EQ(err.size(), 86u) << stats.err;
  EXPECT_EQ(err[0].rfind("Ingester.TotalReached \t", 0), 0u) << stats.err;
  EXPECT_EQ(err[85].rfind("Summary.QueueTime \t", 0), 0u) << stats.err;
  EXPECT_EQ(StatsValue(stats.err, "Summary.TotalLinesProcessed"), "5") << stats.err;
  ASSERT_LT(bytes, 1000u);  // go-humanize prints "<n> B" below 1 kB
  EXPECT_EQ(StatsValue(stats.err, "Summary.TotalBytesProcessed"), std::to_string(bytes) + " B")
      << stats.err;
  EXPECT_EQ(StatsValue(stats.err, "Querier.DecompressedLines"), "5") << stats.err;
  EXPECT_EQ(stats.err.find('\x1b'), std::string::npos) << "colours without a terminal";
}

// query --tail: the newest --limit lines since --since first, then lines pushed while it
// runs (after --delay-for); SIGINT and SIGTERM end it with exit code 0.
TEST_F(SawcliTest, TailsLiveAndStopsCleanlyOnInterrupt) {
  ASSERT_NO_FATAL_FAILURE(Start());
  const int64_t t0 = BaseTime();
  std::string old;
  for (int i = 1; i <= 3; ++i) old += Utc(t0 + i * kSecond) + " old-" + std::to_string(i) + "\n";
  ASSERT_EQ(
      Run({"push", "-q", "--labels={job=\"t\"}", "--timestamp-format=rfc3339"}, old).exit_code, 0);

  auto tail = StartSawcli({"--addr=" + addr_, "query", "{job=\"t\"} |= \"-\"", "--tail",
                           "--delay-for=1s", "--limit=2", "--since=1h", "-o", "raw", "-q"});
  ASSERT_NE(tail, nullptr);
  ASSERT_TRUE(tail->WaitForOutput(" old-3\n")) << tail->Output();
  RunResult live = Run({"push", "-q", "--labels={job=\"t\"}"}, "live-1\nnot matching\n");
  ASSERT_EQ(live.exit_code, 0) << live.err;
  ASSERT_TRUE(tail->WaitForOutput("live-1\n")) << tail->Output();
  tail->Signal(SIGINT);
  EXPECT_EQ(tail->Wait(), 0) << tail->Output();
  EXPECT_EQ(tail->Output(),
            Utc(t0 + 2 * kSecond) + " old-2\n" + Utc(t0 + 3 * kSecond) + " old-3\nlive-1\n");

  // -f (another stream, default output without labels): what is pushed now; SIGTERM. The
  // push waits until the server counts the tail open (sawmill_querier_tail_active 1): a push
  // racing the tail's start can show up both in its history and live.
  auto follow = StartSawcli({"--addr=" + addr_, "query", "{job=\"t2\"}", "-f", "--since=1m", "-q",
                             "-z", "UTC", "--no-labels"});
  ASSERT_NE(follow, nullptr);
  integration::HttpClient http(
      "127.0.0.1", static_cast<uint16_t>(std::stoi(addr_.substr(addr_.rfind(':') + 1))));
  bool open = false;
  for (int i = 0; i < 600 && !open; ++i) {
    Result<integration::HttpReply> metrics = http.Get("/metrics");
    open =
        metrics.ok() && metrics->body.find("\nsawmill_querier_tail_active 1") != std::string::npos;
    if (!open) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_TRUE(open) << follow->Output();
  ASSERT_EQ(Run({"push", "-q", "--labels={job=\"t2\"}"}, "live-2\n").exit_code, 0);
  ASSERT_TRUE(follow->WaitForOutput(" live-2\n")) << follow->Output();
  follow->Signal(SIGTERM);
  EXPECT_EQ(follow->Wait(), 0) << follow->Output();
  const std::vector<std::string> shown = Lines(follow->Output());
  ASSERT_EQ(shown.size(), 1u) << follow->Output();
  EXPECT_EQ(shown[0].substr(20), " live-2");  // after the RFC3339 timestamp

  // A query the server refuses: exit 1 with its message, before any WebSocket.
  RunResult bad = Run({"query", "{job=\"t\"", "--tail", "-q"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("parse error at line 1"), std::string::npos) << bad.err;
}

// HTTPS against the server's TLS listener: --ca-cert trusted, another CA refused with a
// clear message and no retries, --tls-skip-verify, a client certificate and key loaded (the
// server does not ask for one) or refused when unreadable; the tail over wss:// too.
TEST_F(SawcliTest, SpeaksTlsToTheServer) {
  TempDir certs, other, client;
  ASSERT_TRUE(MakeCertificate(certs.path())) << "openssl req failed";
  ASSERT_TRUE(MakeCertificate(other.path()));
  ASSERT_TRUE(MakeCertificate(client.path()));
  ASSERT_NO_FATAL_FAILURE(Start({"-server.http-tls-cert-path=" + certs.path() + "/cert.pem",
                                 "-server.http-tls-key-path=" + certs.path() + "/key.pem"}));
  addr_.replace(0, 4, "https");
  const std::string ca = "--ca-cert=" + certs.path() + "/cert.pem";
  const std::string line = Utc(BaseTime()) + " over tls";
  RunResult push =
      Run({"push", "-q", ca, "--labels={job=\"tls\"}", "--timestamp-format=rfc3339"}, line + "\n");
  ASSERT_EQ(push.exit_code, 0) << push.err;
  RunResult query = Run({"query", "{job=\"tls\"}", "-q", ca, "-o", "raw", "--since=2h"});
  ASSERT_EQ(query.exit_code, 0) << query.err;
  EXPECT_EQ(query.out, line + "\n");

  for (const std::vector<std::string>& trust :
       {std::vector<std::string>{"--ca-cert=" + other.path() + "/cert.pem"},
        std::vector<std::string>{}}) {
    std::vector<std::string> args = {"labels", "-q", "--min-backoff=2s"};
    args.insert(args.end(), trust.begin(), trust.end());
    RunResult refused = Run(args);
    EXPECT_EQ(refused.exit_code, 1);
    EXPECT_NE(refused.err.find("error sending request: TLS handshake with 127.0.0.1:"),
              std::string::npos)
        << refused.err;
    EXPECT_NE(refused.err.find("certificate verify failed"), std::string::npos) << refused.err;
    EXPECT_NE(refused.err.find("--tls-skip-verify"), std::string::npos) << refused.err;
  }
  RunResult skip = Run({"labels", "-q", "--tls-skip-verify", "--since=2h"});
  ASSERT_EQ(skip.exit_code, 0) << skip.err;
  EXPECT_EQ(skip.out, "job\n");

  RunResult with_cert =
      Run({"labels", "-q", ca, "--since=2h", "--cert=" + client.path() + "/cert.pem",
           "--key=" + client.path() + "/key.pem"});
  ASSERT_EQ(with_cert.exit_code, 0) << with_cert.err;
  EXPECT_EQ(with_cert.out, "job\n");
  RunResult bad_key = Run({"labels", "-q", ca, "--cert=" + client.path() + "/cert.pem",
                           "--key=" + client.path() + "/missing.pem"});
  EXPECT_EQ(bad_key.exit_code, 1);
  EXPECT_NE(bad_key.err.find("--key " + client.path() + "/missing.pem: "), std::string::npos)
      << bad_key.err;
  RunResult wrong_key = Run({"labels", "-q", ca, "--cert=" + client.path() + "/cert.pem",
                             "--key=" + other.path() + "/key.pem"});
  EXPECT_EQ(wrong_key.exit_code, 1);
  EXPECT_NE(wrong_key.err.find("--key " + other.path() + "/key.pem: "), std::string::npos)
      << wrong_key.err;

  auto tail = StartSawcli(
      {"--addr=" + addr_, ca, "query", "{job=\"tls\"}", "--tail", "--since=1h", "-o", "raw", "-q"});
  ASSERT_NE(tail, nullptr);
  ASSERT_TRUE(tail->WaitForOutput(" over tls\n")) << tail->Output();
  tail->Signal(SIGINT);
  EXPECT_EQ(tail->Wait(), 0) << tail->Output();
  EXPECT_EQ(tail->Output(), line + "\n");
}

// On a terminal: colours on stdout (and on the --stats keys), the progress line of a batched
// download on stderr. Piped, or with NO_COLOR, or with -q: none of them.
TEST_F(SawcliTest, ColoursAndProgressOnlyOnATerminal) {
  ASSERT_NO_FATAL_FAILURE(Start());
  const int64_t t0 = BaseTime();
  std::string lines;
  for (int i = 0; i < 30; ++i)
    lines += Utc(t0 + (i + 1) * kSecond) + " p" + std::to_string(i) + "\n";
  ASSERT_EQ(
      Run({"push", "-q", "--labels={job=\"p\"}", "--timestamp-format=rfc3339"}, lines).exit_code,
      0);
  ASSERT_EQ(Run({"push", "-q", "--labels={job=\"q\"}", "--timestamp-format=rfc3339"},
                Utc(t0 + 31 * kSecond) + " q0\n")
                .exit_code,
            0);
  const std::vector<std::string> query = {
      "--addr=" + addr_, "query", "{job=~\"p|q\"}", "--since=2h", "--limit=3", "-z", "UTC"};
  auto with = [&query](std::vector<std::string> extra) {
    std::vector<std::string> args = query;
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  };
  // The default output of the newest 3 lines: blue timestamp, red labels, on a terminal.
  RunResult tty = RunSawcliOnTerminal(with({"-q"}), true, false);
  ASSERT_EQ(tty.exit_code, 0) << tty.err;
  EXPECT_EQ(Lines(tty.out).size(), 3u) << tty.out;
  EXPECT_EQ(tty.out.rfind("\x1b[34m" + Utc(t0 + 31 * kSecond) + "\x1b[0m \x1b[31m{job=\"q\"}", 0),
            0u)
      << tty.out;
  EXPECT_NE(tty.out.find("\x1b[31m{job=\"p\"}\x1b[0m " + Utc(t0 + 30 * kSecond) + " p29\n"),
            std::string::npos)
      << tty.out;
  RunResult piped = RunSawcli(with({"-q"}));
  ASSERT_EQ(piped.exit_code, 0) << piped.err;
  EXPECT_EQ(piped.out.find('\x1b'), std::string::npos) << piped.out;
  EXPECT_EQ(piped.out.rfind(Utc(t0 + 31 * kSecond) + " {job=\"q\"} ", 0), 0u) << piped.out;
  RunResult no_color = RunSawcliOnTerminal(with({"-q"}), true, false, {{"NO_COLOR", "1"}});
  EXPECT_EQ(no_color.out, piped.out);
  // --stats keys are blue when stdout is a terminal (logcli's colour test is on stdout).
  RunResult stats = RunSawcliOnTerminal(with({"-q", "--stats"}), true, false);
  EXPECT_NE(stats.err.find("\x1b[34mSummary.TotalLinesProcessed\x1b[0m \t"), std::string::npos)
      << stats.err;

  // --batch 10 over 31 lines: "\r<n> lines, at <time>" on a terminal's stderr only.
  const std::vector<std::string> batched = {"--addr=" + addr_,
                                            "query",
                                            "{job=~\"p|q\"}",
                                            "--since=2h",
                                            "--limit=31",
                                            "--batch=10",
                                            "-o",
                                            "raw",
                                            "-z",
                                            "UTC"};
  RunResult progress = RunSawcliOnTerminal(batched, false, true);
  ASSERT_EQ(progress.exit_code, 0) << progress.err;
  EXPECT_EQ(Lines(progress.out).size(), 31u);
  EXPECT_TRUE(std::regex_search(
      progress.err, std::regex("\r[0-9]+ lines, at [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z ")))
      << progress.err;
  RunResult no_progress = RunSawcli(batched);
  ASSERT_EQ(no_progress.exit_code, 0) << no_progress.err;
  EXPECT_EQ(no_progress.out, progress.out);
  EXPECT_EQ(no_progress.err.find("lines, at"), std::string::npos) << no_progress.err;
  std::vector<std::string> quiet = batched;
  quiet.push_back("-q");
  RunResult quiet_tty = RunSawcliOnTerminal(quiet, false, true);
  EXPECT_EQ(quiet_tty.err, "");
}

}  // namespace
}  // namespace sawmill::sawcli_test
