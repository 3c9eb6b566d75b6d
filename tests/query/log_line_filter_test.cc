#include "query/log/line_filter.h"

#include <gtest/gtest.h>

#include <random>
#include <span>
#include <string>
#include <vector>

#include "query/log/ip_matcher.h"
#include "query/log/pattern.h"
#include "query/log/regex_literal.h"
#include "query/log/substring.h"

namespace sawmill::query::log {
namespace {

TEST(SubstringSearcherTest, FindsLikeStringViewFind) {
  const std::string hay =
      "2015-07-29 19:35:11,461 - WARN  [RecvWorker:188978561024:QuorumCnxManager$RecvWorker@762]"
      " - Connection broken for id 188978561024, my id = 2, error = ";
  const char* needles[] = {"",
                           "2",
                           "WARN",
                           "error = ",
                           "Connection broken",
                           "nope",
                           "e",
                           "= ",
                           "762]",
                           hay.c_str(),
                           "2015-07-29 19:35:11,461 - WARN  [R"};
  for (const char* n : needles) {
    SCOPED_TRACE(n);
    for (size_t len = 0; len <= hay.size(); len += 7) {
      std::string_view h(hay.data(), len);
      EXPECT_EQ(SubstringSearcher(n).Find(h), h.find(n));
    }
  }
}

TEST(SubstringSearcherTest, FindsLikeStringViewFindAtEveryPosition) {
  // Haystacks over a 3-letter alphabet (partial matches everywhere), every length up to 300 and
  // needles of 1 to 40 bytes: first, last and in-between matches fall on every offset of the
  // 32- and 16-byte steps and of the tail.
  std::mt19937 rng(4);
  std::string hay(300, 'a');
  for (char& c : hay) c = static_cast<char>('a' + rng() % 3);
  for (size_t m = 1; m <= 40; ++m) {
    const std::string needle = hay.substr(rng() % (hay.size() - m), m);
    const std::string absent = std::string(m, 'd');
    for (size_t len = 0; len <= hay.size(); ++len) {
      const std::string_view h(hay.data(), len);
      ASSERT_EQ(SubstringSearcher(needle).Find(h), h.find(needle)) << m << " " << len;
      ASSERT_EQ(SubstringSearcher(absent).Find(h), std::string_view::npos);
    }
    // The needle alone at each position of an otherwise empty haystack.
    for (size_t at = 0; at + m <= 100; ++at) {
      std::string h2(100, 'x');
      h2.replace(at, m, std::string(m, 'd'));
      ASSERT_EQ(SubstringSearcher(absent).Find(h2), at) << m << " at " << at;
    }
  }
}

TEST(SubstringSearcherTest, CaseInsensitiveAtEveryPosition) {
  // As above, case-folded: haystacks of a, A, b, B and '[' ('[' | 0x20 is '{', not a letter),
  // needles taken from them and lowercased, compared with a search over the lowercased text.
  std::mt19937 rng(6);
  const char kAlphabet[] = {'a', 'A', 'b', 'B', '['};
  std::string hay(300, 'a');
  for (char& c : hay) c = kAlphabet[rng() % 5];
  std::string lower = hay;
  for (char& c : lower) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
  for (size_t m = 1; m <= 40; ++m) {
    const std::string needle = hay.substr(rng() % (hay.size() - m), m);
    std::string folded = needle;
    for (char& c : folded) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
    const CaseInsensitiveSearcher searcher(needle);
    for (size_t len = 0; len <= hay.size(); ++len) {
      ASSERT_EQ(searcher.Find(std::string_view(hay.data(), len)),
                std::string_view(lower.data(), len).find(folded))
          << m << " " << len;
    }
  }
}

TEST(SubstringSearcherTest, CaseInsensitive) {
  struct Case {
    std::string_view hay, needle;
    size_t want;
  };
  const Case cases[] = {
      {"Connection Refused by peer at the end of the long line here", "REFUSED", 11},
      {"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxTIMEOUT", "timeout", 56},
      {"no match in this line at all, none, zero, nothing", "timeouts", std::string_view::npos},
      {"[brackets] and @ signs ` backtick", "@ SIGNS `", 15},
      {"short", "", 0},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.needle);
    EXPECT_EQ(CaseInsensitiveSearcher(c.needle).Find(c.hay), c.want);
  }
  // '@' (0x40) and '`' (0x60) differ by 0x20 but are not letters: no false match.
  EXPECT_FALSE(CaseInsensitiveSearcher("`abc").Contains("xxxxxxxxxxxxxxxxxxxxxxxxxxxx@abc"));
}

TEST(RegexLiteralTest, Plans) {
  using K = RegexPlan::Kind;
  struct Case {
    std::string_view re;
    K kind;
    bool fold;
    std::vector<std::string> literals, required;
  };
  const Case cases[] = {
      {"foo", K::kLiterals, false, {"foo"}, {}},
      {".*foo.*", K::kLiterals, false, {"foo"}, {}},
      {"foo|bar", K::kLiterals, false, {"foo", "bar"}, {}},
      {"(?i)foo", K::kLiterals, true, {"foo"}, {}},
      {"10\\.250\\.", K::kLiterals, false, {"10.250."}, {}},
      {"to /10\\.250\\.", K::kLiterals, false, {"to /10.250."}, {}},
      {"Progress of TaskAttempt .* is : 0\\.[0-4]",
       K::kRegex,
       false,
       {},
       {"Progress of TaskAttempt "}},
      {"connection from \\d+\\.\\d+", K::kRegex, false, {}, {"connection from "}},
      {"(?i)vm (started|stopped)", K::kRegex, true, {}, {"vm "}},
      {"ab?c", K::kRegex, false, {}, {"a"}},
      {"^foo", K::kRegex, false, {}, {"foo"}},
      {"a(?i)b", K::kRegex, false, {}, {}},
      {"x\\pLy", K::kRegex, false, {}, {}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.re);
    RegexPlan p = AnalyzeRegex(c.re);
    EXPECT_EQ(p.kind, c.kind);
    EXPECT_EQ(p.fold, c.fold);
    EXPECT_EQ(p.literals, c.literals);
    EXPECT_EQ(p.required, c.required);
  }
}

TEST(LineFilterTest, RegexMatchesLikeRe2) {
  struct Case {
    std::string_view re, line;
    bool want;
  };
  const Case cases[] = {
      {"foo", "a foo b", true},
      {"foo|bar", "xxbarxx", true},
      {"foo|bar", "xxbaxx", false},
      {"(?i)ERROR", "an error here", true},
      {"(?i)kelvin",
       "\xe2\x84\xaa"
       "elvin",
       true},  // U+212A KELVIN SIGN folds to k
      {"(?i)vm (started|stopped)", "VM Started", true},
      // Loki's containsLower does not backtrack: the 't' of "Request" starts a match that the
      // 'T' breaks, and the 'T' is not retried. Loki 2.8 misses this line; so do we.
      {"(?i)timeout", "Wait time out (msRequestTimeout -1)", false},
      {"(?i)timeout", "Wake on TCP Timeout", true},
      {"(?i)@x", "a`X b", true},  // Loki folds non-letters by 0x20 too (`=@+32)
      {"(?i)vm (started|stopped)", "VM paused", false},
      {"^foo", "a foo", false},
      {"user unknown$", "check pass; user unknown", true},
      {"user unknown$", "check pass; user unknown ", false},
      {"", "anything", true},
      {"generating core\\.\\d{4,}", "generating core.12345", true},
      {"generating core\\.\\d{4,}", "generating core.123", false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(c.re) + " on " + std::string(c.line));
    auto m = RegexMatcher(c.re);
    ASSERT_TRUE(m.ok()) << m.status().ToString();
    EXPECT_EQ((*m)->Matches(c.line), c.want);
  }
  EXPECT_FALSE(RegexMatcher("(foo").ok());
}

TEST(LineFilterTest, ContainsOrNot) {
  std::vector<LineMatcherPtr> alts;
  alts.push_back(ContainsMatcher("a1"));
  alts.push_back(ContainsMatcher("b2"));
  auto m = NotMatcher(OrMatcher(std::move(alts)));
  EXPECT_FALSE(m->Matches("xx a1"));
  EXPECT_FALSE(m->Matches("b2"));
  EXPECT_TRUE(m->Matches("c3"));
  EXPECT_TRUE(ContainsMatcher("")->Matches(""));
  EXPECT_FALSE(NotMatcher(ContainsMatcher(""))->Matches("x"));
}

TEST(PatternTest, MatchesAsLoki) {
  auto p = PatternMatcher::Parse("<date> <time> - <level> [<thread>] - <msg>");
  ASSERT_TRUE(p.ok());
  std::vector<std::string_view> got;
  p->Matches("2015-07-29 19:35:11,461 - WARN  [RecvWorker:1] - Connection broken", &got);
  ASSERT_EQ(got.size(), 5u);
  EXPECT_EQ(got[0], "2015-07-29");
  EXPECT_EQ(got[2], "WARN ");
  EXPECT_EQ(got[3], "RecvWorker:1");
  EXPECT_EQ(got[4], "Connection broken");
  // A missing literal ends the match; the captures so far are kept.
  p->Matches("2015-07-29 19:35:11,461 no dash", &got);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[1], "19:35:11,461 no dash");
  EXPECT_FALSE(PatternMatcher::Parse("<a><b>").ok());
  EXPECT_FALSE(PatternMatcher::Parse("no captures").ok());
  EXPECT_FALSE(PatternMatcher::Parse("<_> only").ok());
  EXPECT_FALSE(PatternMatcher::Parse("<a> <a>").ok());
  EXPECT_EQ(PatternMatcher::Parse("<a><b>").status().message(),
            "found consecutive capture: invalid expression");
}

