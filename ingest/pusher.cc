#include "ingest/pusher.h"

#include <deque>

#include "ingest/head_source.h"
#include "storage/keys.h"
#include "storage/time_format.h"

namespace sawmill::ingest {
namespace {

int64_t ToNs(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

int64_t SteadyNowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::string RateLimitedMessage(std::string_view tenant, double rate_bytes, size_t lines,
                               size_t bytes) {
  return "Ingestion rate limit exceeded for user " + std::string(tenant) +
         " (limit: " + std::to_string(static_cast<int64_t>(rate_bytes)) +
         " bytes/sec) while attempting to ingest '" + std::to_string(lines) + "' lines totaling '" +
         std::to_string(bytes) +
         "' bytes, reduce log volume or contact your Loki administrator to see if the limit "
         "can be increased";
}

std::string StreamLimitMessage(std::string_view tenant, const std::string& stream) {
  return "Maximum active stream limit exceeded when trying to create stream " + stream +
         ", reduce the number of active streams (reduce labels or reduce label values), or "
         "contact your Loki administrator to see if the limit can be increased, user: '" +
         std::string(tenant) + "'";
}

void Discard(PushOutcome* outcome, std::string_view reason, size_t entries, size_t bytes) {
  for (Discarded& d : outcome->discarded) {
    if (d.reason == reason) {
      d.entries += entries;
      d.bytes += bytes;
      return;
    }
  }
  outcome->discarded.push_back({reason, entries, bytes});
}

size_t LineBytes(const PushStream& ps) {
  size_t n = 0;
  for (const PushEntry& e : ps.entries) n += e.line.size();
  return n;
}

}  // namespace

// A stream of the push that passed validation, with its valid entries.
struct Pusher::Candidate {
  std::shared_ptr<StreamCache::Entry> stream;  // labels, name, id hint
  const index::LabelSet& labels() const { return stream->labels; }
  const std::string& name() const { return stream->name; }
  std::vector<storage::EntryRef> entries;
  bool admitted = true;   // false: refused by the active-stream limit
  uint32_t origin = 0;    // index of its stream in the request
  bool unchanged = true;  // holds every entry of that stream as decoded
};

Pusher::Pusher(storage::Store* store, index::LabelIndex* index, const Overrides* overrides,
               Clock clock)
    : store_(store),
      index_(index),
      overrides_(overrides),
      clock_(clock ? std::move(clock) : Clock(SteadyNowNs)) {}

size_t Pusher::AdmitStreams(std::string_view tenant, size_t limit,
                            std::vector<Candidate>* candidates, PushOutcome* outcome) {
  const std::string key(tenant);
  std::vector<bool> active;
  {
    // Fast path, far from the limit: even if every stream of the push were new, the tenant
    // would stay within it. Reserve them all (a bound) and skip the per-stream lookups.
    std::lock_guard<std::mutex> lock(reserve_mu_);
    size_t count = store_->ActiveStreams(tenant, {}, &active);
    auto reserved = reserved_.find(key);
    if (reserved != reserved_.end()) count += reserved->second;
    if (count + candidates->size() <= limit) {
      reserved_[key] += candidates->size();
      return candidates->size();
    }
  }
  // Near the limit: which candidates the index knows; of those, which the store holds as
  // active. Only the others are new.
  std::vector<uint64_t> ids;
  std::vector<size_t> known;  // candidate index of ids[i]
  for (size_t i = 0; i < candidates->size(); ++i) {
    if (std::optional<uint64_t> id = index_->FindStream(tenant, (*candidates)[i].labels())) {
      ids.push_back(*id);
      known.push_back(i);
    }
  }
  std::vector<bool> is_new(candidates->size(), true);
  std::lock_guard<std::mutex> lock(reserve_mu_);
  size_t count = store_->ActiveStreams(tenant, ids, &active);
  for (size_t i = 0; i < ids.size(); ++i) {
    if (active[i]) is_new[known[i]] = false;
  }
  auto reserved = reserved_.find(key);
  if (reserved != reserved_.end()) count += reserved->second;

  size_t admitted_new = 0;
  for (size_t i = 0; i < candidates->size(); ++i) {
    if (!is_new[i]) continue;
    Candidate& c = (*candidates)[i];
    if (count + admitted_new < limit) {
      ++admitted_new;
      continue;
    }
    c.admitted = false;
    outcome->errors.push_back(StreamLimitMessage(tenant, c.name()));
    outcome->refused_entries += c.entries.size();
    size_t bytes = 0;
    for (const storage::EntryRef& e : c.entries) bytes += e.line.size();
    Discard(outcome, "stream_limit", c.entries.size(), bytes);
    outcome->too_many_requests = true;
  }
  if (admitted_new > 0) reserved_[key] += admitted_new;
  return admitted_new;
}

void Pusher::Release(std::string_view tenant, size_t reserved) {
  if (reserved == 0) return;
  std::lock_guard<std::mutex> lock(reserve_mu_);
  auto it = reserved_.find(std::string(tenant));
  if (it == reserved_.end()) return;
  it->second -= std::min(it->second, reserved);
  if (it->second == 0) reserved_.erase(it);
}

void Pusher::NotifyListener(std::string_view tenant, const std::vector<Candidate>& candidates,
                            const std::vector<storage::StreamWrite>& writes,
                            const storage::WriteResult& result) {
  std::vector<PushedStream> streams;
  streams.reserve(writes.size());
  size_t w = 0;
  for (const Candidate& c : candidates) {
    if (!c.admitted) continue;
    streams.push_back({&c.labels(), writes[w++].entries});
  }
  // Refused entries are left out: copies of the streams that had some.
  std::vector<std::vector<storage::EntryRef>> kept;
  if (!result.rejected.empty()) {
    std::vector<std::vector<bool>> refused(writes.size());
    for (const auto& r : result.rejected) {
      if (refused[r.stream_index].empty()) {
        refused[r.stream_index].assign(writes[r.stream_index].entries.size(), false);
      }
      refused[r.stream_index][r.entry_index] = true;
    }
    kept.reserve(writes.size());
    for (size_t i = 0; i < writes.size(); ++i) {
      if (refused[i].empty()) continue;
      std::vector<storage::EntryRef>& k = kept.emplace_back();
      for (size_t j = 0; j < writes[i].entries.size(); ++j) {
        if (!refused[i][j]) k.push_back(writes[i].entries[j]);
      }
      streams[i].entries = k;
    }
  }
  listener_->OnPush(tenant, streams);
}

Status Pusher::Push(std::string_view tenant, const PushRequest& request,
                    std::chrono::system_clock::time_point now, PushOutcome* outcome) {
  *outcome = PushOutcome();
  const PushLimits limits = overrides_->For(tenant);
  const int64_t now_ns = ToNs(now);
  const int64_t oldest = now_ns - limits.reject_old_samples_max_age.count();
  const int64_t newest = now_ns + limits.creation_grace_period.count();

  // Step 1: validation.
  std::vector<Candidate> candidates;
  std::deque<std::string> owned;  // encoded metadata
  candidates.reserve(request.streams.size());
  size_t valid_lines = 0, valid_bytes = 0;
  for (size_t origin = 0; origin < request.streams.size(); ++origin) {
    const PushStream& ps = request.streams[origin];
    Candidate c;
    c.origin = static_cast<uint32_t>(origin);
    c.stream = stream_cache_.Find(tenant, ps.labels);
    if (c.stream == nullptr) {
      Result<index::LabelSet> parsed = index::LabelSet::Parse(ps.labels);
      if (!parsed.ok()) {
        outcome->errors.push_back(parsed.status().message());
        outcome->refused_entries += ps.entries.size();
        Discard(outcome, "invalid_labels", ps.entries.size(), LineBytes(ps));
        continue;
      }
      c.stream = stream_cache_.Insert(
          tenant, ps.labels, std::make_shared<StreamCache::Entry>(std::move(parsed).value()));
    }
    const index::LabelSet& labels = c.labels();
    const std::string& name = c.name();
    std::string refusal;
    std::string_view reason;
    if (labels.empty()) {
      refusal = "error at least one label pair is required per stream";
      reason = "missing_labels";
    } else if (labels.size() > limits.max_label_names) {
      refusal = "stream '" + name + "' has " + std::to_string(labels.size()) +
                " label names; limit " + std::to_string(limits.max_label_names);
      reason = "max_label_names_per_series";
    } else {
      for (const index::Label& l : labels.labels()) {
        if (l.name.size() > limits.max_label_name_length) {
          refusal = "stream '" + name + "' has label name too long: '" + l.name + "'";
          reason = "label_name_too_long";
          break;
        }
        if (l.value.size() > limits.max_label_value_length) {
          refusal = "stream '" + name + "' has label value too long: '" + l.value + "'";
          reason = "label_value_too_long";
          break;
        }
      }
    }
    if (!refusal.empty()) {
      outcome->errors.push_back(std::move(refusal));
      outcome->refused_entries += ps.entries.size();
      Discard(outcome, reason, ps.entries.size(), LineBytes(ps));
      continue;
    }

    c.entries.reserve(ps.entries.size());
    for (const PushEntry& e : ps.entries) {
      std::string_view line = e.line;
      if (limits.max_line_size > 0 && line.size() > limits.max_line_size) {
        c.unchanged = false;
        if (limits.truncate_lines) {
          line = line.substr(0, limits.max_line_size);
        } else {
          outcome->errors.push_back("Max entry size '" + std::to_string(limits.max_line_size) +
                                    "' bytes exceeded for stream '" + name +
                                    "' while adding an entry with length '" +
                                    std::to_string(line.size()) + "' bytes");
          ++outcome->refused_entries;
          Discard(outcome, "line_too_long", 1, line.size());
          continue;
        }
      }
      if (limits.reject_old_samples && e.ts_ns < oldest) {
        c.unchanged = false;
        outcome->errors.push_back("entry for stream '" + name +
                                  "' has timestamp too old: " + FormatGoTime(e.ts_ns) +
                                  ", oldest acceptable timestamp is: " + FormatGoTime(oldest));
        ++outcome->refused_entries;
        Discard(outcome, "greater_than_max_sample_age", 1, line.size());
        continue;
      }
      if (e.ts_ns > newest) {
        c.unchanged = false;
        outcome->errors.push_back("entry for stream '" + name +
                                  "' has timestamp too new: " + FormatGoTime(e.ts_ns));
        ++outcome->refused_entries;
        Discard(outcome, "too_far_in_future", 1, line.size());
        continue;
      }
      c.entries.push_back({e.ts_ns, line, EncodeEntryMetadata(e, &owned)});
      ++valid_lines;
      valid_bytes += line.size();
    }
    if (!c.entries.empty()) candidates.push_back(std::move(c));
  }
  outcome->received_entries = valid_lines;
  outcome->received_bytes = valid_bytes;
  if (candidates.empty()) return Status::OK();

  // Step 2: the ingestion rate, over the valid lines' bytes. Over it, nothing is stored.
  if (limits.ingestion_rate_mb > 0) {
    const double rate = limits.ingestion_rate_mb * kBytesPerMB;
    const double burst = limits.ingestion_burst_size_mb * kBytesPerMB;
    if (!rate_limiter_.Allow(tenant, rate, burst, static_cast<double>(valid_bytes), clock_())) {
      outcome->errors.assign({RateLimitedMessage(tenant, rate, valid_lines, valid_bytes)});
      outcome->refused_entries += valid_lines;
      Discard(outcome, "rate_limited", valid_lines, valid_bytes);
      outcome->too_many_requests = true;
      outcome->rate_limited = true;
      return Status::OK();
    }
  }

  // Step 3: the active-stream limit; new streams past it are refused, the others go on.
  size_t reserved = 0;
  if (const size_t limit = limits.StreamLimit(); limit > 0) {
    reserved = AdmitStreams(tenant, limit, &candidates, outcome);
  }
  Status st = [&]() -> Status {
    // Step 4: index and store.
    std::vector<storage::StreamWrite> writes;
    std::vector<const std::string*> stream_labels;  // for messages, parallel to writes
    std::vector<uint32_t> origins;                  // parallel to writes
    bool unchanged = request.source_format != 0;
    writes.reserve(candidates.size());
    for (Candidate& c : candidates) {
      if (!c.admitted) continue;
      storage::StreamWrite w;
      // The index records the stream once per day bucket it has entries in; a lookup per
      // change of bucket keeps this off the per-entry path, and the stream cache keeps it off
      // the per-push path once the stream is known to be in the bucket.
      const int64_t width = index_->bucket_width_ns();
      uint32_t last_bucket = 0;
      bool have_id = false;
      for (const storage::EntryRef& e : c.entries) {
        const uint32_t bucket = storage::BucketOf(e.ts_ns, width);
        if (have_id && bucket == last_bucket) continue;
        if (!c.stream->Known(bucket, &w.stream_id)) {
          SAW_ASSIGN_OR_RETURN(w.stream_id, index_->GetOrCreateStream(tenant, c.labels(), e.ts_ns));
          c.stream->Remember(bucket, w.stream_id);
        }
        have_id = true;
        last_bucket = bucket;
      }
      w.entries = std::move(c.entries);
      writes.push_back(std::move(w));
      stream_labels.push_back(&c.name());
      origins.push_back(c.origin);
      unchanged = unchanged && c.unchanged;
    }
    if (writes.empty()) return Status::OK();
    storage::WriteResult result;
    // Every stream written as decoded: the head record can be the body (ingest/head_source.h).
    const storage::WriteSource source{request.source_format, request.source, origins};
    SAW_RETURN_IF_ERROR(store_->Write(tenant, writes, unchanged ? &source : nullptr, &result));
    for (const storage::StreamWrite& w : writes) {
      for (const auto& e : w.entries) outcome->accepted_bytes += e.line.size();
    }
    for (const auto& r : result.rejected) {
      outcome->errors.push_back("entry with timestamp " +
                                FormatGoTime(writes[r.stream_index].entries[r.entry_index].ts_ns) +
                                " ignored, reason: '" + r.reason.message() +
                                "' for stream: " + *stream_labels[r.stream_index]);
      ++outcome->refused_entries;
      const size_t bytes = writes[r.stream_index].entries[r.entry_index].line.size();
      outcome->accepted_bytes -= bytes;
      // The store refuses entries behind the out-of-order window (Loki's too_far_behind) and
      // entries larger than a chunk can hold.
      Discard(outcome,
              r.reason.message().starts_with("entry too far behind") ? "too_far_behind"
                                                                     : "line_too_long",
              1, bytes);
    }
    outcome->accepted_entries = result.accepted + result.duplicates;
    if (listener_ != nullptr && listener_->Active()) {
      NotifyListener(tenant, candidates, writes, result);
    }
    return Status::OK();
  }();
  Release(tenant, reserved);
  return st;
}

}  // namespace sawmill::ingest
