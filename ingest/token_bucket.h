// TokenBucket: the rate limiter behind ingestion_rate_mb / ingestion_burst_size_mb, with the
// semantics of Go's golang.org/x/time/rate.Limiter.AllowN that Loki uses: the bucket holds up
// to `burst` tokens, refills at `rate` tokens per second, starts full, and a request for n
// tokens either takes them all or takes nothing (so a request larger than the burst is never
// allowed). Time is passed in (nanoseconds of a monotonic clock), so tests inject it.
//
// Thread-safety: none; the caller serialises (rate_limiter.h).
#pragma once

#include <cstdint>

namespace sawmill::ingest {

class TokenBucket {
 public:
  // REQUIRES: rate > 0, burst >= 0.
  TokenBucket(double rate, double burst, int64_t now_ns);

  // Takes n tokens if the bucket holds them at now_ns; otherwise takes none.
  bool AllowN(int64_t now_ns, double n);

  // Changes rate and burst from now_ns on (as rate.Limiter.SetLimit/SetBurst): the tokens
  // earned so far at the old rate are kept, capped at the new burst.
  void SetLimits(double rate, double burst, int64_t now_ns);

  // Tokens available at now_ns.
  double Tokens(int64_t now_ns) const;

  double rate() const { return rate_; }
  double burst() const { return burst_; }

 private:
  void Advance(int64_t now_ns);

  double rate_;
  double burst_;
  double tokens_;
  int64_t last_ns_;
};

}  // namespace sawmill::ingest
