#include <gtest/gtest.h>

#include "query/log/go_format.h"
#include "query/log/line_format.h"
#include "query/log/regexp_parser.h"
#include "query/log/template_parser.h"
#include "tests/query/log_test_util.h"

namespace sawmill::query::log {
namespace {

using testing::RunStages;
using testing::Stages;

constexpr std::string_view kStream = R"({env="prod", host="host-1", job="mac"})";

std::string Format(std::string_view tmpl, std::string_view line, std::string* labels = nullptr,
                   int64_t ts = 1795111200123456789) {
  auto stage = LineFormatStage(tmpl);
  EXPECT_TRUE(stage.ok()) << stage.status().ToString();
  if (!stage.ok()) return "";
  auto extract = std::move(RegexpParserStage(R"((?P<a>\d+) (?P<b>\d+))")).value();
  auto o = RunStages(Stages(std::move(extract), std::move(stage).value()), kStream, line, ts);
  if (labels != nullptr) *labels = o.labels;
  return o.line;
}

TEST(TemplateTest, ConformanceTemplates) {
  struct Case {
    std::string_view tmpl, line, want;
  };
  const Case cases[] = {
      {"{{.a}}", "12 34", "12"},
      {"{{ .a }}-{{.b}}", "12 34", "12-34"},
      {R"({{ printf "%06d" (int .a) }})", "12 34", "000012"},
      {R"({{ regexReplaceAll "[0-9]+" __line__ "N" }})", "node 12 down 7", "node N down N"},
      {R"({{ if eq .env "prod" }}P{{ else }}{{ .env | upper }}{{ end }} {{ .host }})", "x",
       "P host-1"},
      {R"({{ if eq .env "dev" }}D{{ else if eq .env "prod" }}{{ .job | upper }}{{ end }})", "x",
       "MAC"},
      {"{{ __line__ | trunc 5 | upper }}", "reverse mapping", "REVER"},
      {"{{ __line__ | trunc -3 }}", "reverse mapping", "ing"},
      {"{{ __timestamp__ | unixEpochNanos }}", "x", "1795111200123456789"},
      {"{{ __timestamp__ | unixEpochMillis }}", "x", "1795111200123"},
      {"{{ __timestamp__ | unixEpoch }}", "x", "1795111200"},
      {R"({{ __line__ | count "blk_" }})", "blk_1 blk_2 x", "2"},
      {R"({{ .job | title }}|{{ __line__ | substr 2 6 | trim }})", "ab cd efgh", "Mac|cd"},
      {R"({{ add .a .b }} {{ div .b 10 }} {{ .missing | default "n/a" }})", "12 34", "46 3 n/a"},
      {"{{ .env }}:{{ .host }}", "x", "prod:host-1"},
      {R"({{ __line__ | replace "session closed" "CLOSED" | trimPrefix "Jun " }})",
       "Jun session closed for x", "CLOSED for x"},
      {"{{ __line__ | b64enc }}", "hello", "aGVsbG8="},
      {"{{ __line__ | b64dec }}", "aGVsbG8=", "hello"},
      {R"({{ .a | repeat 2 }} {{ "gige12" | trimAll "gie" }})", "12 34", "1212 12"},
      {"{{.missing}}|{{ .missing | upper }}", "x", "|"},  // Loki: missingkey=zero
      {"{{- .a -}} \n {{- .b }}", "12 34", "1234"},
      {"a{{/* comment */}}b", "x", "ab"},
      {"{{ $x := .a }}{{ $x }}{{ $x = .b }}{{ $x }}", "12 34", "1234"},
      {"{{ with .a }}[{{ . }}]{{ end }}{{ with .missing }}no{{ else }}none{{ end }}", "12 34",
       "[12]none"},
      {R"({{ range $i, $e := fromJson __line__ }}{{ $i }}={{ $e }};{{ end }})",
       R"({"x":1,"y":"z"})", "x=1;y=z;"},
      {R"({{ (fromJson __line__).a.b }})", R"({"a":{"b":[1,2]}})", "[1 2]"},
      {"{{ mulf 1.5 2 }} {{ divf 1 4 }} {{ addf 1 2 }} {{ 1000000.0 }} {{ 0.1 }}", "x",
       "3 0.25 3 1e+06 0.1"},
      {"{{ max 1 5 3 }} {{ min 4 2 }} {{ mod 7 3 }} {{ sub 1 3 }} {{ mul 2 3 4 }}", "x",
       "5 2 1 -2 24"},
      {"{{ ceil 1.2 }} {{ floor 1.8 }} {{ round 1.2345 2 }}", "x", "2 1 1.23"},
      {R"({{ and .a .b }} {{ or .missing "d" }} {{ not true }} {{ len __line__ }})", "12 34",
       "34 d false 5"},
      {R"({{ if and (gt (int .a) 10) (lt (int .b) 40) }}yes{{ end }})", "12 34", "yes"},
      {R"({{ "a b" | urlencode }} {{ "a+b%21" | urldecode }})", "x", "a+b a b!"},
      {R"({{ alignLeft 5 "ab" }}|{{ alignRight 5 "ab" }}|{{ alignLeft 1 "ab" }})", "x",
       "ab   |   ab|a"},
      {R"({{ "10KB" | bytes }} {{ "1m30s" | duration }})", "x", "10000 90"},
      {R"({{ toDate "2006-01-02" "2024-03-05" | date "02/01/2006 15:04" }})", "x",
       "05/03/2024 00:00"},
      {R"({{ unixToTime "1700000000" | unixEpoch }})", "x", "1700000000"},
      {R"({{ __timestamp__ }})", "x", "2026-11-19 18:00:00.123456789 +0000 UTC"},
      {R"({{ indent 2 "a\nb" }}|{{ "x" | nindent 1 }})", "x", "  a\n  b|\n x"},
      {R"({{ contains "b" "abc" }} {{ hasPrefix "a" "abc" }} {{ hasSuffix "x" "abc" }})", "x",
       "true true false"},
      {R"x({{ regexReplaceAll "(\\w+)@(\\w+)" __line__ "${2}:$1" }})x", "me@host you@there",
       "host:me there:you"},
      {R"({{ regexReplaceAllLiteral "a+" __line__ "$1" }})", "baaad", "b$1d"},
      {R"({{ ToUpper "x" }}{{ Replace "aaa" "a" "b" 2 }}{{ TrimSpace "  y " }}{{ TrimPrefix "pre-z" "pre-" }})",
       "x", "Xbbayz"},
      {R"({{ printf "%s=%d %.2f %q %v %5s|%-3d|" "k" 42 3.14159 "q" true "r" 7 }})", "x",
       "k=42 3.14 \"q\" true     r|7  |"},
      {R"({{ index (fromJson "[10,20]") 1 }})", "x", "20"},
      // Go's int64 arithmetic wraps; out-of-range float conversions give MinInt64 (amd64).
      {"{{ add 9223372036854775807 1 }} {{ div -9223372036854775808 -1 }} {{ int 1e300 }}", "x",
       "-9223372036854775808 -9223372036854775808 -9223372036854775808"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.tmpl);
    EXPECT_EQ(Format(c.tmpl, c.line), c.want);
  }
}

TEST(TemplateTest, ExecutionErrorsSetTemplateFormatErr) {
  std::string labels;
  EXPECT_EQ(Format("{{ div 1 0 }}", "orig", &labels), "orig");
  EXPECT_NE(labels.find(R"(__error__="TemplateFormatErr")"), std::string::npos) << labels;
  EXPECT_NE(labels.find("integer divide by zero"), std::string::npos) << labels;
  EXPECT_EQ(Format(R"({{ if eq .a 1 }}y{{ end }})", "12 34", &labels), "12 34");
  EXPECT_NE(labels.find("incompatible types for comparison"), std::string::npos) << labels;
  EXPECT_EQ(Format(R"({{ repeat 100000000 "abcdefgh" }})", "orig", &labels), "orig");
}

TEST(TemplateTest, ParseErrors) {
  const char* bad[] = {"{{",
                       "{{ .a ",
                       "{{ nosuchfunc }}",
                       "{{ if .a }}x",
                       "{{ end }}",
                       "{{ else }}",
                       "{{ \"unterminated }}",
                       "{{ .a | }}",
                       "{{ ( .a }}",
                       "{{ 1 2 }}x{{ .a 1 }}",
                       "{{/* x }}"};
  for (const char* t : bad) {
    SCOPED_TRACE(t);
    auto r = tmpl::ParseTemplate("line", t);
    if (r.ok()) {
      // Some only fail when run (like Go): they must not crash.
      Format(t, "x");
    }
  }
  // Deep nesting is refused, not a stack overflow.
  std::string deep = "{{ " + std::string(100000, '(') + ".a" + std::string(100000, ')') + " }}";
  EXPECT_FALSE(tmpl::ParseTemplate("line", deep).ok());
  std::string ifs;
  for (int i = 0; i < 10000; ++i) ifs += "{{ if .a }}";
  EXPECT_FALSE(tmpl::ParseTemplate("line", ifs).ok());
  EXPECT_EQ(Format(R"({{ fromJson __line__ }})", std::string(100000, '[')), "<nil>");
  auto r = tmpl::ParseTemplate("line", "{{ nosuchfunc }}");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), R"(template: line:1: function "nosuchfunc" not defined)");
}

