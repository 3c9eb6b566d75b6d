// The write path. A Write() runs in three steps:
//  1. under mu_: find each stream, refuse entries older than the out-of-order window, raise
//     the stream's newest timestamp, reserve one sequence number for the write;
//  2. without the lock: encode one head record holding every stream's accepted entries and
//     append it to the head log (storage/head_log.h; not yet fsynced);
//  3. under mu_: append the entries to the heads, each head remembering the record's
//     sequence number (its flush writes a cut list naming it), and count the record's
//     streams: the record is deleted when the last of them has been flushed;
// then wait until the head log (and RocksDB's WAL) is fsynced (at once, or by the group-commit
// thread).
#include <algorithm>
#include <chrono>
#include <cstring>
#include <optional>

#include "storage/chunk_format.h"
#include "storage/coding.h"
#include "storage/keys.h"
#include "storage/store_impl.h"
#include "storage/time_format.h"

namespace sawmill::storage {

int64_t MonotonicNowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

namespace {

constexpr size_t kMinCompressedRecord = 256;

void PutEntries(std::string* payload, std::span<const EntryRef> entries) {
  PutVarint64(payload, entries.size());
  for (const EntryRef& e : entries) {
    PutVarint64(payload, ZigZagEncode(e.ts_ns));
    PutLengthPrefixed(payload, e.line);
    PutLengthPrefixed(payload, e.metadata);
  }
}

// record := encoding | raw_size | compressed payload, or kNone | payload.
void FinishRecord(const std::string& payload, Encoding encoding, std::string* record) {
  record->clear();
  if (encoding != Encoding::kNone && payload.size() >= kMinCompressedRecord) {
    record->push_back(static_cast<char>(encoding));
    PutVarint64(record, payload.size());
    if (Compress(encoding, payload, record).ok()) return;
    record->clear();
  }
  record->push_back(static_cast<char>(Encoding::kNone));
  record->append(payload);
}

// The payload of a record, decompressed into *scratch when it is compressed.
Status RecordPayload(std::string_view record, std::string* scratch, std::string_view* payload) {
  if (record.empty()) return Status::Corruption("empty head record");
  auto encoding = static_cast<Encoding>(record[0]);
  record.remove_prefix(1);
  *payload = record;
  if (encoding != Encoding::kNone) {
    uint64_t raw_size;
    if (!GetVarint64(&record, &raw_size) || raw_size > (1ull << 32)) {
      return Status::Corruption("bad head record size");
    }
    SAW_RETURN_IF_ERROR(Decompress(encoding, record, raw_size, scratch));
    *payload = *scratch;
  }
  return Status::OK();
}

Status GetEntries(std::string_view* payload, std::vector<EntryRef>* entries) {
  uint64_t count;
  if (!GetVarint64(payload, &count) || count > payload->size()) {
    return Status::Corruption("bad head record count");
  }
  entries->reserve(entries->size() + count);
  for (uint64_t i = 0; i < count; ++i) {
    uint64_t ts;
    EntryRef e;
    if (!GetVarint64(payload, &ts) || !GetLengthPrefixed(payload, &e.line) ||
        !GetLengthPrefixed(payload, &e.metadata)) {
      return Status::Corruption("truncated head record");
    }
    e.ts_ns = ZigZagDecode(ts);
    entries->push_back(e);
  }
  return Status::OK();
}

}  // namespace

void EncodeWriteRecord(std::span<const RecordStream> streams, Encoding encoding,
                       std::string* payload, std::string* record) {
  // Uncompressed (the head log's default), the payload is built in place after the encoding
  // byte instead of being copied there.
  const bool raw = encoding == Encoding::kNone;
  std::string* out = raw ? record : payload;
  out->clear();
  size_t estimate = 9;
  for (const RecordStream& s : streams) {
    estimate += 16;
    for (const EntryRef& e : s.entries) estimate += e.line.size() + e.metadata.size() + 16;
  }
  out->reserve(estimate);
  if (raw) out->push_back(static_cast<char>(Encoding::kNone));
  PutVarint64(out, streams.size());
  for (const RecordStream& s : streams) {
    PutFixed64(out, s.stream_id);
    PutEntries(out, s.entries);
  }
  if (!raw) FinishRecord(*payload, encoding, record);
}

Status DecodeWriteRecord(std::string_view record, std::string* scratch,
                         std::vector<RecordPart>* parts, std::vector<EntryRef>* entries) {
  parts->clear();
  entries->clear();
  std::string_view payload;
  SAW_RETURN_IF_ERROR(RecordPayload(record, scratch, &payload));
  uint64_t nstreams;
  if (!GetVarint64(&payload, &nstreams) || nstreams > payload.size() / 9) {
    return Status::Corruption("bad head record stream count");
  }
  parts->reserve(nstreams);
  for (uint64_t i = 0; i < nstreams; ++i) {
    if (payload.size() < 8) return Status::Corruption("truncated head record");
    RecordPart part;
    part.stream_id = DecodeFixed64(payload.data());
    payload.remove_prefix(8);
    part.begin = entries->size();
    SAW_RETURN_IF_ERROR(GetEntries(&payload, entries));
    part.end = entries->size();
    parts->push_back(part);
  }
  if (!payload.empty()) return Status::Corruption("head record has trailing bytes");
  return Status::OK();
}

void EncodeSourceRecordHead(uint8_t format, uint64_t check, std::span<const SourcePart> parts,
                            std::string* record) {
  record->clear();
  record->push_back(static_cast<char>(kSourceRecord));
  record->push_back(static_cast<char>(format));
  PutFixed64(record, check);
  PutVarint64(record, parts.size());
  for (const SourcePart& p : parts) {
    PutFixed64(record, p.stream_id);
    PutVarint64(record, p.origin);
  }
}

uint64_t SourceCheck(uint64_t check, std::span<const EntryRef> entries) {
  // Per entry, not per byte: a decoder that disagrees with the writer (another version, a
  // changed limit) shows in timestamps, lengths or the lines' ends.
  constexpr uint64_t kMul = 0x9E3779B97F4A7C15ull;
  auto mix = [&](uint64_t v) {
    check = (check ^ v) * kMul;
    check ^= check >> 29;
  };
  auto ends = [](std::string_view s) {
    uint64_t head = 0, tail = 0;
    const size_t n = std::min<size_t>(8, s.size());
    std::memcpy(&head, s.data(), n);
    std::memcpy(&tail, s.data() + s.size() - n, n);
    return head ^ (tail << 1);
  };
  mix(entries.size());
  for (const EntryRef& e : entries) {
    mix(static_cast<uint64_t>(e.ts_ns));
    mix((uint64_t{e.line.size()} << 32) ^ e.metadata.size());
    mix(e.line.empty() ? 0 : ends(e.line));
    for (size_t i = 0; i < e.metadata.size(); i += 8) {
      mix(ends(e.metadata.substr(i, 8)));
    }
  }
  return check;
}

namespace {

// A source record's header: everything but the body, which is left in *record.
Status ParseSourceRecord(std::string_view* record, uint8_t* format, uint64_t* check,
                         std::vector<SourcePart>* sources) {
  if (record->empty() || static_cast<uint8_t>((*record)[0]) != kSourceRecord) {
    return Status::InvalidArgument("not a source record");
  }
  record->remove_prefix(1);
  if (record->size() < 9) return Status::Corruption("truncated head record");
  *format = static_cast<uint8_t>((*record)[0]);
  *check = DecodeFixed64(record->data() + 1);
  record->remove_prefix(9);
  uint64_t nstreams;
  if (!GetVarint64(record, &nstreams) || nstreams > record->size() / 9) {
    return Status::Corruption("bad head record stream count");
  }
  sources->resize(nstreams);
  for (SourcePart& p : *sources) {
    uint64_t origin;
    if (record->size() < 8) return Status::Corruption("truncated head record");
    p.stream_id = DecodeFixed64(record->data());
    record->remove_prefix(8);
    if (!GetVarint64(record, &origin) || origin > UINT32_MAX) {
      return Status::Corruption("bad head record stream origin");
    }
    p.origin = static_cast<uint32_t>(origin);
  }
  return Status::OK();
}

}  // namespace

bool SourceRecordParts(std::string_view record, std::vector<SourcePart>* parts) {
  uint8_t format;
  uint64_t check;
  return ParseSourceRecord(&record, &format, &check, parts).ok();
}

Status DecodeWriteRecord(std::string_view record, const SourceDecoder* decoder,
                         DecodedSource* decoded, std::string* scratch,
                         std::vector<RecordPart>* parts, std::vector<EntryRef>* entries) {
  if (record.empty() || static_cast<uint8_t>(record[0]) != kSourceRecord) {
    return DecodeWriteRecord(record, scratch, parts, entries);
  }
  parts->clear();
  entries->clear();
  uint8_t format;
  uint64_t check;
  std::vector<SourcePart> sources;
  SAW_RETURN_IF_ERROR(ParseSourceRecord(&record, &format, &check, &sources));
  if (decoder == nullptr || !*decoder) {
    return Status::Corruption("head record holds a request body and no decoder was given");
  }
  Status st = (*decoder)(format, record, decoded);
  if (!st.ok()) return Status::Corruption("head record body: " + st.message());
  uint64_t got = 0;
  parts->reserve(sources.size());
  for (const SourcePart& p : sources) {
    if (p.origin >= decoded->streams.size()) {
      return Status::Corruption("head record names a stream its body does not hold");
    }
    const std::vector<EntryRef>& e = decoded->streams[p.origin];
    parts->push_back({p.stream_id, entries->size(), entries->size() + e.size()});
    entries->insert(entries->end(), e.begin(), e.end());
    got = SourceCheck(got, e);
  }
  if (got != check) {
    return Status::Corruption("head record body decodes to other entries than were written");
  }
  return Status::OK();
}

void EncodeHeadRecord(std::span<const EntryRef> entries, Encoding encoding, std::string* payload,
                      std::string* record) {
  payload->clear();
  PutEntries(payload, entries);
  FinishRecord(*payload, encoding, record);
}

std::string EncodeHeadRecord(std::span<const EntryRef> entries, Encoding encoding) {
  std::string payload, record;
  EncodeHeadRecord(entries, encoding, &payload, &record);
  return record;
}

Status DecodeHeadRecord(std::string_view record, std::string* scratch,
                        std::vector<EntryRef>* entries) {
  entries->clear();
  std::string_view payload;
  SAW_RETURN_IF_ERROR(RecordPayload(record, scratch, &payload));
  return GetEntries(&payload, entries);
}

std::string EncodeCutList(uint64_t stream_id, std::span<const uint64_t> seqs) {
  std::string v;
  PutFixed64(&v, stream_id);
  PutVarint64(&v, seqs.size());
  uint64_t prev = 0;
  for (uint64_t seq : seqs) {
    PutVarint64(&v, seq - prev);
    prev = seq;
  }
  return v;
}

bool DecodeCutList(std::string_view v, uint64_t* stream_id, std::vector<uint64_t>* seqs) {
  seqs->clear();
  if (v.size() < 8) return false;
  *stream_id = DecodeFixed64(v.data());
  v.remove_prefix(8);
  uint64_t n;
  if (!GetVarint64(&v, &n) || n > v.size()) return false;
  seqs->reserve(n);
  uint64_t seq = 0;
  for (uint64_t i = 0; i < n; ++i) {
    uint64_t delta;
    if (!GetVarint64(&v, &delta)) return false;
    seq += delta;
    seqs->push_back(seq);
  }
  return v.empty();
}

Status StoreImpl::Write(std::string_view tenant, std::span<const StreamWrite> streams,
                        const WriteSource* source, WriteResult* result) {
  SAW_RETURN_IF_ERROR(ValidateTenant(tenant));
  *result = WriteResult();
  const int64_t window = options_.out_of_order_window.count();

  // Step 1: decide, reserve. Each stream's state is pinned (StreamState::writers) until step 3,
  // so step 3 uses the same pointer instead of finding the stream again.
  struct Pending {
    StreamState* stream;
    size_t stream_index;
    std::span<const EntryRef> accepted;  // the request's entries, or a filtered copy
  };
  uint64_t seq = 0;  // of the write's head record
  std::vector<Pending> pending;
  std::vector<std::vector<EntryRef>> filtered;  // copies of streams with refused entries
  pending.reserve(streams.size());
  auto unpin = [&] {
    for (Pending& p : pending) --p.stream->writers;
  };
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return Status::Unavailable("store is closed");
    const uint32_t tenant_number = TenantNumber(tenant);
    for (size_t si = 0; si < streams.size(); ++si) {
      const StreamWrite& sw = streams[si];
      Status st;
      StreamState* s = FindOrLoadStream(tenant_number, sw.stream_id, &st);
      if (s == nullptr) {
        unpin();
        return st;
      }
      // Entries are checked in place; only a stream with a refused entry is copied.
      std::vector<EntryRef>* copy = nullptr;
      for (size_t ei = 0; ei < sw.entries.size(); ++ei) {
        const EntryRef& e = sw.entries[ei];
        Status refusal;
        if (e.line.size() + e.metadata.size() > kMaxEntryBytes) {
          refusal = Status::InvalidArgument("entry of " +
                                            std::to_string(e.line.size() + e.metadata.size()) +
                                            " bytes is larger than the store's limit of " +
                                            std::to_string(kMaxEntryBytes) + " bytes");
        } else if (s->max_ts != INT64_MIN && window > 0 && e.ts_ns < s->max_ts - window) {
          refusal = Status::InvalidArgument(
              "entry too far behind, entry timestamp is: " + FormatRfc3339Nano(e.ts_ns) +
              ", oldest acceptable timestamp is: " + FormatRfc3339Nano(s->max_ts - window));
        }
        if (!refusal.ok()) {
          result->rejected.push_back({si, ei, std::move(refusal)});
          if (copy == nullptr) {
            copy = &filtered.emplace_back(sw.entries.begin(), sw.entries.begin() + ei);
          }
          continue;
        }
        if (copy != nullptr) copy->push_back(e);
        if (e.ts_ns > s->max_ts) s->max_ts = e.ts_ns;
      }
      std::span<const EntryRef> accepted = copy == nullptr ? std::span<const EntryRef>(sw.entries)
                                                           : std::span<const EntryRef>(*copy);
      if (accepted.empty()) continue;
      ++s->writers;
      pending.push_back({s, si, accepted});
    }
    if (pending.empty()) return Status::OK();
    seq = next_seq_.fetch_add(1);
  }

