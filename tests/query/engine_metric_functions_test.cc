// Every range aggregation, vector aggregation and binary operator checked against values this
// test computes itself from generated entries with known timestamps: windows (t - range, t]
// whose edges fall exactly on entries, empty windows (a gap in one stream), offset, negative
// values, and counters that reset (rate_counter). Also: metric queries without a pipeline read
// timestamps and sizes only (Querier::OpenSamples), and error cases with Loki's messages.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "query/engine/metric_query.h"
#include "query/logql/parser.h"
#include "tests/query/engine_test_util.h"

namespace sawmill::query::engine {
namespace {

constexpr int64_t kS = 1000000000;
constexpr int64_t kBase = 1000 * kS;
constexpr int kHosts = 3;
constexpr int kEntries = 64;
constexpr int64_t kStart = kBase;
constexpr int64_t kEnd = kBase + 330 * kS;
constexpr int64_t kStep = 10 * kS;

struct Gen {
  int64_t ts;
  double counter;  // resets to 0 every 13 entries
  double value;    // may be negative
  std::string line;
};

// Host h: entries every 5 s, shifted by 2h s (host 0 sits exactly on the step grid), host 1
// has a gap (entries 20..31 missing) so some of its windows are empty.
std::vector<Gen> Generate(int h) {
  std::vector<Gen> out;
  for (int i = 0; i < kEntries; ++i) {
    if (h == 1 && i >= 20 && i <= 31) continue;
    Gen g;
    g.ts = kBase + i * 5 * kS + h * 2 * kS;
    g.counter = (i % 13) * 3 + h;
    g.value = ((i * 7 + h * 3) % 11) - 2.5 + h * 0.137;
    char buf[96];
    std::snprintf(buf, sizeof(buf), "c=%g v=%g id=%d%s", g.counter, g.value, i,
                  std::string(static_cast<size_t>(i % 4), 'x').c_str());
    g.line = buf;
    out.push_back(std::move(g));
  }
  return out;
}

std::string HostLabels(int h) { return "{host=\"h" + std::to_string(h) + "\", job=\"gen\"}"; }

// label set text -> ts -> value
using Series = std::map<std::string, std::map<int64_t, double>>;

// Loki 2.8's rate_counter, written out from Prometheus' extrapolatedRate with Loki's
// nanosecond/millisecond mix (see metric_unwrap.cc).
double ExpectedRateCounter(const std::vector<const Gen*>& w, int64_t range_ns) {
  if (w.size() < 2) return 0;
  double inc = w.back()->counter - w.front()->counter;
  double prev = 0;
  for (const Gen* g : w) {
    if (g->counter < prev) inc += prev;
    prev = g->counter;
  }
  double to_start = static_cast<double>(range_ns / 1000000) / 1000;
  const double sampled = static_cast<double>(w.back()->ts - w.front()->ts) / 1000;
  const double avg = sampled / static_cast<double>(w.size() - 1);
  if (inc > 0 && w.front()->counter >= 0)
    to_start = std::min(to_start, sampled * w.front()->counter / inc);
  double interval = sampled + (to_start < avg * 1.1 ? to_start : avg / 2);
  interval += 0 < avg * 1.1 ? 0 : avg / 2;
  return inc * (interval / sampled) / (static_cast<double>(range_ns) / 1e9);
}

double Quantile(double q, std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const double rank = q * static_cast<double>(v.size() - 1);
  const size_t lo = static_cast<size_t>(std::floor(rank));
  const size_t hi = std::min(lo + 1, v.size() - 1);
  return v[lo] * (1 - (rank - std::floor(rank))) + v[hi] * (rank - std::floor(rank));
}

class MetricFunctionsTest : public testing::StoreFixture {
 protected:
  void SetUp() override {
    StoreFixture::SetUp();
    for (int h = 0; h < kHosts; ++h) {
      data_.push_back(Generate(h));
      std::vector<std::pair<int64_t, std::string>> entries;
      for (const Gen& g : data_.back()) entries.push_back({g.ts, g.line});
      Push(HostLabels(h), entries);
    }
    Push(R"({job="bad"})", {{kBase + 1 * kS, "n=1"}, {kBase + 2 * kS, "n=abc"}});
  }

