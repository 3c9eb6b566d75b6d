#include "server/http_message.h"

#include <utility>

#include <boost/beast/http/field.hpp>

namespace sawmill::server {

HttpResponse MakeResponse(http::status status, std::string body, const char* content_type) {
  HttpResponse res{status, 11};
  res.set(http::field::content_type, content_type);
  res.body() = std::move(body);
  return res;
}

HttpResponse EmptyResponse(http::status status) { return HttpResponse{status, 11}; }

}  // namespace sawmill::server
