#include <gtest/gtest.h>

#include <functional>

#include "query/log/drop_keep.h"
#include "query/log/label_filter.h"
#include "query/log/regexp_parser.h"
#include "query/log/units.h"
#include "tests/query/log_test_util.h"

namespace sawmill::query::log {
namespace {

using testing::RunStages;
using testing::Stages;

constexpr std::string_view kStream = R"({app="web"})";

StagePtr Extract() {  // v=<value up to the end of the line>
  return std::move(RegexpParserStage("v=(?P<v>.*)")).value();
}

index::Matcher M(index::MatchType t, std::string name, std::string value) {
  return std::move(index::Matcher::Make(t, std::move(name), std::move(value))).value();
}

TEST(UnitsTest, GoParsers) {
  double f;
  std::string err;
  EXPECT_TRUE(ParseGoFloat("1.5e3", &f, &err));
  EXPECT_EQ(f, 1500);
  EXPECT_TRUE(ParseGoFloat("-Inf", &f, &err));
  EXPECT_FALSE(ParseGoFloat("error", &f, &err));
  EXPECT_EQ(err, R"(strconv.ParseFloat: parsing "error": invalid syntax)");
  EXPECT_FALSE(ParseGoFloat(" 1", &f, &err));
  EXPECT_FALSE(ParseGoFloat("1_0", &f, &err));
  int64_t d;
  EXPECT_TRUE(ParseGoDuration("1h30m", &d, &err));
  EXPECT_EQ(d, 5400000000000);
  EXPECT_TRUE(ParseGoDuration("1.5s", &d, &err));
  EXPECT_EQ(d, 1500000000);
  EXPECT_TRUE(ParseGoDuration("-250ms", &d, &err));
  EXPECT_EQ(d, -250000000);
  EXPECT_FALSE(ParseGoDuration("ms", &d, &err));
  EXPECT_EQ(err, R"(time: invalid duration "ms")");
  EXPECT_FALSE(ParseGoDuration("10", &d, &err));
  EXPECT_EQ(err, R"(time: missing unit in duration "10")");
  EXPECT_FALSE(ParseGoDuration("10x", &d, &err));
  EXPECT_EQ(err, R"(time: unknown unit "x" in duration "10x")");
  uint64_t b;
  EXPECT_TRUE(ParseHumanBytes("10KB", &b, &err));
  EXPECT_EQ(b, 10000u);
  EXPECT_TRUE(ParseHumanBytes("1MiB", &b, &err));
  EXPECT_EQ(b, 1048576u);
  EXPECT_TRUE(ParseHumanBytes("1.64 KB", &b, &err));
  EXPECT_EQ(b, 1640u);
  EXPECT_FALSE(ParseHumanBytes("B", &b, &err));
  EXPECT_EQ(err, R"(strconv.ParseFloat: parsing "": invalid syntax)");
  EXPECT_FALSE(ParseHumanBytes("5 XB", &b, &err));
  EXPECT_EQ(err, "unhandled size name: xb");
}

TEST(LabelFilterTest, Table) {
  struct Case {
    std::string name;
    std::function<StagePtr()> filter;
    std::string_view line;
    bool kept;
    std::string_view labels;
  };
  const Case cases[] = {
      {"num gt", [] { return NumericLabelFilter("v", CompareOp::kGt, 5); }, "v=6", true, ""},
      {"num le", [] { return NumericLabelFilter("v", CompareOp::kLe, 5); }, "v=6", false, ""},
      {"num eq float", [] { return NumericLabelFilter("v", CompareOp::kEq, 3200); }, "v=3200.0",
       true, ""},
      {"num not a number", [] { return NumericLabelFilter("v", CompareOp::kGt, 5); }, "v=error",
       true,
       R"({__error__="LabelFilterErr", __error_details__="strconv.ParseFloat: parsing \"error\": invalid syntax", app="web", v="error"})"},
      {"num missing label", [] { return NumericLabelFilter("w", CompareOp::kGt, 5); }, "v=6", false,
       ""},
      {"duration", [] { return DurationLabelFilter("v", CompareOp::kGe, 60000000000); }, "v=90s",
       true, ""},
      {"duration small", [] { return DurationLabelFilter("v", CompareOp::kGe, 60000000000); },
       "v=59s", false, ""},
      {"duration bad", [] { return DurationLabelFilter("v", CompareOp::kGe, 1); }, "v=ms", true,
       R"({__error__="LabelFilterErr", __error_details__="time: invalid duration \"ms\"", app="web", v="ms"})"},
      {"bytes", [] { return BytesLabelFilter("v", CompareOp::kGt, 10000); }, "v=12.5 KB", true, ""},
      {"bytes small", [] { return BytesLabelFilter("v", CompareOp::kGt, 10000); }, "v=9KB", false,
       ""},
      {"string eq", [] { return StringLabelFilter(M(index::MatchType::kEqual, "v", "a")); }, "v=a",
       true, ""},
      {"string re anchored",
       [] { return StringLabelFilter(M(index::MatchType::kRegexMatch, "v", "a")); }, "v=ab", false,
       ""},
      {"string absent is empty",
       [] { return StringLabelFilter(M(index::MatchType::kEqual, "w", "")); }, "v=ab", true, ""},
      {"ip", [] { return std::move(IpLabelFilter("v", true, "10.0.0.0/8")).value(); }, "v=10.1.2.3",
       true, ""},
      {"ip ne", [] { return std::move(IpLabelFilter("v", false, "10.0.0.0/8")).value(); },
       "v=10.1.2.3", false, ""},
      {"or",
       [] {
         return OrLabelFilter(NumericLabelFilter("v", CompareOp::kEq, 1),
                              NumericLabelFilter("v", CompareOp::kEq, 2));
       },
       "v=2", true, ""},
      {"and",
       [] {
         return AndLabelFilter(NumericLabelFilter("v", CompareOp::kGt, 1),
                               NumericLabelFilter("v", CompareOp::kLt, 2));
       },
       "v=2", false, ""},
      {"error then numeric keeps",
       [] {
         return AndLabelFilter(DurationLabelFilter("v", CompareOp::kGt, 1),
                               NumericLabelFilter("v", CompareOp::kLt, 0));
       },
       "v=abc", true,
       R"({__error__="LabelFilterErr", __error_details__="time: invalid duration \"abc\"", app="web", v="abc"})"},
      {"__error__ matcher",
       [] {
         return AndLabelFilter(NumericLabelFilter("v", CompareOp::kGt, 1),
                               StringLabelFilter(M(index::MatchType::kEqual, "__error__", "")));
       },
       "v=x", false, ""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    auto o = RunStages(Stages(Extract(), c.filter()), kStream, c.line);
    EXPECT_EQ(o.kept, c.kept);
    if (o.kept && !c.labels.empty()) {
      EXPECT_EQ(o.labels, c.labels);
    }
  }
}