  Result<MetricQueryResult> Exec(std::string_view q, int64_t start, int64_t end, int64_t step,
                                 size_t max_series = 500) {
    auto e = logql::ParseExpr(q);
    if (!e.ok()) return e.status();
    MetricQueryParams p;
    p.tenant = "t";
    p.start_ns = start;
    p.end_ns = end;
    p.step_ns = step;
    p.max_series = max_series;
    return ExecuteMetricQuery(querier_.get(), &pool_, **e, p);
  }

  Series Run(std::string_view q) {
    Series out;
    auto r = Exec(q, kStart, kEnd, kStep);
    EXPECT_TRUE(r.ok()) << q << ": " << r.status().ToString();
    if (!r.ok()) return out;
    for (const MetricSeries& s : r->series) {
      auto& pts = out[s.labels.ToString()];
      for (auto [t, v] : s.points) pts[t] = v;
    }
    return out;
  }

  // Per host, fn(window) at every step whose window (t - offset - range, t - offset] holds
  // entries; labels as the stream's.
  Series PerHost(int64_t range, int64_t offset,
                 const std::function<double(const std::vector<const Gen*>&)>& fn) {
    Series out;
    for (int h = 0; h < kHosts; ++h) {
      for (int64_t t = kStart; t <= kEnd; t += kStep) {
        std::vector<const Gen*> w;
        for (const Gen& g : data_[h]) {
          if (g.ts > t - offset - range && g.ts <= t - offset) w.push_back(&g);
        }
        if (!w.empty()) out[HostLabels(h)][t] = fn(w);
      }
    }
    return out;
  }

  static void ExpectSame(const Series& want, const Series& got, std::string_view q) {
    SCOPED_TRACE(std::string(q));
    ASSERT_FALSE(want.empty());
    ASSERT_EQ(want.size(), got.size());
    for (const auto& [labels, pts] : want) {
      auto it = got.find(labels);
      ASSERT_NE(it, got.end()) << labels;
      ASSERT_EQ(pts.size(), it->second.size()) << labels;
      for (const auto& [t, v] : pts) {
        auto p = it->second.find(t);
        ASSERT_NE(p, it->second.end()) << labels << " at " << t / kS;
        if (std::isnan(v)) {
          EXPECT_TRUE(std::isnan(p->second));
        } else {
          EXPECT_NEAR(v, p->second, 1e-9 * std::max(1.0, std::fabs(v)))
              << labels << " at " << (t - kBase) / kS;
        }
      }
    }
  }

