#include "server/handlers/read_scope.h"

#include "server/handlers/tenant.h"

namespace sawmill::server {

Result<std::vector<std::string>> ReadTenants(const HttpRequest& request,
                                             bool multi_tenant_queries) {
  auto it = request.find("X-Scope-OrgID");
  const std::string_view header = it == request.end() ? std::string_view() : it->value();
  if (header.find('|') == std::string_view::npos) {
    SAW_ASSIGN_OR_RETURN(std::string tenant, TenantOf(request));
    return std::vector<std::string>{std::move(tenant)};
  }
  std::vector<std::string> ids = query::engine::SplitTenantIds(header);
  for (const std::string& id : ids) {
    SAW_RETURN_IF_ERROR(ValidateTenantId(id));
  }
  if (ids.empty()) {
    SAW_ASSIGN_OR_RETURN(std::string tenant, TenantOf(request));  // refuses the bare '|'
    return std::vector<std::string>{std::move(tenant)};
  }
  if (ids.size() > 1 && !multi_tenant_queries) {
    return Status::InvalidArgument("multiple org IDs present");  // dskit's tenant.TenantID
  }
  return ids;
}

Result<ReadScope> ScopeOf(const QueryContext& context, const HttpRequest& request) {
  ReadScope scope;
  scope.querier = context.querier();
  if (scope.querier == nullptr) {
    return Status::Unavailable("Querier not ready: the store is still opening");
  }
  SAW_ASSIGN_OR_RETURN(std::vector<std::string> ids,
                       ReadTenants(request, context.multi_tenant_queries));
  scope.tenant = ids[0];
  if (ids.size() == 1) return scope;
  for (size_t i = 1; i < ids.size(); ++i) scope.tenant += "|" + ids[i];
  scope.multi = std::make_unique<query::engine::MultiTenantQuerier>(scope.querier, std::move(ids));
  scope.querier = scope.multi.get();
  return scope;
}

}  // namespace sawmill::server
