#include "ingest/protobuf_push.h"

#include <gtest/gtest.h>
#include <snappy.h>

#include <cstdint>
#include <string>

#include "ingest/proto_wire.h"
#include "storage/coding.h"

namespace sawmill::ingest {
namespace {

std::string Snappy(std::string_view raw) {
  std::string out;
  snappy::Compress(raw.data(), raw.size(), &out);
  return out;
}

// A request with two streams, structured metadata and a negative-free variety of timestamps.
PushRequest SampleRequest() {
  PushRequest req;
  PushStream& a = req.streams.emplace_back();
  a.labels = R"({app="web", env="prod"})";
  a.entries.push_back({1700000000123456789, "GET /index.html 200", {}});
  a.entries.push_back({1700000001000000000, "GET /missing 404", {{"trace_id", "abc123"}}});
  PushStream& b = req.streams.emplace_back();
  b.labels = R"({app="db"})";
  b.entries.push_back({5, "", {{"a", "1"}, {"b", ""}}});
  return req;
}

void ExpectSameAs(const PushRequest& got, const PushRequest& want) {
  ASSERT_EQ(got.streams.size(), want.streams.size());
  for (size_t i = 0; i < want.streams.size(); ++i) {
    const PushStream& g = got.streams[i];
    const PushStream& w = want.streams[i];
    EXPECT_EQ(g.labels, w.labels);
    ASSERT_EQ(g.entries.size(), w.entries.size());
    for (size_t j = 0; j < w.entries.size(); ++j) {
      EXPECT_EQ(g.entries[j].ts_ns, w.entries[j].ts_ns);
      EXPECT_EQ(g.entries[j].line, w.entries[j].line);
      EXPECT_EQ(g.entries[j].metadata, w.entries[j].metadata);
    }
  }
}

TEST(ProtobufPushTest, RoundTripsThroughSnappy) {
  PushRequest want = SampleRequest();
  PushRequest got;
  ASSERT_TRUE(DecodeProtobufPush(Snappy(EncodeLogprotoPush(want)), &got).ok());
  ExpectSameAs(got, want);
}

TEST(ProtobufPushTest, ViewsSurviveAMove) {
  PushRequest got;
  ASSERT_TRUE(DecodeProtobufPush(Snappy(EncodeLogprotoPush(SampleRequest())), &got).ok());
  PushRequest moved = std::move(got);
  ExpectSameAs(moved, SampleRequest());
}

TEST(ProtobufPushTest, EmptyRequestHasNoStreams) {
  PushRequest got;
  ASSERT_TRUE(DecodeProtobufPush(Snappy(""), &got).ok());
  EXPECT_TRUE(got.streams.empty());
}

TEST(ProtobufPushTest, NegativeAndPreEpochTimestamps) {
  PushRequest want;
  PushStream& s = want.streams.emplace_back();
  s.labels = "{a=\"b\"}";
  s.entries.push_back({-1, "x", {}});
  s.entries.push_back({-1500000000, "y", {}});
  s.entries.push_back({0, "z", {}});
  s.entries.push_back({INT64_MIN, "min", {}});
  s.entries.push_back({INT64_MAX, "max", {}});
  PushRequest got;
  ASSERT_TRUE(DecodeLogprotoPush(EncodeLogprotoPush(want), &got).ok());
  ExpectSameAs(got, want);
}

TEST(ProtobufPushTest, SkipsUnknownFieldsOfEveryWireType) {
  // Timestamp{seconds=2, nanos=3, field 9 fixed32}
  std::string ts;
  PutProtoVarintField(&ts, 1, 2);
  PutProtoKey(&ts, 9, WireType::kFixed32);
  ts.append("\x01\x02\x03\x04", 4);
  PutProtoVarintField(&ts, 2, 3);
  std::string entry;
  PutProtoBytesField(&entry, 1, ts);
  PutProtoKey(&entry, 7, WireType::kFixed64);
  entry.append(8, 'x');
  PutProtoBytesField(&entry, 2, "line");
  PutProtoVarintField(&entry, 15, 123456789);
  std::string stream;
  PutProtoVarintField(&stream, 3, 0xdeadbeef);  // hash
  PutProtoBytesField(&stream, 1, "{a=\"b\"}");
  PutProtoBytesField(&stream, 2, entry);
  PutProtoBytesField(&stream, 99, "unknown bytes");
  std::string req;
  PutProtoBytesField(&req, 2, "loki");  // format
  PutProtoBytesField(&req, 1, stream);
  PushRequest got;
  Status s = DecodeLogprotoPush(req, &got);
  ASSERT_TRUE(s.ok()) << s.ToString();
  ASSERT_EQ(got.streams.size(), 1u);
  EXPECT_EQ(got.streams[0].labels, "{a=\"b\"}");
  ASSERT_EQ(got.streams[0].entries.size(), 1u);
  EXPECT_EQ(got.streams[0].entries[0].ts_ns, 2000000003);
  EXPECT_EQ(got.streams[0].entries[0].line, "line");
}

TEST(ProtobufPushTest, RepeatedScalarLastWinsAndTimestampsMerge) {
  std::string ts1, ts2;
  PutProtoVarintField(&ts1, 1, 10);
  PutProtoVarintField(&ts1, 2, 7);
  PutProtoVarintField(&ts2, 1, 20);  // no nanos: keeps 7
  std::string entry;
  PutProtoBytesField(&entry, 1, ts1);
  PutProtoBytesField(&entry, 2, "first");
  PutProtoBytesField(&entry, 1, ts2);
  PutProtoBytesField(&entry, 2, "second");
  std::string stream;
  PutProtoBytesField(&stream, 2, entry);
  std::string req;
  PutProtoBytesField(&req, 1, stream);
  PushRequest got;
  ASSERT_TRUE(DecodeLogprotoPush(req, &got).ok());
  EXPECT_EQ(got.streams[0].entries[0].ts_ns, 20000000007);
  EXPECT_EQ(got.streams[0].entries[0].line, "second");
}

TEST(ProtobufPushTest, RejectsTruncationAtEveryOffset) {
  std::string wire = EncodeLogprotoPush(SampleRequest());
  // Every strict prefix of the wire bytes either fails cleanly or (when it ends exactly at a
  // field boundary of the outer message) decodes to fewer streams; none crashes.
  size_t ok_prefixes = 0;
  for (size_t n = 0; n < wire.size(); ++n) {
    PushRequest got;
    Status s = DecodeLogprotoPush(wire.substr(0, n), &got);
    if (s.ok()) {
      ++ok_prefixes;
      EXPECT_LT(got.streams.size(), 2u) << n;
    } else {
      EXPECT_TRUE(s.IsInvalidArgument()) << n << ": " << s.ToString();
    }
    // The snappy-compressed body truncated anywhere is refused.
    std::string body = Snappy(wire);
    PushRequest got2;
    EXPECT_FALSE(DecodeProtobufPush(body.substr(0, n * body.size() / wire.size()), &got2).ok())
        << n;
  }
  EXPECT_EQ(ok_prefixes, 2u);  // the empty prefix and the one ending after stream 1
}

TEST(ProtobufPushTest, RejectsMalformedWireWithClearMessages) {
  struct Case {
    std::string name;
    std::string wire;
    std::string want;
  };
  std::string long_varint = "\x0a";
  long_varint.append(10, '\xff');
  long_varint.push_back('\x01');
  std::string bad_type_stream;
  PutProtoVarintField(&bad_type_stream, 1, 5);  // labels as a varint
  std::string wrong_type;
  PutProtoBytesField(&wrong_type, 1, bad_type_stream);
  std::string bad_ts;
  PutProtoBytesField(&bad_ts, 1, "\x0a\x01x");  // seconds as bytes
  std::string bad_entry_stream;
  PutProtoBytesField(&bad_entry_stream, 2, bad_ts);
  std::string ts_type;
  PutProtoBytesField(&ts_type, 1, bad_entry_stream);
  std::string huge_seconds_ts;
  PutProtoVarintField(&huge_seconds_ts, 1, uint64_t{1} << 62);
  std::string huge_entry;
  PutProtoBytesField(&huge_entry, 1, huge_seconds_ts);
  std::string huge_stream;
  PutProtoBytesField(&huge_stream, 2, huge_entry);
  std::string huge;
  PutProtoBytesField(&huge, 1, huge_stream);
  const Case cases[] = {
      {"truncated varint", std::string("\x0a\xff", 2), "truncated varint"},
      {"varint over 10 bytes", long_varint, "varint longer than 10 bytes"},
      {"length past end", std::string("\x0a\x05\x01", 3), "runs past the end"},
      {"group", std::string("\x0b", 1), "groups"},
      {"end group", std::string("\x0c", 1), "groups"},
      {"wire type 6", std::string("\x0e", 1), "invalid wire type 6"},
      {"field 0", std::string("\x02\x00", 2), "invalid field number 0"},
      {"truncated fixed32", std::string("\x15\x01\x02", 3), "truncated fixed-width"},
      {"truncated fixed64", std::string("\x11\x01\x02\x03", 4), "truncated fixed-width"},
      {"streams as varint", std::string("\x08\x01", 2), "expected a length-delimited"},
      {"labels as varint", wrong_type, "logproto.StreamAdapter"},
      {"seconds as bytes", ts_type, "google.protobuf.Timestamp"},
      {"timestamp overflow", huge, "outside the range"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    PushRequest got;
    Status s = DecodeLogprotoPush(c.wire, &got);
    ASSERT_FALSE(s.ok());
    EXPECT_TRUE(s.IsInvalidArgument());
    EXPECT_NE(s.message().find(c.want), std::string::npos) << s.message();
  }
}

// WireReader reads one-byte keys and varints inline, and varints of up to 10 bytes without
// per-byte bounds checks when 10 bytes remain; everything else goes the checked way. Both
// ways must agree: every value and length, with 0 to 12 bytes after it, and the error texts
// (with their byte offsets) when a length runs past the end, near the end or far from it.
TEST(ProtobufPushTest, WireReaderFastAndCheckedPathsAgree) {
  const uint64_t values[] = {
      0, 1, 127, 128, 16383, 16384, 1 << 21, uint64_t{1} << 35, uint64_t{1} << 63, UINT64_MAX};
  for (size_t pad = 0; pad <= 12; ++pad) {
    for (uint64_t v : values) {
      SCOPED_TRACE("value " + std::to_string(v) + " pad " + std::to_string(pad));
      std::string wire;
      PutProtoVarintField(&wire, 3, v);
      PutProtoVarintField(&wire, 300, v);  // a two-byte key
      wire.append(pad, '\x7f');            // not read
      WireReader r(wire, "test");
      uint32_t field;
      WireType type;
      uint64_t got = 0;
      ASSERT_TRUE(r.ReadKey(&field, &type).ok());
      EXPECT_EQ(field, 3u);
      ASSERT_TRUE(r.ReadVarint(type, &got).ok());
      EXPECT_EQ(got, v);
      ASSERT_TRUE(r.ReadKey(&field, &type).ok());
      EXPECT_EQ(field, 300u);
      ASSERT_TRUE(r.ReadVarint(type, &got).ok());
      EXPECT_EQ(got, v);
    }
    for (size_t len : {size_t{0}, size_t{1}, size_t{127}, size_t{128}, size_t{300}}) {
      SCOPED_TRACE("length " + std::to_string(len) + " pad " + std::to_string(pad));
      std::string wire;
      PutProtoBytesField(&wire, 2, std::string(len, 'x'));
      const size_t field_end = wire.size();
      wire.append(pad, '\x7f');
      WireReader r(wire, "test");
      uint32_t field;
      WireType type;
      std::string_view got;
      ASSERT_TRUE(r.ReadKey(&field, &type).ok());
      ASSERT_TRUE(r.ReadLengthDelimited(type, &got).ok());
      EXPECT_EQ(got, std::string(len, 'x'));
      EXPECT_EQ(got.data() + got.size(), wire.data() + field_end);
      // The same field claiming `pad + 1` more bytes than it has runs past the end.
      std::string bad;
      PutProtoKey(&bad, 2, WireType::kLengthDelimited);
      PutVarint64(&bad, len + pad + 1);
      const std::string at = "at byte " + std::to_string(bad.size());
      bad.append(len + pad, 'x');
      WireReader rb(bad, "test");
      ASSERT_TRUE(rb.ReadKey(&field, &type).ok());
      Status s = rb.ReadLengthDelimited(type, &got);
      ASSERT_FALSE(s.ok());
      EXPECT_NE(s.message().find("runs past the end"), std::string::npos) << s.message();
      EXPECT_NE(s.message().find(at), std::string::npos) << s.message();
    }
  }
  // An 11-byte varint is refused whether or not 10 more bytes follow it.
  for (size_t pad : {size_t{0}, size_t{20}}) {
    std::string wire = "\x08";
    wire.append(10, '\xff');
    wire.push_back('\x01');
    wire.append(pad, '\x01');
    WireReader r(wire, "test");
    uint32_t field;
    WireType type;
    uint64_t got;
    ASSERT_TRUE(r.ReadKey(&field, &type).ok());
    Status s = r.ReadVarint(type, &got);
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.message().find("varint longer than 10 bytes at byte 1"), std::string::npos)
        << s.message();
  }
}

TEST(ProtobufPushTest, RejectsBadSnappy) {
  const std::string bodies[] = {
      "",
      "not snappy at all",
      std::string("\xff\xff\xff\xff\xff\xff", 6),
      // valid length (5) but a corrupt literal tag
      std::string("\x05\xff\x00\x00", 4),
      // framed snappy stream identifier, which is not the block format
      std::string("\xff\x06\x00\x00sNaPpY", 10),
  };
  for (const std::string& b : bodies) {
    SCOPED_TRACE(b);
    PushRequest got;
    Status s = DecodeProtobufPush(b, &got);
    EXPECT_FALSE(s.ok());
    EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
    EXPECT_NE(s.message().find("snappy"), std::string::npos) << s.message();
  }
}

TEST(ProtobufPushTest, RefusesBodiesOverTheUncompressedLimitBeforeDecompressing) {
  std::string wire = EncodeLogprotoPush(SampleRequest());
  std::string body = Snappy(wire);
  PushRequest got;
  Status s = DecodeProtobufPush(body, &got, wire.size() - 1);
  EXPECT_EQ(s.code(), StatusCode::kResourceExhausted);
  EXPECT_TRUE(DecodeProtobufPush(body, &got, wire.size()).ok());
  // A header that claims 3 GiB is refused without allocating it.
  std::string liar;
  PutVarint64(&liar, uint64_t{3} << 30);
  liar.append("\x00", 1);
  EXPECT_EQ(DecodeProtobufPush(liar, &got).code(), StatusCode::kResourceExhausted);
}

TEST(ProtobufPushTest, RefusesMoreItemsThanTheLimit) {
  // SampleRequest: 2 streams, 3 entries, 3 metadata pairs = 8 items.
  std::string wire = EncodeLogprotoPush(SampleRequest());
  PushRequest got;
  EXPECT_TRUE(DecodeLogprotoPush(wire, &got, 8).ok());
  Status s = DecodeLogprotoPush(wire, &got, 7);
  EXPECT_EQ(s.code(), StatusCode::kResourceExhausted);
  EXPECT_NE(s.message().find("more than 7 streams, entries and structured metadata pairs"),
            std::string::npos)
      << s.message();
  // A 1 MiB body of empty entries (2 bytes each) stops at the limit.
  std::string entries;
  for (int i = 0; i < (1 << 19); ++i) entries.append("\x12\x00", 2);
  std::string stream;
  PutProtoBytesField(&stream, 1, "{a=\"b\"}");
  stream.append(entries);
  std::string bomb;
  PutProtoBytesField(&bomb, 1, stream);
  EXPECT_EQ(DecodeProtobufPush(Snappy(bomb), &got, kDefaultMaxUncompressedPush, 1000).code(),
            StatusCode::kResourceExhausted);
  EXPECT_TRUE(DecodeProtobufPush(Snappy(bomb), &got).ok());
  EXPECT_EQ(got.EntryCount(), size_t{1} << 19);
}

TEST(ProtobufPushTest, DecodesATenMegabyteLine) {
  PushRequest want;
  PushStream& s = want.streams.emplace_back();
  s.labels = "{a=\"b\"}";
  std::string line(10 << 20, 'x');
  s.entries.push_back({42, line, {}});
  PushRequest got;
  ASSERT_TRUE(DecodeProtobufPush(Snappy(EncodeLogprotoPush(want)), &got).ok());
  ASSERT_EQ(got.streams.size(), 1u);
  EXPECT_EQ(got.streams[0].entries[0].line.size(), line.size());
}

TEST(ProtobufPushTest, DecodesTenThousandLabelsAndMetadataPairs) {
  std::string labels = "{";
  std::vector<std::string> names;
  for (int i = 0; i < 10000; ++i) {
    if (i > 0) labels += ", ";
    labels += "l" + std::to_string(i) + "=\"v\"";
    names.push_back("m" + std::to_string(i));
  }
  labels += "}";
  PushRequest want;
  PushStream& s = want.streams.emplace_back();
  s.labels = labels;
  PushEntry& e = s.entries.emplace_back();
  e.ts_ns = 1;
  e.line = "l";
  for (const std::string& n : names) e.metadata.emplace_back(n, "v");
  PushRequest got;
  ASSERT_TRUE(DecodeProtobufPush(Snappy(EncodeLogprotoPush(want)), &got).ok());
  EXPECT_EQ(got.streams[0].labels, labels);
  EXPECT_EQ(got.streams[0].entries[0].metadata.size(), 10000u);
}

}  // namespace
}  // namespace sawmill::ingest
