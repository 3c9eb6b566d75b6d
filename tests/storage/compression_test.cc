#include "storage/compression.h"

#include <gtest/gtest.h>
#include <snappy.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "storage/snappy_decompress.h"

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
  // A header that agrees with the expected size, but on an input far too short to hold that
  // much (a damaged head record's size and block both saying 1 GiB): refused too, for each
  // encoding, as no encoding expands that much.
  for (Encoding e : {Encoding::kSnappy, Encoding::kLz4, Encoding::kZstd}) {
    EXPECT_TRUE(Decompress(e, snappy_claims_1g, size_t{1} << 30, &out).IsCorruption());
    EXPECT_TRUE(out.capacity() < 2000);
  }
  // The most compressible input (zeros) still decompresses with every encoding.
  const std::string zeros(1 << 20, '\0');
  for (Encoding e : {Encoding::kSnappy, Encoding::kLz4, Encoding::kZstd}) {
    std::string packed;
    ASSERT_TRUE(Compress(e, zeros, &packed).ok());
    ASSERT_TRUE(Decompress(e, packed, zeros.size(), &out).ok()) << EncodingName(e);
    EXPECT_EQ(out, zeros);
  }
}

// storage/snappy_decompress.h against libsnappy: the same verdict on every input, and the
// same bytes when both accept it. The output buffer has exactly the claimed size, so the
// ASan build catches a write past it.
void ExpectSameAsLibsnappy(std::string_view input, const std::string& what) {
  SCOPED_TRACE(what);
  size_t ours_len = 0, theirs_len = 0;
  const bool ours_header = SnappyUncompressedLength(input, &ours_len);
  const bool theirs_header = snappy::GetUncompressedLength(input.data(), input.size(), &theirs_len);
  ASSERT_EQ(ours_header, theirs_header);
  if (!ours_header) return;
  ASSERT_EQ(ours_len, theirs_len);
  if (ours_len > (size_t{1} << 24)) return;
  std::vector<char> ours(ours_len), theirs(ours_len);
  const bool ours_ok = SnappyDecompress(input, ours.data(), ours_len);
  const bool theirs_ok = snappy::RawUncompress(input.data(), input.size(), theirs.data());
  ASSERT_EQ(ours_ok, theirs_ok);
  if (ours_ok) {
    EXPECT_EQ(ours, theirs);
  }
  // A size other than the header's is refused.
  std::vector<char> other(ours_len + 1);
  EXPECT_FALSE(SnappyDecompress(input, other.data(), ours_len + 1));
}

std::string SnappyOf(std::string_view text) {
  std::string out;
  snappy::Compress(text.data(), text.size(), &out);
  return out;
}

TEST(CompressionTest, SnappyDecoderRoundTripsWhatLibsnappyWrites) {
  std::mt19937 rng(11);
  std::vector<std::pair<std::string, std::string>> inputs;  // name, text
  inputs.push_back({"log text 256 KiB", SampleText(256 * 1024)});
  inputs.push_back({"log text 70000", SampleText(70000)});
  for (size_t n = 0; n < 300; n += 7)
    inputs.push_back({"log text " + std::to_string(n), SampleText(n)});
  // Runs and short periods: copies whose offset is below their length (pattern copies).
  for (size_t period = 1; period <= 40; ++period) {
    std::string s;
    for (size_t i = 0; i < 3000; ++i) s += static_cast<char>('a' + (i % period) % 26);
    inputs.push_back({"period " + std::to_string(period), s});
  }
  // Random bytes (literals of every length), and text with random stretches in it.
  for (size_t n :
       {size_t{1}, size_t{59}, size_t{60}, size_t{61}, size_t{64}, size_t{65}, size_t{255},
        size_t{256}, size_t{257}, size_t{65535}, size_t{65536}, size_t{70000}, size_t{200000}}) {
    std::string s(n, '\0');
    for (char& c : s) c = static_cast<char>(rng());
    inputs.push_back({"random " + std::to_string(n), s});
  }
  for (int k = 0; k < 50; ++k) {
    std::string s = SampleText(rng() % 5000);
    for (size_t i = 0; i < s.size(); i += 1 + rng() % 300) {
      for (size_t j = i; j < s.size() && j < i + rng() % 100; ++j) s[j] = static_cast<char>(rng());
    }
    inputs.push_back({"mixed " + std::to_string(k), s});
  }
  for (const auto& [name, text] : inputs) {
    const std::string compressed = SnappyOf(text);
    std::vector<char> out(text.size());
    ASSERT_TRUE(SnappyDecompress(compressed, out.data(), out.size())) << name;
    EXPECT_EQ(std::string_view(out.data(), out.size()), text) << name;
    ExpectSameAsLibsnappy(compressed, name);
  }
}