  std::vector<std::vector<Gen>> data_;
  ThreadPool pool_{2};
};

double Count(const std::vector<const Gen*>& w) { return static_cast<double>(w.size()); }
double Bytes(const std::vector<const Gen*>& w) {
  double b = 0;
  for (const Gen* g : w) b += static_cast<double>(g->line.size());
  return b;
}
double Sum(const std::vector<const Gen*>& w) {
  double s = 0;
  for (const Gen* g : w) s += g->value;
  return s;
}
double Var(const std::vector<const Gen*>& w) {
  const double mean = Sum(w) / static_cast<double>(w.size());
  double acc = 0;
  for (const Gen* g : w) acc += (g->value - mean) * (g->value - mean);
  return acc / static_cast<double>(w.size());
}
std::vector<double> Values(const std::vector<const Gen*>& w) {
  std::vector<double> v;
  for (const Gen* g : w) v.push_back(g->value);
  return v;
}

TEST_F(MetricFunctionsTest, LogRangeAggregations) {
  for (int64_t range : {10 * kS, 20 * kS, 45 * kS}) {
    for (int64_t offset : {int64_t{0}, 15 * kS}) {
      const std::string r = "[" + std::to_string(range / kS) + "s]" +
                            (offset ? " offset " + std::to_string(offset / kS) + "s" : "");
      const double rs = static_cast<double>(range) / 1e9;
      std::string q = R"(count_over_time({job="gen"})" + r + ")";
      ExpectSame(PerHost(range, offset, Count), Run(q), q);
      q = R"(rate({job="gen"})" + r + ")";
      ExpectSame(PerHost(range, offset, [&](auto& w) { return Count(w) / rs; }), Run(q), q);
      q = R"(bytes_over_time({job="gen"})" + r + ")";
      ExpectSame(PerHost(range, offset, Bytes), Run(q), q);
      q = R"(bytes_rate({job="gen"})" + r + ")";
      ExpectSame(PerHost(range, offset, [&](auto& w) { return Bytes(w) / rs; }), Run(q), q);
      // The same through a pipeline (entries read in full) must agree.
      q = R"(count_over_time({job="gen"} |= "v=")" + r + ")";
      ExpectSame(PerHost(range, offset, Count), Run(q), q);
      q = R"(bytes_over_time({job="gen"} |= "v=")" + r + ")";
      ExpectSame(PerHost(range, offset, Bytes), Run(q), q);
    }
  }
}

TEST_F(MetricFunctionsTest, AbsentOverTimeMarksEmptyWindows) {
  const std::string q = R"(absent_over_time({job="gen", host="h1"}[20s]))";
  Series want;
  for (int64_t t = kStart; t <= kEnd; t += kStep) {
    bool any = false;
    for (const Gen& g : data_[1]) any |= g.ts > t - 20 * kS && g.ts <= t;
    if (!any) want[HostLabels(1)][t] = 1;
  }
  ASSERT_FALSE(want.empty());  // the gap and the steps before the first entry
  ExpectSame(want, Run(q), q);
}

TEST_F(MetricFunctionsTest, UnwrapRangeAggregations) {
  struct Case {
    std::string fn;
    std::function<double(const std::vector<const Gen*>&)> expect;
  };
  const double rs = 20;
  const std::vector<Case> cases = {
      {"sum_over_time", Sum},
      {"avg_over_time", [](auto& w) { return Sum(w) / static_cast<double>(w.size()); }},
      {"min_over_time",
       [](auto& w) {
         auto v = Values(w);
         return *std::min_element(v.begin(), v.end());
       }},
      {"max_over_time",
       [](auto& w) {
         auto v = Values(w);
         return *std::max_element(v.begin(), v.end());
       }},
      {"first_over_time", [](auto& w) { return w.front()->value; }},
      {"last_over_time", [](auto& w) { return w.back()->value; }},
      {"stdvar_over_time", Var},
      {"stddev_over_time", [](auto& w) { return std::sqrt(Var(w)); }},
      {"rate", [&](auto& w) { return Sum(w) / rs; }},
      {"quantile_over_time(0.3,", [](auto& w) { return Quantile(0.3, Values(w)); }},
  };
  for (int64_t offset : {int64_t{0}, 15 * kS}) {
    const std::string r = offset ? "[20s] offset 15s" : "[20s]";
    for (const Case& c : cases) {
      const std::string open = c.fn.back() == ',' ? c.fn + " " : c.fn + "(";
      const std::string q = open + R"({job="gen"} | regexp `v=(?P<v>\S+)` | unwrap v )" + r + ")";
      ExpectSame(PerHost(20 * kS, offset, c.expect), Run(q), q);
    }
  }
}

TEST_F(MetricFunctionsTest, RateCounterHandlesResets) {
  for (int64_t range : {20 * kS, 60 * kS, 120 * kS}) {
    const std::string q = R"(rate_counter({job="gen"} | regexp `c=(?P<c>\S+)` | unwrap c [)" +
                          std::to_string(range / kS) + "s])";
    Series want = PerHost(
        range, 0, [&](const std::vector<const Gen*>& w) { return ExpectedRateCounter(w, range); });
    ExpectSame(want, Run(q), q);
  }
  // By hand: 1, 3, 0 (reset), 2 at 1..4 s in a 10 s window: increase 1 + 3 = 4; sampled
  // interval 3e9 ns / 1000; start gap 10 (Loki's unit mix), end gap 0.
  Push(R"({job="ctr"})", {{kBase + 1 * kS, "c=1"},
                          {kBase + 2 * kS, "c=3"},
                          {kBase + 3 * kS, "c=0"},
                          {kBase + 4 * kS, "c=2"}});
  auto r = Exec(R"(rate_counter({job="ctr"} | logfmt | unwrap c [10s]))", kBase + 4 * kS,
                kBase + 4 * kS, kS);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->series.size(), 1u);
  ASSERT_EQ(r->series[0].points.size(), 1u);
  EXPECT_NEAR(r->series[0].points[0].second, 4.0 * (3e6 + 10) / 3e6 / 10, 1e-12);
  // A single point in the window: 0.
  r = Exec(R"(rate_counter({job="ctr"} | logfmt | unwrap c [1s]))", kBase + 4 * kS, kBase + 4 * kS,
           kS);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->series.size(), 1u);
  EXPECT_EQ(r->series[0].points[0].second, 0);
}

