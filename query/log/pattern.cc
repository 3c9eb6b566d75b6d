#include "query/log/pattern.h"

#include <algorithm>

namespace sawmill::query::log {
namespace {

bool IsNameStart(char c) { return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsNameChar(char c) { return IsNameStart(c) || (c >= '0' && c <= '9'); }

}  // namespace

Result<PatternMatcher> PatternMatcher::Parse(std::string_view pattern, bool require_named) {
  PatternMatcher m;
  std::string literal;
  size_t i = 0;
  while (i < pattern.size()) {
    if (pattern[i] == '<' && i + 1 < pattern.size() && IsNameStart(pattern[i + 1])) {
      size_t j = i + 2;
      while (j < pattern.size() && IsNameChar(pattern[j])) ++j;
      if (j < pattern.size() && pattern[j] == '>') {
        if (!literal.empty()) m.nodes_.push_back(Node{false, false, std::move(literal)});
        literal.clear();
        std::string name(pattern.substr(i + 1, j - i - 1));
        bool named = name != "_";
        m.nodes_.push_back(Node{true, named, name});
        i = j + 1;
        continue;
      }
    }
    literal.push_back(pattern[i]);
    ++i;
  }
  if (!literal.empty()) m.nodes_.push_back(Node{false, false, std::move(literal)});
  for (const Node& n : m.nodes_) {
    if (n.capture && n.named) m.names_.push_back(n.text);
  }
  bool any_capture =
      std::any_of(m.nodes_.begin(), m.nodes_.end(), [](const Node& n) { return n.capture; });
  if (require_named ? m.names_.empty() : !any_capture) {
    return Status::InvalidArgument("at least one capture is required");
  }
  for (size_t k = 0; k + 1 < m.nodes_.size(); ++k) {
    if (m.nodes_[k].capture && m.nodes_[k + 1].capture) {
      return Status::InvalidArgument("found consecutive capture: invalid expression");
    }
  }
  std::vector<std::string> sorted = m.names_;
  std::sort(sorted.begin(), sorted.end());
  for (size_t k = 1; k < sorted.size(); ++k) {
    if (sorted[k] == sorted[k - 1]) {
      return Status::InvalidArgument("duplicate capture name (" + sorted[k] +
                                     "): invalid expression");
    }
  }
  return m;
}

void PatternMatcher::Matches(std::string_view in, std::vector<std::string_view>* out) const {
  out->clear();
  if (in.empty() || nodes_.empty()) return;
  size_t k = 0;
  if (!nodes_[0].capture) {
    if (in.substr(0, nodes_[0].text.size()) != nodes_[0].text) return;
    in.remove_prefix(nodes_[0].text.size());
    k = 1;
  }
  if (k == nodes_.size()) return;
  // From here: capture, literal, capture, ..., (literal)?
  while (k < nodes_.size()) {
    const Node& capture = nodes_[k];
    if (k + 1 == nodes_.size()) {
      if (capture.named) out->push_back(in);
      return;
    }
    const std::string& lit = nodes_[k + 1].text;
    k += 2;
    size_t at = in.find(lit);
    if (at == std::string_view::npos) {
      if (capture.named) out->push_back(in);
      return;
    }
    if (capture.named) out->push_back(in.substr(0, at));
    in.remove_prefix(at + lit.size());
  }
}

bool PatternMatcher::Test(std::string_view in) const {
  if (in.empty() || nodes_.empty()) return in.empty() && nodes_.empty();
  size_t off = 0;
  for (size_t k = 0; k < nodes_.size(); ++k) {
    if (nodes_[k].capture) continue;
    const std::string& lit = nodes_[k].text;
    size_t at = in.find(lit, off);
    if (at == std::string_view::npos) return false;
    if (k == 0 && at != 0) return false;    // a leading literal anchors the start
    if (k != 0 && at == off) return false;  // the capture before it would be empty
    off = at + lit.size();
  }
  bool ends_on_literal = !nodes_.back().capture;
  return ends_on_literal == (in.size() == off);
}

}  // namespace sawmill::query::log