  // Step 2: the durable record, encoded in buffers this thread keeps (no allocation once they
  // have grown), appended to the head log.
  uint32_t record_bytes = 0;
  uint64_t segment = 0;
  {
    thread_local std::string payload, record;
    thread_local std::vector<RecordStream> parts;
    thread_local std::vector<SourcePart> sources;
    // Every entry kept: the record can be the request body the entries came from.
    const bool from_source = source != nullptr && source->format != 0 &&
                             source->origins.size() == streams.size() && filtered.empty();
    if (from_source) {
      sources.clear();
      uint64_t check = 0;
      for (const Pending& p : pending) {
        sources.push_back({streams[p.stream_index].stream_id, source->origins[p.stream_index]});
        check = SourceCheck(check, p.accepted);
      }
      EncodeSourceRecordHead(source->format, check, sources, &record);
    } else {
      parts.clear();
      for (const Pending& p : pending) {
        parts.push_back({streams[p.stream_index].stream_id, p.accepted});
      }
      EncodeWriteRecord(parts, options_.head_record_encoding, &payload, &record);
    }
    const std::string_view tail = from_source ? source->body : std::string_view();
    record_bytes = static_cast<uint32_t>(std::min<size_t>(record.size() + tail.size(), UINT32_MAX));
    Result<uint64_t> appended = head_log_->Append(seq, tenant, record, tail);
    // A large push's buffers are not kept: at most 512 KiB of scratch per thread (keeping
    // buffers of up to 2 MiB each took ~20 MB more RSS at 100 streams).
    if (payload.capacity() > (256 << 10)) std::string().swap(payload);
    if (record.capacity() > (256 << 10)) std::string().swap(record);
    if (parts.capacity() > 4096) std::vector<RecordStream>().swap(parts);
    if (sources.capacity() > 4096) std::vector<SourcePart>().swap(sources);
    if (!appended.ok()) {
      std::lock_guard<std::mutex> lock(mu_);
      if (!closed_) unpin();  // Close() emptied streams_: the pinned states are gone
      return appended.status();
    }
    segment = *appended;
    head_records_written_.fetch_add(1, std::memory_order_relaxed);
    if (from_source) head_body_records_written_.fetch_add(1, std::memory_order_relaxed);
    head_record_bytes_written_.fetch_add(record_bytes, std::memory_order_relaxed);
  }

