#include "index/matcher.h"

#include <re2/re2.h>

#include <algorithm>

#include "index/labels.h"

namespace sawmill::index {
namespace {

bool IsMeta(char c) {
  switch (c) {
    case '.':
    case '[':
    case ']':
    case '{':
    case '}':
    case '(':
    case ')':
    case '*':
    case '+':
    case '?':
    case '^':
    case '$':
    case '|':
    case '\\':
      return true;
    default:
      return false;
  }
}

bool IsPunct(char c) {
  return (c >= '!' && c <= '/') || (c >= ':' && c <= '@') || (c >= '[' && c <= '`') ||
         (c >= '{' && c <= '~');
}

// Strips one pair of parentheses around the whole regex: `(a|b)` or `(?:a|b)`.
std::string_view StripGroup(std::string_view re) {
  std::string_view inner;
  if (re.size() >= 4 && re.substr(0, 3) == "(?:" && re.back() == ')') {
    inner = re.substr(3, re.size() - 4);
  } else if (re.size() >= 2 && re.front() == '(' && re.back() == ')' && re[1] != '?') {
    inner = re.substr(1, re.size() - 2);
  } else {
    return re;
  }
  // The parentheses must enclose everything: `(a)|(b)` is not `a)|(b` in a group.
  for (size_t i = 0; i < inner.size(); ++i) {
    if (inner[i] == '\\') {
      ++i;
    } else if (inner[i] == '(' || inner[i] == ')') {
      return re;
    }
  }
  return inner;
}

}  // namespace

std::string_view MatchTypeString(MatchType type) {
  switch (type) {
    case MatchType::kEqual:
      return "=";
    case MatchType::kNotEqual:
      return "!=";
    case MatchType::kRegexMatch:
      return "=~";
    case MatchType::kRegexNoMatch:
      return "!~";
  }
  return "?";
}

bool LiteralAlternation(std::string_view regex, std::vector<std::string>* literals) {
  literals->clear();
  std::string_view re = StripGroup(regex);
  std::string current;
  for (size_t i = 0; i < re.size(); ++i) {
    char c = re[i];
    if (c == '|') {
      literals->push_back(std::move(current));
      current.clear();
    } else if (c == '\\') {
      // Only an escaped punctuation character is a literal; \d, \b, \x41 ... are not.
      if (i + 1 >= re.size() || !IsPunct(re[i + 1])) return false;
      current.push_back(re[++i]);
    } else if (IsMeta(c)) {
      return false;
    } else {
      current.push_back(c);
    }
  }
  literals->push_back(std::move(current));
  std::sort(literals->begin(), literals->end());
  literals->erase(std::unique(literals->begin(), literals->end()), literals->end());
  return true;
}

Result<Matcher> Matcher::Make(MatchType type, std::string name, std::string value) {
  Matcher m;
  m.type_ = type;
  m.name_ = std::move(name);
  m.value_ = std::move(value);
  if (type == MatchType::kEqual || type == MatchType::kNotEqual) {
    m.is_set_ = true;
    m.set_.push_back(m.value_);
  } else {
    RE2::Options options;
    options.set_log_errors(false);
    options.set_dot_nl(true);
    auto re = std::make_shared<RE2>(m.value_, options);
    if (!re->ok()) {
      return Status::InvalidArgument("error parsing regexp: " + re->error() + ": `" + m.value_ +
                                     "`");
    }
    m.re_ = std::move(re);
    // Literal bytes are matched as UTF-8 by RE2 too, so the set is exact.
    m.is_set_ = LiteralAlternation(m.value_, &m.set_);
  }
  m.matches_empty_ = m.Matches("");
  return m;
}

bool Matcher::Matches(std::string_view v) const {
  switch (type_) {
    case MatchType::kEqual:
      return v == value_;
    case MatchType::kNotEqual:
      return v != value_;
    case MatchType::kRegexMatch:
      return RE2::FullMatch(v, *re_);
    case MatchType::kRegexNoMatch:
      return !RE2::FullMatch(v, *re_);
  }
  return false;
}

std::string Matcher::ToString() const {
  std::string out = name_;
  out.append(MatchTypeString(type_));
  AppendQuoted(&out, value_);
  return out;
}

}  // namespace sawmill::index
