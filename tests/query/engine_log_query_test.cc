// The log-query engine over a real store and label index in a temp dir: ordering (forward,
// backward, ties between streams), limits, the [start, end) range, regrouping by the labels
// a pipeline produces, duplicate removal, deadlines, and a randomized comparison with a
// brute-force answer over flushed chunks and heads.
#include "query/engine/log_query.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <condition_variable>
#include <map>
#include <mutex>
#include <random>
#include <thread>

#include "index/label_index.h"
#include "query/log/compile.h"
#include "query/logql/parser.h"
#include "storage/metadata.h"
#include "storage/store.h"
#include "tests/query/engine_test_util.h"

namespace sawmill::query::engine {
namespace {

// Regroups every line by its first word: labels {word="<first word>"}.
class FirstWordPipeline final : public log::Pipeline {
 public:
  class Stream final : public log::StreamPipeline {
   public:
    bool Process(int64_t, std::string_view line, std::string_view, log::LineResult* out) override {
      std::string_view word = line.substr(0, line.find(' '));
      labels_ = *index::LabelSet::FromLabels({{"word", std::string(word)}});
      out->line = line;
      out->labels = &labels_;
      out->stream = &labels_;
      return true;
    }

   private:
    index::LabelSet labels_;
  };
  std::unique_ptr<log::StreamPipeline> ForStream(const index::LabelSet&) const override {
    return std::make_unique<Stream>();
  }
  bool IsLineFilterOnly() const override { return false; }
};

struct Entry {
  std::string labels;
  int64_t ts;
  std::string line;
  bool operator==(const Entry&) const = default;
};
void PrintTo(const Entry& e, std::ostream* os) { *os << e.labels << "@" << e.ts << ":" << e.line; }

class EngineTest : public testing::StoreFixture {
 protected:
  Result<LogQueryResult> Run(std::string_view name, std::string_view regex, Direction d,
                             size_t limit, int64_t start = 0, int64_t end = INT64_MAX,
                             const log::Pipeline* pipeline = nullptr) {
    LogQueryParams p;
    p.tenant = "t";
    p.matchers.push_back(*index::Matcher::Make(index::MatchType::kRegexMatch, std::string(name),
                                               std::string(regex)));
    p.pipeline = pipeline != nullptr ? pipeline : noop_.get();
    p.start_ns = start;
    p.end_ns = end;
    p.direction = d;
    p.limit = limit;
    return ExecuteLogQuery(querier_.get(), &pool_, p);
  }

  // The answer flattened in result order (streams in their order, entries in theirs).
  static std::vector<Entry> Flat(const LogQueryResult& r) {
    std::vector<Entry> out;
    for (const ResultStream& s : r.streams) {
      for (const ResultEntry& e : s.entries) out.push_back({s.labels.ToString(), e.ts_ns, e.line});
    }
    return out;
  }

