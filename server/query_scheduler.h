// QueryScheduler: admission of LogQL queries. At most `max_running` queries run at once; up
// to `max_queued` more wait their turn in arrival order; past that a query is refused at once
// with Loki's "too many outstanding requests" (HTTP 429), so a burst never piles up without
// bound. A waiting query leaves the queue when its guard is cancelled (the client went away)
// or its deadline passes, with the guard's error.
//
// A waiting query holds the HTTP thread it arrived on (handlers are synchronous): the server
// sizes its thread pool as max_running + max_queued + spare threads, so queued queries never
// starve pushes, /ready or /metrics of a thread (app.cc).
//
// CancelAll() cancels every running and queued query and refuses later ones (server stop,
// past the grace period).
//
// Thread-safety: every method may be called from any thread at once.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <list>
#include <mutex>
#include <unordered_set>

#include "query/engine/query_guard.h"
#include "storage/status.h"

namespace sawmill::server {

// Loki's message when the query queue is full (HTTP 429).
extern const char kTooManyOutstandingRequests[];

class QueryScheduler {
 public:
  // max_running >= 1.
  QueryScheduler(size_t max_running, size_t max_queued);
  QueryScheduler(const QueryScheduler&) = delete;
  QueryScheduler& operator=(const QueryScheduler&) = delete;

  // A running query's slot; releases it when destroyed.
  class Ticket {
   public:
    Ticket() = default;
    ~Ticket() { Release(); }
    Ticket(const Ticket&) = delete;
    Ticket& operator=(const Ticket&) = delete;
    void Release();

   private:
    friend class QueryScheduler;
    QueryScheduler* scheduler_ = nullptr;
    query::engine::QueryGuard* guard_ = nullptr;
  };

  // Waits for a slot and fills *ticket. ResourceExhausted(kTooManyOutstandingRequests) when
  // max_queued queries already wait; the guard's error when it is cancelled or times out
  // while waiting; Unavailable once CancelAll() was called.
  // REQUIRES: *ticket holds no slot; `guard` outlives the ticket.
  Status Acquire(query::engine::QueryGuard* guard, Ticket* ticket);

  void CancelAll();

  size_t running() const;
  size_t queued() const;
  size_t max_running() const { return max_running_; }
  size_t max_queued() const { return max_queued_; }

 private:
  void Release(query::engine::QueryGuard* guard);

  const size_t max_running_;
  const size_t max_queued_;
  mutable std::mutex mu_;
  std::condition_variable changed_;
  std::list<const query::engine::QueryGuard*> queue_;       // waiting, oldest first
  std::unordered_set<query::engine::QueryGuard*> running_;  // guarded by mu_
  bool closed_ = false;                                     // guarded by mu_
};

}  // namespace sawmill::server
