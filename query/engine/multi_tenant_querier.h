// Multi-tenant queries (`X-Scope-OrgID: a|b`), as Loki's MultiTenantQuerier answers them
// when `multi_tenant_queries_enabled` is on: every tenant is read and each stream gets the
// label `__tenant_id__="<tenant>"`; matchers on `__tenant_id__` choose the tenants (they are
// taken out of the selector before each tenant's index is asked); label names include
// `__tenant_id__`, and its values are the tenants.
//
// A MultiTenantQuerier wraps the real querier for one request. The engine calls it with any
// tenant string (it ignores it) and ids this querier hands out: SelectStreams and Series
// number the streams they return in a table of (tenant, real id), so two tenants' streams
// with the same fingerprint stay apart. The table grows with the streams selected, which the
// engine bounds already.
//
// Thread-safety: as Querier (the id table has its own mutex).
#pragma once

#include <deque>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "query/engine/querier.h"

namespace sawmill::query::engine {

class MultiTenantQuerier final : public Querier {
 public:
  // `base` must outlive this object; `tenants` are distinct, validated tenant ids.
  MultiTenantQuerier(Querier* base, std::vector<std::string> tenants)
      : base_(base), tenants_(std::move(tenants)) {}

  Result<std::vector<SelectedStream>> SelectStreams(std::string_view tenant,
                                                    std::span<const index::Matcher> matchers,
                                                    int64_t from_ns, int64_t to_ns) override;
  Result<std::unique_ptr<EntryIterator>> OpenStream(std::string_view tenant, uint64_t stream_id,
                                                    int64_t from_ns, int64_t to_ns,
                                                    Direction direction) override;
  Result<std::unique_ptr<SampleIterator>> OpenSamples(std::string_view tenant, uint64_t stream_id,
                                                      int64_t from_ns, int64_t to_ns,
                                                      Direction direction) override;
  Result<StreamSpan> Span(std::string_view tenant, uint64_t stream_id, int64_t from_ns,
                          int64_t to_ns) override;
  Result<std::unique_ptr<BatchIterator>> OpenBatches(std::string_view tenant, uint64_t stream_id,
                                                     int64_t from_ns, int64_t to_ns,
                                                     bool with_text) override;
  Result<std::unique_ptr<BatchIterator>> OpenBatchesBackward(std::string_view tenant,
                                                             uint64_t stream_id, int64_t from_ns,
                                                             int64_t to_ns) override;
  Result<StreamUsage> Usage(std::string_view tenant, uint64_t stream_id, int64_t from_ns,
                            int64_t to_ns) override;
  Result<std::vector<std::string>> LabelNames(std::string_view tenant, int64_t from_ns,
                                              int64_t to_ns) override;
  Result<std::vector<std::string>> LabelValues(std::string_view tenant, std::string_view name,
                                               int64_t from_ns, int64_t to_ns,
                                               std::span<const index::Matcher> matchers) override;
  Result<std::vector<SelectedStream>> Series(std::string_view tenant,
                                             std::span<const std::vector<index::Matcher>> selectors,
                                             int64_t from_ns, int64_t to_ns) override;

 private:
  struct Ref {
    const std::string* tenant;
    uint64_t id;
  };
  // The tenants every `__tenant_id__` matcher accepts, and the other matchers.
  std::vector<const std::string*> Tenants(std::span<const index::Matcher> matchers,
                                          std::vector<index::Matcher>* rest) const;
  // Records the streams of `tenant`, relabelled and renumbered, into *out.
  void Adopt(const std::string* tenant, std::vector<SelectedStream> streams,
             std::vector<SelectedStream>* out);
  Result<Ref> Find(uint64_t id) const;

  Querier* const base_;
  const std::vector<std::string> tenants_;
  mutable std::mutex mu_;
  std::deque<Ref> refs_;  // index = the id handed out
};

// The labels with `__tenant_id__="<tenant>"` added in its sorted place (replacing one the
// labels have): how a multi-tenant read labels a tenant's streams (also the live tail's).
std::shared_ptr<const index::LabelSet> WithTenant(const index::LabelSet& labels,
                                                  std::string_view tenant);

// Splits an X-Scope-OrgID value on '|' into distinct, non-empty ids, in order.
std::vector<std::string> SplitTenantIds(std::string_view header);

}  // namespace sawmill::query::engine
