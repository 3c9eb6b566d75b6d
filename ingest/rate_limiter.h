// RateLimiter: one token bucket (token_bucket.h) per tenant, for the ingestion rate limit.
// The tenant's rate and burst are passed with each request, so a reloaded override takes
// effect on the tenant's next push; a tenant without a rate limit keeps no state.
//
// Thread-safety: all methods may be called concurrently (one mutex, held for a hash lookup
// and a few arithmetic operations).
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "ingest/token_bucket.h"

namespace sawmill::ingest {

class RateLimiter {
 public:
  // Whether `tenant` may ingest `bytes` now, taking them from its bucket if so. rate <= 0
  // means no limit (always true). rate and burst are in bytes per second and bytes.
  bool Allow(std::string_view tenant, double rate, double burst, double bytes, int64_t now_ns);

 private:
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };
  std::mutex mu_;
  std::unordered_map<std::string, TokenBucket, StringHash, std::equal_to<>> buckets_;
};

}  // namespace sawmill::ingest