// Templates see the labels as they were when the first template of the stage ran (Loki takes
// lbs.Map() once), so src still sees host although node=host renamed it before.
TEST(LabelFormatTest, TemplatesAndRenames) {
  auto stage = LabelFormatStage({{"lvl", "warn", false},
                                 {"src", "{{.job}}/{{.host}}", false},
                                 {"node", "host", true},
                                 {"env", "{{ .env | upper }}", false}});
  ASSERT_TRUE(stage.ok()) << stage.status().ToString();
  auto o = RunStages(Stages(std::move(stage).value()), kStream, "line");
  EXPECT_EQ(o.labels, R"({env="PROD", job="mac", lvl="warn", node="host-1", src="mac/host-1"})");
}

TEST(GoFormatTest, Floats) {
  EXPECT_EQ(GoFormatFloat(1e6), "1e+06");
  EXPECT_EQ(GoFormatFloat(123456), "123456");
  EXPECT_EQ(GoFormatFloat(1234567), "1.234567e+06");
  EXPECT_EQ(GoFormatFloat(0.0001), "0.0001");
  EXPECT_EQ(GoFormatFloat(0.00001), "1e-05");
  EXPECT_EQ(GoFormatFloat(-2.5), "-2.5");
  EXPECT_EQ(GoFormatFloat(3), "3");
}

}  // namespace
}  // namespace sawmill::query::log
