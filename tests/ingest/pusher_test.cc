// The Pusher's limits over a real store and label index: the ingestion rate limit (whole
// push refused, nothing stored or indexed), the active-stream limit (only new streams past
// it refused), and per-tenant overrides.
#include "ingest/pusher.h"
#include "ingest/stream_cache.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <thread>

#include "tests/storage/store_test_util.h"

namespace sawmill::ingest {
namespace {

using storage::testing::ReadAll;
using storage::testing::TempDir;
using storage::testing::TestOptions;

constexpr int64_t kSecond = 1'000'000'000;

class PusherTest : public ::testing::Test {
 protected:
  void Open(PushLimits defaults, storage::StoreOptions options) {
    overrides_ = std::make_unique<Overrides>(defaults);
    auto store = storage::Store::Open(options);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
    auto index = index::LabelIndex::Open(store_->kv());
    ASSERT_TRUE(index.ok()) << index.status().ToString();
    index_ = std::move(index).value();
    pusher_ = std::make_unique<Pusher>(store_.get(), index_.get(), overrides_.get(),
                                       [this] { return clock_ns_; });
  }
  void Open(PushLimits defaults) { Open(defaults, TestOptions(dir_.path())); }

  void TearDown() override {
    pusher_.reset();
    index_.reset();
    if (store_) {
      EXPECT_TRUE(store_->Close().ok());
    }
  }

  // One entry per stream, each line `line_bytes` long, at `now`.
  PushOutcome Push(std::string_view tenant, std::vector<std::string> streams,
                   size_t line_bytes = 10) {
    PushRequest req;
    for (const std::string& s : streams) {
      PushStream ps;
      ps.labels = req.Own(s);
      ps.entries.push_back({now_ns_, req.Own(std::string(line_bytes, 'x')), {}});
      req.streams.push_back(std::move(ps));
    }
    ++now_ns_;
    PushOutcome outcome;
    Status st = pusher_->Push(tenant, req, Now(), &outcome);
    EXPECT_TRUE(st.ok()) << st.ToString();
    return outcome;
  }

  std::chrono::system_clock::time_point Now() const {
    return std::chrono::system_clock::time_point(
        std::chrono::duration_cast<std::chrono::system_clock::duration>(
            std::chrono::nanoseconds(now_ns_)));
  }

  // Entries stored for a stream; -1 when the index does not know it.
  int Stored(std::string_view tenant, std::string_view labels) {
    auto parsed = index::LabelSet::Parse(labels);
    EXPECT_TRUE(parsed.ok());
    std::optional<uint64_t> id = index_->FindStream(tenant, *parsed);
    if (!id) return -1;
    return static_cast<int>(ReadAll(store_.get(), tenant, *id).size());
  }