TEST(DropKeepTest, Table) {
  auto drop = [](std::vector<LabelRef> refs) { return DropLabelsStage(std::move(refs)); };
  auto o = RunStages(Stages(Extract(), drop({{"v", {}}, {"app", {}}})), kStream, "v=1");
  EXPECT_EQ(o.labels, "{}");
  std::vector<LabelRef> refs;
  refs.push_back({"", M(index::MatchType::kEqual, "app", "web")});
  refs.push_back({"", M(index::MatchType::kRegexMatch, "v", "[2-9]")});
  o = RunStages(Stages(Extract(), drop(std::move(refs))), kStream, "v=1");
  EXPECT_EQ(o.labels, R"({v="1"})");
  // keep: only the listed labels, errors stay.
  std::vector<LabelRef> keep;
  keep.push_back({"v", {}});
  o = RunStages(Stages(Extract(), NumericLabelFilter("v", CompareOp::kGt, 1),
                       KeepLabelsStage(std::move(keep))),
                kStream, "v=x");
  EXPECT_EQ(
      o.labels,
      R"({__error__="LabelFilterErr", __error_details__="strconv.ParseFloat: parsing \"x\": invalid syntax", v="x"})");
  // drop __error__ and __error_details__.
  o = RunStages(Stages(Extract(), NumericLabelFilter("v", CompareOp::kGt, 1),
                       drop({{"__error__", {}}, {"__error_details__", {}}})),
                kStream, "v=x");
  EXPECT_EQ(o.labels, R"({app="web", v="x"})");
}

TEST(DecolorizeTest, StripsAnsi) {
  auto o = RunStages(Stages(DecolorizeStage()), kStream, "\x1b[31mred\x1b[0m plain \x1b[1;32mok");
  EXPECT_EQ(o.line, "red plain ok");
  o = RunStages(Stages(DecolorizeStage()), kStream, "no colors");
  EXPECT_EQ(o.line, "no colors");
}

}  // namespace
}  // namespace sawmill::query::log
