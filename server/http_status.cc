#include "server/http_status.h"

#include <cassert>

namespace sawmill::server {

http::status HttpStatusFor(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return http::status::ok;
    case StatusCode::kInvalidArgument:
      return http::status::bad_request;
    case StatusCode::kNotFound:
      return http::status::not_found;
    case StatusCode::kResourceExhausted:
      return http::status::too_many_requests;
    case StatusCode::kDeadlineExceeded:
      return http::status::gateway_timeout;
    case StatusCode::kUnavailable:
      return http::status::service_unavailable;
    default:
      return http::status::internal_server_error;
  }
}

HttpResponse ErrorResponse(const Status& status) {
  assert(!status.ok());
  return MakeResponse(HttpStatusFor(status.code()), status.message() + "\n");
}

}  // namespace sawmill::server
