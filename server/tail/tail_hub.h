// The live half of GET /loki/api/v1/tail: every open tail subscribes here, and the Pusher
// hands each push's stored entries to the hub (ingest/push_listener.h), which matches them
// against each tail's selector, runs its pipeline, and buffers what comes out for the tail's
// WebSocket session to send.
//
// Pushes never wait for a client. Each tail has a bounded buffer (Loki's querier holds 10
// responses of 100 entries: 1,000 entries here, and at most max_buffered_bytes of lines);
// what does not fit is dropped and remembered, up to 1,000 records, as Loki's
// `dropped_entries` ({labels, timestamp}) sent with the next message. With no tail open, a
// push pays one atomic load (Active()).
//
// Thread-safety: every method may be called from any thread. A Tail's buffer is guarded by
// its own mutex, held only to append or take entries (never during I/O).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "index/labels.h"
#include "index/matcher.h"
#include "ingest/push_listener.h"
#include "query/log/pipeline.h"
#include "storage/result.h"

namespace sawmill::server {

// One entry as a tail sends it: the labels it ends up with after the pipeline, and its line.
// With the categorize-labels encoding, `labels` are the stream labels alone and the entry's
// structured metadata and parsed labels travel apart (Loki's third value element).
struct TailEntry {
  int64_t ts_ns = 0;
  std::shared_ptr<const index::LabelSet> labels;
  std::string line;
  std::vector<index::Label> structured_metadata;  // only with categorize_labels
  std::vector<index::Label> parsed;               // only with categorize_labels
};

// An entry a slow client lost (Loki's DroppedStream: labels and timestamp).
struct DroppedEntry {
  int64_t ts_ns = 0;
  std::shared_ptr<const index::LabelSet> labels;
};

struct TailOptions {
  // What the per-tenant cap counts the tail under: the tenant, or the ids joined by '|'.
  std::string tenant;
  // The tenants whose pushes the tail reads; empty: {tenant}. With more than one, each entry
  // gets the label __tenant_id__ (a multi-tenant read, as queries label them).
  std::vector<std::string> tenants;
  bool categorize_labels = false;        // X-Loki-Response-Encoding-Flags: categorize-labels
  std::vector<index::Matcher> matchers;  // the stream selector
  std::shared_ptr<const query::log::Pipeline> pipeline;  // REQUIRES: non-null
  size_t max_buffered_entries = 1000;
  size_t max_buffered_bytes = size_t{16} << 20;  // lines; a bound on huge lines
  size_t max_dropped = 1000;                     // Loki's maxDroppedEntriesPerTailResponse
};

// One open tail: what pushes matched, waiting to be sent.
class Tail {
 public:
  explicit Tail(TailOptions options);
  Tail(const Tail&) = delete;
  Tail& operator=(const Tail&) = delete;

  // Called (on a pushing thread) when entries arrive and the previous call has been followed
  // by a Take(); it must only schedule work (e.g. post to the session's strand).
  // REQUIRES: set before the tail is opened in the hub.
  void set_wakeup(std::function<void()> wakeup) { wakeup_ = std::move(wakeup); }

  // Moves out up to `max_entries` buffered entries whose timestamp is at most `ready_ns`
  // (all of them with ready_ns = INT64_MAX), oldest first when they are held back, and every
  // dropped record. *next_ready_ns is the timestamp of the oldest entry left (INT64_MAX when
  // none is left).
  void Take(int64_t ready_ns, size_t max_entries, std::vector<TailEntry>* entries,
            std::vector<DroppedEntry>* dropped, int64_t* next_ready_ns);

  const TailOptions& options() const { return options_; }

  // The tenants the tail reads (options().tenants, or {options().tenant}).
  const std::vector<std::string>& tenants() const { return tenants_; }

  // Matches, runs the pipeline and buffers one pushed stream's entries (called by the hub).
  void Offer(std::string_view tenant, const index::LabelSet& labels,
             std::span<const storage::EntryRef> entries);

 private:
  // What the tail knows of a stream it has seen pushed.
  struct StreamState {
    bool matches = false;
    std::shared_ptr<const index::LabelSet> labels;  // the stream's labels
    std::unique_ptr<query::log::StreamPipeline> pipeline;
  };
  StreamState* StateFor(const index::LabelSet& labels);  // REQUIRES: mu_ held

  const TailOptions options_;
  const std::vector<std::string> tenants_;
  std::function<void()> wakeup_;
  std::atomic<bool> notified_{false};

  std::mutex mu_;
  std::unordered_map<uint64_t, StreamState> streams_;  // by fingerprint; bounded, see Offer
  std::vector<TailEntry> buffer_;
  size_t buffer_bytes_ = 0;
  bool sorted_ = true;  // buffer_ is in timestamp order
  std::vector<DroppedEntry> dropped_;
};

class TailHub : public ingest::PushListener {
 public:
  TailHub() = default;
  TailHub(const TailHub&) = delete;
  TailHub& operator=(const TailHub&) = delete;

  // Subscribes `tail` to its tenants' pushes, unless options().tenant already has
  // `max_per_tenant` tails open (0: no limit): then InvalidArgument with Loki's message.
  Status Open(const std::shared_ptr<Tail>& tail, size_t max_per_tenant);
  // Unsubscribes; a no-op for a tail that is not open.
  void Close(const Tail* tail);

  // Open tails, over all tenants.
  size_t size() const { return open_.load(std::memory_order_relaxed); }

  bool Active() const override { return open_.load(std::memory_order_relaxed) > 0; }
  void OnPush(std::string_view tenant, std::span<const ingest::PushedStream> streams) override;

 private:
  mutable std::shared_mutex mu_;
  std::unordered_map<std::string, std::vector<std::shared_ptr<Tail>>> by_tenant_;
  std::unordered_map<std::string, size_t> counted_;  // open tails by options().tenant
  std::atomic<size_t> open_{0};
};

}  // namespace sawmill::server
