// QueryScheduler: admission and execution of LogQL queries and the reads admitted like them.
// At most `max_running` queries run at once, each on one of the scheduler's own
// `max_running` worker threads; up to `max_queued` more wait their turn in arrival order;
// past that a query is refused at once with Loki's "too many outstanding requests" (HTTP
// 429), so a burst never piles up without bound. A waiting query leaves the queue when its
// guard is cancelled (the client went away) or its deadline passes, with the guard's error.
//
// A waiting query holds no thread: it is a queued closure (Submit), not a blocked caller. So
// the HTTP server's I/O threads stay few (about one per core) however many queries wait, and
// pushes, /ready and /metrics are served by them meanwhile (app.cc). A refused or expired
// query's work is called with the error from the thread that found out (the submitter, the
// scheduler's watcher, or Shutdown()); it should only answer, which is cheap.
//
// CancelAll() cancels every running and queued query and refuses later ones (server stop,
// past the grace period). Shutdown() also waits for the running work and joins the threads.
//
//   auto guard = std::make_shared<QueryGuard>(deadline, budget, client_gone);
//   scheduler.Submit(guard.get(), [guard, respond](const Status& admitted) {
//     if (!admitted.ok()) return respond(ErrorFor(admitted));
//     respond(RunQuery(guard.get()));
//   });
//
// Thread-safety: every method may be called from any thread at once, except that work must
// not call Shutdown().
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <unordered_set>
#include <vector>

#include "query/engine/query_guard.h"
#include "storage/status.h"

namespace sawmill::server {

// Loki's message when the query queue is full (HTTP 429).
extern const char kTooManyOutstandingRequests[];

class QueryScheduler {
 public:
  // A query's work, called exactly once: with OK on a worker thread while the query holds a
  // slot (freed when it returns), or with why it never got one: ResourceExhausted
  // (kTooManyOutstandingRequests) when the queue is full, the guard's error when it was
  // cancelled or timed out while waiting, Unavailable once CancelAll() was called. Must not
  // throw (one that does is logged, and its thread goes on).
  using Work = std::function<void(const Status& admitted)>;

  // max_running >= 1 (0 counts as 1): as many worker threads are started.
  QueryScheduler(size_t max_running, size_t max_queued);
  ~QueryScheduler();  // Shutdown()
  QueryScheduler(const QueryScheduler&) = delete;
  QueryScheduler& operator=(const QueryScheduler&) = delete;

  // Queues `work`, or calls it at once (on the calling thread) with the refusal.
  // REQUIRES: `guard` stays valid until `work` is destroyed (e.g. `work` owns it).
  void Submit(query::engine::QueryGuard* guard, Work work);

  // Cancels the running queries' guards, refuses the queued ones (Unavailable, before this
  // returns) and every later Submit(). Idempotent.
  void CancelAll();

  // CancelAll(), then waits for the running work to return and joins the threads.
  // Idempotent. REQUIRES: not called from a work.
  void Shutdown();

  size_t running() const;
  size_t queued() const;
  size_t max_running() const { return max_running_; }
  size_t max_queued() const { return max_queued_; }
  // The scheduler's threads: the workers and the watcher.
  size_t threads() const { return workers_.size() + 1; }

 private:
  struct Task {
    query::engine::QueryGuard* guard;
    Work work;
  };
  void RunWorker();
  void RunWatcher();
  // Moves out the queued tasks whose guard fails, with their errors. REQUIRES: mu_ held.
  void TakeExpired(std::vector<std::pair<Task, Status>>* out);

  const size_t max_running_;
  const size_t max_queued_;
  mutable std::mutex mu_;
  std::condition_variable work_cv_;   // a task was queued, or closing
  std::condition_variable watch_cv_;  // the queue became non-empty, or closing
  std::deque<Task> queue_;            // waiting, oldest first; guarded by mu_
  std::unordered_set<query::engine::QueryGuard*> running_;  // guarded by mu_
  bool closed_ = false;                                     // guarded by mu_
  bool joined_ = false;                                     // Shutdown() has joined the threads
  std::vector<std::thread> workers_;
  std::thread watcher_;
};

}  // namespace sawmill::server
