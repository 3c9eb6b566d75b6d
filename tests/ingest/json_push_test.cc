#include "ingest/json_push.h"

#include <gtest/gtest.h>

#include <string>

namespace sawmill::ingest {
namespace {

Status Decode(std::string_view body, PushRequest* out) { return DecodeJsonPush(body, out); }

TEST(JsonPushTest, DecodesStreamsValuesAndStructuredMetadata) {
  const std::string body = R"({"streams":[
    {"stream":{"env":"prod","app":"web"},
     "values":[["1700000000123456789","GET / 200"],
               ["1700000001000000000","GET /x 404",{"trace_id":"abc","user":"u1"}]]},
    {"stream":{"app":"db"},"values":[["5",""]]}]})";
  PushRequest req;
  Status s = Decode(body, &req);
  ASSERT_TRUE(s.ok()) << s.ToString();
  ASSERT_EQ(req.streams.size(), 2u);
  EXPECT_EQ(req.streams[0].labels, R"({app="web", env="prod"})");
  ASSERT_EQ(req.streams[0].entries.size(), 2u);
  EXPECT_EQ(req.streams[0].entries[0].ts_ns, 1700000000123456789);
  EXPECT_EQ(req.streams[0].entries[0].line, "GET / 200");
  EXPECT_TRUE(req.streams[0].entries[0].metadata.empty());
  EXPECT_EQ(req.streams[0].entries[1].line, "GET /x 404");
  using Pairs = std::vector<std::pair<std::string_view, std::string_view>>;
  EXPECT_EQ(req.streams[0].entries[1].metadata, (Pairs{{"trace_id", "abc"}, {"user", "u1"}}));
  EXPECT_EQ(req.streams[1].labels, R"({app="db"})");
  EXPECT_EQ(req.streams[1].entries[0].ts_ns, 5);
  EXPECT_EQ(req.streams[1].entries[0].line, "");
  EXPECT_EQ(req.EntryCount(), 3u);
}

TEST(JsonPushTest, ViewsOutliveTheBodyAndSurviveAMove) {
  PushRequest req;
  {
    std::string body =
        R"({"streams":[{"stream":{"a":"b"},"values":[["1","plain"],["2","e\"sc"]]}]})";
    ASSERT_TRUE(Decode(body, &req).ok());
    body.assign(body.size(), '#');
  }
  PushRequest moved = std::move(req);
  EXPECT_EQ(moved.streams[0].labels, R"({a="b"})");
  EXPECT_EQ(moved.streams[0].entries[0].line, "plain");
  EXPECT_EQ(moved.streams[0].entries[1].line, "e\"sc");
}

TEST(JsonPushTest, UnescapesStrings) {
  struct Case {
    std::string json;
    std::string want;
  };
  const Case cases[] = {
      {R"(a\"b\\c\/d)", "a\"b\\c/d"},
      {R"(\b\f\n\r\t)", "\b\f\n\r\t"},
      {R"(\u0041\u00e9\u20AC)", "A\xc3\xa9\xe2\x82\xac"},
      {R"(\ud83d\ude00 smile)", "\xf0\x9f\x98\x80 smile"},
      {R"(lone \ud83d here)", "lone \xef\xbf\xbd here"},
      {R"(lone \ude00)", "lone \xef\xbf\xbd"},
      {R"(\u0000)", std::string(1, '\0')},
      {"raw \xc3\xa9 utf8", "raw \xc3\xa9 utf8"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.json);
    PushRequest req;
    std::string body = R"({"streams":[{"stream":{"a":"b"},"values":[["1",")" + c.json + R"("]]}]})";
    Status s = Decode(body, &req);
    ASSERT_TRUE(s.ok()) << s.ToString();
    EXPECT_EQ(req.streams[0].entries[0].line, c.want);
  }
}

TEST(JsonPushTest, RendersLabelsSortedAndEscapedLastDuplicateWins) {
  PushRequest req;
  ASSERT_TRUE(Decode(R"({"streams":[{"stream":{"z":"1","a":"q\"u\\o\nte","m":"x","m":"y"},
                         "values":[]}]})",
                     &req)
                  .ok());
  EXPECT_EQ(req.streams[0].labels, R"({a="q\"u\\o\nte", m="y", z="1"})");
}

TEST(JsonPushTest, NullsAndMissingFieldsReadAsEmpty) {
  struct Case {
    std::string body;
    size_t streams;
    std::string labels;
    size_t entries;
  };
  const Case cases[] = {
      {R"({})", 0, "", 0},
      {R"({"streams":null})", 0, "", 0},
      {R"({"streams":[]})", 0, "", 0},
      {R"({"streams":[{}]})", 1, "{}", 0},
      {R"({"streams":[{"stream":null,"values":null}]})", 1, "{}", 0},
      {R"({"streams":[{"stream":{},"values":[["1",null,null]]}]})", 1, "{}", 1},
      {R"({"streams":[{"Stream":{"a":"b"},"VALUES":[["1","x"]]}]})", 1, R"({a="b"})", 1},
      {R"( {"other":[1,2.5e3,-0.1,true,false,null,{"x":[{}]}],"streams":[]} )", 0, "", 0},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.body);
    PushRequest req;
    Status s = Decode(c.body, &req);
    ASSERT_TRUE(s.ok()) << s.ToString();
    ASSERT_EQ(req.streams.size(), c.streams);
    if (c.streams > 0) {
      EXPECT_EQ(req.streams[0].labels, c.labels);
      EXPECT_EQ(req.streams[0].entries.size(), c.entries);
    }
  }
}

