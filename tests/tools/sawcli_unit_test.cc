// Unit tests of sawcli's parsers and formatters: label sets (logcli's printing and set
// arithmetic, the --labels parser), Go-style times and durations, flags, push timestamps,
// logcli's --stats layout, the decoder of log query answers.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "tools/sawcli/flags.h"
#include "tools/sawcli/index_commands.h"
#include "tools/sawcli/label_set.h"
#include "tools/sawcli/line_timestamp.h"
#include "tools/sawcli/printer.h"
#include "tools/sawcli/result_printer.h"
#include "tools/sawcli/streams_page.h"
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
  // 19 digits past INT64_MAX (found by sawcli_parsers_fuzzer: it overflowed).
  EXPECT_FALSE(ParseLineTimestamp("9999990999999999923", TimestampFormat::kUnix).ok());
  EXPECT_FALSE(ParseLineTimestamp("9999999999999999999", TimestampFormat::kUnixNs).ok());
  EXPECT_EQ(*ParseLineTimestamp("9223372036854775807", TimestampFormat::kUnixNs), INT64_MAX);
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

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string::npos) nl = text.size();
    out.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  return out;
}

// --stats as logcli prints it: Loki's KVList keys in order, one "key \t value" line each,
// aligned by Go's tabwriter (the widest cell, "Cache.InstantMetricResult.EntriesRequested ",
// is 43 runes: the column is 48, filled with tabs of 8), values formatted as Loki does.
TEST(StatsTest, PrintsLokisKeysAlignedLikeGosTabwriter) {
  const nlohmann::json stats = nlohmann::json::parse(R"({
    "summary": {"bytesProcessedPerSecond": 1234567, "linesProcessedPerSecond": 4200,
                "totalBytesProcessed": 57000000, "totalLinesProcessed": 500000,
                "totalPostFilterLines": 12, "execTime": 0.0015, "queueTime": 0},
    "querier": {"store": {"totalChunksRef": 3, "chunksDownloadTime": 2500000000,
                          "chunk": {"decompressedBytes": 999, "decompressedLines": 7}}},
    "ingester": {"totalReached": 1}})");
  const std::string text = FormatStats(stats, false);
  const std::vector<std::string> lines = Lines(text);
  ASSERT_EQ(lines.size(), 86u) << text;
  EXPECT_EQ(lines[0], "Ingester.TotalReached \t\t\t\t 1");
  EXPECT_EQ(lines[4], "Ingester.TotalChunksRef \t\t\t 0");
  EXPECT_EQ(lines[8], "Ingester.HeadChunkBytes \t\t\t 0 B");
  EXPECT_EQ(lines[15], "Querier.TotalChunksRef \t\t\t\t 3");
  EXPECT_EQ(lines[17], "Querier.ChunksDownloadTime \t\t\t 2.5s");
  EXPECT_EQ(lines[21], "Querier.DecompressedBytes \t\t\t 999 B");
  EXPECT_EQ(lines[22], "Querier.DecompressedLines \t\t\t 7");
  EXPECT_EQ(lines[23], "Querier.PostFilterLInes \t\t\t 0");  // Loki's spelling
  EXPECT_EQ(lines[26], "Querier.QueryReferencedStructuredMetadata \t false");
  EXPECT_EQ(lines[27], "Cache.Chunk.Requests \t\t\t\t 0");
  EXPECT_EQ(lines[33], "Cache.Chunk.DownloadTime \t\t\t 0s");
  EXPECT_EQ(lines[65], "Cache.Result.DownloadTime \t\t\t 0s");
  EXPECT_EQ(lines[73], "Cache.InstantMetricResult.EntriesRequested \t 0");
  EXPECT_EQ(lines[79], "Summary.BytesProcessedPerSecond \t\t 1.2 MB");
  EXPECT_EQ(lines[80], "Summary.LinesProcessedPerSecond \t\t 4200");
  EXPECT_EQ(lines[81], "Summary.TotalBytesProcessed \t\t\t 57 MB");
  EXPECT_EQ(lines[82], "Summary.TotalLinesProcessed \t\t\t 500000");
  EXPECT_EQ(lines[83], "Summary.PostFilterLines \t\t\t 12");
  EXPECT_EQ(lines[84], "Summary.ExecTime \t\t\t\t 1.5ms");
  EXPECT_EQ(lines[85], "Summary.QueueTime \t\t\t\t 0s");

  // Coloured keys (stdout is a terminal): the escapes count in the width, as in Go (the
  // widest cell is 52 runes, the column 56).
  const std::vector<std::string> colored = Lines(FormatStats(stats, true));
  ASSERT_EQ(colored.size(), 86u);
  EXPECT_EQ(colored[0], "\x1b[34mIngester.TotalReached\x1b[0m \t\t\t\t 1");
  EXPECT_EQ(colored[73], "\x1b[34mCache.InstantMetricResult.EntriesRequested\x1b[0m \t 0");
}

