#include "ingest/rate_limiter.h"

namespace sawmill::ingest {

bool RateLimiter::Allow(std::string_view tenant, double rate, double burst, double bytes,
                        int64_t now_ns) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = buckets_.find(tenant);
  if (rate <= 0) {
    if (it != buckets_.end()) buckets_.erase(it);  // the limit was lifted
    return true;
  }
  if (it == buckets_.end()) {
    it = buckets_.emplace(std::string(tenant), TokenBucket(rate, burst, now_ns)).first;
  } else if (it->second.rate() != rate || it->second.burst() != burst) {
    it->second.SetLimits(rate, burst, now_ns);
  }
  return it->second.AllowN(now_ns, bytes);
}

}  // namespace sawmill::ingest
