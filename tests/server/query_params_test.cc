// Loki's query API parameters: the timestamp forms, durations, defaults and refusals, form
// decoding, and Go's duration printing used in the limit messages.
#include "server/handlers/query_params.h"

#include <gtest/gtest.h>

namespace sawmill::server {
namespace {

constexpr int64_t kS = 1000000000;

TEST(QueryParamsTest, ParsesLokisTimestampForms) {
  struct Case {
    std::string_view text;
    int64_t want;
  };
  const Case cases[] = {
      {"1795111200000000000", 1795111200000000000},  // ns
      {"1795111200", 1795111200 * kS},               // 10 digits or fewer: seconds
      {"0", 0},
      {"1795111200.5", 1795111200 * kS + 500000000},  // float seconds, ms kept
      {"1795111200.1234", 1795111200 * kS + 123000000},
      {"2026-11-19T18:00:00Z", 1795111200 * kS},
      {"2026-11-19T18:00:00.25Z", 1795111200 * kS + 250000000},
      {"2026-11-19T20:00:00+02:00", 1795111200 * kS},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.text);
    Result<int64_t> r = ParseTimestamp(c.text, -1);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(*r, c.want);
  }
  EXPECT_EQ(*ParseTimestamp("", 42), 42);
  Result<int64_t> bad = ParseTimestamp("yesterday", 0);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "strconv.ParseInt: parsing \"yesterday\": invalid syntax");
  EXPECT_FALSE(ParseTimestamp("99999999999.5e300", 0).ok());
}

TEST(QueryParamsTest, ParsesSecondsOrDurations) {
  EXPECT_EQ(*ParseSecondsOrDuration("60", 0), 60 * kS);
  EXPECT_EQ(*ParseSecondsOrDuration("1.5", 0), 1500000000);
  EXPECT_EQ(*ParseSecondsOrDuration("15000ms", 0), 15 * kS);
  EXPECT_EQ(*ParseSecondsOrDuration("1h30m", 0), 5400 * kS);
  EXPECT_EQ(*ParseSecondsOrDuration("", 7), 7);
  Result<int64_t> bad = ParseSecondsOrDuration("soon", 0);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "cannot parse \"soon\" to a valid duration");
  EXPECT_FALSE(ParseSecondsOrDuration("1e300", 0).ok());
}

TEST(QueryParamsTest, FormDecodesAndKeepsRepeats) {
  Form f;
  ASSERT_TRUE(
      f.AddEncoded("query=%7Bjob%3D%22a%22%7D+%7C%3D+%22x%22&match[]=a&match%5B%5D=b&e=").ok());
  EXPECT_EQ(f.Get("query"), "{job=\"a\"} |= \"x\"");
  EXPECT_EQ(f.GetAll("match[]"), (std::vector<std::string_view>{"a", "b"}));
  EXPECT_TRUE(f.Has("e"));
  EXPECT_FALSE(f.Has("nope"));
  Form bad;
  EXPECT_FALSE(bad.AddEncoded("q=%zz").ok());
  EXPECT_FALSE(bad.AddEncoded("q=%4").ok());
}

TEST(QueryParamsTest, RangeDefaultsAndRefusals) {
  const int64_t now = 1795111200 * kS;
  Form empty;
  Result<RangeParams> d = ParseRangeParams(empty, now);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->end_ns, now);
  EXPECT_EQ(d->start_ns, now - 3600 * kS);
  EXPECT_EQ(d->limit, 100u);
  EXPECT_EQ(d->direction, storage::Direction::kBackward);
  EXPECT_EQ(d->step_ns, 14 * kS);  // max(3600 / 250, 1) s

  Form since;
  ASSERT_TRUE(since.AddEncoded("since=5m&direction=Forward&limit=7").ok());
  Result<RangeParams> s = ParseRangeParams(since, now);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->start_ns, now - 300 * kS);
  EXPECT_EQ(s->direction, storage::Direction::kForward);
  EXPECT_EQ(s->limit, 7u);

  struct Bad {
    std::string_view form;
    std::string_view message;
  };
  const Bad bads[] = {
      {"limit=0", "limit must be a positive value"},
      {"limit=-3", "limit must be a positive value"},
      {"direction=up", "invalid direction 'up'"},
      {"start=20&end=10", "end timestamp must not be before or equal to start time"},
      {"step=-1",
       "zero or negative query resolution step widths are not accepted. Try a "
       "positive integer"},
      {"start=0&end=100000&step=1",
       "exceeded maximum resolution of 11,000 points per "
       "timeseries. Try increasing the value of the step parameter"},
      // Found by query_params_fuzzer: end - start overflowed int64 (UBSan).
      {"start=1730-11-19T18:00:00.25Z&since=1h30m",
       "the query time range exceeds the limit (query length: more than 292 years)"},
      {"start=1690-01-01T00:00:00Z&end=2250-01-01T00:00:00Z&step=100000000",
       "the query time range exceeds the limit (query length: more than 292 years)"},
  };
  for (const Bad& b : bads) {
    SCOPED_TRACE(b.form);
    Form f;
    ASSERT_TRUE(f.AddEncoded(b.form).ok());
    Result<RangeParams> r = ParseRangeParams(f, now);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().message(), b.message);
  }
}

TEST(QueryParamsTest, PrintsDurationsAsGo) {
  EXPECT_EQ(GoDurationString(0), "0s");
  EXPECT_EQ(GoDurationString(721LL * 3600 * kS), "721h0m0s");
  EXPECT_EQ(GoDurationString(150 * kS), "2m30s");
  EXPECT_EQ(GoDurationString(1500000000), "1.5s");
  EXPECT_EQ(GoDurationString(3 * kS), "3s");
  EXPECT_EQ(GoDurationString(2000000), "2ms");
  EXPECT_EQ(GoDurationString(-90 * kS), "-1m30s");
}

}  // namespace
}  // namespace sawmill::server
