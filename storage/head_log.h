// HeadLog: the store's head records (store_impl.h), each written once, in append-only segment
// files of their own beside RocksDB's: <dir>/<segment number, 16 hex digits>.log.
//
// A head record lives only until every stream in it has been flushed into chunks (seconds at
// a busy server). In RocksDB each one was also copied into the WAL (checksummed by Debian's
// portable build in software), a memtable, an SST file at the memtable's flush and again by
// compactions before its delete caught up: about 12 % of the server's CPU pushing 100 streams.
// Here it is written once, and a segment is deleted as a whole once every record in it is dead.
//
//   segment := frame*
//   frame   := crc:fixed32 | size:fixed32 | body (size bytes)
//   body    := seq:fixed64 | tenant:varint length + bytes | record (store_impl.h)
//   crc     =  CRC32C of size and body
//
// A crash can tear the last frame of a segment (a write that was never acknowledged): Replay
// stops reading a segment at its first frame that is cut short or fails its CRC.
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "storage/result.h"
#include "storage/status.h"

namespace sawmill::storage {

class HeadLog {
 public:
  // Opens `dir`, creating it if needed. Appends go to a new segment numbered after every
  // segment already there; those are read by Replay().
  static Result<std::unique_ptr<HeadLog>> Open(const std::string& dir, size_t segment_bytes);
  ~HeadLog();
  HeadLog(const HeadLog&) = delete;
  HeadLog& operator=(const HeadLog&) = delete;

  using ReplayFn = std::function<Status(uint64_t segment, uint64_t seq, std::string_view tenant,
                                        std::string_view record)>;
  // Calls `fn` for every intact frame of the segments found at Open(), oldest segment first,
  // frames in the order they were appended; stops at the first error `fn` returns. A segment
  // ends at its first damaged frame (counted in *torn). Call once, before any Append().
  Status Replay(const ReplayFn& fn, uint64_t* torn);

  // Appends one frame (not synced), first starting a new segment when the active one holds
  // segment_bytes or more. Returns the number of the segment that holds it. A failed append
  // leaves no partial frame behind. The frame's record is `record` followed by `tail` (written
  // from where they are, not copied together first).
  Result<uint64_t> Append(uint64_t seq, std::string_view tenant, std::string_view record,
                          std::string_view tail = {});
  // Makes every frame appended before the call durable (fdatasync of each segment written
  // since the last Sync, and of the directory when a segment was created).
  Status Sync();
  // Starts a new segment at the next Append(), so that the active one can be removed.
  void Roll();

  // The segments that take no more appends (every segment but the active one), each with the
  // number of frames it holds (appended or replayed).
  std::vector<std::pair<uint64_t, uint64_t>> ClosedSegments() const;
  // The active segment's number and how many frames it holds.
  std::pair<uint64_t, uint64_t> ActiveSegment() const;
  // Deletes a closed segment's file. REQUIRES: `segment` is in ClosedSegments().
  Status Remove(uint64_t segment);
  // Bytes in segment files.
  uint64_t bytes() const;

 private:
  HeadLog(std::string dir, size_t segment_bytes);
  std::string SegmentPath(uint64_t segment) const;
  // Opens segment active_ for appending. REQUIRES: mu_ held, fd_ < 0.
  Status OpenActive();

  const std::string dir_;
  const size_t segment_bytes_;

  mutable std::mutex mu_;  // everything below
  uint64_t active_ = 1;    // the segment appends go to
  int fd_ = -1;            // of active_, once created
  uint64_t active_size_ = 0;
  std::map<uint64_t, uint64_t> frames_;             // segment -> frames (every existing segment)
  std::map<uint64_t, uint64_t> sizes_;              // segment -> bytes
  std::vector<std::pair<uint64_t, int>> unsynced_;  // closed segments' fds, written since Sync
  bool dir_dirty_ = false;                          // a segment was created since the last Sync
  std::vector<uint64_t> found_;                     // segments present at Open(), for Replay()

  std::mutex sync_mu_;  // one Sync() or Remove() at a time (they close fds)
};

}  // namespace sawmill::storage
