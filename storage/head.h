// Head: the in-memory, not yet flushed entries of one stream.
//
// Entries are kept sorted by timestamp (ties in arrival order), so a flush or a read never
// sorts. Line and metadata bytes live in an append-only arena whose blocks never move: a
// reader's snapshot (a copy of the entry table for its time range plus a reference to the
// head) points into the arena while writers keep appending. Identical (ts, line) pairs are
// stored once.
//
// Thread-safety: not thread-safe. The store mutates a head only under its own mutex and
// takes snapshots under that mutex; after that a snapshot reads only bytes written before it.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "storage/chunk_reader.h"
#include "storage/store.h"

namespace sawmill::storage {

class Head {
 public:
  struct Entry {
    int64_t ts_ns;
    const char* data;  // line bytes, then metadata bytes
    uint32_t line_size;
    uint32_t metadata_size;

    std::string_view line() const { return {data, line_size}; }
    std::string_view metadata() const { return {data + line_size, metadata_size}; }
  };

  Head() = default;
  Head(const Head&) = delete;
  Head& operator=(const Head&) = delete;

  // Returns false (and stores nothing) when an entry with the same ts and line is present.
  bool Append(int64_t ts_ns, std::string_view line, std::string_view metadata);
  // The same as Append() of each entry in turn; returns how many were stored. When the
  // entries are in timestamp order but start before the newest one held, the entries after
  // that point are merged with them once, instead of each entry shifting them (several
  // clients pushing to one stream: one insert into the middle per entry was ~8 % of the
  // server's CPU under push_load).
  size_t AppendAll(std::span<const EntryRef> entries);

  bool empty() const { return entries_.empty(); }
  size_t num_entries() const { return entries_.size(); }
  // Line + metadata bytes held.
  size_t bytes() const { return bytes_; }
  // Resident bytes: arena blocks plus the entry table.
  size_t memory_bytes() const;
  int64_t min_ts() const { return entries_.front().ts_ns; }
  int64_t max_ts() const { return entries_.back().ts_ns; }
  const std::vector<Entry>& entries() const { return entries_; }

  // The entries with from <= ts < to, in timestamp order.
  std::vector<Entry> Range(int64_t from_ns, int64_t to_ns) const;

  // The durable head records (sequence numbers) whose entries this head holds; the flush
  // that turns the head into chunks marks exactly these as cut for the stream (a cut list). Kept as
  // varint deltas: with many streams a head gets about one record per entry, and 8 bytes (plus
  // vector slack) per record was ~8 % of a small head's memory.
  void AddRecord(uint64_t seq);
  std::vector<uint64_t> records() const;  // in the order added
  size_t num_records() const { return num_records_; }
  uint64_t max_record() const { return max_record_; }  // 0 when there is none
  uint64_t min_record() const { return min_record_; }  // 0 when there is none

  // Monotonic clock times (ns) of the first and the latest append, for idle/age flushes.
  int64_t created_ns = 0;
  int64_t last_append_ns = 0;

 private:
  char* Allocate(size_t n);

  // Room for one more entry, growing the table by half (not double) when full.
  void ReserveOne();
  // Copies the bytes into the arena and appends the entry at the end of the table.
  void PushBack(int64_t ts_ns, std::string_view line, std::string_view metadata);

  std::vector<Entry> entries_;
  std::vector<std::unique_ptr<char[]>> blocks_;
  size_t block_used_ = 0;
  size_t block_size_ = 0;
  size_t arena_bytes_ = 0;
  size_t bytes_ = 0;
  std::string records_;  // zigzag varint deltas from the previous record (the first: from 0)
  uint64_t last_record_ = 0;
  uint64_t max_record_ = 0;
  uint64_t min_record_ = 0;
  size_t num_records_ = 0;
};

// Iterators over a snapshot of a head. They keep the head alive.
std::unique_ptr<EntryIterator> NewHeadIterator(std::shared_ptr<const Head> head,
                                               std::vector<Head::Entry> entries,
                                               Direction direction);
std::unique_ptr<SampleIterator> NewHeadSampleIterator(std::shared_ptr<const Head> head,
                                                      std::vector<Head::Entry> entries,
                                                      Direction direction);

}  // namespace sawmill::storage
