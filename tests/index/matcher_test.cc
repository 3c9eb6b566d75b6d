#include "index/matcher.h"

#include <gtest/gtest.h>

namespace sawmill::index {
namespace {

Matcher Make(MatchType t, std::string name, std::string value) {
  auto m = Matcher::Make(t, std::move(name), std::move(value));
  EXPECT_TRUE(m.ok()) << m.status().ToString();
  return std::move(m).value();
}

TEST(MatcherTest, MatchSemantics) {
  struct Case {
    MatchType type;
    std::string_view value;
    std::string_view input;
    bool want;
  };
  using enum MatchType;
  const Case cases[] = {
      {kEqual, "a", "a", true},
      {kEqual, "a", "ab", false},
      {kEqual, "", "", true},
      {kNotEqual, "a", "a", false},
      {kNotEqual, "a", "", true},
      {kRegexMatch, "a", "a", true},
      {kRegexMatch, "a", "ab", false},  // fully anchored
      {kRegexMatch, "a", "ba", false},
      {kRegexMatch, "a.*", "abc", true},
      {kRegexMatch, ".*", "", true},
      {kRegexMatch, ".+", "", false},
      {kRegexMatch, ".+", "x\ny", true},  // . matches newline, as in Prometheus
      {kRegexMatch, "a|b", "b", true},
      {kRegexMatch, "a|b", "ab", false},
      {kRegexMatch, "(?i)WEB", "web", true},
      {kRegexNoMatch, "a|b", "a", false},
      {kRegexNoMatch, "a|b", "c", true},
      {kRegexNoMatch, "a", "ab", true},
  };
  for (const Case& c : cases) {
    Matcher m = Make(c.type, "x", std::string(c.value));
    SCOPED_TRACE(m.ToString() + " on \"" + std::string(c.input) + "\"");
    EXPECT_EQ(m.Matches(c.input), c.want);
  }
}

TEST(MatcherTest, MatchesEmpty) {
  using enum MatchType;
  EXPECT_TRUE(Make(kEqual, "a", "").MatchesEmpty());
  EXPECT_FALSE(Make(kEqual, "a", "x").MatchesEmpty());
  EXPECT_TRUE(Make(kNotEqual, "a", "x").MatchesEmpty());
  EXPECT_FALSE(Make(kNotEqual, "a", "").MatchesEmpty());
  EXPECT_TRUE(Make(kRegexMatch, "a", ".*").MatchesEmpty());
  EXPECT_TRUE(Make(kRegexMatch, "a", "x|").MatchesEmpty());
  EXPECT_FALSE(Make(kRegexMatch, "a", ".+").MatchesEmpty());
  EXPECT_TRUE(Make(kRegexNoMatch, "a", ".+").MatchesEmpty());
  EXPECT_FALSE(Make(kRegexNoMatch, "a", ".*").MatchesEmpty());
}

TEST(MatcherTest, RecognisesLiteralAlternations) {
  struct Case {
    std::string_view regex;
    bool is_set;
    std::vector<std::string> want;
  };
  const Case cases[] = {
      {"web", true, {"web"}},
      {"a|b|c", true, {"a", "b", "c"}},
      {"c|a|a", true, {"a", "c"}},
      {"(a|b)", true, {"a", "b"}},
      {"(?:api|web-1)", true, {"api", "web-1"}},
      {"a\\.b|c", true, {"a.b", "c"}},
      {"a|", true, {"", "a"}},
      {"", true, {""}},
      {"a.b", false, {}},
      {"a|b.*", false, {}},
      {"(a)|(b)", false, {}},
      {"(?i)a", false, {}},
      {"a\\d", false, {}},
      {"[ab]", false, {}},
      {"a+", false, {}},
      {"^a$", false, {}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.regex);
    std::vector<std::string> got;
    EXPECT_EQ(LiteralAlternation(c.regex, &got), c.is_set);
    if (c.is_set) {
      EXPECT_EQ(got, c.want);
    }
    Matcher m = Make(MatchType::kRegexMatch, "x", std::string(c.regex));
    EXPECT_EQ(m.IsSet(), c.is_set);
    // The set is exactly what the regex accepts.
    for (const std::string& v : m.set()) EXPECT_TRUE(m.Matches(v)) << v;
  }
}

TEST(MatcherTest, BadRegexIsInvalidArgument) {
  auto m = Matcher::Make(MatchType::kRegexMatch, "app", "a(b");
  ASSERT_FALSE(m.ok());
  EXPECT_TRUE(m.status().IsInvalidArgument());
  EXPECT_NE(m.status().message().find("error parsing regexp"), std::string::npos);
  EXPECT_FALSE(Matcher::Make(MatchType::kRegexNoMatch, "app", "*").ok());
}

TEST(MatcherTest, CopiesShareTheRegex) {
  Matcher m = Make(MatchType::kRegexMatch, "app", "w.b");
  Matcher copy = m;
  EXPECT_TRUE(copy.Matches("web"));
  EXPECT_EQ(copy.ToString(), "app=~\"w.b\"");
}

}  // namespace
}  // namespace sawmill::index
