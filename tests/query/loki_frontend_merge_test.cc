// Loki 2.8's frontend merge of a split log query (loki_frontend_merge.h): the escape hatch
// (exact answer), intervals taken in order until the limit, the per-interval limit, and the
// heap whose popped stream sits out the next pop. Expected answers were checked against a
// step-by-step model of Loki's mergeOrderedNonOverlappingStreams and priorityqueue, which
// reproduces all 252 recorded log answers of the shared conformance suite.
#include "query/engine/loki_frontend_merge.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

namespace sawmill::query::engine {
namespace {

using Streams = std::map<std::string, std::vector<int64_t>>;  // label string -> timestamps

// Builds MergeHits-shaped input: streams sorted by label string, entries in the direction.
std::vector<ResultStream> Input(const Streams& streams, Direction d) {
  std::vector<ResultStream> out;
  for (const auto& [labels, ts] : streams) {
    ResultStream rs;
    rs.labels = *index::LabelSet::Parse(labels);
    std::vector<int64_t> sorted = ts;
    std::sort(sorted.begin(), sorted.end());
    if (d == Direction::kBackward) std::reverse(sorted.begin(), sorted.end());
    for (int64_t t : sorted) rs.entries.push_back({t, "l" + std::to_string(t), {}, {}});
    out.push_back(std::move(rs));
  }
  return out;
}

Streams Output(const std::vector<ResultStream>& streams) {
  Streams out;
  for (const ResultStream& s : streams) {
    std::vector<int64_t>& ts = out[s.labels.ToString()];
    for (const ResultEntry& e : s.entries) ts.push_back(e.ts_ns);
  }
  return out;
}

constexpr int64_t kInterval = 100;

TEST(LokiFrontendMergeTest, CandidatesAreTwiceTheLimitLessOne) {
  EXPECT_EQ(LokiFrontendCandidates(0), 0u);
  EXPECT_EQ(LokiFrontendCandidates(1), 1u);
  EXPECT_EQ(LokiFrontendCandidates(1000), 1999u);
  EXPECT_EQ(LokiFrontendCandidates(SIZE_MAX), SIZE_MAX);
}

TEST(LokiFrontendMergeTest, OneIntervalIsTheExactAnswer) {
  Streams in = {{R"({s="a"})", {110, 111, 112, 113, 114}}, {R"({s="b"})", {115, 116}}};
  auto out = LokiFrontendMerge(Input(in, Direction::kForward), Direction::kForward, 5, kInterval);
  EXPECT_EQ(Output(out), (Streams{{R"({s="a"})", {110, 111, 112, 113, 114}}}));
  out = LokiFrontendMerge(Input(in, Direction::kBackward), Direction::kBackward, 3, kInterval);
  EXPECT_EQ(Output(out), (Streams{{R"({s="a"})", {114}}, {R"({s="b"})", {116, 115}}}));
}

TEST(LokiFrontendMergeTest, TwoStreamsAlternateBackward) {
  // Newest interval [200, 300) holds 2 entries, then [100, 200) adds its best 4: 6 > 4, so
  // the heap picks, alternating between the streams.
  Streams in = {{R"({s="a"})", {185, 190, 195, 250}}, {R"({s="b"})", {150, 240}}};
  auto out = LokiFrontendMerge(Input(in, Direction::kBackward), Direction::kBackward, 4, kInterval);
  EXPECT_EQ(Output(out), (Streams{{R"({s="a"})", {250, 195}}, {R"({s="b"})", {240, 150}}}));
}

TEST(LokiFrontendMergeTest, PoppedStreamSitsOutTheNextPop) {
  // Forward: [0, 100) gives d's 5; [100, 200) its best 6 (110..115): 7 > 6. The exact answer
  // would be 5, 110..114; Loki returns b's 115 instead of a's 114.
  Streams in = {{R"({s="a"})", {110, 111, 112, 113, 114}},
                {R"({s="b"})", {115, 116, 117}},
                {R"({s="c"})", {118, 119, 120, 121}},
                {R"({s="d"})", {5}}};
  auto out = LokiFrontendMerge(Input(in, Direction::kForward), Direction::kForward, 6, kInterval);
  EXPECT_EQ(
      Output(out),
      (Streams{{R"({s="a"})", {110, 111, 112, 113}}, {R"({s="b"})", {115}}, {R"({s="d"})", {5}}}));
}

TEST(LokiFrontendMergeTest, LaterIntervalsAreDroppedOnceTheLimitIsReached) {
  // [100, 200) alone holds the limit: [200, 300) is never looked at, and the answer is exact.
  Streams in = {{R"({s="a"})", {110, 111, 112, 113, 114, 300}},
                {R"({s="b"})", {115, 116, 117}},
                {R"({s="c"})", {118, 119, 120, 121}}};
  auto out = LokiFrontendMerge(Input(in, Direction::kForward), Direction::kForward, 5, kInterval);
  EXPECT_EQ(Output(out), (Streams{{R"({s="a"})", {110, 111, 112, 113, 114}}}));
}

TEST(LokiFrontendMergeTest, FewerEntriesThanTheLimitAreAllReturned) {
  Streams in = {{R"({s="a"})", {5, 150, 250}}, {R"({s="b"})", {-50, 160}}};
  auto out =
      LokiFrontendMerge(Input(in, Direction::kBackward), Direction::kBackward, 10, kInterval);
  EXPECT_EQ(Output(out), (Streams{{R"({s="a"})", {250, 150, 5}}, {R"({s="b"})", {160, -50}}}));
}

}  // namespace
}  // namespace sawmill::query::engine