  // Step 3: the heads.
  const int64_t now = MonotonicNowNs();
  std::vector<StreamSlot> to_flush;
  bool flusher_behind = false;
  size_t queued_over_limit = 0;  // heads queued because of the hard limit
  {
    std::lock_guard<std::mutex> lock(mu_);
    // Close() empties streams_ (under mu_, setting closed_): the pinned states are gone.
    if (closed_) return Status::Unavailable("store is closed");
    // Every stream of the record holds it until its head is flushed. (A stream named twice in
    // one write holds it twice, and its flush gives it back twice.)
    LiveRecord& live = records_[seq];
    live.refs = static_cast<uint32_t>(pending.size());
    live.bytes = record_bytes;
    live.segment = segment;
    live_record_bytes_ += record_bytes;
    for (Pending& p : pending) {
      StreamState& s = *p.stream;
      --s.writers;
      // A new head's own size counts too: the flush takes memory_bytes() off in full.
      const size_t memory_before = s.head == nullptr ? 0 : s.head->memory_bytes();
      if (s.head == nullptr) s.head = NewHead(now);
      const size_t stored = s.head->AppendAll(p.accepted);
      result->accepted += stored;
      result->duplicates += p.accepted.size() - stored;
      for (const EntryRef& e : p.accepted) {
        if (e.ts_ns > s.max_ts) s.max_ts = e.ts_ns;
      }
      s.head->AddRecord(seq);
      s.head->last_append_ns = now;
      s.last_append_ns = now;
      live_head_memory_ += s.head->memory_bytes() - memory_before;
      const size_t budget = options_.head_bytes_budget;
      const bool over_budget = budget > 0 && live_head_memory_ > budget &&
                               s.head->bytes() >= options_.chunk.block_target_bytes;
      // Past the hard limit, heads under a block go too (many small streams: 100,000 of them
      // grew past 1 GiB of RSS in 20 s at ~29 MB/s): of the heads this write touched, those at
      // least as large as the average live head, so that the larger ones are cut first.
      const bool over_limit = budget > 0 && live_head_memory_ > kHeadLimitFactor * budget &&
                              s.head->memory_bytes() * streams_.size() >= live_head_memory_;
      if ((s.head->bytes() >= options_.chunk_target_bytes || over_budget || over_limit) &&
          !s.queued_for_flush) {
        if (over_limit) ++queued_over_limit;
        s.queued_for_flush = true;
        to_flush.push_back({s.tenant_number, s.id});
      }
    }
    flusher_behind =
        options_.head_bytes_budget > 0 &&
        live_head_memory_ > options_.head_bytes_budget + options_.head_bytes_budget / 4;
  }
  entries_written_ += result->accepted;
  if (!to_flush.empty()) {
    std::lock_guard<std::mutex> lock(bg_mu_);
    for (const StreamSlot& slot : to_flush) flush_queue_.push_back(slot);
    bg_cv_.notify_one();
  }
  // The heads passed their budget by a quarter: the flusher is not keeping up (one thread,
  // sharing the cores with every writer). This writer cuts one queued head itself before it
  // answers, so the heads stop growing faster than they are cut (at 100 streams and ~100 MB/s
  // they reached ~1.3x the budget). Past the hard limit it cuts as many as it queued there,
  // so that the heads it pushed over the limit leave memory before it is acknowledged.
  size_t to_cut = std::max<size_t>(flusher_behind ? 1 : 0, queued_over_limit);
  while (to_cut-- > 0) {
    std::optional<StreamSlot> slot;
    {
      std::lock_guard<std::mutex> lock(bg_mu_);
      if (!flush_queue_.empty()) {
        slot = flush_queue_.front();
        flush_queue_.pop_front();
      }
    }
    if (!slot.has_value()) break;
    (void)FlushStream(*slot);  // a failure leaves the head: FlushDue retries
  }
  return WaitDurable();
}

