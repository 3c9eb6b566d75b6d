#include "ingest/push_body.h"

#include <gtest/gtest.h>
#include <snappy.h>
#include <zlib.h>

#include <string>

namespace sawmill::ingest {
namespace {

std::string Compress(std::string_view in, int window_bits) {
  z_stream s{};
  EXPECT_EQ(deflateInit2(&s, Z_DEFAULT_COMPRESSION, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY),
            Z_OK);
  std::string out(deflateBound(&s, in.size()) + 32, '\0');
  s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  s.avail_in = static_cast<uInt>(in.size());
  s.next_out = reinterpret_cast<Bytef*>(out.data());
  s.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&s, Z_FINISH), Z_STREAM_END);
  out.resize(s.total_out);
  deflateEnd(&s);
  return out;
}

const char kJson[] = R"({"streams":[{"stream":{"app":"web"},"values":[["7","json line"]]}]})";
const char kLegacyJson[] =
    R"({"streams":[{"labels":"{app=\"web\"}","entries":[{"ts":"1970-01-01T00:00:00.000000007Z","line":"json line"}]}]})";

std::string SnappyProtobuf() {
  PushRequest req;
  PushStream& s = req.streams.emplace_back();
  s.labels = R"({app="web"})";
  s.entries.push_back({7, "json line", {}});
  std::string wire = EncodeLogprotoPush(req), body;
  snappy::Compress(wire.data(), wire.size(), &body);
  return body;
}

void ExpectDecoded(const PushRequest& req) {
  ASSERT_EQ(req.streams.size(), 1u);
  EXPECT_EQ(req.streams[0].labels, R"({app="web"})");
  ASSERT_EQ(req.streams[0].entries.size(), 1u);
  EXPECT_EQ(req.streams[0].entries[0].ts_ns, 7);
  EXPECT_EQ(req.streams[0].entries[0].line, "json line");
}

TEST(PushBodyTest, ChoosesTheDecoderAsLokiDoes) {
  struct Case {
    std::string name;
    std::string content_type;
    std::string content_encoding;
    std::string body;
    PushApi api;
  };
  const std::string proto = SnappyProtobuf();
  const Case cases[] = {
      {"json", "application/json", "", kJson, PushApi::kV1},
      {"json with charset, any case", "Application/JSON; charset=utf-8", "", kJson, PushApi::kV1},
      {"legacy json", "application/json", "", kLegacyJson, PushApi::kLegacy},
      {"gzip json", "application/json", "gzip", Compress(kJson, 15 + 16), PushApi::kV1},
      {"deflate json", "application/json", "deflate", Compress(kJson, -15), PushApi::kV1},
      {"zlib deflate json", "application/json", "deflate", Compress(kJson, 15), PushApi::kV1},
      {"gzip legacy json", "application/json", "GZIP", Compress(kLegacyJson, 31), PushApi::kLegacy},
      {"protobuf", "application/x-protobuf", "", proto, PushApi::kV1},
      {"protobuf, no content type", "", "", proto, PushApi::kV1},
      {"protobuf, snappy encoding", "application/x-protobuf", "snappy", proto, PushApi::kV1},
      {"protobuf, legacy path", "application/x-protobuf", "", proto, PushApi::kLegacy},
      {"gzip protobuf", "application/x-protobuf", "gzip", Compress(proto, 31), PushApi::kV1},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    PushRequest req;
    Status s = DecodePushBody(c.content_type, c.content_encoding, c.body, c.api, {}, &req);
    ASSERT_TRUE(s.ok()) << s.ToString();
    ExpectDecoded(req);
  }
}

TEST(PushBodyTest, RefusesUnsupportedEncodingsAndMismatchedBodies) {
  PushRequest req;
  Status s = DecodePushBody("application/json", "br", kJson, PushApi::kV1, {}, &req);
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_EQ(s.message(), "Content-Encoding \"br\" not supported");
  // JSON sent as protobuf, protobuf sent as JSON, plain JSON declared gzip.
  EXPECT_TRUE(DecodePushBody("application/x-protobuf", "", kJson, PushApi::kV1, {}, &req)
                  .IsInvalidArgument());
  EXPECT_TRUE(DecodePushBody("application/json", "", SnappyProtobuf(), PushApi::kV1, {}, &req)
                  .IsInvalidArgument());
  EXPECT_TRUE(DecodePushBody("application/json", "gzip", kJson, PushApi::kV1, {}, &req)
                  .IsInvalidArgument());
  // The v1 decoder does not read the legacy format: its streams have no labels or values.
  ASSERT_TRUE(DecodePushBody("application/json", "", kLegacyJson, PushApi::kV1, {}, &req).ok());
  EXPECT_EQ(req.streams[0].labels, "{}");
  EXPECT_TRUE(req.streams[0].entries.empty());
}

TEST(PushBodyTest, EnforcesTheLimits) {
  PushBodyLimits small;
  small.max_decompressed = 20;
  PushRequest req;
  EXPECT_EQ(DecodePushBody("application/json", "", kJson, PushApi::kV1, small, &req).code(),
            StatusCode::kResourceExhausted);
  EXPECT_EQ(
      DecodePushBody("application/json", "gzip", Compress(kJson, 31), PushApi::kV1, small, &req)
          .code(),
      StatusCode::kResourceExhausted);
  EXPECT_EQ(DecodePushBody("", "", SnappyProtobuf(), PushApi::kV1, small, &req).code(),
            StatusCode::kResourceExhausted);
  PushBodyLimits one_item;
  one_item.max_items = 1;
  EXPECT_EQ(DecodePushBody("application/json", "", kJson, PushApi::kV1, one_item, &req).code(),
            StatusCode::kResourceExhausted);
  EXPECT_EQ(DecodePushBody("", "", SnappyProtobuf(), PushApi::kV1, one_item, &req).code(),
            StatusCode::kResourceExhausted);
}

TEST(PushBodyTest, PassesInvalidUtf8ThroughForValidationToJudge) {
  // Decoders do not judge UTF-8 (Loki's do not either); label and line validation does.
  const std::string bad = "bad \xff\xfe utf8";
  PushRequest req;
  const std::string json =
      R"({"streams":[{"stream":{"app":")" + bad + R"("},"values":[["1",")" + bad + R"("]]}]})";
  ASSERT_TRUE(DecodePushBody("application/json", "", json, PushApi::kV1, {}, &req).ok());
  EXPECT_EQ(req.streams[0].labels, "{app=\"" + bad + "\"}");
  EXPECT_EQ(req.streams[0].entries[0].line, bad);

  PushRequest want;
  const std::string labels = "{app=\"" + bad + "\"}";
  PushStream& st = want.streams.emplace_back();
  st.labels = labels;
  st.entries.push_back({1, bad, {{bad, bad}}});
  std::string wire = EncodeLogprotoPush(want), body;
  snappy::Compress(wire.data(), wire.size(), &body);
  ASSERT_TRUE(DecodePushBody("application/x-protobuf", "", body, PushApi::kV1, {}, &req).ok());
  EXPECT_EQ(req.streams[0].entries[0].line, bad);
  EXPECT_EQ(req.streams[0].entries[0].metadata[0].second, bad);
}

}  // namespace
}  // namespace sawmill::ingest