// Values of sum_over_time(v) per host ("A") and count_over_time per host ("B") feed the
// vector aggregations and operators.
constexpr char kA[] = R"(sum_over_time({job="gen"} | regexp `v=(?P<v>\S+)` | unwrap v [20s]))";
constexpr char kB[] = R"(count_over_time({job="gen"}[20s]))";

TEST_F(MetricFunctionsTest, VectorAggregations) {
  const Series a = PerHost(20 * kS, 0, Sum);
  // step -> host values present
  std::map<int64_t, std::vector<double>> at;
  for (const auto& [l, pts] : a) {
    for (auto [t, v] : pts) at[t].push_back(v);
  }
  auto agg = [&](const std::function<double(const std::vector<double>&)>& fn) {
    Series out;
    for (const auto& [t, vs] : at) out["{}"][t] = fn(vs);
    return out;
  };
  auto sum = [](const std::vector<double>& v) {
    double s = 0;
    for (double x : v) s += x;
    return s;
  };
  auto var = [&](const std::vector<double>& v) {
    const double m = sum(v) / static_cast<double>(v.size());
    double acc = 0;
    for (double x : v) acc += (x - m) * (x - m);
    return acc / static_cast<double>(v.size());
  };
  const std::string inner = std::string("(") + kA + ")";
  ExpectSame(agg(sum), Run("sum" + inner), "sum");
  ExpectSame(agg([&](auto& v) { return sum(v) / static_cast<double>(v.size()); }),
             Run("avg" + inner), "avg");
  ExpectSame(agg([](auto& v) { return *std::min_element(v.begin(), v.end()); }), Run("min" + inner),
             "min");
  ExpectSame(agg([](auto& v) { return *std::max_element(v.begin(), v.end()); }), Run("max" + inner),
             "max");
  ExpectSame(agg([](auto& v) { return static_cast<double>(v.size()); }), Run("count" + inner),
             "count");
  ExpectSame(agg(var), Run("stdvar" + inner), "stdvar");
  ExpectSame(agg([&](auto& v) { return std::sqrt(var(v)); }), Run("stddev" + inner), "stddev");
  // by / without, before or after: grouping on job keeps {job="gen"}.
  Series by_job;
  for (const auto& [t, vs] : at) by_job["{job=\"gen\"}"][t] = sum(vs);
  ExpectSame(by_job, Run("sum by (job) " + inner), "sum by (job)");
  ExpectSame(by_job, Run("sum" + inner + " by (job)"), "sum () by (job)");
  ExpectSame(by_job, Run("sum without (host) " + inner), "sum without (host)");
  ExpectSame(a, Run("sum by (host, job) " + inner), "sum by (host, job)");
  ExpectSame(a, Run("sort" + inner), "sort");
  ExpectSame(a, Run("sort_desc" + inner), "sort_desc");
  // topk / bottomk: per step the k largest (smallest) values keep their series.
  for (int k : {1, 2}) {
    for (bool top : {true, false}) {
      Series want;
      for (int64_t t = kStart; t <= kEnd; t += kStep) {
        std::vector<std::pair<double, std::string>> present;
        for (const auto& [l, pts] : a) {
          if (auto p = pts.find(t); p != pts.end()) present.push_back({p->second, l});
        }
        std::sort(present.begin(), present.end());
        if (top) std::reverse(present.begin(), present.end());
        for (size_t i = 0; i < present.size() && i < static_cast<size_t>(k); ++i) {
          want[present[i].second][t] = present[i].first;
        }
      }
      const std::string q = (top ? "topk(" : "bottomk(") + std::to_string(k) + ", " + kA + ")";
      ExpectSame(want, Run(q), q);
    }
  }
}

