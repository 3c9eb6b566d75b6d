// Unit tests of sawcli's parsers and formatters: label sets (logcli's printing and set
// arithmetic, the --labels parser), Go-style times and durations, flags, push timestamps.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tools/sawcli/flags.h"
#include "tools/sawcli/index_commands.h"
#include "tools/sawcli/label_set.h"
#include "tools/sawcli/line_timestamp.h"
#include "tools/sawcli/printer.h"
#include "tools/sawcli/time_text.h"

namespace sawmill::sawcli {
namespace {

TEST(LabelSetTest, PrintsLikeGoAndParsesBack) {
  struct Case {
    std::string input;
    std::string want;
  };
  const Case cases[] = {
      {"{}", "{}"},
      {R"({b="2", a="1"})", R"({a="1", b="2"})"},
      {R"( { job = "x\"y" , path="C:\\dir" } )", R"({job="x\"y", path="C:\\dir"})"},
      {R"({msg="tab\there\nnl"})", R"({msg="tab\there\nnl"})"},
      {R"({u="héllo"})", R"({u="héllo"})"},
      {R"({c="\x01"})", R"({c="\x01"})"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.input);
    Result<LabelSet> ls = LabelSet::Parse(c.input);
    ASSERT_TRUE(ls.ok()) << ls.status().ToString();
    EXPECT_EQ(ls->String(), c.want);
    Result<LabelSet> again = LabelSet::Parse(ls->String());
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(*again, *ls);
  }
}

TEST(LabelSetTest, RefusesMalformedInputWithAPosition) {
  const std::string bad[] = {"",
                             "job=\"a\"",
                             "{job}",
                             "{job=a}",
                             "{job=\"a\"",
                             "{1a=\"b\"}",
                             "{a=\"b\",}x",
                             "{a=\"b\", a=\"c\"}",
                             "{a=\"\\q\"}",
                             "{a=\"b\"} trailing"};
  for (const std::string& input : bad) {
    SCOPED_TRACE(input);
    Result<LabelSet> ls = LabelSet::Parse(input);
    EXPECT_FALSE(ls.ok());
  }
  EXPECT_EQ(LabelSet::Parse("{job=a}").status().message(), "expected a quoted value at col 6");
}

TEST(LabelSetTest, CommonLabelsAndFilters) {
  LabelSet a({{"env", "x"}, {"job", "a"}, {"pod", "1"}});
  LabelSet b({{"env", "x"}, {"job", "b"}, {"pod", "1"}});
  const LabelSet common = a.Intersect(b);
  EXPECT_EQ(common.String(), R"({env="x", pod="1"})");
  EXPECT_EQ(a.Subtract(common).String(), R"({job="a"})");
  EXPECT_EQ(a.Filter({"job", "pod"}, true).String(), R"({job="a", pod="1"})");
  EXPECT_EQ(a.Filter({"job"}, false).String(), R"({env="x", pod="1"})");
}

TEST(TimeTextTest, FormatsAndParsesRfc3339) {
  const int64_t ns = 1700000000'123450000;
  EXPECT_EQ(FormatRfc3339(ns, TimeZone::kUtc), "2023-11-14T22:13:20Z");
  EXPECT_EQ(FormatRfc3339Nano(ns, TimeZone::kUtc), "2023-11-14T22:13:20.12345Z");
  EXPECT_EQ(FormatRfc3339Nano(1700000000'000000000, TimeZone::kUtc), "2023-11-14T22:13:20Z");
  EXPECT_EQ(*ParseRfc3339("2023-11-14T22:13:20.12345Z"), ns);
  EXPECT_EQ(*ParseRfc3339("2023-11-14T23:13:20.12345+01:00"), ns);
  EXPECT_EQ(*ParseRfc3339("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(*ParseRfc3339("1969-12-31T23:59:59Z"), -1'000'000'000);
  for (const char* bad : {"", "2023-11-14", "2023-11-14T22:13:20", "2023-13-14T22:13:20Z",
                          "2023-11-14T22:13:20.Z", "2023-11-14T22:13:20Zjunk", "now"}) {
    SCOPED_TRACE(bad);
    EXPECT_FALSE(ParseRfc3339(bad).ok());
  }
}

TEST(TimeTextTest, ParsesGoDurations) {
  EXPECT_EQ(*ParseGoDuration("1h"), 3600'000'000'000);
  EXPECT_EQ(*ParseGoDuration("1h30m"), 5400'000'000'000);
  EXPECT_EQ(*ParseGoDuration("1.5s"), 1'500'000'000);
  EXPECT_EQ(*ParseGoDuration("250ms"), 250'000'000);
  EXPECT_EQ(*ParseGoDuration("2d"), 172800'000'000'000);
  EXPECT_EQ(*ParseGoDuration("0"), 0);
  for (const char* bad : {"", "h", "10", "-1h", "1x", "1h-", "99999999999h"}) {
    SCOPED_TRACE(bad);
    EXPECT_FALSE(ParseGoDuration(bad).ok());
  }
  EXPECT_EQ(FormatSeconds(60'000'000'000), "60");
  EXPECT_EQ(FormatSeconds(1'500'000'000), "1.5");
}

TEST(FlagSetTest, ParsesLogcliStyleFlags) {
  bool quiet = false, forward = true;
  std::string output = "default", addr = "http://localhost:3100";
  int64_t limit = 30, since = 0;
  std::vector<std::string> exclude;
  FlagSet flags;
  flags.AddBool("quiet", 'q', "", &quiet);
  flags.AddBool("forward", 0, "", &forward);
  flags.AddString("output", 'o', "", &output);
  flags.AddString("addr", 0, "", &addr, "SAWCLI_UNIT_TEST_ADDR");
  flags.AddInt("limit", "", &limit);
  flags.AddDuration("since", "", &since);
  flags.AddList("exclude-label", "", &exclude);
  std::vector<std::string> positional;
  bool help = false;
  setenv("SAWCLI_UNIT_TEST_ADDR", "http://from-env:1", 1);
  Status s = flags.Parse(
      {"-q", "query", "-o", "raw", "--limit=5", "--since", "2h", "--no-forward",
       "--exclude-label=a", "--exclude-label", "b", "--", "-x"},
      [&](const std::string& p) {
        positional.push_back(p);
        return Status::OK();
      },
      &help);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_TRUE(quiet);
  EXPECT_FALSE(forward);
  EXPECT_EQ(output, "raw");
  EXPECT_EQ(limit, 5);
  EXPECT_EQ(since, 7200'000'000'000);
  EXPECT_EQ(addr, "http://from-env:1");
  EXPECT_EQ(exclude, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(positional, (std::vector<std::string>{"query", "-x"}));

  FlagSet again;
  again.AddString("addr", 0, "", &addr, "SAWCLI_UNIT_TEST_ADDR");
  again.AddInt("limit", "", &limit);
  ASSERT_TRUE(
      again
          .Parse(
              {"--addr=http://flag:2"}, [](const std::string&) { return Status::OK(); }, &help)
          .ok());
  EXPECT_EQ(addr, "http://flag:2");  // the flag wins over the environment
  EXPECT_FALSE(again
                   .Parse(
                       {"--limit=x"}, [](const std::string&) { return Status::OK(); }, &help)
                   .ok());
  EXPECT_FALSE(again
                   .Parse(
                       {"--limit"}, [](const std::string&) { return Status::OK(); }, &help)
                   .ok());
  unsetenv("SAWCLI_UNIT_TEST_ADDR");
}

TEST(PushTest, ReadsLineTimestamps) {
  EXPECT_EQ(*ParseLineTimestamp("2023-11-14T22:13:20Z msg", TimestampFormat::kRfc3339),
            1700000000'000000000);
  EXPECT_EQ(*ParseLineTimestamp("1700000000 msg", TimestampFormat::kUnix), 1700000000'000000000);
  EXPECT_EQ(*ParseLineTimestamp("1700000000.5\tmsg", TimestampFormat::kUnix), 1700000000'500000000);
  EXPECT_EQ(*ParseLineTimestamp("1700000000123 msg", TimestampFormat::kUnixMs),
            1700000000'123000000);
  EXPECT_EQ(*ParseLineTimestamp("1700000000123456 msg", TimestampFormat::kUnixUs),
            1700000000'123456000);
  EXPECT_EQ(*ParseLineTimestamp("1700000000123456789", TimestampFormat::kUnixNs),
            1700000000'123456789);
  EXPECT_FALSE(ParseLineTimestamp("  at java.lang.Thread", TimestampFormat::kUnixMs).ok());
  EXPECT_FALSE(ParseLineTimestamp("99999999999999999999 x", TimestampFormat::kUnixNs).ok());
}

TEST(PrinterTest, EscapesJsonLikeGo) {
  std::string out;
  AppendGoJsonString("a\"b\\c\n<&>\x01", &out);
  EXPECT_EQ(out, R"("a\"b\\c\n\u003c\u0026\u003e\u0001")");
  EXPECT_EQ(HumanBytes(0), "0B");
  EXPECT_EQ(HumanBytes(999), "999B");
  EXPECT_EQ(HumanBytes(1234), "1.2kB");
  EXPECT_EQ(HumanBytes(12345), "12kB");
  EXPECT_EQ(HumanBytes(1'500'000'000), "1.5GB");
}

}  // namespace
}  // namespace sawmill::sawcli
