#include "server/router.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

namespace sawmill::server {
namespace {

HttpRequest MakeRequest(http::verb method, std::string target) {
  HttpRequest req{method, target, 11};
  return req;
}

Handler Text(std::string body) {
  return [body](const Request&) -> Result<HttpResponse> {
    return MakeResponse(http::status::ok, body);
  };
}

TEST(RouterTest, DispatchesByMethodAndPath) {
  Router router;
  router.Add(http::verb::get, "/ready", Text("ready\n"));
  router.Add(http::verb::post, "/flush", Text("flushed"));

  Router::Routed r = router.Handle(MakeRequest(http::verb::get, "/ready"));
  EXPECT_EQ(r.response.result(), http::status::ok);
  EXPECT_EQ(r.response.body(), "ready\n");
  EXPECT_EQ(r.route, "ready");

  r = router.Handle(MakeRequest(http::verb::post, "/flush"));
  EXPECT_EQ(r.response.body(), "flushed");
}

TEST(RouterTest, UnknownPathIsLokiStyle404) {
  Router router;
  router.Add(http::verb::get, "/ready", Text("ready\n"));
  for (const char* target : {"/", "/nope", "/ready/", "/ready/x", "/readyx"}) {
    SCOPED_TRACE(target);
    Router::Routed r = router.Handle(MakeRequest(http::verb::get, target));
    EXPECT_EQ(r.response.result(), http::status::not_found);
    EXPECT_EQ(r.response.body(), "404 page not found\n");
    EXPECT_EQ(r.route, "other");
  }
}

TEST(RouterTest, WrongMethodIs405WithAllow) {
  Router router;
  router.Add(http::verb::get, "/thing", Text("get"));
  router.Add(http::verb::put, "/thing", Text("put"));
  Router::Routed r = router.Handle(MakeRequest(http::verb::delete_, "/thing"));
  EXPECT_EQ(r.response.result(), http::status::method_not_allowed);
  EXPECT_EQ(r.response[http::field::allow], "GET, PUT");
  EXPECT_EQ(r.route, "thing");
}

TEST(RouterTest, CapturesPathParamsAndSplitsQuery) {
  Router router;
  router.Add(http::verb::get, "/loki/api/v1/label/{name}/values",
             [](const Request& req) -> Result<HttpResponse> {
               return MakeResponse(http::status::ok, std::string(req.PathParam("name")) + "|" +
                                                         std::string(req.query) + "|" +
                                                         std::string(req.path));
             });
  Router::Routed r =
      router.Handle(MakeRequest(http::verb::get, "/loki/api/v1/label/app/values?start=1&end=2"));
  EXPECT_EQ(r.response.body(), "app|start=1&end=2|/loki/api/v1/label/app/values");
  EXPECT_EQ(r.route, "loki_api_v1_label_name_values");

  // A placeholder matches exactly one non-empty segment.
  EXPECT_EQ(
      router.Handle(MakeRequest(http::verb::get, "/loki/api/v1/label//values")).response.result(),
      http::status::not_found);
}

TEST(RouterTest, HandlerErrorsGoThroughStatusMapping) {
  Router router;
  router.Add(http::verb::get, "/busy", [](const Request&) -> Result<HttpResponse> {
    return Status::ResourceExhausted("too many outstanding requests");
  });
  Router::Routed r = router.Handle(MakeRequest(http::verb::get, "/busy"));
  EXPECT_EQ(r.response.result(), http::status::too_many_requests);
  EXPECT_EQ(r.response.body(), "too many outstanding requests\n");
}

TEST(RouterTest, HandlerExceptionsPassThrough) {
  // The HTTP session owns the one catch-all; the router must not swallow them.
  Router router;
  router.Add(http::verb::get, "/boom",
             [](const Request&) -> Result<HttpResponse> { throw std::runtime_error("boom"); });
  EXPECT_THROW(router.Handle(MakeRequest(http::verb::get, "/boom")), std::runtime_error);
}

TEST(RouterTest, RouteNamesFollowLoki) {
  EXPECT_EQ(Router::RouteName("/loki/api/v1/push"), "loki_api_v1_push");
  EXPECT_EQ(Router::RouteName("/loki/api/v1/label/{name}/values"), "loki_api_v1_label_name_values");
  EXPECT_EQ(Router::RouteName("/ready"), "ready");
  EXPECT_EQ(Router::RouteName("/"), "root");
}

}  // namespace
}  // namespace sawmill::server