  std::unique_ptr<log::Pipeline> noop_ = log::NoopPipeline();
  ThreadPool pool_{3};
};

TEST_F(EngineTest, BackwardLimitTakesNewestAcrossStreams) {
  Push(R"({app="a"})", {{10, "a10"}, {30, "a30"}, {50, "a50"}});
  Push(R"({app="b"})", {{20, "b20"}, {40, "b40"}, {60, "b60"}});
  auto r = Run("app", ".+", Direction::kBackward, 4);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(Flat(*r), (std::vector<Entry>{{R"({app="a"})", 50, "a50"},
                                          {R"({app="a"})", 30, "a30"},
                                          {R"({app="b"})", 60, "b60"},
                                          {R"({app="b"})", 40, "b40"}}));
  EXPECT_EQ(r->stats.entries_returned, 4u);
  EXPECT_EQ(r->stats.streams, 2u);
}

TEST_F(EngineTest, ForwardLimitTakesOldest) {
  Push(R"({app="a"})", {{10, "a10"}, {30, "a30"}, {50, "a50"}});
  Push(R"({app="b"})", {{20, "b20"}, {40, "b40"}, {60, "b60"}});
  auto r = Run("app", ".+", Direction::kForward, 3);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(Flat(*r), (std::vector<Entry>{{R"({app="a"})", 10, "a10"},
                                          {R"({app="a"})", 30, "a30"},
                                          {R"({app="b"})", 20, "b20"}}));
}

TEST_F(EngineTest, TiesAtTheLimitGoToTheSmallerLabelString) {
  Push(R"({app="b"})", {{10, "b10"}, {20, "b20"}});
  Push(R"({app="a"})", {{10, "a10"}, {20, "a20"}});
  auto back = Run("app", ".+", Direction::kBackward, 3);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(Flat(*back), (std::vector<Entry>{{R"({app="a"})", 20, "a20"},
                                             {R"({app="a"})", 10, "a10"},
                                             {R"({app="b"})", 20, "b20"}}));
  auto fwd = Run("app", ".+", Direction::kForward, 3);
  ASSERT_TRUE(fwd.ok());
  EXPECT_EQ(Flat(*fwd), (std::vector<Entry>{{R"({app="a"})", 10, "a10"},
                                            {R"({app="a"})", 20, "a20"},
                                            {R"({app="b"})", 10, "b10"}}));
}

TEST_F(EngineTest, RangeIncludesStartExcludesEnd) {
  Push(R"({app="a"})", {{10, "x"}, {20, "y"}, {30, "z"}});
  auto r = Run("app", "a", Direction::kForward, 100, 10, 30);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(Flat(*r), (std::vector<Entry>{{R"({app="a"})", 10, "x"}, {R"({app="a"})", 20, "y"}}));
}

TEST_F(EngineTest, NoMatchingStreamIsAnEmptyAnswer) {
  Push(R"({app="a"})", {{10, "x"}});
  auto r = Run("app", "nope", Direction::kBackward, 100);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->streams.empty());
}

TEST_F(EngineTest, EmptyMatchingSelectorIsRefused) {
  Push(R"({app="a"})", {{10, "x"}});
  auto r = Run("app", ".*", Direction::kBackward, 100);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
}

TEST_F(EngineTest, PipelineLabelsRegroupAndDuplicatesMerge) {
  // Both streams have "info x" at ts 20: one entry in {word="info"}.
  Push(R"({app="a"})", {{10, "warn y"}, {20, "info x"}, {30, "info z"}});
  Push(R"({app="b"})", {{20, "info x"}, {25, "warn w"}});
  FirstWordPipeline pipeline;
  auto r = Run("app", ".+", Direction::kForward, 100, 0, INT64_MAX, &pipeline);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(Flat(*r), (std::vector<Entry>{{R"({word="info"})", 20, "info x"},
                                          {R"({word="info"})", 30, "info z"},
                                          {R"({word="warn"})", 10, "warn y"},
                                          {R"({word="warn"})", 25, "warn w"}}));
  EXPECT_EQ(r->stats.duplicates, 1u);
}

TEST_F(EngineTest, IdenticalEntriesOfSeveralStreamsDoNotShortenTheAnswer) {
  // Streams a, c and d hold the same 200 newest entries (one result stream once regrouped);
  // only b has the 100 older ones. The cut-off counts each shared entry three times, so one
  // pass would keep the best 2 x 250 - 1 counted entries (Loki's frontend merge candidates),
  // about 167 distinct, refuse b's entries and answer too few.
  std::vector<std::pair<int64_t, std::string>> shared, b_only;
  for (int64_t ts = 801; ts <= 1000; ++ts) shared.push_back({ts, "info " + std::to_string(ts)});
  for (int64_t ts = 701; ts <= 800; ++ts) b_only.push_back({ts, "info old " + std::to_string(ts)});
  for (const char* s : {R"({app="a"})", R"({app="c"})", R"({app="d"})"}) Push(s, shared);
  Push(R"({app="b"})", b_only);
  FirstWordPipeline pipeline;
  for (int round = 0; round < 5; ++round) {  // the streams' scans interleave differently
    auto r = Run("app", ".+", Direction::kBackward, 250, 0, INT64_MAX, &pipeline);
    ASSERT_TRUE(r.ok());
    std::vector<Entry> got = Flat(*r);
    ASSERT_EQ(got.size(), 250u);
    for (size_t i = 0; i < got.size(); ++i) {
      const int64_t ts = 1000 - static_cast<int64_t>(i);
      EXPECT_EQ(got[i], (Entry{R"({word="info"})", ts,
                               ts > 800 ? "info " + std::to_string(ts)
                                        : "info old " + std::to_string(ts)}));
    }
  }
}

TEST(ScanCheckpointTest, ChecksEveryNLinesTheSharedFlagAndTheGuard) {
  std::atomic<bool> failed{false};
  QueryGuard guard;
  ScanCheckpoint checkpoint(&failed, &guard, 100);
  Status stop;
  guard.Cancel();
  EXPECT_TRUE(checkpoint.Continue(99, &stop));  // not due yet: the guard is not asked
  EXPECT_FALSE(checkpoint.Continue(100, &stop));
  EXPECT_EQ(stop.message(), kQueryCancelledMessage);
  EXPECT_TRUE(checkpoint.Continue(150, &stop));  // next due at 200

  QueryGuard fine;
  ScanCheckpoint other(&failed, &fine, 100);
  failed = true;  // another scan failed: stop, its error is the query's
  Status none;
  EXPECT_FALSE(other.Continue(100, &none));
  EXPECT_TRUE(none.ok());
}

TEST_F(EngineTest, PastDeadlineIsDeadlineExceeded) {
  std::vector<std::pair<int64_t, std::string>> many;
  for (int i = 0; i < 5000; ++i) many.push_back({i + 1, "line " + std::to_string(i)});
  Push(R"({app="a"})", many);
  LogQueryParams p;
  p.tenant = "t";
  p.matchers.push_back(*index::Matcher::Make(index::MatchType::kEqual, "app", "a"));
  p.pipeline = noop_.get();
  p.start_ns = 0;
  p.end_ns = INT64_MAX;
  p.limit = 100000;
  p.deadline = std::chrono::steady_clock::now() - std::chrono::seconds(1);
  auto r = ExecuteLogQuery(querier_.get(), &pool_, p);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kDeadlineExceeded);
  EXPECT_EQ(r.status().message(), kQueryTimeoutMessage);
}

