// The lexer's tokens and positions (Loki's text/scanner conventions), and the Go formatting
// and parsing helpers whose text users see.
#include <gtest/gtest.h>

#include <limits>
#include <string>
#include <vector>

#include "query/logql/go_text.h"
#include "query/logql/lexer.h"

namespace sawmill::query::logql {
namespace {

std::vector<Tok> Kinds(std::string_view input) {
  std::vector<Tok> out;
  for (const Token& t : Lex(input)) out.push_back(t.kind);
  return out;
}

TEST(LogqlLexerTest, Tokenizes) {
  using enum Tok;
  struct Case {
    std::string_view input;
    std::vector<Tok> want;
  };
  const Case cases[] = {
      {R"({app="api"})", {kLBrace, kIdentifier, kEq, kString, kRBrace, kEnd}},
      {R"({a=~"x"} |= "e" != `r` |~ "" !~ "" |> "" !>)",
       {kLBrace, kIdentifier, kRe, kString, kRBrace, kPipeExact, kString, kNeq, kString, kPipeMatch,
        kString, kNre, kString, kPipePattern, kString, kNpa, kEnd}},
      {"5m 1h30m 1.5s 10KB 1MiB 42 0.5 1e3 -5m",
       {kDuration, kDuration, kDuration, kBytes, kBytes, kNumber, kNumber, kNumber, kDuration,
        kEnd}},
      {"rate(x) rate x sum by (a) ip(\"\") ip",
       {kRate, kLParen, kIdentifier, kRParen, kIdentifier, kIdentifier, kSum, kBy, kLParen,
        kIdentifier, kRParen, kIp, kLParen, kString, kRParen, kIdentifier, kEnd}},
      {"--strict --keep-empty --other", {kParserFlag, kParserFlag, kSub, kSub, kIdentifier, kEnd}},
      {"[5m] offset bool on ignoring group_left group_right",
       {kRange, kOffset, kBool, kOn, kIgnoring, kGroupLeft, kGroupRight, kEnd}},
      {"== != >= <= > < + - * / % ^",
       {kCmpEq, kNeq, kGte, kLte, kGt, kLt, kAdd, kSub, kMul, kDiv, kMod, kPow, kEnd}},
      {"a # comment\nb // go comment\nc /* block */ d",
       {kIdentifier, kIdentifier, kIdentifier, kIdentifier, kEnd}},
      {"@ ; $", {kIdentifier, kIdentifier, kIdentifier, kEnd}},
      {"AND Or JSON", {kAnd, kOr, kJson, kEnd}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.input);
    EXPECT_EQ(Kinds(c.input), c.want);
  }
}

TEST(LogqlLexerTest, PositionsAsTextScanner) {
  auto toks = Lex("{a=\"b\"} |= \"x\"\n  [5m]");
  ASSERT_EQ(toks.size(), 9u);
  EXPECT_EQ(toks[0].line, 1);
  EXPECT_EQ(toks[0].col, 1);
  EXPECT_EQ(toks[5].kind, Tok::kPipeExact);
  EXPECT_EQ(toks[5].line, 0);  // completed by look-ahead
  EXPECT_EQ(toks[5].col, 9);
  EXPECT_EQ(toks[6].line, 1);
  EXPECT_EQ(toks[6].col, 12);
  EXPECT_EQ(toks[7].kind, Tok::kRange);
  EXPECT_EQ(toks[7].line, 0);
  EXPECT_EQ(toks[7].col, 3);
  EXPECT_EQ(toks[7].duration, 300'000'000'000);
  EXPECT_EQ(toks[8].line, 2);
  EXPECT_EQ(toks[8].col, 7);
}

TEST(LogqlLexerTest, LexicalErrors) {
  struct Case {
    std::string_view input;
    std::string_view message;
    int col;
  };
  const Case cases[] = {
      {R"(|= "abc)", "literal not terminated", 4},
      {"|= `abc", "literal not terminated", 4},
      {R"(|= "\q")", "invalid char escape", 4},
      {R"(|= "\x4")", "invalid char escape", 4},
      {"[5x]", "not a valid duration string: \"5x\"", 1},
      {"[5m", "missing closing ']' in duration", 1},
      {"[]", "empty duration string", 1},
      {"'ab'", "illegal char literal", 1},
      {"a /* open", "comment not terminated", 3},
      {"|= \"\xff\"", "invalid UTF-8 encoding", 4},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.input);
    auto toks = Lex(c.input);
    EXPECT_EQ(toks.back().kind, Tok::kError);
    EXPECT_EQ(toks.back().text, c.message);
    EXPECT_EQ(toks.back().col, c.col);
  }
}

TEST(LogqlLexerTest, MicroSignInDurations) {
  // Loki's isDurationRune takes 'µ' (U+00B5) as in Go's "µs"; the Greek mu (U+03BC) ends
  // the duration there, as in Loki's lexer.
  std::vector<Token> toks = Lex("199µs -2µs 3us 4\xCE\xBCs");
  ASSERT_GE(toks.size(), 4u);
  EXPECT_EQ(toks[0].kind, Tok::kDuration);
  EXPECT_EQ(toks[0].duration, 199'000);
  EXPECT_EQ(toks[1].kind, Tok::kDuration);
  EXPECT_EQ(toks[1].duration, -2'000);
  EXPECT_EQ(toks[2].duration, 3'000);
  EXPECT_NE(toks[3].kind, Tok::kDuration);
}

TEST(LogqlGoTextTest, Durations) {
  int64_t ns;
  std::string err;
  EXPECT_TRUE(ParsePromDuration("1h30m", &ns, &err));
  EXPECT_EQ(ns, 5'400'000'000'000);
  EXPECT_TRUE(ParsePromDuration("1w2d", &ns, &err));
  EXPECT_FALSE(ParsePromDuration("30m1h", &ns, &err));
  EXPECT_EQ(err, "not a valid duration string: \"30m1h\"");
  EXPECT_FALSE(ParsePromDuration("1.5h", &ns, &err));
  EXPECT_TRUE(ParseGoDuration("1.5h", &ns));
  EXPECT_EQ(ns, 5'400'000'000'000);
  EXPECT_TRUE(ParseGoDuration("-300ms", &ns));
  EXPECT_EQ(ns, -300'000'000);
  EXPECT_TRUE(ParseGoDuration("1\xC2\xB5s", &ns));
  EXPECT_EQ(ns, 1000);
  EXPECT_FALSE(ParseGoDuration("1", &ns));
  EXPECT_FALSE(ParseGoDuration("1x", &ns));
  // Fractions are exact, as in Go (a long double sum gave 2000098999: found by the
  // prettify fuzzer, since "2.000099s" printed back as "2.000098999s").
  EXPECT_TRUE(ParseGoDuration("2.000099s", &ns));
  EXPECT_EQ(ns, 2'000'099'000);
  EXPECT_TRUE(ParseGoDuration("2s99us", &ns));
  EXPECT_EQ(ns, 2'000'099'000);
  EXPECT_TRUE(ParseGoDuration("0.3s", &ns));
  EXPECT_EQ(ns, 300'000'000);
  EXPECT_TRUE(ParseGoDuration("1.0000000001h", &ns));
  EXPECT_EQ(ns, 3'600'000'000'360);
  EXPECT_TRUE(ParseGoDuration(".5m", &ns));
  EXPECT_EQ(ns, 30'000'000'000);
  EXPECT_TRUE(ParseGoDuration("-9223372036854775808ns", &ns));
  EXPECT_EQ(ns, std::numeric_limits<int64_t>::min());
  EXPECT_FALSE(ParseGoDuration("9223372036854775808ns", &ns));
  EXPECT_FALSE(ParseGoDuration(".s", &ns));
  EXPECT_FALSE(ParseGoDuration("1.5", &ns, &err));
  EXPECT_EQ(err, "time: missing unit in duration \"1.5\"");
  EXPECT_FALSE(ParseGoDuration("1.5x", &ns, &err));
  EXPECT_EQ(err, "time: unknown unit \"x\" in duration \"1.5x\"");
  EXPECT_EQ(FormatPromDuration(5'400'000'000'000), "1h30m");
  EXPECT_EQ(FormatPromDuration(86'400'000'000'000 * 14), "2w");
  EXPECT_EQ(FormatPromDuration(86'400'000'000'000 * 15), "15d");
  EXPECT_EQ(FormatPromDuration(0), "0s");
  EXPECT_EQ(FormatGoDuration(5'400'000'000'000), "1h30m0s");
  EXPECT_EQ(FormatGoDuration(1'500'000'000), "1.5s");
  EXPECT_EQ(FormatGoDuration(300'000'000), "300ms");
  EXPECT_EQ(FormatGoDuration(1500), "1.5\xC2\xB5s");
  EXPECT_EQ(FormatGoDuration(0), "0s");
  EXPECT_EQ(FormatGoDuration(-60'000'000'000), "-1m0s");
}

TEST(LogqlGoTextTest, BytesAndFloats) {
  uint64_t b;
  EXPECT_TRUE(ParseHumanBytes("10KB", &b));
  EXPECT_EQ(b, 10000u);
  EXPECT_TRUE(ParseHumanBytes("1MiB", &b));
  EXPECT_EQ(b, 1048576u);
  EXPECT_TRUE(ParseHumanBytes("5 kb", &b));
  EXPECT_EQ(b, 5000u);
  EXPECT_TRUE(ParseHumanBytes("2Ki", &b));
  EXPECT_EQ(b, 2048u);
  EXPECT_FALSE(ParseHumanBytes("5ib", &b));
  EXPECT_FALSE(ParseHumanBytes("KB", &b));
  EXPECT_EQ(FormatHumanBytes(5), "5B");
  EXPECT_EQ(FormatHumanBytes(10000), "10kB");
  EXPECT_EQ(FormatHumanBytes(1048576), "1MiB");  // Loki: "1.0MB" (= 1000000)
  EXPECT_EQ(FormatHumanBytes(1500), "1.5kB");
  EXPECT_EQ(FormatHumanBytes(999999), "999999B");
  EXPECT_EQ(FormatHumanBytes(124000000), "124MB");
  // What Loki's querier compares with after its frontend re-prints the query.
  EXPECT_EQ(LokiFrontendBytes(10240), 10000u);  // 10KiB -> "10kB"
  EXPECT_EQ(LokiFrontendBytes(1024), 1000u);    // 1KiB -> "1.0kB"
  EXPECT_EQ(LokiFrontendBytes(1048576), 1000000u);
  EXPECT_EQ(LokiFrontendBytes(999999), 1000000u);  // "1000kB"
  EXPECT_EQ(LokiFrontendBytes(1500), 1500u);
  EXPECT_EQ(LokiFrontendBytes(5), 5u);
  EXPECT_EQ(LokiFrontendBytes(0), 0u);
  EXPECT_EQ(GoFormatFloatV(1e6), "1e+06");
  EXPECT_EQ(GoFormatFloatV(100000), "100000");
  EXPECT_EQ(GoFormatFloatV(0.0001), "0.0001");
  EXPECT_EQ(GoFormatFloatV(0.00001), "1e-05");
  EXPECT_EQ(GoFormatFloatV(-2.5), "-2.5");
  EXPECT_EQ(GoFormatFloatF(1e6), "1000000");
  EXPECT_EQ(GoQuote("a\"b\\c\n\x01\xff\xc3\xa9"), "\"a\\\"b\\\\c\\n\\x01\\xffé\"");
}

}  // namespace
}  // namespace sawmill::query::logql
