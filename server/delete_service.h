// Log entry deletion as Loki's compactor does it (pkg/compactor/deletion): delete requests
// are made, listed and cancelled through the API (server/handlers/delete.h), kept in the
// store (storage/delete_requests.h), and
//   - while a request is `received`, queries do not return the entries it deletes
//     (StoreQuerier asks FilterFor() for each stream it opens), so the effect is immediate;
//   - once its cancel period is over, a background pass removes its entries from the store
//     (Store::RemoveEntries on each matching stream, then Store::CompactChunks) and marks it
//     `processed`; from then on queries are no longer filtered by it.
// A crash during the pass leaves the request `received`: the pass runs again after the
// restart, and what was already removed is not there to remove twice.
//
// Thread-safety: every public method may be called from any thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "index/label_index.h"
#include "query/engine/delete_filter.h"
#include "server/delete_options.h"
#include "storage/delete_requests.h"
#include "storage/store.h"

namespace sawmill::server {

// Figures of one pass, for logs and tests.
struct DeletePassStats {
  uint64_t requests_processed = 0;
  uint64_t streams = 0;
  storage::RemoveStats removed;
};

class DeleteService {
 public:
  // `store` and `index` must outlive the service.
  DeleteService(storage::Store* store, const index::LabelIndex* index, DeleteOptions options);
  ~DeleteService();  // Stop()s
  DeleteService(const DeleteService&) = delete;
  DeleteService& operator=(const DeleteService&) = delete;

  // Loads the pending requests and, with filter-and-delete, starts the background pass.
  Status Start();
  // Stops the background pass (waits for the stream it is on). Idempotent.
  void Stop();

  // The tenant's deletion mode (DeleteOptions::mode_for, else DeleteOptions::mode).
  DeletionMode ModeFor(std::string_view tenant) const;

  // A new request (the handler has checked the times). InvalidArgument with Loki's message
  // for a query that is not a valid log selector.
  Result<storage::DeleteRequest> Create(const std::string& tenant, const std::string& query,
                                        int64_t start_ms, int64_t end_ms, int64_t now_ms);
  // The tenant's requests, oldest first.
  Result<std::vector<storage::DeleteRequest>> List(const std::string& tenant);
  // Loki's rules: NotFound "could not find delete request with given id"; InvalidArgument
  // "deletion of request which is in process or already processed is not allowed" once
  // processed; a request being processed only with `force` (its streams not yet done are
  // spared, the others stay deleted).
  Status Cancel(const std::string& tenant, const std::string& request_id, bool force);

  // Processes every received request whose cancel period is over at `now_ms`, oldest first.
  Status ProcessDue(int64_t now_ms, DeletePassStats* stats);

  // The filter for one stream's entries in [from_ns, to_ns) at query time, or null when no
  // pending request applies (the common case costs one atomic load). Null for a tenant whose
  // mode is disabled.
  std::unique_ptr<query::engine::StreamDeleteFilter> FilterFor(std::string_view tenant,
                                                               uint64_t stream_id, int64_t from_ns,
                                                               int64_t to_ns);

  // The streams of `tenant` that a delete request (pending, or processed since the store was
  // made) selects and whose range overlaps [from_ns, to_ns), sorted: the only streams
  // deletions may have left without entries in that range. Empty at the cost of one atomic
  // load when the store has no delete request at all.
  Result<std::vector<uint64_t>> TouchedStreams(std::string_view tenant, int64_t from_ns,
                                               int64_t to_ns);

 private:
  // A received request, compiled, as queries and the pass use it.
  struct Pending {
    storage::DeleteRequest request;
    std::shared_ptr<const query::engine::DeleteQuery> query;
    int64_t from_ns = 0, to_ns = 0;  // [start_ms, end_ms] in ns, end exclusive
    std::shared_ptr<std::atomic<bool>> cancelled = std::make_shared<std::atomic<bool>>(false);
  };
  static Result<Pending> Compile(storage::DeleteRequest r);
  Status ProcessOne(const Pending& p, DeletePassStats* stats);
  void Loop();

  storage::Store* const store_;
  const index::LabelIndex* const index_;
  const DeleteOptions options_;
  storage::DeleteRequestStore requests_;

  std::shared_mutex mu_;  // guards pending_, processed_ and in_process_
  std::unordered_map<std::string, std::vector<Pending>> pending_;  // by tenant
  // Processed requests (their query and range), by tenant: TouchedStreams() keeps looking at
  // them, since the label index still lists the streams they emptied.
  std::unordered_map<std::string, std::vector<Pending>> processed_;
  std::atomic<size_t> num_processed_{0};
  std::string in_process_;  // "<tenant>\0<id>" of the request the pass is on
  std::atomic<size_t> num_pending_{0};
  // Latest created_at_ms handed out: a new request gets a later one, so the list's creation
  // order is total even for requests made within one millisecond.
  std::atomic<int64_t> last_created_ms_{0};
  std::mutex process_mu_;  // one pass at a time

  std::mutex loop_mu_;
  std::condition_variable loop_cv_;
  bool stopping_ = false;
  bool wake_ = false;
  std::atomic<bool> stop_requested_{false};  // a pass stops before its next stream
  std::thread thread_;
};

}  // namespace sawmill::server