Status StoreImpl::SyncDurable() {
  // The head log holds the records; RocksDB's WAL the label index rows a push wrote before
  // its records (ingest) and the streams' rows.
  SAW_RETURN_IF_ERROR(head_log_->Sync());
  return kv_->SyncWal();
}

Status StoreImpl::WaitDurable() {
  if (options_.sync == SyncPolicy::kFsync) {
    ++syncs_;
    return SyncDurable();
  }
  std::unique_lock<std::mutex> lock(sync_mu_);
  uint64_t ticket = ++write_ticket_;
  sync_cv_.notify_one();
  synced_cv_.wait(lock, [&] { return synced_ticket_ >= ticket || stopping_; });
  if (synced_ticket_ < ticket) {
    // The store is closing; Close() syncs everything before it returns.
    lock.unlock();
    return SyncDurable();
  }
  return sync_status_;
}

void StoreImpl::SyncLoop() {
  std::unique_lock<std::mutex> lock(sync_mu_);
  auto last_sync = std::chrono::steady_clock::now() - options_.group_commit_interval;
  while (true) {
    sync_cv_.wait(lock, [&] { return write_ticket_ > synced_ticket_ || stopping_; });
    if (stopping_ && write_ticket_ == synced_ticket_) return;
    // At most one fsync per interval: let the group fill up until then.
    auto due = last_sync + options_.group_commit_interval;
    if (!stopping_ && std::chrono::steady_clock::now() < due) {
      lock.unlock();
      std::this_thread::sleep_until(due);
      lock.lock();
    }
    uint64_t target = write_ticket_;
    lock.unlock();
    Status s = SyncDurable();
    ++syncs_;
    last_sync = std::chrono::steady_clock::now();
    lock.lock();
    sync_status_ = s;
    synced_ticket_ = target;
    synced_cv_.notify_all();
  }
}

}  // namespace sawmill::storage
