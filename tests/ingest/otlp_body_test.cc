// OTLP bodies, protobuf (built by tests/ingest/otlp_test_util.h) and JSON, decoded and mapped
// to Loki's model: labels, line, timestamp and structured metadata as Loki 3 stores them, and
// every malformed input an error naming the problem.
#include "ingest/otlp_body.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <string>
#include <vector>

#include "tests/ingest/otlp_test_util.h"

namespace sawmill::ingest {
namespace {

using namespace otlp_test;  // NOLINT

constexpr int64_t kNow = 1'800'000'000'000'000'000;

struct Flat {
  std::string labels;
  int64_t ts;
  std::string line;
  std::vector<std::pair<std::string, std::string>> metadata;
  bool operator==(const Flat&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Flat& f) {
  os << f.labels << " " << f.ts << " " << f.line << " {";
  for (const auto& [k, v] : f.metadata) os << k << "=" << v << " ";
  return os << "}";
}

std::vector<Flat> Flatten(const PushRequest& req) {
  std::vector<Flat> out;
  for (const PushStream& s : req.streams) {
    for (const PushEntry& e : s.entries) {
      Flat f{std::string(s.labels), e.ts_ns, std::string(e.line), {}};
      for (const auto& [k, v] : e.metadata) f.metadata.emplace_back(k, v);
      out.push_back(std::move(f));
    }
  }
  return out;
}

Status Decode(std::string_view type, std::string_view body, PushRequest* out,
              std::string_view encoding = "") {
  return DecodeOtlpBody(type, encoding, body, PushBodyLimits(), OtlpMappingOptions(), kNow, out);
}

std::vector<Flat> DecodeOk(std::string_view type, std::string_view body) {
  PushRequest req;
  Status st = Decode(type, body, &req);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return Flatten(req);
}

const std::string kTrace("\x5b\x8e\xff\xf7\x98\x03\x81\x03\xd2\x69\xb6\x33\x81\x3f\xc6\x0c", 16);
const std::string kSpan("\xee\xe1\x9b\x7e\xc3\xc1\xb1\x74", 8);

// One request exercising every field Loki maps, in protobuf.
std::string FullProtobuf() {
  return Request({ResourceLogs(
      {Attr("service.name", Str("checkout")), Attr("k8s.namespace.name", Str("shop")),
       Attr("host.name", Str("node-1")), Attr("process.pid", Int(42))},
      {ScopeLogs(
          "io.opentelemetry.slf4j", "2.1.0", {Attr("lib.flag", Bool(true))},
          {Record({.time = 1'700'000'000'000'000'001,
                   .observed = 1'700'000'000'000'000'500,
                   .severity_number = 17,
                   .severity_text = "ERROR",
                   .body = Str("payment failed"),
                   .attrs = {Attr("http.status_code", Int(502)), Attr("ratio", Double(0.25))},
                   .flags = 1,
                   .trace_id = kTrace,
                   .span_id = kSpan}),
           Record({.observed = 1'700'000'000'000'000'900, .body = Str("retrying [warn]")})})})});
}

// The same request in OTLP's JSON mapping.
constexpr std::string_view kFullJson = R"({"resourceLogs":[{
  "resource":{"attributes":[
    {"key":"service.name","value":{"stringValue":"checkout"}},
    {"key":"k8s.namespace.name","value":{"stringValue":"shop"}},
    {"key":"host.name","value":{"stringValue":"node-1"}},
    {"key":"process.pid","value":{"intValue":"42"}}]},
  "scopeLogs":[{
    "scope":{"name":"io.opentelemetry.slf4j","version":"2.1.0",
             "attributes":[{"key":"lib.flag","value":{"boolValue":true}}]},
    "logRecords":[
      {"timeUnixNano":"1700000000000000001","observedTimeUnixNano":1700000000000000500,
       "severityNumber":"SEVERITY_NUMBER_ERROR","severityText":"ERROR",
       "body":{"stringValue":"payment failed"},
       "attributes":[{"key":"http.status_code","value":{"intValue":502}},
                     {"key":"ratio","value":{"doubleValue":0.25}}],
       "flags":1,"traceId":"5B8EFFF798038103D269B633813FC60C","spanId":"eee19b7ec3c1b174"},
      {"observed_time_unix_nano":"1700000000000000900","body":{"stringValue":"retrying [warn]"},
       "unknownField":{"x":[1,2]}}]}]}]})";

