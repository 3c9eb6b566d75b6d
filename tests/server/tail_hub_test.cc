#include "server/tail/tail_hub.h"

#include <limits>

#include <gtest/gtest.h>

#include "query/engine/plan.h"
#include "server/tail/tail_json.h"
#include "storage/metadata.h"

namespace sawmill::server {
namespace {

constexpr int64_t kNever = std::numeric_limits<int64_t>::max();

std::shared_ptr<Tail> MakeTail(std::string_view query, size_t max_entries = 1000,
                               std::vector<std::string> tenants = {},
                               bool categorize_labels = false) {
  Result<query::engine::QueryPlan> plan = query::engine::PlanQuery(query);
  EXPECT_TRUE(plan.ok()) << plan.status().ToString();
  TailOptions options;
  options.tenant = "t";
  if (!tenants.empty()) {
    options.tenant = tenants[0];
    for (size_t i = 1; i < tenants.size(); ++i) options.tenant += "|" + tenants[i];
  }
  options.tenants = std::move(tenants);
  options.categorize_labels = categorize_labels;
  options.matchers = plan->log.matchers;
  options.pipeline = std::shared_ptr<const query::log::Pipeline>(std::move(plan->log.pipeline));
  options.max_buffered_entries = max_entries;
  options.max_dropped = 3;
  return std::make_shared<Tail>(std::move(options));
}

index::LabelSet Labels(std::string_view text) {
  Result<index::LabelSet> l = index::LabelSet::Parse(text);
  EXPECT_TRUE(l.ok()) << l.status().ToString();
  return *l;
}

struct Taken {
  std::vector<TailEntry> entries;
  std::vector<DroppedEntry> dropped;
  int64_t next = 0;
};

Taken TakeAll(Tail* tail, int64_t ready = kNever, size_t max = 1000) {
  Taken t;
  tail->Take(ready, max, &t.entries, &t.dropped, &t.next);
  return t;
}

void PushTo(TailHub* hub, std::string_view tenant, const index::LabelSet& labels,
            const std::vector<storage::EntryRef>& entries) {
  ingest::PushedStream s{&labels, entries};
  hub->OnPush(tenant, {&s, 1});
}

TEST(TailHubTest, MatchesSelectorAndTenantAndRunsThePipeline) {
  TailHub hub;
  EXPECT_FALSE(hub.Active());
  auto tail = MakeTail(R"({app="a"} |= "keep" | logfmt | line_format "{{.msg}}")");
  int wakeups = 0;
  tail->set_wakeup([&] { ++wakeups; });
  ASSERT_TRUE(hub.Open(tail, 0).ok());
  EXPECT_TRUE(hub.Active());

  const index::LabelSet a = Labels(R"({app="a"})");
  PushTo(&hub, "t", a, {{1, "msg=one-keep", ""}, {2, "msg=two", ""}, {3, "msg=three-keep", ""}});
  PushTo(&hub, "t", Labels(R"({app="b"})"), {{4, "msg=four-keep", ""}});
  PushTo(&hub, "other", a, {{5, "msg=five-keep", ""}});
  EXPECT_EQ(wakeups, 1);  // once until the next Take

  Taken t = TakeAll(tail.get());
  ASSERT_EQ(t.entries.size(), 2u);
  EXPECT_EQ(t.entries[0].line, "one-keep");
  EXPECT_EQ(t.entries[1].line, "three-keep");
  EXPECT_EQ(t.entries[0].labels->ToString(), R"({app="a", msg="one-keep"})");
  EXPECT_TRUE(t.dropped.empty());
  EXPECT_EQ(t.next, kNever);

  hub.Close(tail.get());
  EXPECT_FALSE(hub.Active());
  PushTo(&hub, "t", a, {{6, "msg=six-keep", ""}});
  EXPECT_TRUE(TakeAll(tail.get()).entries.empty());
}

TEST(TailHubTest, OverflowIsDroppedAndCounted) {
  TailHub hub;
  auto tail = MakeTail(R"({app="a"})", /*max_entries=*/2);
  ASSERT_TRUE(hub.Open(tail, 0).ok());
  const index::LabelSet a = Labels(R"({app="a"})");
  PushTo(
      &hub, "t", a,
      {{1, "l1", ""}, {2, "l2", ""}, {3, "l3", ""}, {4, "l4", ""}, {5, "l5", ""}, {6, "l6", ""}});
  Taken t = TakeAll(tail.get());
  ASSERT_EQ(t.entries.size(), 2u);
  EXPECT_EQ(t.entries[1].line, "l2");
  ASSERT_EQ(t.dropped.size(), 3u);  // max_dropped: the 4th drop is not remembered
  EXPECT_EQ(t.dropped[0].ts_ns, 3);
  EXPECT_EQ(t.dropped[0].labels->ToString(), R"({app="a"})");
  EXPECT_EQ(TailMessageJson(t.entries, t.dropped),
            R"({"streams":[{"stream":{"app":"a"},"values":[["1","l1"]]},)"
            R"({"stream":{"app":"a"},"values":[["2","l2"]]}],"dropped_entries":[)"
            R"({"timestamp":"3","labels":{"app":"a"}},{"timestamp":"4","labels":{"app":"a"}},)"
            R"({"timestamp":"5","labels":{"app":"a"}}]})");
  // Taking frees the buffer.
  PushTo(&hub, "t", a, {{7, "l7", ""}});
  t = TakeAll(tail.get());
  ASSERT_EQ(t.entries.size(), 1u);
  EXPECT_TRUE(t.dropped.empty());
  EXPECT_EQ(TailMessageJson(t.entries, t.dropped),
            R"({"streams":[{"stream":{"app":"a"},"values":[["7","l7"]]}]})");
  // Loki 3 writes "streams" always, dropped_entries only when there are some.
  EXPECT_EQ(TailMessageJson({}, t.dropped), R"({"streams":[]})");
  std::vector<DroppedEntry> lost = {{9, std::make_shared<const index::LabelSet>()}};
  EXPECT_EQ(TailMessageJson({}, lost), R"({"streams":[],"dropped_entries":[{"timestamp":"9"}]})");
}

TEST(TailHubTest, HeldBackEntriesComeOutInTimestampOrder) {
  TailHub hub;
  auto tail = MakeTail(R"({app="a"})");
  ASSERT_TRUE(hub.Open(tail, 0).ok());
  const index::LabelSet a = Labels(R"({app="a"})");
  PushTo(&hub, "t", a, {{30, "c", ""}});
  PushTo(&hub, "t", a, {{10, "a", ""}, {40, "d", ""}});
  PushTo(&hub, "t", a, {{20, "b", ""}});
  Taken t = TakeAll(tail.get(), /*ready=*/25);
  ASSERT_EQ(t.entries.size(), 2u);
  EXPECT_EQ(t.entries[0].line, "a");
  EXPECT_EQ(t.entries[1].line, "b");
  EXPECT_EQ(t.next, 30);
  t = TakeAll(tail.get(), kNever - 1);
  ASSERT_EQ(t.entries.size(), 2u);
  EXPECT_EQ(t.entries[0].line, "c");
  EXPECT_EQ(t.entries[1].line, "d");
}

TEST(TailHubTest, CapsOpenTailsPerTenant) {
  TailHub hub;
  auto t1 = MakeTail(R"({app="a"})");
  auto t2 = MakeTail(R"({app="a"})");
  auto t3 = MakeTail(R"({app="a"})");
  ASSERT_TRUE(hub.Open(t1, 2).ok());
  ASSERT_TRUE(hub.Open(t2, 2).ok());
  Status s = hub.Open(t3, 2);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.message(), "max concurrent tail requests limit exceeded, count > limit (3 > 2)");
  EXPECT_EQ(hub.size(), 2u);
  hub.Close(t3.get());  // not open: nothing happens
  EXPECT_EQ(hub.size(), 2u);
  hub.Close(t1.get());
  EXPECT_TRUE(hub.Open(t3, 2).ok());
}

TEST(TailHubTest, MultiTenantTailLabelsEachEntryWithItsTenant) {
  TailHub hub;
  auto tail = MakeTail(R"({app="a"})", 1000, {"x", "y"});
  auto only_y = MakeTail(R"({app="a", __tenant_id__="y"})", 1000, {"x", "y"});
  ASSERT_TRUE(hub.Open(tail, 1).ok());
  ASSERT_TRUE(hub.Open(only_y, 2).ok());  // "x|y" counts as one tenant of its own
  EXPECT_FALSE(hub.Open(MakeTail(R"({app="a"})", 1000, {"x", "y"}), 2).ok());
  auto single_x = MakeTail(R"({app="a"})", 1000, {"x"});
  ASSERT_TRUE(hub.Open(single_x, 1).ok());  // x alone is not capped by x|y's tails
  const index::LabelSet a = Labels(R"({app="a"})");
  PushTo(&hub, "x", a, {{1, "from x", ""}});
  PushTo(&hub, "y", a, {{2, "from y", ""}});
  PushTo(&hub, "z", a, {{3, "from z", ""}});
  Taken t = TakeAll(tail.get());
  ASSERT_EQ(t.entries.size(), 2u);
  EXPECT_EQ(t.entries[0].labels->ToString(), R"({__tenant_id__="x", app="a"})");
  EXPECT_EQ(t.entries[1].labels->ToString(), R"({__tenant_id__="y", app="a"})");
  t = TakeAll(only_y.get());
  ASSERT_EQ(t.entries.size(), 1u);
  EXPECT_EQ(t.entries[0].line, "from y");
  t = TakeAll(single_x.get());
  ASSERT_EQ(t.entries.size(), 1u);
  EXPECT_EQ(t.entries[0].labels->ToString(), R"({app="a"})");
  hub.Close(tail.get());
  hub.Close(only_y.get());
  hub.Close(single_x.get());
  EXPECT_EQ(hub.size(), 0u);
  EXPECT_FALSE(hub.Active());
}

TEST(TailHubTest, StructuredMetadataJoinsTheLabelsUnlessCategorized) {
  TailHub hub;
  auto joined = MakeTail(R"({app="a"})");
  auto categorized = MakeTail(R"({app="a"} | logfmt)", 1000, {}, true);
  auto categorized_plain = MakeTail(R"({app="a"})", 1000, {}, true);
  ASSERT_TRUE(hub.Open(joined, 0).ok());
  ASSERT_TRUE(hub.Open(categorized, 0).ok());
  ASSERT_TRUE(hub.Open(categorized_plain, 0).ok());
  const index::LabelSet a = Labels(R"({app="a"})");
  const std::string metadata = storage::EncodeMetadata({{"trace_id", "t1"}});
  PushTo(&hub, "t", a, {{1, "k=v", metadata}, {2, "n=2", ""}});
  Taken t = TakeAll(joined.get());
  ASSERT_EQ(t.entries.size(), 2u);
  EXPECT_EQ(TailMessageJson(t.entries, {}),
            R"({"streams":[{"stream":{"app":"a","trace_id":"t1"},"values":[["1","k=v"]]},)"
            R"({"stream":{"app":"a"},"values":[["2","n=2"]]}]})");
  t = TakeAll(categorized.get());
  ASSERT_EQ(t.entries.size(), 2u);
  EXPECT_EQ(TailMessageJson(t.entries, {}, true),
            R"({"streams":[{"stream":{"app":"a"},"values":[["1","k=v",)"
            R"({"structuredMetadata":{"trace_id":"t1"},"parsed":{"k":"v"}}]]},)"
            R"({"stream":{"app":"a"},"values":[["2","n=2",{"parsed":{"n":"2"}}]]}],)"
            R"("encodingFlags":["categorize-labels"]})");
  t = TakeAll(categorized_plain.get());
  ASSERT_EQ(t.entries.size(), 2u);
  EXPECT_EQ(TailMessageJson(t.entries, {}, true),
            R"({"streams":[{"stream":{"app":"a"},"values":[["1","k=v",)"
            R"({"structuredMetadata":{"trace_id":"t1"}}]]},)"
            R"({"stream":{"app":"a"},"values":[["2","n=2",{}]]}],)"
            R"("encodingFlags":["categorize-labels"]})");
}

}  // namespace
}  // namespace sawmill::server
