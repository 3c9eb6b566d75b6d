// Metric queries over a real store: range aggregation windows (t - range, t] and offset,
// count/rate/bytes, vector aggregations with by/without, missing points, Loki's pipeline error
// and series limit.
#include "query/engine/metric_query.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "query/logql/parser.h"
#include "storage/metadata.h"
#include "tests/query/engine_test_util.h"

namespace sawmill::query::engine {
namespace {

constexpr int64_t kS = 1000000000;

class MetricQueryTest : public testing::StoreFixture {
 protected:
  void SetUp() override {
    StoreFixture::SetUp();
    // Two streams of job="a" and one of job="b", entries at whole seconds.
    Push(R"({job="a", host="h1"})", {{1 * kS, "x"}, {2 * kS, "yy"}, {5 * kS, "zzz"}});
    Push(R"({job="a", host="h2"})", {{2 * kS, "level=error"}, {3 * kS, "level=info"}});
    Push(R"({job="b", host="h1"})", {{4 * kS, "b"}});
  }

  // "labels: t=v t=v; labels: ..." for compact expectations.
  Result<std::string> Run(std::string_view q, int64_t start, int64_t end, int64_t step,
                          size_t max_series = 500) {
    auto e = logql::ParseExpr(q);
    EXPECT_TRUE(e.ok()) << e.status().ToString();
    if (!e.ok()) return e.status();
    MetricQueryParams p;
    p.tenant = "t";
    p.start_ns = start;
    p.end_ns = end;
    p.step_ns = step;
    p.max_series = max_series;
    SAW_ASSIGN_OR_RETURN(MetricQueryResult r, ExecuteMetricQuery(querier_.get(), &pool_, **e, p));
    std::string out;
    for (const MetricSeries& s : r.series) {
      if (!out.empty()) out += "; ";
      out += s.labels.ToString() + ":";
      for (auto [t, v] : s.points) {
        char buf[64];
        std::snprintf(buf, sizeof(buf), " %lld=%g", static_cast<long long>(t / kS), v);
        out += buf;
      }
    }
    return out;
  }

