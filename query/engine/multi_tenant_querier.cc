#include "query/engine/multi_tenant_querier.h"

#include <algorithm>
#include <set>

#include "query/engine/index_stats.h"

namespace sawmill::query::engine {

std::shared_ptr<const index::LabelSet> WithTenant(const index::LabelSet& labels,
                                                  std::string_view tenant) {
  std::vector<index::Label> out;
  out.reserve(labels.size() + 1);
  bool added = false;
  for (const index::Label& l : labels.labels()) {
    if (!added && l.name >= kTenantLabel) {
      out.push_back({kTenantLabel, std::string(tenant)});
      added = true;
      if (l.name == kTenantLabel) continue;
    }
    out.push_back(l);
  }
  if (!added) out.push_back({kTenantLabel, std::string(tenant)});
  return std::make_shared<const index::LabelSet>(
      index::LabelSet::FromSortedUnchecked(std::move(out)));
}

namespace {

// Every stream of the tenant present in the range (a selector of tenant matchers only).
Result<std::vector<SelectedStream>> AllStreams(Querier* q, std::string_view tenant, int64_t from_ns,
                                               int64_t to_ns) {
  return SelectStreamsOrAll(q, tenant, {}, from_ns, to_ns);
}

}  // namespace

std::vector<std::string> SplitTenantIds(std::string_view header) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= header.size()) {
    size_t bar = header.find('|', start);
    if (bar == std::string_view::npos) bar = header.size();
    std::string id(header.substr(start, bar - start));
    if (!id.empty() && std::find(out.begin(), out.end(), id) == out.end()) {
      out.push_back(std::move(id));
    }
    start = bar + 1;
  }
  return out;
}

std::vector<const std::string*> MultiTenantQuerier::Tenants(
    std::span<const index::Matcher> matchers, std::vector<index::Matcher>* rest) const {
  std::vector<const std::string*> out;
  for (const std::string& t : tenants_) {
    bool ok = true;
    for (const index::Matcher& m : matchers) {
      if (m.name() == kTenantLabel && !m.Matches(t)) ok = false;
    }
    if (ok) out.push_back(&t);
  }
  for (const index::Matcher& m : matchers) {
    if (m.name() != kTenantLabel) rest->push_back(m);
  }
  return out;
}

void MultiTenantQuerier::Adopt(const std::string* tenant, std::vector<SelectedStream> streams,
                               std::vector<SelectedStream>* out) {
  std::lock_guard<std::mutex> lock(mu_);
  for (SelectedStream& s : streams) {
    refs_.push_back({tenant, s.id});
    out->push_back({refs_.size() - 1, WithTenant(*s.labels, *tenant)});
  }
}

Result<MultiTenantQuerier::Ref> MultiTenantQuerier::Find(uint64_t id) const {
  std::lock_guard<std::mutex> lock(mu_);
  if (id >= refs_.size()) return Status::NotFound("no such stream in this multi-tenant query");
  return refs_[id];
}

Result<std::vector<SelectedStream>> MultiTenantQuerier::SelectStreams(
    std::string_view, std::span<const index::Matcher> matchers, int64_t from_ns, int64_t to_ns) {
  std::vector<index::Matcher> rest;
  std::vector<const std::string*> tenants = Tenants(matchers, &rest);
  std::vector<SelectedStream> out;
  for (const std::string* t : tenants) {
    Result<std::vector<SelectedStream>> streams =
        rest.empty() ? AllStreams(base_, *t, from_ns, to_ns)
                     : base_->SelectStreams(*t, rest, from_ns, to_ns);
    if (!streams.ok()) return streams.status();
    Adopt(t, std::move(streams).value(), &out);
  }
  return out;
}

Result<std::unique_ptr<EntryIterator>> MultiTenantQuerier::OpenStream(
    std::string_view, uint64_t stream_id, int64_t from_ns, int64_t to_ns, Direction direction) {
  SAW_ASSIGN_OR_RETURN(Ref r, Find(stream_id));
  return base_->OpenStream(*r.tenant, r.id, from_ns, to_ns, direction);
}

