// ReadAdmission: how the read endpoints other than LogQL queries (labels, label values,
// series, index stats and volume, detected labels and fields) are admitted and bounded, the
// same way queries are (query.h): a -querier.max-concurrent slot from the QueryScheduler,
// waited for in its bounded queue, and a QueryGuard with -querier.query-timeout (queue time
// included) and the client-gone flag. So a burst of label-browser or volume requests queues
// with the queries instead of running beside them without bound.
//
// Answers, as for queries: 429 "too many outstanding requests" when the queue is full, 504
// "request timed out..." past the time-out, 499 when the client closed its connection, 503
// once shutdown cancelled it.
//
// Not thread-safe: one per request, on the request's thread.
#pragma once

#include <optional>

#include "query/engine/query_guard.h"
#include "server/handlers/query.h"
#include "server/http_message.h"
#include "server/query_scheduler.h"
#include "server/router.h"

namespace sawmill::server {

// Loki's (nginx's) answer when the client went away: 499 with Go's context.Canceled text.
HttpResponse ClientClosedResponse();

class ReadAdmission {
 public:
  // Starts the request's clock (the time-out counts from here). `ctx` and `req` must
  // outlive the admission.
  ReadAdmission(const QueryContext& ctx, const Request& req);
  ReadAdmission(const ReadAdmission&) = delete;
  ReadAdmission& operator=(const ReadAdmission&) = delete;

  // Waits for a slot (at most until the time-out). The scheduler's or the guard's error
  // otherwise. REQUIRES: called once.
  Status Admit();

  // What bounds the work once admitted; engine calls check it.
  query::engine::QueryGuard* guard() { return &guard_; }

  // OK while the request may go on (before its answer is sent): the time-out and the
  // client's connection are checked once more after work that does not check them itself.
  Status Check() const { return guard_.Check(); }

  // The answer for a failed request: 499 when the client went away, otherwise Loki's
  // plain-text body with the status's HTTP code.
  HttpResponse Error(const Status& s) const;

 private:
  QueryScheduler* const scheduler_;
  query::engine::QueryGuard guard_;
  QueryScheduler::Ticket ticket_;
};

}  // namespace sawmill::server
