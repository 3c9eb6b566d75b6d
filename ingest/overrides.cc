#include "ingest/overrides.h"

#include <mutex>

namespace sawmill::ingest {

Overrides::Overrides(PushLimits defaults)
    : defaults_(defaults), per_tenant_(std::make_shared<const TenantLimits>()) {}

PushLimits Overrides::For(std::string_view tenant) const {
  std::shared_lock lock(mu_);
  auto it = per_tenant_->find(tenant);
  return it == per_tenant_->end() ? defaults_ : it->second;
}

void Overrides::Replace(TenantLimits per_tenant) {
  auto next = std::make_shared<const TenantLimits>(std::move(per_tenant));
  std::unique_lock lock(mu_);
  per_tenant_.swap(next);
  // `lock` is released before `next` (now the old map) is freed.
}

size_t Overrides::num_overrides() const {
  std::shared_lock lock(mu_);
  return per_tenant_->size();
}

}  // namespace sawmill::ingest
