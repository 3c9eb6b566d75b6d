#include "server/handlers/read_admission.h"

#include <chrono>
#include <exception>
#include <memory>
#include <optional>
#include <utility>

#include "server/http_status.h"
#include "server/log.h"

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
    : guard_(DeadlineOf(ctx), ctx.limits.max_query_memory, req.client_gone) {}

HttpResponse ReadAdmission::Error(const Status& s) const {
  if (guard_.cancelled() && s.code() == StatusCode::kDeadlineExceeded) {
    return ClientClosedResponse();
  }
  return MakeResponse(HttpStatusFor(s.code()), s.message());
}

void RunAdmitted(const QueryContext& ctx, const Request& req, Reply reply, AdmittedWork work) {
  auto admission = std::make_shared<ReadAdmission>(ctx, req);
  auto run = [admission, reply = std::move(reply), work = std::move(work)](const Status& admitted) {
    if (!admitted.ok()) return reply(admission->Error(admitted));
    std::optional<Result<HttpResponse>> answer;
    try {
      answer.emplace(work(*admission));
    } catch (const std::exception& e) {  // a bug: answered 500 as the HTTP session would
      LogError("uncaught exception while serving a request", {{"err", e.what()}});
      return reply(MakeResponse(http::status::internal_server_error, "internal server error\n"));
    }
    if (!answer->ok()) return reply(admission->Error(answer->status()));
    reply(std::move(*answer));
  };
  if (ctx.scheduler == nullptr) return run(admission->Check());
  ctx.scheduler->Submit(admission->guard(), std::move(run));
}

}  // namespace sawmill::server
