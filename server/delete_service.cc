#include "server/delete_service.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <limits>

#include "server/log.h"

namespace sawmill::server {
namespace {

constexpr int64_t kNsPerMs = 1000000;

// Loki's request id: FNV-1 (32 bits) of the tenant, the creation time in ns and the query,
// as 8 hex digits.
std::string RequestId(std::string_view tenant, int64_t now_ns, std::string_view query) {
  uint32_t h = 2166136261u;
  auto add = [&h](std::string_view bytes) {
    for (unsigned char c : bytes) {
      h *= 16777619u;
      h ^= c;
    }
  };
  add(tenant);
  char le[8];
  for (int i = 0; i < 8; ++i) le[i] = static_cast<char>(static_cast<uint64_t>(now_ns) >> (8 * i));
  add(std::string_view(le, 8));
  add(query);
  char hex[9];
  std::snprintf(hex, sizeof(hex), "%08x", h);
  return hex;
}

int64_t MsToNs(int64_t ms) {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max() / kNsPerMs - 1;
  return std::clamp<int64_t>(ms, -kMax, kMax) * kNsPerMs;
}

std::string ProcessKey(std::string_view tenant, std::string_view id) {
  std::string k(tenant);
  k.push_back('\0');
  k.append(id);
  return k;
}

}  // namespace

DeleteService::DeleteService(storage::Store* store, const index::LabelIndex* index,
                             DeleteOptions options)
    : store_(store), index_(index), options_(options), requests_(store->kv()) {}

DeleteService::~DeleteService() { Stop(); }

Result<DeleteService::Pending> DeleteService::Compile(storage::DeleteRequest r) {
  Pending p;
  SAW_ASSIGN_OR_RETURN(p.query, query::engine::DeleteQuery::Compile(r.query));
  // Loki keeps an entry unless start <= ts <= end (milliseconds, both inclusive).
  p.from_ns = MsToNs(r.start_ms);
  p.to_ns = MsToNs(r.end_ms) + 1;
  p.request = std::move(r);
  return p;
}

Status DeleteService::Start() {
  SAW_ASSIGN_OR_RETURN(std::vector<storage::DeleteRequest> all, requests_.ListAll());
  {
    std::unique_lock<std::shared_mutex> lock(mu_);
    for (storage::DeleteRequest& r : all) {
      if (r.created_at_ms > last_created_ms_.load()) last_created_ms_ = r.created_at_ms;
      Result<Pending> p = Compile(r);
      if (!p.ok()) {  // checked when it was made: only a change of LogQL could do this
        LogWarn(
            "delete request no longer compiles",
            {{"tenant", r.tenant}, {"request_id", r.request_id}, {"err", p.status().message()}});
        continue;
      }
      if (r.status != storage::DeleteStatus::kReceived) {
        processed_[r.tenant].push_back(std::move(p).value());
        ++num_processed_;
        continue;
      }
      pending_[r.tenant].push_back(std::move(p).value());
      ++num_pending_;
    }
  }
  // With per-tenant modes any tenant may be filter-and-delete: the pass checks each request.
  if (options_.mode == DeletionMode::kFilterAndDelete || options_.mode_for) {
    thread_ = std::thread([this] { Loop(); });
  }
  return Status::OK();
}

void DeleteService::Stop() {
  stop_requested_.store(true);
  {
    std::lock_guard<std::mutex> lock(loop_mu_);
    stopping_ = true;
  }
  loop_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

Result<storage::DeleteRequest> DeleteService::Create(const std::string& tenant,
                                                     const std::string& query, int64_t start_ms,
                                                     int64_t end_ms, int64_t now_ms) {
  storage::DeleteRequest r;
  r.tenant = tenant;
  r.query = query;
  r.start_ms = start_ms;
  r.end_ms = end_ms;
  int64_t last = last_created_ms_.load();
  do {
    r.created_at_ms = std::max(now_ms, last + 1);
  } while (!last_created_ms_.compare_exchange_weak(last, r.created_at_ms));
  SAW_ASSIGN_OR_RETURN(Pending p, Compile(r));
  const int64_t now_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  Status added;
  for (int64_t attempt = 0; attempt < 16; ++attempt) {
    p.request.request_id = RequestId(tenant, now_ns + attempt, query);
    added = requests_.Add(p.request);
    if (added.code() != StatusCode::kAlreadyExists) break;
  }
  SAW_RETURN_IF_ERROR(added);
  r = p.request;
  {
    std::unique_lock<std::shared_mutex> lock(mu_);
    pending_[tenant].push_back(std::move(p));
    ++num_pending_;
  }
  {
    std::lock_guard<std::mutex> lock(loop_mu_);
    wake_ = true;
  }
  loop_cv_.notify_all();
  LogInfo("delete request for user added",
          {{"delete_request_id", r.request_id}, {"user", tenant}, {"query", query}});
  return r;
}

Result<std::vector<storage::DeleteRequest>> DeleteService::List(const std::string& tenant) {
  SAW_ASSIGN_OR_RETURN(std::vector<storage::DeleteRequest> out, requests_.List(tenant));
  std::stable_sort(out.begin(), out.end(),
                   [](const auto& a, const auto& b) { return a.created_at_ms < b.created_at_ms; });
  return out;
}

Status DeleteService::Cancel(const std::string& tenant, const std::string& request_id, bool force) {
  // Under mu_: a pass marks a request processed under it too, so the status read here
  // cannot change before the request is removed.
  std::unique_lock<std::shared_mutex> lock(mu_);
  Result<storage::DeleteRequest> r = requests_.Get(tenant, request_id);
  if (!r.ok()) {
    if (r.status().IsNotFound()) {
      return Status::NotFound("could not find delete request with given id");
    }
    return r.status();
  }
  if (r->status == storage::DeleteStatus::kProcessed) {
    return Status::InvalidArgument(
        "deletion of request which is in process or already processed is not allowed");
  }
  if (in_process_ == ProcessKey(tenant, request_id) && !force) {
    return Status::InvalidArgument(
        "Unable to cancel partially completed delete request. To force, use the ?force query "
        "parameter");
  }
  SAW_RETURN_IF_ERROR(requests_.Remove(tenant, request_id));
  auto it = pending_.find(tenant);
  if (it != pending_.end()) {
    auto& v = it->second;
    for (auto p = v.begin(); p != v.end(); ++p) {
      if (p->request.request_id != request_id) continue;
      p->cancelled->store(true);  // a pass on it stops before its next stream
      v.erase(p);
      --num_pending_;
      break;
    }
    if (v.empty()) pending_.erase(it);
  }
  LogInfo("delete request cancelled", {{"delete_request_id", request_id}, {"user", tenant}});
  return Status::OK();
}

std::unique_ptr<query::engine::StreamDeleteFilter> DeleteService::FilterFor(std::string_view tenant,
                                                                            uint64_t stream_id,
                                                                            int64_t from_ns,
                                                                            int64_t to_ns) {
  if (num_pending_.load() == 0 || ModeFor(tenant) == DeletionMode::kDisabled) return nullptr;
  std::vector<
      std::pair<std::shared_ptr<const query::engine::DeleteQuery>, std::pair<int64_t, int64_t>>>
      overlapping;
  {
    std::shared_lock<std::shared_mutex> lock(mu_);
    auto it = pending_.find(std::string(tenant));
    if (it == pending_.end()) return nullptr;
    for (const Pending& p : it->second) {
      if (p.from_ns < to_ns && from_ns < p.to_ns) {
        overlapping.push_back({p.query, {p.from_ns, p.to_ns}});
      }
    }
  }
  if (overlapping.empty()) return nullptr;
  std::shared_ptr<const index::LabelSet> labels = index_->Labels(tenant, stream_id);
  if (labels == nullptr) return nullptr;
  auto filter = std::make_unique<query::engine::StreamDeleteFilter>(labels);
  for (const auto& [query, range] : overlapping) {
    if (query->MatchesStream(*labels)) filter->Add(*query, range.first, range.second);
  }
  if (filter->empty()) return nullptr;
  return filter;
}

Status DeleteService::ProcessOne(const Pending& p, DeletePassStats* stats) {
  const storage::DeleteRequest& r = p.request;
  SAW_ASSIGN_OR_RETURN(std::vector<index::StreamRef> streams,
                       index_->Select(r.tenant, p.query->matchers(), p.from_ns, p.to_ns));
  for (const index::StreamRef& s : streams) {
    if (p.cancelled->load()) return Status::OK();
    if (stop_requested_.load()) return Status::Unavailable("stopping: processed again at start");
    query::engine::StreamDeleteFilter filter(s.labels);
    filter.Add(*p.query, p.from_ns, p.to_ns);
    storage::EntryPredicate remove;  // empty without a filter: every entry in range goes
    if (p.query->has_filter()) {
      remove = [&filter](int64_t ts, std::string_view line, std::string_view metadata) {
        return filter.Deleted(ts, line, metadata);
      };
    }
    SAW_RETURN_IF_ERROR(
        store_->RemoveEntries(r.tenant, s.id, p.from_ns, p.to_ns, remove, &stats->removed));
    ++stats->streams;
  }
  return store_->CompactChunks(r.tenant, p.from_ns, p.to_ns, options_.purge_blob_files);
}

DeletionMode DeleteService::ModeFor(std::string_view tenant) const {
  return options_.mode_for ? options_.mode_for(tenant) : options_.mode;
}

Status DeleteService::ProcessDue(int64_t now_ms, DeletePassStats* stats) {
  std::lock_guard<std::mutex> pass(process_mu_);
  const int64_t cancel_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(options_.cancel_period).count();
  std::vector<Pending> due;
  {
    std::shared_lock<std::shared_mutex> lock(mu_);
    for (const auto& [tenant, v] : pending_) {
      for (const Pending& p : v) {
        // Loki's compactor processes only the requests of filter-and-delete tenants.
        if (p.request.created_at_ms + cancel_ms <= now_ms &&
            ModeFor(p.request.tenant) == DeletionMode::kFilterAndDelete) {
          due.push_back(p);
        }
      }
    }
  }
  std::sort(due.begin(), due.end(), [](const Pending& a, const Pending& b) {
    return a.request.created_at_ms < b.request.created_at_ms;
  });
  for (Pending& p : due) {
    const std::string key = ProcessKey(p.request.tenant, p.request.request_id);
    {
      std::unique_lock<std::shared_mutex> lock(mu_);
      if (p.cancelled->load()) continue;
      in_process_ = key;
    }
    DeletePassStats one;
    Status st = ProcessOne(p, &one);
    std::unique_lock<std::shared_mutex> lock(mu_);
    in_process_.clear();
    if (!st.ok()) {
      LogError("error processing delete request",
               {{"delete_request_id", p.request.request_id}, {"err", st.ToString()}});
      return st;
    }
    if (p.cancelled->load()) continue;  // forced cancel: the request is gone already
    storage::DeleteRequest done = p.request;
    done.status = storage::DeleteStatus::kProcessed;
    SAW_RETURN_IF_ERROR(requests_.Update(done));
    // Processed: queries stop filtering by it (its entries are gone).
    auto it = pending_.find(p.request.tenant);
    if (it != pending_.end()) {
      auto& v = it->second;
      for (auto q = v.begin(); q != v.end(); ++q) {
        if (q->request.request_id == p.request.request_id) {
          v.erase(q);
          --num_pending_;
          break;
        }
      }
      if (v.empty()) pending_.erase(it);
    }
    p.request.status = storage::DeleteStatus::kProcessed;
    processed_[p.request.tenant].push_back(p);
    ++num_processed_;
    ++one.requests_processed;
    LogInfo("delete request processed", {{"delete_request_id", p.request.request_id},
                                         {"user", p.request.tenant},
                                         {"streams", one.streams},
                                         {"chunks_rewritten", one.removed.chunks_rewritten},
                                         {"chunks_dropped", one.removed.chunks_dropped},
                                         {"lines_deleted", one.removed.entries_removed}});
    stats->requests_processed += one.requests_processed;
    stats->streams += one.streams;
    stats->removed.chunks_read += one.removed.chunks_read;
    stats->removed.chunks_rewritten += one.removed.chunks_rewritten;
    stats->removed.chunks_dropped += one.removed.chunks_dropped;
    stats->removed.entries_removed += one.removed.entries_removed;
  }
  return Status::OK();
}

void DeleteService::Loop() {
  // Due requests are looked for every cancel period (at least every 10 ms, at most every
  // minute) and whenever a request is made.
  const auto period = std::clamp<std::chrono::nanoseconds>(
      options_.cancel_period, std::chrono::milliseconds(10), std::chrono::minutes(1));
  std::unique_lock<std::mutex> lock(loop_mu_);
  while (!stopping_) {
    loop_cv_.wait_for(lock, period, [this] { return stopping_ || wake_; });
    if (stopping_) return;
    wake_ = false;
    if (num_pending_.load() == 0) continue;
    lock.unlock();
    const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
    DeletePassStats stats;
    (void)ProcessDue(now_ms, &stats);  // logged; retried at the next round
    lock.lock();
  }
}

Result<std::vector<uint64_t>> DeleteService::TouchedStreams(std::string_view tenant,
                                                            int64_t from_ns, int64_t to_ns) {
  std::vector<uint64_t> out;
  if (num_pending_.load() == 0 && num_processed_.load() == 0) return out;
  struct Range {
    std::shared_ptr<const query::engine::DeleteQuery> query;
    int64_t from_ns, to_ns;
  };
  std::vector<Range> ranges;
  {
    std::shared_lock<std::shared_mutex> lock(mu_);
    const std::string t(tenant);
    auto collect = [&](const std::unordered_map<std::string, std::vector<Pending>>& by_tenant) {
      auto it = by_tenant.find(t);
      if (it == by_tenant.end()) return;
      for (const Pending& p : it->second) {
        const int64_t from = std::max(from_ns, p.from_ns), to = std::min(to_ns, p.to_ns);
        if (from < to) ranges.push_back({p.query, from, to});
      }
    };
    if (ModeFor(tenant) != DeletionMode::kDisabled) collect(pending_);
    collect(processed_);
  }
  for (const Range& r : ranges) {
    SAW_ASSIGN_OR_RETURN(std::vector<index::StreamRef> refs,
                         index_->Select(tenant, r.query->matchers(), r.from_ns, r.to_ns));
    for (const index::StreamRef& ref : refs) out.push_back(ref.id);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace sawmill::server
