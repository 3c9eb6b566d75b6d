// End to end: the real sawcli binary against the real sawmill server (fresh data directory,
// free port). Every subcommand that our server answers, in every output mode; --batch paging
// past the server's per-request limit with many entries sharing timestamps at the batch
// boundaries; push from stdin and files; failures exit 1 with the server's own message.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "tests/integration/server_process.h"
#include "tests/integration/temp_dir.h"
#include "tests/tools/sawcli_runner.h"
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

}  // namespace
}  // namespace sawmill::sawcli_test
