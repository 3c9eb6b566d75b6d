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
// The work after admission runs on one of the query scheduler's threads, never on the HTTP
// thread that received the request (query_scheduler.h): a queued read holds no thread.
//
//   void HandleX(const QueryContext& ctx, const Request& req, Reply reply) {
//     ...parse; a bad parameter: return reply(PlainError(...));
//     RunAdmitted(ctx, req, std::move(reply), [parsed](ReadAdmission& a) -> Result<HttpResponse> {
//       ...read under a.guard(), then a.Check()...
//     });
//   }
#pragma once

#include <functional>
#include <memory>

#include "query/engine/query_guard.h"
#include "server/handlers/query.h"
#include "server/http_message.h"
#include "server/query_scheduler.h"
#include "server/router.h"

namespace sawmill::server {

// Loki's (nginx's) answer when the client went away: 499 with Go's context.Canceled text.
HttpResponse ClientClosedResponse();

// One read's bounds. Not thread-safe: used by one thread at a time.
class ReadAdmission {
 public:
  // Starts the request's clock (the time-out counts from here, queue time included).
  // `req.client_gone` must outlive the admission.
  ReadAdmission(const QueryContext& ctx, const Request& req);
  ReadAdmission(const ReadAdmission&) = delete;
  ReadAdmission& operator=(const ReadAdmission&) = delete;

  // What bounds the work once admitted; engine calls check it.
  query::engine::QueryGuard* guard() { return &guard_; }

  // OK while the request may go on (before its answer is sent): the time-out and the
  // client's connection are checked once more after work that does not check them itself.
  Status Check() const { return guard_.Check(); }

  // The answer for a failed request: 499 when the client went away, otherwise Loki's
  // plain-text body with the status's HTTP code.
  HttpResponse Error(const Status& s) const;

 private:
  query::engine::QueryGuard guard_;
};

// A read's work once it holds a query slot: returns the answer.
using AdmittedWork = std::function<Result<HttpResponse>(ReadAdmission& admission)>;

// Submits `work` to ctx.scheduler: it runs on a scheduler thread once admitted, and `reply`
// gets its answer; a refusal (429 queue full, 504/499 while queued, 503 shutting down) is
// answered with ReadAdmission::Error() and `work` never runs. Without a scheduler (tests) the
// work runs at once on the calling thread.
void RunAdmitted(const QueryContext& ctx, const Request& req, Reply reply, AdmittedWork work);

}  // namespace sawmill::server