TEST(PatternTest, LineFilter) {
  struct Case {
    std::string_view pattern, line;
    bool want;
  };
  const Case cases[] = {
      {"<_> bar <_>", "foo bar baz", true}, {"<_> bar", "foo bar baz", false},
      {"<_> baz", "foo bar baz", true},     {"foo <_>", "foo bar baz", true},
      {"<_> bar <_>", " bar ", false},      {"<_>bar<_>", " bar ", true},
      {"bar <_>", "foo bar baz", false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(c.pattern) + " on " + std::string(c.line));
    auto m = PatternLineMatcher(c.pattern);
    ASSERT_TRUE(m.ok());
    EXPECT_EQ((*m)->Matches(c.line), c.want);
  }
}

TEST(IpMatcherTest, LinesAndValues) {
  struct Case {
    std::string_view pattern, line;
    bool want;
  };
  const Case cases[] = {
      {"187.141.143.180", "Failed password from 187.141.143.180 port 22", true},
      {"187.141.143.180", "Failed password from 187.141.143.18 port 22", false},
      {"10.10.34.14-10.10.34.40", "/10.10.34.13:3888", false},
      {"10.10.34.14-10.10.34.40", "/10.10.34.40:3888", true},
      {"10.100.0.0/16", "ntpd: synchronized to 10.100.16.250, stratum 3", true},
      {"10.100.0.0/16", "ntpd: synchronized to 10.101.16.250, stratum 3", false},
      {"::1", "connect from ::1 port", true},
      {"2001:db8::/32", "peer 2001:db8::68 up", true},
      {"192.168.0.1", "192.168.000.001 has leading zeros", false},
      {"192.168.0.0/16", "v6 ::ffff:192.168.0.1 is not v4", false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(c.pattern) + " on " + std::string(c.line));
    auto m = IpMatcher::Parse(c.pattern);
    ASSERT_TRUE(m.ok()) << m.status().ToString();
    EXPECT_EQ(m->MatchesLine(c.line), c.want);
  }
  // Long stretches without '.' or ':' are skipped; addresses at any offset are still found.
  auto one = IpMatcher::Parse("10.0.0.1");
  ASSERT_TRUE(one.ok());
  for (size_t pad = 0; pad < 40; ++pad) {
    std::string line = std::string(pad, 'x') + "10.0.0.1" + std::string(pad, 'y');
    EXPECT_TRUE(one->MatchesLine(line)) << line;
    if (pad >= 2) {
      EXPECT_FALSE(one->MatchesLine(std::string(pad, '1') + "0.0.0.1")) << pad;
    }
  }
  auto bad = IpMatcher::Parse("not-an-ip");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "ip: invalid pattern: \"not-an-ip\"");
  auto range = IpMatcher::Parse("200.0.0.0-223.255.255.255");
  ASSERT_TRUE(range.ok());
  EXPECT_TRUE(range->MatchesValue("210.1.2.3"));
  EXPECT_FALSE(range->MatchesValue("210.1.2.3 "));
  EXPECT_FALSE(range->MatchesValue("10.1.2.3"));
}

