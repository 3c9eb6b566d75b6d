#include "storage/compression.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace sawmill::storage {
namespace {

constexpr Encoding kEncodings[] = {Encoding::kNone, Encoding::kSnappy, Encoding::kZstd,
                                   Encoding::kLz4};

std::string SampleText(size_t n) {
  std::string s;
  std::mt19937 rng(7);
  while (s.size() < n) {
    s += "2024-05-01T12:00:0" + std::to_string(rng() % 10) + "Z level=info msg=\"request done\" " +
         "status=" + std::to_string(200 + rng() % 5) +
         " latency_ms=" + std::to_string(rng() % 1000) + "\n";
  }
  s.resize(n);
  return s;
}

TEST(CompressionTest, NamesRoundTrip) {
  for (Encoding e : kEncodings) {
    SCOPED_TRACE(EncodingName(e));
    Result<Encoding> parsed = ParseEncoding(EncodingName(e));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, e);
  }
  EXPECT_EQ(EncodingName(Encoding::kSnappy), "snappy");
  EXPECT_TRUE(ParseEncoding("gzip").status().IsInvalidArgument());
  EXPECT_TRUE(ParseEncoding("").status().IsInvalidArgument());
}

TEST(CompressionTest, RoundTripsEveryEncoding) {
  for (Encoding e : kEncodings) {
    for (size_t n : {size_t{0}, size_t{1}, size_t{100}, size_t{70000}, size_t{300000}}) {
      SCOPED_TRACE(std::string(EncodingName(e)) + " " + std::to_string(n));
      const std::string input = SampleText(n);
      std::string compressed = "prefix";
      ASSERT_TRUE(Compress(e, input, &compressed, 3).ok());
      ASSERT_EQ(compressed.substr(0, 6), "prefix");  // appends
      std::string_view body = std::string_view(compressed).substr(6);
      std::string out = "junk";
      Status s = Decompress(e, body, input.size(), &out);
      ASSERT_TRUE(s.ok()) << s.ToString();
      EXPECT_EQ(out, input);
      std::string buf(n, '\0');
      ASSERT_TRUE(DecompressTo(e, body, buf.data(), n).ok());
      EXPECT_EQ(buf, input);
    }
  }
}

TEST(CompressionTest, CompressesLogText) {
  const std::string input = SampleText(256 * 1024);
  for (Encoding e : {Encoding::kSnappy, Encoding::kZstd, Encoding::kLz4}) {
    std::string out;
    ASSERT_TRUE(Compress(e, input, &out).ok());
    EXPECT_LT(out.size(), input.size() / 2) << EncodingName(e);
  }
}

TEST(CompressionTest, WrongExpectedSizeIsCorruption) {
  const std::string input = SampleText(5000);
  for (Encoding e : kEncodings) {
    SCOPED_TRACE(EncodingName(e));
    std::string compressed;
    ASSERT_TRUE(Compress(e, input, &compressed).ok());
    std::string out;
    EXPECT_TRUE(Decompress(e, compressed, input.size() - 1, &out).IsCorruption());
    EXPECT_TRUE(out.empty());
    EXPECT_TRUE(Decompress(e, compressed, input.size() + 1, &out).IsCorruption());
    std::string buf(input.size() + 1, '\0');
    EXPECT_TRUE(DecompressTo(e, compressed, buf.data(), input.size() - 1).IsCorruption());
    EXPECT_TRUE(DecompressTo(e, compressed, buf.data(), input.size() + 1).IsCorruption());
  }
}

TEST(CompressionTest, GarbageIsCorruptionNotACrash) {
  std::mt19937 rng(3);
  for (Encoding e : {Encoding::kSnappy, Encoding::kZstd, Encoding::kLz4}) {
    for (int i = 0; i < 300; ++i) {
      std::string garbage(rng() % 200, '\0');
      for (char& c : garbage) c = static_cast<char>(rng());
      std::string out;
      Status s = Decompress(e, garbage, rng() % 1000, &out);
      if (!s.ok()) {
        EXPECT_TRUE(s.IsCorruption()) << s.ToString();
      }
    }
  }
}

TEST(CompressionTest, SizeClaimsAreCheckedBeforeAllocating) {
  // A snappy or zstd header claiming a size other than the expected one is rejected before
  // the output is allocated; kNone compares the input size.
  std::string snappy_claims_1g = "\x80\x80\x80\x80\x04";  // varint 1 GiB, no data
  std::string out;
  EXPECT_TRUE(Decompress(Encoding::kSnappy, snappy_claims_1g, 100, &out).IsCorruption());
  EXPECT_EQ(out.capacity() < 1000, true);
  std::string zstd;
  ASSERT_TRUE(Compress(Encoding::kZstd, SampleText(1000), &zstd).ok());
  EXPECT_TRUE(Decompress(Encoding::kZstd, zstd, size_t{1} << 30, &out).IsCorruption());
  EXPECT_TRUE(out.capacity() < 2000);
  EXPECT_TRUE(Decompress(Encoding::kNone, "abc", size_t{1} << 30, &out).IsCorruption());
  EXPECT_TRUE(out.capacity() < 2000);
}

TEST(CompressionTest, RejectsBadZstdLevel) {
  std::string out;
  EXPECT_TRUE(Compress(Encoding::kZstd, "abc", &out, 1000).IsInvalidArgument());
  EXPECT_TRUE(Compress(static_cast<Encoding>(9), "abc", &out).IsInvalidArgument());
}

}  // namespace
}  // namespace sawmill::storage
