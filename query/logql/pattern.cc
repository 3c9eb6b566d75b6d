#include "query/logql/pattern.h"

#include <cctype>
#include <set>

namespace sawmill::query::logql {
namespace {

bool IsNameStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool IsNameChar(char c) { return IsNameStart(c) || std::isdigit(static_cast<unsigned char>(c)); }

}  // namespace

std::vector<PatternNode> SplitPattern(std::string_view p) {
  std::vector<PatternNode> nodes;
  auto literal = [&](std::string_view text) {
    if (nodes.empty() || nodes.back().capture) nodes.push_back({false, ""});
    nodes.back().text.append(text);
  };
  for (size_t i = 0; i < p.size();) {
    if (p[i] == '<' && i + 1 < p.size() && IsNameStart(p[i + 1])) {
      size_t j = i + 2;
      while (j < p.size() && IsNameChar(p[j])) ++j;
      if (j < p.size() && p[j] == '>') {
        nodes.push_back({true, std::string(p.substr(i + 1, j - i - 1))});
        i = j + 1;
        continue;
      }
    }
    literal(p.substr(i, 1));
    ++i;
  }
  return nodes;
}

Result<std::vector<PatternNode>> ParsePattern(std::string_view pattern) {
  if (pattern.empty()) {  // the message of Loki's pattern grammar (a yacc parser of its own)
    return Status::InvalidArgument(
        "parse error at line 1, col 1: syntax error: unexpected $end, expecting IDENTIFIER or "
        "LITERAL");
  }
  std::vector<PatternNode> nodes = SplitPattern(pattern);
  bool named = false;
  for (const PatternNode& n : nodes) named = named || (n.capture && n.text != "_");
  if (!named) return Status::InvalidArgument("at least one capture is required");
  // Loki checks the pairs at even positions only; so do we, to accept what it accepts.
  for (size_t i = 0; i + 1 < nodes.size(); i += 2) {
    if (nodes[i].capture && nodes[i + 1].capture) {
      return Status::InvalidArgument("found consecutive capture '<" + nodes[i].text + "><" +
                                     nodes[i + 1].text + ">': invalid expression");
    }
  }
  std::set<std::string> seen;
  for (const PatternNode& n : nodes) {
    if (!n.capture || n.text == "_") continue;
    if (!seen.insert(n.text).second) {
      return Status::InvalidArgument("duplicate capture name (" + n.text + "): invalid expression");
    }
  }
  return nodes;
}

}  // namespace sawmill::query::logql
