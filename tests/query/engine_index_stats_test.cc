// Index stats, volume, detected labels/fields and multi-tenant reads over a real store and
// index, checked against figures computed by hand from what was pushed.
#include <gtest/gtest.h>

#include "query/engine/detected_fields.h"
#include "query/engine/detected_labels.h"
#include "query/engine/index_stats.h"
#include "query/engine/log_query.h"
#include "query/engine/multi_tenant_querier.h"
#include "query/engine/plan.h"
#include "tests/query/engine_test_util.h"

namespace sawmill::query::engine {
namespace {

constexpr int64_t kSec = 1000000000;
constexpr int64_t kBase = 1795132800LL * kSec;  // 2026-11-20T00:00:00Z

std::vector<index::Matcher> Sel(std::string_view s) {
  auto m = ParseSelector(s);
  EXPECT_TRUE(m.ok()) << m.status().ToString();
  return m.ok() ? *m : std::vector<index::Matcher>{};
}

// n lines of `size` bytes, one per second from kBase + offset seconds.
std::vector<std::pair<int64_t, std::string>> Lines(int n, size_t size, int offset = 0) {
  std::vector<std::pair<int64_t, std::string>> out;
  for (int i = 0; i < n; ++i) out.push_back({kBase + (offset + i) * kSec, std::string(size, 'x')});
  return out;
}

class IndexStatsTest : public testing::StoreFixture {
 protected:
  void SetUp() override {
    StoreFixture::SetUp();
    Push(R"({app="a", env="prod", pod="p1"})", Lines(10, 10));  // 100 bytes
    Push(R"({app="a", env="dev", pod="p2"})", Lines(5, 20));    // 100 bytes
    Push(R"({app="b", env="prod", pod="p3"})", Lines(3, 100));  // 300 bytes
  }
};

TEST_F(IndexStatsTest, StatsSumTheSelectedStreams) {
  auto s = IndexStats(querier_.get(), "t", Sel(R"({app="a"})"), kBase, kBase + 60 * kSec);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->streams, 2u);
  EXPECT_EQ(s->entries, 15u);
  EXPECT_EQ(s->bytes, 200u);
  EXPECT_EQ(IndexStatsJson(*s), R"({"streams":2,"chunks":0,"bytes":200,"entries":15})");
  // A range holding nothing of a stream does not count it.
  auto late =
      IndexStats(querier_.get(), "t", Sel(R"({app="a"})"), kBase + 7 * kSec, kBase + 60 * kSec);
  ASSERT_TRUE(late.ok());
  EXPECT_EQ(late->streams, 1u);
  EXPECT_EQ(late->entries, 3u);
}

TEST_F(IndexStatsTest, VolumeAggregatesBySelectorLabelsLargestFirst) {
  VolumeParams p;
  p.tenant = "t";
  p.matchers = Sel(R"({env=~".+"})");
  p.start_ns = kBase;
  p.end_ns = kBase + 60 * kSec;
  auto v = Volume(querier_.get(), p);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  const std::string json = VolumeJson(*v);
  EXPECT_EQ(json.rfind(R"({"status":"success","data":{"resultType":"vector","result":[)"
                       R"({"metric":{"env":"prod"},"value":[1795132860,"400"]},)"
                       R"({"metric":{"env":"dev"},"value":[1795132860,"100"]}],"stats":{)",
                       0),
            0u)
      << json;
}

TEST_F(IndexStatsTest, VolumeTargetLabelsLabelsAggregationLimitAndEverything) {
  VolumeParams p;
  p.tenant = "t";
  p.start_ns = kBase;
  p.end_ns = kBase + 60 * kSec;
  // {} with no target: every stream under all its labels.
  auto all = Volume(querier_.get(), p);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_EQ(all->series.size(), 3u);
  EXPECT_EQ(all->series[0].name, R"({app="b", env="prod", pod="p3"})");
  // Target label not in the selector: streams need it, aggregated into it alone.
  p.matchers = Sel(R"({app="a"})");
  p.target_labels = {"env"};
  auto by_env = Volume(querier_.get(), p);
  ASSERT_TRUE(by_env.ok());
  ASSERT_EQ(by_env->series.size(), 2u);
  EXPECT_EQ(by_env->series[0].name, R"({env="dev"})");  // ties by name
  EXPECT_EQ(by_env->series[0].samples[0].second, 100u);
  // By labels: one series per label name, value "".
  p.target_labels.clear();
  p.aggregate_by_labels = true;
  auto by_labels = Volume(querier_.get(), p);
  ASSERT_TRUE(by_labels.ok());
  ASSERT_EQ(by_labels->series.size(), 3u);
  EXPECT_EQ(by_labels->series[0].metric.ToString(), R"({app=""})");
  EXPECT_EQ(by_labels->series[0].samples[0].second, 200u);
  // The limit keeps the largest.
  p.aggregate_by_labels = false;
  p.matchers = Sel(R"({pod=~".+"})");
  p.limit = 1;
  auto top = Volume(querier_.get(), p);
  ASSERT_TRUE(top.ok());
  ASSERT_EQ(top->series.size(), 1u);
  EXPECT_EQ(top->series[0].name, R"({pod="p3"})");
}

TEST_F(IndexStatsTest, VolumeRangeCutsStepAlignedIntervals) {
  VolumeParams p;
  p.tenant = "t";
  p.matchers = Sel(R"({app="a", env="prod"})");
  p.start_ns = kBase + 2 * kSec;
  p.end_ns = kBase + 12 * kSec;
  p.step_ns = 5 * kSec;
  auto v = Volume(querier_.get(), p);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  ASSERT_TRUE(v->is_matrix);
  ASSERT_EQ(v->series.size(), 1u);
  // [2 s, 5 s - 1 ms], [5 s, 10 s - 1 ms], [10 s, 12 s]: entries at 2..4, 5..9, none.
  const auto& s = v->series[0].samples;
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0], (std::pair<int64_t, uint64_t>{kBase + 5 * kSec - 1000000, 30}));
  EXPECT_EQ(s[1], (std::pair<int64_t, uint64_t>{kBase + 10 * kSec - 1000000, 50}));
  EXPECT_NE(VolumeJson(*v).find(R"("values":[[1795132804.999,"30"],[1795132809.999,"50"]])"),
            std::string::npos)
      << VolumeJson(*v);
}

