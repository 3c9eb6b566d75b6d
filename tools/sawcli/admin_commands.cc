#include "tools/sawcli/admin_commands.h"

#include <nlohmann/json.hpp>

#include <memory>

#include "query/logql/parser.h"
#include "query/logql/prettier.h"
#include "tools/sawcli/time_text.h"

namespace sawmill::sawcli {

namespace {

using json = nlohmann::json;

int64_t Seconds(const json& v) {
  if (v.is_number()) return static_cast<int64_t>(v.get<double>());
  if (v.is_string()) return std::strtoll(v.get<std::string>().c_str(), nullptr, 10);
  return 0;
}

}  // namespace

Status RunFmt(Context& ctx, const std::string& query, bool server) {
  if (!server) {
    namespace logql = ::sawmill::query::logql;
    Result<std::unique_ptr<logql::Expr>> expr = logql::ParseExpr(query);
    if (!expr.ok()) {
      return Status::InvalidArgument("failed to parse the query: " + expr.status().message());
    }
    ctx.printer->Text(logql::Prettify(**expr) + "\n");
    return ctx.printer->Flush();
  }
  QueryString params;
  params.Add("query", query);
  const std::string target = "/loki/api/v1/format_query?" + params.Encode();
  if (!ctx.quiet) LogNote(ctx.client->base_url() + target);
  SAW_ASSIGN_OR_RETURN(std::string body, ctx.client->Call("GET", target));
  json doc = json::parse(body, nullptr, false);
  if (doc.is_discarded() || !doc.is_object() || !doc.contains("data") || !doc["data"].is_string()) {
    return Status::InvalidArgument("Error decoding response: no \"data\" string");
  }
  ctx.printer->Text(doc["data"].get<std::string>() + "\n");
  return ctx.printer->Flush();
}

Status RunDelete(Context& ctx, const DeleteOptions& o) {
  if (o.action == "create") {
    if (o.query.empty()) return Status::InvalidArgument("delete create needs --query");
    QueryString params;
    params.Add("query", o.query);
    if (o.range_given) {
      params.Add("start", o.range.start_ns / 1'000'000'000);
      params.Add("end", o.range.end_ns / 1'000'000'000);
    }
    if (!o.max_interval.empty()) params.Add("max_interval", o.max_interval);
    const std::string target = "/loki/api/v1/delete?" + params.Encode();
    if (!ctx.quiet) LogNote(ctx.client->base_url() + target);
    SAW_ASSIGN_OR_RETURN(std::string body, ctx.client->Call("POST", target));
    if (!ctx.quiet) ctx.printer->Text("Delete request created successfully\n");
    return ctx.printer->Flush();
  }
  if (o.action == "list") {
    const std::string target = "/loki/api/v1/delete";
    if (!ctx.quiet) LogNote(ctx.client->base_url() + target);
    SAW_ASSIGN_OR_RETURN(std::string body, ctx.client->Call("GET", target));
    json doc = json::parse(body, nullptr, false);
    if (doc.is_discarded() || !doc.is_array()) {
      return Status::InvalidArgument("Error decoding response: not a JSON array");
    }
    if (o.json) {
      ctx.printer->Text(doc.dump(2) + "\n");
      return ctx.printer->Flush();
    }
    if (!ctx.quiet) {
      ctx.printer->Text("Found " + std::to_string(doc.size()) + " delete requests:\n");
    }
    for (const json& r : doc) {
      if (!r.is_object()) continue;
      std::string out = "Query: " + r.value("query", std::string()) + "\n";
      out += "Start Time: " +
             FormatRfc3339(Seconds(r.value("start_time", json(0))) * 1'000'000'000,
                           ctx.printer->options().zone) +
             "\n";
      out += "End Time: " +
             FormatRfc3339(Seconds(r.value("end_time", json(0))) * 1'000'000'000,
                           ctx.printer->options().zone) +
             "\n";
      out += "Status: " + r.value("status", std::string()) + "\n---\n";
      ctx.printer->Text(out);
    }
    return ctx.printer->Flush();
  }
  if (o.action == "cancel") {
    if (o.request_id.empty()) return Status::InvalidArgument("delete cancel needs --request-id");
    QueryString params;
    params.Add("request_id", o.request_id);
    if (o.force) params.Add("force", "true");
    const std::string target = "/loki/api/v1/delete?" + params.Encode();
    if (!ctx.quiet) LogNote(ctx.client->base_url() + target);
    SAW_ASSIGN_OR_RETURN(std::string body, ctx.client->Call("DELETE", target));
    if (!ctx.quiet) {
      ctx.printer->Text("Delete request " + o.request_id + " cancelled successfully\n");
    }
    return ctx.printer->Flush();
  }
  return Status::InvalidArgument("delete needs one of: create, list, cancel");
}

}  // namespace sawmill::sawcli