// What a page holds, as text: "<labels> <ts> <line>" per entry in the page's order.
std::vector<std::string> Describe(const StreamsPage& page) {
  std::vector<std::string> out;
  for (const StreamsPage::Entry& e : page.entries) {
    out.push_back(page.streams.at(e.stream).String() + " " + std::to_string(e.ts) + " " +
                  std::string(e.line));
  }
  return out;
}

TEST(StreamsPageTest, DecodesLokisAnswerAsTheDomDoes) {
  const std::string body =
      R"({"status":"success","data":{"resultType":"streams","result":[)"
      R"({"stream":{"job":"a","path":"C:\\x \"q\""},)"
      R"("values":[["1700000000000000002","two\n\u00e9\ud83d\ude00"],)"
      R"(["1700000000000000001","one",{"structuredMetadata":{"k":"v"},"parsed":{}}]]},)"
      R"({"values":[["-5","neg"]],"stream":{"job":"b","n":7}},)"
      R"({"stream":null,"values":null}],)"
      R"("stats":{"summary":{"totalEntriesReturned":3,"execTime":0.5}}}})";
  StreamsPage page;
  std::string stats;
  auto fast = DecodeStreamsAnswer(body, &page, &stats);
  ASSERT_TRUE(fast.ok()) << fast.status().ToString();
  ASSERT_TRUE(*fast);
  const std::vector<std::string> want = {
      "{job=\"a\", path=\"C:\\\\x \\\"q\\\"\"} 1700000000000000002 two\n\xc3\xa9\xf0\x9f\x98\x80",
      "{job=\"a\", path=\"C:\\\\x \\\"q\\\"\"} 1700000000000000001 one",
      "{job=\"b\"} -5 neg",
  };
  EXPECT_EQ(Describe(page), want);
  EXPECT_EQ(page.streams.size(), 3u);
  EXPECT_EQ(nlohmann::json::parse(stats)["summary"]["totalEntriesReturned"], 3);

  // The DOM path reads the same page.
  const nlohmann::json doc = nlohmann::json::parse(body);
  StreamsPage dom;
  ASSERT_TRUE(StreamsPageFromJson(doc["data"]["result"], &dom).ok());
  EXPECT_EQ(Describe(dom), want);

  // A second answer reuses the page; nothing of the first is left.
  fast = DecodeStreamsAnswer(R"({"data":{"resultType":"streams","result":[]},"status":"success"})",
                             &page, &stats);
  ASSERT_TRUE(fast.ok());
  EXPECT_TRUE(*fast);
  EXPECT_TRUE(page.entries.empty());
  EXPECT_TRUE(page.streams.empty());
  EXPECT_EQ(stats, "");
}

TEST(StreamsPageTest, LeavesOtherAnswersToTheDom) {
  StreamsPage page;
  std::string stats;
  for (
      const char* body : {
          R"({"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1,"2"]]}]}})",
          R"({"status":"success","data":{"resultType":"scalar","result":[1,"2"]}})",
          // result before resultType: the fast decoder does not guess
          R"({"status":"success","data":{"result":[],"resultType":"streams"}})",
          R"({"status":"success","data":{}})",
          R"({"status":"success"})",
      }) {
    auto fast = DecodeStreamsAnswer(body, &page, &stats);
    ASSERT_TRUE(fast.ok()) << body << ": " << fast.status().ToString();
    EXPECT_FALSE(*fast) << body;
    EXPECT_TRUE(page.entries.empty());
  }
}

TEST(StreamsPageTest, RefusesMalformedAnswers) {
  StreamsPage page;
  std::string stats;
  const std::string head = R"({"data":{"resultType":"streams","result":[{"stream":{},"values":[)";
  for (const std::string& body : {
           std::string(""),
           std::string("[]"),
           std::string(R"({"data":{"resultType":"streams","result":[)"),
           head + R"(["1","a"])",                          // truncated
           head + R"(["x1","a"]]}]}})",                    // timestamp not a number
           head + R"(["99999999999999999999","a"]]}]}})",  // past int64
           head + R"(["1",2]]}]}})",                       // line not a string
           head + R"(["1"]]}]}})",                         // one field
           head + R"("1"]}]}})",                           // entry not an array
           head + R"(["1","a\q"]]}]}})",                   // bad escape
           std::string(R"({"data":{"resultType":"streams","result":{}}})"),
           std::string(R"({"data":{"resultType":"streams","result":[]}} x)"),
       }) {
    auto fast = DecodeStreamsAnswer(body, &page, &stats);
    ASSERT_FALSE(fast.ok()) << body;
    EXPECT_EQ(fast.status().message().rfind("Error decoding response: ", 0), 0u)
        << fast.status().message();
    EXPECT_TRUE(page.entries.empty());
  }
}

}  // namespace
}  // namespace sawmill::sawcli