TEST_F(MetricFunctionsTest, BinaryOperators) {
  const Series a = PerHost(20 * kS, 0, Sum);
  const Series b = PerHost(20 * kS, 0, Count);
  struct Op {
    std::string text;
    std::function<double(double, double)> fn;
  };
  const std::vector<Op> arith = {
      {"+", [](double x, double y) { return x + y; }},
      {"-", [](double x, double y) { return x - y; }},
      {"*", [](double x, double y) { return x * y; }},
      {"/", [](double x, double y) { return x / y; }},
      {"%", [](double x, double y) { return std::fmod(x, y); }},
      {"^", [](double x, double y) { return std::pow(x, y); }},
  };
  auto map2 = [](const Series& l, const Series& r,
                 const std::function<double(double, double)>& fn) {
    Series out;
    for (const auto& [lab, pts] : l) {
      auto it = r.find(lab);
      if (it == r.end()) continue;
      for (auto [t, v] : pts) {
        if (auto p = it->second.find(t); p != it->second.end()) out[lab][t] = fn(v, p->second);
      }
    }
    return out;
  };
  auto map1 = [](const Series& l, const std::function<double(double)>& fn) {
    Series out;
    for (const auto& [lab, pts] : l) {
      for (auto [t, v] : pts) out[lab][t] = fn(v);
    }
    return out;
  };
  for (const Op& op : arith) {
    // vector op scalar, scalar op vector, vector op vector (one-to-one on all labels).
    std::string q = std::string(kA) + " " + op.text + " 3";
    ExpectSame(map1(a, [&](double v) { return op.fn(v, 3); }), Run(q), q);
    q = "2 " + op.text + " " + kB;
    ExpectSame(map1(b, [&](double v) { return op.fn(2, v); }), Run(q), q);
    q = std::string(kA) + " " + op.text + " " + kB;
    ExpectSame(map2(a, b, op.fn), Run(q), q);
  }
  // Comparisons filter (keeping the left value), or give 0/1 with bool.
  const std::vector<Op> cmp = {
      {"==", [](double x, double y) { return x == y; }},
      {"!=", [](double x, double y) { return x != y; }},
      {">", [](double x, double y) { return x > y; }},
      {"<", [](double x, double y) { return x < y; }},
      {">=", [](double x, double y) { return x >= y; }},
      {"<=", [](double x, double y) { return x <= y; }},
  };
  for (const Op& op : cmp) {
    Series filtered;
    for (const auto& [lab, pts] : b) {
      for (auto [t, v] : pts) {
        if (op.fn(v, 3)) filtered[lab][t] = v;
      }
    }
    std::string q = std::string(kB) + " " + op.text + " 3";
    ExpectSame(filtered, Run(q), q);
    q = std::string(kB) + " " + op.text + " bool 3";
    ExpectSame(map1(b, [&](double v) { return op.fn(v, 3) ? 1.0 : 0.0; }), Run(q), q);
    q = std::string(kA) + " " + op.text + " bool " + kB;
    ExpectSame(map2(a, b, [&](double x, double y) { return op.fn(x, y) ? 1.0 : 0.0; }), Run(q), q);
  }
  // and / or / unless on the label sets present at each step.
  Series b_gt3;
  for (const auto& [lab, pts] : b) {
    for (auto [t, v] : pts) {
      if (v > 3) b_gt3[lab][t] = v;
    }
  }
  const std::string b3 = std::string("(") + kB + " > 3)";
  ExpectSame(map2(a, b_gt3, [](double x, double) { return x; }),
             Run(std::string(kA) + " and " + b3), "and");
  Series unless = a;
  for (auto& [lab, pts] : unless) {
    for (auto it = pts.begin(); it != pts.end();) {
      const bool in_b = b_gt3.count(lab) && b_gt3.at(lab).count(it->first);
      it = in_b ? pts.erase(it) : std::next(it);
    }
    (void)lab;
  }
  std::erase_if(unless, [](const auto& kv) { return kv.second.empty(); });
  ExpectSame(unless, Run(std::string(kA) + " unless " + b3), "unless");
  Series or_ = b_gt3;  // left side first, then the right side's series the left lacks
  for (const auto& [lab, pts] : a) {
    for (auto [t, v] : pts) {
      if (!(b_gt3.count(lab) && b_gt3.at(lab).count(t))) {
        // `or` adds right-hand samples whose label set has no left-hand sample at that step
        or_[lab][t] = v;
      }
    }
  }
  ExpectSame(or_, Run(b3 + " or " + kA), "or");
}