TEST(JsonPushTest, TimestampsFollowGoParseInt) {
  struct Case {
    std::string ts;
    bool ok;
    int64_t want;
  };
  const Case cases[] = {
      {"0", true, 0},
      {"+12", true, 12},
      {"-12", true, -12},
      {"9223372036854775807", true, INT64_MAX},
      {"-9223372036854775808", true, INT64_MIN},
      {"9223372036854775808", false, 0},
      {"-9223372036854775809", false, 0},
      {"", false, 0},
      {"-", false, 0},
      {"1.5", false, 0},
      {"1e9", false, 0},
      {" 1", false, 0},
      {"0x10", false, 0},
      {"2024-01-01T00:00:00Z", false, 0},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.ts);
    PushRequest req;
    Status s =
        Decode(R"({"streams":[{"stream":{"a":"b"},"values":[[")" + c.ts + R"(","x"]]}]})", &req);
    ASSERT_EQ(s.ok(), c.ok) << s.ToString();
    if (c.ok) {
      EXPECT_EQ(req.streams[0].entries[0].ts_ns, c.want);
    } else {
      EXPECT_TRUE(s.IsInvalidArgument());
      EXPECT_NE(s.message().find("streams[0].values[0][0]: invalid timestamp"), std::string::npos)
          << s.message();
    }
  }
}

TEST(JsonPushTest, RejectsWrongTypesWithThePlaceInTheMessage) {
  struct Case {
    std::string body;
    std::string want;
  };
  const Case cases[] = {
      {R"({"streams":[{"stream":{"a":"b"},"values":[[1700000000000000000,"x"]]}]})",
       "streams[0].values[0][0]: timestamp must be a string of integer Unix nanoseconds, got a "
       "number"},
      {R"({"streams":[{"stream":{"a":"b"},"values":[[null,"x"]]}]})",
       "streams[0].values[0][0]: timestamp must be a string of integer Unix nanoseconds, got null"},
      {R"({"streams":[{"stream":{"a":"b"},"values":[["1",42]]}]})",
       "streams[0].values[0][1]: line must be a string, got a number"},
      {R"({"streams":[{"stream":{"a":"b"},"values":[["1",{"msg":"x"}]]}]})",
       "streams[0].values[0][1]: line must be a string, got an object"},
      {R"({"streams":[{"stream":{"a":5},"values":[]}]})",
       "streams[0].stream.a: label value must be a string, got a number"},
      {R"({"streams":[{},{"stream":["a"],"values":[]}]})",
       "streams[1].stream: must be an object of labels"},
      {R"({"streams":{"stream":{}}})", "streams: must be an array"},
      {R"({"streams":["x"]})", "streams[0]: must be an object"},
      {R"({"streams":[{"values":{"1":"x"}}]})", "streams[0].values: must be an array"},
      {R"({"streams":[{"values":["1","x"]}]})", "streams[0].values[0]: must be an array"},
      {R"({"streams":[{"values":[["1"]]}]})", "array must contain 2 or 3 values"},
      {R"({"streams":[{"values":[[]]}]})", "array must contain 2 or 3 values"},
      {R"({"streams":[{"values":[["1","x",{},"extra"]]}]})", "array must contain 2 or 3 values"},
      {R"({"streams":[{"values":[["1","x",["k","v"]]]}]})",
       "streams[0].values[0][2]: structured metadata must be an object"},
      {R"({"streams":[{"values":[["1","x",{"k":1}]]}]})",
       "streams[0].values[0][2].k: structured metadata value must be a string, got a number"},
      {R"({"streams":[{"stream":{"a":"b"},"values":[["1","x"]]}, {"values":[["2",true]]}]})",
       "streams[1].values[0][1]: line must be a string, got a boolean"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.body);
    PushRequest req;
    Status s = Decode(c.body, &req);
    ASSERT_FALSE(s.ok());
    EXPECT_TRUE(s.IsInvalidArgument());
    EXPECT_NE(s.message().find(c.want), std::string::npos) << s.message();
  }
}

