// Which tenant(s) a read request (query, labels, series, index and detected endpoints)
// reads, and through which querier. With -querier.multi-tenant-queries-enabled, an
// X-Scope-OrgID of several ids joined by '|' reads every one of them through a
// query::engine::MultiTenantQuerier (streams labelled `__tenant_id__`, Loki's behaviour);
// without the flag such a header is refused as Loki refuses it ("multiple org IDs present").
// A single id goes through TenantOf() (tenant.h), so its rules apply unchanged.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "query/engine/multi_tenant_querier.h"
#include "server/handlers/query.h"
#include "server/http_message.h"
#include "storage/result.h"

namespace sawmill::server {

struct ReadScope {
  query::engine::Querier* querier = nullptr;  // the one to use for this request
  std::string tenant;  // the single tenant, or the ids joined by '|' for a multi-tenant read
  std::unique_ptr<query::engine::MultiTenantQuerier> multi;  // owns the wrapper, if any
};

// The tenant ids a read request names (X-Scope-OrgID, see above): one id, or with
// `multi_tenant_queries` several distinct ones. InvalidArgument for a bad or refused id.
Result<std::vector<std::string>> ReadTenants(const HttpRequest& request, bool multi_tenant_queries);

// Unavailable while the store is opening; InvalidArgument for a bad or refused tenant id.
Result<ReadScope> ScopeOf(const QueryContext& context, const HttpRequest& request);

}  // namespace sawmill::server