  ThreadPool pool_{2};
};

TEST_F(MetricQueryTest, CountOverTimeWindowsAreLeftOpenRightClosed) {
  auto r = Run(R"(count_over_time({job="a", host="h1"}[2s]))", 0, 6 * kS, kS);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  // Entries at 1, 2, 5: window (t-2, t].
  EXPECT_EQ(*r, R"({host="h1", job="a"}: 1=1 2=2 3=1 5=1 6=1)");
}

TEST_F(MetricQueryTest, RateBytesAndOffset) {
  auto rate = Run(R"(rate({job="a", host="h1"}[2s]))", 2 * kS, 2 * kS, kS);
  ASSERT_TRUE(rate.ok());
  EXPECT_EQ(*rate, R"({host="h1", job="a"}: 2=1)");
  auto bytes = Run(R"(bytes_over_time({job="a", host="h1"}[10s]))", 5 * kS, 5 * kS, kS);
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ(*bytes, R"({host="h1", job="a"}: 5=6)");
  auto bytes_rate = Run(R"(bytes_rate({job="a", host="h1"}[2s]))", 2 * kS, 2 * kS, kS);
  ASSERT_TRUE(bytes_rate.ok());
  EXPECT_EQ(*bytes_rate, R"({host="h1", job="a"}: 2=1.5)");
  // offset 3s at t=5 looks at (0, 2].
  auto off = Run(R"(count_over_time({job="a", host="h1"}[2s] offset 3s))", 5 * kS, 5 * kS, kS);
  ASSERT_TRUE(off.ok());
  EXPECT_EQ(*off, R"({host="h1", job="a"}: 5=2)");
}

TEST_F(MetricQueryTest, VectorAggregations) {
  struct Case {
    std::string_view query;
    std::string_view want;
  };
  const Case cases[] = {
      {R"(sum(count_over_time({job=~".+"}[10s])))", "{}: 5=6"},
      {R"(sum by (job) (count_over_time({job=~".+"}[10s])))", R"({job="a"}: 5=5; {job="b"}: 5=1)"},
      {R"(sum without (job) (count_over_time({job=~".+"}[10s])))",
       R"({host="h1"}: 5=4; {host="h2"}: 5=2)"},
      {R"(count by (job) (count_over_time({job=~".+"}[10s])))",
       R"({job="a"}: 5=2; {job="b"}: 5=1)"},
      {R"(max by (job) (count_over_time({job=~".+"}[10s])))", R"({job="a"}: 5=3; {job="b"}: 5=1)"},
      {R"(min(count_over_time({job=~".+"}[10s])))", "{}: 5=1"},
      {R"(avg by (job) (count_over_time({job=~".+"}[10s])))",
       R"({job="a"}: 5=2.5; {job="b"}: 5=1)"},
      {R"(max(sum by (job) (count_over_time({job=~".+"}[10s]))))", "{}: 5=5"},
      {R"(topk(1, count_over_time({job=~".+"}[10s])))", R"({host="h1", job="a"}: 5=3)"},
      {R"(stddev(count_over_time({job="a"}[10s])))", "{}: 5=0.5"},
      {R"(sum by (job) (count_over_time({job=~".+"}[10s])) * 2 > 5)", R"({job="a"}: 5=10)"},
      {R"(sum by (job) (count_over_time({job=~".+"}[10s])) > bool 3)",
       R"({job="a"}: 5=1; {job="b"}: 5=0)"},
      {R"(sum by (job) (count_over_time({job=~".+"}[10s])) / on (job) count by (job) (count_over_time({job=~".+"}[10s])))",
       R"({job="a"}: 5=2.5; {job="b"}: 5=1)"},
      {R"(count_over_time({job="a"}[10s]) / ignoring (host) group_left sum by (job) (count_over_time({job="a"}[10s])))",
       R"({host="h1", job="a"}: 5=0.6; {host="h2", job="a"}: 5=0.4)"},
      {R"(sum by (job) (count_over_time({job="a"}[10s])) or sum by (job) (count_over_time({job=~".+"}[10s])))",
       R"({job="a"}: 5=5; {job="b"}: 5=1)"},
      {R"q(label_replace(sum by (job) (count_over_time({job="b"}[10s])), "x", "j-$1", "job", "(.*)"))q",
       R"({job="b", x="j-b"}: 5=1)"},
      {R"(sum_over_time({host="h2"} | logfmt | unwrap n [10s]))", ""},
      {R"(absent_over_time({job="a", host="h9"}[10s]))", R"({host="h9", job="a"}: 5=1)"},
      {R"(absent_over_time({job="a"}[10s]))", ""},
      {R"(sum by (level) (count_over_time({host="h2"} | logfmt [10s])))",
       R"({level="error"}: 5=1; {level="info"}: 5=1)"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.query);
    auto r = Run(c.query, 5 * kS, 5 * kS, kS);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(*r, c.want);
  }
}

TEST_F(MetricQueryTest, UnwrapsLabelValues) {
  Push(R"({job="u"})", {{1 * kS, "ms=10 size=1KB d=1s"},
                        {2 * kS, "ms=30 size=2KB d=500ms"},
                        {3 * kS, "ms=oops size=1KiB d=2s"},
                        {4 * kS, "nothing here"}});
  struct Case {
    std::string_view query;
    std::string_view want;
  };
  const Case cases[] = {
      {R"(sum by (job) (sum_over_time({job="u"} | logfmt | unwrap ms | __error__="" [10s])))",
       "{job=\"u\"}: 5=40"},
      {R"(avg_over_time({job="u"} | logfmt | unwrap ms | __error__="" [10s]) by (job))",
       "{job=\"u\"}: 5=20"},
      {R"(max_over_time({job="u"} | logfmt | unwrap bytes(size) [10s]) by (job))",
       "{job=\"u\"}: 5=2000"},
      {R"(min_over_time({job="u"} | logfmt | unwrap duration(d) [10s]) by (job))",
       "{job=\"u\"}: 5=0.5"},
      {R"(first_over_time({job="u"} | logfmt | unwrap duration(d) [10s]) by (job))",
       "{job=\"u\"}: 5=1"},
      {R"(last_over_time({job="u"} | logfmt | unwrap duration(d) [10s]) by (job))",
       "{job=\"u\"}: 5=2"},
      {R"(quantile_over_time(0.5, {job="u"} | logfmt | unwrap duration(d) [10s]) by (job))",
       "{job=\"u\"}: 5=1"},
      {R"(sum(sum_over_time({job="u"} | logfmt | unwrap ms [10s])))", "{}: 5=40"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.query);
    auto r = Run(c.query, 5 * kS, 5 * kS, kS);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(*r, c.want);
  }
  auto err = Run(R"(sum_over_time({job="u"} | logfmt | unwrap ms [10s]))", 5 * kS, 5 * kS, kS);
  ASSERT_FALSE(err.ok());
  EXPECT_EQ(err.status().message().rfind("pipeline error: 'SampleExtractionErr'", 0), 0u)
      << err.status().message();
}

TEST_F(MetricQueryTest, LineFiltersCountBlocksOfFlushedAndHeadEntries) {
  // 300 entries: every 7th holds "error" (one of them only in a longer word), every 5th "warn";
  // the first 200 are flushed into chunks, the rest stay in the head.
  std::vector<std::pair<int64_t, std::string>> entries;
  int errors = 0, warn_not_error = 0, total = 0;
  for (int i = 0; i < 300; ++i) {
    std::string line = "line " + std::to_string(i);
    if (i % 7 == 0) line += i == 14 ? " errors" : " error";
    if (i % 5 == 0) line += " warn";
    entries.push_back({100 * kS + i * kS / 10, line});
  }
  Push(R"({job="lf", host="h1"})",
       std::vector<std::pair<int64_t, std::string>>(entries.begin(), entries.begin() + 200));
  ASSERT_TRUE(store_->FlushAll().ok());
  Push(R"({job="lf", host="h1"})",
       std::vector<std::pair<int64_t, std::string>>(entries.begin() + 200, entries.end()));
  // The window (100 s, 160 s] leaves out the first entry, at 100 s.
  for (int i = 1; i < 300; ++i) {
    ++total;
    if (i % 7 == 0) ++errors;
    if (i % 5 == 0 && i % 7 != 0) ++warn_not_error;
  }
  const int calls_before = querier_->open_batches_calls.load();
  auto r = Run(R"(sum(count_over_time({job="lf"} |= "error" [1m])))", 160 * kS, 160 * kS, kS);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, "{}: 160=" + std::to_string(errors));
  r = Run(R"(count_over_time({job="lf"} |= "warn" != "error" [1m]))", 160 * kS, 160 * kS, kS);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, "{host=\"h1\", job=\"lf\"}: 160=" + std::to_string(warn_not_error));
  r = Run(R"(sum(count_over_time({job="lf"} |~ "error|warn" [1m])))", 160 * kS, 160 * kS, kS);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  int either = 0;
  for (int i = 1; i < 300; ++i) either += (i % 7 == 0 || i % 5 == 0);
  EXPECT_EQ(*r, "{}: 160=" + std::to_string(either));
  // bytes_over_time counts the kept lines' bytes; windows of 10 s split the entries.
  r = Run(R"(sum(bytes_over_time({job="lf"} != "zzz" [10s])))", 110 * kS, 130 * kS, 10 * kS);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  auto bytes_in = [&](int64_t from, int64_t to) {  // (from, to]
    size_t b = 0;
    for (const auto& [ts, line] : entries) {
      if (ts > from && ts <= to) b += line.size();
    }
    return std::to_string(b);
  };
  EXPECT_EQ(*r, "{}: 110=" + bytes_in(100 * kS, 110 * kS) + " 120=" + bytes_in(110 * kS, 120 * kS) +
                    " 130=" + bytes_in(120 * kS, 130 * kS));
  EXPECT_GT(querier_->open_batches_calls.load(), calls_before);
  (void)total;
}

