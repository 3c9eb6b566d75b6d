#include "server/router.h"

#include <cassert>
#include <memory>
#include <optional>

#include <boost/beast/http/field.hpp>

#include "server/http_status.h"
#include "server/log.h"

namespace sawmill::server {
namespace {

// "/a/b/" -> {"a", "b", ""}; "/" -> {""}. Keeps empty segments so "/ready/" != "/ready".
std::vector<std::string_view> SplitPath(std::string_view path) {
  std::vector<std::string_view> out;
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  while (true) {
    const size_t slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

bool IsPlaceholder(std::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

}  // namespace

std::string_view Request::PathParam(std::string_view name) const {
  for (const auto& [key, value] : path_params) {
    if (key == name) return value;
  }
  return {};
}

void Router::Add(http::verb method, std::string_view pattern, Handler handler) {
  AddAsync(method, pattern, [handler = std::move(handler)](const Request& req, Reply reply) {
    reply(handler(req));
  });
}

void Router::AddAsync(http::verb method, std::string_view pattern, AsyncHandler handler) {
  assert(!pattern.empty() && pattern.front() == '/');
  Route route{method, {}, RouteName(pattern), std::move(handler)};
  for (std::string_view s : SplitPath(pattern)) route.segments.emplace_back(s);
  routes_.push_back(std::move(route));
}

std::string Router::RouteName(std::string_view pattern) {
  std::string name;
  for (char c : pattern) {
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (alnum) {
      name.push_back(c);
    } else if (!name.empty() && name.back() != '_') {
      name.push_back('_');
    }
  }
  while (!name.empty() && name.back() == '_') name.pop_back();
  return name.empty() ? "root" : name;
}

bool Router::Match(const Route& route, const std::vector<std::string_view>& segments,
                   std::vector<std::pair<std::string, std::string>>* params) {
  if (route.segments.size() != segments.size()) return false;
  params->clear();
  for (size_t i = 0; i < segments.size(); ++i) {
    const std::string& want = route.segments[i];
    if (IsPlaceholder(want)) {
      if (segments[i].empty()) return false;
      params->emplace_back(want.substr(1, want.size() - 2), segments[i]);
    } else if (want != segments[i]) {
      return false;
    }
  }
  return true;
}

void Router::Dispatch(const HttpRequest& request, const std::atomic<bool>* client_gone,
                      Done done) const {
  static const std::atomic<bool> kNeverGone{false};
  const std::string_view target = request.target();
  const size_t question = target.find('?');
  Request req{request,
              target.substr(0, question),
              question == std::string_view::npos ? std::string_view() : target.substr(question + 1),
              {},
              client_gone != nullptr ? client_gone : &kNeverGone};
  const std::vector<std::string_view> segments = SplitPath(req.path);

  const Route* path_match = nullptr;  // a route with this path but another method
  std::string allow;
  for (const Route& route : routes_) {
    if (!Match(route, segments, &req.path_params)) continue;
    if (route.method != request.method()) {
      if (path_match == nullptr) path_match = &route;
      if (!allow.empty()) allow += ", ";
      allow += http::to_string(route.method);
      continue;
    }
    route.handler(
        req, [name = &route.name, &request, done = std::move(done)](Result<HttpResponse> result) {
          if (result.ok()) return done({*name, std::move(result).value()});
          if (HttpStatusFor(result.status().code()) == http::status::internal_server_error) {
            const std::string_view target = request.target();
            LogError("request failed", {{"method", std::string(http::to_string(request.method()))},
                                        {"path", target.substr(0, target.find('?'))},
                                        {"err", result.status().ToString()}});
          }
          done({*name, ErrorResponse(result.status())});
        });
    return;
  }
  if (path_match != nullptr) {
    HttpResponse res = MakeResponse(http::status::method_not_allowed, "405 method not allowed\n");
    res.set(http::field::allow, allow);
    return done({path_match->name, std::move(res)});
  }
  done({"other", ErrorResponse(Status::NotFound("404 page not found"))});
}

Router::Routed Router::Handle(const HttpRequest& request,
                              const std::atomic<bool>* client_gone) const {
  auto routed = std::make_shared<std::optional<Routed>>();
  Dispatch(request, client_gone, [routed](Routed r) { *routed = std::move(r); });
  if (routed->has_value()) return std::move(**routed);
  return {"other", MakeResponse(http::status::internal_server_error, "answered asynchronously\n")};
}

}  // namespace sawmill::server
