#include "server/handlers/format_query.h"

#include <string>

#include "query/engine/response_json.h"
#include "query/logql/parser.h"
#include "query/logql/prettier.h"
#include "server/handlers/query_params.h"

namespace sawmill::server {
namespace {

Result<HttpResponse> HandleFormatQuery(const Request& req) {
  Result<Form> form = Form::FromRequest(req);
  if (!form.ok()) return MakeResponse(http::status::bad_request, form.status().message());
  Result<std::unique_ptr<query::logql::Expr>> expr = query::logql::ParseExpr(form->Get("query"));
  std::string body;
  http::status status = http::status::ok;
  if (expr.ok()) {
    body = "{\"status\":\"success\",\"data\":";
    query::engine::AppendJsonString(&body, query::logql::Prettify(**expr));
  } else {
    status = http::status::bad_request;
    body = "{\"status\":\"invalid-query\",\"error\":";
    query::engine::AppendJsonString(&body, expr.status().message());
  }
  body += "}\n";
  // Go's json.Encoder escapes HTML characters in strings.
  std::string escaped;
  for (char c : body) {
    if (c == '<') {
      escaped += "\\u003c";
    } else if (c == '>') {
      escaped += "\\u003e";
    } else if (c == '&') {
      escaped += "\\u0026";
    } else {
      escaped.push_back(c);
    }
  }
  body = std::move(escaped);
  return MakeResponse(status, std::move(body), kApplicationJson);
}

}  // namespace

void AddFormatQueryRoutes(Router* router) {
  for (http::verb verb : {http::verb::get, http::verb::post}) {
    router->Add(verb, "/loki/api/v1/format_query", HandleFormatQuery);
  }
}

}  // namespace sawmill::server