// Loki's volume_range answer is a vector when no series has more than one sample
// (pkg/querier/queryrange/volume.go toPrometheusData starts from ResultTypeVector and turns
// to matrix only on a series with len(samples) > 1; LokiPromResponse.marshalVector then
// writes each series' first sample as "value"). Looked up for issue 6: not a Sawmill quirk.
TEST_F(IndexStatsTest, VolumeRangeWithOneSamplePerSeriesIsAVectorAsInLoki) {
  VolumeParams p;
  p.tenant = "t";
  p.matchers = Sel(R"({app="a", env="prod"})");
  p.start_ns = kBase + 2 * kSec;
  p.end_ns = kBase + 4 * kSec;  // one interval: [2 s, 4 s]
  p.step_ns = 5 * kSec;
  auto v = Volume(querier_.get(), p);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_FALSE(v->is_matrix);
  ASSERT_EQ(v->series.size(), 1u);
  ASSERT_EQ(v->series[0].samples.size(), 1u);
  EXPECT_EQ(
      VolumeJson(*v).rfind(R"({"status":"success","data":{"resultType":"vector","result":[)"
                           R"({"metric":{"app":"a","env":"prod"},"value":[1795132804,"30"]}])",
                           0),
      0u)
      << VolumeJson(*v);
}

TEST_F(IndexStatsTest, DetectedLabelsDropIdLikeLabels) {
  Push(R"({app="c", request_id="123", trace="550e8400-e29b-41d4-a716-446655440000"})", Lines(1, 1));
  Push(R"({app="c", request_id="456", trace="550e8400-e29b-41d4-a716-446655440001"})", Lines(1, 1));
  Push(R"({app="c", request_id="789", pod="p9"})", Lines(1, 1));
  auto labels = DetectLabels(querier_.get(), "t", {}, kBase, kBase + 60 * kSec);
  ASSERT_TRUE(labels.ok()) << labels.status().ToString();
  EXPECT_EQ(DetectedLabelsJson(*labels),
            R"({"detectedLabels":[{"label":"app","cardinality":3},)"
            R"({"label":"env","cardinality":2},{"label":"pod","cardinality":4}]})");
}

TEST(DetectFieldTypeTest, FollowsGoParsersInLokisOrder) {
  struct Case {
    std::string_view value, type;
  };
  const Case cases[] = {{"42", "int"},        {"-7", "int"},
                        {"1.5", "float"},     {"1e3", "float"},
                        {"true", "boolean"},  {"F", "boolean"},
                        {"1", "int"},         {"300ms", "duration"},
                        {"1h2m", "duration"}, {"10KB", "bytes"},
                        {"5 MiB", "bytes"},   {"hello", "string"},
                        {"", "string"},       {"99999999999999999999", "float"}};
  for (const Case& c : cases) {
    SCOPED_TRACE(c.value);
    EXPECT_EQ(DetectFieldType(c.value), c.type);
  }
}

