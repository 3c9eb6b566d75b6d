// Per-stream usage figures for Loki's index stats and volume endpoints. Flushed chunks are
// counted from their kChunkIndex rows (ChunkMeta: entries and raw bytes), never opened; the
// heads are snapshotted under the same lock as a read, so an entry is counted once, in a head
// or in a chunk.
#include <algorithm>

#include "storage/keys.h"
#include "storage/store_impl.h"

namespace sawmill::storage {
namespace {

// `total` scaled by the part of [min_ts, max_ts] inside [from_ns, to_ns), rounded to nearest.
uint64_t Prorate(uint64_t total, int64_t min_ts, int64_t max_ts, int64_t from_ns, int64_t to_ns) {
  if (min_ts >= from_ns && max_ts < to_ns) return total;
  const long double span = static_cast<long double>(max_ts) - min_ts + 1;
  const long double lo = std::max(min_ts, from_ns);
  const long double hi = std::min<long double>(static_cast<long double>(max_ts) + 1, to_ns);
  if (hi <= lo || span <= 0) return 0;
  const long double part = static_cast<long double>(total) * ((hi - lo) / span);
  return static_cast<uint64_t>(part + 0.5L);
}

}  // namespace

Result<StreamUsage> StoreImpl::Usage(std::string_view tenant, uint64_t stream_id, int64_t from_ns,
                                     int64_t to_ns) {
  StreamUsage usage;
  if (from_ns >= to_ns) return usage;
  std::vector<HeadSnapshot> heads;
  std::shared_ptr<const KvSnapshot> snapshot;
  SAW_RETURN_IF_ERROR(SnapshotStream(tenant, stream_id, from_ns, to_ns, &heads, &snapshot));
  std::vector<ChunkRef> chunks;
  SAW_RETURN_IF_ERROR(ListChunks(tenant, stream_id, from_ns, to_ns, snapshot.get(), &chunks));
  for (const ChunkRef& c : chunks) {
    const uint64_t entries = Prorate(c.entries, c.min_ts, c.max_ts, from_ns, to_ns);
    if (entries == 0) continue;  // touches the range but holds nothing countable in it
    ++usage.chunks;
    usage.entries += entries;
    usage.bytes += Prorate(c.raw_bytes, c.min_ts, c.max_ts, from_ns, to_ns);
  }
  for (const HeadSnapshot& h : heads) {
    ++usage.chunks;
    usage.entries += h.entries.size();
    for (const Head::Entry& e : h.entries) usage.bytes += e.line_size + e.metadata_size;
  }
  return usage;
}

}  // namespace sawmill::storage

namespace sawmill::storage {

Result<StreamSpan> StoreImpl::Span(std::string_view tenant, uint64_t stream_id, int64_t from_ns,
                                   int64_t to_ns) {
  StreamSpan span;
  if (from_ns >= to_ns) return span;
  auto add = [&](int64_t min_ts, int64_t max_ts) {
    if (min_ts >= to_ns || max_ts < from_ns) return;
    min_ts = std::max(min_ts, from_ns);
    max_ts = std::min(max_ts, to_ns - 1);
    if (span.empty) {
      span = {false, min_ts, max_ts};
    } else {
      span.min_ts = std::min(span.min_ts, min_ts);
      span.max_ts = std::max(span.max_ts, max_ts);
    }
  };
  std::shared_ptr<const KvSnapshot> snapshot;
  {
    // As SnapshotStream: heads and the database snapshot under one lock, so an entry being
    // flushed is seen in its head or in its chunk.
    SAW_RETURN_IF_ERROR(ValidateTenant(tenant));
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return Status::Unavailable("store is closed");
    if (StreamState* s = FindStream(tenant, stream_id)) {
      for (const auto& h : s->flushing) {
        if (h != nullptr && !h->empty()) add(h->min_ts(), h->max_ts());
      }
      if (s->head != nullptr && !s->head->empty()) add(s->head->min_ts(), s->head->max_ts());
    }
    snapshot = kv_->GetSnapshot();
  }
  std::vector<ChunkRef> chunks;
  SAW_RETURN_IF_ERROR(ListChunks(tenant, stream_id, from_ns, to_ns, snapshot.get(), &chunks));
  for (const ChunkRef& c : chunks) add(c.min_ts, c.max_ts);
  return span;
}

}  // namespace sawmill::storage