// MatchLines over a batch (lines with metadata between them, as a chunk block lays them out)
// decides each line as Matches does, whatever straddles a line boundary or lies in metadata.
TEST(LineFilterTest, MatchLinesAgreesWithMatches) {
  const std::vector<std::string> lines = {
      "an error here", "err", "or at the start", "error",   "",  "no match", "errorerror",
      "the end: erro", "r",   "ERROR upper",     "x error", "e", "rror",     "error at end: error"};
  // Metadata after some lines holds the needle, and some lines join into it across the gap.
  const std::vector<std::string> metadata = {"", "error", "", "",    "rror", "", "",
                                             "", "",      "", "err", "",     "", ""};
  std::string text;
  std::vector<storage::BatchEntry> entries;
  for (size_t i = 0; i < lines.size(); ++i) {
    entries.push_back({static_cast<int64_t>(i), static_cast<uint32_t>(text.size()),
                       static_cast<uint32_t>(lines[i].size()),
                       static_cast<uint32_t>(metadata[i].size())});
    text += lines[i];
    text += metadata[i];
  }
  std::vector<LineMatcherPtr> matchers;
  for (const char* lit : {"error", "err", "or", "e", "", "zzz", "error at end: error"}) {
    matchers.push_back(ContainsMatcher(lit));
    matchers.push_back(NotMatcher(ContainsMatcher(lit)));
  }
  {
    std::vector<LineMatcherPtr> alts;
    alts.push_back(ContainsMatcher("rror"));
    alts.push_back(ContainsMatcher("match"));
    matchers.push_back(OrMatcher(std::move(alts)));
  }
  matchers.push_back(ContainsFoldedMatcher("error"));
  matchers.push_back(std::move(RegexMatcher("err(or)?$")).value());
  for (size_t m = 0; m < matchers.size(); ++m) {
    SCOPED_TRACE(m);
    // Every sub-range of the batch, so that the search starts and ends everywhere.
    for (size_t a = 0; a < entries.size(); ++a) {
      for (size_t b = a + 1; b <= entries.size(); ++b) {
        std::span<const storage::BatchEntry> part(entries.data() + a, b - a);
        std::vector<uint8_t> got(part.size(), 7);
        matchers[m]->MatchLines(text, part, got.data());
        for (size_t i = 0; i < part.size(); ++i) {
          SCOPED_TRACE(lines[a + i]);
          EXPECT_EQ(got[i], matchers[m]->Matches(lines[a + i]) ? 1 : 0);
        }
      }
    }
  }
}

}  // namespace
}  // namespace sawmill::query::log