TEST(CompressionTest, SnappyDecoderRefusesWhatLibsnappyRefuses) {
  using namespace std::string_literals;
  const std::vector<std::pair<std::string, std::string>> streams = {
      {"empty input", ""},
      {"empty output", "\x00"s},
      {"trailing byte after empty output", "\x00\x00"s},
      {"header too long", "\x80\x80\x80\x80\x80\x01"s},
      {"fifth header byte too big", "\xff\xff\xff\xff\x10"s},
      {"largest header", "\xff\xff\xff\xff\x0f"s},
      {"unterminated header", "\x80"s},
      {"literal",
       "\x03\x08"
       "abc"s},
      {"literal past the input",
       "\x03\x08"
       "ab"s},
      {"literal past the output",
       "\x02\x08"
       "abc"s},
      {"output short",
       "\x04\x08"
       "abc"s},
      {"literal with 1 length byte",
       "\x03\xf0\x02"
       "abc"s},
      {"literal with 2 length bytes",
       "\x03\xf4\x02\x00"
       "abc"s},
      {"literal with 3 length bytes",
       "\x03\xf8\x02\x00\x00"
       "abc"s},
      {"literal with 4 length bytes",
       "\x03\xfc\x02\x00\x00\x00"
       "abc"s},
      {"literal length bytes cut", "\x03\xfc\x02\x00"s},
      {"literal of 2^32 bytes (wraps to empty)",
       "\x03\xfc\xff\xff\xff\xff\x08"
       "abc"s},
      {"copy1",
       "\x07\x08"
       "abc\x01\x03"s},
      {"copy1 offset 0",
       "\x07\x08"
       "abc\x01\x00"s},
      {"copy1 offset past the start",
       "\x07\x08"
       "abc\x01\x04"s},
      {"copy1 cut",
       "\x07\x08"
       "abc\x01"s},
      {"copy1 past the output",
       "\x06\x08"
       "abc\x01\x03"s},
      {"copy2",
       "\x07\x08"
       "abc\x0e\x02\x00"s},
      {"copy2 offset 0",
       "\x07\x08"
       "abc\x0a\x00\x00"s},
      {"copy2 cut",
       "\x07\x08"
       "abc\x0a\x01"s},
      {"copy4",
       "\x07\x08"
       "abc\x0f\x02\x00\x00\x00"s},
      {"copy4 offset 0",
       "\x07\x08"
       "abc\x0b\x00\x00\x00\x00"s},
      {"copy4 huge offset",
       "\x07\x08"
       "abc\x0b\xff\xff\xff\xff"s},
      {"copy4 cut",
       "\x07\x08"
       "abc\x0b\x02\x00\x00"s},
      {"copy first", "\x04\x01\x01"s},
  };
  // The streams libsnappy accepts (checked against it above; listed so that a decoder
  // refusing everything could not pass).
  const std::vector<std::string> valid = {"empty output",
                                          "literal",
                                          "literal with 1 length byte",
                                          "literal with 2 length bytes",
                                          "literal with 3 length bytes",
                                          "literal with 4 length bytes",
                                          "literal of 2^32 bytes (wraps to empty)",
                                          "copy1",
                                          "copy2",
                                          "copy4"};
  for (const auto& [name, stream] : streams) {
    ExpectSameAsLibsnappy(stream, name);
    size_t n = 0;
    std::vector<char> out(SnappyUncompressedLength(stream, &n) && n < 100 ? n : 0);
    const bool ok = n < 100 && SnappyDecompress(stream, out.data(), n);
    EXPECT_EQ(ok, std::find(valid.begin(), valid.end(), name) != valid.end()) << name;
    const std::string decoded(out.begin(), out.end());
    if (name == "copy1") {
      EXPECT_EQ(decoded, "abcabca");
    }
    if (name == "copy2" || name == "copy4") {
      EXPECT_EQ(decoded, "abcbcbc");
    }
  }
  // The fast loop's checks: the same faults placed after 200 bytes of output, in a block
  // claiming 600 bytes and followed by 100 more bytes of input, so the decoder is still in
  // its fast loop when it meets them.
  const std::string lead = "\xd8\x04\xc4" + std::string(50, 'x') + "\xc4" + std::string(50, 'y') +
                           "\xc4" + std::string(50, 'z') + "\xc4" + std::string(50, 'w');
  std::string tail(100, '\0');
  const std::vector<std::pair<std::string, std::string>> faults = {
      {"copy1 offset 0", "\x01\x00"s},
      {"copy2 offset 0", "\x02\x00\x00"s},
      {"copy2 offset 201", "\x02\xc9\x00"s},
      {"copy2 offset 200", "\x02\xc8\x00"s},
      {"copy4 offset 0", "\x03\x00\x00\x00\x00"s},
      {"long literal past the output", "\xf0\xff"s},
      {"copy past the output", "\xfe\x01\x00"s},
  };
  for (const auto& [name, fault] : faults) {
    ExpectSameAsLibsnappy(lead + fault + tail, "fast: " + name);
  }
}

TEST(CompressionTest, SnappyDecoderAgreesWithLibsnappyOnDamagedBlocks) {
  std::mt19937 rng(5);
  const std::string text = SampleText(20000);
  const std::string good = SnappyOf(text);
  for (int i = 0; i < 3000; ++i) {
    std::string bad = good;
    const int flips = 1 + static_cast<int>(rng() % 4);
    for (int f = 0; f < flips; ++f) {
      // Mostly past the header, so most damaged blocks still claim 20000 bytes.
      const size_t at = (rng() % 8 == 0 ? 0 : 3) + rng() % (bad.size() - 3);
      bad[at] = static_cast<char>(rng());
    }
    if (rng() % 10 == 0) bad.resize(rng() % bad.size());
    ExpectSameAsLibsnappy(bad, "damaged " + std::to_string(i));
    if (HasFatalFailure()) return;
  }
}

TEST(CompressionTest, RejectsBadZstdLevel) {
  std::string out;
  EXPECT_TRUE(Compress(Encoding::kZstd, "abc", &out, 1000).IsInvalidArgument());
  EXPECT_TRUE(Compress(static_cast<Encoding>(9), "abc", &out).IsInvalidArgument());
}

}  // namespace
}  // namespace sawmill::storage
