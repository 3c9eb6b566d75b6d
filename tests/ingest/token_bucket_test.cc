#include "ingest/token_bucket.h"

#include <gtest/gtest.h>

#include "ingest/rate_limiter.h"

namespace sawmill::ingest {
namespace {

constexpr int64_t kSecond = 1'000'000'000;

TEST(TokenBucketTest, StartsFullAndRefillsAtTheRate) {
  TokenBucket b(/*rate=*/100, /*burst=*/300, /*now_ns=*/0);
  EXPECT_TRUE(b.AllowN(0, 300));
  EXPECT_FALSE(b.AllowN(0, 1));
  EXPECT_FALSE(b.AllowN(kSecond / 2, 51));  // 50 tokens back after half a second
  EXPECT_TRUE(b.AllowN(kSecond / 2, 50));
  EXPECT_DOUBLE_EQ(b.Tokens(kSecond / 2), 0);
  EXPECT_DOUBLE_EQ(b.Tokens(10 * kSecond), 300);  // never more than the burst
}

TEST(TokenBucketTest, RefusedRequestTakesNothing) {
  TokenBucket b(10, 100, 0);
  EXPECT_FALSE(b.AllowN(0, 101));  // larger than the burst: never allowed
  EXPECT_TRUE(b.AllowN(0, 100));   // the refused request took nothing
}

TEST(TokenBucketTest, ClockGoingBackEarnsNothing) {
  TokenBucket b(10, 100, 10 * kSecond);
  EXPECT_TRUE(b.AllowN(10 * kSecond, 100));
  EXPECT_FALSE(b.AllowN(5 * kSecond, 1));
  EXPECT_FALSE(b.AllowN(10 * kSecond, 1));
  EXPECT_TRUE(b.AllowN(11 * kSecond, 10));
}

TEST(TokenBucketTest, SetLimitsKeepsEarnedTokensUpToTheNewBurst) {
  TokenBucket b(10, 100, 0);
  EXPECT_TRUE(b.AllowN(0, 100));
  b.SetLimits(1000, 50, kSecond);  // 10 earned at the old rate by now
  EXPECT_DOUBLE_EQ(b.Tokens(kSecond), 10);
  EXPECT_DOUBLE_EQ(b.Tokens(kSecond + kSecond / 10), 50);  // capped at the new burst
  b.SetLimits(1000, 5, 2 * kSecond);
  EXPECT_DOUBLE_EQ(b.Tokens(2 * kSecond), 5);
}

TEST(RateLimiterTest, OneBucketPerTenant) {
  RateLimiter r;
  EXPECT_TRUE(r.Allow("a", 10, 100, 100, 0));
  EXPECT_FALSE(r.Allow("a", 10, 100, 1, 0));
  EXPECT_TRUE(r.Allow("b", 10, 100, 100, 0));
  EXPECT_TRUE(r.Allow("a", 10, 100, 10, kSecond));
}

TEST(RateLimiterTest, NoRateMeansNoLimitAndChangesApplyAtOnce) {
  RateLimiter r;
  EXPECT_TRUE(r.Allow("a", 0, 0, 1e12, 0));
  EXPECT_TRUE(r.Allow("a", 10, 100, 100, 0));
  EXPECT_FALSE(r.Allow("a", 10, 100, 50, 0));
  EXPECT_TRUE(r.Allow("a", 0, 0, 1e12, 0));    // limit lifted
  EXPECT_TRUE(r.Allow("a", 10, 100, 100, 0));  // back: a fresh, full bucket
  EXPECT_FALSE(r.Allow("a", 10, 100, 1, kSecond / 20));
  // Raised at 0.1 s, with the 1 token earned at the old rate; 50 more by 0.15 s.
  EXPECT_TRUE(r.Allow("a", 1000, 1000, 1, kSecond / 10));
  EXPECT_TRUE(r.Allow("a", 1000, 1000, 50, kSecond / 10 + kSecond / 20));
}

}  // namespace
}  // namespace sawmill::ingest
