// PushListener: what the Pusher tells about the entries it has just stored, for consumers
// that follow pushes live (the tail endpoint, server/tail/). The Pusher asks Active() on every
// push, so that with no listener interested nothing is built for it; only then does it call
// OnPush() with the stored entries.
//
// Thread-safety: both methods are called from the pushing threads, concurrently.
#pragma once

#include <span>
#include <string_view>

#include "index/labels.h"
#include "storage/store.h"

namespace sawmill::ingest {

// One stream of a push as stored: its labels and the entries the store accepted (refused
// entries are left out), in the order they were pushed.
struct PushedStream {
  const index::LabelSet* labels = nullptr;
  std::span<const storage::EntryRef> entries;
};

class PushListener {
 public:
  virtual ~PushListener() = default;

  // Whether OnPush() wants the pushes of now. Called on every push: must be cheap (an atomic
  // load).
  virtual bool Active() const = 0;

  // The streams of one push of `tenant`, after the store acknowledged them. The views are
  // valid for the call only. Must not block on I/O: the push waits for it.
  virtual void OnPush(std::string_view tenant, std::span<const PushedStream> streams) = 0;
};

}  // namespace sawmill::ingest