// `| logfmt | unwrap x` with `by (...)` takes a fast path that reads only the keys it needs;
// each query must answer exactly what the general path does. `| host!="zzz"` before logfmt
// keeps every line and forces the general path.
TEST_F(MetricQueryTest, LogfmtUnwrapFastPathAnswersAsTheGeneralPath) {
  Push(R"({job="f", host="h1"})",
       {{1 * kS, R"(took=1s level=info msg="a b")"},
        {2 * kS, "took=2s level=error"},
        {3 * kS, "level=info"},
        {4 * kS, "took=1s took=3s level=warn"},
        {5 * kS, "to.ok=5s level=info"},
        {6 * kS, R"(took="4s" level="quoted")"},
        {7 * kS, R"(took=5s level="esc \"q\"" msg="x\\y")"},
        {8 * kS, "took= level=info"},
        {9 * kS, "level=info took"},
        {10 * kS, "took=2s host=hx level=info"},
        {11 * kS, "took=250ms lev.el=dotted level=info"},
        {12 * kS, "took=7s level=warn"},
        // Key boundaries, repeated keys, quoted values with escapes
        // (wanted or not), durations of every form, UTF-8.
        {13 * kS, R"(xtook=9s took_x=8s a="took=7s" took=1500ms level=info)"},
        {14 * kS, "took=1s level=warn took"},
        {15 * kS, "took=2s level=warn took="},
        {16 * kS, R"(took="2\u0073" level="a\tb")"},
        {17 * kS, R"(took=3s msg="it\'s" level=info)"},
        {18 * kS, R"(took=4s msg="\u00e9 \\ \/ \"" level=info)"},
        {19 * kS, "took=5s level=info msg=\"tab\tinside\""},
        {20 * kS, "took=1.5s level=info"},
        {21 * kS, "took=1h2m level=info"},
        {22 * kS, "took=-3s level=info"},
        {23 * kS, "took=500us level=info"},
        {24 * kS, "took=1\xc2\xb5s level=info"},
        {25 * kS, "took=0 level=info"},
        {26 * kS, "took=07s level=info took=\"8ms\""},
        {27 * kS, "1level=x took=2s level=info"},
        {28 * kS, "took=3s level=caf\xc3\xa9"},
        {29 * kS, "took=3s level=bad\xff"},
        {30 * kS, "took=9s\xff level=info"},
        {31 * kS, "  took=6s   level=info  "},
        {32 * kS, R"(took=2s level=info msg="a"b=c)"},
        {33 * kS, "took=4m level=info lev\xc3\xa9l=x"}});
  Push(R"({job="f", host="h2", level="L"})",
       {{2 * kS, "took=1s level=error"}, {4 * kS, "took=9s"}});
  Push(R"({job="f", took="3s"})", {{3 * kS, "took=6s level=info"}});  // the stream's took
  // Syntax and conversion errors, and a parsed name starting with "__".
  Push(R"({job="g"})", {{2 * kS, R"(took=1s level=info "bad)"},
                        {3 * kS, "took=oops level=info"},
                        {4 * kS, "took=3s __error__=x level=info"},
                        {5 * kS, "took=3s level=info"},
                        {6 * kS, R"(took=2s msg="bad \q" level=info)"},
                        {7 * kS,
                         "took=2s msg=\"a\\\"b\x01"
                         "c\" level=info"},
                        {8 * kS, "t\xffook=1s level=info"},
                        {9 * kS, "took=99999999999999999999s level=info"},
                        {10 * kS, "took=1s =x level=info"},
                        {11 * kS, R"(took=1s level=info a"b=c)"},
                        {12 * kS, R"(took=1s level=in"fo)"},
                        {13 * kS, R"(took=1s level="unterminated)"}});
  const char* queries[] = {
      R"(quantile_over_time(0.5, {job="f"} %s| logfmt | unwrap duration(took) [10s]) by (level))",
      R"(avg_over_time({job="f"} %s|= "took" | logfmt | unwrap duration(took) [10s]) by (host, level))",
      R"(max_over_time({job="f"} %s| logfmt | unwrap duration(took) [10s]) by (job))",
      R"(avg_over_time({job="f"} %s!= "warn" | logfmt | unwrap duration(took) [10s]) by (level, took))",
      R"(min_over_time({job="f"} %s| logfmt | unwrap duration(took) [10s]) by (lev_el))",
      R"(max_over_time({job=~"f|g"} %s| logfmt | unwrap duration(took) [10s]) by (level))",
      R"(sum(min_over_time({job=~"f|g"} %s| logfmt | unwrap duration(took) [10s]) by (level)))",
      // Windows that do not overlap (range <= step: samples go to their step), and errors.
      R"(quantile_over_time(0.9, {job="f"} %s| logfmt | unwrap duration(took) [2s]) by (level))",
      R"(min_over_time({job="f"} %s| logfmt | unwrap duration_seconds(took) [1s]) by (_1level))",
      R"(max_over_time({job=~"f|g"} %s| logfmt | unwrap duration(took) [2s]) by (job))",
      R"(sum(quantile_over_time(0.5, {job=~"f|g"} %s| logfmt | unwrap duration(took) [2s]) by (level)))",
      // Conversion errors from one stream (the error names the first series that fails).
      R"(quantile_over_time(0.5, {job="f", host="h1"} %s| logfmt | unwrap took [2s]) by (level))",
      R"(avg_over_time({job="f", host="h1"} %s| logfmt | unwrap bytes(took) [10s]) by (level))",
      R"(stddev_over_time({job="f"} %s| logfmt | unwrap duration(took) [6s]) by (job, level))",
  };
  for (const char* q : queries) {
    char fast[512], general[512];
    std::snprintf(fast, sizeof fast, q, "");
    std::snprintf(general, sizeof general, q, "| host!=\"zzz\" ");
    SCOPED_TRACE(fast);
    auto a = Run(fast, 4 * kS, 40 * kS, 2 * kS);
    auto b = Run(general, 4 * kS, 40 * kS, 2 * kS);
    ASSERT_EQ(a.ok(), b.ok()) << a.status().ToString() << " / " << b.status().ToString();
    if (a.ok()) {
      EXPECT_EQ(*a, *b);
    } else {
      EXPECT_EQ(a.status().ToString(), b.status().ToString());
    }
  }
  // One answer checked by value: the largest duration per window of job f (12 s: 7 s).
  auto r = Run(R"(max_over_time({job="f"} | logfmt | unwrap duration(took) [10s]) by (job))",
               12 * kS, 12 * kS, kS);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, "{job=\"f\"}: 12=9");
  // `by (..., took)` over `unwrap took` keeps took, as Loki (it drops the unwrapped label only
  // without grouping or with `without`): one series per value, the same on every run (the
  // group key used to leave took out, and a group took the value of whichever line came first).
  r = Run(R"(max_over_time({job="f"} | logfmt | unwrap duration(took) [10s]) by (level, took))",
          12 * kS, 12 * kS, kS);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r,
            "{level=\"L\", took=\"9s\"}: 12=9; {level=\"esc \\\"q\\\"\", took=\"5s\"}: 12=5; "
            "{level=\"info\", took=\"250ms\"}: 12=0.25; {level=\"info\", took=\"2s\"}: 12=2; "
            "{level=\"info\", took=\"3s\"}: 12=3; {level=\"quoted\", took=\"4s\"}: 12=4; "
            "{level=\"warn\", took=\"3s\"}: 12=3; {level=\"warn\", took=\"7s\"}: 12=7");
}

// `unwrap duration(...)` gives Go's time.Duration.Seconds() as Loki does: whole seconds plus
// the nanoseconds left divided by 1e9. One division ns / 1e9 differs from it in the last bit
// for many millisecond values above 1 s (2994ms: 2.9939999999999998 in Loki), which Loki's
// shortest float formatting shows. Checked bit for bit on the fast path, the general path and
// duration_seconds, over values of each kind.
TEST_F(MetricQueryTest, UnwrapDurationIsGoSeconds) {
  const char* durations[] = {"2994ms", "1234ms", "1.001s", "2h3m4.005s", "-1500ms",
                             "999ms",  "3s",     "17us",   "1m0.3s",     "-2994ms"};
  std::vector<std::pair<int64_t, std::string>> lines;
  for (size_t i = 0; i < std::size(durations); ++i) {
    lines.push_back(
        {static_cast<int64_t>(i + 1) * kS, std::string("took=") + durations[i] + " level=info"});
  }
  Push(R"({job="sec"})", lines);
  auto go_seconds = [](int64_t ns) {
    return static_cast<double>(ns / kS) + static_cast<double>(ns % kS) / 1e9;
  };
  const int64_t want_ns[] = {2994000000, 1234000000, 1001000000, 7384005000000, -1500000000,
                             999000000,  3000000000, 17000,      60300000000,   -2994000000};
  // The test means something only if some value differs from a single division.
  size_t differ = 0;
  for (int64_t ns : want_ns) differ += go_seconds(ns) != static_cast<double>(ns) / 1e9;
  EXPECT_GE(differ, 2u);
  const char* queries[] = {
      R"(max_over_time({job="sec"} | logfmt | unwrap duration(took) [1s]) by (job))",
      R"(max_over_time({job="sec"} | logfmt | host!="zzz" | unwrap duration(took) [1s]) by (job))",
      R"(max_over_time({job="sec"} | logfmt | unwrap duration_seconds(took) [1s]))",
  };
  for (const char* q : queries) {
    SCOPED_TRACE(q);
    auto e = logql::ParseExpr(q);
    ASSERT_TRUE(e.ok()) << e.status().ToString();
    MetricQueryParams p;
    p.tenant = "t";
    p.start_ns = kS;
    p.end_ns = static_cast<int64_t>(std::size(durations)) * kS;
    p.step_ns = kS;
    p.max_series = 10;
    auto r = ExecuteMetricQuery(querier_.get(), &pool_, **e, p);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_EQ(r->series.size(), 1u);
    const auto& points = r->series[0].points;
    ASSERT_EQ(points.size(), std::size(want_ns));
    for (size_t i = 0; i < points.size(); ++i) {
      EXPECT_EQ(points[i].second, go_seconds(want_ns[i])) << durations[i];
    }
  }
}

// quantile, min and max over windows that do not overlap (range <= step) put each sample in
// its step instead of sorting samples by time: checked against values computed here, with an
// offset, empty windows, a window edge on a sample, several streams per group and q at 0 and 1.
TEST_F(MetricQueryTest, UnwrapWindowsThatDoNotOverlap) {
  // Stream s (of 3) holds samples at (i + s / 3) * 0.5 s for i in [0, 60) except where i % 7
  // == 3 (gaps), value (i * 37 + s * 11) % 23 - 5; 0.5 s steps put samples on window edges.
  struct Point {
    int64_t ts;
    double v;
  };
  std::vector<Point> all;
  for (int s = 0; s < 3; ++s) {
    std::vector<std::pair<int64_t, std::string>> entries;
    for (int i = 0; i < 60; ++i) {
      if (i % 7 == 3) continue;
      const int64_t ts = (3 * i + s) * kS / 6 + kS;
      const int v = (i * 37 + s * 11) % 23 - 5;
      entries.push_back({ts, "v=" + std::to_string(v) + " lvl=x"});
      all.push_back({ts, static_cast<double>(v)});
    }
    Push(R"({job="w", host="h)" + std::to_string(s) + R"("})", entries);
  }
  auto expect = [&](const char* op, double q, int64_t start, int64_t end, int64_t step,
                    int64_t range, int64_t offset) {
    std::string out = "{job=\"w\"}:";
    for (int64_t t = start; t <= end; t += step) {
      std::vector<double> v;
      for (const Point& p : all) {
        if (p.ts > t - offset - range && p.ts <= t - offset) v.push_back(p.v);
      }
      if (v.empty()) continue;
      std::sort(v.begin(), v.end());
      double x = 0;
      if (std::string_view(op) == "min") {
        x = v.front();
      } else if (std::string_view(op) == "max") {
        x = v.back();
      } else {
        const double rank = q * static_cast<double>(v.size() - 1);
        const size_t lo = static_cast<size_t>(std::floor(rank));
        const size_t hi = std::min(lo + 1, v.size() - 1);
        x = v[lo] * (1 - (rank - static_cast<double>(lo))) +
            v[hi] * (rank - static_cast<double>(lo));
      }
      char buf[64];
      std::snprintf(buf, sizeof(buf), " %lld=%g", static_cast<long long>(t / kS), x);
      out += buf;
    }
    return out;
  };
  struct Case {
    const char* query;
    const char* op;
    double q;
    int64_t step, range, offset;
  };
  const Case cases[] = {
      {R"(quantile_over_time(0.9, {job="w"} | logfmt | unwrap v [2s]) by (job))", "q", 0.9, 2 * kS,
       2 * kS, 0},
      {R"(quantile_over_time(0.25, {job="w"} | logfmt | unwrap v [1s] offset 1s) by (job))", "q",
       0.25, 2 * kS, kS, kS},
      {R"(quantile_over_time(0, {job="w"} | logfmt | unwrap v [3s]) by (job))", "q", 0, 3 * kS,
       3 * kS, 0},
      {R"(quantile_over_time(1, {job="w"} | logfmt | lvl="x" | unwrap v [2s]) by (job))", "q", 1,
       2 * kS, 2 * kS, 0},
      {R"(min_over_time({job="w"} | logfmt | unwrap v [2s]) by (job))", "min", 0, 2 * kS, 2 * kS,
       0},
      {R"(max_over_time({job="w"} | logfmt | unwrap v [1s] offset 3s) by (job))", "max", 0, 2 * kS,
       kS, 3 * kS},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.query);
    auto r = Run(c.query, 2 * kS, 40 * kS, c.step);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(*r, expect(c.op, c.q, 2 * kS, 40 * kS, c.step, c.range, c.offset));
  }
  // One window holding all 153 samples (many equal values): quantiles near 1 keep the few
  // largest values in one pass (up to 16 above the rank), the others use a selection; both
  // against the sort.
  for (double q : {0.5, 0.85, 0.9, 0.95, 0.97, 0.99, 0.995, 0.999}) {
    char query[160];
    std::snprintf(query, sizeof(query),
                  R"(quantile_over_time(%g, {job="w"} | logfmt | unwrap v [40s]) by (job))", q);
    SCOPED_TRACE(query);
    auto r = Run(query, 40 * kS, 40 * kS, 40 * kS);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(*r, expect("q", q, 40 * kS, 40 * kS, 40 * kS, 40 * kS, 0));
  }
}