TEST_F(MetricFunctionsTest, WithoutPipelineReadsSamplesOnly) {
  auto* q = static_cast<testing::TestQuerier*>(querier_.get());
  Run(R"(sum by (host) (count_over_time({job="gen"}[20s])))");
  Run(R"(bytes_rate({job="gen"}[20s]))");
  EXPECT_EQ(q->open_stream_calls.load(), 0);
  EXPECT_EQ(q->open_samples_calls.load(), 2 * kHosts);
  // A line filter reads the text, a block at a time.
  Run(R"(count_over_time({job="gen"} |= "x" [20s]))");
  EXPECT_EQ(q->open_stream_calls.load(), 0);
  EXPECT_EQ(q->open_batches_calls.load(), kHosts);
}

TEST_F(MetricFunctionsTest, Errors) {
  // unwrap of a non-number: __error__ on the sample, refused unless filtered or aggregated away.
  auto r = Exec(R"(sum_over_time({job="bad"} | logfmt | unwrap n [10s]))", kBase + 5 * kS,
                kBase + 5 * kS, kS);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message().rfind(
                "pipeline error: 'SampleExtractionErr' for series: "
                "'{__error__=\"SampleExtractionErr\", __error_details__=\"strconv.ParseFloat: "
                "parsing \\\"abc\\\": invalid syntax\", job=\"bad\"}'",
                0),
            0u)
      << r.status().message();
  r = Exec(R"(sum_over_time({job="bad"} | logfmt | unwrap n | __error__="" [10s]))", kBase + 5 * kS,
           kBase + 5 * kS, kS);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->series.size(), 1u);
  EXPECT_EQ(r->series[0].points[0].second, 1);
  // Missing range: a parse error at the closing parenthesis.
  auto e = logql::ParseExpr(R"(count_over_time({job="gen"}))");
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.status().message(), "parse error at line 1, col 28: syntax error: unexpected )");
  // Max series.
  r = Exec(R"(count_over_time({job="gen"}[20s]))", kStart, kEnd, kStep, 2);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "maximum of series (2) reached for a single query");
  r = Exec(R"(rate_counter({job="gen"} | regexp `c=(?P<c>\S+)` | unwrap c [20s]))", kStart, kEnd,
           kStep, 2);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "maximum of series (2) reached for a single query");
}

TEST_F(MetricFunctionsTest, EmptyLabelValuesOfResultSeriesStay) {
  // label_format gives `node` an empty value where the regexp did not match: Loki keeps
  // {node=""} as its own series (stream labels never carry empty values).
  Push(R"({job="nodes"})", {{kBase + 1 * kS, "node-1 down"}, {kBase + 2 * kS, "down"}});
  auto r = Exec(
      R"(sum by (node) (count_over_time({job="nodes"} | regexp `(?P<node>node-\d+)` | label_format node="{{ .node | upper }}" [10s])))",
      kBase + 5 * kS, kBase + 5 * kS, kS);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->series.size(), 2u);
  EXPECT_EQ(r->series[0].labels.ToString(), R"({node=""})");
  EXPECT_EQ(r->series[1].labels.ToString(), R"({node="NODE-1"})");
}

}  // namespace
}  // namespace sawmill::query::engine