TEST_F(EngineTest, MatchesBruteForceOverChunksAndHeads) {
  std::mt19937_64 rng(42);
  std::vector<Entry> all;
  const int kStreams = 12;
  for (int s = 0; s < kStreams; ++s) {
    std::string labels = "{app=\"s" + std::to_string(s) + "\"}";
    std::vector<std::pair<int64_t, std::string>> entries;
    int64_t ts = 1000 + static_cast<int64_t>(rng() % 50);
    for (int i = 0; i < 400; ++i) {
      ts += static_cast<int64_t>(rng() % 40);  // equal timestamps happen, across streams too
      entries.push_back({ts, "s" + std::to_string(s) + " line " + std::to_string(i)});
    }
    Push(labels, {entries.begin(), entries.begin() + 200});
    if (s % 3 == 0) {
      ASSERT_TRUE(store_->FlushAll().ok());
    }
    Push(labels, {entries.begin() + 200, entries.end()});
    auto ls = *index::LabelSet::Parse(labels);
    for (auto& [t, line] : entries) all.push_back({ls.ToString(), t, line});
  }
  for (Direction d : {Direction::kForward, Direction::kBackward}) {
    for (size_t limit : {1u, 7u, 100u, 1000u, 100000u}) {
      for (auto [start, end] : {std::pair<int64_t, int64_t>{0, INT64_MAX}, {3000, 6000}}) {
        SCOPED_TRACE(::testing::Message() << "backward=" << (d == Direction::kBackward)
                                          << " limit=" << limit << " start=" << start);
        std::vector<Entry> want;
        for (const Entry& e : all) {
          if (e.ts >= start && e.ts < end) want.push_back(e);
        }
        const bool backward = d == Direction::kBackward;
        // Backward reads reverse each stream, equal timestamps included.
        if (backward) std::reverse(want.begin(), want.end());
        std::stable_sort(want.begin(), want.end(), [&](const Entry& a, const Entry& b) {
          if (a.ts != b.ts) return backward ? a.ts > b.ts : a.ts < b.ts;
          return a.labels < b.labels;
        });
        if (want.size() > limit) want.resize(limit);
        // Regroup as the engine does: by label string, order kept within a stream.
        std::stable_sort(want.begin(), want.end(),
                         [](const Entry& a, const Entry& b) { return a.labels < b.labels; });
        auto r = Run("app", "s.*", d, limit, start, end);
        ASSERT_TRUE(r.ok()) << r.status().ToString();
        EXPECT_EQ(Flat(*r), want);
      }
    }
  }
}