const std::vector<Flat> kFullWant = {
    {R"({k8s_namespace_name="shop", service_name="checkout"})",
     1'700'000'000'000'000'001,
     "payment failed",
     {{"http_status_code", "502"},
      {"ratio", "0.25"},
      {"observed_timestamp", "1700000000000000500"},
      {"severity_number", "17"},
      {"severity_text", "ERROR"},
      {"flags", "1"},
      {"trace_id", "5b8efff798038103d269b633813fc60c"},
      {"span_id", "eee19b7ec3c1b174"},
      {"host_name", "node-1"},
      {"process_pid", "42"},
      {"lib_flag", "true"},
      {"scope_name", "io.opentelemetry.slf4j"},
      {"scope_version", "2.1.0"},
      {"detected_level", "error"}}},
    {R"({k8s_namespace_name="shop", service_name="checkout"})",
     1'700'000'000'000'000'900,
     "retrying [warn]",
     {{"host_name", "node-1"},
      {"process_pid", "42"},
      {"lib_flag", "true"},
      {"scope_name", "io.opentelemetry.slf4j"},
      {"scope_version", "2.1.0"},
      {"detected_level", "warn"}}},
};

TEST(OtlpBodyTest, MapsProtobufAsLokiDoes) {
  EXPECT_EQ(DecodeOk("application/x-protobuf", FullProtobuf()), kFullWant);
}

TEST(OtlpBodyTest, MapsJsonAsLokiDoes) {
  EXPECT_EQ(DecodeOk("application/json; charset=utf-8", kFullJson), kFullWant);
}

TEST(OtlpBodyTest, GunzipsBodies) {
  std::string plain = FullProtobuf();
  z_stream zs{};
  ASSERT_EQ(deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string gz(compressBound(plain.size()) + 64, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(plain.data());
  zs.avail_in = static_cast<uInt>(plain.size());
  zs.next_out = reinterpret_cast<Bytef*>(gz.data());
  zs.avail_out = static_cast<uInt>(gz.size());
  ASSERT_EQ(deflate(&zs, Z_FINISH), Z_STREAM_END);
  gz.resize(zs.total_out);
  deflateEnd(&zs);
  PushRequest req;
  ASSERT_TRUE(Decode("application/x-protobuf", gz, &req, "gzip").ok());
  EXPECT_EQ(Flatten(req), kFullWant);
  EXPECT_FALSE(Decode("application/x-protobuf", plain, &req, "gzip").ok());  // not gzip
}

TEST(OtlpBodyTest, NamesTheServiceWhenServiceNameIsMissing) {
  struct Case {
    std::vector<std::string> attrs;
    std::string want;
  };
  const Case cases[] = {
      {{}, R"({service_name="unknown_service"})"},
      {{Attr("service.name", Str(""))}, R"({service_name="unknown_service"})"},
      {{Attr("host.name", Str("h"))}, R"({service_name="unknown_service"})"},
      // k8s.container.name is promoted, and k8s_container_name is a discovery name.
      {{Attr("k8s.pod.name", Str("p-1")), Attr("k8s.container.name", Str("cart"))},
       R"({k8s_container_name="cart", k8s_pod_name="p-1", service_name="cart"})"},
      // deployment.environment.name (semconv 1.27) is promoted too.
      {{Attr("service.name", Str("a")), Attr("deployment.environment.name", Str("prod")),
        Attr("cloud.region", Str("eu"))},
       R"({cloud_region="eu", deployment_environment_name="prod", service_name="a"})"},
  };
  for (const Case& c : cases) {
    auto got = DecodeOk("application/x-protobuf",
                        Request({ResourceLogs(c.attrs, {ScopeLogs("", "", {},
                                                                  {Record({
                                                                      .time = 5,
                                                                      .body = Str("x"),
                                                                  })})})}));
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].labels, c.want);
  }
}

TEST(OtlpBodyTest, RendersNonStringValuesAsPdataDoes) {
  struct Case {
    std::string value;  // AnyValue bytes
    std::string want;
  };
  const Case cases[] = {
      {Int(-7), "-7"},
      {Double(1.5), "1.5"},
      {Double(100), "100"},
      {Double(1e21), "1e+21"},
      {Double(1e-7), "1e-7"},
      {Double(0.000001), "0.000001"},
      {Bool(false), "false"},
      {Bytes("\x01\x02\xff"), "AQL/"},
      {Bytes("ab"), "YWI="},
      {Array({Str("a"), Int(1), Array({})}), R"(["a",1,[]])"},
      {KvList({Attr("z", Str("<b>&")), Attr("a", Double(2.5)), Attr("z", Str("last"))}),
       R"({"a":2.5,"z":"last"})"},
      {KvList({Attr("s", Str("q\"\\\n\x01<"))}), R"({"s":"q\"\\\n\u0001\u003c"})"},
      {"", ""},  // no body at all
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.want);
    auto got =
        DecodeOk("application/x-protobuf", Request({ResourceLogs({}, {ScopeLogs("", "", {},
                                                                                {Record({
                                                                                    .time = 5,
                                                                                    .body = c.value,
                                                                                })})})}));
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].line, c.want);
  }
}

