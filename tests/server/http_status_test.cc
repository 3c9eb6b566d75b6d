#include "server/http_status.h"

#include <gtest/gtest.h>

namespace sawmill::server {
namespace {

TEST(HttpStatusTest, MapsEveryStatusCode) {
  struct Case {
    StatusCode code;
    http::status want;
  };
  const Case cases[] = {
      {StatusCode::kOk, http::status::ok},
      {StatusCode::kInvalidArgument, http::status::bad_request},
      {StatusCode::kNotFound, http::status::not_found},
      {StatusCode::kResourceExhausted, http::status::too_many_requests},
      {StatusCode::kDeadlineExceeded, http::status::gateway_timeout},
      {StatusCode::kUnavailable, http::status::service_unavailable},
      {StatusCode::kCorruption, http::status::internal_server_error},
      {StatusCode::kIOError, http::status::internal_server_error},
      {StatusCode::kOutOfRange, http::status::internal_server_error},
      {StatusCode::kAlreadyExists, http::status::internal_server_error},
      {StatusCode::kInternal, http::status::internal_server_error},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(StatusCodeName(c.code));
    EXPECT_EQ(HttpStatusFor(c.code), c.want);
  }
}

TEST(HttpStatusTest, ErrorResponseIsPlainTextMessage) {
  HttpResponse res = ErrorResponse(Status::InvalidArgument("parse error at line 1, col 14: x"));
  EXPECT_EQ(res.result(), http::status::bad_request);
  EXPECT_EQ(res.body(), "parse error at line 1, col 14: x\n");
  EXPECT_EQ(res[http::field::content_type], kTextPlain);
}

}  // namespace
}  // namespace sawmill::server