  TempDir dir_;
  std::unique_ptr<Overrides> overrides_;
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<index::LabelIndex> index_;
  std::unique_ptr<Pusher> pusher_;
  int64_t clock_ns_ = 0;
  int64_t now_ns_ = 1'700'000'000 * kSecond;
};

TEST_F(PusherTest, RateLimitRefusesTheWholePushAndStoresNothing) {
  PushLimits limits;
  limits.ingestion_rate_mb = 1000 / kBytesPerMB;  // 1000 bytes/s
  limits.ingestion_burst_size_mb = 2000 / kBytesPerMB;
  Open(limits);

  PushOutcome ok = Push("t", {R"({app="a"})", R"({app="b"})"}, 750);
  EXPECT_TRUE(ok.errors.empty());
  EXPECT_EQ(ok.accepted_entries, 2u);

  PushOutcome refused = Push("t", {R"({app="a"})", R"({app="c"})"}, 300);  // 600 > 500 left
  EXPECT_TRUE(refused.too_many_requests);
  EXPECT_TRUE(refused.rate_limited);
  EXPECT_EQ(refused.accepted_entries, 0u);
  EXPECT_EQ(refused.refused_entries, 2u);
  ASSERT_EQ(refused.errors.size(), 1u);
  EXPECT_EQ(refused.errors[0],
            "Ingestion rate limit exceeded for user t (limit: 1000 bytes/sec) while attempting "
            "to ingest '2' lines totaling '600' bytes, reduce log volume or contact your Loki "
            "administrator to see if the limit can be increased");
  EXPECT_EQ(Stored("t", R"({app="a"})"), 1);
  EXPECT_EQ(Stored("t", R"({app="c"})"), -1);  // not even indexed

  // Another tenant has its own bucket; and a tenant's bucket refills with time.
  EXPECT_TRUE(Push("u", {R"({app="a"})"}, 2000).errors.empty());
  clock_ns_ += kSecond / 10;  // +100 bytes: 600 available
  EXPECT_TRUE(Push("t", {R"({app="a"})", R"({app="c"})"}, 300).errors.empty());
  EXPECT_EQ(Stored("t", R"({app="c"})"), 1);
}

TEST_F(PusherTest, RateLimitCountsOnlyValidLinesAndIsOffByDefault) {
  PushLimits limits;
  limits.max_line_size = 100;
  Open(limits);
  EXPECT_TRUE(Push("t", {R"({app="a"})"}, 100).errors.empty());
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(Push("t", {R"({app="a"})"}, 100).errors.empty());

  limits.ingestion_rate_mb = 100 / kBytesPerMB;
  limits.ingestion_burst_size_mb = 100 / kBytesPerMB;
  overrides_->Replace({{"t", limits}});
  // A refused 1000-byte line does not count against the rate: the valid 100 bytes pass.
  PushOutcome mixed = Push("t", {R"({app="a"})", R"({app="b"})"}, 0);
  EXPECT_TRUE(mixed.errors.empty());
  PushRequest req;
  PushStream ps;
  ps.labels = req.Own(R"({app="a"})");
  ps.entries.push_back({now_ns_, req.Own(std::string(1000, 'x')), {}});
  ps.entries.push_back({now_ns_, req.Own(std::string(100, 'y')), {}});
  req.streams.push_back(std::move(ps));
  PushOutcome outcome;
  ASSERT_TRUE(pusher_->Push("t", req, Now(), &outcome).ok());
  EXPECT_FALSE(outcome.too_many_requests);
  EXPECT_EQ(outcome.accepted_entries, 1u);
  EXPECT_EQ(outcome.refused_entries, 1u);
}

TEST_F(PusherTest, StreamLimitRefusesOnlyNewStreams) {
  PushLimits limits;
  limits.max_global_streams_per_user = 2;
  Open(limits);

  PushOutcome first = Push("t", {R"({app="a"})", R"({app="b"})", R"({app="c"})"});
  EXPECT_TRUE(first.too_many_requests);
  EXPECT_FALSE(first.rate_limited);
  EXPECT_EQ(first.accepted_entries, 2u);
  EXPECT_EQ(first.refused_entries, 1u);
  ASSERT_EQ(first.errors.size(), 1u);
  EXPECT_EQ(first.errors[0],
            "Maximum active stream limit exceeded when trying to create stream {app=\"c\"}, "
            "reduce the number of active streams (reduce labels or reduce label values), or "
            "contact your Loki administrator to see if the limit can be increased, user: 't'");
  EXPECT_EQ(Stored("t", R"({app="a"})"), 1);
  EXPECT_EQ(Stored("t", R"({app="c"})"), -1);  // refused streams are not indexed

  // Existing streams keep being written next to a refused new one; other tenants are apart.
  PushOutcome second = Push("t", {R"({app="d"})", R"({app="a"})", R"({app="b"})"});
  EXPECT_TRUE(second.too_many_requests);
  EXPECT_EQ(second.accepted_entries, 2u);
  EXPECT_EQ(Stored("t", R"({app="b"})"), 2);
  EXPECT_TRUE(Push("u", {R"({app="c"})", R"({app="d"})"}).errors.empty());

  // A per-tenant override raises the limit at once.
  limits.max_global_streams_per_user = 3;
  overrides_->Replace({{"t", limits}});
  EXPECT_TRUE(Push("t", {R"({app="c"})"}).errors.empty());
  EXPECT_TRUE(Push("t", {R"({app="d"})"}).too_many_requests);
}

TEST_F(PusherTest, FlushedIdleStreamsStopCounting) {
  PushLimits limits;
  limits.max_streams_per_user = 1;
  storage::StoreOptions options = TestOptions(dir_.path());
  options.chunk_idle = std::chrono::milliseconds(1);
  Open(limits, options);
  EXPECT_TRUE(Push("t", {R"({app="a"})"}).errors.empty());
  EXPECT_TRUE(Push("t", {R"({app="b"})"}).too_many_requests);
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  ASSERT_TRUE(store_->FlushDue().ok());  // flushes the idle head
  ASSERT_TRUE(store_->FlushDue().ok());  // and forgets the empty, idle stream
  std::vector<bool> active;
  EXPECT_EQ(store_->ActiveStreams("t", {}, &active), 0u);
  EXPECT_TRUE(Push("t", {R"({app="b"})"}).errors.empty());
  EXPECT_EQ(Stored("t", R"({app="a"})"), 1);  // still readable from its chunk
  // {app="a"} is in the index but no longer active: it is new again.
  EXPECT_TRUE(Push("t", {R"({app="a"})"}).too_many_requests);
}

TEST_F(PusherTest, LabelStringsSpelledDifferentlyNameOneStream) {
  Open(PushLimits());
  for (const char* labels : {R"({app="a", env="prod"})", R"({env="prod",app="a"})",
                             R"({ app = "a" , env = 'prod' })", R"({app="a", env="prod"})"}) {
    SCOPED_TRACE(labels);
    PushOutcome o = Push("t", {labels});
    EXPECT_TRUE(o.errors.empty());
    EXPECT_EQ(o.accepted_entries, 1u);
  }
  EXPECT_EQ(Stored("t", R"({app="a", env="prod"})"), 4);
  EXPECT_EQ(index_->Stats().streams, 1u);
}

TEST_F(PusherTest, ALabelStringIsItsOwnStreamInEachTenant) {
  Open(PushLimits());
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(Push("t", {R"({app="a"})"}).errors.empty());
    ASSERT_TRUE(Push("u", {R"({app="a"})"}).errors.empty());
  }
  ASSERT_TRUE(Push("u", {R"({app="a"})"}).errors.empty());
  EXPECT_EQ(Stored("t", R"({app="a"})"), 3);
  EXPECT_EQ(Stored("u", R"({app="a"})"), 4);
  EXPECT_EQ(index_->Stats().tenants, 2u);
}

TEST_F(PusherTest, BadLabelsAreRefusedEveryTime) {
  Open(PushLimits());
  for (int i = 0; i < 3; ++i) {
    PushOutcome o = Push("t", {R"({app="a")", R"({app="b"})"});
    EXPECT_EQ(o.accepted_entries, 1u);
    EXPECT_EQ(o.refused_entries, 1u);
    ASSERT_EQ(o.errors.size(), 1u);
    EXPECT_NE(o.errors[0].find("parse error"), std::string::npos) << o.errors[0];
  }
  EXPECT_EQ(Stored("t", R"({app="b"})"), 3);
}

TEST_F(PusherTest, LimitsApplyToAKnownStreamWhenTheyChange) {
  Open(PushLimits());
  ASSERT_TRUE(Push("t", {R"({app="a", env="prod"})"}).errors.empty());
  PushLimits strict;
  strict.max_label_names = 1;
  overrides_->Replace({{"t", strict}});
  PushOutcome o = Push("t", {R"({app="a", env="prod"})"});
  EXPECT_EQ(o.refused_entries, 1u);
  ASSERT_EQ(o.errors.size(), 1u);
  EXPECT_EQ(o.errors[0], R"(stream '{app="a", env="prod"}' has 2 label names; limit 1)");
}

// The stream cache remembers the last day bucket a stream was indexed in; a push into the
// next days must still record the stream in each bucket.
TEST_F(PusherTest, AKnownStreamIsIndexedInEveryDayItHasEntriesIn) {
  PushLimits limits;
  limits.reject_old_samples = false;
  Open(limits);
  constexpr int64_t kDay = 86400 * kSecond;
  const int64_t day0 = now_ns_ / kDay * kDay;
  auto selector = index::Matcher::Make(index::MatchType::kEqual, "app", "a");
  ASSERT_TRUE(selector.ok());
  const std::vector<index::Matcher> matchers = {*selector};
  auto found_in = [&](int64_t from, int64_t to) {
    auto r = index_->Select("t", matchers, from, to);
    EXPECT_TRUE(r.ok());
    return r.ok() ? r->size() : 0u;
  };

  now_ns_ = day0 + kDay - kSecond;  // the last second of day 0
  ASSERT_TRUE(Push("t", {R"({app="a"})"}).errors.empty());
  ASSERT_TRUE(Push("t", {R"({app="a"})"}).errors.empty());
  EXPECT_EQ(found_in(day0 + kDay, day0 + 2 * kDay), 0u);
  now_ns_ = day0 + kDay + kSecond;  // day 1
  ASSERT_TRUE(Push("t", {R"({app="a"})"}).errors.empty());
  EXPECT_EQ(found_in(day0 + kDay, day0 + 2 * kDay), 1u);
  EXPECT_EQ(found_in(day0, day0 + kDay), 1u);

  // One push with entries in day 2 and day 3 (the later one first is fine too).
  PushRequest req;
  PushStream ps;
  ps.labels = req.Own(R"({app="a"})");
  ps.entries.push_back({day0 + 2 * kDay + kSecond, req.Own("x"), {}});
  ps.entries.push_back({day0 + 3 * kDay + kSecond, req.Own("y"), {}});
  req.streams.push_back(std::move(ps));
  now_ns_ = day0 + 3 * kDay + 2 * kSecond;
  PushOutcome outcome;
  ASSERT_TRUE(pusher_->Push("t", req, Now(), &outcome).ok());
  EXPECT_TRUE(outcome.errors.empty());
  EXPECT_EQ(found_in(day0 + 2 * kDay, day0 + 3 * kDay), 1u);
  EXPECT_EQ(found_in(day0 + 3 * kDay, day0 + 4 * kDay), 1u);
  EXPECT_EQ(Stored("t", R"({app="a"})"), 5);
  EXPECT_EQ(index_->Stats().memberships, 4u);
}

TEST(StreamCacheTest, FindsWhatWasInsertedPerTenantAndEmptiesWhenFull) {
  // Room for two entries of these labels: each costs its key, twice `{app="a"}` and 256.
  const size_t cost = std::string_view("t\0{app=\"a\"}", 11).size() + 2 * 9 + 256;
  StreamCache cache(2 * cost + cost / 2);
  auto labels = index::LabelSet::Parse(R"({app="a"})");
  ASSERT_TRUE(labels.ok());
  EXPECT_EQ(cache.Find("t", R"({app="a"})"), nullptr);
  auto a = cache.Insert("t", R"({app="a"})", std::make_shared<StreamCache::Entry>(*labels));
  EXPECT_EQ(cache.Find("t", R"({app="a"})"), a);
  EXPECT_EQ(cache.Find("u", R"({app="a"})"), nullptr);
  EXPECT_EQ(cache.Find("t", R"({app="a" })"), nullptr);  // keyed by the string as sent
  EXPECT_EQ(a->name, R"({app="a"})");

  uint64_t id = 0;
  EXPECT_FALSE(a->Known(7, &id));
  a->Remember(7, 42);
  EXPECT_TRUE(a->Known(7, &id));
  EXPECT_EQ(id, 42u);
  EXPECT_FALSE(a->Known(8, &id));

  cache.Insert("u", R"({app="a"})", std::make_shared<StreamCache::Entry>(*labels));
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_EQ(cache.bytes(), 2 * cost);
  cache.Insert("u", R"({app="a"})", std::make_shared<StreamCache::Entry>(*labels));  // again
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_EQ(cache.bytes(), 2 * cost);
  cache.Insert("v", R"({app="a"})", std::make_shared<StreamCache::Entry>(*labels));
  EXPECT_EQ(cache.size(), 1u);  // full: emptied, then the new entry
  EXPECT_EQ(cache.bytes(), cost);
  EXPECT_EQ(cache.Find("t", R"({app="a"})"), nullptr);
  EXPECT_NE(cache.Find("v", R"({app="a"})"), nullptr);
}

}  // namespace
}  // namespace sawmill::ingest
