#include <gtest/gtest.h>

#include <string>

#include "ingest/json_push.h"

namespace sawmill::ingest {
namespace {

using Pairs = std::vector<std::pair<std::string_view, std::string_view>>;

TEST(JsonPushLegacyTest, DecodesLokisLegacyExample) {
  // The body of Loki's own legacy unmarshal test (pkg/util/unmarshal/legacy).
  const std::string body = R"({
    "streams":[{
      "labels":"{test=\"test\"}",
      "entries":[
        {"ts": "2019-09-13T18:32:22.380001319Z", "line": "super line"},
        {"ts": "2019-09-13T18:32:23.380001319Z", "line": "super line with labels",
         "structuredMetadata": {"a": "1", "b": "2"}}]}]})";
  PushRequest req;
  Status s = DecodeLegacyJsonPush(body, &req);
  ASSERT_TRUE(s.ok()) << s.ToString();
  ASSERT_EQ(req.streams.size(), 1u);
  EXPECT_EQ(req.streams[0].labels, R"({test="test"})");
  ASSERT_EQ(req.streams[0].entries.size(), 2u);
  EXPECT_EQ(req.streams[0].entries[0].ts_ns, 1568399542380001319);
  EXPECT_EQ(req.streams[0].entries[0].line, "super line");
  EXPECT_TRUE(req.streams[0].entries[0].metadata.empty());
  EXPECT_EQ(req.streams[0].entries[1].ts_ns, 1568399543380001319);
  EXPECT_EQ(req.streams[0].entries[1].metadata, (Pairs{{"a", "1"}, {"b", "2"}}));
}

TEST(JsonPushLegacyTest, RejectsBadInputWithThePlace) {
  struct Case {
    std::string body;
    std::string want;
  };
  const Case cases[] = {
      {R"({"streams":[{"labels":"{a=\"b\"}","entries":[{"ts":"1568399542380001319","line":"x"}]}]})",
       "streams[0].entries[0].ts: invalid timestamp \"1568399542380001319\": must be RFC 3339"},
      {R"({"streams":[{"labels":"{}","entries":[{"ts":1568399542,"line":"x"}]}]})",
       "streams[0].entries[0].ts: timestamp must be a string, got a number"},
      {R"({"streams":[{"labels":{"a":"b"},"entries":[]}]})",
       "streams[0].labels: labels must be a string, got an object"},
      {R"({"streams":[{"labels":"{}","entries":[["1","x"]]}]})",
       "streams[0].entries[0]: must be an object"},
      {R"({"streams":[{"labels":"{}","entries":[{"ts":"2019-09-13T18:32:22Z","line":5}]}]})",
       "streams[0].entries[0].line: line must be a string, got a number"},
      {R"({"streams":[{"labels":"{}","entries":[{"ts":"2019-09-13T18:32:22Z")",
       "unexpected end of input"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.body);
    PushRequest req;
    Status s = DecodeLegacyJsonPush(c.body, &req);
    ASSERT_FALSE(s.ok());
    EXPECT_TRUE(s.IsInvalidArgument());
    EXPECT_NE(s.message().find(c.want), std::string::npos) << s.message();
  }
}

TEST(JsonPushLegacyTest, TruncatedAtEveryOffsetFailsCleanly) {
  const std::string body =
      R"({"streams":[{"labels":"{a=\"b\"}","entries":[{"ts":"2019-09-13T18:32:22.5Z",)"
      R"("line":"l\u00e9","structuredMetadata":{"k":"v"}}]}]})";
  PushRequest full;
  ASSERT_TRUE(DecodeLegacyJsonPush(body, &full).ok());
  for (size_t n = 0; n < body.size(); ++n) {
    PushRequest req;
    EXPECT_FALSE(DecodeLegacyJsonPush(body.substr(0, n), &req).ok()) << n;
  }
}

}  // namespace
}  // namespace sawmill::ingest
