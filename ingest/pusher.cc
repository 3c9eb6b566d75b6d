#include "ingest/pusher.h"

#include <deque>

#include "storage/metadata.h"
#include "storage/time_format.h"

namespace sawmill::ingest {
namespace {

int64_t ToNs(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

}  // namespace

Pusher::Pusher(storage::Store* store, index::LabelIndex* index, PushLimits limits)
    : store_(store), index_(index), limits_(limits) {}

Status Pusher::Push(std::string_view tenant, const PushRequest& request,
                    std::chrono::system_clock::time_point now, PushOutcome* outcome) {
  *outcome = PushOutcome();
  const int64_t now_ns = ToNs(now);
  const int64_t oldest = now_ns - limits_.reject_old_samples_max_age.count();
  const int64_t newest = now_ns + limits_.creation_grace_period.count();

  std::vector<storage::StreamWrite> writes;
  std::vector<std::string> stream_labels;  // for messages, parallel to writes
  std::deque<std::string> owned;           // encoded metadata and truncated lines
  writes.reserve(request.streams.size());

  for (const PushStream& ps : request.streams) {
    Result<index::LabelSet> parsed = index::LabelSet::Parse(ps.labels);
    if (!parsed.ok()) {
      outcome->errors.push_back(parsed.status().message());
      outcome->refused_entries += ps.entries.size();
      continue;
    }
    const index::LabelSet& labels = *parsed;
    const std::string name = labels.ToString();
    std::string refusal;
    if (labels.empty()) {
      refusal = "error at least one label pair is required per stream";
    } else if (labels.size() > limits_.max_label_names) {
      refusal = "stream '" + name + "' has " + std::to_string(labels.size()) +
                " label names; limit " + std::to_string(limits_.max_label_names);
    } else {
      for (const index::Label& l : labels.labels()) {
        if (l.name.size() > limits_.max_label_name_length) {
          refusal = "stream '" + name + "' has label name too long: '" + l.name + "'";
          break;
        }
        if (l.value.size() > limits_.max_label_value_length) {
          refusal = "stream '" + name + "' has label value too long: '" + l.value + "'";
          break;
        }
      }
    }
    if (!refusal.empty()) {
      outcome->errors.push_back(std::move(refusal));
      outcome->refused_entries += ps.entries.size();
      continue;
    }

    storage::StreamWrite w;
    uint32_t last_bucket_marker = 0;
    bool have_id = false;
    for (const PushEntry& e : ps.entries) {
      std::string_view line = e.line;
      if (limits_.max_line_size > 0 && line.size() > limits_.max_line_size) {
        if (limits_.truncate_lines) {
          line = line.substr(0, limits_.max_line_size);
        } else {
          outcome->errors.push_back("Max entry size '" + std::to_string(limits_.max_line_size) +
                                    "' bytes exceeded for stream '" + name +
                                    "' while adding an entry with length '" +
                                    std::to_string(line.size()) + "' bytes");
          ++outcome->refused_entries;
          continue;
        }
      }
      if (limits_.reject_old_samples && e.ts_ns < oldest) {
        outcome->errors.push_back("entry for stream '" + name +
                                  "' has timestamp too old: " + FormatGoTime(e.ts_ns) +
                                  ", oldest acceptable timestamp is: " + FormatGoTime(oldest));
        ++outcome->refused_entries;
        continue;
      }
      if (e.ts_ns > newest) {
        outcome->errors.push_back("entry for stream '" + name +
                                  "' has timestamp too new: " + FormatGoTime(e.ts_ns));
        ++outcome->refused_entries;
        continue;
      }
      // The index records the stream once per day bucket it has entries in; a lookup per
      // change of day keeps this off the per-entry path.
      const uint32_t day = static_cast<uint32_t>(e.ts_ns / (86400LL * 1000000000LL));
      if (!have_id || day != last_bucket_marker) {
        SAW_ASSIGN_OR_RETURN(w.stream_id, index_->GetOrCreateStream(tenant, labels, e.ts_ns));
        have_id = true;
        last_bucket_marker = day;
      }
      std::string_view metadata;
      if (!e.metadata.empty()) {
        storage::MetadataPairs pairs;
        for (const auto& [k, v] : e.metadata) pairs.emplace_back(std::string(k), std::string(v));
        metadata = owned.emplace_back(storage::EncodeMetadata(pairs));
      }
      w.entries.push_back({e.ts_ns, line, metadata});
    }
    if (!w.entries.empty()) {
      writes.push_back(std::move(w));
      stream_labels.push_back(name);
    }
  }

  if (writes.empty()) return Status::OK();
  storage::WriteResult result;
  SAW_RETURN_IF_ERROR(store_->Write(tenant, writes, &result));
  for (const storage::StreamWrite& w : writes) {
    for (const auto& e : w.entries) outcome->accepted_bytes += e.line.size();
  }
  for (const auto& r : result.rejected) {
    outcome->errors.push_back("entry with timestamp " +
                              FormatGoTime(writes[r.stream_index].entries[r.entry_index].ts_ns) +
                              " ignored, reason: '" + r.reason.message() +
                              "' for stream: " + stream_labels[r.stream_index]);
    ++outcome->refused_entries;
    outcome->accepted_bytes -= writes[r.stream_index].entries[r.entry_index].line.size();
  }
  outcome->accepted_entries = result.accepted + result.duplicates;
  return Status::OK();
}

}  // namespace sawmill::ingest
