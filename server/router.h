// Routes an HTTP request by method and path to its handler. Patterns are paths whose
// segments are literals or "{name}" placeholders that match one non-empty segment:
//
//   router.Add(http::verb::get, "/ready", ReadyHandler);
//   router.Add(http::verb::get, "/loki/api/v1/label/{name}/values", LabelValuesHandler);
//
// An unknown path answers 404 "404 page not found\n" (Loki's wording); a known path with
// another method answers 405 with an Allow header. Handlers return Status errors, which
// become responses through http_status.h.
//
// Thread-safety: Add() before serving; Handle() may then run on many threads at once.
#pragma once

#include <atomic>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "server/http_message.h"
#include "storage/result.h"

namespace sawmill::server {

// What a handler sees of a request.
struct Request {
  const HttpRequest& http;
  std::string_view path;   // the target before '?'
  std::string_view query;  // the raw query string after '?' (not decoded), may be empty
  std::vector<std::pair<std::string, std::string>> path_params;  // from "{name}" segments
  // True once the client closed its connection (HttpServer's RequestInfo); never null.
  const std::atomic<bool>* client_gone = nullptr;

  // The segment matched by "{name}"; empty when the route has no such placeholder.
  std::string_view PathParam(std::string_view name) const;
};

using Handler = std::function<Result<HttpResponse>(const Request&)>;

// Gives a request's answer later, from any thread, exactly once; a Status error becomes
// ErrorResponse() as a Handler's does.
using Reply = std::function<void(Result<HttpResponse>)>;
// A handler that may answer later (e.g. once the query scheduler runs its work): it calls
// `reply` before returning or keeps it. The Request is valid only during the call; its
// `http` and `client_gone` stay valid until `reply` is called.
using AsyncHandler = std::function<void(const Request&, Reply reply)>;

class Router {
 public:
  // REQUIRES: `pattern` starts with '/'.
  void Add(http::verb method, std::string_view pattern, Handler handler);
  void AddAsync(http::verb method, std::string_view pattern, AsyncHandler handler);

  struct Routed {
    // The matched pattern as a metric label, like Loki's: "/loki/api/v1/push" becomes
    // "loki_api_v1_push". "other" when no pattern matched.
    std::string route;
    HttpResponse response;
  };
  using Done = std::function<void(Routed)>;

  // Calls the handler for `request`; `done` gets the answer (a Status error becomes
  // ErrorResponse()) once, on whichever thread gives it: before Dispatch() returns unless
  // the route was added with AddAsync(). Exceptions thrown by a handler pass through (the
  // HTTP session answers them with 500). `client_gone` (may be null: never) is handed to the
  // handler as Request::client_gone; it and `request` must stay valid until `done` is called.
  void Dispatch(const HttpRequest& request, const std::atomic<bool>* client_gone, Done done) const;

  // Dispatch() for routes that answer before they return (tests). An AsyncHandler that
  // keeps its reply answers 500 here.
  Routed Handle(const HttpRequest& request, const std::atomic<bool>* client_gone = nullptr) const;

  // "/loki/api/v1/label/{name}/values" -> "loki_api_v1_label_name_values".
  static std::string RouteName(std::string_view pattern);

 private:
  struct Route {
    http::verb method;
    std::vector<std::string> segments;
    std::string name;
    AsyncHandler handler;
  };
  static bool Match(const Route& route, const std::vector<std::string_view>& segments,
                    std::vector<std::pair<std::string, std::string>>* params);

  std::vector<Route> routes_;  // tried in the order they were added
};

}  // namespace sawmill::server