// Structured metadata joins the labels of the series, as in Loki 3 (its sample extractor adds
// it to the labels before the no-stage shortcut): count_over_time({...}[r]) gives one series
// per stream + metadata set, through the selector-only and line-filter-only fast paths as
// through the general one; a name clashing with a stream label becomes <name>_extracted.
// A stream without metadata still reads no chunk text for a selector-only count.
TEST_F(MetricQueryTest, StructuredMetadataSplitsSeriesOnTheFastPaths) {
  // Stream h1: entry i at 100 s + i / 10 s; by i % 4: no metadata, user=u<i%3>, host=other
  // (a clash), trace=t<i%2> and user=u0. Entries 0-199 are flushed (blocks of mixed entries),
  // 200-299 stay in the head. Stream h2: the same times, no metadata, flushed.
  auto meta = [](int i) -> storage::MetadataPairs {
    switch (i % 4) {
      case 1:
        return {{"user", "u" + std::to_string(i % 3)}};
      case 2:
        return {{"host", "other"}};
      case 3:
        return {{"trace", "t" + std::to_string(i % 2)}, {"user", "u0"}};
      default:
        return {};
    }
  };
  auto series_of = [&](int i, std::string_view stream_host) {
    std::string host = "host=\"" + std::string(stream_host) + "\"";
    switch (i % 4) {
      case 1:
        return "{" + host + ", job=\"sm\", user=\"u" + std::to_string(i % 3) + "\"}";
      case 2:
        return "{" + host + ", host_extracted=\"other\", job=\"sm\"}";
      case 3:
        return "{" + host + ", job=\"sm\", trace=\"t" + std::to_string(i % 2) + "\", user=\"u0\"}";
      default:
        return "{" + host + ", job=\"sm\"}";
    }
  };
  std::vector<MetaEntry> h1, h2;
  for (int i = 0; i < 300; ++i) {
    const storage::MetadataPairs m = meta(i);
    h1.push_back({100 * kS + i * kS / 10, "line " + std::to_string(i) + (i % 5 ? "" : " error"),
                  m.empty() ? std::string() : storage::EncodeMetadata(m)});
    h2.push_back({100 * kS + i * kS / 10, "other " + std::to_string(i), ""});
  }
  PushWithMetadata(R"({job="sm", host="h1"})",
                   std::vector<MetaEntry>(h1.begin(), h1.begin() + 200));
  PushWithMetadata(R"({job="sm", host="h2"})", h2);
  ASSERT_TRUE(store_->FlushAll().ok());
  PushWithMetadata(R"({job="sm", host="h1"})", std::vector<MetaEntry>(h1.begin() + 200, h1.end()));

  // Expected answers, computed from the entries: series -> " t=v" per step, windows (t - r, t];
  // key_of(i, host) names entry i's series ("" leaves it out).
  auto expect = [&](int64_t start, int64_t end, int64_t step, int64_t range, bool bytes,
                    bool only_errors, auto key_of) {
    std::map<std::string, std::map<int64_t, double>> want;
    for (int64_t t = start; t <= end; t += step) {
      for (int i = 0; i < 300; ++i) {
        for (int s = 0; s < 2; ++s) {
          const MetaEntry& e = s == 0 ? h1[i] : h2[i];
          if (e.ts_ns <= t - range || e.ts_ns > t) continue;
          if (only_errors && e.line.find("error") == std::string::npos) continue;
          const std::string key = key_of(i, s == 0 ? "h1" : "h2");
          if (!key.empty()) want[key][t] += bytes ? e.line.size() : 1;
        }
      }
    }
    std::string out;
    for (const auto& [labels, points] : want) {
      if (!out.empty()) out += "; ";
      out += labels + ":";
      for (const auto& [t, v] : points) {
        char buf[64];
        std::snprintf(buf, sizeof(buf), " %lld=%g", static_cast<long long>(t / kS), v);
        out += buf;
      }
    }
    return out;
  };
  // Run's series, in the order of their label strings (as `expect` lists them).
  auto sorted = [](const Result<std::string>& r) {
    std::vector<std::string> parts;
    std::string s = r.ok() ? *r : r.status().ToString();
    for (size_t pos = 0; pos != std::string::npos;) {
      size_t next = s.find("; ", pos);
      parts.push_back(s.substr(pos, next == std::string::npos ? next : next - pos));
      pos = next == std::string::npos ? next : next + 2;
    }
    std::sort(parts.begin(), parts.end());
    std::string out;
    for (const std::string& p : parts) out += (out.empty() ? "" : "; ") + p;
    return out;
  };
  // Series of entry i of stream `host` (only h1's entries have metadata).
  auto stream_only = [&](int, std::string_view host) {
    return "{host=\"" + std::string(host) + "\", job=\"sm\"}";
  };
  auto full = [&](int i, std::string_view host) {
    return host == "h1" ? series_of(i, host) : stream_only(i, host);
  };
  auto by_user = [&](int i, std::string_view host) -> std::string {
    if (host != "h1") return "{}";
    return i % 4 == 1   ? "{user=\"u" + std::to_string(i % 3) + "\"}"
           : i % 4 == 3 ? "{user=\"u0\"}"
                        : "{}";
  };
  const int opened_before = querier_->open_samples_calls.load();
  EXPECT_EQ(sorted(Run(R"(count_over_time({job="sm"}[1m]))", 160 * kS, 160 * kS, kS)),
            expect(160 * kS, 160 * kS, kS, 60 * kS, false, false, full));
  // Steps 10 s apart with 15 s windows: the step cursors and the per-entry path agree.
  EXPECT_EQ(sorted(Run(R"(bytes_over_time({job="sm"}[15s]))", 100 * kS, 140 * kS, 10 * kS)),
            expect(100 * kS, 140 * kS, 10 * kS, 15 * kS, true, false, full));
  EXPECT_EQ(
      sorted(Run(R"(sum by (user) (count_over_time({job="sm"}[1m])))", 160 * kS, 160 * kS, kS)),
      expect(160 * kS, 160 * kS, kS, 60 * kS, false, false, by_user));
  EXPECT_GT(querier_->open_samples_calls.load(), opened_before);  // the selector-only path
  // The line-filter-only path.
  EXPECT_EQ(sorted(Run(R"(count_over_time({job="sm"} |= "error" [1m]))", 160 * kS, 160 * kS, kS)),
            expect(160 * kS, 160 * kS, kS, 60 * kS, false, true, full));
  EXPECT_EQ(
      sorted(Run(R"(count_over_time({job="sm"} != "zzz" [15s]))", 100 * kS, 140 * kS, 10 * kS)),
      expect(100 * kS, 140 * kS, 10 * kS, 15 * kS, false, false, full));
  // A stream without metadata: no chunk text is read.
  const uint64_t texts = store_->Stats().chunk_text_sections_read;
  EXPECT_EQ(sorted(Run(R"(count_over_time({job="sm", host="h2"}[1m]))", 160 * kS, 160 * kS, kS)),
            expect(160 * kS, 160 * kS, kS, 60 * kS, false, false,
                   [&](int i, std::string_view host) -> std::string {
                     return host == "h2" ? stream_only(i, host) : "";  // "": not counted
                   }));
  EXPECT_EQ(store_->Stats().chunk_text_sections_read, texts);
}

TEST_F(MetricQueryTest, RefusalsAndUnsupported) {
  auto err = Run(R"(sum by (host) (count_over_time({job="b"} | json [10s])))", 5 * kS, 5 * kS, kS);
  ASSERT_FALSE(err.ok());
  EXPECT_EQ(
      err.status().message().rfind("pipeline error: 'JSONParserErr' for series: '{__error__", 0),
      0u)
      << err.status().message();
  auto ok = Run(R"(sum(count_over_time({job="b"} | json [10s])))", 5 * kS, 5 * kS, kS);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(*ok, "{}: 5=1");
  auto limit = Run(R"(count_over_time({job=~".+"}[10s]))", 5 * kS, 5 * kS, kS, 2);
  ASSERT_FALSE(limit.ok());
  EXPECT_EQ(limit.status().message(), "maximum of series (2) reached for a single query");
  // rate_counter is answered (its values: engine_metric_functions_test.cc).
  auto counter = Run(R"(rate_counter({job=~".+"} | unwrap x [10s]))", 5 * kS, 5 * kS, kS);
  ASSERT_TRUE(counter.ok()) << counter.status().ToString();
  EXPECT_EQ(*counter, "");
}

}  // namespace
}  // namespace sawmill::query::engine
