#include "query/log/line_filter.h"

#include <re2/re2.h>

#include <utility>

#include "query/log/ip_matcher.h"
#include "query/log/pattern.h"
#include "query/log/regex_literal.h"
#include "query/log/substring.h"

namespace sawmill::query::log {
namespace {

class Contains final : public LineMatcher {
 public:
  explicit Contains(std::string_view s) : searcher_(s) {}
  bool Matches(std::string_view line) const override { return searcher_.Contains(line); }

 private:
  SubstringSearcher searcher_;
};

bool HasNonAscii(std::string_view s) {
  for (unsigned char c : s) {
    if (c >= 0x80) return true;
  }
  return false;
}

std::unique_ptr<RE2> CompileRe2(std::string_view pattern, std::string* error) {
  RE2::Options opts;
  opts.set_log_errors(false);
  opts.set_max_mem(64 << 20);
  auto re = std::make_unique<RE2>(re2::StringPiece(pattern.data(), pattern.size()), opts);
  if (!re->ok()) {
    *error = "error parsing regexp: " + re->error();
    return nullptr;
  }
  return re;
}

class Regex final : public LineMatcher {
 public:
  Regex(std::unique_ptr<RE2> re, std::vector<std::string> required, bool fold)
      : re_(std::move(re)) {
    for (const std::string& r : required) {
      if (fold) {
        if (CaseInsensitiveSearcher::IsAsciiNeedle(r) && r.find_first_of("kKsS") == r.npos) {
          folded_.emplace_back(r);
        }
      } else {
        exact_.emplace_back(r);
      }
    }
  }
  bool Matches(std::string_view line) const override {
    for (const SubstringSearcher& s : exact_) {
      if (!s.Contains(line)) return false;
    }
    for (const CaseInsensitiveSearcher& s : folded_) {
      if (!s.Contains(line)) return false;
    }
    return re_->Match(re2::StringPiece(line.data(), line.size()), 0, line.size(), RE2::UNANCHORED,
                      nullptr, 0);
  }

 private:
  std::unique_ptr<RE2> re_;
  std::vector<SubstringSearcher> exact_;
  std::vector<CaseInsensitiveSearcher> folded_;
};

// (?i)literal without RE2. Under Go/RE2 case folding 'k' also matches U+212A (KELVIN SIGN)
// and 's' U+017F (LONG S); `fallback` (RE2) settles lines that could hold those.
class ContainsFolded final : public LineMatcher {
 public:
  ContainsFolded(std::string_view s, std::unique_ptr<RE2> fallback)
      : searcher_(s), fallback_(std::move(fallback)) {}
  bool Matches(std::string_view line) const override {
    if (searcher_.Contains(line)) return true;
    if (fallback_ == nullptr || !HasNonAscii(line)) return false;
    return RE2::PartialMatch(re2::StringPiece(line.data(), line.size()), *fallback_);
  }

 private:
  CaseInsensitiveSearcher searcher_;
  std::unique_ptr<RE2> fallback_;
};

class Or final : public LineMatcher {
 public:
  explicit Or(std::vector<LineMatcherPtr> m) : m_(std::move(m)) {}
  bool Matches(std::string_view line) const override {
    for (const LineMatcherPtr& m : m_) {
      if (m->Matches(line)) return true;
    }
    return false;
  }

 private:
  std::vector<LineMatcherPtr> m_;
};

class Not final : public LineMatcher {
 public:
  explicit Not(LineMatcherPtr m) : m_(std::move(m)) {}
  bool Matches(std::string_view line) const override { return !m_->Matches(line); }

 private:
  LineMatcherPtr m_;
};

class Pattern final : public LineMatcher {
 public:
  explicit Pattern(PatternMatcher m) : m_(std::move(m)) {}
  bool Matches(std::string_view line) const override { return m_.Test(line); }

 private:
  PatternMatcher m_;
};

class Ip final : public LineMatcher {
 public:
  explicit Ip(IpMatcher m) : m_(m) {}
  bool Matches(std::string_view line) const override { return m_.MatchesLine(line); }

 private:
  IpMatcher m_;
};

class FilterStage final : public Stage {
 public:
  explicit FilterStage(LineMatcherPtr m) : m_(std::move(m)) {}
  bool Process(int64_t, std::string_view* line, LabelsBuilder*) const override {
    return m_->Matches(*line);
  }
  bool IsLineFilter() const override { return true; }

 private:
  LineMatcherPtr m_;
};

std::string QuoteMeta(std::string_view s) {
  return RE2::QuoteMeta(re2::StringPiece(s.data(), s.size()));
}

}  // namespace

LineMatcherPtr ContainsMatcher(std::string_view literal) {
  return std::make_unique<Contains>(literal);
}

LineMatcherPtr ContainsFoldedMatcher(std::string_view literal) {
  std::string error;
  auto re = CompileRe2("(?i)" + QuoteMeta(literal), &error);
  if (!CaseInsensitiveSearcher::IsAsciiNeedle(literal)) {
    return std::make_unique<Regex>(std::move(re), std::vector<std::string>{}, true);
  }
  if (literal.find_first_of("kKsS") == std::string_view::npos) re.reset();
  return std::make_unique<ContainsFolded>(literal, std::move(re));
}

Result<LineMatcherPtr> RegexMatcher(std::string_view pattern) {
  std::string error;
  auto re = CompileRe2(pattern, &error);
  if (re == nullptr) return Status::InvalidArgument(error);
  RegexPlan plan = AnalyzeRegex(pattern);
  if (plan.kind == RegexPlan::Kind::kLiterals) {
    std::vector<LineMatcherPtr> alts;
    for (const std::string& lit : plan.literals) {
      alts.push_back(plan.fold ? ContainsFoldedMatcher(lit) : ContainsMatcher(lit));
    }
    if (alts.size() == 1) return std::move(alts[0]);
    return OrMatcher(std::move(alts));
  }
  return LineMatcherPtr(std::make_unique<Regex>(std::move(re), plan.required, plan.fold));
}

Result<LineMatcherPtr> PatternLineMatcher(std::string_view pattern) {
  SAW_ASSIGN_OR_RETURN(PatternMatcher m, PatternMatcher::Parse(pattern, false));
  return LineMatcherPtr(std::make_unique<Pattern>(std::move(m)));
}

Result<LineMatcherPtr> IpLineMatcher(std::string_view pattern) {
  SAW_ASSIGN_OR_RETURN(IpMatcher m, IpMatcher::Parse(pattern));
  return LineMatcherPtr(std::make_unique<Ip>(m));
}

LineMatcherPtr OrMatcher(std::vector<LineMatcherPtr> alternatives) {
  if (alternatives.size() == 1) return std::move(alternatives[0]);
  return std::make_unique<Or>(std::move(alternatives));
}

LineMatcherPtr NotMatcher(LineMatcherPtr m) { return std::make_unique<Not>(std::move(m)); }

StagePtr LineFilterStage(LineMatcherPtr matcher) {
  return std::make_unique<FilterStage>(std::move(matcher));
}

}  // namespace sawmill::query::log