TEST_F(IndexStatsTest, DetectedFieldsParseLogfmtAndJson) {
  Push(R"({app="l"})",
       {{kBase + kSec, "level=info took=5ms n=3"}, {kBase + 2 * kSec, "level=warn took=1.5s n=4"}});
  Push(R"({app="j"})", {{kBase + kSec, R"({"user":"ann","ok":true,"nested":{"k":1.5}})"}});
  ThreadPool pool(2);
  DetectedFieldsParams p;
  p.tenant = "t";
  p.query = R"({app=~"l|j"})";
  p.start_ns = kBase;
  p.end_ns = kBase + 60 * kSec;
  auto fields = DetectFields(querier_.get(), &pool, p);
  ASSERT_TRUE(fields.ok()) << fields.status().ToString();
  EXPECT_EQ(
      DetectedFieldsJson(*fields, 1000),
      R"({"fields":[{"label":"level","type":"string","cardinality":2,"parsers":["logfmt"]},)"
      R"({"label":"n","type":"int","cardinality":2,"parsers":["logfmt"]},)"
      R"({"label":"nested_k","type":"float","cardinality":1,"parsers":["json"]},)"
      R"({"label":"ok","type":"boolean","cardinality":1,"parsers":["json"]},)"
      R"({"label":"took","type":"duration","cardinality":2,"parsers":["logfmt"]},)"
      R"({"label":"user","type":"string","cardinality":1,"parsers":["json"]}],"limit":1000})");
  EXPECT_EQ(DetectedFieldValuesJson(*fields, "took", 10), R"({"values":["1.5s","5ms"]})");
  EXPECT_EQ(DetectedFieldValuesJson(*fields, "took", 1), R"({"values":["1.5s"]})");
  p.field_limit = 2;
  auto two = DetectFields(querier_.get(), &pool, p);
  ASSERT_TRUE(two.ok());
  EXPECT_EQ(two->size(), 2u);
  p.query = "{app=";
  EXPECT_FALSE(DetectFields(querier_.get(), &pool, p).ok());
}

TEST_F(IndexStatsTest, MultiTenantQuerierLabelsStreamsWithTheirTenant) {
  // The same label set in two tenants: the same fingerprint, kept apart.
  Push(R"({app="a", env="prod", pod="p1"})", Lines(2, 7), "u");
  MultiTenantQuerier multi(querier_.get(), SplitTenantIds("t|u|t|"));
  auto streams = multi.SelectStreams("ignored", Sel(R"({pod="p1"})"), kBase, kBase + 60 * kSec);
  ASSERT_TRUE(streams.ok()) << streams.status().ToString();
  ASSERT_EQ(streams->size(), 2u);
  EXPECT_EQ((*streams)[0].labels->ToString(),
            R"({__tenant_id__="t", app="a", env="prod", pod="p1"})");
  EXPECT_EQ((*streams)[1].labels->ToString(),
            R"({__tenant_id__="u", app="a", env="prod", pod="p1"})");
  auto usage = multi.Usage("", (*streams)[1].id, kBase, kBase + 60 * kSec);
  ASSERT_TRUE(usage.ok());
  EXPECT_EQ(usage->entries, 2u);
  EXPECT_EQ(usage->bytes, 14u);
  // __tenant_id__ matchers choose tenants.
  auto only_u =
      multi.SelectStreams("", Sel(R"({__tenant_id__="u", app="a"})"), kBase, kBase + 60 * kSec);
  ASSERT_TRUE(only_u.ok());
  ASSERT_EQ(only_u->size(), 1u);
  EXPECT_EQ((*only_u)[0].labels->Get("__tenant_id__"), "u");
  auto names = multi.LabelNames("", kBase, kBase + 60 * kSec);
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(*names, (std::vector<std::string>{"__tenant_id__", "app", "env", "pod"}));
  auto tenants = multi.LabelValues("", "__tenant_id__", kBase, kBase + 60 * kSec,
                                   Sel(R"({__tenant_id__=~"u|x"})"));
  ASSERT_TRUE(tenants.ok());
  EXPECT_EQ(*tenants, (std::vector<std::string>{"u"}));
  // A log query through it returns both tenants' lines.
  ThreadPool pool(2);
  auto plan = PlanQuery(R"({app="a", env="prod"})");
  ASSERT_TRUE(plan.ok());
  LogQueryParams q;
  q.tenant = "t|u";
  q.matchers = plan->log.matchers;
  q.pipeline = plan->log.pipeline.get();
  q.start_ns = kBase;
  q.end_ns = kBase + 60 * kSec;
  q.limit = 100;
  auto r = ExecuteLogQuery(&multi, &pool, q);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->streams.size(), 2u);
  EXPECT_EQ(r->streams[0].entries.size(), 10u);
  EXPECT_EQ(r->streams[1].entries.size(), 2u);
  EXPECT_EQ(r->streams[1].labels.Get("__tenant_id__"), "u");
}

}  // namespace
}  // namespace sawmill::query::engine
