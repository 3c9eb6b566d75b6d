// The HTTP request and response types every handler sees, and helpers that build the common
// responses. Bodies are held in memory as strings (HttpServer enforces a body size limit).
#pragma once

#include <string>

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/verb.hpp>

namespace sawmill::server {

namespace http = boost::beast::http;

using HttpRequest = http::request<http::string_body>;
using HttpResponse = http::response<http::string_body>;

// Content types of what Sawmill sends.
inline constexpr char kTextPlain[] = "text/plain; charset=utf-8";
inline constexpr char kApplicationJson[] = "application/json; charset=utf-8";

// A response with `body` and the given content type. The server fills in the HTTP version,
// Content-Length and keep-alive.
HttpResponse MakeResponse(http::status status, std::string body,
                          const char* content_type = kTextPlain);
// A response with no body (such as 204 No Content).
HttpResponse EmptyResponse(http::status status);

}  // namespace sawmill::server
