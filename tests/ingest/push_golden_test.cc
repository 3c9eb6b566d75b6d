// Decodes push bodies captured from real client libraries (tests/testdata/push/README.md).
#include <gtest/gtest.h>

#include <string>

#include "ingest/json_push.h"
#include "ingest/protobuf_push.h"
#include "tests/ingest/push_golden.h"

namespace sawmill::ingest {
namespace {

using Pairs = std::vector<std::pair<std::string_view, std::string_view>>;

TEST(PushGoldenTest, WinstonLokiProtobuf) {
  PushRequest req;
  Status s = DecodeProtobufPush(ReadGolden("winston_loki_protobuf.bin"), &req);
  ASSERT_TRUE(s.ok()) << s.ToString();
  ASSERT_EQ(req.streams.size(), 2u);
  // winston-loki writes its own label string: unsorted, no space after the comma.
  EXPECT_EQ(req.streams[0].labels, R"({level="info",app="winston-golden",env="test"})");
  EXPECT_EQ(req.streams[1].labels, R"({level="warn",app="winston-golden",env="test"})");
  ASSERT_EQ(req.streams[0].entries.size(), 2u);
  ASSERT_EQ(req.streams[1].entries.size(), 1u);
  EXPECT_EQ(req.streams[0].entries[0].line, R"(first line from winston {"level":"info"})");
  EXPECT_EQ(req.streams[0].entries[1].line,
            "third line, unicode: h\xc3\xa9llo \xe2\x98\x83 {\"level\":\"info\"}");
  EXPECT_EQ(req.streams[1].entries[0].line,
            "second \"quoted\" line\twith a tab {\"level\":\"warn\"}");
  // Millisecond timestamps sent as Timestamp{seconds, nanos}.
  EXPECT_EQ(req.streams[0].entries[0].ts_ns, 1795439865499000000);
  for (const PushStream& st : req.streams) {
    for (const PushEntry& e : st.entries) {
      EXPECT_EQ(e.ts_ns % 1000000, 0);
      EXPECT_GE(e.ts_ns, 1795439865499000000);
      EXPECT_LT(e.ts_ns, 1795439865499000000 + 1000000000);
      EXPECT_TRUE(e.metadata.empty());  // winston-loki drops metadata in protobuf mode
    }
  }
}

TEST(PushGoldenTest, WinstonLokiJson) {
  PushRequest req;
  Status s = DecodeJsonPush(ReadGolden("winston_loki_json.json"), &req);
  ASSERT_TRUE(s.ok()) << s.ToString();
  ASSERT_EQ(req.streams.size(), 2u);
  EXPECT_EQ(req.streams[0].labels, R"({app="winston-golden", env="test", level="info"})");
  EXPECT_EQ(req.streams[1].labels, R"({app="winston-golden", env="test", level="warn"})");
  ASSERT_EQ(req.streams[0].entries.size(), 2u);
  EXPECT_EQ(req.streams[0].entries[0].ts_ns, 1795439866509000000);
  EXPECT_EQ(req.streams[0].entries[0].line, R"(first line from winston {"level":"info"})");
  EXPECT_EQ(req.streams[0].entries[0].metadata, (Pairs{{"level", "info"}}));
  EXPECT_EQ(req.streams[0].entries[1].line,
            "third line, unicode: h\xc3\xa9llo \xe2\x98\x83 {\"level\":\"info\"}");
  EXPECT_EQ(req.streams[1].entries[0].line,
            "second \"quoted\" line\twith a tab {\"level\":\"warn\"}");
  EXPECT_EQ(req.streams[1].entries[0].metadata, (Pairs{{"level", "warn"}}));
}

TEST(PushGoldenTest, PinoLokiJson) {
  PushRequest req;
  Status s = DecodeJsonPush(ReadGolden("pino_loki_json.json"), &req);
  ASSERT_TRUE(s.ok()) << s.ToString();
  ASSERT_EQ(req.streams.size(), 2u);
  EXPECT_EQ(req.streams[0].labels,
            R"({app="pino-golden", env="test", hostname="golden", level="info"})");
  EXPECT_EQ(req.streams[1].labels,
            R"({app="pino-golden", env="test", hostname="golden", level="error"})");
  ASSERT_EQ(req.streams[0].entries.size(), 1u);
  ASSERT_EQ(req.streams[1].entries.size(), 1u);
  EXPECT_EQ(req.streams[0].entries[0].ts_ns, 1700000000456000000);
  EXPECT_EQ(req.streams[0].entries[0].line,
            R"({"level":30,"time":1700000000456,"pid":1,"msg":"first line from pino"})");
  EXPECT_EQ(req.streams[1].entries[0].ts_ns, 1700000000456000000);
  EXPECT_EQ(req.streams[1].entries[0].line,
            R"({"level":50,"time":1700000000456,"pid":1,"err_code":42,"user":"u\"1",)"
            R"("msg":"second line from pino"})");
}

}  // namespace
}  // namespace sawmill::ingest