TEST(JsonPushTest, RejectsMalformedJson) {
  struct Case {
    std::string body;
    std::string want;
  };
  const Case cases[] = {
      {"", "empty body"},
      {"   ", "empty body"},
      {"[]", "expected an object"},
      {R"({"streams":[)", "unexpected end of input"},
      {R"({"streams":[{"stream":{"a":"b"},"values":[["1","unterminated)", "unterminated string"},
      {R"({"streams":[{"values":[["1","x"]]})", "unterminated"},
      {R"({"streams":[]}})", "unexpected data after the top-level object"},
      {R"({"streams":[]} {})", "unexpected data after the top-level object"},
      {R"({"streams" []})", "expected ':'"},
      {R"({streams:[]})", "expected a string key"},
      {R"({"streams":[],})", "expected a string key"},
      {R"({"streams":[{"values":[["1","x"],]}]})", "expected a value"},
      {R"({"x":tru})", "invalid value"},
      {R"({"x":01})", "expected ',' or '}'"},
      {R"({"x":-})", "invalid value"},
      {R"({"x":1.})", "invalid number"},
      {R"({"x":1e})", "invalid number"},
      {R"({"x":})", "invalid value"},
      {R"({"x":"a\qb"})", "invalid escape"},
      {R"({"x":"a\u12G4"})", "invalid \\u escape"},
      {"{\"x\":\"a\tb\"}", "control character"},
      {"{\"x\":\"a\\", "unterminated string"},
      {std::string(100, '['), "expected an object"},
      {R"({"x":)" + std::string(1000, '[') + std::string(1000, ']') + "}", "nesting deeper"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.body.substr(0, 80));
    PushRequest req;
    Status s = Decode(c.body, &req);
    ASSERT_FALSE(s.ok());
    EXPECT_TRUE(s.IsInvalidArgument());
    EXPECT_NE(s.message().find(c.want), std::string::npos) << s.message();
  }
}

TEST(JsonPushTest, TruncatedAtEveryOffsetFailsCleanly) {
  const std::string body = R"({"streams":[{"stream":{"app":"web","e\"nv":"p\nrod"},)"
                           R"("values":[["1700000000123456789","GET \u00e9 200"],)"
                           R"(["1","x",{"trace_id":"abc"}]]}]})";
  PushRequest full;
  ASSERT_TRUE(Decode(body, &full).ok());
  for (size_t n = 0; n < body.size(); ++n) {
    PushRequest req;
    Status s = Decode(body.substr(0, n), &req);
    EXPECT_FALSE(s.ok()) << n;
    EXPECT_TRUE(s.IsInvalidArgument()) << n;
  }
}

TEST(JsonPushTest, RefusesMoreItemsThanTheLimit) {
  // 2 streams + 3 entries + 2 metadata pairs = 7 items.
  const std::string body = R"({"streams":[{"stream":{"a":"b"},"values":[["1","x"],)"
                           R"(["2","y",{"k":"v","k2":"v2"}]]},{"values":[["3","z"]]}]})";
  PushRequest req;
  EXPECT_TRUE(DecodeJsonPush(body, &req, 7).ok());
  for (size_t limit : {0, 1, 3, 6}) {
    Status s = DecodeJsonPush(body, &req, limit);
    EXPECT_EQ(s.code(), StatusCode::kResourceExhausted) << limit;
  }
  EXPECT_EQ(DecodeLegacyJsonPush(R"({"streams":[{"entries":[{},{}]}]})", &req, 2).code(),
            StatusCode::kResourceExhausted);
  EXPECT_TRUE(DecodeLegacyJsonPush(R"({"streams":[{"entries":[{},{}]}]})", &req, 3).ok());
}

TEST(JsonPushTest, DecodesATenMegabyteLine) {
  std::string line(10 << 20, 'x');
  line[12345] = '"';  // one escape, so the in-place unescape moves ~10 MB
  std::string escaped = line;
  escaped.replace(12345, 1, "\\\"");
  PushRequest req;
  Status s =
      Decode(R"({"streams":[{"stream":{"a":"b"},"values":[["1",")" + escaped + R"("]]}]})", &req);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(req.streams[0].entries[0].line, line);
}

TEST(JsonPushTest, DecodesTenThousandLabels) {
  std::string body = R"({"streams":[{"stream":{)";
  for (int i = 0; i < 10000; ++i) {
    if (i > 0) body += ",";
    body += "\"l" + std::to_string(i) + "\":\"v\"";
  }
  body += R"(},"values":[["1","x",{)";
  for (int i = 0; i < 10000; ++i) {
    if (i > 0) body += ",";
    body += "\"m" + std::to_string(i) + "\":\"v\"";
  }
  body += "}]]}]}";
  PushRequest req;
  ASSERT_TRUE(Decode(body, &req).ok());
  std::string_view labels = req.streams[0].labels;
  EXPECT_EQ(labels.substr(0, 20), R"({l0="v", l1="v", l10)");  // sorted as strings
  EXPECT_EQ(std::count(labels.begin(), labels.end(), '='), 10000);
  EXPECT_EQ(req.streams[0].entries[0].metadata.size(), 10000u);
}

}  // namespace
}  // namespace sawmill::ingest
