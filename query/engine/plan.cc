#include "query/engine/plan.h"

#include <string>

#include <cctype>

namespace sawmill::index {
// label_index.h, which query/ does not include (it pulls in the KvStore).
extern const char kEmptyCompatibleMessage[];
}  // namespace sawmill::index

namespace sawmill::query::engine {
namespace {

// A stop-gap reader of `{name op "value", ...}` until query/logql/ lands; positions and
// messages follow Loki's parser where it matters to clients.
class SelectorReader {
 public:
  explicit SelectorReader(std::string_view text) : text_(text) {}

  Status Read(std::vector<index::Matcher>* out) {
    SkipSpace();
    if (pos_ >= text_.size()) return Error("syntax error: unexpected $end", true);
    if (text_[pos_] != '{') return Error("syntax error: unexpected IDENTIFIER", false);
    ++pos_;
    SkipSpace();
    if (pos_ < text_.size() && text_[pos_] == '}') {
      ++pos_;
      return Status::OK();
    }
    for (;;) {
      SkipSpace();
      size_t start = pos_;
      while (pos_ < text_.size() &&
             (std::isalnum(static_cast<unsigned char>(text_[pos_])) || text_[pos_] == '_')) {
        ++pos_;
      }
      if (start == pos_) return Error("syntax error: unexpected character", false);
      std::string name(text_.substr(start, pos_ - start));
      SkipSpace();
      index::MatchType type;
      if (Consume("=~")) {
        type = index::MatchType::kRegexMatch;
      } else if (Consume("!~")) {
        type = index::MatchType::kRegexNoMatch;
      } else if (Consume("!=")) {
        type = index::MatchType::kNotEqual;
      } else if (Consume("=")) {
        type = index::MatchType::kEqual;
      } else {
        return Error("syntax error: unexpected character, expecting = or != or =~ or !~", false);
      }
      SkipSpace();
      std::string value;
      SAW_RETURN_IF_ERROR(ReadString(&value));
      Result<index::Matcher> m = index::Matcher::Make(type, std::move(name), std::move(value));
      if (!m.ok()) return Status::InvalidArgument("parse error : " + m.status().message());
      out->push_back(std::move(m).value());
      SkipSpace();
      if (Consume(",")) continue;
      if (Consume("}")) return Status::OK();
      if (pos_ >= text_.size())
        return Error("syntax error: unexpected $end, expecting } or ,", false);
      return Error("syntax error: unexpected character, expecting } or ,", false);
    }
  }

  std::string_view rest() const { return text_.substr(pos_); }

 private:
  void SkipSpace() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  }
  bool Consume(std::string_view s) {
    if (text_.substr(pos_, s.size()) != s) return false;
    pos_ += s.size();
    return true;
  }
  Status ReadString(std::string* out) {
    if (pos_ >= text_.size())
      return Error("syntax error: unexpected $end, expecting STRING", false);
    const char quote = text_[pos_];
    if (quote != '"' && quote != '`') return Error("syntax error: expecting STRING", false);
    ++pos_;
    while (pos_ < text_.size() && text_[pos_] != quote) {
      char c = text_[pos_++];
      if (quote == '"' && c == '\\' && pos_ < text_.size()) {
        char e = text_[pos_++];
        switch (e) {
          case 'n':
            c = '\n';
            break;
          case 't':
            c = '\t';
            break;
          case 'r':
            c = '\r';
            break;
          default:
            c = e;
            break;
        }
      }
      out->push_back(c);
    }
    if (pos_ >= text_.size()) return Error("literal not terminated", false);
    ++pos_;
    return Status::OK();
  }
  Status Error(std::string_view what, bool no_position) const {
    if (no_position) return Status::InvalidArgument("parse error : " + std::string(what));
    return Status::InvalidArgument("parse error at line 1, col " + std::to_string(pos_ + 1) + ": " +
                                   std::string(what));
  }

  std::string_view text_;
  size_t pos_ = 0;
};

Status CheckNotAllEmpty(const std::vector<index::Matcher>& matchers) {
  for (const index::Matcher& m : matchers) {
    if (!m.MatchesEmpty()) return Status::OK();
  }
  return Status::InvalidArgument(std::string("parse error : ") + index::kEmptyCompatibleMessage);
}

}  // namespace

Result<std::vector<index::Matcher>> ParseSelector(std::string_view selector) {
  SelectorReader reader(selector);
  std::vector<index::Matcher> matchers;
  SAW_RETURN_IF_ERROR(reader.Read(&matchers));
  std::string_view rest = reader.rest();
  while (!rest.empty() && std::isspace(static_cast<unsigned char>(rest.front()))) {
    rest.remove_prefix(1);
  }
  if (!rest.empty()) {
    return Status::InvalidArgument("parse error at line 1, col " +
                                   std::to_string(selector.size() - rest.size() + 1) +
                                   ": syntax error: unexpected character");
  }
  SAW_RETURN_IF_ERROR(CheckNotAllEmpty(matchers));
  return matchers;
}

Result<LogQueryPlan> PlanLogQuery(std::string_view query) {
  LogQueryPlan plan;
  SAW_ASSIGN_OR_RETURN(plan.matchers, ParseSelector(query));
  plan.pipeline = log::NoopPipeline();
  return plan;
}

}  // namespace sawmill::query::engine
