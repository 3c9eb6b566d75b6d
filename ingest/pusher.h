// Pusher: takes a decoded push (push_request.h) for one tenant, validates it as Loki's
// distributor does, resolves each stream's labels to a stream id in the label index, and
// writes the entries to the store. One bad stream or entry never loses the good ones: the
// valid entries are stored and the outcome lists what was refused and why.
//
// Thread-safety: Push() may be called concurrently (the index and the store are).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "index/label_index.h"
#include "ingest/push_request.h"
#include "storage/store.h"

namespace sawmill::ingest {

// Per-tenant validation limits, with Loki's names in the comments.
struct PushLimits {
  size_t max_line_size = 256 * 1024;     // max_line_size (0 = unlimited)
  bool truncate_lines = false;           // max_line_size_truncate
  size_t max_label_names = 15;           // max_label_names_per_series
  size_t max_label_name_length = 1024;   // max_label_name_length
  size_t max_label_value_length = 2048;  // max_label_value_length
  bool reject_old_samples = true;        // reject_old_samples
  std::chrono::nanoseconds reject_old_samples_max_age = std::chrono::hours(24 * 7);
  std::chrono::nanoseconds creation_grace_period = std::chrono::minutes(10);
};

struct PushOutcome {
  size_t accepted_entries = 0;
  size_t accepted_bytes = 0;
  size_t refused_entries = 0;
  // One line per refusal, in Loki's wording; empty when everything was stored.
  std::vector<std::string> errors;
};

class Pusher {
 public:
  // `store` and `index` must outlive the pusher.
  Pusher(storage::Store* store, index::LabelIndex* index, PushLimits limits);

  // Returns a non-OK Status only when nothing could be stored because of the server (a
  // store or index failure); refusals of the client's data are in *outcome.
  // `now` is the server's clock, for the old/new sample checks.
  Status Push(std::string_view tenant, const PushRequest& request,
              std::chrono::system_clock::time_point now, PushOutcome* outcome);

 private:
  storage::Store* store_;
  index::LabelIndex* index_;
  const PushLimits limits_;
};

}  // namespace sawmill::ingest
