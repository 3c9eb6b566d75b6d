// The tenant of a request: X-Scope-OrgID, or "fake" without it (Loki's single-tenant
// default), checked against Loki's tenant ID rules.
#pragma once

#include <string>
#include <string_view>

#include "server/http_message.h"
#include "storage/result.h"

namespace sawmill::server {

// Loki's rules: at most 150 characters from [a-zA-Z0-9!-_.*'()], not "." or "..".
Status ValidateTenantId(std::string_view id);

// The request's tenant; InvalidArgument with Loki's message when the ID breaks the rules.
Result<std::string> TenantOf(const HttpRequest& request);

}  // namespace sawmill::server