// Streams that end at different times (as log sources that stopped): a query with a limit
// reads them best first and never opens the ones whose entries cannot make the answer.
TEST_F(EngineTest, LimitOpensOnlyTheStreamsItsAnswerCanComeFrom) {
  const int kStreams = 20;
  for (int s = 0; s < kStreams; ++s) {
    std::vector<std::pair<int64_t, std::string>> entries;
    for (int i = 0; i < 100; ++i) {
      entries.push_back({1000 * (s + 1) + i, "s" + std::to_string(s) + " " + std::to_string(i)});
    }
    Push("{app=\"s" + std::to_string(s) + "\"}", entries);
    if (s % 2 == 0) {
      ASSERT_TRUE(store_->FlushAll().ok());
    }
  }
  // The pool's only worker is kept busy, so the query's ParallelFor runs every stream on the
  // calling thread, best first, and the streams it opens are exactly determined.
  ThreadPool pool(1);
  std::mutex mu;
  std::condition_variable cv;
  int entered = 0;
  bool release = false;
  std::thread blocker([&] {
    pool.ParallelFor(2, [&](size_t) {
      std::unique_lock<std::mutex> lock(mu);
      ++entered;
      cv.notify_all();
      cv.wait(lock, [&] { return release; });
    });
  });
  {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return entered == 2; });
  }
  auto run = [&](Direction d, size_t limit, int64_t start, int64_t end) {
    LogQueryParams p;
    p.tenant = "t";
    p.matchers.push_back(*index::Matcher::Make(index::MatchType::kRegexMatch, "app", "s.+"));
    p.pipeline = noop_.get();
    p.start_ns = start;
    p.end_ns = end;
    p.direction = d;
    p.limit = limit;
    querier_->open_stream_calls = 0;
    querier_->open_batches_calls = 0;
    querier_->open_batches_backward_calls = 0;
    auto r = ExecuteLogQuery(querier_.get(), &pool, p);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    // A stream is opened once, entry by entry or a block at a time.
    return std::make_pair(r.ok() ? Flat(*r) : std::vector<Entry>{},
                          querier_->open_stream_calls.load() + querier_->open_batches_calls.load() +
                              querier_->open_batches_backward_calls.load());
  };
  struct Case {
    Direction d;
    size_t limit;
    int64_t start, end;
    int opened;
  };
  const Case cases[] = {
      // Loki's frontend merge needs the best 99 entries: all are s19's (s0's forward).
      {Direction::kBackward, 50, 0, INT64_MAX, 1},
      {Direction::kForward, 50, 0, INT64_MAX, 1},
      // Only s2..s4 hold entries in [3000, 6000): the others are not opened at all.
      {Direction::kBackward, 1000, 3000, 6000, 3},
      {Direction::kForward, 10, 3050, 6000, 1},
      {Direction::kBackward, 100000, 0, INT64_MAX, kStreams},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(::testing::Message() << "backward=" << (c.d == Direction::kBackward)
                                      << " limit=" << c.limit << " start=" << c.start);
    querier_->use_spans = false;
    auto [want, opened_without] = run(c.d, c.limit, c.start, c.end);
    querier_->use_spans = true;
    auto [got, opened] = run(c.d, c.limit, c.start, c.end);
    EXPECT_EQ(got, want);
    EXPECT_EQ(opened, c.opened);
    EXPECT_EQ(opened_without, kStreams);
    EXPECT_FALSE(got.empty());
  }
  {
    std::lock_guard<std::mutex> lock(mu);
    release = true;
  }
  cv.notify_all();
  blocker.join();
}

