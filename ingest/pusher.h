// Pusher: takes a decoded push (push_request.h) for one tenant, validates it as Loki's
// distributor does, applies the tenant's ingestion rate and active-stream limits, resolves
// each stream's labels to a stream id in the label index, and writes the entries to the
// store. One bad stream or entry never loses the good ones: the valid entries are stored and
// the outcome lists what was refused and why.
//
// The order is Loki's: validation first; then the rate limit over the bytes of the valid
// lines (over it, the whole push is refused and nothing is stored or indexed); then the
// active-stream limit, which refuses only the streams that would be new (an existing active
// stream's entries are still stored); then index and store.
//
// A stream's label string is parsed once and its id asked of the index once per day bucket
// (stream_cache.h); later pushes of the stream look both up in one hash table.
//
// Thread-safety: Push() may be called concurrently (the index, the store and the limits are
// thread-safe). Concurrent pushes of one tenant reserve the new streams they are about to
// create, so together they stay within the active-stream limit. Far from the limit (active +
// reserved + the push's streams <= limit) a push reserves all its streams without looking
// each up; near it, each stream is looked up and only new ones are reserved. A push in flight
// may thus hold more reservations than it creates: near the limit, a concurrent push can be
// refused a stream it would have been allowed a moment later (it gets 429 and retries).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "index/label_index.h"
#include "ingest/limits.h"
#include "ingest/overrides.h"
#include "ingest/push_listener.h"
#include "ingest/push_request.h"
#include "ingest/rate_limiter.h"
#include "ingest/stream_cache.h"
#include "storage/store.h"

namespace sawmill::ingest {

// Entries a push refused for one reason, named as Loki's loki_discarded_samples_total reasons
// (rate_limited, stream_limit, line_too_long, greater_than_max_sample_age, too_far_in_future,
// too_far_behind, invalid_labels, missing_labels, max_label_names_per_series,
// label_name_too_long, label_value_too_long).
struct Discarded {
  std::string_view reason;  // a static string
  size_t entries = 0;
  size_t bytes = 0;  // line bytes
};

struct PushOutcome {
  size_t accepted_entries = 0;
  size_t accepted_bytes = 0;
  size_t refused_entries = 0;
  // Entries and line bytes that passed validation (before the rate and stream limits): what
  // Loki counts in loki_distributor_{lines,bytes}_received_total.
  size_t received_entries = 0;
  size_t received_bytes = 0;
  std::vector<Discarded> discarded;  // one per reason that refused something
  // One line per refusal, in Loki's wording; empty when everything was stored.
  std::vector<std::string> errors;
  // A limit refused the push (rate limit: all of it) or some of its streams (stream limit):
  // the answer is 429, not 400, so that clients retry later.
  bool too_many_requests = false;
  bool rate_limited = false;  // the whole push was refused by the rate limit
};

class Pusher {
 public:
  // A monotonic clock in nanoseconds, for the rate limit; tests inject their own.
  using Clock = std::function<int64_t()>;

  // `store`, `index` and `overrides` must outlive the pusher.
  Pusher(storage::Store* store, index::LabelIndex* index, const Overrides* overrides,
         Clock clock = nullptr);

  // Returns a non-OK Status only when nothing could be stored because of the server (a
  // store or index failure); refusals of the client's data are in *outcome.
  // `now` is the server's clock, for the old/new sample checks.
  Status Push(std::string_view tenant, const PushRequest& request,
              std::chrono::system_clock::time_point now, PushOutcome* outcome);

  // Tells `listener` (null: nobody) about every push's stored entries from now on; it must
  // outlive the pusher. REQUIRES: no Push() is running.
  void set_listener(PushListener* listener) { listener_ = listener; }

 private:
  struct Candidate;

  // Applies the active-stream limit to `candidates`: clears `admitted` of the new streams
  // past the limit and reserves the admitted new ones in reserved_ (released by the caller
  // with Release()). Returns the number of new streams reserved.
  size_t AdmitStreams(std::string_view tenant, size_t limit, std::vector<Candidate>* candidates,
                      PushOutcome* outcome);
  void Release(std::string_view tenant, size_t reserved);
  // Hands the stored entries of a push to listener_.
  void NotifyListener(std::string_view tenant, const std::vector<Candidate>& candidates,
                      const std::vector<storage::StreamWrite>& writes,
                      const storage::WriteResult& result);

  storage::Store* store_;
  index::LabelIndex* index_;
  const Overrides* overrides_;
  Clock clock_;
  RateLimiter rate_limiter_;
  StreamCache stream_cache_;  // label strings already parsed, and their stream ids
  PushListener* listener_ = nullptr;

  std::mutex reserve_mu_;
  // New streams being created by pushes in flight, per tenant: counted with the store's
  // active streams until the store has them.
  std::unordered_map<std::string, size_t> reserved_;
};

}  // namespace sawmill::ingest