TEST(OtlpBodyTest, FlattensNestedAttributesAndNormalizesNames) {
  auto got = DecodeOk(
      "application/x-protobuf",
      Request({ResourceLogs(
          {}, {ScopeLogs(
                  "", "", {},
                  {Record({.time = 5,
                           .body = Str("x"),
                           .attrs = {Attr("http", KvList({Attr("method", Str("GET")),
                                                          Attr("req.headers",
                                                               KvList({Attr("x-id", Int(3))}))})),
                                     Attr("1st", Str("a")), Attr("_p", Str("b")),
                                     Attr("__q", Str("c")), Attr("é.x", Str("d")),
                                     Attr("tags", Array({Str("a"), Str("b")}))}})})})}));
  ASSERT_EQ(got.size(), 1u);
  const std::vector<std::pair<std::string, std::string>> want = {{"http_method", "GET"},
                                                                 {"http_req_headers_x_id", "3"},
                                                                 {"key_1st", "a"},
                                                                 {"key_p", "b"},
                                                                 {"__q", "c"},
                                                                 {"__x", "d"},
                                                                 {"tags", R"(["a","b"])"},
                                                                 {"detected_level", "unknown"}};
  EXPECT_EQ(got[0].metadata, want);
}

TEST(OtlpBodyTest, TimestampFallsBackToObservedThenNow) {
  auto got = DecodeOk(
      "application/x-protobuf",
      Request({ResourceLogs(
          {},
          {ScopeLogs("", "", {}, {Record({.observed = 9}), Record({.body = Str("no time")})})})}));
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].ts, 9);
  EXPECT_EQ(got[1].ts, kNow);
  // observed_timestamp is metadata only when both are set.
  for (const auto& [k, v] : got[0].metadata) EXPECT_NE(k, "observed_timestamp");
}

TEST(OtlpBodyTest, ResourcesWithTheSameLabelsShareAStream) {
  PushRequest req;
  std::string r1 = ResourceLogs({Attr("service.name", Str("a")), Attr("host.name", Str("1"))},
                                {ScopeLogs("", "", {}, {Record({.time = 1})})});
  std::string r2 = ResourceLogs({Attr("service.name", Str("a")), Attr("host.name", Str("2"))},
                                {ScopeLogs("", "", {}, {Record({.time = 2})})});
  std::string r3 = ResourceLogs({Attr("service.name", Str("b"))},
                                {ScopeLogs("", "", {}, {Record({.time = 3})})});
  ASSERT_TRUE(Decode("application/x-protobuf", Request({r1, r2, r3}), &req).ok());
  ASSERT_EQ(req.streams.size(), 2u);
  EXPECT_EQ(req.streams[0].entries.size(), 2u);
  EXPECT_EQ(req.streams[1].entries.size(), 1u);
}

TEST(OtlpBodyTest, RefusesUnsupportedTypesAndEncodings) {
  PushRequest req;
  Status st = Decode("text/plain", "x", &req);
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(st.message(), "content type: text/plain is not supported");
  st = Decode("application/json", "{}", &req, "br");
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("\"br\" not supported"), std::string::npos) << st.message();
  // An empty body is an empty request in protobuf, a syntax error in JSON.
  EXPECT_TRUE(Decode("application/x-protobuf", "", &req).ok());
  EXPECT_EQ(Decode("application/json", "", &req).code(), StatusCode::kInvalidArgument);
}

