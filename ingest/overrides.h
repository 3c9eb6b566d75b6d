// Overrides: the limits of every tenant. The defaults come from the flags; a tenant named
// in the runtime overrides file (Loki's -runtime-config.file, parsed by limits_yaml.h) has
// its own PushLimits, each starting from the defaults with the file's keys applied. The
// server replaces the per-tenant set when the file changes; pushes read it without waiting.
//
// Thread-safety: all methods may be called concurrently.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>

#include "ingest/limits.h"

namespace sawmill::ingest {

using TenantLimits = std::map<std::string, PushLimits, std::less<>>;

class Overrides {
 public:
  explicit Overrides(PushLimits defaults = {});

  // The limits of `tenant`: its override, or the defaults.
  PushLimits For(std::string_view tenant) const;

  // Replaces every per-tenant override at once (tenants missing from `per_tenant` fall back
  // to the defaults).
  void Replace(TenantLimits per_tenant);

  const PushLimits& defaults() const { return defaults_; }
  size_t num_overrides() const;

 private:
  const PushLimits defaults_;
  mutable std::shared_mutex mu_;
  std::shared_ptr<const TenantLimits> per_tenant_;
};

}  // namespace sawmill::ingest