// Spans change which streams are read and in which order, never the answer: ties between
// streams, regrouping, both directions, with and without Loki's frontend merge.
TEST_F(EngineTest, SpansDoNotChangeAnswers) {
  std::mt19937_64 rng(7);
  for (int s = 0; s < 16; ++s) {
    std::vector<std::pair<int64_t, std::string>> entries;
    int64_t ts = 1000 + static_cast<int64_t>(rng() % 2000);
    const int n = 20 + static_cast<int>(rng() % 200);
    for (int i = 0; i < n; ++i) {
      ts += static_cast<int64_t>(rng() % 5);  // equal timestamps across streams are common
      // Regrouped into two {word=...} sets shared by all streams. (No identical entries: with
      // those the entries past the cut-off that a scan happened to collect can matter, in
      // any order of reading.)
      entries.push_back({ts, (rng() % 2 ? "info " : "warn ") + std::to_string(s * 1000 + i)});
    }
    Push("{app=\"s" + std::to_string(s) + "\"}", entries);
    if (s % 3 == 0) {
      ASSERT_TRUE(store_->FlushAll().ok());
    }
  }
  FirstWordPipeline regroup;
  const log::Pipeline* pipelines[] = {noop_.get(), &regroup};
  for (const log::Pipeline* pipeline : pipelines) {
    for (Direction d : {Direction::kForward, Direction::kBackward}) {
      for (size_t limit : {1u, 5u, 30u, 200u, 5000u}) {
        for (int64_t split : {int64_t{0}, int64_t{500}}) {
          SCOPED_TRACE(::testing::Message() << "regroup=" << (pipeline == &regroup)
                                            << " backward=" << (d == Direction::kBackward)
                                            << " limit=" << limit << " split=" << split);
          LogQueryParams p;
          p.tenant = "t";
          p.matchers.push_back(*index::Matcher::Make(index::MatchType::kRegexMatch, "app", "s.+"));
          p.pipeline = pipeline;
          p.start_ns = 1500;
          p.end_ns = 2600;
          p.direction = d;
          p.limit = limit;
          p.loki_split_interval_ns = split;
          querier_->use_spans = false;
          auto want = ExecuteLogQuery(querier_.get(), &pool_, p);
          querier_->use_spans = true;
          auto got = ExecuteLogQuery(querier_.get(), &pool_, p);
          ASSERT_TRUE(want.ok() && got.ok());
          EXPECT_EQ(Flat(*got), Flat(*want));
          EXPECT_EQ(got->stats.entries_returned, want->stats.entries_returned);
        }
      }
    }
  }
}

// A pipeline that hides that it only has line filters: the engine then reads entry by entry.
class EntryPathPipeline final : public log::Pipeline {
 public:
  explicit EntryPathPipeline(const log::Pipeline* inner) : inner_(inner) {}
  std::unique_ptr<log::StreamPipeline> ForStream(const index::LabelSet& labels) const override {
    return inner_->ForStream(labels);
  }
  bool IsLineFilterOnly() const override { return false; }

 private:
  const log::Pipeline* inner_;
};

