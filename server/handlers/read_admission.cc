#include "server/handlers/read_admission.h"

#include <chrono>

#include "server/http_status.h"

namespace sawmill::server {
namespace {

constexpr int kClientClosedRequest = 499;

std::chrono::steady_clock::time_point DeadlineOf(const QueryContext& ctx) {
  if (ctx.limits.query_timeout.count() <= 0) return std::chrono::steady_clock::time_point::max();
  return std::chrono::steady_clock::now() + ctx.limits.query_timeout;
}

}  // namespace

HttpResponse ClientClosedResponse() {
  HttpResponse res = MakeResponse(static_cast<http::status>(kClientClosedRequest),
                                  query::engine::kQueryCancelledMessage);
  res.reason("Client Closed Request");
  return res;
}

ReadAdmission::ReadAdmission(const QueryContext& ctx, const Request& req)
    : scheduler_(ctx.scheduler),
      guard_(DeadlineOf(ctx), ctx.limits.max_query_memory, req.client_gone) {}

Status ReadAdmission::Admit() {
  if (scheduler_ == nullptr) return guard_.Check();
  return scheduler_->Acquire(&guard_, &ticket_);
}

HttpResponse ReadAdmission::Error(const Status& s) const {
  if (guard_.cancelled() && s.code() == StatusCode::kDeadlineExceeded) {
    return ClientClosedResponse();
  }
  return MakeResponse(HttpStatusFor(s.code()), s.message());
}

}  // namespace sawmill::server
