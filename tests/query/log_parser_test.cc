#include <gtest/gtest.h>

#include "query/log/json_parser.h"
#include "query/log/label_name.h"
#include "query/log/logfmt_parser.h"
#include "query/log/logfmt_picker.h"
#include "query/log/regexp_parser.h"
#include "storage/metadata.h"
#include "tests/query/log_test_util.h"

namespace sawmill::query::log {
namespace {

using testing::RunStages;
using testing::Stages;

constexpr std::string_view kStream = R"({app="web", level="info"})";

TEST(LabelNameTest, SanitizesAsLoki) {
  EXPECT_EQ(SanitizeLabelName("a.b-c"), "a_b_c");
  EXPECT_EQ(SanitizeLabelName(" 03-17 "), "_03_17");
  EXPECT_EQ(SanitizeLabelName("caf\xc3\xa9"), "caf_");
  EXPECT_EQ(SanitizeLabelName("x\xff"), "x_");
  EXPECT_EQ(SanitizeLabelName("release:lock"), "release_lock");
}

TEST(JsonParserTest, Table) {
  struct Case {
    std::string_view line, want;
  };
  const Case cases[] = {
      {R"({"a":"b","n":1.5,"t":true,"z":null,"arr":[1,2]})",
       R"({a="b", app="web", level="info", n="1.5", t="true"})"},
      {R"({"a":{"b":{"c":"d"}},"e f":"g"})", R"({a_b_c="d", app="web", e_f="g", level="info"})"},
      // only the full flattened name is checked against the stream labels, as Loki does
      {R"({"level":"error","app":{"x":"y"}})",
       R"({app="web", app_x="y", level="info", level_extracted="error"})"},
      {R"({"app":"x"})", R"({app="web", app_extracted="x", level="info"})"},
      {R"({"esc":"a\"b\u00e9\n"})", "{app=\"web\", esc=\"a\\\"b\xc3\xa9\\n\", level=\"info\"}"},
      {R"({"bad":"\x"})", R"({app="web", bad="", level="info"})"},
      {R"({"1x":"v"})", R"({_1x="v", app="web", level="info"})"},
      {"[Mon Dec 05] x",
       R"({__error__="JSONParserErr", __error_details__="Value looks like object, but can't find closing '}' symbol", app="web", level="info"})"},
      {R"({"a":"b", "c")",
       R"({__error__="JSONParserErr", __error_details__="Malformed JSON error", a="b", app="web", level="info"})"},
      {R"({"a":"b" x)",
       R"({__error__="JSONParserErr", __error_details__="Value looks like object, but can't find closing '}' symbol", a="b", app="web", level="info"})"},
      {R"({"a":tru})",
       R"({__error__="JSONParserErr", __error_details__="Unknown value type", app="web", level="info"})"},
      {R"({})", R"({app="web", level="info"})"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.line);
    auto o = RunStages(Stages(JsonParserStage()), kStream, c.line);
    EXPECT_TRUE(o.kept);
    EXPECT_EQ(o.line, c.line);
    EXPECT_EQ(o.labels, c.want);
  }
}

TEST(JsonParserTest, Expressions) {
  auto stage = JsonExpressionParserStage({{"x", "a.b"},
                                          {"y", "arr[1]"},
                                          {"z", "missing"},
                                          {"w", "obj"},
                                          {"level", "lvl"},
                                          {"q", R"(["key with space"])"}});
  ASSERT_TRUE(stage.ok()) << stage.status().ToString();
  auto o = RunStages(
      Stages(std::move(stage).value()), kStream,
      R"({"a":{"b":"c\"d"},"arr":[1,"two",3],"obj":{"k":[1]},"lvl":"warn","key with space":7})");
  EXPECT_EQ(
      o.labels,
      R"({app="web", level="info", level_extracted="warn", q="7", w="{\"k\":[1]}", x="c\\\"d", y="two", z=""})");
  auto err = RunStages(Stages(std::move(JsonExpressionParserStage({{"s", "steps"}})).value()),
                       kStream, "20171223|Step|REPORT");
  EXPECT_EQ(err.labels, R"({__error__="JSONParserErr", app="web", level="info"})");
  EXPECT_FALSE(JsonExpressionParserStage({{"bad-name", "a"}}).ok());
  EXPECT_FALSE(JsonExpressionParserStage({{"x", "a..b"}}).ok());
}

