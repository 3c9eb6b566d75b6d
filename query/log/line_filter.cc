#include "query/log/line_filter.h"

#include <re2/re2.h>

#include <algorithm>
#include <utility>

#include "query/log/ip_matcher.h"
#include "query/log/label_name.h"
#include "query/log/pattern.h"
#include "query/log/regex_literal.h"
#include "query/log/substring.h"

namespace sawmill::query::log {
namespace {

class Contains final : public LineMatcher {
 public:
  explicit Contains(std::string_view s) : searcher_(s) {}
  bool Matches(std::string_view line) const override { return searcher_.Contains(line); }

  // One search from the start of the first undecided line to the end of the batch: the
  // lines ending before the end of the occurrence found cannot hold one (it is the first from
  // there); the line reaching past it holds it if it starts at or before it, else the search
  // resumes at that line (the occurrence straddled a line boundary or lay in metadata).
  void MatchLines(std::string_view text, std::span<const storage::BatchEntry> entries,
                  uint8_t* match) const override {
    const size_t n = entries.size();
    const size_t m = searcher_.needle().size();
    if (n == 0) return;
    if (m == 0) {
      std::fill(match, match + n, 1);
      return;
    }
    const size_t end = size_t{entries[n - 1].offset} + entries[n - 1].line_len;
    size_t i = 0;
    while (i < n) {
      const size_t start = entries[i].offset;
      const size_t p = searcher_.Find(text.substr(start, end - start));
      if (p == SubstringSearcher::npos) break;
      const size_t found_end = start + p + m;
      while (i < n && size_t{entries[i].offset} + entries[i].line_len < found_end) match[i++] = 0;
      if (i < n && entries[i].offset <= start + p) match[i++] = 1;
    }
    std::fill(match + i, match + n, 0);
  }

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

// Loki's containsLower (pkg/logql/log/filter.go), which `|~ "(?i)literal"` runs in Loki:
// a greedy scan that restarts after a failed partial match without backtracking, so it misses
// "timeout" in "RequestTimeout" (the 't' of "Request" starts a match that the 'T' breaks, and
// the 'T' is consumed). Its ASCII test also folds non-letters by 0x20 ('@' matches ' ' and
// '`'). Reproduced exactly, since Loki's answers are the reference. `lower` is the needle
// lowercased.
bool LokiContainsLower(std::string_view line, std::string_view lower) {
  if (lower.empty()) return true;
  if (lower.size() > line.size()) return false;
  size_t j = 0, i = 0;
  while (i < line.size()) {
    unsigned char c = static_cast<unsigned char>(line[i]);
    unsigned char m = static_cast<unsigned char>(lower[j]);
    if (c < 0x80 && m < 0x80) {
      if (c == m || c + 32 == m || c == m + 32) {
        if (++j == lower.size()) return true;
      } else {
        j = 0;
      }
      ++i;
      continue;
    }
    // Unicode slow path: compare runes; a line rune matches when it lowercases to the
    // needle's (for an ASCII needle: only U+212A KELVIN SIGN -> k and U+0130 -> i).
    size_t lw = Utf8SequenceLength(line.substr(i));
    size_t mw = Utf8SequenceLength(lower.substr(j));
    std::string_view lr = line.substr(i, lw == 0 ? 1 : lw);
    std::string_view mr = lower.substr(j, mw == 0 ? 1 : mw);
    bool same = lw != 0 && mw != 0 && lr == mr;
    if (!same && mw == 1) {
      same = (lr == "\xE2\x84\xAA" && mr == "k") || (lr == "\xC4\xB0" && mr == "i");
    }
    if (same) {
      j += mr.size();
      if (j >= lower.size()) return true;
    } else {
      j = 0;
    }
    i += lr.size();
  }
  return false;
}

bool OnlyAsciiLetters(std::string_view s) {
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) return false;
  }
  return true;
}

// (?i)literal without RE2, with Loki's semantics (LokiContainsLower). For a needle of ASCII
// letters the SIMD case-insensitive search rejects most lines first: Loki's scan can only
// match where a case-insensitive match exists (unless the line has non-ASCII bytes, which can
// fold to 'k' or 'i').
class ContainsFolded final : public LineMatcher {
 public:
  explicit ContainsFolded(std::string_view s)
      : searcher_(s),
        letters_(OnlyAsciiLetters(s)),
        unicode_fold_(s.find_first_of("kKiI") != std::string_view::npos) {}
  bool Matches(std::string_view line) const override {
    const std::string& lower = searcher_.needle();
    if (letters_ && !searcher_.Contains(line) && !(unicode_fold_ && HasNonAscii(line))) {
      return false;
    }
    return LokiContainsLower(line, lower);
  }

 private:
  CaseInsensitiveSearcher searcher_;
  bool letters_;
  bool unicode_fold_;
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
  void MatchLines(std::string_view text, std::span<const storage::BatchEntry> entries,
                  uint8_t* match) const override {
    const size_t n = entries.size();
    std::fill(match, match + n, 0);
    std::vector<uint8_t> one(n);  // per batch, not per line
    for (const LineMatcherPtr& m : m_) {
      m->MatchLines(text, entries, one.data());
      for (size_t i = 0; i < n; ++i) match[i] |= one[i];
    }
  }

 private:
  std::vector<LineMatcherPtr> m_;
};

class Not final : public LineMatcher {
 public:
  explicit Not(LineMatcherPtr m) : m_(std::move(m)) {}
  bool Matches(std::string_view line) const override { return !m_->Matches(line); }
  void MatchLines(std::string_view text, std::span<const storage::BatchEntry> entries,
                  uint8_t* match) const override {
    m_->MatchLines(text, entries, match);
    for (size_t i = 0; i < entries.size(); ++i) match[i] ^= 1;
  }

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
  const LineMatcher* line_matcher() const override { return m_.get(); }

 private:
  LineMatcherPtr m_;
};

std::string QuoteMeta(std::string_view s) {
  return RE2::QuoteMeta(re2::StringPiece(s.data(), s.size()));
}

}  // namespace

void LineMatcher::MatchLines(std::string_view text, std::span<const storage::BatchEntry> entries,
                             uint8_t* match) const {
  for (size_t i = 0; i < entries.size(); ++i) {
    match[i] = Matches(text.substr(entries[i].offset, entries[i].line_len)) ? 1 : 0;
  }
}

LineMatcherPtr ContainsMatcher(std::string_view literal) {
  return std::make_unique<Contains>(literal);
}

LineMatcherPtr ContainsFoldedMatcher(std::string_view literal) {
  if (!CaseInsensitiveSearcher::IsAsciiNeedle(literal)) {
    std::string error;
    auto re = CompileRe2("(?i)" + QuoteMeta(literal), &error);
    return std::make_unique<Regex>(std::move(re), std::vector<std::string>{}, true);
  }
  return std::make_unique<ContainsFolded>(literal);
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
