#include "index/labels.h"

#include <gtest/gtest.h>

#include <string>

namespace sawmill::index {
namespace {

TEST(LabelsTest, ParsesAndPrintsCanonically) {
  struct Case {
    std::string_view input;
    std::string_view want;
  };
  const Case cases[] = {
      {R"({})", R"({})"},
      {R"(  {  }  )", R"({})"},
      {R"({app="web"})", R"({app="web"})"},
      {R"({env="prod", app="web"})", R"({app="web", env="prod"})"},
      {R"({ env = "prod" ,app="web" , })", R"({app="web", env="prod"})"},
      {"{\n\tapp=\"web\"\n}", R"({app="web"})"},
      {R"({a="q\"uote", b="back\\slash", c="new\nline"})",
       R"({a="q\"uote", b="back\\slash", c="new\nline"})"},
      {R"({a="tab\there"})", R"({a="tab\there"})"},
      {R"({a='single "quoted"'})", R"({a="single \"quoted\""})"},
      {R"({a=`raw \n`})", R"({a="raw \\n"})"},
      {R"({a="\x41\u00e9\U0001F600\101"})", "{a=\"A\u00e9\U0001F600A\"}"},
      {R"({a="\x01"})", R"({a="\x01"})"},
      {R"({_x9="1", Z="2"})", R"({Z="2", _x9="1"})"},
      {R"({a="", b="1"})", R"({b="1"})"},  // empty value = no label
      {"{a=\"caf\xc3\xa9\"}", "{a=\"caf\xc3\xa9\"}"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.input);
    auto ls = LabelSet::Parse(c.input);
    ASSERT_TRUE(ls.ok()) << ls.status().ToString();
    EXPECT_EQ(ls->ToString(), c.want);
    // Printing is a fixed point.
    auto again = LabelSet::Parse(ls->ToString());
    ASSERT_TRUE(again.ok()) << again.status().ToString();
    EXPECT_EQ(*again, *ls);
    EXPECT_EQ(again->Fingerprint(), ls->Fingerprint());
  }
}

TEST(LabelsTest, RefusesMalformedInput) {
  struct Case {
    std::string_view input;
    std::string_view want_substr;
  };
  const Case cases[] = {
      {"", "col 1: unexpected end of input"},
      {"app=\"x\"", "col 1: expected '{'"},
      {"{app=\"x\"", "unexpected end of input"},
      {"{app=\"x\"}}", "col 10: unexpected characters after '}'"},
      {"{1app=\"x\"}", "col 2: invalid label name"},
      {"{a-b=\"x\"}", "col 3: expected '='"},
      {"{=\"x\"}", "col 2: expected a label name"},
      {"{app=x}", "col 6: expected a quoted label value"},
      {"{app=\"x\" env=\"y\"}", "col 10: expected ',' or '}'"},
      {"{app=\"x}", "unterminated quoted string"},
      {"{app=\"x\ny\"}", "unterminated quoted string"},
      {"{app=\"\\q\"}", "unknown escape sequence"},
      {"{app=\"\\xZZ\"}", "invalid escape sequence"},
      {"{app=\"\\uD800\"}", "invalid Unicode code point"},
      {"{app='\\\"'}", "unknown escape sequence"},
      {"{app=\"\xff\"}", "col 6: invalid UTF-8"},
      {"{app=\"\xc0\xaf\"}", "invalid UTF-8"},      // overlong '/'
      {"{app=\"\xed\xa0\x80\"}", "invalid UTF-8"},  // surrogate
      {"{app=\"\\xff\"}", "invalid UTF-8"},         // escapes cannot smuggle bad bytes
      {"{app=\"a\", app=\"b\"}", "has duplicate label name: 'app'"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.input);
    auto ls = LabelSet::Parse(c.input);
    ASSERT_FALSE(ls.ok());
    EXPECT_TRUE(ls.status().IsInvalidArgument());
    EXPECT_NE(ls.status().message().find(c.want_substr), std::string::npos)
        << ls.status().message();
  }
}

