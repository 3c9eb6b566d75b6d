// The read path of LabelIndex: selectors to postings, and the label name/value/series lookups.
#include <algorithm>
#include <mutex>

#include "index/label_index.h"
#include "index/label_index_internal.h"
#include "storage/keys.h"

namespace sawmill::index {
namespace {

Status CheckSelector(std::span<const Matcher> matchers) {
  for (const Matcher& m : matchers) {
    if (!m.MatchesEmpty()) return Status::OK();
  }
  return Status::InvalidArgument(kEmptyCompatibleMessage);
}

}  // namespace

bool LabelIndex::BucketRange(int64_t from_ns, int64_t to_ns, uint32_t* first,
                             uint32_t* last) const {
  if (to_ns <= from_ns) return false;
  *first = storage::BucketOf(from_ns, options_.bucket_width_ns);
  *last = storage::BucketOf(to_ns - 1, options_.bucket_width_ns);
  return true;
}

// Each matcher plays one of two roles. One that refuses "" selects streams: the union of the
// postings of the values it matches. One that accepts "" can only remove streams: the union of
// the postings of the values it refuses is subtracted (a stream without the label has "" and
// stays). The candidate values come from the matcher's literal set when it has one and the
// role wants exactly those values; otherwise the matcher runs over the label's values.
Postings LabelIndex::SelectInBucket(const Bucket& b, std::span<const Matcher> matchers) {
  std::vector<Postings> positive;
  std::vector<PostingsView> negative;  // subtracted one by one: no union is built
  std::vector<PostingsView> lists;
  for (const Matcher& m : matchers) {
    const bool selects = !m.MatchesEmpty();
    std::vector<PostingsView>* out = selects ? &lists : &negative;
    lists.clear();
    auto name_it = b.postings.find(m.name());
    if (name_it != b.postings.end()) {
      const ValueMap& values = name_it->second;
      if (m.IsSet() && m.IsPositive() == selects) {
        for (const std::string& v : m.set()) {
          auto it = values.find(v);
          if (it != values.end()) it->second.AppendViews(out);
        }
      } else {
        for (const auto& [v, l] : values) {
          if (m.Matches(v) == selects) l.AppendViews(out);
        }
      }
    }
    if (selects) {
      if (lists.empty()) return {};  // nothing can match every matcher
      positive.push_back(UnionAll(lists));
    }
  }
  std::sort(positive.begin(), positive.end(),
            [](const Postings& a, const Postings& c) { return a.size() < c.size(); });
  Postings result = std::move(positive[0]);
  for (size_t i = 1; i < positive.size() && !result.empty(); ++i) {
    result = Intersect(result, positive[i]);
  }
  for (PostingsView n : negative) {
    if (result.empty()) break;
    result = Subtract(result, n);
  }
  return result;
}

Postings LabelIndex::SelectIds(const Tenant& t, std::span<const Matcher> matchers, int64_t from_ns,
                               int64_t to_ns) const {
  uint32_t first, last;
  if (!BucketRange(from_ns, to_ns, &first, &last)) return {};
  std::vector<Postings> per_bucket;
  for (auto it = t.buckets.lower_bound(first); it != t.buckets.end() && it->first <= last; ++it) {
    Postings ids = SelectInBucket(it->second, matchers);
    if (!ids.empty()) per_bucket.push_back(std::move(ids));
  }
  if (per_bucket.size() == 1) return std::move(per_bucket[0]);
  std::vector<PostingsView> views(per_bucket.begin(), per_bucket.end());
  return UnionAll(views);
}

Result<std::vector<StreamRef>> LabelIndex::Select(std::string_view tenant,
                                                  std::span<const Matcher> matchers,
                                                  int64_t from_ns, int64_t to_ns) const {
  SAW_RETURN_IF_ERROR(storage::ValidateTenant(tenant));
  SAW_RETURN_IF_ERROR(CheckSelector(matchers));
  std::shared_lock lock(mu_);
  std::vector<StreamRef> out;
  const Tenant* t = FindTenant(tenant);
  if (t == nullptr) return out;
  Postings ids = SelectIds(*t, matchers, from_ns, to_ns);
  out.reserve(ids.size());
  for (uint64_t id : ids) out.push_back({id, t->streams.at(id).labels});
  return out;
}

Result<std::vector<StreamRef>> LabelIndex::Series(std::string_view tenant,
                                                  std::span<const std::vector<Matcher>> selectors,
                                                  int64_t from_ns, int64_t to_ns) const {
  SAW_RETURN_IF_ERROR(storage::ValidateTenant(tenant));
  for (const auto& s : selectors) SAW_RETURN_IF_ERROR(CheckSelector(s));
  std::shared_lock lock(mu_);
  std::vector<StreamRef> out;
  const Tenant* t = FindTenant(tenant);
  if (t == nullptr) return out;
  std::vector<Postings> per_selector;
  for (const auto& s : selectors) per_selector.push_back(SelectIds(*t, s, from_ns, to_ns));
  std::vector<PostingsView> views(per_selector.begin(), per_selector.end());
  Postings ids = UnionAll(views);
  out.reserve(ids.size());
  for (uint64_t id : ids) out.push_back({id, t->streams.at(id).labels});
  return out;
}

Result<std::vector<std::string>> LabelIndex::LabelNames(std::string_view tenant, int64_t from_ns,
                                                        int64_t to_ns) const {
  SAW_RETURN_IF_ERROR(storage::ValidateTenant(tenant));
  std::shared_lock lock(mu_);
  std::vector<std::string> out;
  const Tenant* t = FindTenant(tenant);
  uint32_t first, last;
  if (t == nullptr || !BucketRange(from_ns, to_ns, &first, &last)) return out;
  for (auto it = t->buckets.lower_bound(first); it != t->buckets.end() && it->first <= last; ++it) {
    for (const auto& [name, values] : it->second.postings) out.push_back(name);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

Result<std::vector<std::string>> LabelIndex::LabelValues(std::string_view tenant,
                                                         std::string_view name, int64_t from_ns,
                                                         int64_t to_ns,
                                                         std::span<const Matcher> matchers) const {
  SAW_RETURN_IF_ERROR(storage::ValidateTenant(tenant));
  if (!matchers.empty()) SAW_RETURN_IF_ERROR(CheckSelector(matchers));
  std::shared_lock lock(mu_);
  std::vector<std::string> out;
  const Tenant* t = FindTenant(tenant);
  uint32_t first, last;
  if (t == nullptr || !BucketRange(from_ns, to_ns, &first, &last)) return out;
  if (matchers.empty()) {
    for (auto it = t->buckets.lower_bound(first); it != t->buckets.end() && it->first <= last;
         ++it) {
      auto name_it = it->second.postings.find(name);
      if (name_it == it->second.postings.end()) continue;
      for (const auto& [value, list] : name_it->second) out.push_back(value);
    }
  } else {
    // The selected streams' own labels give the values: no per-value intersections.
    for (uint64_t id : SelectIds(*t, matchers, from_ns, to_ns)) {
      std::string_view v = t->streams.at(id).labels->Get(name);
      if (!v.empty()) out.emplace_back(v);
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace sawmill::index
