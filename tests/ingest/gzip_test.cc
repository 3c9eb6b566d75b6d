#include "ingest/gzip.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <string>

namespace sawmill::ingest {
namespace {

// window_bits: 15 + 16 gzip, 15 zlib, -15 raw DEFLATE.
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

std::string Gzip(std::string_view in) { return Compress(in, 15 + 16); }

TEST(GzipTest, RoundTrips) {
  for (std::string in : {std::string(), std::string("hello"), std::string(1 << 20, 'a')}) {
    std::string out;
    Status s = Gunzip(Gzip(in), 8 << 20, &out);
    ASSERT_TRUE(s.ok()) << s.ToString();
    EXPECT_EQ(out, in);
  }
}

TEST(GzipTest, DecodesConcatenatedMembers) {
  std::string out;
  ASSERT_TRUE(Gunzip(Gzip("abc") + Gzip("def"), 100, &out).ok());
  EXPECT_EQ(out, "abcdef");
}

TEST(GzipTest, StopsAtTheLimitOfABomb) {
  std::string bomb = Gzip(std::string(64 << 20, '\0'));  // ~64 KB of gzip
  std::string out;
  Status s = Gunzip(bomb, 1 << 20, &out);
  EXPECT_EQ(s.code(), StatusCode::kResourceExhausted);
  EXPECT_TRUE(out.empty());
  EXPECT_LE(out.capacity(), (size_t{2} << 20) + 64);
  // Exactly at the limit is fine.
  ASSERT_TRUE(Gunzip(Gzip(std::string(1000, 'x')), 1000, &out).ok());
  EXPECT_EQ(out.size(), 1000u);
  EXPECT_EQ(Gunzip(Gzip(std::string(1001, 'x')), 1000, &out).code(),
            StatusCode::kResourceExhausted);
}

TEST(GzipTest, RejectsCorruptAndTruncatedInput) {
  std::string good = Gzip("some text that compresses somewhat somewhat somewhat");
  std::string bad_crc = good;
  bad_crc[bad_crc.size() - 6] ^= 1;
  std::string bad_data = good;
  bad_data[12] ^= 0x55;
  for (const std::string& in :
       {std::string(), std::string("not gzip"), bad_crc, bad_data, good + "trailing garbage"}) {
    std::string out;
    Status s = Gunzip(in, 1 << 20, &out);
    EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  }
  for (size_t n = 0; n < good.size(); ++n) {
    std::string out;
    Status s = Gunzip(good.substr(0, n), 1 << 20, &out);
    EXPECT_TRUE(s.IsInvalidArgument()) << n << ": " << s.ToString();
  }
}

TEST(GzipTest, InflatesRawAndZlibDeflate) {
  const std::string text = "deflate body " + std::string(5000, 'z') + " end";
  for (int bits : {-15, 15}) {
    SCOPED_TRACE(bits);
    std::string compressed = Compress(text, bits);
    std::string out;
    Status s = Inflate(compressed, 1 << 20, &out);
    ASSERT_TRUE(s.ok()) << s.ToString();
    EXPECT_EQ(out, text);
    EXPECT_EQ(Inflate(compressed, 100, &out).code(), StatusCode::kResourceExhausted);
    for (size_t n = 0; n < compressed.size(); ++n) {
      EXPECT_TRUE(Inflate(compressed.substr(0, n), 1 << 20, &out).IsInvalidArgument()) << n;
    }
    EXPECT_TRUE(Inflate(compressed + "x", 1 << 20, &out).IsInvalidArgument());
  }
  std::string out;
  EXPECT_TRUE(Inflate(Gzip(text), 1 << 20, &out).IsInvalidArgument());  // gzip is not deflate
  std::string bad_adler = Compress(text, 15);
  bad_adler.back() ^= 1;
  EXPECT_TRUE(Inflate(bad_adler, 1 << 20, &out).IsInvalidArgument());
}

}  // namespace
}  // namespace sawmill::ingest
