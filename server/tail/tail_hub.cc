#include "server/tail/tail_hub.h"

#include <algorithm>
#include <limits>

#include "query/engine/multi_tenant_querier.h"

namespace sawmill::server {
namespace {

// A tail remembers how it treats each stream it has seen; past this many streams it forgets
// them all and starts again (a selector over very many streams costs a rebuild, not memory).
constexpr size_t kMaxStreamStates = 4096;

bool MatchesAll(const std::vector<index::Matcher>& matchers, const index::LabelSet& labels) {
  for (const index::Matcher& m : matchers) {
    if (!m.Matches(labels.Get(m.name()))) return false;
  }
  return true;
}

}  // namespace

Tail::Tail(TailOptions options)
    : options_(std::move(options)),
      tenants_(options_.tenants.empty() ? std::vector<std::string>{options_.tenant}
                                        : options_.tenants) {}

Tail::StreamState* Tail::StateFor(const index::LabelSet& labels) {
  auto it = streams_.find(labels.Fingerprint());
  if (it != streams_.end() && *it->second.labels == labels) return &it->second;
  if (it == streams_.end() && streams_.size() >= kMaxStreamStates) streams_.clear();
  StreamState& state = streams_[labels.Fingerprint()];  // a fingerprint clash replaces
  state.pipeline.reset();                               // before the labels it refers to
  state.labels = std::make_shared<const index::LabelSet>(labels);
  state.matches = MatchesAll(options_.matchers, labels);
  state.pipeline = state.matches ? options_.pipeline->ForStream(*state.labels) : nullptr;
  return &state;
}

void Tail::Offer(std::string_view tenant, const index::LabelSet& stream_labels,
                 std::span<const storage::EntryRef> entries) {
  // A multi-tenant tail sees each stream with its tenant's label, as a multi-tenant query.
  std::shared_ptr<const index::LabelSet> with_tenant;
  if (tenants_.size() > 1) with_tenant = query::engine::WithTenant(stream_labels, tenant);
  const index::LabelSet& labels = with_tenant != nullptr ? *with_tenant : stream_labels;
  bool added = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    StreamState* state = StateFor(labels);
    if (!state->matches) return;
    const bool categorize = options_.categorize_labels;
    // Without stages that change labels, an entry without structured metadata keeps the
    // stream's labels (metadata joins the labels unless they are categorized).
    const bool line_filter_only = options_.pipeline->IsLineFilterOnly();
    query::log::LineResult result;
    for (const storage::EntryRef& e : entries) {
      if (!state->pipeline->Process(e.ts_ns, e.line, e.metadata, &result)) continue;
      const index::LabelSet& final_labels = categorize ? *result.stream : *result.labels;
      std::shared_ptr<const index::LabelSet> out_labels =
          (line_filter_only && (categorize || e.metadata.empty())) || final_labels == *state->labels
              ? state->labels
              : std::make_shared<const index::LabelSet>(final_labels);
      if (buffer_.size() >= options_.max_buffered_entries ||
          buffer_bytes_ + result.line.size() > options_.max_buffered_bytes) {
        if (dropped_.size() < options_.max_dropped) {
          dropped_.push_back({e.ts_ns, std::move(out_labels)});
          added = true;
        }
        continue;
      }
      if (!buffer_.empty() && e.ts_ns < buffer_.back().ts_ns) sorted_ = false;
      TailEntry entry{e.ts_ns, std::move(out_labels), std::string(result.line), {}, {}};
      if (categorize) {
        entry.structured_metadata.assign(result.structured_metadata.begin(),
                                         result.structured_metadata.end());
        entry.parsed.assign(result.parsed.begin(), result.parsed.end());
      }
      buffer_.push_back(std::move(entry));
      buffer_bytes_ += result.line.size();
      added = true;
    }
  }
  if (added && !notified_.exchange(true) && wakeup_) wakeup_();
}

void Tail::Take(int64_t ready_ns, size_t max_entries, std::vector<TailEntry>* entries,
                std::vector<DroppedEntry>* dropped, int64_t* next_ready_ns) {
  constexpr int64_t kNever = std::numeric_limits<int64_t>::max();
  std::lock_guard<std::mutex> lock(mu_);
  notified_.store(false);
  const bool hold_back = ready_ns != kNever;
  if (hold_back && !sorted_) {
    std::stable_sort(buffer_.begin(), buffer_.end(),
                     [](const TailEntry& a, const TailEntry& b) { return a.ts_ns < b.ts_ns; });
    sorted_ = true;
  }
  size_t n = 0;
  while (n < buffer_.size() && n < max_entries && (!hold_back || buffer_[n].ts_ns <= ready_ns)) {
    ++n;
  }
  for (size_t i = 0; i < n; ++i) {
    buffer_bytes_ -= buffer_[i].line.size();
    entries->push_back(std::move(buffer_[i]));
  }
  buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<ptrdiff_t>(n));
  if (buffer_.empty()) sorted_ = true;
  dropped->insert(dropped->end(), std::make_move_iterator(dropped_.begin()),
                  std::make_move_iterator(dropped_.end()));
  dropped_.clear();
  *next_ready_ns = kNever;
  for (const TailEntry& e : buffer_) *next_ready_ns = std::min(*next_ready_ns, e.ts_ns);
}

Status TailHub::Open(const std::shared_ptr<Tail>& tail, size_t max_per_tenant) {
  std::unique_lock<std::shared_mutex> lock(mu_);
  const std::string& key = tail->options().tenant;
  auto counted = counted_.find(key);
  const size_t count = counted == counted_.end() ? 0 : counted->second;
  if (max_per_tenant > 0 && count >= max_per_tenant) {
    return Status::InvalidArgument("max concurrent tail requests limit exceeded, count > limit (" +
                                   std::to_string(count + 1) + " > " +
                                   std::to_string(max_per_tenant) + ")");
  }
  ++counted_[key];
  for (const std::string& tenant : tail->tenants()) by_tenant_[tenant].push_back(tail);
  open_.fetch_add(1);
  return Status::OK();
}

void TailHub::Close(const Tail* tail) {
  std::unique_lock<std::shared_mutex> lock(mu_);
  bool found = false;
  for (const std::string& tenant : tail->tenants()) {
    auto it = by_tenant_.find(tenant);
    if (it == by_tenant_.end()) continue;
    std::vector<std::shared_ptr<Tail>>& tails = it->second;
    for (size_t i = 0; i < tails.size(); ++i) {
      if (tails[i].get() != tail) continue;
      tails.erase(tails.begin() + static_cast<ptrdiff_t>(i));
      found = true;
      break;
    }
    if (tails.empty()) by_tenant_.erase(it);
  }
  if (!found) return;
  auto counted = counted_.find(tail->options().tenant);
  if (counted != counted_.end() && --counted->second == 0) counted_.erase(counted);
  open_.fetch_sub(1);
}

void TailHub::OnPush(std::string_view tenant, std::span<const ingest::PushedStream> streams) {
  std::shared_lock<std::shared_mutex> lock(mu_);
  auto it = by_tenant_.find(std::string(tenant));
  if (it == by_tenant_.end()) return;
  for (const std::shared_ptr<Tail>& tail : it->second) {
    for (const ingest::PushedStream& s : streams) tail->Offer(tenant, *s.labels, s.entries);
  }
}

}  // namespace sawmill::server
