// The log pipeline against Grafana Loki 2.8.0's recorded answers (../shared/conformance,
// expected/logs.json: limit 1000, backward). The dataset is rebuilt with the suite's
// corpus.py from tests/testdata/loghub; each query is parsed, its selector applied to the
// streams, its pipeline compiled and run over every entry, and the newest 1000 results,
// grouped by their labels, are compared with Loki's. This checks the pipeline alone (the
// engine and HTTP have their own conformance test). Skipped when the suite or python3 is
// missing.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "query/log/compile.h"
#include "query/logql/parser.h"

namespace sawmill::query::log {
namespace {

struct Stream {
  index::LabelSet labels;
  std::vector<std::pair<int64_t, std::string>> entries;  // ts ascending
};

std::vector<Stream> LoadDataset(const std::string& dir) {
  std::string cmd = "python3 '" + dir + "/corpus.py' --data-dir '" + SAW_LOGHUB_DIR + "' --dump";
  FILE* f = popen(cmd.c_str(), "r");
  std::vector<Stream> streams;
  if (f == nullptr) return streams;
  std::map<std::string, size_t> by_labels;
  std::string line;
  char buf[1 << 16];
  while (fgets(buf, sizeof buf, f) != nullptr) {
    line += buf;
    if (line.empty() || line.back() != '\n') continue;
    line.pop_back();
    size_t t1 = line.find('\t'), t2 = line.find('\t', t1 + 1);
    if (t1 == std::string::npos || t2 == std::string::npos) {
      line.clear();
      continue;
    }
    std::string labels = line.substr(0, t1);
    auto it = by_labels.find(labels);
    if (it == by_labels.end()) {
      auto ls = index::LabelSet::Parse(labels);
      if (!ls.ok()) {
        line.clear();
        continue;
      }
      it = by_labels.emplace(labels, streams.size()).first;
      streams.push_back(Stream{*ls, {}});
    }
    streams[it->second].entries.emplace_back(std::stoll(line.substr(t1 + 1, t2 - t1 - 1)),
                                             line.substr(t2 + 1));
    line.clear();
  }
  pclose(f);
  for (Stream& s : streams) std::sort(s.entries.begin(), s.entries.end());
  return streams;
}

struct Row {
  int64_t ts;
  std::string line;
  std::string labels;
};

// Runs one query the way Loki answers it with limit `limit`, backward.
Result<std::map<std::string, std::vector<std::pair<int64_t, std::string>>>> Answer(
    const std::string& query, const std::vector<Stream>& streams, size_t limit) {
  SAW_ASSIGN_OR_RETURN(auto expr, logql::ParseLogSelector(query));
  SAW_ASSIGN_OR_RETURN(auto pipeline, CompilePipeline(expr->stages));
  std::vector<Row> rows;
  for (const Stream& s : streams) {
    bool match = true;
    for (const index::Matcher& m : expr->matchers) {
      if (!m.Matches(s.labels.Get(m.name()))) match = false;
    }
    if (!match) continue;
    auto sp = pipeline->ForStream(s.labels);
    LineResult r;
    for (auto it = s.entries.rbegin(); it != s.entries.rend(); ++it) {
      if (!sp->Process(it->first, it->second, "", &r)) continue;
      rows.push_back(Row{it->first, std::string(r.line), r.labels->ToString()});
    }
  }
  std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) { return a.ts > b.ts; });
  if (rows.size() > limit) rows.resize(limit);
  std::map<std::string, std::vector<std::pair<int64_t, std::string>>> out;
  for (Row& r : rows) out[r.labels].emplace_back(r.ts, std::move(r.line));
  return out;
}

TEST(LogConformanceTest, PipelineAnswersAsLoki) {
  const std::string dir = SAW_SHARED_CONFORMANCE_DIR;
  std::ifstream in(dir + "/expected/logs.json");
  if (!in.good() || !std::filesystem::exists(dir + "/corpus.py")) {
    GTEST_SKIP() << "no conformance suite at " << dir;
  }
  std::vector<Stream> streams = LoadDataset(dir);
  if (streams.empty()) GTEST_SKIP() << "corpus.py did not run (python3 missing?)";
  ASSERT_EQ(streams.size(), 96u);
  nlohmann::json expected = nlohmann::json::parse(in);
  size_t limit = expected["meta"]["limit"].get<size_t>();
  int passed = 0, failed = 0;
  std::string report;
  for (const auto& q : expected["results"]) {
    std::string query = q["query"].get<std::string>();
    if (q["status"].get<int>() != 200) continue;
    std::map<std::string, std::vector<std::pair<int64_t, std::string>>> want;
    for (const auto& s : q["result"]) {
      auto& v = want[s["labels"].get<std::string>()];
      for (const auto& e : s["entries"]) {
        v.emplace_back(e[0].get<int64_t>(), e[1].get<std::string>());
      }
    }
    auto got = Answer(query, streams, limit);
    if (!got.ok()) {
      ++failed;
      report += "  ERROR " + query + ": " + got.status().message() + "\n";
      continue;
    }
    if (*got == want) {
      ++passed;
      continue;
    }
    ++failed;
    std::string diff;
    for (const auto& [labels, entries] : want) {
      auto it = got->find(labels);
      if (it == got->end()) {
        diff = "missing stream " + labels;
        break;
      }
      if (it->second != entries) {
        size_t i = 0;
        while (i < entries.size() && i < it->second.size() && entries[i] == it->second[i]) ++i;
        diff = "stream " + labels + " differs at entry " + std::to_string(i);
        if (i < entries.size() && i < it->second.size()) {
          diff += ": want `" + entries[i].second + "` got `" + it->second[i].second + "`";
        }
        break;
      }
    }
    if (diff.empty()) {
      for (const auto& [labels, entries] : *got) {
        if (!want.count(labels)) {
          diff = "extra stream " + labels;
          break;
        }
      }
    }
    report += "  FAIL " + query + "\n       " + diff.substr(0, 600) + "\n";
  }
  std::printf("log pipeline conformance: %d passed, %d failed\n%s", passed, failed, report.c_str());
  // A ratchet: raise it as the pipeline gets closer to Loki. The known differences (124 of 126
  // pass): two pure selectors where Loki 2.8 returned exactly limit/2 entries per stream
  // rather than the newest `limit` overall: its query frontend's merge of split queries
  // (query/engine/loki_frontend_merge.h), which this test's plain top-`limit` does not model.
  EXPECT_GE(passed, 124);
}

}  // namespace
}  // namespace sawmill::query::log