TEST(LabelsTest, UsesLokiWording) {
  auto dup = LabelSet::Parse(R"({app="a", app="b"})");
  EXPECT_EQ(dup.status().message(),
            R"(stream '{app="a", app="b"}' has duplicate label name: 'app')");
  auto bad = LabelSet::Parse(R"({app=})");
  EXPECT_EQ(bad.status().message().rfind("error parsing labels: parse error at line 1, col 6:", 0),
            0u)
      << bad.status().message();
}

TEST(LabelsTest, FromLabelsValidatesAndSorts) {
  auto ok = LabelSet::FromLabels({{"b", "2"}, {"a", "1"}, {"c", ""}});
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->ToString(), R"({a="1", b="2"})");
  EXPECT_EQ(ok->Get("a"), "1");
  EXPECT_EQ(ok->Get("c"), "");
  EXPECT_EQ(ok->Get("zz"), "");
  EXPECT_FALSE(LabelSet::FromLabels({{"9a", "x"}}).ok());
  EXPECT_FALSE(LabelSet::FromLabels({{"", "x"}}).ok());
  EXPECT_FALSE(LabelSet::FromLabels({{"a", "\xfe"}}).ok());
  auto dup = LabelSet::FromLabels({{"a", "1"}, {"a", "2"}});
  ASSERT_FALSE(dup.ok());
  EXPECT_NE(dup.status().message().find("duplicate label name: 'a'"), std::string::npos);
}

TEST(LabelsTest, ParsesTenThousandLabels) {
  std::string text = "{";
  for (int i = 0; i < 10000; ++i) {
    if (i > 0) text += ", ";
    text += "l" + std::to_string(i) + "=\"v" + std::to_string(i) + "\"";
  }
  text += "}";
  auto ls = LabelSet::Parse(text);
  ASSERT_TRUE(ls.ok()) << ls.status().ToString();
  EXPECT_EQ(ls->size(), 10000u);
  EXPECT_EQ(ls->Get("l9999"), "v9999");
  // The same with a duplicate at the end: refused with a bounded message.
  text.back() = ',';
  text += " l0=\"again\"}";
  auto dup = LabelSet::Parse(text);
  ASSERT_FALSE(dup.ok());
  EXPECT_LT(dup.status().message().size(), 400u);
}

TEST(LabelsTest, FingerprintIsXxHash64OfPairs) {
  // xxHash64 of "" with seed 0 is the published ef46db3751d8e999.
  EXPECT_EQ(FingerprintLabels({}), 0xef46db3751d8e999ULL);
  auto a = LabelSet::Parse(R"({app="web", env="prod"})");
  auto b = LabelSet::Parse(R"({env="prod",app="web"})");
  auto c = LabelSet::Parse(R"({app="webenv", env="prod"})");
  auto d = LabelSet::Parse(R"({app="web", env="prod2"})");
  EXPECT_EQ(a->Fingerprint(), b->Fingerprint());
  EXPECT_NE(a->Fingerprint(), c->Fingerprint());
  EXPECT_NE(a->Fingerprint(), d->Fingerprint());
  // Separators keep name/value boundaries apart.
  auto e = LabelSet::FromLabels({{"ab", "c"}});
  auto f = LabelSet::FromLabels({{"a", "bc"}});
  EXPECT_NE(e->Fingerprint(), f->Fingerprint());
}

TEST(LabelsTest, Utf8Validation) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("plain"));
  EXPECT_TRUE(IsValidUtf8("\xe2\x82\xac \xf0\x9f\x98\x80"));
  EXPECT_FALSE(IsValidUtf8("\x80"));
  EXPECT_FALSE(IsValidUtf8("\xe2\x82"));          // truncated
  EXPECT_FALSE(IsValidUtf8("\xf4\x90\x80\x80"));  // > U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xe0\x80\xaf"));      // overlong
}

}  // namespace
}  // namespace sawmill::index
