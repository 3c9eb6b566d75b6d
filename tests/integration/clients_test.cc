// Real Loki client libraries end to end: node scripts (tests/clients/send.js) log through
// winston-loki in its protobuf and JSON modes and through pino-loki to the real server, which
// must store every line with its labels and timestamp. The test reads the data directory back
// through the label index and the store after SIGTERM, as push_test.cc does.
//
// Needs node and tests/clients/node_modules (tools/install-deps.sh runs `npm ci` there).
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "index/label_index.h"
#include "index/matcher.h"
#include "storage/store.h"
#include "tests/integration/server_process.h"
#include "tests/integration/temp_dir.h"

namespace sawmill::integration {
namespace {

constexpr int kLines = 25;
const std::string kClients = std::string(SAW_SOURCE_DIR) + "/tests/clients";

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct Sent {
  int64_t ts_ms;
  std::string message;
};

// Runs send.js; returns what it logged (its stdout manifest). *exit_code gets its status.
std::vector<Sent> RunClient(const std::string& mode, uint16_t port, int* exit_code) {
  const std::string cmd = "cd '" + kClients + "' && node send.js " + mode +
                          " http://127.0.0.1:" + std::to_string(port) + " " +
                          std::to_string(kLines);
  std::vector<Sent> sent;
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) {
    *exit_code = -1;
    return sent;
  }
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  const int status = pclose(p);
  *exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  size_t start = 0;
  while (start < out.size()) {
    size_t end = out.find('\n', start);
    if (end == std::string::npos) end = out.size();
    auto j = nlohmann::json::parse(out.substr(start, end - start), nullptr, false);
    if (!j.is_discarded()) {
      sent.push_back({j.value("ts_ms", int64_t{0}), j.value("message", std::string())});
    }
    start = end + 1;
  }
  return sent;
}

struct Stored {
  std::string labels;
  int64_t ts;
  std::string line;
};

std::vector<Stored> ReadBack(const std::string& dir, const std::string& client) {
  std::vector<Stored> out;
  storage::StoreOptions o;
  o.data_dir = dir;
  o.background_threads = false;
  auto store = storage::Store::Open(o);
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  if (!store.ok()) return out;
  {
    auto idx = index::LabelIndex::Open((*store)->kv());
    EXPECT_TRUE(idx.ok()) << idx.status().ToString();
    if (!idx.ok()) return out;
    std::vector<index::Matcher> ms;
    ms.push_back(*index::Matcher::Make(index::MatchType::kEqual, "app", "clients-e2e"));
    ms.push_back(*index::Matcher::Make(index::MatchType::kEqual, "client", client));
    auto streams = (*idx)->Select("fake", ms, INT64_MIN, INT64_MAX);
    EXPECT_TRUE(streams.ok()) << streams.status().ToString();
    for (const auto& s : *streams) {
      auto it = (*store)->Read("fake", s.id, INT64_MIN, INT64_MAX, storage::Direction::kForward);
      EXPECT_TRUE(it.ok());
      while ((*it)->Next()) {
        out.push_back(
            {s.labels->ToString(), (*it)->entry().ts_ns, std::string((*it)->entry().line)});
      }
    }
  }
  EXPECT_TRUE((*store)->Close().ok());
  return out;
}

TEST(ClientsTest, WinstonAndPinoLinesAreStoredWithLabelsAndTimestamps) {
  ASSERT_TRUE(std::filesystem::exists(kClients + "/node_modules/winston-loki"))
      << "tests/clients/node_modules is missing: run tools/install-deps.sh (npm ci there)";
  TempDir dir;
  auto server = ServerProcess::Start(SAW_SAWMILL_BINARY,
                                     {"-server.http-listen-port=0", "-storage.path=" + dir.path()});
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  auto port = (*server)->WaitUntilStarted();
  ASSERT_TRUE(port.ok()) << port.status().ToString() << (*server)->Output();

  struct Run {
    std::string mode;
    std::vector<Sent> sent;
    int64_t from_ms, to_ms;  // when it ran (winston-loki stamps entries itself)
  };
  std::vector<Run> runs;
  for (const char* mode : {"winston-protobuf", "winston-json", "pino"}) {
    SCOPED_TRACE(mode);
    Run run{mode, {}, NowMs(), 0};
    int code = 0;
    run.sent = RunClient(mode, *port, &code);
    run.to_ms = NowMs();
    EXPECT_EQ(code, 0) << (*server)->Output();
    ASSERT_EQ(run.sent.size(), static_cast<size_t>(kLines));
    runs.push_back(std::move(run));
  }
  (*server)->Signal(SIGTERM);
  ASSERT_EQ((*server)->Wait(), 0) << (*server)->Output();
  // Every push was answered 204: nothing refused.
  EXPECT_EQ((*server)->Output().find("level=error"), std::string::npos) << (*server)->Output();

  for (const Run& run : runs) {
    SCOPED_TRACE(run.mode);
    std::vector<Stored> stored = ReadBack(dir.path(), run.mode);
    ASSERT_EQ(stored.size(), run.sent.size());
    for (const Sent& s : run.sent) {
      SCOPED_TRACE(s.message);
      const Stored* match = nullptr;
      for (const Stored& st : stored) {
        if (st.line.find(s.message) != std::string::npos ||
            st.line.find(nlohmann::json(s.message).dump()) != std::string::npos) {
          match = &st;
        }
      }
      ASSERT_NE(match, nullptr);
      EXPECT_EQ(match->labels,
                "{app=\"clients-e2e\", client=\"" + run.mode + "\", level=\"info\"}");
      if (run.mode == "pino") {
        EXPECT_EQ(match->ts, s.ts_ms * 1000000);  // pino's own `time`, in ms
      } else {
        EXPECT_GE(match->ts, run.from_ms * 1000000);  // winston-loki's Date.now()
        EXPECT_LE(match->ts, run.to_ms * 1000000);
      }
    }
  }
}

}  // namespace
}  // namespace sawmill::integration
