#include "ingest/token_bucket.h"

#include <algorithm>

namespace sawmill::ingest {

TokenBucket::TokenBucket(double rate, double burst, int64_t now_ns)
    : rate_(rate), burst_(burst), tokens_(burst), last_ns_(now_ns) {}

double TokenBucket::Tokens(int64_t now_ns) const {
  // A clock that steps back earns nothing (and takes nothing back).
  const int64_t elapsed = std::max<int64_t>(0, now_ns - last_ns_);
  return std::min(burst_, tokens_ + static_cast<double>(elapsed) * rate_ / 1e9);
}

void TokenBucket::Advance(int64_t now_ns) {
  tokens_ = Tokens(now_ns);
  last_ns_ = std::max(last_ns_, now_ns);
}

bool TokenBucket::AllowN(int64_t now_ns, double n) {
  Advance(now_ns);
  if (n > tokens_) return false;
  tokens_ -= n;
  return true;
}

void TokenBucket::SetLimits(double rate, double burst, int64_t now_ns) {
  Advance(now_ns);
  rate_ = rate;
  burst_ = burst;
  tokens_ = std::min(tokens_, burst_);
}

}  // namespace sawmill::ingest