Result<std::unique_ptr<SampleIterator>> MultiTenantQuerier::OpenSamples(
    std::string_view, uint64_t stream_id, int64_t from_ns, int64_t to_ns, Direction direction) {
  SAW_ASSIGN_OR_RETURN(Ref r, Find(stream_id));
  return base_->OpenSamples(*r.tenant, r.id, from_ns, to_ns, direction);
}

Result<StreamSpan> MultiTenantQuerier::Span(std::string_view, uint64_t stream_id, int64_t from_ns,
                                            int64_t to_ns) {
  SAW_ASSIGN_OR_RETURN(Ref r, Find(stream_id));
  return base_->Span(*r.tenant, r.id, from_ns, to_ns);
}

Result<std::unique_ptr<BatchIterator>> MultiTenantQuerier::OpenBatches(
    std::string_view, uint64_t stream_id, int64_t from_ns, int64_t to_ns, bool with_text) {
  SAW_ASSIGN_OR_RETURN(Ref r, Find(stream_id));
  return base_->OpenBatches(*r.tenant, r.id, from_ns, to_ns, with_text);
}

Result<std::unique_ptr<BatchIterator>> MultiTenantQuerier::OpenBatchesBackward(std::string_view,
                                                                               uint64_t stream_id,
                                                                               int64_t from_ns,
                                                                               int64_t to_ns) {
  SAW_ASSIGN_OR_RETURN(Ref r, Find(stream_id));
  return base_->OpenBatchesBackward(*r.tenant, r.id, from_ns, to_ns);
}

Result<StreamUsage> MultiTenantQuerier::Usage(std::string_view, uint64_t stream_id, int64_t from_ns,
                                              int64_t to_ns) {
  SAW_ASSIGN_OR_RETURN(Ref r, Find(stream_id));
  return base_->Usage(*r.tenant, r.id, from_ns, to_ns);
}

Result<std::vector<std::string>> MultiTenantQuerier::LabelNames(std::string_view, int64_t from_ns,
                                                                int64_t to_ns) {
  std::set<std::string> names{kTenantLabel};
  for (const std::string& t : tenants_) {
    SAW_ASSIGN_OR_RETURN(std::vector<std::string> n, base_->LabelNames(t, from_ns, to_ns));
    names.insert(n.begin(), n.end());
  }
  return std::vector<std::string>(names.begin(), names.end());
}

Result<std::vector<std::string>> MultiTenantQuerier::LabelValues(
    std::string_view, std::string_view name, int64_t from_ns, int64_t to_ns,
    std::span<const index::Matcher> matchers) {
  std::vector<index::Matcher> rest;
  std::vector<const std::string*> tenants = Tenants(matchers, &rest);
  std::set<std::string> values;
  for (const std::string* t : tenants) {
    if (name == kTenantLabel) {
      values.insert(*t);
      continue;
    }
    Result<std::vector<std::string>> v =
        base_->LabelValues(*t, name, from_ns, to_ns, std::span<const index::Matcher>(rest));
    if (!v.ok()) return v.status();
    values.insert(v->begin(), v->end());
  }
  return std::vector<std::string>(values.begin(), values.end());
}

Result<std::vector<SelectedStream>> MultiTenantQuerier::Series(
    std::string_view, std::span<const std::vector<index::Matcher>> selectors, int64_t from_ns,
    int64_t to_ns) {
  std::vector<SelectedStream> out;
  for (const std::string& t : tenants_) {
    std::vector<std::vector<index::Matcher>> mine;
    bool all = false;
    for (const std::vector<index::Matcher>& sel : selectors) {
      std::vector<index::Matcher> rest;
      std::vector<const std::string*> accepted = Tenants(sel, &rest);
      if (std::find(accepted.begin(), accepted.end(), &t) == accepted.end()) continue;
      if (rest.empty()) all = true;
      mine.push_back(std::move(rest));
    }
    if (mine.empty()) continue;
    Result<std::vector<SelectedStream>> streams =
        all ? AllStreams(base_, t, from_ns, to_ns) : base_->Series(t, mine, from_ns, to_ns);
    if (!streams.ok()) return streams.status();
    Adopt(&t, std::move(streams).value(), &out);
  }
  return out;
}

}  // namespace sawmill::query::engine
