// A protobuf push's head record is its body as received (ingest/head_source.h): after a crash
// the store decodes it again and must give back exactly what the pusher stored, with real
// client bytes (winston-loki) and with structured metadata, repeated label sets and streams
// the pusher refused. A push whose entries the pusher changed (truncated lines) keeps the
// entries themselves.
#include "ingest/head_source.h"

#include <gtest/gtest.h>
#include <snappy.h>

#include <map>
#include <string>
#include <vector>

#include "ingest/protobuf_push.h"
#include "ingest/push_body.h"
#include "ingest/pusher.h"
#include "storage/metadata.h"
#include "storage/store_impl.h"
#include "tests/ingest/push_golden.h"
#include "tests/storage/store_test_util.h"

namespace sawmill::ingest {
namespace {

using storage::testing::Got;
using storage::testing::HeadLogRecordKinds;
using storage::testing::InChild;
using storage::testing::ReadAll;
using storage::testing::TempDir;

constexpr int64_t kSecond = 1'000'000'000;

storage::StoreOptions Options(const std::string& dir) {
  storage::StoreOptions o = storage::testing::TestOptions(dir);
  o.source_decoder = DecodeHeadSource;
  return o;
}

std::chrono::system_clock::time_point At(int64_t ns) {
  return std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(
          std::chrono::nanoseconds(ns)));
}

// In a child: opens the store, pushes each protobuf body (Snappy) at `now`, crashes.
void PushAndCrash(const std::string& dir, const std::vector<std::string>& bodies, int64_t now,
                  const PushLimits& limits = {}) {
  InChild([&] {
    auto store = storage::Store::Open(Options(dir));
    if (!store.ok()) return false;
    auto index = index::LabelIndex::Open((*store)->kv());
    if (!index.ok()) return false;
    Overrides overrides(limits);
    Pusher pusher(store->get(), index->get(), &overrides);
    for (const std::string& body : bodies) {
      PushRequest req;
      if (!DecodePushBody("application/x-protobuf", "", body, PushApi::kV1, PushBodyLimits(), &req)
               .ok()) {
        return false;
      }
      PushOutcome outcome;
      if (!pusher.Push("t", req, At(now), &outcome).ok()) return false;
    }
    (void)store->release();  // no Close(): a crash
    return true;
  });
}

// What the store holds per label string, after reopening it.
std::map<std::string, std::vector<Got>> Stored(const std::string& dir,
                                               const std::vector<std::string>& streams) {
  std::map<std::string, std::vector<Got>> out;
  auto store = storage::Store::Open(Options(dir));
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  if (!store.ok()) return out;
  auto index = index::LabelIndex::Open((*store)->kv());
  EXPECT_TRUE(index.ok());
  for (const std::string& s : streams) {
    auto labels = index::LabelSet::Parse(s);
    EXPECT_TRUE(labels.ok()) << s;
    std::optional<uint64_t> id = (*index)->FindStream("t", *labels);
    if (id.has_value()) out[s] = ReadAll(store->get(), "t", *id);
  }
  EXPECT_TRUE((*store)->Close().ok());
  return out;
}

std::string SnappyBody(const PushRequest& req) {
  std::string body;
  const std::string wire = EncodeLogprotoPush(req);
  snappy::Compress(wire.data(), wire.size(), &body);
  return body;
}

TEST(HeadSourceTest, WinstonLokiBodyReplaysAfterACrash) {
  TempDir dir;
  const std::string body = ReadGolden("winston_loki_protobuf.bin");
  PushRequest req;
  ASSERT_TRUE(DecodeProtobufPush(body, &req).ok());
  PushAndCrash(dir.path(), {body}, req.streams[0].entries[0].ts_ns + kSecond);
  EXPECT_EQ(HeadLogRecordKinds(dir.path()), (std::vector<uint8_t>{storage::kSourceRecord}));

  const std::string info = R"({app="winston-golden", env="test", level="info"})";
  const std::string warn = R"({app="winston-golden", env="test", level="warn"})";
  auto stored = Stored(dir.path(), {info, warn});
  std::vector<Got> want_info, want_warn;
  for (const PushEntry& e : req.streams[0].entries) {
    want_info.push_back({e.ts_ns, std::string(e.line), ""});
  }
  for (const PushEntry& e : req.streams[1].entries) {
    want_warn.push_back({e.ts_ns, std::string(e.line), ""});
  }
  EXPECT_EQ(stored[info], want_info);
  EXPECT_EQ(stored[warn], want_warn);
}

// Structured metadata, a label set sent twice in one body, a stream with bad labels (refused
// whole: the others' record is still the body) and a stream with an entry too old (that
// push keeps its entries instead). Then a push with a line over the limit, truncated.
TEST(HeadSourceTest, MetadataRepeatedStreamsAndRefusalsReplayExactly) {
  TempDir dir;
  const int64_t now = 1'795'400'000 * kSecond;
  PushRequest first;
  auto stream = [&](PushRequest* r, std::string_view labels) -> PushStream& {
    PushStream& s = r->streams.emplace_back();
    s.labels = r->Own(std::string(labels));
    return s;
  };
  PushStream& a = stream(&first, R"({app="a"})");
  a.entries.push_back({now - 3, "a one", {{"trace_id", "t1"}, {"user", "u"}}});
  a.entries.push_back({now - 2, "a two", {}});
  PushStream& bad = stream(&first, R"({app=})");
  bad.entries.push_back({now - 2, "never stored", {}});
  PushStream& b = stream(&first, R"({app="b"})");
  b.entries.push_back({now - 1, "b one", {{"k", "v"}}});
  PushStream& again = stream(&first, R"({app="a"})");
  again.entries.push_back({now - 1, "a three", {}});

  PushRequest second;  // one entry older than the 1-week reject window
  PushStream& c = stream(&second, R"({app="c"})");
  c.entries.push_back({now - 200 * 3600 * kSecond, "too old", {}});
  c.entries.push_back({now, "c one", {}});

  PushRequest third;  // a line over max_line_size, truncated
  PushStream& d = stream(&third, R"({app="d"})");
  d.entries.push_back({now, "0123456789abcdef", {}});

  PushLimits limits;
  limits.max_line_size = 10;
  limits.truncate_lines = true;
  PushAndCrash(dir.path(), {SnappyBody(first), SnappyBody(second), SnappyBody(third)}, now, limits);
  EXPECT_EQ(HeadLogRecordKinds(dir.path()), (std::vector<uint8_t>{storage::kSourceRecord, 0, 0}));

  auto stored =
      Stored(dir.path(), {R"({app="a"})", R"({app="b"})", R"({app="c"})", R"({app="d"})"});
  const std::string meta_a = storage::EncodeMetadata({{"trace_id", "t1"}, {"user", "u"}});
  const std::string meta_b = storage::EncodeMetadata({{"k", "v"}});
  EXPECT_EQ(stored[R"({app="a"})"],
            (std::vector<Got>{
                {now - 3, "a one", meta_a}, {now - 2, "a two", ""}, {now - 1, "a three", ""}}));
  EXPECT_EQ(stored[R"({app="b"})"], (std::vector<Got>{{now - 1, "b one", meta_b}}));
  EXPECT_EQ(stored[R"({app="c"})"], (std::vector<Got>{{now, "c one", ""}}));
  EXPECT_EQ(stored[R"({app="d"})"], (std::vector<Got>{{now, "0123456789", ""}}));
}

TEST(HeadSourceTest, BadBodiesAndFormatsAreErrors) {
  storage::DecodedSource out;
  EXPECT_FALSE(DecodeHeadSource(kSnappyLogprotoSource, "not snappy at all", &out).ok());
  EXPECT_FALSE(DecodeHeadSource(kSnappyLogprotoSource + 1, "", &out).ok());
  std::string truncated = ReadGolden("winston_loki_protobuf.bin");
  truncated.resize(truncated.size() / 2);
  EXPECT_FALSE(DecodeHeadSource(kSnappyLogprotoSource, truncated, &out).ok());
}

}  // namespace
}  // namespace sawmill::ingest