TEST(UnpackParserTest, Table) {
  auto o = RunStages(Stages(UnpackParserStage()), kStream,
                     R"({"_entry":"the \"line\"","pod":"p1","level":"debug","n":3})");
  EXPECT_EQ(o.line, R"(the "line")");
  EXPECT_EQ(o.labels, R"({app="web", level="info", level_extracted="debug", pod="p1"})");
  o = RunStages(Stages(UnpackParserStage()), kStream, "459286 node-208 not responding");
  EXPECT_EQ(
      o.labels,
      R"({__error__="JSONParserErr", __error_details__="expecting json object(6), but it is not", app="web", level="info"})");
}

TEST(LogfmtParserTest, Table) {
  struct Case {
    std::string_view line, want;
  };
  const Case cases[] = {
      {"a=b c=\"d e\" f", R"({a="b", app="web", c="d e", f="", level="info"})"},
      {"level=error msg=\"quoted \\\"x\\\"\"",
       R"({app="web", level="info", level_extracted="error", msg="quoted \"x\""})"},
      {"a.b=1 2x=3", R"({_2x="3", a_b="1", app="web", level="info"})"},
      // android line from the conformance set: error at the stray quote, labels before kept
      {"03-17 16:13:38.905  1702 10454 D PowerManagerService: release:lock=233570404, "
       "flg=0x0, tag=\"View Lock\", name=com.android.systemui\", ws=null",
       R"({D="", PowerManagerService_="", _="", _03_17="", _10454="", _16_13_38_905="", _1702="", __error__="LogfmtParserErr", __error_details__="logfmt syntax error at pos 130 : unexpected '\"'", app="web", flg="0x0,", level="info", release_lock="233570404,", tag="View Lock"})"},
      {"a=\"unterminated",
       R"({__error__="LogfmtParserErr", __error_details__="logfmt syntax error at pos 16 : unterminated quoted value", app="web", level="info"})"},
      {"=x",
       R"({__error__="LogfmtParserErr", __error_details__="logfmt syntax error at pos 1 : unexpected '='", app="web", level="info"})"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.line);
    auto o = RunStages(Stages(LogfmtParserStage()), kStream, c.line);
    EXPECT_EQ(o.labels, c.want);
  }
}

// The unwrap fast path's scanner: the last value of each wanted name as the logfmt stage
// would set it, or "general" where the stage would set __error__ or a "__" label. Keys and
// values longer than 16 bytes go through the vector loops.
TEST(LogfmtPickerTest, PicksWhatTheStageSets) {
  struct Case {
    std::string_view line, want;
  };
  const Case cases[] = {
      {"took=1s level=info", "took=1s level=info a_b="},
      {"level=info", "took= level=info a_b="},
      {"took=1s took=3s took", "took= level= a_b="},  // a bare key last: empty
      {"took=1s took= level=x", "took= level=x a_b="},
      {"xtook=9s took_x=8s a=\"took=7s\" a.b=1 took=250ms", "took=250ms level= a_b=1"},
      {"a_very_long_key_name_over_16=x took=\"a \\\"quoted\\\" value\"",
       "took=a \"quoted\" value level= a_b="},
      {"took=\"2\\u0073\" msg=\"it\\'s \\u00e9 \\\\ \\/\" level=\"x\\ty\"",
       "took=2s level=x\ty a_b="},
      {"   took=1s      level=a_value_longer_than_sixteen_bytes   ",
       "took=1s level=a_value_longer_than_sixteen_bytes a_b="},
      {"took=1s\xff level=caf\xc3\xa9", "took= level=caf\xc3\xa9 a_b="},  // invalid UTF-8: ""
      {"msg=\"a\"b=c took=2s", "took=2s level= a_b="},
      {"took=1s __error__=x", "general"},
      {"took=1s _\xc3\xa9x=1", "general"},  // sanitised to "__x"
      {"took=1s t\xffook=1s", "general"},   // invalid key
      {"took=1s =x", "general"},
      {"took=1s a\"b=c", "general"},
      {"took=1s level=in\"fo", "general"},
      {"took=1s level=in=fo", "general"},
      {"took=1s msg=\"unterminated", "general"},
      {"took=1s msg=\"unterminated and longer than sixteen bytes\\\"", "general"},
      {"took=1s msg=\"bad \\q escape\"", "general"},
      {"took=1s msg=\"escape and control \\\" \x01\"", "general"},
      {"took=1s msg=\"control without escape \x01\"", "took=1s level= a_b="},
  };
  const std::vector<std::string> names = {"took", "level", "a_b"};
  LogfmtPicker picker(names);
  for (const Case& c : cases) {
    SCOPED_TRACE(c.line);
    std::string got = "general";
    if (picker.Pick(c.line)) {
      got = "took=" + std::string(picker.value(0)) + " level=" + std::string(picker.value(1)) +
            " a_b=" + std::string(picker.value(2));
    }
    EXPECT_EQ(got, c.want);
  }
}

