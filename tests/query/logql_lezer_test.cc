// Cross-check with Grafana's own LogQL grammar: every query of tests/testdata/logql/corpus.txt
// goes through @grafana/lezer-logql (tests/clients/lezer_logql.js, run with node) and through
// our parser, and both must accept or reject it alike.
//
// Lezer is a grammar only, so our *semantic* rejections (position-less "parse error : ..."
// messages: empty-compatible selectors, unwrap rules, topk parameters, invalid regexes...)
// count as syntactically accepted here. The few queries on which lezer-logql knowingly differs
// from Loki's parser are listed, with the reason, in lezer_exceptions.txt.
//
// Skipped when node or tests/clients/node_modules is missing (tools/install-deps.sh runs
// `npm ci` there).
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "query/logql/parser.h"

namespace sawmill::query::logql {
namespace {

std::vector<std::string> ReadLines(const std::string& path, bool skip_comments) {
  std::ifstream in(path);
  std::vector<std::string> out;
  std::string line;
  while (std::getline(in, line)) {
    if (skip_comments &&
        (line.find_first_not_of(" \t") == std::string::npos || line.starts_with("##"))) {
      continue;
    }
    out.push_back(line);
  }
  return out;
}

// "accept" when the query is syntactically valid LogQL for our parser.
std::string OurVerdict(const std::string& q) {
  auto e = ParseExpr(q);
  if (e.ok()) return "accept";
  return e.status().message().starts_with("parse error : ") &&
                 !e.status().message().starts_with("parse error : syntax error")
             ? "accept"
             : "reject";
}

TEST(LogqlLezerTest, GrafanaGrammarAgreesOnCorpus) {
  const std::string dir = SAW_LOGQL_TESTDATA_DIR;
  const std::string clients = SAW_CLIENTS_DIR;
  if (!std::filesystem::exists(clients + "/node_modules/@grafana/lezer-logql")) {
    GTEST_SKIP() << "no @grafana/lezer-logql in " << clients << " (run npm ci there)";
  }
  std::vector<std::string> corpus = ReadLines(dir + "/corpus.txt", true);
  ASSERT_GE(corpus.size(), 300u);
  std::set<std::string> exceptions;
  for (const std::string& l : ReadLines(dir + "/lezer_exceptions.txt", false)) {
    if (!l.empty() && !l.starts_with("##")) exceptions.insert(l);
  }

  std::string cmd = "node '" + clients + "/lezer_logql.js' '" + dir + "/corpus.txt' 2>&1";
  FILE* pipe = popen(cmd.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string output;
  std::array<char, 4096> buf;
  while (size_t n = fread(buf.data(), 1, buf.size(), pipe)) output.append(buf.data(), n);
  int rc = pclose(pipe);
  if (rc != 0 && output.find("node: not found") != std::string::npos) GTEST_SKIP() << output;
  ASSERT_EQ(rc, 0) << output;
  std::vector<std::string> verdicts;
  for (size_t start = 0; start < output.size();) {
    size_t end = output.find('\n', start);
    if (end == std::string::npos) end = output.size();
    verdicts.push_back(output.substr(start, end - start));
    start = end + 1;
  }
  ASSERT_EQ(verdicts.size(), corpus.size()) << output;

  int accepted = 0;
  for (size_t i = 0; i < corpus.size(); ++i) {
    const std::string& q = corpus[i];
    std::string ours = OurVerdict(q);
    accepted += ours == "accept";
    if (exceptions.count(q)) {
      EXPECT_NE(ours, verdicts[i]) << "listed as an exception but both agree: " << q;
      continue;
    }
    EXPECT_EQ(ours, verdicts[i]) << q;
  }
  // The corpus has both kinds in good number.
  EXPECT_GT(accepted, 150);
  EXPECT_GT(static_cast<int>(corpus.size()) - accepted, 100);
}

}  // namespace
}  // namespace sawmill::query::logql
