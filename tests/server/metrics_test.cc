#include "server/metrics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace sawmill::server {
namespace {

TEST(MetricsTest, ExposesCountersAndGaugesInTextFormat) {
  Registry registry;
  auto& requests =
      registry.AddCounter("test_requests_total", "Requests served.", {"route", "code"});
  requests.WithLabels({"ready", "200"}).Inc();
  requests.WithLabels({"ready", "200"}).Inc(2);
  requests.WithLabels({"metrics", "200"}).Inc();
  registry.AddGauge("test_temperature", "Degrees.").Get().Set(-1.5);

  EXPECT_EQ(registry.Expose(),
            "# HELP test_requests_total Requests served.\n"
            "# TYPE test_requests_total counter\n"
            "test_requests_total{route=\"metrics\",code=\"200\"} 1\n"
            "test_requests_total{route=\"ready\",code=\"200\"} 3\n"
            "# HELP test_temperature Degrees.\n"
            "# TYPE test_temperature gauge\n"
            "test_temperature -1.5\n");
}

TEST(MetricsTest, HistogramHasCumulativeBucketsSumAndCount) {
  Registry registry;
  Histogram& h = registry.AddHistogram("test_seconds", "Durations.", {}, {0.1, 1}).Get();
  h.Observe(0.05);
  h.Observe(0.1);  // le is inclusive
  h.Observe(0.5);
  h.Observe(7);
  EXPECT_EQ(h.Count(), 4u);
  EXPECT_EQ(registry.Expose(),
            "# HELP test_seconds Durations.\n"
            "# TYPE test_seconds histogram\n"
            "test_seconds_bucket{le=\"0.1\"} 2\n"
            "test_seconds_bucket{le=\"1\"} 3\n"
            "test_seconds_bucket{le=\"+Inf\"} 4\n"
            "test_seconds_sum 7.65\n"
            "test_seconds_count 4\n");
}

TEST(MetricsTest, HistogramLabelsComeBeforeLe) {
  Registry registry;
  registry.AddHistogram("h", "x", {"route"}, {1}).WithLabels({"push"}).Observe(2);
  EXPECT_NE(registry.Expose().find("h_bucket{route=\"push\",le=\"1\"} 0\n"), std::string::npos);
}

TEST(MetricsTest, EscapesLabelValuesAndHelp) {
  Registry registry;
  registry.AddGauge("g", "a \\ b\nc", {"v"}).WithLabels({"q\"b\\s\nn"}).Set(1);
  EXPECT_EQ(registry.Expose(),
            "# HELP g a \\\\ b\\nc\n"
            "# TYPE g gauge\n"
            "g{v=\"q\\\"b\\\\s\\nn\"} 1\n");
}

TEST(MetricsTest, FormatsSpecialValues) {
  Registry registry;
  auto& g = registry.AddGauge("g", "h", {"k"});
  g.WithLabels({"a"}).Set(std::numeric_limits<double>::infinity());
  g.WithLabels({"b"}).Set(-std::numeric_limits<double>::infinity());
  g.WithLabels({"c"}).Set(std::nan(""));
  g.WithLabels({"d"}).Set(1e21);
  g.WithLabels({"e"}).Set(123456789);
  const std::string text = registry.Expose();
  EXPECT_NE(text.find("g{k=\"a\"} +Inf\n"), std::string::npos) << text;
  EXPECT_NE(text.find("g{k=\"b\"} -Inf\n"), std::string::npos) << text;
  EXPECT_NE(text.find("g{k=\"c\"} NaN\n"), std::string::npos) << text;
  EXPECT_NE(text.find("g{k=\"d\"} 1e+21\n"), std::string::npos) << text;
  EXPECT_NE(text.find("g{k=\"e\"} 123456789\n"), std::string::npos) << text;
}

TEST(MetricsTest, FamiliesWithoutChildrenAreLeftOut) {
  Registry registry;
  registry.AddCounter("unused_total", "Never incremented.", {"route"});
  EXPECT_EQ(registry.Expose(), "");
}

TEST(MetricsTest, ScrapeHooksRunBeforeExposition) {
  Registry registry;
  Gauge& g = registry.AddGauge("live", "Read at scrape time.").Get();
  int scrapes = 0;
  registry.AddScrapeHook([&] { g.Set(++scrapes); });
  EXPECT_NE(registry.Expose().find("live 1\n"), std::string::npos);
  EXPECT_NE(registry.Expose().find("live 2\n"), std::string::npos);
}

}  // namespace
}  // namespace sawmill::server