TEST(LogfmtParserTest, Loki3Flags) {
  const std::string_view line = "a=1 b= =x c=\"q\" d";
  auto strict = RunStages(Stages(LogfmtParserStage({.strict = true})), kStream, line);
  EXPECT_EQ(
      strict.labels,
      R"({__error__="LogfmtParserErr", __error_details__="logfmt syntax error at pos 8 : unexpected '='", a="1", app="web", level="info"})");
  auto keep = RunStages(Stages(LogfmtParserStage({.keep_empty = true})), kStream, line);
  EXPECT_EQ(keep.labels, R"({a="1", app="web", b="", c="q", d="", level="info"})");
}

TEST(LogfmtParserTest, Expressions) {
  auto stage = LogfmtExpressionParserStage({{"rhost", "rhost"}, {"tty", "tty"}, {"u", "user"}});
  ASSERT_TRUE(stage.ok());
  auto o = RunStages(
      Stages(std::move(stage).value()), kStream,
      "authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=1.2.3.4 user=root");
  EXPECT_EQ(o.labels, R"({app="web", level="info", rhost="1.2.3.4", tty="ssh", u="root"})");
}

TEST(RegexpParserTest, Table) {
  auto stage = RegexpParserStage(R"(^(?P<date>\d{6}) (?P<pid>\d+) (?P<level>\w+)(?P<opt>x)?)");
  ASSERT_TRUE(stage.ok());
  auto o = RunStages(Stages(std::move(stage).value()), kStream, "081109 203615 INFO dfs");
  EXPECT_EQ(
      o.labels,
      R"({app="web", date="081109", level="info", level_extracted="INFO", opt="", pid="203615"})");
  auto nomatch =
      RunStages(Stages(std::move(RegexpParserStage("(?P<x>zzz)")).value()), kStream, "abc");
  EXPECT_EQ(nomatch.labels, R"({app="web", level="info"})");
  EXPECT_EQ(RegexpParserStage("(a)").status().message(),
            "at least one named capture must be supplied");
  EXPECT_FALSE(RegexpParserStage("(?P<x>").ok());
}

TEST(PatternParserTest, Table) {
  auto stage = PatternParserStage("<_> - <level> [<thread>] - <msg>");
  ASSERT_TRUE(stage.ok());
  auto o = RunStages(Stages(std::move(stage).value()), kStream,
                     "2015-07-29 19:35:11,461 - WARN  [RecvWorker:1] - Connection broken");
  EXPECT_EQ(
      o.labels,
      R"({app="web", level="info", level_extracted="WARN ", msg="Connection broken", thread="RecvWorker:1"})");
}

TEST(StructuredMetadataTest, VisibleToStagesAndCategorized) {
  std::string md = storage::EncodeMetadata({{"trace_id", "abc"}});
  auto labels = index::LabelSet::Parse(kStream);
  ASSERT_TRUE(labels.ok());
  auto pipeline = NewStagePipeline(Stages(LogfmtParserStage()));
  auto sp = pipeline->ForStream(*labels);
  LineResult r;
  ASSERT_TRUE(sp->Process(0, "trace_id=x k=v", md, &r));
  EXPECT_EQ(r.labels->ToString(),
            R"({app="web", k="v", level="info", trace_id="abc", trace_id_extracted="x"})");
  EXPECT_EQ(r.stream->ToString(), R"({app="web", level="info"})");
  ASSERT_EQ(r.structured_metadata.size(), 1u);
  EXPECT_EQ(r.structured_metadata[0].name, "trace_id");
  ASSERT_EQ(r.parsed.size(), 2u);
  EXPECT_EQ(r.parsed[0].name, "k");
  // The same result again comes from the cache: same pointer.
  const index::LabelSet* first = r.labels;
  ASSERT_TRUE(sp->Process(1, "trace_id=x k=v", md, &r));
  EXPECT_EQ(r.labels, first);
}

}  // namespace
}  // namespace sawmill::query::log