TEST(OtlpBodyTest, MalformedProtobufIsAClearError) {
  std::string good = FullProtobuf();
  std::string bad_utf8_body = Request(
      {ResourceLogs({}, {ScopeLogs("", "", {}, {Record({.time = 1, .body = Str("a\xff")})})})});
  std::string short_trace = Request(
      {ResourceLogs({}, {ScopeLogs("", "", {}, {Record({.time = 1, .trace_id = "abc"})})})});
  std::string deep = Str("leaf");
  for (int i = 0; i < 100; ++i) deep = Array({deep});
  std::string too_deep =
      Request({ResourceLogs({}, {ScopeLogs("", "", {}, {Record({.time = 1, .body = deep})})})});
  // time_unix_nano (field 1) sent as a varint instead of fixed64.
  std::string record_wrong_type;
  PutProtoVarintField(&record_wrong_type, 1, 5);
  std::string wrong_type =
      Request({ResourceLogs({}, {ScopeLogs("", "", {}, {record_wrong_type})})});
  struct Case {
    std::string name;
    std::string body;
    std::string want;  // a part of the message
  };
  const Case cases[] = {
      {"truncated", good.substr(0, good.size() - 7), "runs past the end"},
      {"huge length", std::string("\x0a\xff\xff\xff\xff\x0f", 6), "runs past the end"},
      {"truncated varint", std::string("\x0a", 1), "truncated varint"},
      {"group wire type", std::string("\x0b", 1), "groups"},
      {"wire type 7", std::string("\x0f", 1), "invalid wire type"},
      {"field 0", std::string("\x02\x00", 2), "invalid field number 0"},
      {"bad utf-8", bad_utf8_body, "AnyValue: field 1: string is not valid UTF-8"},
      {"short trace id", short_trace, "trace_id must be 16 bytes, got 3"},
      {"deep nesting", too_deep, "nest deeper than 64"},
      {"wrong wire type", wrong_type, "LogRecord: expected a fixed64"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    PushRequest req;
    Status st = Decode("application/x-protobuf", c.body, &req);
    EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << st.ToString();
    EXPECT_NE(st.message().find(c.want), std::string::npos) << st.message();
  }
}

TEST(OtlpBodyTest, MalformedJsonIsAClearError) {
  std::string deep = R"({"stringValue":"x"})";
  for (int i = 0; i < 70; ++i) deep = R"({"arrayValue":{"values":[)" + deep + "]}}";
  struct Case {
    std::string name;
    std::string body;
    std::string want;
  };
  const Case cases[] = {
      {"not json", "resourceLogs", "malformed JSON"},
      {"truncated", std::string(kFullJson.substr(0, 200)), "malformed JSON"},
      {"trailing data", "{} {}", "unexpected data after"},
      {"bad utf-8", "{\"resourceLogs\":[{\"x\":\"\xc3\x28\"}]}", "invalid UTF-8 at byte 23"},
      {"wrong kind", R"({"resourceLogs":{}})", "resourceLogs: must be an array"},
      {"bad time", R"({"resourceLogs":[{"scopeLogs":[{"logRecords":[{"timeUnixNano":"soon"}]}]}]})",
       "resourceLogs[0].scopeLogs[0].logRecords[0].timeUnixNano: \"soon\" is not an integer"},
      {"negative time",
       R"({"resourceLogs":[{"scopeLogs":[{"logRecords":[{"timeUnixNano":-1}]}]}]})",
       "is not an integer in range"},
      {"bad trace id", R"({"resourceLogs":[{"scopeLogs":[{"logRecords":[{"traceId":"xyz"}]}]}]})",
       "traceId: must be 32 hex digits"},
      {"bad severity",
       R"({"resourceLogs":[{"scopeLogs":[{"logRecords":[{"severityNumber":"LOUD"}]}]}]})",
       "unknown severity \"LOUD\""},
      {"bad base64",
       R"({"resourceLogs":[{"scopeLogs":[{"logRecords":[{"body":{"bytesValue":"!!"}}]}]}]})",
       "body.bytesValue: must be base64"},
      {"deep nesting",
       R"({"resourceLogs":[{"scopeLogs":[{"logRecords":[{"body":)" + deep + "}]}]}]}",
       "nest deeper than 64"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    PushRequest req;
    Status st = Decode("application/json", c.body, &req);
    EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << st.ToString();
    EXPECT_NE(st.message().find(c.want), std::string::npos) << st.message();
  }
}

TEST(OtlpBodyTest, ItemBudgetBoundsRepeatedResourceAttributes) {
  // 200 resource attributes repeated on 100 records: 20,000 metadata pairs.
  std::vector<std::string> attrs;
  for (int i = 0; i < 200; ++i) attrs.push_back(Attr("a" + std::to_string(i), Str("v")));
  std::vector<std::string> records(100, Record({.time = 1}));
  std::string body = Request({ResourceLogs(attrs, {ScopeLogs("", "", {}, records)})});
  PushRequest req;
  PushBodyLimits limits;
  limits.max_items = 10'000;
  Status st =
      DecodeOtlpBody("application/x-protobuf", "", body, limits, OtlpMappingOptions(), kNow, &req);
  EXPECT_EQ(st.code(), StatusCode::kResourceExhausted) << st.ToString();
  limits.max_items = 30'000;
  EXPECT_TRUE(
      DecodeOtlpBody("application/x-protobuf", "", body, limits, OtlpMappingOptions(), kNow, &req)
          .ok());
}

}  // namespace
}  // namespace sawmill::ingest