// Line-filter-only pipelines read whole chunk blocks (OpenBatches forward, OpenBatchesBackward
// backward) and filter a block at once: the answers are the entry path's, over streams all in
// heads, flushed then continued in a head (no backward block path: entries), flushed as two
// chunks, and flushed with structured metadata on some entries; several blocks per chunk;
// both directions, limits, a sub-range, with and without categorize-labels.
TEST_F(EngineTest, LineFiltersOverBlocksAnswerAsTheEntryPath) {
  std::mt19937_64 rng(11);
  const int kStreams = 8;
  const int kEntries = 4800;  // ~125 bytes each: more than one 256 KiB block per chunk
  std::vector<std::vector<MetaEntry>> streams(kStreams);
  for (int s = 0; s < kStreams; ++s) {
    int64_t ts = 1000 + static_cast<int64_t>(rng() % 50);
    for (int i = 0; i < kEntries; ++i) {
      ts += static_cast<int64_t>(rng() % 4);  // equal timestamps, across streams too
      const char* word = rng() % 7 == 0 ? "error" : (rng() % 2 ? "info" : "warn");
      std::string line = "s" + std::to_string(s) + " " + word + " entry " + std::to_string(i) +
                         " " + std::string(90 + rng() % 20, static_cast<char>('a' + i % 26));
      std::string meta;
      if (s % 4 == 3 && i % 9 == 0) {
        meta = storage::EncodeMetadata({{"trace", "t" + std::to_string(i % 2)}});
      }
      streams[s].push_back({ts, std::move(line), std::move(meta)});
    }
  }
  auto push = [&](int s, bool first_half) {
    const auto& e = streams[s];
    const auto mid = e.begin() + kEntries / 2;
    PushWithMetadata(
        "{app=\"s" + std::to_string(s) + "\"}",
        first_half ? std::vector<MetaEntry>(e.begin(), mid) : std::vector<MetaEntry>(mid, e.end()));
  };
  // s%4 == 1: flushed, then a head; 2 and 3: two flushed chunks; 0: all in the head.
  for (int s = 0; s < kStreams; ++s) {
    if (s % 4 != 0) push(s, true);
  }
  ASSERT_TRUE(store_->FlushAll().ok());
  for (int s = 0; s < kStreams; ++s) {
    if (s % 4 >= 2) push(s, false);
  }
  ASSERT_TRUE(store_->FlushAll().ok());
  for (int s = 0; s < kStreams; ++s) {
    if (s % 4 == 0) push(s, true);
    if (s % 4 <= 1) push(s, false);
  }
  const char* queries[] = {
      R"({app=~"s.+"} |= "error")",      R"({app=~"s.+"} |= "error" != "entry 1")",
      R"({app=~"s.+"} |~ "err.r|warn")", R"({app=~"s.+"} != "info")",
      R"({app=~"s.+"} |= "ZZneverZZ")",
  };
  for (const char* q : queries) {
    auto expr = logql::ParseLogSelector(q);
    ASSERT_TRUE(expr.ok()) << expr.status().ToString();
    auto compiled = log::CompilePipeline((*expr)->stages);
    ASSERT_TRUE(compiled.ok()) << compiled.status().ToString();
    ASSERT_TRUE((*compiled)->IsLineFilterOnly());
    EntryPathPipeline reference(compiled->get());
    for (Direction d : {Direction::kForward, Direction::kBackward}) {
      for (size_t limit : {1u, 30u, 1000u, 100000u}) {
        for (bool categorize : {false, true}) {
          for (const std::pair<int64_t, int64_t>& range :
               {std::pair<int64_t, int64_t>{0, INT64_MAX}, {2000, 3500}}) {
            const int64_t start = range.first;  // clang 14: no structured bindings in lambdas
            const int64_t end = range.second;
            SCOPED_TRACE(::testing::Message()
                         << q << " backward=" << (d == Direction::kBackward) << " limit=" << limit
                         << " categorize=" << categorize << " start=" << start);
            auto run = [&](const log::Pipeline* pipeline) {
              LogQueryParams p;
              p.tenant = "t";
              p.matchers = (*expr)->matchers;
              p.pipeline = pipeline;
              p.start_ns = start;
              p.end_ns = end;
              p.direction = d;
              p.limit = limit;
              p.categorize_labels = categorize;
              querier_->open_batches_calls = 0;
              querier_->open_batches_backward_calls = 0;
              auto r = ExecuteLogQuery(querier_.get(), &pool_, p);
              EXPECT_TRUE(r.ok()) << r.status().ToString();
              return r.ok() ? std::move(r).value() : LogQueryResult{};
            };
            const LogQueryResult want = run(&reference);
            const LogQueryResult got = run(compiled->get());
            if (limit >= 1000) {  // every stream is read
              EXPECT_EQ(d == Direction::kBackward ? querier_->open_batches_backward_calls.load()
                                                  : querier_->open_batches_calls.load(),
                        d == Direction::kForward ? kStreams
                        : start == 0             ? 4  // s%4 <= 1 have heads in range
                                                 : 6);            // the s%4 == 1 heads start later
            }
            ASSERT_EQ(got.streams.size(), want.streams.size());
            for (size_t i = 0; i < got.streams.size(); ++i) {
              EXPECT_EQ(got.streams[i].labels.ToString(), want.streams[i].labels.ToString());
              ASSERT_EQ(got.streams[i].entries.size(), want.streams[i].entries.size());
              for (size_t k = 0; k < got.streams[i].entries.size(); ++k) {
                const ResultEntry& a = got.streams[i].entries[k];
                const ResultEntry& b = want.streams[i].entries[k];
                EXPECT_EQ(a.ts_ns, b.ts_ns);
                EXPECT_EQ(a.line, b.line);
                ASSERT_EQ(a.structured_metadata.size(), b.structured_metadata.size());
                for (size_t m = 0; m < a.structured_metadata.size(); ++m) {
                  EXPECT_EQ(a.structured_metadata[m].name, b.structured_metadata[m].name);
                  EXPECT_EQ(a.structured_metadata[m].value, b.structured_metadata[m].value);
                }
              }
            }
            if (q == queries[0] && limit == 100000u) {
              EXPECT_GT(got.stats.post_filter_lines, 0u);
            }
          }
        }
      }
    }
  }
}

}  // namespace
}  // namespace sawmill::query::engine
