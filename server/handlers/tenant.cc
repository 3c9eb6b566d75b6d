#include "server/handlers/tenant.h"

namespace sawmill::server {

Status ValidateTenantId(std::string_view id) {
  if (id.size() > 150) return Status::InvalidArgument("tenant ID is too long: max 150 characters");
  if (id == "." || id == "..") return Status::InvalidArgument("tenant ID is '.' or '..'");
  for (char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '!' || c == '-' || c == '_' || c == '.' || c == '*' || c == '\'' ||
                    c == '(' || c == ')';
    if (!ok) {
      return Status::InvalidArgument(std::string("tenant ID '") + std::string(id) +
                                     "' contains unsupported character '" + c + "'");
    }
  }
  return Status::OK();
}

Result<std::string> TenantOf(const HttpRequest& request) {
  auto it = request.find("X-Scope-OrgID");
  std::string tenant = it == request.end() ? std::string() : std::string(it->value());
  if (tenant.empty()) tenant = "fake";
  SAW_RETURN_IF_ERROR(ValidateTenantId(tenant));
  return tenant;
}

}  // namespace sawmill::server
